"""The feed projection: one document per product in container `acp_feed` (partition key /item_id),
kept by the shared consumer group "acp-transformation" of "product-events" and "inventory-events".

Per event: one point read and one etag-guarded write of the product's document (through
hph.runtime.commit, which re-plans a lost race: a product and a stock event of one product may be
handled at once by two partitions' workers). The merges (records.py) keep the newest version of
each part, so a redelivery changes nothing and a replay of the group into an emptied container ends
in the same documents.

Stock seeded before the platform ran, or a product whose events have left the log's retention,
has no event to be learnt from: `backfill` reads the catalog and inventory (as the platform) and
merges what they hold with the same rule, at start-up and whenever asked; with the documents
current it writes nothing.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC
from typing import Any, Final

from holidaypeak.commerce.v1 import inventory_item_pb2, product_pb2
from holidaypeak.events.v1 import inventory_events_pb2 as inv_ev
from holidaypeak.events.v1 import product_events_pb2 as prod_ev
from hph.agents.acp_transformation import records
from hph.agents.runtime import BUILD_RETRY_SECONDS
from hph.runtime.clock import to_iso
from hph.runtime.commit import Done, Write, commit
from hph.runtime.consumers import ConsumerGroup, Delivery, EventConsumers, Subscription
from hph.runtime.money import to_minor
from hph.runtime.storage import Container, ContainerSpec, DocumentStore, Eq, NotFoundError, Query
from hph.runtime.storage.port import CreateOp, ReplaceOp, without_system_fields

log = logging.getLogger("hph.agents.acp_transformation")

NAME, KEY = "acp_feed", "/item_id"
CONTAINER: Final = ContainerSpec(NAME, KEY)
GROUP: Final = "acp-transformation"
PRODUCT_TOPIC, INVENTORY_TOPIC = "product-events", "inventory-events"
SOURCE: Final = "projection:acp-transformation"
PAGE: Final = 500
PRODUCT_EVENTS = (prod_ev.ProductCreated, prod_ev.ProductUpdated, prod_ev.ProductArchived)
STOCK_EVENTS = (
    inv_ev.InventoryReserved,
    inv_ev.InventoryReleased,
    inv_ev.InventoryConfirmed,
    inv_ev.InventoryAdjusted,
    inv_ev.LowStock,
)
SERVICE_SEQUENCE = -1  # a service read ranks below the event of the same change

Merge = Callable[[records.Doc], "records.Doc | None"]


class FeedProjection:
    """The group's handler, the backfill and the reads (any number of processes may read)."""

    def __init__(self, container: Container) -> None:
        self._container = container

    @classmethod
    async def open(cls, store: DocumentStore) -> FeedProjection:
        return cls(await CONTAINER.open(store))

    def follow(self, bus: EventConsumers | None) -> None:
        """Declares the shared group that keeps the documents (no bus: reads only)."""
        if bus is not None:
            bus.declare(
                ConsumerGroup(
                    GROUP,
                    (
                        Subscription.to(PRODUCT_TOPIC, self.handle, *PRODUCT_EVENTS),
                        Subscription.to(INVENTORY_TOPIC, self.handle, *STOCK_EVENTS),
                    ),
                )
            )

    async def handle(self, delivery: Delivery) -> None:
        payload: Any = delivery.payload
        occurred = to_iso(delivery.envelope.occurred_at.ToDatetime(tzinfo=UTC))
        version = [occurred, int(delivery.event.sequence)]
        if isinstance(payload, prod_ev.ProductCreated | prod_ev.ProductUpdated):
            snapshot = payload.product
            values = snapshot_values(snapshot)
            await self.merge(snapshot.product_id, lambda doc: records.with_product(doc, values, version))
        elif isinstance(payload, prod_ev.ProductArchived):
            await self.merge(payload.product_id, lambda doc: records.archived(doc, version))
        elif isinstance(payload, STOCK_EVENTS):
            level = payload.level
            await self.merge(payload.sku, lambda doc: records.with_stock(doc, level.on_hand, level.available, version))

    async def merge(self, product_id: str, change: Merge) -> bool:
        """Applies `change` to the product's document (created when missing); True when it wrote."""

        async def plan(_: int) -> Write[bool] | Done[bool]:
            try:
                stored = await self._container.read(product_id, product_id)
            except NotFoundError:
                stored = None
            current = without_system_fields(stored) if stored is not None else records.empty(product_id)
            merged = change(current)
            if merged is None:
                return Done(False)
            if stored is None:
                return Write([CreateOp(merged)], lambda _: True)
            return Write([ReplaceOp(merged, if_match=str(stored["_etag"]))], lambda _: True)

        return await commit(self._container, product_id, plan, busy=f"feed item {product_id!r} is busy; retried")

    async def backfill(
        self, products: Iterable[product_pb2.Product], stock: Iterable[inventory_item_pb2.InventoryItem]
    ) -> int:
        """Merges the services' current state into the documents; returns how many it changed."""
        changed = 0
        for product in products:
            version = [to_iso(product.updated_at.ToDatetime(tzinfo=UTC)), SERVICE_SEQUENCE]
            change = functools.partial(_product_change, values=product_values(product), version=version)
            changed += await self.merge(product.id, change)
        for item in stock:
            version = [to_iso(item.updated_at.ToDatetime(tzinfo=UTC)), SERVICE_SEQUENCE]
            level = functools.partial(
                _stock_change, on_hand=item.quantity_on_hand, available=item.quantity_available, version=version
            )
            changed += await self.merge(item.sku, level)
        return changed

    async def one(self, product_id: str) -> records.Doc | None:
        try:
            return without_system_fields(await self._container.read(product_id, product_id))
        except NotFoundError:
            return None

    async def every(self) -> list[records.Doc]:
        """Every document, ordered by item id (a cross-partition query: for answers, never per event)."""
        found: list[records.Doc] = []
        continuation: str | None = None
        while True:
            page = await self._container.query(
                Query(where=Eq("kind", records.KIND)), max_items=PAGE, continuation=continuation
            )
            found.extend(without_system_fields(doc) for doc in page.items)
            continuation = page.continuation
            if continuation is None:
                return sorted(found, key=lambda doc: str(doc["item_id"]))


def _product_change(doc: records.Doc, *, values: dict[str, Any], version: records.Version) -> records.Doc | None:
    return records.with_product(doc, values, version)


def _stock_change(doc: records.Doc, *, on_hand: int, available: int, version: records.Version) -> records.Doc | None:
    return records.with_stock(doc, on_hand, available, version)


def snapshot_values(snapshot: prod_ev.ProductSnapshot) -> dict[str, Any]:
    return {
        "name": snapshot.name,
        "description": snapshot.description,
        "brand": snapshot.brand,
        "category_id": snapshot.category_id,
        "price_minor": int(snapshot.price_minor),
        "currency_code": snapshot.currency_code,
        "image_url": snapshot.image_url,
        "active": snapshot.status != prod_ev.PRODUCT_STATUS_ARCHIVED,
    }


def product_values(product: product_pb2.Product) -> dict[str, Any]:
    return {
        "name": product.name,
        "description": product.description,
        "brand": product.brand,
        "category_id": product.category_id,
        "price_minor": to_minor(product.price, product.currency_code),
        "currency_code": product.currency_code,
        "image_url": product.image_url,
        "active": product.status != product_pb2.PRODUCT_STATUS_ARCHIVED,
    }


class Backfill:
    """The backfill as a background task of the host: runs once the services answer (retrying with
    backoff while they cannot be read, e.g. another pod not up yet)."""

    def __init__(self, run: Callable[[], Awaitable[int]]) -> None:
        self._run = run
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._retrying(), name="acp-feed-backfill")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _retrying(self) -> None:
        attempt = 0
        while True:
            try:
                changed = await self._run()
            except Exception as exc:  # the platform may not be up yet: retry
                pause = BUILD_RETRY_SECONDS[min(attempt, len(BUILD_RETRY_SECONDS) - 1)]
                log.warning("acp feed backfill failed (%s); retrying in %.1f s", exc, pause)
                attempt += 1
                await asyncio.sleep(pause)
            else:
                log.info("acp feed backfilled", extra={"changed": changed})
                return
