"""What the demo history will contain, decided up front from one seed and nothing else.

The plan is pure data: which shopper orders what and when (weekly and holiday seasonality), and each
order's fate (cancelled, or shipped by which carrier and service level, delivered early, on time or
late, interrupted by an exception, or lost; reviewed; returned). The driver (`hph.host.history.driver`)
then plays it through the real services. Deciding everything before any call is made keeps the
history deterministic by seed whatever ids the services assign.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from hph.commerce.demo_data import DemoProduct

# Carriers and the service levels each sells that the history uses, with the share of parcels it
# delivers on its estimate (the carriers' on-time records differ, so carrier selection has
# something to learn).
CARRIER_RELIABILITY: dict[str, float] = {"ups": 0.92, "fedex": 0.88, "usps": 0.78, "dhl": 0.84}
CARRIER_SHARE: dict[str, float] = {"ups": 0.35, "fedex": 0.25, "usps": 0.3, "dhl": 0.1}
LEVEL_SHARE: dict[str, float] = {"standard": 0.62, "expedited": 0.25, "economy": 0.08, "overnight": 0.05}
# Levels each carrier sells (hph.commerce.carriers' table); a level it does not sell falls back to standard.
CARRIER_LEVELS: dict[str, frozenset[str]] = {
    "ups": frozenset({"economy", "standard", "expedited", "overnight"}),
    "fedex": frozenset({"economy", "standard", "expedited", "overnight"}),
    "usps": frozenset({"standard", "expedited", "overnight"}),
    "dhl": frozenset({"economy", "standard", "expedited"}),
}
CANCEL_RATE = 0.04
EXCEPTION_RATE = 0.06
LOST_RATE = 0.015
REVIEW_RATE = 0.35
RETURN_RATE = 0.07
# Marketing campaigns and the share of orders each brings (the rest come without a code); their spend
# is data of crm-campaign-intelligence (data/campaign_spend.json).
CAMPAIGNS: tuple[tuple[str, float], ...] = (
    ("HOLIDAY-EMAIL", 0.14),
    ("SOCIAL-GIFTS", 0.09),
    ("SEARCH-ADS", 0.07),
    ("INFLUENCER-XMAS", 0.03),
)
# Where the shoppers live: (city, region, postal code), spread over the US zones.
SHOPPER_CITIES: tuple[tuple[str, str, str], ...] = (
    ("San Francisco", "CA", "94103"),
    ("Seattle", "WA", "98101"),
    ("Denver", "CO", "80202"),
    ("Austin", "TX", "78701"),
    ("Chicago", "IL", "60601"),
    ("Atlanta", "GA", "30303"),
    ("Miami", "FL", "33130"),
    ("New York", "NY", "10001"),
    ("Boston", "MA", "02108"),
    ("Phoenix", "AZ", "85004"),
)
HUBS: tuple[str, ...] = ("Memphis, TN, US", "Louisville, KY, US", "Indianapolis, IN, US", "Ontario, CA, US")
REVIEW_PHRASES: dict[int, tuple[str, ...]] = {
    5: ("great quality", "perfect gift", "fast shipping", "exactly as described", "love it"),
    4: ("good value", "great quality", "nice packaging", "works well"),
    3: ("okay for the price", "smaller than expected", "average quality"),
    2: ("cheap materials", "smaller than expected", "arrived late"),
    1: ("broke after a week", "not as described", "poor quality"),
}


def seasonality(day: date) -> float:
    """How busy `day` is against an ordinary weekday (1.0): weekends and the holiday season more."""
    factor = {4: 1.15, 5: 1.5, 6: 1.4}.get(day.weekday(), 1.0)
    thanksgiving = _thanksgiving(day.year)
    if thanksgiving + timedelta(days=1) <= day <= thanksgiving + timedelta(days=4):  # Black Friday..Cyber Monday
        factor *= 2.6
    elif day == thanksgiving:
        factor *= 0.8
    elif day.month == 11 and day > thanksgiving:
        factor *= 1.6
    elif day.month == 12 and day.day <= 20:
        factor *= 1.9
    elif day.month == 12 and day.day <= 24:
        factor *= 1.3
    elif day.month == 12 and day.day == 25:
        factor *= 0.3
    return factor


def is_holiday_season(day: date) -> bool:
    """Late November (from Thanksgiving) through December 24."""
    return _thanksgiving(day.year) <= day or (day.month == 12 and day.day <= 24)


def _thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


@dataclass(frozen=True)
class ShipmentFate:
    carrier: str
    level: str
    # Business days delivered after (positive) or before (negative) the carrier's estimate.
    delay_days: int
    exception: bool
    lost: bool


@dataclass(frozen=True)
class PlannedOrder:
    placed_at: datetime
    shopper: int
    lines: tuple[tuple[str, int], ...]
    cancelled: bool
    shipment: ShipmentFate | None
    # Stars for the first line's product, 0 for no review.
    review_rating: int
    review_after_days: int
    returned: bool
    return_after_days: int
    # Marketing campaign the order came through (CreateOrderRequest.campaign_code); empty for none.
    campaign_code: str = ""


@dataclass
class HistoryPlan:
    start: date
    days: int
    seed: int
    shoppers: int
    orders: list[PlannedOrder] = field(default_factory=list)

    def orders_on(self, day: date) -> int:
        return sum(1 for order in self.orders if order.placed_at.date() == day)


def plan_history(
    products: list[DemoProduct],
    *,
    days: int,
    seed: int,
    end: date,
    orders_per_day: float = 12.0,
    shoppers: int = 40,
) -> HistoryPlan:
    """The orders of the `days` days before `end` (which is not included), from `seed` alone."""
    if days < 1:
        raise ValueError("days must be at least 1")
    rng = random.Random(seed)
    assortment = [p for p in products if p.stock_on_hand > p.reorder_point]
    rng.shuffle(assortment)
    # Popularity falls off like Zipf; a few products have a companion bought with them most times
    # (so "frequently bought together" has real pairs to find).
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(assortment))]
    companions = _companions(rng, assortment[:30], assortment)
    # Each product's true quality: the mean its reviews scatter around.
    quality = {p.id: rng.uniform(2.3, 4.9) for p in assortment}
    plan = HistoryPlan(start=end - timedelta(days=days), days=days, seed=seed, shoppers=shoppers)
    for offset in range(days):
        day = plan.start + timedelta(days=offset)
        count = _poisson(rng, orders_per_day * seasonality(day))
        moments = sorted(rng.uniform(7 * 3600, 23 * 3600) for _ in range(count))
        for seconds in moments:
            placed_at = datetime.combine(day, time(), tzinfo=UTC) + timedelta(seconds=round(seconds))
            plan.orders.append(_an_order(rng, placed_at, shoppers, assortment, weights, companions, quality))
    plan.orders = _with_campaigns(plan.orders, seed)
    return plan


def _with_campaigns(orders: list[PlannedOrder], seed: int) -> list[PlannedOrder]:
    """Campaign codes on some orders, drawn from a generator of their own, so adding them changed no
    other draw of the plan (orders, lines, fates and every figure measured on them stay the same)."""
    rng = random.Random(f"campaigns-{seed}")
    coded = []
    for order in orders:
        draw, code = rng.random(), ""
        for campaign, share in CAMPAIGNS:
            if draw < share:
                code = campaign
                break
            draw -= share
        coded.append(replace(order, campaign_code=code) if code else order)
    return coded


def _companions(rng: random.Random, anchors: list[DemoProduct], assortment: list[DemoProduct]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for anchor in anchors:
        same_category = [p for p in assortment if p.category_id == anchor.category_id and p.id != anchor.id]
        if same_category:
            pairs[anchor.id] = rng.choice(same_category).id
    return pairs


def _an_order(
    rng: random.Random,
    placed_at: datetime,
    shoppers: int,
    assortment: list[DemoProduct],
    weights: list[float],
    companions: dict[str, str],
    quality: dict[str, float],
) -> PlannedOrder:
    first = rng.choices(assortment, weights)[0].id
    lines: dict[str, int] = {first: rng.choice((1, 1, 1, 2))}
    if first in companions and rng.random() < 0.6:
        lines[companions[first]] = 1
    while len(lines) < 4 and rng.random() < 0.3:
        lines.setdefault(rng.choices(assortment, weights)[0].id, 1)
    cancelled = rng.random() < CANCEL_RATE
    shipment = None if cancelled else _a_shipment(rng)
    delivered = shipment is not None and not shipment.lost
    review = 0
    if delivered and rng.random() < REVIEW_RATE:
        review = min(5, max(1, round(rng.gauss(quality[first], 0.8))))
    return PlannedOrder(
        placed_at=placed_at,
        shopper=rng.randrange(shoppers),
        lines=tuple(lines.items()),
        cancelled=cancelled,
        shipment=shipment,
        review_rating=review,
        review_after_days=rng.randint(2, 10),
        returned=delivered and rng.random() < RETURN_RATE,
        return_after_days=rng.randint(3, 15),
    )


def _a_shipment(rng: random.Random) -> ShipmentFate:
    carrier = rng.choices(list(CARRIER_SHARE), list(CARRIER_SHARE.values()))[0]
    level = rng.choices(list(LEVEL_SHARE), list(LEVEL_SHARE.values()))[0]
    if level not in CARRIER_LEVELS[carrier]:
        level = "standard"
    if rng.random() < CARRIER_RELIABILITY[carrier]:
        delay = -1 if rng.random() < 0.1 else 0
    else:
        delay = rng.choice((1, 1, 1, 2, 2, 3, 5))
    return ShipmentFate(carrier, level, delay, exception=rng.random() < EXCEPTION_RATE, lost=rng.random() < LOST_RATE)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
