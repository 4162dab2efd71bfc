"""What the index knows of a product, and the boosts it earns from stock, reviews and sales."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Boosts multiply text relevance: score = bm25 x (1 + sum of the applied boosts' contributions).
IN_STOCK_BOOST = 0.30
RATING_BOOST = 0.20
POPULARITY_BOOST = 0.25
# A rating counts fully from this many reviews on (fewer reviews, proportionally less).
RATING_FULL_CONFIDENCE_REVIEWS = 5
# Units sold at which popularity reaches its full boost (log scale below it); a fixed scale, so one
# product's sale never changes another product's boost.
POPULARITY_FULL_UNITS = 200


@dataclass(frozen=True)
class SearchDocument:
    """One active product as the index holds it (category path and names leaf first)."""

    product_id: str
    name: str
    brand: str
    description: str
    tags: tuple[str, ...]
    category_id: str
    category_path: tuple[str, ...]
    category_names: tuple[str, ...]
    price_minor: int
    currency_code: str
    image_url: str = ""
    in_stock: bool = False
    # Units available to order, when inventory said (None: only the catalog's in_stock flag known).
    available: int | None = None
    rating: float = 0.0
    review_count: int = 0
    units_sold: int = 0

    @property
    def category_name(self) -> str:
        return self.category_names[0] if self.category_names else ""


@dataclass(frozen=True)
class Boost:
    """One applied boost: its weight, the normalised value (0..1) and what it adds to the multiplier."""

    name: str
    weight: float
    value: float
    normalised: float
    unit: str
    reason: str

    @property
    def contribution(self) -> float:
        return self.weight * self.normalised


@dataclass(frozen=True)
class Boosts:
    items: tuple[Boost, ...] = field(default_factory=tuple)

    @property
    def multiplier(self) -> float:
        return 1.0 + sum(b.contribution for b in self.items)


def boosts_of(doc: SearchDocument) -> Boosts:
    """The boosts `doc` earns; every one is listed, with 0 contribution when it does not apply."""
    stock = Boost(
        "in_stock_boost",
        IN_STOCK_BOOST,
        1.0 if doc.in_stock else 0.0,
        1.0 if doc.in_stock else 0.0,
        "",
        "in stock" if doc.in_stock else "out of stock: no stock boost",
    )
    rating_norm = rating_normalised(doc.rating, doc.review_count)
    rating = Boost(
        "rating_boost",
        RATING_BOOST,
        doc.rating,
        rating_norm,
        "stars",
        f"rated {doc.rating:.1f} from {doc.review_count} reviews"
        if doc.review_count
        else "no reviews: no rating boost",
    )
    popularity_norm = popularity_normalised(doc.units_sold)
    popularity = Boost(
        "popularity_boost",
        POPULARITY_BOOST,
        float(doc.units_sold),
        popularity_norm,
        "units",
        f"{doc.units_sold} units sold" if doc.units_sold else "no sales yet: no popularity boost",
    )
    return Boosts((stock, rating, popularity))


def rating_normalised(rating: float, review_count: int) -> float:
    """0 at 3 stars or below, 1 at 5 stars, scaled down below RATING_FULL_CONFIDENCE_REVIEWS reviews."""
    if review_count <= 0:
        return 0.0
    stars = min(1.0, max(0.0, (rating - 3.0) / 2.0))
    return stars * min(1.0, review_count / RATING_FULL_CONFIDENCE_REVIEWS)


def popularity_normalised(units_sold: int) -> float:
    if units_sold <= 0:
        return 0.0
    return min(1.0, math.log1p(units_sold) / math.log1p(POPULARITY_FULL_UNITS))


def tantivy_weight(multiplier: float) -> float:
    """The fast-field value tantivy's `weight_by_field` turns into `multiplier`: it multiplies the
    score by log2(2 + weight), so weight = 2 ** multiplier - 2 (0 for no boost)."""
    return max(0.0, float(2.0**multiplier) - 2.0)
