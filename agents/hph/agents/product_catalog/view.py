"""The catalog as the product-management agents see it: every listed product and every category,
held in memory, built from CatalogService and kept current from product events.

Each process keeps its own copy (hph.agents.runtime.FollowedProjection: a per-replica group, the
build after the group's start). `version` counts changes, so a model or an audit computed from the
view knows whether it is still current; listeners run after every change (the classifier's trainer
schedules a retraining).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from holidaypeak.events.v1 import product_events_pb2 as product_ev
from hph.agents.product_catalog.records import ProductRecord, record_from_product, record_from_snapshot
from hph.agents.runtime import FollowedProjection
from hph.agents.runtime.catalog import CatalogReader
from hph.runtime.clock import Clock
from hph.runtime.consumers import Delivery, Subscription
from hph.runtime.events import payload_of

GROUP = "product-catalog"
PRODUCT_TOPIC = "product-events"
SOURCE = f"projection:{GROUP}"


@dataclass(frozen=True)
class CategoryInfo:
    id: str
    name: str
    parent_id: str


class CatalogView(FollowedProjection):
    def __init__(self, reader: CatalogReader | None, clock: Clock) -> None:
        super().__init__(GROUP, clock)
        self._reader = reader
        self.products: dict[str, ProductRecord] = {}
        self.categories: dict[str, CategoryInfo] = {}
        self.version = 0
        self.listeners: list[Callable[[], None]] = []

    def subscriptions(self) -> list[Subscription]:
        return [Subscription.to(PRODUCT_TOPIC, self.handle)]

    def install(self, products: list[ProductRecord], categories: list[CategoryInfo]) -> None:
        """Replaces the view (a build; tests and evaluations install a catalog directly)."""
        self.products = {p.id: p for p in products}
        self.categories = {c.id: c for c in categories}
        self.ready = True
        self._changed()

    def category_name(self, category_id: str) -> str:
        found = self.categories.get(category_id)
        return found.name if found else ""

    def ancestors(self, category_id: str) -> list[str]:
        """The category's parents, nearest first."""
        found: list[str] = []
        current = self.categories.get(category_id)
        while current is not None and current.parent_id and current.parent_id not in found:
            found.append(current.parent_id)
            current = self.categories.get(current.parent_id)
        return found

    async def build(self) -> None:
        if self._reader is None:
            return
        categories = [CategoryInfo(c.id, c.name, c.parent_id) async for c in self._reader.categories()]
        products = [record_from_product(p) async for p in self._reader.every_product()]
        self.products = {p.id: p for p in products}
        self.categories = {c.id: c for c in categories}

    async def built(self) -> None:
        self._changed()

    async def apply(self, delivery: Delivery) -> bool:
        payload = payload_of(delivery.envelope)
        if isinstance(payload, product_ev.ProductCreated | product_ev.ProductUpdated):
            snapshot = payload.product
            if snapshot.status != product_ev.PRODUCT_STATUS_ACTIVE:
                changed = self.products.pop(snapshot.product_id, None) is not None
            else:
                before = self.products.get(snapshot.product_id)
                record = record_from_snapshot(snapshot)
                if before is not None:  # an event says nothing of stock: the last known stays
                    record = dataclasses.replace(record, in_stock=before.in_stock)
                # An event carries no etag: the same content as the build read is no change.
                changed = before is None or dataclasses.replace(before, etag="") != record
                if changed:
                    self.products[snapshot.product_id] = record
            await self._know_category(snapshot.category_id)
        elif isinstance(payload, product_ev.ProductArchived):
            changed = self.products.pop(payload.product_id, None) is not None
        else:
            return False
        if changed:
            self._changed()
        return changed

    async def _know_category(self, category_id: str) -> None:
        """A category created since the build: read its name once (the classifier labels with it)."""
        if not category_id or category_id in self.categories or self._reader is None:
            return
        async for category in self._reader.categories():
            self.categories.setdefault(category.id, CategoryInfo(category.id, category.name, category.parent_id))

    def _changed(self) -> None:
        self.version += 1
        for listener in self.listeners:
            listener()
