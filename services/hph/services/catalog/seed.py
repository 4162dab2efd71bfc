"""Writes the demo catalog into the catalog containers (create-if-absent: staff edits survive).

Seeding emits no ProductCreated: the demo catalog is the store's starting state, not a staff action,
and a consumer that needs it reads the catalog (events only report changes after that).
"""

from __future__ import annotations

from hph.commerce.demo_data import DemoCatalog
from hph.runtime import clock as clocks
from hph.runtime.deps import Dependencies
from hph.runtime.storage import ConflictError, Container, Document
from hph.services.catalog import rules
from hph.services.catalog.servicer import (
    CATEGORIES,
    CATEGORY_PARTITION_KEY,
    PRODUCT_PARTITION_KEY,
    PRODUCTS,
    product_document,
)


async def _create_missing(container: Container, docs: list[Document]) -> int:
    created = 0
    for doc in docs:
        try:
            await container.create(doc)
            created += 1
        except ConflictError:
            pass
    return created


async def seed_catalog(deps: Dependencies, demo: DemoCatalog) -> dict[str, int]:
    now = clocks.to_iso(deps.clock())
    categories = [
        {
            "id": c.id,
            "name": c.name,
            "description": c.description,
            "parent_id": c.parent_id,
            "image_url": c.image_url,
            "status": rules.ACTIVE,
            "created_at": now,
            "updated_at": now,
        }
        for c in demo.categories
    ]
    products = [
        product_document(
            {
                "id": p.id,
                "name": p.name,
                "description": p.description,
                "price_minor": p.price_minor,
                "currency_code": p.currency_code,
                "category_id": p.category_id,
                "image_url": p.image_url,
                "brand": p.brand,
                "tags": list(p.tags),
                "status": rules.ACTIVE,
                "in_stock": p.stock_on_hand > 0,
                "created_at": now,
                "updated_at": now,
                "request_id": "",
            }
        )
        for p in demo.products
    ]
    return {
        "categories": await _create_missing(await deps.store.container(CATEGORIES, CATEGORY_PARTITION_KEY), categories),
        "products": await _create_missing(await deps.store.container(PRODUCTS, PRODUCT_PARTITION_KEY), products),
    }
