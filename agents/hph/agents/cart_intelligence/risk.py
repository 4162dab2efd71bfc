"""The abandonment-risk decision core, free of I/O: a cart's lines, their live stock and prices, the
shopper's history and the cart's shipping estimate in; the risk, its drivers and the actions out.

The risk is a clamped weighted sum (not a logistic): each factor is normalised to 0..1, multiplied
by its weight, and the contributions are added; the weights sum to 1, so the sum is already 0..1
and the clamp only guards rounding. A weighted sum keeps every contribution readable as "this many
points of the risk", which is what the explanation shows.

The factors, each rising with the risk:
- stock_risk (worst line): 1 out of stock, 0.9 fewer units than wanted, 0.8 down to 0 as the units
  left beyond the quantity grow from 0 to LOW_STOCK_SLACK; unknown stock counts 0 (and is said).
- price_increase: how much dearer the cart is now than when its lines were added, relative to the
  snapshot subtotal, full at PRICE_INCREASE_FULL. A price drop counts 0 (it is good news; it
  becomes a "price drop" action instead).
- cart_age: days since the oldest line was added, full at CART_AGE_FULL_DAYS.
- history: the shopper's abandoned share of finished checkouts, smoothed with one completed and one
  abandoned pseudo-checkout, so a new shopper counts 0.5 (see `ShopperHistory`).
- shipping_share: standard shipping's share of subtotal + shipping, full at SHIPPING_SHARE_FULL.
- out_of_stock_lines: share of the lines with no unit available.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from types import MappingProxyType

from hph.agents.runtime import Driver
from hph.commerce.pricing.rules import format_money

METHOD = "cart-risk-v1"

STOCK_RISK, PRICE_INCREASE, CART_AGE = "stock_risk", "price_increase", "cart_age"
HISTORY, SHIPPING_SHARE, OUT_OF_STOCK_LINES = "history", "shipping_share", "out_of_stock_lines"
# Weights of the factors; they sum to 1 (checked at import), so the weighted sum is 0..1.
WEIGHTS = MappingProxyType(
    {
        STOCK_RISK: 0.25,
        PRICE_INCREASE: 0.20,
        CART_AGE: 0.15,
        HISTORY: 0.15,
        SHIPPING_SHARE: 0.15,
        OUT_OF_STOCK_LINES: 0.10,
    }
)
assert abs(sum(WEIGHTS.values()) - 1.0) < 1e-9, "the factor weights must sum to 1"

# Units left beyond the line's quantity at and above which stock is no risk.
LOW_STOCK_SLACK = 10
OUT_OF_STOCK_RISK, SHORT_RISK, LOW_STOCK_RISK = 1.0, 0.9, 0.8
PRICE_INCREASE_FULL = 0.20  # a cart 20% dearer than when filled counts in full
CART_AGE_FULL_DAYS = 14.0
SHIPPING_SHARE_FULL = 0.25  # shipping a quarter of what the shopper pays counts in full
REMIND_AFTER_DAYS = 3.0
# Bands of the risk (RiskLevel): medium at or above MEDIUM_AT, high at or above HIGH_AT.
MEDIUM_AT, HIGH_AT = 0.35, 0.60
SECONDS_PER_DAY = 86_400.0


class Level(Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class Line:
    """One cart line as the agent sees it; prices in minor units of the cart's currency."""

    product_id: str
    quantity: int
    price_when_added_minor: int
    current_price_minor: int
    added_at: datetime
    # Units that can be ordered now (inventory caps it at 99); None when stock could not be read.
    available: int | None


@dataclass(frozen=True)
class ShopperHistory:
    """The shopper's finished checkouts, from order events: completed = orders paid; abandoned =
    orders placed and then cancelled while still unpaid (the platform records no cart events, so a
    checkout left unpaid is the abandonment it can see; a cart never checked out shows only as its
    own age)."""

    completed: int = 0
    abandoned: int = 0

    @property
    def abandonment_rate(self) -> float:
        """Abandoned share with a (1 completed, 1 abandoned) prior: 0.5 for a shopper with none."""
        return (self.abandoned + 1) / (self.completed + self.abandoned + 2)


@dataclass(frozen=True)
class Shipping:
    """Standard shipping to the platform's default destination for this cart (None: not offered
    in the cart's currency) and the subtotal at which it is free (None: never free)."""

    standard_minor: int | None
    free_threshold_minor: int | None


@dataclass(frozen=True)
class LineRisk:
    line: Line
    stock_risk: float

    @property
    def out_of_stock(self) -> bool:
        return self.line.available is not None and self.line.available <= 0

    @property
    def short(self) -> bool:
        return self.line.available is not None and 0 < self.line.available < self.line.quantity


@dataclass(frozen=True)
class Action:
    code: str
    description: str
    target_id: str = ""


@dataclass(frozen=True)
class Assessment:
    risk: float
    level: Level
    lines: tuple[LineRisk, ...]
    drivers: tuple[Driver, ...]  # most influential first, then the band rule
    actions: tuple[Action, ...]  # first first
    cart_age_seconds: float
    summary: str


def stock_risk(quantity: int, available: int | None) -> float:
    """Risk that a line cannot be fulfilled: 1 out of stock, 0.9 short, 0.8 -> 0 as slack grows."""
    if available is None:
        return 0.0
    if available <= 0:
        return OUT_OF_STOCK_RISK
    if available < quantity:
        return SHORT_RISK
    slack = available - quantity
    return LOW_STOCK_RISK * max(0.0, 1.0 - slack / LOW_STOCK_SLACK)


def level_of(risk: float) -> Level:
    if risk >= HIGH_AT:
        return Level.HIGH
    if risk >= MEDIUM_AT:
        return Level.MEDIUM
    return Level.LOW


def assess(
    lines: Sequence[Line], currency: str, history: ShopperHistory, shipping: Shipping, now: datetime
) -> Assessment:
    """The cart's abandonment risk with one driver per factor; an empty cart scores 0, no drivers."""
    if not lines:
        return Assessment(0.0, Level.LOW, (), (), (), 0.0, "empty cart: risk 0")
    risks = tuple(LineRisk(line, stock_risk(line.quantity, line.available)) for line in lines)
    age_seconds = max(0.0, (now - min(line.added_at for line in lines)).total_seconds())
    factors = [
        _stock_factor(risks),
        _price_factor(lines, currency),
        _age_factor(age_seconds),
        _history_factor(history),
        _shipping_factor(lines, currency, shipping),
        _out_of_stock_factor(risks),
    ]
    weighted = [
        Driver(
            name,
            value,
            reason,
            weight=WEIGHTS[name],
            contribution=round(WEIGHTS[name] * normalised, 4),
            unit=unit,
        )
        for name, value, normalised, unit, reason in factors
    ]
    risk = min(1.0, max(0.0, round(sum(driver.contribution or 0.0 for driver in weighted), 4)))
    level = level_of(risk)
    ranked = sorted(weighted, key=lambda driver: -(driver.contribution or 0.0))
    band = Driver(
        "risk_band",
        risk,
        f"risk {risk:.2f}: {level.value} (medium at {MEDIUM_AT}, high at {HIGH_AT})",
        threshold=HIGH_AT if level is Level.HIGH else MEDIUM_AT,
    )
    top = ", ".join(f"{d.name} +{d.contribution:.2f}" for d in ranked[:3] if d.contribution)
    summary = f"abandonment risk {risk:.2f} ({level.value})" + (f": {top}" if top else "")
    return Assessment(
        risk=risk,
        level=level,
        lines=risks,
        drivers=(*ranked, band),
        actions=tuple(_actions(risks, currency, shipping, age_seconds)),
        cart_age_seconds=age_seconds,
        summary=summary,
    )


# One factor: (name, observed value, normalised 0..1, unit, reason naming the numbers).
Factor = tuple[str, float, float, str, str]


def _stock_factor(risks: Sequence[LineRisk]) -> Factor:
    worst = max(risks, key=lambda r: r.stock_risk)
    unknown = sum(1 for r in risks if r.line.available is None)
    note = f"; stock of {unknown} line(s) unknown, counted 0" if unknown else ""
    if worst.stock_risk == 0:
        reason = f"every line has {LOW_STOCK_SLACK}+ units beyond its quantity{note}"
    else:
        reason = (
            f"worst line {worst.line.product_id}: {worst.line.available} available for {worst.line.quantity} "
            f"wanted, stock risk {worst.stock_risk:.2f}{note}"
        )
    return STOCK_RISK, round(worst.stock_risk, 4), worst.stock_risk, "ratio", reason


def _price_factor(lines: Sequence[Line], currency: str) -> Factor:
    then = sum(line.price_when_added_minor * line.quantity for line in lines)
    now = sum(line.current_price_minor * line.quantity for line in lines)
    change = (now - then) / then if then > 0 else 0.0
    normalised = min(1.0, max(0.0, change / PRICE_INCREASE_FULL))
    reason = (
        f"cart {format_money(then, currency)} when filled, {format_money(now, currency)} now "
        f"({change:+.1%}; full at +{PRICE_INCREASE_FULL:.0%}, drops count 0)"
    )
    return PRICE_INCREASE, round(change, 4), normalised, "ratio", reason


def _age_factor(age_seconds: float) -> Factor:
    days = age_seconds / SECONDS_PER_DAY
    normalised = min(1.0, days / CART_AGE_FULL_DAYS)
    return (
        CART_AGE,
        round(days, 2),
        normalised,
        "days",
        f"oldest line added {days:.1f} days ago (full at {CART_AGE_FULL_DAYS:g})",
    )


def _history_factor(history: ShopperHistory) -> Factor:
    rate = history.abandonment_rate
    reason = (
        f"{history.abandoned} checkout(s) abandoned unpaid, {history.completed} paid; "
        f"smoothed abandoned share {rate:.2f}"
    )
    return HISTORY, round(rate, 4), rate, "ratio", reason


def _shipping_factor(lines: Sequence[Line], currency: str, shipping: Shipping) -> Factor:
    subtotal = sum(line.current_price_minor * line.quantity for line in lines)
    cost = charged_shipping(subtotal, shipping)
    if cost is None:
        return SHIPPING_SHARE, 0.0, 0.0, "ratio", f"no standard shipping estimate in {currency}; counted 0"
    share = cost / (subtotal + cost) if subtotal + cost > 0 else 0.0
    normalised = min(1.0, share / SHIPPING_SHARE_FULL)
    reason = (
        f"standard shipping {format_money(cost, currency)} on {format_money(subtotal, currency)}: "
        f"{share:.1%} of the total (full at {SHIPPING_SHARE_FULL:.0%})"
    )
    return SHIPPING_SHARE, round(share, 4), normalised, "ratio", reason


def _out_of_stock_factor(risks: Sequence[LineRisk]) -> Factor:
    out = sum(1 for r in risks if r.out_of_stock)
    share = out / len(risks)
    return OUT_OF_STOCK_LINES, round(share, 4), share, "ratio", f"{out} of {len(risks)} line(s) out of stock"


def charged_shipping(subtotal_minor: int, shipping: Shipping) -> int | None:
    """Standard shipping the cart would pay now (0 at or above the free threshold)."""
    if shipping.standard_minor is None:
        return None
    if shipping.free_threshold_minor is not None and subtotal_minor >= shipping.free_threshold_minor:
        return 0
    return shipping.standard_minor


def _actions(risks: Sequence[LineRisk], currency: str, shipping: Shipping, age_seconds: float) -> list[Action]:
    """What lowers the risk, most urgent first: lines that cannot be bought, then stock running
    out, then money (free shipping, price drops, price rises), then a reminder."""
    actions: list[Action] = []
    for r in risks:
        line = r.line
        if r.out_of_stock:
            actions.append(
                Action(
                    "restock_alert",
                    f"{line.product_id} is out of stock: offer a restock alert or remove it",
                    line.product_id,
                )
            )
        elif r.short:
            actions.append(
                Action(
                    "reduce_quantity",
                    f"only {line.available} of {line.quantity} {line.product_id} available: lower the quantity",
                    line.product_id,
                )
            )
    for r in sorted(risks, key=lambda r: -r.stock_risk):
        if not r.out_of_stock and not r.short and r.stock_risk > 0:
            actions.append(
                Action(
                    "notify_low_stock",
                    f"only {r.line.available} {r.line.product_id} left for {r.line.quantity} in the cart: "
                    "check out soon",
                    r.line.product_id,
                )
            )
    subtotal = sum(r.line.current_price_minor * r.line.quantity for r in risks)
    threshold = shipping.free_threshold_minor
    if shipping.standard_minor and threshold is not None and subtotal < threshold:
        gap = threshold - subtotal
        actions.append(
            Action(
                "free_shipping_threshold",
                f"add {format_money(gap, currency)} for free standard shipping "
                f"(saves {format_money(shipping.standard_minor, currency)})",
            )
        )
    for r in risks:
        line = r.line
        delta = line.current_price_minor - line.price_when_added_minor
        if delta < 0:
            actions.append(
                Action(
                    "price_drop_note",
                    f"{line.product_id} is {format_money(-delta, currency)} cheaper than when added: point it out",
                    line.product_id,
                )
            )
        elif delta > 0:
            actions.append(
                Action(
                    "price_increase_note",
                    f"{line.product_id} costs {format_money(delta, currency)} more than when added: "
                    "explain or offer a coupon",
                    line.product_id,
                )
            )
    days = age_seconds / SECONDS_PER_DAY
    if days >= REMIND_AFTER_DAYS:
        actions.append(
            Action(
                "send_reminder",
                f"cart started {days:.1f} days ago without an order (reminder at {REMIND_AFTER_DAYS:g} days)",
            )
        )
    return actions
