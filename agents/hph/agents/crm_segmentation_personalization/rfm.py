"""RFM segmentation over the whole customer base: a pure function of every customer's activity.

- Recency: whole days since the customer's last counted order (placed, not cancelled), any time;
  scored by whole weeks (days // 7), see below.
- Frequency: counted orders in the scoring window (WINDOW, 365 days back from the run).
- Monetary: those orders' totals minus refunds, in minor units.

Each figure is scored 1..5 in quintiles over the customers with at least one counted order (5 = most
recent, most orders, highest spend). Ties share a score: a value's position is the mean of its
ranks, so equal customers never land in different quintiles and the scores do not depend on the
order customers are read in. Customers without a counted order score 0 and are prospects.

Why recency is scored in weeks: quintiles always spread customers over five scores, even when they
do not differ. On the demo history (40 shoppers, each buying every three days or so) day-level
recency reshuffled the scores every week and only 39% of customers kept their segment from one
weekly run to the next (`hph eval segments` measured it); "bought 2 days ago" and "bought 5 days
ago" are not different customers. Whole weeks keep the ties together (a tie shares the middle
score), and the stability is 0.69 (docs/agents/crm-segmentation-personalization.md).

The base is every user who registered or placed an order (the projection also holds tickets raised
by the platform itself, which is no customer).

Segments, first rule that holds (so every customer lands in exactly one):

| segment | rule |
|---|---|
| prospect | no counted order |
| champions | R >= 4, F >= 4, M >= 4 |
| new | one counted order ever, R >= 4 |
| loyal | F >= 4, M >= 3, R >= 3 |
| at risk | R <= 2 and (F >= 3 or M >= 3): bought well, not lately |
| potential loyalist | R >= 3 |
| hibernating | the rest: R <= 2 with low F and M |
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Final

from hph.agents.crm_activity.records import Activity

METHOD: Final = "rfm-quintiles-v1"
WINDOW: Final = timedelta(days=365)
RECENCY_UNIT_DAYS: Final = 7


class Segment(Enum):
    CHAMPIONS = "champions"
    LOYAL = "loyal"
    POTENTIAL_LOYALIST = "potential_loyalist"
    NEW = "new"
    AT_RISK = "at_risk"
    HIBERNATING = "hibernating"
    PROSPECT = "prospect"


@dataclass(frozen=True)
class Scores:
    user_id: str
    recency_days: int  # -1 without orders
    frequency: int
    monetary_minor: int
    orders_ever: int
    recency_score: int = 0
    frequency_score: int = 0
    monetary_score: int = 0
    segment: Segment = Segment.PROSPECT


@dataclass(frozen=True)
class Run:
    """One segmentation of the base: every customer's scores, and what each segment buys."""

    run_at: datetime
    currency_code: str
    customers: dict[str, Scores]
    # Units bought per category and per product by the customers of each segment (personalisation).
    segment_categories: dict[Segment, dict[str, int]] = field(default_factory=dict)
    segment_products: dict[Segment, dict[str, int]] = field(default_factory=dict)

    def sizes(self) -> Counter[Segment]:
        return Counter(scores.segment for scores in self.customers.values())

    def assignments(self) -> dict[str, Segment]:
        return {user: scores.segment for user, scores in self.customers.items()}


def quintiles(values: Mapping[str, float]) -> dict[str, int]:
    """1..5 per key by the value's mean rank (ascending: 5 = the largest values)."""
    if not values:
        return {}
    ordered = sorted(values.values())
    n = len(ordered)
    first: dict[float, int] = {}
    last: dict[float, int] = {}
    for index, value in enumerate(ordered):
        first.setdefault(value, index)
        last[value] = index
    scores = {}
    for key, value in values.items():
        # The middle of the value's ranks as a percentile (0..1, exclusive): a value everybody shares
        # sits at 0.5, score 3.
        percentile = ((first[value] + last[value]) / 2 + 0.5) / n
        scores[key] = min(5, 1 + int(5 * percentile))
    return scores


def segment_of(r: int, f: int, m: int, orders_ever: int) -> Segment:
    if orders_ever == 0:
        return Segment.PROSPECT
    if r >= 4 and f >= 4 and m >= 4:
        return Segment.CHAMPIONS
    if orders_ever == 1 and r >= 4:
        return Segment.NEW
    if f >= 4 and m >= 3 and r >= 3:
        return Segment.LOYAL
    if r <= 2 and (f >= 3 or m >= 3):
        return Segment.AT_RISK
    if r >= 3:
        return Segment.POTENTIAL_LOYALIST
    return Segment.HIBERNATING


def segment(base: Iterable[Activity], now: datetime) -> Run:
    raw: dict[str, Scores] = {}
    categories: dict[str, Counter[str]] = {}
    products: dict[str, Counter[str]] = {}
    currencies: Counter[str] = Counter()
    for activity in base:
        if activity.registered_at is None and not activity.orders:
            continue  # not a customer: e.g. the platform, which raises tickets about parcels
        counted = [o for o in activity.orders if o.counts and o.placed_at is not None]
        recent = [o for o in counted if o.placed_at is not None and now - o.placed_at <= WINDOW]
        last = max((o.placed_at for o in counted if o.placed_at is not None), default=None)
        raw[activity.user_id] = Scores(
            user_id=activity.user_id,
            recency_days=max(0, (now - last).days) if last is not None else -1,
            frequency=len(recent),
            monetary_minor=sum(o.net_minor for o in recent),
            orders_ever=len(counted),
        )
        categories[activity.user_id] = Counter()
        products[activity.user_id] = Counter()
        for order in counted:
            currencies[order.currency_code] += 1
            for line in order.lines:
                categories[activity.user_id][line.category_id or "uncategorised"] += line.quantity
                products[activity.user_id][line.sku] += line.quantity
    buyers = {user: s for user, s in raw.items() if s.orders_ever > 0}
    # Fewer weeks since the last order is better: rank the negated weeks.
    r = quintiles({user: -(s.recency_days // RECENCY_UNIT_DAYS) for user, s in buyers.items()})
    f = quintiles({user: s.frequency for user, s in buyers.items()})
    m = quintiles({user: s.monetary_minor for user, s in buyers.items()})
    customers: dict[str, Scores] = {}
    for user, s in sorted(raw.items()):
        rs, fs, ms = r.get(user, 0), f.get(user, 0), m.get(user, 0)
        customers[user] = Scores(
            s.user_id,
            s.recency_days,
            s.frequency,
            s.monetary_minor,
            s.orders_ever,
            rs,
            fs,
            ms,
            segment_of(rs, fs, ms, s.orders_ever),
        )
    segment_categories: dict[Segment, Counter[str]] = {}
    segment_products: dict[Segment, Counter[str]] = {}
    for user, scores in customers.items():
        segment_categories.setdefault(scores.segment, Counter()).update(categories[user])
        segment_products.setdefault(scores.segment, Counter()).update(products[user])
    return Run(
        run_at=now,
        currency_code=currencies.most_common(1)[0][0] if currencies else "",
        customers=customers,
        segment_categories={seg: dict(c) for seg, c in segment_categories.items()},
        segment_products={seg: dict(c) for seg, c in segment_products.items()},
    )


@dataclass(frozen=True)
class Movement:
    entered: int
    left: int


def movement(previous: Mapping[str, Segment], current: Mapping[str, Segment]) -> dict[Segment, Movement]:
    """Per segment: customers in it now who were elsewhere (or not scored) at the previous run, and
    customers in it then who are elsewhere (or gone) now."""
    entered: Counter[Segment] = Counter()
    left: Counter[Segment] = Counter()
    for user, now_in in current.items():
        before = previous.get(user)
        if before != now_in:
            entered[now_in] += 1
            if before is not None:
                left[before] += 1
    for user, before in previous.items():
        if user not in current:
            left[before] += 1
    return {seg: Movement(entered[seg], left[seg]) for seg in Segment}


def stability(previous: Mapping[str, Segment], current: Mapping[str, Segment]) -> float:
    """Share of the customers scored in both runs who kept their segment."""
    both = [user for user in current if user in previous]
    return sum(previous[u] == current[u] for u in both) / len(both) if both else 1.0
