"""Payment rules: derived ids, replay fingerprints, leases, refundable amounts and refund pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hph.runtime import validation
from hph.runtime.clock import to_iso
from hph.runtime.errors import FailedPrecondition, InvalidArgument, Violations
from hph.services.payments import rules

NOW = datetime(2025, 11, 28, 9, 30, tzinfo=UTC)


def payment(status: str = rules.SUCCEEDED, *, amount: int = 10_000, refunded: int = 0, refunds: Any = ()) -> Any:
    return {
        "id": "pay_" + "0" * 24,
        "status": status,
        "amount_minor": amount,
        "amount_refunded_minor": refunded,
        "currency": "USD",
        "refunds": list(refunds),
    }


def refund(amount: int, status: str = rules.REFUND_PENDING, *, updated: datetime = NOW, txn: str = "") -> Any:
    return {
        "id": f"ref_{amount}_{status}",
        "amount_minor": amount,
        "status": status,
        "transaction_id": txn,
        "created_at": to_iso(updated),
        "updated_at": to_iso(updated),
    }


# --- ids ----------------------------------------------------------------------------------------


def test_a_charge_id_is_the_same_for_the_same_user_and_key_and_differs_otherwise() -> None:
    first = rules.payment_id_for_charge("u1", "key-1")
    assert first == rules.payment_id_for_charge("u1", "key-1")
    assert rules.is_payment_id(first)
    others = {
        rules.payment_id_for_charge("u2", "key-1"),
        rules.payment_id_for_charge("u1", "key-2"),
        rules.payment_id_for_intent("key-1"),
    }
    assert first not in others and len(others) == 3


def test_no_separator_trick_makes_two_users_share_a_payment() -> None:
    assert rules.payment_id_for_charge("a\nb", "c") != rules.payment_id_for_charge("a", "b\nc")


def test_refund_ids_depend_on_payment_and_key_and_provider_keys_on_our_ids() -> None:
    pay = rules.payment_id_for_charge("u1", "k")
    assert rules.refund_id_for(pay, "r1") == rules.refund_id_for(pay, "r1")
    assert rules.refund_id_for(pay, "r1") != rules.refund_id_for(pay, "r2")
    assert rules.provider_key(pay) == f"hph-{pay}"
    assert rules.claim_id_for("ORD-1") != rules.claim_id_for("ORD-2")


@pytest.mark.parametrize("value", ["", "pay_", "pay_" + "g" * 24, "pay_" + "0" * 23, "PAY_" + "0" * 24])
def test_payment_ids_are_checked(value: str) -> None:
    violations = Violations()
    assert not rules.check_payment_id(violations, value)
    assert [v.field for v in violations.items] == ["payment_id"]


# --- request checks -----------------------------------------------------------------------------


def test_create_checks_report_every_problem_at_once() -> None:
    violations = Violations()
    rules.check_reference(violations, "order_id", "")
    rules.check_reference(violations, "payment_method_id", "x" * 129)
    rules.check_positive_amount(violations, "amount", 0)
    rules.check_currency(violations, "usd")
    validation.request_id(violations, "", required=True)
    fields = [v.field for v in violations.items]
    assert fields == ["order_id", "payment_method_id", "amount", "currency_code", "request_id"]


@pytest.mark.parametrize("amount", [-1.0, float("nan"), float("inf"), 0.0])
def test_a_charge_amount_must_be_positive_and_finite(amount: float) -> None:
    violations = Violations()
    assert not rules.check_positive_amount(violations, "amount", amount)


def test_refund_amount_zero_means_everything_but_negative_is_refused() -> None:
    assert rules.check_refund_amount(Violations(), 0.0)
    assert not rules.check_refund_amount(Violations(), -0.01)
    assert not rules.check_refund_amount(Violations(), float("nan"))


def test_the_idempotency_key_is_optional_only_where_allowed() -> None:
    assert validation.request_id(Violations(), "", required=False)
    assert not validation.request_id(Violations(), "", required=True)
    assert not validation.request_id(Violations(), "k" * 129, required=False)
    assert validation.request_id(Violations(), "k" * 128, required=True)


def test_unknown_or_lower_case_currencies_are_refused_and_empty_means_the_orders() -> None:
    assert rules.check_currency(Violations(), "")
    assert rules.check_currency(Violations(), "EUR")
    assert not rules.check_currency(Violations(), "XXX")
    assert not rules.check_currency(Violations(), "eur")


# --- replays ------------------------------------------------------------------------------------


def test_the_same_charge_request_matches_and_any_change_does_not() -> None:
    stored = rules.charge_fingerprint("ORD-1", "pm-1", 25.5, "")
    assert rules.same_charge_request(stored, rules.charge_fingerprint("ORD-1", "pm-1", 25.5, ""), "USD")
    # Naming the order's currency explicitly is the same request as leaving it empty.
    assert rules.same_charge_request(stored, rules.charge_fingerprint("ORD-1", "pm-1", 25.5, "USD"), "USD")
    for changed in (
        rules.charge_fingerprint("ORD-2", "pm-1", 25.5, ""),
        rules.charge_fingerprint("ORD-1", "pm-2", 25.5, ""),
        rules.charge_fingerprint("ORD-1", "pm-1", 25.51, ""),
        rules.charge_fingerprint("ORD-1", "pm-1", 25.5, "EUR"),
        # The amount as it was sent: the exact twin added (or sent instead) is another request.
        rules.charge_fingerprint("ORD-1", "pm-1", 25.5, "", 2550),
        rules.charge_fingerprint("ORD-1", "pm-1", 0.0, "", 2550),
    ):
        assert not rules.same_charge_request(stored, changed, "USD")
    exact = rules.charge_fingerprint("ORD-1", "pm-1", 0.0, "", 2550)
    assert rules.same_charge_request(exact, rules.charge_fingerprint("ORD-1", "pm-1", 0.0, "", 2550), "USD")
    assert not rules.same_charge_request(exact, rules.charge_fingerprint("ORD-1", "pm-1", 0.0, "", 2551), "USD")


# --- leases -------------------------------------------------------------------------------------


def test_a_pending_charge_is_in_flight_while_leased_then_abandoned() -> None:
    doc = {"status": rules.PENDING, "awaiting_provider": False, "lease_until": rules.lease_until(NOW)}
    assert rules.in_flight(doc, NOW) and not rules.abandoned(doc, NOW)
    later = NOW + rules.CHARGE_LEASE + timedelta(microseconds=1)
    assert rules.abandoned(doc, later) and not rules.in_flight(doc, later)
    released = {**doc, "lease_until": ""}
    assert rules.abandoned(released, NOW)


def test_a_payment_the_provider_is_settling_is_neither_in_flight_nor_abandoned() -> None:
    doc = {"status": rules.PENDING, "awaiting_provider": True, "lease_until": ""}
    assert not rules.in_flight(doc, NOW) and not rules.abandoned(doc, NOW)
    settled = {"status": rules.SUCCEEDED, "awaiting_provider": False, "lease_until": ""}
    assert not rules.in_flight(settled, NOW) and not rules.abandoned(settled, NOW)


# --- refunds ------------------------------------------------------------------------------------


def test_zero_refunds_whatever_remains_after_earlier_and_pending_refunds() -> None:
    doc = payment(
        rules.PARTIALLY_REFUNDED,
        refunded=2_500,
        refunds=[refund(2_500, rules.REFUND_SUCCEEDED), refund(1_000), refund(700, rules.REFUND_FAILED)],
    )
    assert rules.reserved_refunds_minor(doc["refunds"]) == 1_000
    assert rules.refundable_minor(doc) == 6_500
    assert rules.refund_amount(doc, 0) == 6_500
    assert rules.refund_amount(doc, 6_500) == 6_500


def test_a_refund_above_what_remains_is_amount_mismatch_with_the_refundable_amount() -> None:
    doc = payment(refunds=[refund(4_000)])
    with pytest.raises(FailedPrecondition) as caught:
        rules.refund_amount(doc, 6_001)
    assert caught.value.reason == rules.AMOUNT_MISMATCH
    assert caught.value.metadata["refundable_minor"] == "6000"


def test_nothing_left_to_refund_is_refused_even_for_everything() -> None:
    doc = payment(refunds=[refund(10_000)])
    with pytest.raises(FailedPrecondition) as caught:
        rules.refund_amount(doc, 0)
    assert caught.value.reason == rules.AMOUNT_MISMATCH


@pytest.mark.parametrize("status", [rules.PENDING, rules.FAILED, rules.REQUIRES_ACTION, rules.REFUNDED])
def test_only_captured_payments_with_money_left_can_be_refunded(status: str) -> None:
    with pytest.raises(FailedPrecondition) as caught:
        rules.refund_amount(payment(status), 100)
    assert caught.value.reason == rules.ILLEGAL_TRANSITION


def test_the_refund_count_is_bounded() -> None:
    many = [refund(1, rules.REFUND_FAILED) for _ in range(rules.MAX_REFUNDS_PER_PAYMENT)]
    with pytest.raises(FailedPrecondition) as caught:
        rules.refund_amount(payment(refunds=many), 1)
    assert caught.value.reason == rules.LIMIT_REACHED


def test_status_after_refunds() -> None:
    assert rules.status_after_refunds(10_000, 0) == rules.SUCCEEDED
    assert rules.status_after_refunds(10_000, 1) == rules.PARTIALLY_REFUNDED
    assert rules.status_after_refunds(10_000, 10_000) == rules.REFUNDED


def test_only_pending_refunds_nobody_submits_any_more_are_stale() -> None:
    old = NOW - rules.CHARGE_LEASE
    doc = payment(
        refunds=[
            refund(1, updated=old),  # stale: resume it
            refund(2, updated=NOW),  # its attempt may still be running
            refund(3, updated=old, txn="re_1"),  # at the provider: a webhook settles it
            refund(4, rules.REFUND_SUCCEEDED, updated=old),
        ]
    )
    assert [r["amount_minor"] for r in rules.stale_pending_refunds(doc, NOW)] == [1]


def test_refunds_are_listed_newest_first_then_by_id() -> None:
    a = {"id": "ref_b", "created_at": "2025-01-01T00:00:00.000000Z"}
    b = {"id": "ref_a", "created_at": "2025-01-01T00:00:00.000000Z"}
    c = {"id": "ref_c", "created_at": "2025-01-02T00:00:00.000000Z"}
    assert [r["id"] for r in rules.newest_first([a, b, c])] == ["ref_c", "ref_a", "ref_b"]


def test_refund_page_tokens_round_trip_and_belong_to_their_payment() -> None:
    token = rules.encode_refund_page("pay_1", 20)
    assert rules.decode_refund_page(token, "pay_1") == 20
    assert rules.decode_refund_page("", "pay_1") == 0
    for bad, payment_id in ((token, "pay_2"), ("!!", "pay_1"), (rules.encode_refund_page("pay_1", -1), "pay_1")):
        with pytest.raises(InvalidArgument):
            rules.decode_refund_page(bad, payment_id)
