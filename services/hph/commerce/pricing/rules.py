"""Checkout rules, free of I/O: what blocks a cart from becoming an order, what the shopper should be
warned about, which shipping options are offered, and the totals, all in integer minor units.

This is the one home of the order math: QuoteCheckout, ValidateCheckout and CreateOrder all call
`assess`, so a validated estimate is exactly what the order charges. Money is rounded once: each line
is unit price x quantity (exact), shipping comes from the table, and tax is the taxable amount times
the destination's rate, rounded half-even to a minor unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce.pricing.tables import Destination, ShippingTable, ShippingZone, TaxTable
from hph.runtime import money
from hph.runtime.errors import FailedPrecondition

STANDARD, EXPRESS = "standard", "express"
MAX_LINE_QUANTITY = 99
MAX_LINES = 100
# Largest order the platform accepts, in major units of any currency (a fraud and fat-finger guard).
MAX_ORDER_TOTAL_MAJOR = 50_000
SATURDAY = 5


class Code(StrEnum):
    """Checkout issue kinds; the values are the suffixes of the contract's CheckoutIssueCode names."""

    CART_EMPTY = "CART_EMPTY"
    PRODUCT_UNAVAILABLE = "PRODUCT_UNAVAILABLE"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    LOW_STOCK = "LOW_STOCK"
    PRICE_CHANGED = "PRICE_CHANGED"
    QUANTITY_LIMIT_EXCEEDED = "QUANTITY_LIMIT_EXCEEDED"
    SHIPPING_ADDRESS_REQUIRED = "SHIPPING_ADDRESS_REQUIRED"
    SHIPPING_ADDRESS_INVALID = "SHIPPING_ADDRESS_INVALID"
    SHIPPING_DESTINATION_UNSUPPORTED = "SHIPPING_DESTINATION_UNSUPPORTED"
    PAYMENT_METHOD_REQUIRED = "PAYMENT_METHOD_REQUIRED"
    PAYMENT_METHOD_INVALID = "PAYMENT_METHOD_INVALID"
    SHIPPING_OPTION_INVALID = "SHIPPING_OPTION_INVALID"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    ORDER_TOTAL_LIMIT_EXCEEDED = "ORDER_TOTAL_LIMIT_EXCEEDED"


# FAILED_PRECONDITION reasons when an issue refuses a quote or an order; stock problems share
# OUT_OF_STOCK so a buyer who lost the race hears the same reason whichever check caught it.
# (LOW_STOCK and PRICE_CHANGED are only ever warnings.)
_REFUSAL_REASONS: Mapping[Code, ErrorReason] = {
    Code.CART_EMPTY: ErrorReason.ERROR_REASON_CART_EMPTY,
    Code.PRODUCT_UNAVAILABLE: ErrorReason.ERROR_REASON_PRODUCT_INACTIVE,
    Code.OUT_OF_STOCK: ErrorReason.ERROR_REASON_OUT_OF_STOCK,
    Code.INSUFFICIENT_STOCK: ErrorReason.ERROR_REASON_OUT_OF_STOCK,
    Code.QUANTITY_LIMIT_EXCEEDED: ErrorReason.ERROR_REASON_QUANTITY_LIMIT_EXCEEDED,
    Code.SHIPPING_ADDRESS_REQUIRED: ErrorReason.ERROR_REASON_SHIPPING_ADDRESS_REQUIRED,
    Code.SHIPPING_ADDRESS_INVALID: ErrorReason.ERROR_REASON_SHIPPING_ADDRESS_INVALID,
    Code.SHIPPING_DESTINATION_UNSUPPORTED: ErrorReason.ERROR_REASON_SHIPPING_DESTINATION_UNSUPPORTED,
    Code.PAYMENT_METHOD_REQUIRED: ErrorReason.ERROR_REASON_PAYMENT_METHOD_REQUIRED,
    Code.PAYMENT_METHOD_INVALID: ErrorReason.ERROR_REASON_PAYMENT_METHOD_INVALID,
    Code.SHIPPING_OPTION_INVALID: ErrorReason.ERROR_REASON_SHIPPING_OPTION_INVALID,
    Code.CURRENCY_MISMATCH: ErrorReason.ERROR_REASON_CURRENCY_MISMATCH,
    Code.ORDER_TOTAL_LIMIT_EXCEEDED: ErrorReason.ERROR_REASON_ORDER_TOTAL_LIMIT_EXCEEDED,
}
_STOCK_CODES = frozenset({Code.OUT_OF_STOCK, Code.INSUFFICIENT_STOCK})


@dataclass(frozen=True)
class Issue:
    """An error (blocks the order) or a warning (shown only)."""

    code: Code
    message: str
    product_id: str = ""
    field: str = ""


# --- inputs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CartLine:
    product_id: str
    quantity: int
    # Unit price when the line was added, in the cart currency; None when unknown.
    added_price_minor: int | None = None


@dataclass(frozen=True)
class Product:
    """What the catalog says now; a product missing from the input does not exist."""

    product_id: str
    name: str
    price_minor: int
    currency_code: str
    active: bool
    image_url: str = ""
    category_id: str = ""


@dataclass(frozen=True)
class Stock:
    quantity_available: int
    low_stock: bool = False


@dataclass(frozen=True)
class AddressCheck:
    """The outcome of looking up the shipping address: found, missing (no id, no default) or invalid."""

    destination: Destination | None = None
    missing: bool = False
    invalid_reason: str = ""

    @classmethod
    def found(cls, destination: Destination) -> AddressCheck:
        return cls(destination=destination)

    @classmethod
    def none_given(cls) -> AddressCheck:
        return cls(missing=True)

    @classmethod
    def invalid(cls, reason: str) -> AddressCheck:
        return cls(invalid_reason=reason)


@dataclass(frozen=True)
class PaymentCheck:
    """The outcome of looking up the payment method: usable, missing or invalid (with why)."""

    missing: bool = False
    invalid_reason: str = ""

    @classmethod
    def usable(cls) -> PaymentCheck:
        return cls()

    @classmethod
    def none_given(cls) -> PaymentCheck:
        return cls(missing=True)

    @classmethod
    def invalid(cls, reason: str) -> PaymentCheck:
        return cls(invalid_reason=reason)


@dataclass(frozen=True)
class CheckoutInput:
    lines: Sequence[CartLine]
    currency_code: str
    products: Mapping[str, Product]
    address: AddressCheck
    now: datetime
    # None: stock is not checked here (CreateOrder lets the reservation be the judge).
    stock: Mapping[str, Stock] | None = None
    # None: the payment method is not part of this check (quotes; orders paid through an intent).
    payment: PaymentCheck | None = None
    # "" means standard.
    shipping_option: str = ""
    # Quotes and orders need an address (and a payment method when checked); validation only warns.
    strict: bool = False


# --- outputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PricedLine:
    product_id: str
    name: str
    quantity: int
    unit_price_minor: int
    line_total_minor: int
    image_url: str
    category_id: str


@dataclass(frozen=True)
class OfferedOption:
    option_id: str
    name: str
    amount_minor: int
    min_days: int
    max_days: int
    earliest_delivery_at: datetime
    latest_delivery_at: datetime
    # The rate's name without its days (e.g. "Standard"), to rename the option when its window moves.
    label: str = ""


@dataclass(frozen=True)
class Assessment:
    currency_code: str
    lines: tuple[PricedLine, ...] = ()
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    subtotal_minor: int = 0
    shipping_minor: int = 0
    tax_minor: int = 0
    options: tuple[OfferedOption, ...] = ()
    selected: OfferedOption | None = None
    # The destination the estimate used (the address, or the table's default before one is chosen).
    destination: Destination | None = field(default=None)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def total_minor(self) -> int:
        return self.subtotal_minor + self.shipping_minor + self.tax_minor


# --- the assessment --------------------------------------------------------------------------


def assess(checkout: CheckoutInput, shipping: ShippingTable, taxes: TaxTable) -> Assessment:
    """Prices the cart and lists every error and warning at once."""
    errors: list[Issue] = []
    warnings: list[Issue] = []
    currency = checkout.currency_code
    if not checkout.lines:
        errors.append(Issue(Code.CART_EMPTY, "Your cart is empty."))
    if len(checkout.lines) > MAX_LINES:
        errors.append(Issue(Code.QUANTITY_LIMIT_EXCEEDED, f"A cart holds at most {MAX_LINES} different products."))

    lines: list[PricedLine] = []
    for line in checkout.lines:
        product = checkout.products.get(line.product_id)
        line_errors, line_warnings = _line_issues(line, product, currency, checkout.stock)
        errors += line_errors
        warnings += line_warnings
        if product is not None and product.currency_code == currency:
            lines.append(_priced(line, product))
    subtotal = sum(line.line_total_minor for line in lines)

    destination = _destination_issues(checkout, errors, warnings)
    payment_issue = _payment_issue(checkout)
    estimate_at = destination or shipping.default_destination
    zone = shipping.zone_for(estimate_at.country_code)
    tax_rule = taxes.rule_for(estimate_at)
    supported = zone is not None and zone.ships_in(currency) and tax_rule is not None
    if destination is not None and not supported:
        errors.append(
            Issue(
                Code.SHIPPING_DESTINATION_UNSUPPORTED,
                f"We do not ship to {destination.country_code} for carts priced in {currency}.",
                field="shipping_address_id",
            )
        )
    if payment_issue is not None:
        (errors if _is_error(payment_issue, checkout.strict) else warnings).append(payment_issue)

    options = shipping_options(zone, currency, subtotal, checkout.now) if supported and zone else ()
    selected, option_issue = _select_option(checkout.shipping_option, options, shipping)
    if option_issue is not None:
        errors.append(option_issue)
    shipping_minor = selected.amount_minor if selected else 0
    tax = tax_minor(tax_rule.rate, tax_rule.shipping_taxable, subtotal, shipping_minor) if supported and tax_rule else 0
    total = subtotal + shipping_minor + tax
    if currency and total > order_total_limit_minor(currency):
        errors.append(
            Issue(
                Code.ORDER_TOTAL_LIMIT_EXCEEDED,
                f"Orders are limited to {format_money(order_total_limit_minor(currency), currency)}.",
            )
        )
    return Assessment(
        currency_code=currency,
        lines=tuple(lines),
        errors=tuple(errors),
        warnings=tuple(warnings),
        subtotal_minor=subtotal,
        shipping_minor=shipping_minor,
        tax_minor=tax,
        options=options,
        selected=selected,
        destination=estimate_at if supported else destination,
    )


def _line_issues(
    line: CartLine, product: Product | None, currency: str, stock: Mapping[str, Stock] | None
) -> tuple[list[Issue], list[Issue]]:
    errors: list[Issue] = []
    warnings: list[Issue] = []
    pid = line.product_id
    if line.quantity > MAX_LINE_QUANTITY or line.quantity < 1:
        errors.append(
            Issue(Code.QUANTITY_LIMIT_EXCEEDED, f"A line holds 1 to {MAX_LINE_QUANTITY} units.", product_id=pid)
        )
    if product is None or not product.active:
        name = product.name if product else pid
        errors.append(Issue(Code.PRODUCT_UNAVAILABLE, f"{name} is no longer sold.", product_id=pid))
        return errors, warnings
    if product.currency_code != currency:
        errors.append(
            Issue(
                Code.CURRENCY_MISMATCH,
                f"{product.name} is priced in {product.currency_code}, the cart in {currency}.",
                product_id=pid,
            )
        )
        return errors, warnings
    if line.added_price_minor is not None and line.added_price_minor != product.price_minor:
        was, now = format_money(line.added_price_minor, currency), format_money(product.price_minor, currency)
        warnings.append(
            Issue(Code.PRICE_CHANGED, f"The price of {product.name} changed from {was} to {now}.", product_id=pid)
        )
    if stock is not None:
        level = stock.get(pid, Stock(quantity_available=0))
        if level.quantity_available <= 0:
            errors.append(Issue(Code.OUT_OF_STOCK, f"{product.name} is out of stock.", product_id=pid))
        elif level.quantity_available < line.quantity:
            errors.append(
                Issue(
                    Code.INSUFFICIENT_STOCK,
                    f"Only {level.quantity_available} of {product.name} left; you asked for {line.quantity}.",
                    product_id=pid,
                )
            )
        elif level.low_stock:
            warnings.append(Issue(Code.LOW_STOCK, f"Only a few of {product.name} are left.", product_id=pid))
    return errors, warnings


def _priced(line: CartLine, product: Product) -> PricedLine:
    return PricedLine(
        product_id=product.product_id,
        name=product.name,
        quantity=line.quantity,
        unit_price_minor=product.price_minor,
        line_total_minor=product.price_minor * line.quantity,
        image_url=product.image_url,
        category_id=product.category_id,
    )


def _destination_issues(checkout: CheckoutInput, errors: list[Issue], warnings: list[Issue]) -> Destination | None:
    address = checkout.address
    if address.invalid_reason:
        errors.append(Issue(Code.SHIPPING_ADDRESS_INVALID, address.invalid_reason, field="shipping_address_id"))
    elif address.missing:
        issue = Issue(
            Code.SHIPPING_ADDRESS_REQUIRED,
            "Choose a shipping address: none was given and you have no default address.",
            field="shipping_address_id",
        )
        (errors if checkout.strict else warnings).append(issue)
    return address.destination


def _payment_issue(checkout: CheckoutInput) -> Issue | None:
    payment = checkout.payment
    if payment is None:
        return None
    if payment.invalid_reason:
        return Issue(Code.PAYMENT_METHOD_INVALID, payment.invalid_reason, field="payment_method_id")
    if payment.missing:
        return Issue(
            Code.PAYMENT_METHOD_REQUIRED,
            "Choose a payment method: none was given and you have no default payment method.",
            field="payment_method_id",
        )
    return None


def _is_error(issue: Issue, strict: bool) -> bool:
    return issue.code != Code.PAYMENT_METHOD_REQUIRED or strict


def _select_option(
    requested: str, options: tuple[OfferedOption, ...], shipping: ShippingTable
) -> tuple[OfferedOption | None, Issue | None]:
    wanted = requested or STANDARD
    by_id = {option.option_id: option for option in options}
    fallback = by_id.get(STANDARD) or (options[0] if options else None)
    if wanted not in shipping.option_ids:
        known = ", ".join(sorted(shipping.option_ids))
        return fallback, Issue(
            Code.SHIPPING_OPTION_INVALID,
            f"Unknown shipping option {wanted!r}; choose {known}.",
            field="shipping_option",
        )
    if options and wanted not in by_id:
        return fallback, Issue(
            Code.SHIPPING_OPTION_INVALID,
            f"Shipping option {wanted!r} is not offered for this destination.",
            field="shipping_option",
        )
    return by_id.get(wanted, fallback), None


# --- shipping, tax and money -----------------------------------------------------------------


def shipping_options(
    zone: ShippingZone, currency: str, subtotal_minor: int, now: datetime
) -> tuple[OfferedOption, ...]:
    """The zone's options priced for the cart, cheapest first (then fastest)."""
    threshold = zone.free_standard_threshold_minor.get(currency)
    offered = []
    for rate in zone.options:
        amount = rate.amount_minor[currency]
        if rate.option_id == STANDARD and threshold is not None and subtotal_minor >= threshold:
            amount = 0
        offered.append(
            OfferedOption(
                option_id=rate.option_id,
                name=option_name(rate.name, rate.min_days, rate.max_days),
                amount_minor=amount,
                min_days=rate.min_days,
                max_days=rate.max_days,
                earliest_delivery_at=add_business_days(now, rate.min_days),
                latest_delivery_at=add_business_days(now, rate.max_days),
                label=rate.name,
            )
        )
    return tuple(sorted(offered, key=lambda o: (o.amount_minor, o.min_days, o.option_id)))


def option_name(label: str, low: int, high: int) -> str:
    """E.g. "Standard (3-5 business days)"."""
    return f"{label} ({_days(low, high)})"


def _days(low: int, high: int) -> str:
    span = str(low) if low == high else f"{low}-{high}"
    return f"{span} business day{'s' if high > 1 else ''}"


def tax_minor(rate: Decimal, shipping_taxable: bool, subtotal_minor: int, shipping_minor: int) -> int:
    """Tax on the goods (and shipping where it is taxable), rounded once, half-even."""
    taxable = subtotal_minor + (shipping_minor if shipping_taxable else 0)
    return money.round_half_even(Decimal(taxable) * rate)


def add_business_days(moment: datetime, days: int) -> datetime:
    """`moment` moved forward by `days` weekdays (Saturdays and Sundays are skipped)."""
    result = moment
    remaining = days
    while remaining > 0:
        result += timedelta(days=1)
        if result.weekday() < SATURDAY:
            remaining -= 1
    return result


def order_total_limit_minor(currency: str) -> int:
    return int(MAX_ORDER_TOTAL_MAJOR * 10 ** money.exponent(currency))


def format_money(minor: int, currency: str) -> str:
    digits = money.exponent(currency)
    return f"{Decimal(minor).scaleb(-digits):.{digits}f} {currency}"


def card_expired(exp_month: int, exp_year: int, now: datetime) -> bool:
    """A card is valid through the last day of its expiry month."""
    return (exp_year, exp_month) < (now.year, now.month)


# --- refusals --------------------------------------------------------------------------------


def refusal_reason(code: Code) -> ErrorReason:
    """The FAILED_PRECONDITION reason an issue becomes when it refuses a quote or an order."""
    return _REFUSAL_REASONS[code]


def refusal(errors: Sequence[Issue]) -> FailedPrecondition:
    """One FAILED_PRECONDITION for all of a cart's errors: the first one's reason, every message,
    and in metadata the codes and (for stock problems) the short SKUs."""
    if not errors:
        raise ValueError("refusal needs at least one error")
    first = errors[0]
    metadata = {"issues": ",".join(issue.code.value for issue in errors)}
    short = [issue.product_id for issue in errors if issue.code in _STOCK_CODES]
    if short:
        metadata["skus"] = ",".join(short)
    subject = f"products/{first.product_id}" if first.product_id else first.field or "cart"
    return FailedPrecondition(
        " ".join(issue.message for issue in errors),
        reason=refusal_reason(first.code),
        subject=subject,
        metadata=metadata,
    )
