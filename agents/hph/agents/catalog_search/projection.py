"""The search index as a projection: built from the services' state at start (so it can always be
rebuilt, not only replayed from the log) and kept current from product, inventory and order events.

Every process keeps its own index, so it follows every event through a per-replica consumer group
whose start is placed before the snapshot is read; events that arrive while a build is running are
queued and applied once it is done: each carries the state after its change (a product snapshot, a
stock level), so applying them after a snapshot read converges on the newest state
(hph.agents.runtime.FollowedProjection). Changes are gathered for `commit_interval` seconds and
made searchable in one commit, so a burst of events costs one commit, and a change is searchable
within about that interval of its event arriving.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from holidaypeak.commerce.v1 import product_pb2
from holidaypeak.events.v1 import inventory_events_pb2 as inventory_ev
from holidaypeak.events.v1 import order_events_pb2 as order_ev
from holidaypeak.events.v1 import product_events_pb2 as product_ev
from hph.agents.catalog_search.documents import SearchDocument
from hph.agents.catalog_search.index import SearchIndex
from hph.agents.catalog_search.sources import CategoryInfo, ServiceReader, ServiceState, category_path
from hph.agents.runtime import FollowedProjection
from hph.runtime.clock import Clock
from hph.runtime.consumers import Delivery
from hph.runtime.events import payload_of

log = logging.getLogger("hph.agents.catalog_search")

PRODUCT_TOPIC, INVENTORY_TOPIC, ORDER_TOPIC = "product-events", "inventory-events", "order-events"
GROUP = "catalog-search"
STOCK_EVENTS = (
    inventory_ev.InventoryReserved,
    inventory_ev.InventoryReleased,
    inventory_ev.InventoryConfirmed,
    inventory_ev.InventoryAdjusted,
    inventory_ev.LowStock,
)
# Paid units leave popularity again when an order that had been paid is cancelled.
_PAID_STATES = frozenset({order_ev.ORDER_STATUS_PAID, order_ev.ORDER_STATUS_FULFILLING, order_ev.ORDER_STATUS_SHIPPED})


def document_from_product(
    product: product_pb2.Product,
    categories: dict[str, CategoryInfo],
    *,
    available: int | None,
    rating: tuple[float, int] | None,
    units_sold: int,
) -> SearchDocument:
    ids, names = category_path(product.category_id, categories)
    return SearchDocument(
        product_id=product.id,
        name=product.name,
        brand=product.brand,
        description=product.description,
        tags=tuple(product.tags),
        category_id=product.category_id,
        category_path=ids,
        category_names=names,
        price_minor=round(product.price * 100),
        currency_code=product.currency_code,
        image_url=product.image_url,
        in_stock=available > 0 if available is not None else product.in_stock,
        available=available,
        rating=rating[0] if rating else 0.0,
        review_count=rating[1] if rating else 0,
        units_sold=units_sold,
    )


def documents_of(state: ServiceState) -> list[SearchDocument]:
    return [
        document_from_product(
            product,
            state.categories,
            available=state.available.get(product.id),
            rating=state.ratings.get(product.id),
            units_sold=state.units_sold.get(product.id, 0),
        )
        for product in state.products
    ]


def build_index(documents: Iterable[SearchDocument]) -> SearchIndex:
    index = SearchIndex()
    index.upsert_many(documents)
    index.commit()
    return index


class SearchProjection(FollowedProjection):
    """Owns the index the servicer searches; see the module docstring (the build-then-follow
    lifecycle is hph.agents.runtime.FollowedProjection's)."""

    def __init__(self, reader: ServiceReader, clock: Clock, commit_interval: float) -> None:
        super().__init__(GROUP, clock)
        self._reader = reader
        self._commit_interval = commit_interval
        self.index = SearchIndex()
        self.categories: dict[str, CategoryInfo] = {}
        self.sources: list[str] = []
        self.missing: list[str] = []
        self.build_seconds = 0.0
        self._build_started = 0.0
        self._commit_pending: asyncio.TimerHandle | None = None
        # Run after every commit and rebuild (e.g. to drop answers computed from the older index).
        self.on_change: list[Callable[[], None]] = []

    @property
    def data_as_of(self) -> datetime | None:
        """DataFreshness.data_as_of: the snapshot's read time, or the newest event applied since."""
        return self.freshness.data_as_of

    @property
    def degraded(self) -> bool:
        return not self.ready or bool(self.missing)

    async def stop(self) -> None:
        await super().stop()
        if self._commit_pending is not None:
            self._commit_pending.cancel()

    # --- the build ----------------------------------------------------------------------------

    async def build(self) -> None:
        """Reads the services' state and replaces the index with one built from it (off the event loop)."""
        self._build_started = time.perf_counter()
        state = await self._reader.read_all()
        index = await asyncio.to_thread(build_index, documents_of(state))
        self.index, self.categories = index, state.categories
        self.sources, self.missing = state.sources, state.missing

    async def built(self) -> None:
        self._commit_now()
        self._changed()
        self.build_seconds = time.perf_counter() - self._build_started
        log.info("search index built: %d products in %.2f s", len(self.index), self.build_seconds)

    # --- events -----------------------------------------------------------------------------

    async def apply(self, delivery: Delivery) -> bool:
        payload = payload_of(delivery.envelope)
        changed = False
        if isinstance(payload, product_ev.ProductCreated | product_ev.ProductUpdated):
            changed = await self._apply_snapshot(payload.product)
        elif isinstance(payload, product_ev.ProductArchived):
            changed = self.index.remove(payload.product_id)
        elif isinstance(payload, STOCK_EVENTS) and payload.HasField("level"):
            changed = self._update(payload.sku, available=payload.level.available, in_stock=payload.level.available > 0)
        elif isinstance(payload, order_ev.OrderPaid):
            changed = self._add_units(payload.lines, +1)
        elif isinstance(payload, order_ev.OrderCancelled) and payload.previous_status in _PAID_STATES:
            changed = self._add_units(payload.lines, -1)
        if changed and self.index.uncommitted:  # a stock count alone is visible at once (SearchIndex.revise)
            self._schedule_commit()
        return changed

    async def _apply_snapshot(self, snapshot: product_ev.ProductSnapshot) -> bool:
        if snapshot.status != product_ev.PRODUCT_STATUS_ACTIVE:
            return self.index.remove(snapshot.product_id)
        await self._know_category(snapshot.category_id)
        ids, names = category_path(snapshot.category_id, self.categories)
        before = self.index.get(snapshot.product_id)
        self.index.upsert(
            SearchDocument(
                product_id=snapshot.product_id,
                name=snapshot.name,
                brand=snapshot.brand,
                description=snapshot.description,
                tags=tuple(snapshot.tags),
                category_id=snapshot.category_id,
                category_path=ids,
                category_names=names,
                price_minor=snapshot.price_minor,
                currency_code=snapshot.currency_code,
                image_url=snapshot.image_url,
                # What the product snapshot does not say stays as inventory, reviews and sales said.
                in_stock=before.in_stock if before else False,
                available=before.available if before else None,
                rating=before.rating if before else 0.0,
                review_count=before.review_count if before else 0,
                units_sold=before.units_sold if before else 0,
            )
        )
        return True

    async def _know_category(self, category_id: str) -> None:
        """Reads a category (and its ancestors) the index has not seen, e.g. one created since."""
        current = category_id
        while current and current not in self.categories:
            found = await self._reader.category(current)
            if found is None:
                return
            self.categories[found.id] = found
            current = found.parent_id

    def _update(self, product_id: str, **changes: object) -> bool:
        doc = self.index.get(product_id)
        if doc is None:
            return False
        updated = dataclasses.replace(doc, **changes)  # type: ignore[arg-type]
        if updated == doc:
            return False
        self.index.revise(updated)
        return True

    def _add_units(self, lines: Iterable[order_ev.OrderLine], sign: int) -> bool:
        changed = False
        for line in lines:
            doc = self.index.get(line.sku)
            if doc is not None:
                changed |= self._update(line.sku, units_sold=max(0, doc.units_sold + sign * line.quantity))
        return changed

    # --- commits ----------------------------------------------------------------------------

    def _schedule_commit(self) -> None:
        if self._commit_pending is None:
            loop = asyncio.get_running_loop()
            self._commit_pending = loop.call_later(self._commit_interval, self._commit_now)

    def _commit_now(self) -> None:
        self._commit_pending = None
        if self.index.commit():
            self._changed()

    def _changed(self) -> None:
        for listener in self.on_change:
            listener()
