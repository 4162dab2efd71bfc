"""Similar products: same category, scored by shared tags, same brand and price proximity.

    score = W_TAGS x jaccard(tags) + W_BRAND x [same brand] + W_PRICE x price_proximity
    price_proximity = max(0, 1 - |p - q| / max(p, q))

Candidates are the active products of the product's category (and its subcategories), never the
product itself. Ranked by score, then price distance, then id (deterministic).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from hph.agents.runtime import Driver

W_TAGS: Final = 0.45
W_PRICE: Final = 0.35
W_BRAND: Final = 0.20


@dataclass(frozen=True)
class Item:
    id: str
    category_id: str
    brand: str
    tags: frozenset[str]
    price: float


@dataclass(frozen=True)
class Similar:
    item: Item
    score: float
    drivers: tuple[Driver, ...]
    price_distance: float

    @property
    def reason(self) -> str:
        tags, price, brand = (driver.value for driver in self.drivers)
        return (
            f"same category; tag overlap {tags:.2f}, price proximity {price:.2f}"
            + (", same brand" if brand else "")
            + f"; score {self.score:.3f}"
        )


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def price_proximity(p: float, q: float) -> float:
    top = max(p, q)
    return max(0.0, 1.0 - abs(p - q) / top) if top > 0 else 1.0


def score(anchor: Item, other: Item) -> Similar:
    tags = jaccard(anchor.tags, other.tags)
    price = price_proximity(anchor.price, other.price)
    brand = 1.0 if anchor.brand and anchor.brand.casefold() == other.brand.casefold() else 0.0
    drivers = (
        Driver(
            "tag_overlap",
            round(tags, 4),
            "shared tags / all tags of both",
            weight=W_TAGS,
            contribution=round(W_TAGS * tags, 4),
        ),
        Driver(
            "price_proximity",
            round(price, 4),
            f"{other.price:.2f} against {anchor.price:.2f}",
            weight=W_PRICE,
            contribution=round(W_PRICE * price, 4),
        ),
        Driver("same_brand", brand, other.brand or "no brand", weight=W_BRAND, contribution=W_BRAND * brand),
    )
    total = W_TAGS * tags + W_PRICE * price + W_BRAND * brand
    return Similar(other, round(total, 4), drivers, abs(anchor.price - other.price))


def most_similar(anchor: Item, candidates: Iterable[Item], limit: int) -> list[Similar]:
    scored = [score(anchor, other) for other in candidates if other.id != anchor.id]
    scored.sort(key=lambda found: (-found.score, found.price_distance, found.item.id))
    return scored[: max(limit, 0)]
