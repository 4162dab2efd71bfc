"""Personal recommendations: products from the shopper's own categories and their segment's, never
one they already bought. A pure function of the shopper's activity, the latest segmentation run and
the candidate products (in stock, read from the catalog by the servicer).

score = 0.5 x shopper affinity + 0.3 x segment affinity + 0.2 x popularity, where
- shopper affinity = the shopper's units in the product's category / all their units;
- segment affinity = the segment's units in the category / all its units (a prospect, or a shopper
  not scored yet, borrows the whole base's);
- popularity = the segment's units of the product / its best seller's units.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from hph.agents.crm_activity.records import Activity
from hph.agents.crm_segmentation_personalization.rfm import Run, Segment
from hph.agents.runtime import Driver

METHOD: Final = "rfm-affinity-recs-v1"
WEIGHTS: Final = {"shopper_affinity": 0.5, "segment_affinity": 0.3, "popularity": 0.2}
TOP_CATEGORIES: Final = 3


@dataclass(frozen=True)
class Candidate:
    product_id: str
    category_id: str
    in_stock: bool


@dataclass(frozen=True)
class Recommendation:
    product_id: str
    category_id: str
    score: float
    reason: str
    drivers: tuple[Driver, ...]


@dataclass(frozen=True)
class Taste:
    """What the recommendations start from: the shopper's segment, their category shares, the
    segment's, the segment's product units, and what they bought."""

    segment: Segment | None
    shopper: dict[str, float]
    segment_shares: dict[str, float]
    segment_units: dict[str, int]
    bought: frozenset[str]
    borrowed: bool  # the segment figures are the whole base's

    def categories(self) -> list[str]:
        """The categories to look in: the shopper's top ones, then the segment's."""
        top = [c for c, _ in sorted(self.shopper.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CATEGORIES]]
        top += [c for c, _ in sorted(self.segment_shares.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CATEGORIES]]
        return list(dict.fromkeys(c for c in top if c != "uncategorised"))


def _shares(units: Counter[str] | dict[str, int]) -> dict[str, float]:
    total = sum(units.values())
    return {key: value / total for key, value in units.items()} if total else {}


def taste(activity: Activity, run: Run) -> Taste:
    mine: Counter[str] = Counter()
    bought: set[str] = set()
    for order in activity.orders:
        if not order.counts:
            continue
        for line in order.lines:
            mine[line.category_id or "uncategorised"] += line.quantity
            bought.add(line.sku)
    scores = run.customers.get(activity.user_id)
    segment = scores.segment if scores is not None else None
    categories = run.segment_categories.get(segment, {}) if segment is not None else {}
    products = run.segment_products.get(segment, {}) if segment is not None else {}
    borrowed = not categories
    if borrowed:  # a prospect's segment has bought nothing: the whole base's taste stands in
        categories, products = {}, {}
        for per_segment in run.segment_categories.values():
            categories = dict(Counter(categories) + Counter(per_segment))
        for per_segment in run.segment_products.values():
            products = dict(Counter(products) + Counter(per_segment))
    return Taste(segment, _shares(mine), _shares(categories), dict(products), frozenset(bought), borrowed)


def recommend(taste_of: Taste, candidates: Iterable[Candidate], limit: int) -> list[Recommendation]:
    best_seller = max(taste_of.segment_units.values(), default=0)
    found: list[Recommendation] = []
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.product_id in seen or candidate.product_id in taste_of.bought or not candidate.in_stock:
            continue
        seen.add(candidate.product_id)
        parts = {
            "shopper_affinity": taste_of.shopper.get(candidate.category_id, 0.0),
            "segment_affinity": taste_of.segment_shares.get(candidate.category_id, 0.0),
            "popularity": taste_of.segment_units.get(candidate.product_id, 0) / best_seller if best_seller else 0.0,
        }
        score = round(sum(WEIGHTS[name] * value for name, value in parts.items()), 4)
        if score <= 0:
            continue
        units = taste_of.segment_units.get(candidate.product_id, 0)
        who = "the whole base" if taste_of.borrowed else "the segment"
        drivers = (
            Driver(
                "shopper_affinity",
                round(parts["shopper_affinity"], 4),
                f"{parts['shopper_affinity']:.0%} of the shopper's units are in {candidate.category_id}",
                weight=WEIGHTS["shopper_affinity"],
                contribution=round(WEIGHTS["shopper_affinity"] * parts["shopper_affinity"], 4),
                unit="share",
            ),
            Driver(
                "segment_affinity",
                round(parts["segment_affinity"], 4),
                f"{parts['segment_affinity']:.0%} of {who}'s units are in {candidate.category_id}",
                weight=WEIGHTS["segment_affinity"],
                contribution=round(WEIGHTS["segment_affinity"] * parts["segment_affinity"], 4),
                unit="share",
            ),
            Driver(
                "popularity",
                units,
                f"{units} unit(s) bought by {who}, best seller {best_seller}",
                weight=WEIGHTS["popularity"],
                contribution=round(WEIGHTS["popularity"] * parts["popularity"], 4),
                unit="units",
            ),
        )
        reason = (
            f"{candidate.category_id}: {parts['shopper_affinity']:.0%} of your units, "
            f"{parts['segment_affinity']:.0%} of {who}'s; {units} bought there"
        )
        found.append(Recommendation(candidate.product_id, candidate.category_id, score, reason, drivers))
    found.sort(key=lambda r: (-r.score, r.product_id))
    return found[:limit]
