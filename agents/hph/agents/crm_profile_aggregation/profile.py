"""The 360 view of one customer from their activity: a pure function, testable without a server.

Definitions (the contract's, made exact):
- an order counts when it was placed and not cancelled (pending, unpaid orders count until they are
  cancelled: they are orders the customer placed);
- lifetime value = the counted orders' totals minus what was refunded on them; average order value =
  lifetime value / counted orders, rounded half-even to the minor unit;
- recency = whole days from the newest counted order to now;
- favourite categories by units bought on counted orders (ties by category id);
- return rate = units of refunded returns / units of counted orders that reached the customer
  (delivered, partially returned or returned);
- open tickets = tickets not resolved or closed.

The engagement score, 0..100, is a weighted sum of four parts in 0..1, each a driver with its value,
weight and contribution (points): recency (1 on the day of an order, falling linearly to 0 at
RECENCY_HORIZON_DAYS), frequency (counted orders in the last 365 days over FREQUENCY_TARGET, capped
at 1), spend (lifetime value over SPEND_TARGET_MINOR, capped at 1) and returns (1 - return rate,
and 0 when nothing was delivered yet: no evidence either way). Reviews are not a driver: no event
says who wrote a review and the review service lists reviews by product only, so the platform cannot
count a customer's reviews without a scan of every product (docs/agents/crm-profile-aggregation.md).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from hph.agents.crm_activity.records import Activity, OrderRecord
from hph.agents.runtime import Driver

METHOD: Final = "crm-profile-v1"
RECENCY_HORIZON_DAYS: Final = 120
FREQUENCY_WINDOW: Final = timedelta(days=365)
FREQUENCY_TARGET: Final = 6
SPEND_TARGET_MINOR: Final = 60_000
WEIGHTS: Final = {"recency": 0.35, "frequency": 0.25, "spend": 0.25, "returns": 0.15}
FAVOURITES: Final = 5


@dataclass(frozen=True)
class Favourite:
    category_id: str
    units: int
    share: float


@dataclass(frozen=True)
class Profile:
    order_count: int
    currency_code: str
    lifetime_value_minor: int
    average_order_value_minor: int
    last_order_at: datetime | None
    days_since_last_order: int
    favourites: tuple[Favourite, ...]
    units_delivered: int
    units_returned: int
    return_rate: float
    open_tickets: int
    engagement_score: float
    recent_orders: tuple[OrderRecord, ...]
    drivers: tuple[Driver, ...]
    summary: str


def divide_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-even, in integers (money never goes through floats)."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def build_profile(activity: Activity, now: datetime, *, recent_limit: int = 5) -> Profile:
    counted = [order for order in activity.orders if order.counts]
    currency = counted[0].currency_code if counted else ""
    # One currency per platform; an order in another would not add up, so it is left out and said.
    in_currency = [order for order in counted if order.currency_code == currency]
    lifetime = sum(order.net_minor for order in in_currency)
    average = divide_half_even(lifetime, len(in_currency)) if in_currency else 0
    last = max((order.placed_at for order in counted if order.placed_at is not None), default=None)
    days = max(0, (now - last).days) if last is not None else -1

    categories: Counter[str] = Counter()
    for order in counted:
        for line in order.lines:
            categories[line.category_id or "uncategorised"] += line.quantity
    units_bought = sum(categories.values())
    favourites = tuple(
        Favourite(category, units, round(units / units_bought, 4))
        for category, units in sorted(categories.items(), key=lambda item: (-item[1], item[0]))[:FAVOURITES]
    )

    delivered_orders = {order.order_id for order in counted if order.delivered}
    units_delivered = sum(order.units for order in counted if order.delivered)
    units_returned = sum(
        r.units for r in activity.returns if r.refunded and not r.rejected and r.order_id in delivered_orders
    )
    return_rate = min(1.0, units_returned / units_delivered) if units_delivered else 0.0
    open_tickets = sum(1 for ticket in activity.tickets if ticket.open)

    recent_count = sum(1 for o in counted if o.placed_at is not None and now - o.placed_at <= FREQUENCY_WINDOW)
    parts = {
        "recency": max(0.0, 1 - days / RECENCY_HORIZON_DAYS) if last is not None else 0.0,
        "frequency": min(1.0, recent_count / FREQUENCY_TARGET),
        "spend": min(1.0, max(0, lifetime) / SPEND_TARGET_MINOR),
        "returns": 1 - return_rate if units_delivered else 0.0,
    }
    contributions = {name: round(100 * WEIGHTS[name] * value, 2) for name, value in parts.items()}
    score = round(sum(contributions.values()), 1)
    drivers: tuple[Driver, ...] = (
        Driver(
            "recency",
            days,
            f"last order {days} day(s) ago; 0 points at {RECENCY_HORIZON_DAYS} days"
            if last is not None
            else "no order yet",
            weight=WEIGHTS["recency"],
            threshold=RECENCY_HORIZON_DAYS,
            contribution=contributions["recency"],
            unit="days",
        ),
        Driver(
            "frequency",
            recent_count,
            f"{recent_count} order(s) in the last 365 days of {FREQUENCY_TARGET} for full marks",
            weight=WEIGHTS["frequency"],
            threshold=FREQUENCY_TARGET,
            contribution=contributions["frequency"],
            unit="orders",
        ),
        Driver(
            "spend",
            lifetime,
            f"lifetime value {lifetime} minor units of {SPEND_TARGET_MINOR} for full marks",
            weight=WEIGHTS["spend"],
            threshold=SPEND_TARGET_MINOR,
            contribution=contributions["spend"],
            unit=f"{currency or 'currency'} minor units",
        ),
        Driver(
            "returns",
            round(return_rate, 4),
            f"{units_returned} of {units_delivered} delivered unit(s) returned"
            if units_delivered
            else "nothing delivered yet: no points either way",
            weight=WEIGHTS["returns"],
            contribution=contributions["returns"],
            unit="ratio",
        ),
        Driver(
            "open_tickets", open_tickets, f"{open_tickets} support ticket(s) not resolved or closed", unit="tickets"
        ),
    )
    if len(in_currency) < len(counted):
        drivers += (
            Driver(
                "other_currency_orders",
                len(counted) - len(in_currency),
                f"orders not in {currency} are left out of the money figures",
                unit="orders",
            ),
        )
    summary = (
        f"{len(counted)} order(s), lifetime value {lifetime} {currency} minor units, last {days} day(s) ago, "
        f"engagement {score:g}/100"
        if counted
        else f"no orders yet; engagement {score:g}/100"
    )
    return Profile(
        order_count=len(counted),
        currency_code=currency,
        lifetime_value_minor=lifetime,
        average_order_value_minor=average,
        last_order_at=last,
        days_since_last_order=days,
        favourites=favourites,
        units_delivered=units_delivered,
        units_returned=units_returned,
        return_rate=round(return_rate, 4),
        open_tickets=open_tickets,
        engagement_score=score,
        recent_orders=tuple(order for order in activity.orders if order.known)[:recent_limit],
        drivers=drivers,
        summary=summary,
    )
