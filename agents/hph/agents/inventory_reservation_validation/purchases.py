"""The shoppers' purchases of hot SKUs: a projection of order events the peak limits count against.

Consumer group "inventory-reservation-validation" of "order-events": OrderCreated records the order's
hot lines, OrderCancelled marks them cancelled (cancelled orders do not count); other events are
skipped. Only SKUs hot in the policy at the time are kept (one small document per order that has
any), so a SKU made hot later counts purchases from then on, or from the start of the log after a
replay of the group.

Container `reservation_validation_purchases`, partition key /shopper_id: one document per order
(id = order id), so a shopper's count in a window is one single-partition query. Delivery is at least
once and each effect is idempotent: OrderCreated is a create (a redelivery conflicts and changes
nothing); OrderCancelled sets `cancelled` (again: no change), and when it arrives for an order never
recorded it leaves a cancelled tombstone, so a late OrderCreated cannot count it.

The answer's freshness is the occurred_at of the newest order event applied by this process (unset
until one arrives after a restart; the documents themselves are durable).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime

from holidaypeak.events.v1 import order_events_pb2
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.runtime import FreshnessTracker
from hph.runtime.clock import to_iso
from hph.runtime.documents import update_document
from hph.runtime.storage import And, ConflictError, Container, ContainerSpec, Document, Eq, Ge, NotFoundError, Query

log = logging.getLogger("hph.agents.inventory_reservation_validation")

PURCHASES, PURCHASES_KEY = "reservation_validation_purchases", "/shopper_id"
CONTAINER = ContainerSpec(PURCHASES, PURCHASES_KEY)
TOPIC, GROUP = "order-events", "inventory-reservation-validation"
KIND = "hot_purchase"
SOURCE = "projection:hot-purchases"
PAGE = 100


class HotPurchases:
    """The projection (its event handler) and the count the decisions read."""

    def __init__(self, container: Container, hot_skus: Collection[str]) -> None:
        self._container = container
        self._hot = frozenset(hot_skus)
        # occurred_at of the newest order event applied here; None before the first.
        self.freshness = FreshnessTracker()

    @property
    def data_as_of(self) -> datetime | None:
        return self.freshness.data_as_of

    async def handle(self, envelope: EventEnvelope) -> None:
        kind = envelope.WhichOneof("payload")
        if kind == "order_created":
            await self._created(envelope.order_created, envelope.occurred_at.ToDatetime(tzinfo=UTC))
        elif kind == "order_cancelled":
            await self._cancelled(envelope.order_cancelled)
        else:
            return
        self.freshness.observed(envelope.occurred_at.ToDatetime(tzinfo=UTC))

    async def bought(self, shopper_id: str, skus: Collection[str], since: datetime) -> dict[str, int]:
        """Units of each of `skus` the shopper ordered at or after `since`, not cancelled."""
        wanted = set(skus)
        totals = dict.fromkeys(wanted, 0)
        if not wanted:
            return totals
        query = Query(where=And(Eq("kind", KIND), Eq("cancelled", False), Ge("placed_at", to_iso(since))))
        continuation: str | None = None
        while True:
            page = await self._container.query(
                query, partition_key=shopper_id, max_items=PAGE, continuation=continuation
            )
            for doc in page.items:
                for sku, units in doc["lines"].items():
                    if sku in wanted:
                        totals[sku] += int(units)
            continuation = page.continuation
            if continuation is None:
                return totals

    async def _created(self, created: order_events_pb2.OrderCreated, placed_at: datetime) -> None:
        lines = self._hot_lines(created.lines)
        if not lines:
            return
        doc = self._document(created.order_id, created.user_id, lines, placed_at=to_iso(placed_at), cancelled=False)
        try:
            await self._container.create(doc)
        except ConflictError:
            log.debug("order already projected", extra={"order_id": created.order_id})

    async def _cancelled(self, cancelled: order_events_pb2.OrderCancelled) -> None:
        lines = self._hot_lines(cancelled.lines)
        if not lines:
            return
        try:
            await self._container.read(cancelled.order_id, cancelled.user_id)
        except NotFoundError:
            tombstone = self._document(cancelled.order_id, cancelled.user_id, lines, placed_at="", cancelled=True)
            await self._container.create(tombstone)  # a conflict (created meanwhile) retries the event
            return

        async def cancel(doc: Document) -> Document | None:
            return None if doc["cancelled"] else {**doc, "cancelled": True}

        await update_document(self._container, cancelled.order_id, cancelled.user_id, cancel, what="purchase")

    def _hot_lines(self, lines: Collection[order_events_pb2.OrderLine]) -> dict[str, int]:
        hot: dict[str, int] = {}
        for line in lines:
            if line.sku in self._hot:
                hot[line.sku] = hot.get(line.sku, 0) + line.quantity
        return hot

    @staticmethod
    def _document(
        order_id: str, shopper_id: str, lines: dict[str, int], *, placed_at: str, cancelled: bool
    ) -> Document:
        return {
            "id": order_id,
            "shopper_id": shopper_id,
            "kind": KIND,
            "placed_at": placed_at,
            "lines": lines,
            "cancelled": cancelled,
        }
