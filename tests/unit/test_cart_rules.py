"""Cart rules: line changes, limits, currency, idempotency records, pricing, warnings and exact totals."""

from __future__ import annotations

import pytest

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce import identifiers
from hph.runtime.errors import FailedPrecondition, InvalidArgument, NotFound, Violations
from hph.services.cart import rules
from hph.services.cart.rules import ProductInfo, StockInfo, Unchecked

NOW = "2024-12-01T10:00:00.000000Z"
PLENTY = StockInfo(in_stock=True, quantity_available=99, low_stock=False)


def product(
    product_id: str = "TOY-0001", price_minor: int = 1999, currency: str = "USD", active: bool = True
) -> ProductInfo:
    return ProductInfo(
        product_id=product_id,
        name=f"Product {product_id}",
        image_url=f"https://images.example/{product_id}.jpg",
        price_minor=price_minor,
        currency_code=currency,
        active=active,
    )


def cart_with(*items: tuple[ProductInfo, int]) -> rules.Document:
    doc = rules.new_cart("ava")
    for item, quantity in items:
        doc = rules.add_line(doc, item, quantity, NOW)
    return doc


# --- request checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "minimum", "ok"),
    [(0, 1, False), (1, 1, True), (99, 1, True), (100, 1, False), (-1, 0, False), (0, 0, True), (100, 0, False)],
)
def test_quantity_bounds(quantity: int, minimum: int, ok: bool) -> None:
    violations = Violations()
    assert rules.check_quantity(violations, quantity, minimum=minimum) is ok
    assert [v.field for v in violations.items] == ([] if ok else ["quantity"])


@pytest.mark.parametrize(("product_id", "ok"), [("TOY-0001", True), ("", False), ("ab", False), ("a/b/c", False)])
def test_product_id_check(product_id: str, ok: bool) -> None:
    violations = Violations()
    identifiers.check_product_id(violations, product_id)
    assert bool(violations) is not ok


@pytest.mark.parametrize(
    ("user_id", "ok"),
    [("ava", True), ("service:hph", True), ("a/b", False), ("a#b", False), ("", False), ("x" * 256, False)],
)
def test_storable_user_ids(user_id: str, ok: bool) -> None:
    assert rules.is_storable_user_id(user_id) is ok


# --- changes ------------------------------------------------------------------------------------


def test_add_appends_in_order_with_a_snapshot_and_merges_an_existing_line() -> None:
    doc = cart_with((product("A-001"), 2), (product("B-002", 500), 1))
    assert [(line["product_id"], line["quantity"]) for line in doc["lines"]] == [("A-001", 2), ("B-002", 1)]
    assert doc["lines"][0] == {
        "product_id": "A-001",
        "quantity": 2,
        "name": "Product A-001",
        "image_url": "https://images.example/A-001.jpg",
        "price_minor": 1999,
        "currency_code": "USD",
        "added_at": NOW,
    }
    merged = rules.add_line(doc, product("A-001", price_minor=1799), 3, "2024-12-02T10:00:00.000000Z")
    assert [(line["product_id"], line["quantity"]) for line in merged["lines"]] == [("A-001", 5), ("B-002", 1)]
    # Adding again shows the shopper today's price, so it becomes the snapshot; the line keeps its age.
    assert merged["lines"][0]["price_minor"] == 1799 and merged["lines"][0]["added_at"] == NOW
    assert doc["lines"][0]["quantity"] == 2, "the input document is not modified"


def test_merged_quantity_may_not_exceed_99() -> None:
    doc = cart_with((product(), 98))
    assert rules.add_line(doc, product(), 1, NOW)["lines"][0]["quantity"] == 99
    with pytest.raises(InvalidArgument) as caught:
        rules.add_line(doc, product(), 2, NOW)
    assert caught.value.violations[0].field == "quantity"
    assert "would exceed 99" in caught.value.violations[0].description


def test_a_full_cart_refuses_a_new_product_but_merges_an_existing_one() -> None:
    doc = cart_with(*((product(f"SKU-{i:03d}"), 1) for i in range(rules.MAX_LINES)))
    assert len(doc["lines"]) == rules.MAX_LINES
    with pytest.raises(FailedPrecondition) as caught:
        rules.add_line(doc, product("SKU-NEW"), 1, NOW)
    assert caught.value.reason == ErrorReason.ERROR_REASON_CART_FULL
    assert rules.add_line(doc, product("SKU-000"), 1, NOW)["lines"][0]["quantity"] == 2


def test_a_product_in_another_currency_is_refused_unless_it_is_the_only_line() -> None:
    doc = cart_with((product("A-001"), 1))
    with pytest.raises(FailedPrecondition) as caught:
        rules.add_line(doc, product("B-002", currency="EUR"), 1, NOW)
    assert caught.value.reason == ErrorReason.ERROR_REASON_CURRENCY_MISMATCH
    # Re-adding the only line after its product moved to EUR re-snapshots it in EUR.
    readded = rules.add_line(doc, product("A-001", price_minor=1500, currency="EUR"), 1, NOW)
    assert rules.cart_currency(readded, "USD") == "EUR"
    assert rules.cart_currency(rules.new_cart("ava"), "USD") == "USD"


def test_inactive_and_out_of_stock_products_are_refused() -> None:
    with pytest.raises(FailedPrecondition) as inactive:
        rules.require_purchasable(product(active=False))
    assert inactive.value.reason == ErrorReason.ERROR_REASON_PRODUCT_INACTIVE
    rules.require_purchasable(product())
    for stock in (StockInfo(False, 0, False), StockInfo(True, 0, True)):
        with pytest.raises(FailedPrecondition) as out:
            rules.require_in_stock("TOY-0001", stock)
        assert out.value.reason == ErrorReason.ERROR_REASON_OUT_OF_STOCK
    rules.require_in_stock("TOY-0001", StockInfo(True, 1, True))
    rules.require_in_stock("TOY-0001", None)  # inventory could not tell: checkout confirms


def test_set_quantity_remove_and_clear() -> None:
    doc = cart_with((product("A-001"), 2), (product("B-002"), 1))
    assert rules.set_quantity(doc, "A-001", 2) is None
    changed = rules.set_quantity(doc, "A-001", 7)
    assert changed is not None and changed["lines"][0]["quantity"] == 7
    removed = rules.set_quantity(doc, "A-001", 0)
    assert removed is not None and [line["product_id"] for line in removed["lines"]] == ["B-002"]
    with pytest.raises(NotFound):
        rules.set_quantity(doc, "C-003", 1)
    assert rules.remove_line(doc, "C-003") is None
    after = rules.remove_line(doc, "B-002")
    assert after is not None and [line["product_id"] for line in after["lines"]] == ["A-001"]
    cleared = rules.clear_lines(doc)
    assert cleared is not None and cleared["lines"] == []
    assert rules.clear_lines(cleared) is None


# --- idempotency --------------------------------------------------------------------------------


def test_request_keys_are_remembered_and_a_reuse_for_another_change_is_refused() -> None:
    doc = rules.new_cart("ava")
    add_one = rules.fingerprint("add", "A-001", 1)
    assert not rules.was_applied(doc, "key-1", add_one)
    doc = rules.remember_request(doc, "key-1", add_one)
    assert rules.was_applied(doc, "key-1", add_one)
    with pytest.raises(InvalidArgument) as caught:
        rules.was_applied(doc, "key-1", rules.fingerprint("add", "A-001", 2))
    assert caught.value.violations[0].field == "request_id"
    assert not rules.was_applied(doc, "", add_one)
    assert rules.remember_request(doc, "", add_one) is doc


def test_only_the_latest_request_keys_are_kept() -> None:
    doc = rules.new_cart("ava")
    for i in range(rules.REMEMBERED_REQUESTS + 5):
        doc = rules.remember_request(doc, f"key-{i}", "f")
    assert len(doc["requests"]) == rules.REMEMBERED_REQUESTS
    assert not rules.was_applied(doc, "key-0", "f")
    assert rules.was_applied(doc, f"key-{rules.REMEMBERED_REQUESTS + 4}", "f")


# --- pricing --------------------------------------------------------------------------------------


def test_totals_are_exact_in_minor_units() -> None:
    doc = cart_with((product("A-001", 1999), 3), (product("B-002", 10), 3))
    priced = rules.price_cart(
        doc, {"A-001": product("A-001", 1999), "B-002": product("B-002", 10)}, {}, default_currency="USD"
    )
    assert [line.line_total_minor for line in priced.lines] == [5997, 30]
    assert priced.subtotal_minor == priced.total_minor == 6027
    assert priced.item_count == 6 and priced.currency_code == "USD"


def test_a_moved_price_is_flagged_and_the_line_is_charged_at_the_current_price() -> None:
    doc = cart_with((product("A-001", 1999), 2))
    priced = rules.price_cart(doc, {"A-001": product("A-001", 2499)}, {"A-001": PLENTY}, default_currency="USD")
    line = priced.lines[0]
    assert (line.price_minor, line.current_price_minor, line.price_changed) == (1999, 2499, True)
    assert line.line_total_minor == 4998 and priced.subtotal_minor == 4998
    assert (line.available, line.availability_warning) == (True, "")


def test_a_product_that_cannot_be_checked_keeps_its_snapshot() -> None:
    doc = cart_with((product("A-001", 1999), 2))
    priced = rules.price_cart(doc, {}, {"A-001": PLENTY}, default_currency="USD")
    line = priced.lines[0]
    assert (line.current_price_minor, line.price_changed, line.available) == (1999, False, False)
    assert line.availability_warning == rules.NOT_CHECKED and line.name == "Product A-001"
    assert priced.subtotal_minor == 3998


@pytest.mark.parametrize(
    ("answer", "stock", "quantity", "expected"),
    [
        (product(), PLENTY, 5, (True, "")),
        (product(), StockInfo(True, 3, True), 2, (True, "Only 3 left")),
        (product(), StockInfo(True, 99, True), 2, (True, "Low stock")),
        (product(), StockInfo(True, 3, True), 5, (False, "Only 3 left")),
        (product(), StockInfo(False, 0, False), 1, (False, rules.OUT_OF_STOCK)),
        (product(), None, 1, (False, rules.NOT_CHECKED)),
        (product(active=False), PLENTY, 1, (False, rules.NO_LONGER_SOLD)),
        (product(active=False), None, 1, (False, rules.NO_LONGER_SOLD)),
        (Unchecked.GONE, PLENTY, 1, (False, rules.NO_LONGER_SOLD)),
        (Unchecked.UNREACHABLE, PLENTY, 1, (False, rules.NOT_CHECKED)),
        (product(currency="EUR"), PLENTY, 1, (False, "Now sold in EUR; remove it and add it again")),
    ],
)
def test_availability_warnings(
    answer: rules.ProductAnswer, stock: StockInfo | None, quantity: int, expected: tuple[bool, str]
) -> None:
    assert rules.judge_availability(quantity, "USD", answer, stock) == expected


def test_unreachable_inventory_marks_every_line_unchecked_and_a_missing_sku_too() -> None:
    doc = cart_with((product("A-001"), 1), (product("B-002"), 1))
    answers = {"A-001": product("A-001"), "B-002": product("B-002")}
    assert all(not line.available for line in rules.price_cart(doc, answers, None, default_currency="USD").lines)
    partial = rules.price_cart(doc, answers, {"A-001": PLENTY}, default_currency="USD")
    assert [line.available for line in partial.lines] == [True, False]


def test_a_product_repriced_in_another_currency_keeps_the_snapshot_price() -> None:
    doc = cart_with((product("A-001", 1999), 1))
    line = rules.price_line(doc["lines"][0], product("A-001", 1500, currency="EUR"), PLENTY)
    assert (line.current_price_minor, line.price_changed, line.available) == (1999, False, False)


def test_an_empty_cart_prices_to_zero_in_the_default_currency() -> None:
    priced = rules.price_cart(rules.new_cart("ava"), {}, None, default_currency="EUR")
    assert (priced.lines, priced.subtotal_minor, priced.item_count, priced.currency_code) == ((), 0, 0, "EUR")
