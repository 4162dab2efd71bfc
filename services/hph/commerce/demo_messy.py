"""The demo's messy products: a known, deterministic set of corrupted demo products (bad
casing and units, wrong categories, price outliers, a zero price, near-duplicate titles, missing or
short descriptions, malformed image URLs, duplicate SKUs), so the product-management agents have
something real to find and `hph eval` can measure how much of it they find.

Most are demo products corrupted in place (the generator corrupts a known set of products); near
duplicates and a duplicate SKU are added copies. The list and its ground truth are data
(data/messy_products.json); this module only applies it to a generated catalog. Pure, like
hph.commerce.demo_data: `hph seed --messy` (or HPH_SEED_MESSY_PRODUCTS=true on `hph up`'s first
start) writes the result.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from hph.commerce.demo_data import DemoCatalog, DemoProduct

# Opening stock of a messy product: on sale, nowhere near its reorder point.
STOCK_ON_HAND, REORDER_POINT, SAFETY_STOCK = 25, 5, 2


@dataclass(frozen=True)
class MessyProduct:
    """A corrupted product and what is known to be wrong with it."""

    product: DemoProduct
    base_id: str
    # True for a copy added beside its base; False for the base corrupted in place.
    added: bool
    corruptions: tuple[str, ...]
    expected_findings: tuple[str, ...]
    true_category: str
    expected_name: str


@cache
def _entries() -> tuple[dict[str, Any], ...]:
    raw = json.loads(resources.files(__package__).joinpath("data/messy_products.json").read_text(encoding="utf-8"))
    return tuple(raw["products"])


def messy_products(catalog: DemoCatalog) -> tuple[MessyProduct, ...]:
    by_category: dict[str, list[DemoProduct]] = {}
    for product in catalog.products:
        by_category.setdefault(product.category_id, []).append(product)

    def pick(where: list[Any]) -> DemoProduct:
        category, rank = str(where[0]), int(where[1])
        return by_category[category][rank]

    found = []
    for entry in _entries():
        base = pick(entry["base"])
        changes: dict[str, Any] = {
            key: value.replace("{base_name}", base.name).replace("{base_id}", base.id)
            if isinstance(value, str)
            else value
            for key, value in entry["set"].items()
        }
        new_id = entry.get("as") or (
            pick(entry["as_sku_of"]).id.lower().replace("-", "_") if "as_sku_of" in entry else None
        )
        if new_id is not None:  # an added copy: its own id, image and opening stock
            changes = {
                "id": new_id,
                "image_url": base.image_url.replace(base.id, new_id),
                "stock_on_hand": STOCK_ON_HAND,
                "reorder_point": REORDER_POINT,
                "safety_stock": SAFETY_STOCK,
            } | changes
        found.append(
            MessyProduct(
                dataclasses.replace(base, **changes),
                base.id,
                new_id is not None,
                tuple(entry["corruptions"]),
                tuple(entry["expected_findings"]),
                entry["true_category"],
                entry["expected_name"],
            )
        )
    return tuple(found)


def with_messy_products(catalog: DemoCatalog) -> DemoCatalog:
    """The catalog with its messy products: corrupted in place, the added copies after the rest."""
    messy = messy_products(catalog)
    in_place = {m.product.id: m.product for m in messy if not m.added}
    products = tuple(in_place.get(p.id, p) for p in catalog.products) + tuple(m.product for m in messy if m.added)
    return dataclasses.replace(catalog, products=products)
