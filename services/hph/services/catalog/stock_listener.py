"""Keeps each product's `in_stock` flag true to inventory: the consumer group "catalog" of the stock
events of inventory-events (`consumer_group`).

Inventory owns stock and the catalog owns products; neither writes the other's documents. Every
inventory event carries the SKU's stock level right after the change, so the catalog only needs
the latest level to set `in_stock` (available > 0). Events of one SKU arrive in commit order and
redeliveries are harmless (the flag is set, not toggled), so at-least-once delivery is enough.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from holidaypeak.events.v1 import inventory_events_pb2 as ev
from hph.runtime.consumers import ConsumerGroup, Delivery, Subscription
from hph.runtime.documents import update_document
from hph.runtime.errors import NotFound
from hph.runtime.storage import Container, Document

TOPIC = "inventory-events"
GROUP = "catalog"
# Every inventory event that reports a SKU's stock level after a change.
STOCK_EVENTS = (ev.InventoryReserved, ev.InventoryReleased, ev.InventoryConfirmed, ev.InventoryAdjusted, ev.LowStock)


class StockListener:
    def __init__(self, products: Container, on_change: Callable[[str], Awaitable[None]] | None = None) -> None:
        """`on_change(product_id)` runs after a flag changed (e.g. to drop a cached copy)."""
        self._products = products
        self._on_change = on_change

    def consumer_group(self) -> ConsumerGroup:
        return ConsumerGroup(GROUP, (Subscription.to(TOPIC, self.handle, *STOCK_EVENTS),))

    async def handle(self, delivery: Delivery) -> None:
        payload = delivery.payload
        if not isinstance(payload, STOCK_EVENTS) or not payload.HasField("level"):
            return
        sku = payload.sku
        in_stock = payload.level.available > 0

        changed = False

        async def mutate(doc: Document) -> Document | None:
            nonlocal changed
            if bool(doc.get("in_stock")) == in_stock:
                return None
            changed = True
            # updated_at stays: the product itself did not change, only what inventory says of it.
            return {**doc, "in_stock": in_stock}

        try:
            await update_document(self._products, sku, sku, mutate, what="product")
        except NotFound:
            return  # stock of a SKU the catalog does not (or no longer) list
        if changed and self._on_change is not None:
            await self._on_change(sku)
