"""The decision core: pure arithmetic over live stock, the policy and the shopper's purchases.

For one line:

    effective availability = max(0, on hand - reserved - safety stock)
    remaining limit        = max(0, peak limit - bought in the window)   (hot SKU, window active)
    allowed                = min(requested, effective availability, remaining limit)

The bound that sets `allowed` decides the line: none (ALLOW); the remaining limit (LIMIT, or REFUSE
when nothing remains; a tie with availability counts as the limit, the stricter reason to give); or
effective availability (BACKORDER when the SKU takes backorders, else PARTIAL, or REFUSE when none
is available). A line held back by availability is offered the units available now (partial) and,
when the SKU takes backorders, the rest later, but never beyond the shopper's remaining limit.

The order's decision is the most restrictive line's: REFUSE, LIMIT, BACKORDER, PARTIAL, ALLOW.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from hph.agents.inventory_reservation_validation.policy import PeakWindow, SkuRule
from hph.agents.runtime import Driver

METHOD = "reservation-policy-v1"


class Decision(IntEnum):
    """Ordered from least to most restrictive (the order's decision is the max of its lines')."""

    ALLOW = 1
    PARTIAL = 2
    BACKORDER = 3
    LIMIT = 4
    REFUSE = 5


class Factor(StrEnum):
    NONE = "none"
    EFFECTIVE_AVAILABILITY = "effective_availability"
    PEAK_LIMIT = "peak_limit"


class OptionKind(StrEnum):
    PARTIAL = "partial"
    BACKORDER = "backorder"


@dataclass(frozen=True)
class Stock:
    on_hand: int
    reserved: int


@dataclass(frozen=True)
class Option:
    kind: OptionKind
    quantity_now: int
    quantity_later: int
    restock_days: int
    reason: str


@dataclass(frozen=True)
class LineRequest:
    product_id: str
    sku: str
    quantity: int


@dataclass(frozen=True)
class LineDecision:
    request: LineRequest
    allowed: int
    decision: Decision
    factor: Factor
    stock: Stock
    safety_stock: int
    effective_availability: int
    hot: bool
    # The limit applied (None: not hot, or outside the window) and what it left.
    peak_limit: int | None
    purchased: int
    remaining_limit: int | None
    options: tuple[Option, ...]
    reason: str


def effective_availability(stock: Stock, safety_stock: int) -> int:
    """What the policy lets shoppers hold: on hand less what others hold and what is kept back."""
    return max(0, stock.on_hand - stock.reserved - safety_stock)


def decide_line(line: LineRequest, stock: Stock, rule: SkuRule, *, purchased: int, window: PeakWindow) -> LineDecision:
    """The decision on one line (see the module docstring); `purchased` is what the shopper bought of
    the SKU in the window, counted only when a limit applies."""
    effective = effective_availability(stock, rule.safety_stock)
    limit = rule.peak_limit if rule.hot and window.active else None
    remaining = None if limit is None else max(0, limit - purchased)
    requested = line.quantity
    by_limit = requested if remaining is None else remaining
    allowed = min(requested, effective, by_limit)
    stock_text = f"{stock.on_hand} on hand - {stock.reserved} reserved - {rule.safety_stock} safety stock"
    limit_text = ""
    if limit is not None:
        until = f" until {_day(window.ends_at)}" if window.ends_at else ""
        limit_text = f"at most {limit} per shopper{until} (peak); {purchased} bought already"

    options: list[Option] = []
    if allowed == requested:
        decision, factor = Decision.ALLOW, Factor.NONE
        reason = f"{requested} of {effective} available ({stock_text})" + (f"; {limit_text}" if limit_text else "")
    elif by_limit <= effective:
        factor = Factor.PEAK_LIMIT
        decision = Decision.LIMIT if allowed > 0 else Decision.REFUSE
        reason = f"{limit_text}, so {allowed} more" if allowed else f"{limit_text}, so none more"
        if allowed:
            options.append(Option(OptionKind.PARTIAL, allowed, 0, 0, f"order {allowed} instead of {requested}"))
    else:
        factor = Factor.EFFECTIVE_AVAILABILITY
        reason = f"only {allowed} of {requested} can be held now ({stock_text})"
        if allowed:
            options.append(Option(OptionKind.PARTIAL, allowed, 0, 0, f"order the {allowed} available now"))
        later = min(requested, by_limit) - allowed
        if rule.backorder_restock_days is not None and later > 0:
            decision = Decision.BACKORDER
            days = rule.backorder_restock_days
            options.append(
                Option(
                    OptionKind.BACKORDER,
                    allowed,
                    later,
                    days,
                    f"order {allowed} now and {later} on backorder, restocked in about {days} days",
                )
            )
            reason += f"; the rest can be backordered (about {days} days)"
        else:
            decision = Decision.PARTIAL if allowed else Decision.REFUSE
    return LineDecision(
        request=line,
        allowed=allowed,
        decision=decision,
        factor=factor,
        stock=stock,
        safety_stock=rule.safety_stock,
        effective_availability=effective,
        hot=rule.hot,
        peak_limit=limit,
        purchased=purchased if limit is not None else 0,
        remaining_limit=remaining,
        options=tuple(options),
        reason=reason,
    )


def overall(lines: Sequence[LineDecision]) -> Decision:
    """The order's decision: its most restrictive line's."""
    return max((line.decision for line in lines), default=Decision.ALLOW)


def drivers(lines: Sequence[LineDecision]) -> list[Driver]:
    """The drivers of an answer, binding ones first: per line its effective availability and, when a
    limit applied, its remaining limit, each against the units requested."""
    found: list[tuple[bool, Driver]] = []
    for line in lines:
        sku, requested = line.request.sku, float(line.request.quantity)
        found.append(
            (
                line.factor == Factor.EFFECTIVE_AVAILABILITY,
                Driver(
                    "effective_availability",
                    line.effective_availability,
                    threshold=requested,
                    unit="units",
                    reason=f"{sku}: {line.effective_availability} available after {line.stock.reserved} reserved "
                    f"and {line.safety_stock} safety stock, {line.request.quantity} requested",
                ),
            )
        )
        if line.remaining_limit is not None:
            found.append(
                (
                    line.factor == Factor.PEAK_LIMIT,
                    Driver(
                        "peak_limit_remaining",
                        line.remaining_limit,
                        threshold=requested,
                        unit="units",
                        reason=f"{sku}: {line.remaining_limit} of {line.peak_limit} per shopper left "
                        f"({line.purchased} bought in the window), {line.request.quantity} requested",
                    ),
                )
            )
    return [driver for binding, driver in sorted(found, key=lambda pair: not pair[0])]


def summary(decision: Decision, lines: Sequence[LineDecision]) -> str:
    """One line: the decision and how many lines each bound held back."""
    limited = sum(1 for line in lines if line.factor == Factor.PEAK_LIMIT)
    short = sum(1 for line in lines if line.factor == Factor.EFFECTIVE_AVAILABILITY)
    parts = [f"{decision.name.lower()}: {len(lines) - limited - short} of {len(lines)} lines in full"]
    if limited:
        parts.append(f"{limited} over a per-shopper peak limit")
    if short:
        parts.append(f"{short} beyond effective availability")
    return "; ".join(parts)


def _day(moment: datetime) -> str:
    """The last day of a window ending at `moment` (exclusive), as shoppers read it."""
    return (moment - timedelta(microseconds=1)).date().isoformat()
