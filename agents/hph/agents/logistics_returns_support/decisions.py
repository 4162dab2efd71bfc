"""The decision core, free of I/O: per order line, can it be returned, and what would come back.

Checks per line, first failing wins: delivered (the order is delivered or partially_returned and
has a delivery date) -> units left (ordered minus units in returns that were not rejected) ->
window (hph.commerce.returns_policy, the service's own rule) -> final sale -> category excluded ->
condition accepted by the category. A seller's-fault reason (damaged, defective, wrong item, not as
described) overrides final sale and category exclusions when the policy says so, accepts any
condition, and waives restocking and return shipping fees.

Money, all in minor units: a line's item refund is unit price x units; its restocking fee is
fee_bps of that, rounded DOWN (never charge a fraction of a cent more than the rate); tax is the
eligible items' share of the order's tax, rounded down, exactly as the returns service computes its
refundable amount; original shipping is never refunded (the service cannot); a return shipping fee
per return when any line is eligible. total = items + tax - fees - return shipping, never below 0,
and never above what the service refunds for those units (items + tax share).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hph.agents.logistics_returns_support.policy import BASIS_POINTS, Condition, ReturnPolicy
from hph.agents.runtime import Driver
from hph.commerce import returns_policy
from hph.runtime.money import to_major

METHOD = "returns-eligibility-v1"


class Ineligible(StrEnum):
    NOT_DELIVERED = "not_delivered"
    WINDOW_CLOSED = "window_closed"
    FINAL_SALE = "final_sale"
    CATEGORY_EXCLUDED = "category_excluded"
    CONDITION = "condition"
    ALREADY_RETURNED = "already_returned"


@dataclass(frozen=True)
class OrderLine:
    product_id: str
    ordered: int
    unit_price_minor: int
    category_id: str = ""
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Order:
    order_id: str
    status: str  # the order service's status name, e.g. "delivered"
    delivered_at: datetime | None
    currency_code: str
    subtotal_minor: int
    shipping_minor: int
    tax_minor: int
    lines: Sequence[OrderLine]


@dataclass(frozen=True)
class LineVerdict:
    product_id: str
    quantity: int
    returnable: int
    reason: Ineligible | None
    message: str
    item_refund_minor: int
    restocking_fee_minor: int
    fee_bps: int

    @property
    def eligible(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class Estimate:
    items_minor: int
    tax_minor: int
    shipping_minor: int
    restocking_fees_minor: int
    return_shipping_fee_minor: int
    total_minor: int
    service_refundable_minor: int


@dataclass(frozen=True)
class Verdict:
    order: Order
    lines: list[LineVerdict]
    window_closes_at: datetime | None
    estimate: Estimate
    next_steps: list[tuple[str, str]]  # (code, description), first first
    drivers: list[Driver]
    summary: str

    @property
    def eligible(self) -> bool:
        return any(line.eligible for line in self.lines)


def restocking_fee(item_minor: int, fee_bps: int) -> int:
    """fee_bps of item_minor, rounded down to the minor unit."""
    return item_minor * fee_bps // BASIS_POINTS


def _money(minor: int, currency: str) -> str:
    return f"{to_major(minor, currency):.2f} {currency}"


def _line(
    line: OrderLine,
    quantity: int,
    claimed: int,
    order: Order,
    now: datetime,
    window_days: int,
    reason: str,
    condition: Condition,
    policy: ReturnPolicy,
) -> LineVerdict:
    returnable = max(line.ordered - claimed, 0)
    rule = policy.rule(line.category_id)
    fault = policy.is_fault(reason)
    overrides = fault and policy.fault_overrides_exclusions
    why: tuple[Ineligible, str] | None = None
    if order.status not in returns_policy.RETURNABLE_ORDER_STATUSES or order.delivered_at is None:
        why = (Ineligible.NOT_DELIVERED, f"Order {order.order_id} is {order.status}, not delivered yet.")
    elif quantity > returnable:
        why = (
            Ineligible.ALREADY_RETURNED,
            f"Only {returnable} of the {line.ordered} units can still be returned; the rest are in other returns.",
        )
    elif not returns_policy.within_window(order.delivered_at, now, window_days):
        closed = returns_policy.window_closes_at(order.delivered_at, window_days)
        why = (Ineligible.WINDOW_CLOSED, f"The {window_days}-day return window closed on {closed:%b %d, %Y}.")
    elif policy.is_final_sale(line.product_id, line.tags) and not overrides:
        why = (Ineligible.FINAL_SALE, "This item was sold as final sale.")
    elif rule.excluded and not overrides:
        why = (Ineligible.CATEGORY_EXCLUDED, f"Items of category {line.category_id} cannot be returned: {rule.why}.")
    elif condition not in rule.accepted_conditions and not fault:
        accepted = ", ".join(sorted(c.value for c in rule.accepted_conditions))
        why = (Ineligible.CONDITION, f"A {condition.value} item cannot be returned; accepted: {accepted}.")
    item_minor = line.unit_price_minor * quantity
    if why is not None:
        return LineVerdict(line.product_id, quantity, returnable, why[0], why[1], 0, 0, 0)
    fee_bps = 0 if fault else rule.fee_bps(condition)
    fee = restocking_fee(item_minor, fee_bps)
    message = f"{quantity} unit(s) can be returned for {_money(item_minor - fee, order.currency_code)}"
    message += f" after a {fee_bps / 100:g}% restocking fee." if fee else "."
    return LineVerdict(line.product_id, quantity, returnable, None, message, item_minor, fee, fee_bps)


def decide(
    order: Order,
    wanted: Mapping[str, int] | None,
    claimed: Mapping[str, int],
    *,
    now: datetime,
    window_days: int,
    reason: str,
    condition: Condition,
    policy: ReturnPolicy,
) -> Verdict:
    """`wanted`: product -> units (checked against the order by the caller); None means every unit
    still returnable of every line (a line with none left is asked for whole, and says so)."""
    lines: list[LineVerdict] = []
    for line in order.lines:
        if wanted is None:
            left = line.ordered - claimed.get(line.product_id, 0)
            quantity = left if left > 0 else line.ordered
        elif line.product_id in wanted:
            quantity = wanted[line.product_id]
        else:
            continue
        lines.append(
            _line(line, quantity, claimed.get(line.product_id, 0), order, now, window_days, reason, condition, policy)
        )
    eligible = [line for line in lines if line.eligible]
    items = sum(line.item_refund_minor for line in eligible)
    tax = returns_policy.tax_share(items, order.subtotal_minor, order.tax_minor)
    fees = sum(line.restocking_fee_minor for line in eligible)
    return_shipping = policy.return_shipping_fee(order.currency_code, reason) if eligible else 0
    service_max = returns_policy.refundable_minor(items, order.subtotal_minor, order.tax_minor)
    total = min(max(items + tax - fees - return_shipping, 0), service_max)
    estimate = Estimate(items, tax, 0, fees, return_shipping, total, service_max)
    closes = (
        returns_policy.window_closes_at(order.delivered_at, window_days) if order.delivered_at is not None else None
    )
    verdict_lines = lines
    return Verdict(
        order=order,
        lines=verdict_lines,
        window_closes_at=closes,
        estimate=estimate,
        next_steps=_next_steps(verdict_lines, condition, return_shipping, closes, reason, policy),
        drivers=_drivers(order, verdict_lines, estimate, now, window_days, closes, policy),
        summary=_summary(order, verdict_lines, estimate),
    )


def _next_steps(
    lines: Sequence[LineVerdict],
    condition: Condition,
    return_shipping: int,
    closes: datetime | None,
    reason: str,
    policy: ReturnPolicy,
) -> list[tuple[str, str]]:
    steps: list[tuple[str, str]] = []
    if any(line.eligible for line in lines):
        when = f" by {closes:%b %d, %Y}" if closes is not None else ""
        steps.append(("request_return", f"Confirm the return{when} (POST /api/returns with these items)."))
        if condition == Condition.UNOPENED:
            steps.append(("pack_unopened", "Keep the items sealed in their original packaging."))
        else:
            steps.append(("pack_complete", "Pack the items with all their parts and accessories."))
        label = "a prepaid label" if return_shipping == 0 else "the return label (its fee is deducted)"
        steps.append(("print_label", f"Print {label} once staff approve the return."))
        if any(line.restocking_fee_minor for line in lines) and condition != Condition.UNOPENED:
            steps.append(("avoid_fee", "Unopened items are returned without a restocking fee."))
    elif any(line.reason == Ineligible.NOT_DELIVERED for line in lines):
        steps.append(("track_order", "Wait for the delivery; the return window starts when it arrives."))
    else:
        steps.append(("contact_support", "Open a support ticket if an item arrived damaged or wrong."))
    if not policy.is_fault(reason) and any(line.reason == Ineligible.CONDITION for line in lines):
        steps.append(("report_fault", "If the item is defective or damaged, choose that reason instead."))
    return steps


def _drivers(
    order: Order,
    lines: Sequence[LineVerdict],
    estimate: Estimate,
    now: datetime,
    window_days: int,
    closes: datetime | None,
    policy: ReturnPolicy,
) -> list[Driver]:
    currency = order.currency_code
    drivers: list[Driver] = []
    if closes is not None and order.delivered_at is not None:
        days_left = (closes - now).total_seconds() / 86_400
        drivers.append(
            Driver(
                "window_days_left",
                round(days_left, 2),
                f"delivered {order.delivered_at:%Y-%m-%d}, {window_days}-day window closes {closes:%Y-%m-%d}",
                threshold=0,
                unit="days",
            )
        )
    for line in lines:
        if line.restocking_fee_minor:
            drivers.append(
                Driver(
                    f"restocking_fee:{line.product_id}",
                    to_major(line.restocking_fee_minor, currency),
                    f"{line.fee_bps / 100:g}% of {_money(line.item_refund_minor, currency)}, rounded down",
                    weight=line.fee_bps / BASIS_POINTS,
                    contribution=-to_major(line.restocking_fee_minor, currency),
                    unit=currency,
                )
            )
    drivers.append(
        Driver(
            "tax_share",
            to_major(estimate.tax_minor, currency),
            f"{_money(estimate.items_minor, currency)} of a {_money(order.subtotal_minor, currency)} subtotal "
            f"carries that share of {_money(order.tax_minor, currency)} tax, rounded down",
            contribution=to_major(estimate.tax_minor, currency),
            unit=currency,
        )
    )
    drivers.append(
        Driver(
            "original_shipping",
            0,
            f"original shipping ({_money(order.shipping_minor, currency)}) is not refunded",
            unit=currency,
        )
    )
    if estimate.return_shipping_fee_minor:
        drivers.append(
            Driver(
                "return_shipping_fee",
                to_major(estimate.return_shipping_fee_minor, currency),
                f"return label charged for a customer reason ({policy.version})",
                contribution=-to_major(estimate.return_shipping_fee_minor, currency),
                unit=currency,
            )
        )
    return drivers


def _summary(order: Order, lines: Sequence[LineVerdict], estimate: Estimate) -> str:
    eligible = sum(1 for line in lines if line.eligible)
    if not eligible:
        reasons = sorted({line.reason.value for line in lines if line.reason is not None})
        return f"nothing of order {order.order_id} can be returned ({', '.join(reasons) or 'no lines'})"
    currency = order.currency_code
    return (
        f"{eligible} of {len(lines)} line(s) returnable: refund {_money(estimate.total_minor, currency)} = "
        f"{_money(estimate.items_minor, currency)} items + {_money(estimate.tax_minor, currency)} tax - "
        f"{_money(estimate.restocking_fees_minor, currency)} restocking - "
        f"{_money(estimate.return_shipping_fee_minor, currency)} return shipping"
    )
