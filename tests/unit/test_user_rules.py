"""User rules: ids, display names, the default promoted after a delete."""

from __future__ import annotations

from hph.services.users import rules


def test_item_ids_are_prefixed_and_derived_from_the_idempotency_key() -> None:
    first = rules.new_item_id(rules.ADDRESS_PREFIX, "ava", "req-1")
    assert rules.ADDRESS_ID.fullmatch(first)
    assert first == rules.new_item_id(rules.ADDRESS_PREFIX, "ava", "req-1")
    assert first != rules.new_item_id(rules.ADDRESS_PREFIX, "liam", "req-1")
    fresh = {rules.new_item_id(rules.PAYMENT_METHOD_PREFIX, "ava", "") for _ in range(50)}
    assert len(fresh) == 50 and all(rules.PAYMENT_METHOD_ID.fullmatch(i) for i in fresh)
    assert not any(i.startswith("pm_") for i in fresh)


def test_display_name_falls_back_from_request_to_token_to_email() -> None:
    assert rules.display_name(" Ava  T ", "Token Name", "a@example.com", "sub") == "Ava T"
    assert rules.display_name("", "Token Name", "a@example.com", "sub") == "Token Name"
    assert rules.display_name("", "", "ava.t@example.com", "sub") == "ava.t"
    assert rules.display_name("", "", "", "sub-1") == "sub-1"
    assert len(rules.display_name("", "n" * 300, "", "s")) == rules.NAME_MAX


def test_newest_item_is_promoted_ties_broken_by_id() -> None:
    items = [
        {"id": "adr_b", "created_at": "2025-01-01T00:00:00.000000Z"},
        {"id": "adr_c", "created_at": "2025-02-01T00:00:00.000000Z"},
        {"id": "adr_a", "created_at": "2025-02-01T00:00:00.000000Z"},
    ]
    newest = rules.newest(items)
    assert newest is not None and newest["id"] == "adr_c"
    assert rules.newest([]) is None


def test_storable_user_ids() -> None:
    assert rules.is_storable_user_id("customer-ava")
    assert rules.is_storable_user_id("00000000-0000-0000-0000-000000000000")
    assert not rules.is_storable_user_id("")
    assert not rules.is_storable_user_id("a/b")
    assert not rules.is_storable_user_id("x" * 256)
