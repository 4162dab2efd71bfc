"""Scores products and chooses the assortment (pure; no I/O).

Per product, over the last `window_days` UTC days up to and including today:

- sales velocity: units ordered per day (the units of the order lines that reserved stock, from
  the stock signals projection's daily counts);
- margin: (price - unit cost) / price, from the supplier's price list; 0 when the cost is unknown;
- rating: the mean review rating, 1..5 (0 without reviews); the score uses it shrunk towards the
  neutral 3 by RATING_PRIOR_REVIEWS pseudo-reviews, so one 5-star review is not a best seller;
- stock turn: units ordered over the window / mean units on hand (the closing on hand of the days
  with stock movements in the window, or the current on hand without any).

Each factor is normalised to FLOOR..1 (velocity and turn against the best of the products
considered, margin as is, rating as (shrunk - 1) / 4), so a product weak on one factor is weakened,
not zeroed; the score is their product. Every factor moves the score the same way: more sales, a
higher margin, a better rating or a faster turn never lowers it.

Choice: with a size limit and/or a budget on inventory cost (units on hand x unit cost), the 0/1
knapsack of `knapsack.solve` over the scores; without either, everything is kept and ranked. The
best `promote_share` of the kept products (at least one when the share is positive) are promoted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hph.agents.assortment_optimization import knapsack
from hph.agents.runtime import Driver

METHOD = "assortment-v1"
KEEP, DROP, PROMOTE = "keep", "drop", "promote"
FLOOR = 0.1
NEUTRAL_RATING = 3.0
RATING_PRIOR_REVIEWS = 2
DAY_UNITS, DAY_CLOSING_ON_HAND = 0, 3  # columns of the signals' daily entries


@dataclass(frozen=True)
class Candidate:
    product_id: str
    name: str
    category_id: str
    brand: str
    image_url: str
    price_minor: int
    currency_code: str
    unit_cost_minor: int | None
    on_hand: int
    available: int
    units_sold: int
    mean_on_hand: float
    rating: float  # 0 without reviews
    reviews: int


@dataclass(frozen=True)
class Factors:
    sales_velocity: float
    margin: float
    rating: float
    stock_turn: float
    velocity_n: float
    margin_n: float
    rating_n: float
    turn_n: float

    @property
    def score(self) -> float:
        return self.velocity_n * self.margin_n * self.rating_n * self.turn_n


@dataclass(frozen=True)
class Decision:
    candidate: Candidate
    factors: Factors
    action: str
    inventory_cost_minor: int
    drivers: tuple[Driver, ...]

    @property
    def score(self) -> float:
        return self.factors.score


@dataclass(frozen=True)
class Plan:
    decisions: tuple[Decision, ...]  # highest score first
    kept: int
    dropped: int
    total_score: float
    total_cost_minor: int
    exact: bool


def window_activity(days: Mapping[str, Sequence[Any]], today: date, window_days: int) -> tuple[int, float | None]:
    """(units ordered, mean closing on hand) over the `window_days` days up to `today` (None: no day
    with stock movements in the window)."""
    first = (today - timedelta(days=window_days - 1)).isoformat()
    last = today.isoformat()
    units = 0
    closing: list[int] = []
    for day, entry in days.items():
        if first <= day <= last:
            units += int(entry[DAY_UNITS])
            if len(entry) > DAY_CLOSING_ON_HAND:
                closing.append(int(entry[DAY_CLOSING_ON_HAND]))
    return units, (sum(closing) / len(closing) if closing else None)


def margin_of(candidate: Candidate) -> float:
    if candidate.unit_cost_minor is None or candidate.price_minor <= 0:
        return 0.0
    return max(0.0, (candidate.price_minor - candidate.unit_cost_minor) / candidate.price_minor)


def turn_of(candidate: Candidate) -> float:
    if candidate.units_sold <= 0:
        return 0.0
    return candidate.units_sold / max(candidate.mean_on_hand, 1.0)


def shrunk_rating(candidate: Candidate) -> float:
    if candidate.reviews <= 0:
        return NEUTRAL_RATING
    prior = RATING_PRIOR_REVIEWS * NEUTRAL_RATING
    return (candidate.rating * candidate.reviews + prior) / (candidate.reviews + RATING_PRIOR_REVIEWS)


def _normalised(value: float, best: float) -> float:
    share = value / best if best > 0 else 0.0
    return FLOOR + (1.0 - FLOOR) * min(max(share, 0.0), 1.0)


def factors(candidates: Sequence[Candidate], window_days: int) -> list[Factors]:
    velocities = [c.units_sold / window_days for c in candidates]
    turns = [turn_of(c) for c in candidates]
    best_velocity, best_turn = max(velocities, default=0.0), max(turns, default=0.0)
    result = []
    for candidate, velocity, turn in zip(candidates, velocities, turns, strict=True):
        margin = margin_of(candidate)
        result.append(
            Factors(
                sales_velocity=velocity,
                margin=margin,
                rating=candidate.rating if candidate.reviews else 0.0,
                stock_turn=turn,
                velocity_n=_normalised(velocity, best_velocity),
                margin_n=_normalised(margin, 1.0),
                rating_n=_normalised(shrunk_rating(candidate) - 1.0, 4.0),
                turn_n=_normalised(turn, best_turn),
            )
        )
    return result


def inventory_cost(candidate: Candidate) -> int:
    """What the product's stock ties up at cost (0 with no stock or an unknown cost)."""
    return max(candidate.on_hand, 0) * (candidate.unit_cost_minor or 0)


def drivers_of(candidate: Candidate, f: Factors, window_days: int) -> tuple[Driver, ...]:
    cost = "unknown" if candidate.unit_cost_minor is None else f"unit cost {candidate.unit_cost_minor}"
    return (
        Driver(
            "sales_velocity",
            round(f.sales_velocity, 4),
            f"{candidate.units_sold} unit(s) ordered in {window_days} day(s)",
            contribution=round(f.velocity_n, 4),
            unit="units/day",
        ),
        Driver(
            "margin",
            round(f.margin, 4),
            f"price {candidate.price_minor}, {cost} (minor units)",
            contribution=round(f.margin_n, 4),
            unit="share",
        ),
        Driver(
            "rating",
            round(f.rating, 3),
            f"{candidate.reviews} review(s); scored as {shrunk_rating(candidate):.2f} with "
            f"{RATING_PRIOR_REVIEWS} neutral pseudo-reviews",
            contribution=round(f.rating_n, 4),
            unit="stars",
        ),
        Driver(
            "stock_turn",
            round(f.stock_turn, 4),
            f"{candidate.units_sold} ordered / {candidate.mean_on_hand:.1f} mean on hand",
            contribution=round(f.turn_n, 4),
            unit="turns",
        ),
    )


def recommend(
    candidates: Sequence[Candidate],
    *,
    window_days: int,
    max_products: int | None,
    budget_minor: int | None,
    promote_share: float,
) -> Plan:
    scored = factors(candidates, window_days)
    costs = [inventory_cost(c) for c in candidates]
    if max_products is None and budget_minor is None:
        selection = knapsack.Selection(frozenset(range(len(candidates))), 0.0, 0, exact=True)
    else:
        items = [knapsack.Item(f.score, cost) for f, cost in zip(scored, costs, strict=True)]
        selection = knapsack.solve(items, budget=budget_minor, max_count=max_products)
    order = sorted(range(len(candidates)), key=lambda i: (-scored[i].score, candidates[i].product_id))
    kept = [i for i in order if i in selection.chosen]
    promote_count = math.ceil(len(kept) * promote_share) if promote_share > 0 else 0
    promoted = set(kept[:promote_count])
    decisions = tuple(
        Decision(
            candidates[i],
            scored[i],
            PROMOTE if i in promoted else KEEP if i in selection.chosen else DROP,
            costs[i],
            drivers_of(candidates[i], scored[i], window_days),
        )
        for i in order
    )
    return Plan(
        decisions,
        kept=len(kept),
        dropped=len(candidates) - len(kept),
        total_score=sum(scored[i].score for i in kept),
        total_cost_minor=sum(costs[i] for i in kept),
        exact=selection.exact,
    )
