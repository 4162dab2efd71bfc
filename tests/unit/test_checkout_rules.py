"""Checkout rules: the shipped rate tables, shipping options, tax, totals in minor units, and every
error and warning a cart can get."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce.pricing import rules
from hph.commerce.pricing.rules import (
    AddressCheck,
    CartLine,
    CheckoutInput,
    Code,
    PaymentCheck,
    Product,
    Stock,
)
from hph.commerce.pricing.tables import (
    Destination,
    ShippingTable,
    TaxTable,
    default_shipping_table,
    default_tax_table,
    parse_shipping_table,
    parse_tax_table,
)
from hph.runtime.errors import FailedPrecondition, reason_text

# A Friday, so delivery windows visibly skip the weekend.
FRIDAY = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
SF = Destination("US", "CA", "94103")
CHICAGO = Destination("US", "IL", "60601")
LONDON = Destination("GB", "", "W8 4EP")
TORONTO = Destination("CA", "ON", "M5V 2T6")
SHIPPING: ShippingTable = default_shipping_table()
TAXES: TaxTable = default_tax_table()


def product(pid: str = "TOY-0001", price: int = 1999, *, active: bool = True, currency: str = "USD") -> Product:
    return Product(pid, f"Product {pid}", price, currency, active, image_url=f"https://img/{pid}", category_id="toys")


def checkout(
    lines: list[CartLine] | None = None,
    products: list[Product] | None = None,
    *,
    destination: Destination | None = SF,
    address: AddressCheck | None = None,
    stock: dict[str, Stock] | None = None,
    payment: PaymentCheck | None = None,
    option: str = "",
    strict: bool = False,
    currency: str = "USD",
) -> rules.Assessment:
    lines = [CartLine("TOY-0001", 2, 1999)] if lines is None else lines
    products = [product()] if products is None else products
    if address is None:
        address = AddressCheck.found(destination) if destination else AddressCheck.none_given()
    return rules.assess(
        CheckoutInput(
            lines=lines,
            currency_code=currency,
            products={p.product_id: p for p in products},
            address=address,
            now=FRIDAY,
            stock=stock,
            payment=payment,
            shipping_option=option,
            strict=strict,
        ),
        SHIPPING,
        TAXES,
    )


def codes(issues: tuple[rules.Issue, ...]) -> list[Code]:
    return [issue.code for issue in issues]


# --- tables ----------------------------------------------------------------------------------


def test_shipped_tables_load_and_cover_every_destination_with_a_tax_rate() -> None:
    assert SHIPPING.option_ids == {rules.STANDARD, rules.EXPRESS}
    for country in SHIPPING.countries:
        assert TAXES.rule_for(Destination(country)) is not None, country
    # The demo shoppers live in the US, Canada and the UK.
    for country in ("US", "CA", "GB"):
        assert SHIPPING.zone_for(country) is not None
    rule = TAXES.rule_for(SF)
    assert rule is not None and rule.rate == Decimal("0.0725") and not rule.shipping_taxable


def test_region_rate_wins_over_country_rate_and_unknown_regions_get_the_country_rate() -> None:
    assert TAXES.rule_for(TORONTO).rate == Decimal("0.13")  # type: ignore[union-attr]
    assert TAXES.rule_for(Destination("CA", "")).rate == Decimal("0.05")  # type: ignore[union-attr]
    assert TAXES.rule_for(Destination("US", "PR")).rate == Decimal("0")  # type: ignore[union-attr]
    assert TAXES.rule_for(Destination("BR")) is None


def _shipping_data() -> Any:
    text = resources.files("hph.commerce.pricing").joinpath("data", "shipping_rates.json").read_text()
    return json.loads(text)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("zones", 1, "countries"), ["US"], "more than one zone"),
        (("zones", 0, "options", 0, "amount", "USD"), -1, "non-negative"),
        (("zones", 0, "options", 0, "amount"), {"XXX": 1}, "unsupported currency"),
        (("zones", 0, "options", 0, "min_days"), 9, "min_days <= max_days"),
        (("zones", 0, "options", 1, "id"), "standard", "distinct ids"),
        (("zones",), [], "no zones"),
    ],
)
def test_malformed_shipping_tables_are_refused_at_load(path: tuple[Any, ...], value: Any, message: str) -> None:
    data = copy.deepcopy(_shipping_data())
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ValueError, match=message):
        parse_shipping_table(data)


@pytest.mark.parametrize("rate", [0.07, "seven", "1.5", "-0.01"])
def test_malformed_tax_rates_are_refused_at_load(rate: Any) -> None:
    with pytest.raises(ValueError):
        parse_tax_table({"countries": {"US": {"rate": rate}}})


# --- totals ----------------------------------------------------------------------------------


def test_a_plain_cart_is_priced_in_minor_units_with_standard_shipping_and_state_tax() -> None:
    result = checkout()
    assert result.valid and not result.warnings
    assert result.subtotal_minor == 3998
    assert result.shipping_minor == 599  # below the 50.00 free-shipping threshold
    assert result.tax_minor == 290  # 7.25% of 39.98 = 2.89855, rounded once; shipping untaxed in the US
    assert result.total_minor == 3998 + 599 + 290
    assert result.selected is not None and result.selected.option_id == rules.STANDARD
    [line] = result.lines
    assert (line.unit_price_minor, line.line_total_minor, line.category_id) == (1999, 3998, "toys")


def test_standard_shipping_is_free_from_the_threshold_on_but_express_is_not() -> None:
    below = checkout([CartLine("TOY-0001", 1, 4999)], [product(price=4999)])
    at = checkout([CartLine("TOY-0001", 1, 5000)], [product(price=5000)])
    assert below.shipping_minor == 599
    assert at.shipping_minor == 0
    express = checkout([CartLine("TOY-0001", 1, 5000)], [product(price=5000)], option=rules.EXPRESS)
    assert express.shipping_minor == 1499
    # Cheapest first: free standard, then express.
    assert [(o.option_id, o.amount_minor) for o in at.options] == [("standard", 0), ("express", 1499)]


def test_tax_is_rounded_once_half_even() -> None:
    # Illinois 6.25%: 10.00 -> 0.625 -> 0.62 (to even); 14.00 -> 0.875 -> 0.88 (to even).
    assert checkout([CartLine("TOY-0001", 1)], [product(price=1000)], destination=CHICAGO).tax_minor == 62
    assert checkout([CartLine("TOY-0001", 1)], [product(price=1400)], destination=CHICAGO).tax_minor == 88
    assert rules.tax_minor(Decimal("0.5"), False, 5, 0) == 2  # 2.5 -> 2
    assert rules.tax_minor(Decimal("0.5"), False, 7, 0) == 4  # 3.5 -> 4


def test_vat_destinations_tax_shipping_too() -> None:
    london = checkout([CartLine("TOY-0001", 1)], [product(price=1000)], destination=LONDON)
    assert london.shipping_minor == 1999
    assert london.tax_minor == 600  # 20% of (10.00 + 19.99) = 5.998
    toronto = checkout([CartLine("TOY-0001", 1)], [product(price=1000)], destination=TORONTO)
    assert toronto.shipping_minor == 1299
    assert toronto.tax_minor == 299  # 13% HST of (10.00 + 12.99) = 2.9887


def test_delivery_windows_count_business_days_only() -> None:
    result = checkout()
    standard, express = result.options
    assert (standard.min_days, standard.max_days) == (3, 5)
    # Friday + 3 business days = Wednesday; + 5 = next Friday.
    assert standard.earliest_delivery_at == datetime(2026, 12, 2, 15, 30, tzinfo=UTC)
    assert standard.latest_delivery_at == datetime(2026, 12, 4, 15, 30, tzinfo=UTC)
    assert express.earliest_delivery_at == datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # Monday
    assert standard.name == "Standard (3-5 business days)"
    assert rules.add_business_days(FRIDAY, 0) == FRIDAY


def test_without_an_address_the_estimate_uses_the_default_destination_and_warns() -> None:
    result = checkout(destination=None)
    assert result.valid
    assert codes(result.warnings) == [Code.SHIPPING_ADDRESS_REQUIRED]
    assert result.destination == SHIPPING.default_destination
    assert result.shipping_minor == 599 and result.tax_minor == 0


# --- errors and warnings ---------------------------------------------------------------------


def test_an_empty_cart_is_an_error_with_zero_totals() -> None:
    result = checkout([], [])
    assert not result.valid
    assert codes(result.errors) == [Code.CART_EMPTY]
    assert (result.subtotal_minor, result.tax_minor) == (0, 0)


def test_unavailable_products_are_errors_and_not_priced() -> None:
    lines = [CartLine("TOY-0001", 1), CartLine("GONE-001", 1), CartLine("TOY-0002", 1)]
    result = checkout(lines, [product(), product("TOY-0002", active=False)])
    assert codes(result.errors) == [Code.PRODUCT_UNAVAILABLE, Code.PRODUCT_UNAVAILABLE]
    assert [i.product_id for i in result.errors] == ["GONE-001", "TOY-0002"]
    assert [line.product_id for line in result.lines] == ["TOY-0001", "TOY-0002"]
    assert result.subtotal_minor == 1999 * 2


def test_stock_errors_and_low_stock_warning() -> None:
    lines = [CartLine("A-001", 2), CartLine("B-001", 5), CartLine("C-001", 3), CartLine("D-001", 1)]
    stock = {"A-001": Stock(0), "B-001": Stock(3), "C-001": Stock(3, low_stock=True)}  # D-001 unknown: none
    result = checkout(lines, [product(p) for p in ("A-001", "B-001", "C-001", "D-001")], stock=stock)
    assert [(i.code, i.product_id) for i in result.errors] == [
        (Code.OUT_OF_STOCK, "A-001"),
        (Code.INSUFFICIENT_STOCK, "B-001"),
        (Code.OUT_OF_STOCK, "D-001"),
    ]
    assert "Only 3" in result.errors[1].message
    assert [(i.code, i.product_id) for i in result.warnings] == [(Code.LOW_STOCK, "C-001")]


def test_stock_is_not_judged_when_not_checked() -> None:
    assert checkout(stock=None).valid


def test_a_changed_price_warns_and_the_current_price_applies() -> None:
    result = checkout([CartLine("TOY-0001", 1, added_price_minor=1799)])
    assert codes(result.warnings) == [Code.PRICE_CHANGED]
    assert "17.99 USD to 19.99 USD" in result.warnings[0].message
    assert result.subtotal_minor == 1999
    assert checkout([CartLine("TOY-0001", 1, added_price_minor=None)]).warnings == ()


def test_quantity_and_line_limits() -> None:
    assert codes(checkout([CartLine("TOY-0001", 100)]).errors) == [Code.QUANTITY_LIMIT_EXCEEDED]
    many = [CartLine(f"P-{i:04d}", 1) for i in range(101)]
    result = checkout(many, [product(f"P-{i:04d}", 100) for i in range(101)])
    assert Code.QUANTITY_LIMIT_EXCEEDED in codes(result.errors)


def test_lines_in_another_currency_are_an_error() -> None:
    result = checkout(products=[product(currency="EUR")])
    assert codes(result.errors) == [Code.CURRENCY_MISMATCH]


def test_address_problems() -> None:
    invalid = checkout(address=AddressCheck.invalid("Address 'adr_x' is not one of your saved addresses."))
    assert codes(invalid.errors) == [Code.SHIPPING_ADDRESS_INVALID]
    assert invalid.errors[0].field == "shipping_address_id"
    missing_strict = checkout(destination=None, strict=True)
    assert codes(missing_strict.errors) == [Code.SHIPPING_ADDRESS_REQUIRED]


def test_destinations_without_shipping_or_tax_rates_are_unsupported() -> None:
    brazil = checkout(destination=Destination("BR", "SP", "01000-000"))
    assert codes(brazil.errors) == [Code.SHIPPING_DESTINATION_UNSUPPORTED]
    assert brazil.options == () and brazil.shipping_minor == 0
    # Europe is not priced in Canadian dollars.
    euro = checkout(products=[product(currency="CAD")], destination=LONDON, currency="CAD")
    assert codes(euro.errors) == [Code.SHIPPING_DESTINATION_UNSUPPORTED]


def test_payment_method_problems() -> None:
    assert codes(checkout(payment=PaymentCheck.none_given()).warnings) == [Code.PAYMENT_METHOD_REQUIRED]
    assert codes(checkout(payment=PaymentCheck.none_given(), strict=True).errors) == [Code.PAYMENT_METHOD_REQUIRED]
    invalid = checkout(payment=PaymentCheck.invalid("expired"))
    assert codes(invalid.errors) == [Code.PAYMENT_METHOD_INVALID]
    assert invalid.errors[0].field == "payment_method_id"
    assert checkout(payment=PaymentCheck.usable()).valid


def test_shipping_option_must_be_known_and_offered() -> None:
    unknown = checkout(option="overnight")
    assert codes(unknown.errors) == [Code.SHIPPING_OPTION_INVALID]
    assert unknown.selected is not None and unknown.selected.option_id == rules.STANDARD  # estimate still given
    assert checkout(option=rules.EXPRESS).selected.option_id == rules.EXPRESS  # type: ignore[union-attr]


def test_orders_above_the_limit_are_refused() -> None:
    result = checkout([CartLine("TOY-0001", 99)], [product(price=60_000)])
    assert codes(result.errors) == [Code.ORDER_TOTAL_LIMIT_EXCEEDED]
    assert rules.order_total_limit_minor("JPY") == 50_000


def test_every_issue_code_is_a_contract_code() -> None:
    from holidaypeak.commerce.v1 import checkout_pb2

    names = set(checkout_pb2.CheckoutIssueCode.keys()) - {"CHECKOUT_ISSUE_CODE_UNSPECIFIED"}
    assert {f"CHECKOUT_ISSUE_CODE_{code.value}" for code in Code} == names


def test_card_expiry_runs_through_the_end_of_the_month() -> None:
    assert not rules.card_expired(11, 2026, FRIDAY)
    assert rules.card_expired(10, 2026, FRIDAY)
    assert rules.card_expired(12, 2025, FRIDAY)
    assert not rules.card_expired(1, 2027, FRIDAY)


# --- refusals --------------------------------------------------------------------------------


def test_refusal_uses_the_first_reason_and_names_the_short_skus() -> None:
    result = checkout(
        [CartLine("A-001", 2), CartLine("B-001", 5)],
        [product("A-001"), product("B-001")],
        stock={"A-001": Stock(0), "B-001": Stock(1)},
    )
    refusal = rules.refusal(result.errors)
    assert isinstance(refusal, FailedPrecondition)
    assert refusal.reason == ErrorReason.ERROR_REASON_OUT_OF_STOCK
    assert refusal.metadata["skus"] == "A-001,B-001"
    assert refusal.subject == "products/A-001"
    # Every code that can be an error refuses with its own name, but two share another's reason.
    shared = {Code.PRODUCT_UNAVAILABLE: "PRODUCT_INACTIVE", Code.INSUFFICIENT_STOCK: "OUT_OF_STOCK"}
    for code in set(Code) - {Code.LOW_STOCK, Code.PRICE_CHANGED}:
        assert reason_text(rules.refusal_reason(code)) == shared.get(code, code.value)
    with pytest.raises(ValueError):
        rules.refusal([])
