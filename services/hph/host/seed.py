"""`hph seed` and first start of `hph up`: the deterministic demo data, written by each owner."""

from __future__ import annotations

import logging

from hph.commerce.demo_data import generate_catalog
from hph.commerce.demo_messy import with_messy_products
from hph.runtime import clock as clocks
from hph.runtime.deps import Dependencies
from hph.runtime.events import NOT_OUTBOX
from hph.runtime.storage import ConflictError, DocumentStore, Query

log = logging.getLogger("hph.seed")


async def has_demo_data(store: DocumentStore) -> bool:
    """Whether the store holds any product (demo data was seeded, or the catalog was written)."""
    from hph.services.catalog.servicer import PRODUCT_PARTITION_KEY, PRODUCTS

    products = await store.container(PRODUCTS, PRODUCT_PARTITION_KEY)
    return await products.count(Query(NOT_OUTBOX)) > 0


async def seed_demo_data(deps: Dependencies, *, only_if_empty: bool, messy: bool | None = None) -> dict[str, int]:
    """Seeds catalog, stock and users; with only_if_empty, does nothing on a store with products.
    `messy` (default: HPH_SEED_MESSY_PRODUCTS) corrupts the demo's known set of products
    (hph.commerce.demo_messy) for the product-management agents to find."""
    from hph.services.catalog.seed import seed_catalog
    from hph.services.catalog.servicer import PRODUCT_PARTITION_KEY, PRODUCTS
    from hph.services.inventory.ledger import INVENTORY
    from hph.services.inventory.ledger import PARTITION_KEY as INVENTORY_PARTITION_KEY
    from hph.services.inventory.rules import new_stock_document
    from hph.services.users.seed import seed_users

    products = await deps.store.container(PRODUCTS, PRODUCT_PARTITION_KEY)
    if only_if_empty and await products.count(Query(NOT_OUTBOX)) > 0:
        return {}
    demo = generate_catalog()
    if deps.settings.seed_messy_products if messy is None else messy:
        demo = with_messy_products(demo)
    counts = await seed_catalog(deps, demo)
    # Stock records belong to the inventory service, which defines their shape and container.
    inventory = await deps.store.container(INVENTORY, INVENTORY_PARTITION_KEY)
    now = clocks.to_iso(deps.clock())
    stocked = 0
    for product in demo.products:
        try:
            await inventory.create(
                new_stock_document(
                    product.id,
                    on_hand=product.stock_on_hand,
                    reorder_point=product.reorder_point,
                    safety_stock=product.safety_stock,
                    now=now,
                )
            )
            stocked += 1
        except ConflictError:
            pass
    counts["stock levels"] = stocked
    counts.update(await seed_users(deps, demo))
    log.info("demo data seeded", extra={"counts": counts})
    return counts
