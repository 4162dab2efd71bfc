"""The stock signals projection: one document per SKU in container `inventory_signals` (partition
key /sku), kept by the shared consumer group "inventory-signals" of "inventory-events".

The three stock agents read it; each declares the same group (a re-declaration replaces the first
with an identical one), so it runs once per platform, wherever the host runs shared groups.

Per event: one point read and one etag-guarded write of the SKU's document (the fold is
`state.apply`); no scan, so it stays cheap while checkout writes stock events.

Exactly once without marks: a SKU's events come in order in one partition (partition key sku), so
the document keeps the (partition, sequence) of the last event it applied and skips anything at or
before it (a redelivery, or a replay of the group with the documents in place), and the ids of its
latest events (a relay that appended one event twice, at two sequences). A replay of the group
into an emptied container recounts the retained history into the same documents (tested).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Final

from holidaypeak.events.v1 import inventory_events_pb2 as ev
from hph.agents.inventory_signals import state
from hph.agents.runtime import FreshnessTracker
from hph.runtime.clock import to_iso
from hph.runtime.consumers import ConsumerGroup, Delivery, EventConsumers, Subscription
from hph.runtime.storage import Container, ContainerSpec, DocumentStore, Eq, NotFoundError, Query
from hph.runtime.storage.port import without_system_fields

NAME, KEY = "inventory_signals", "/sku"
CONTAINER: Final = ContainerSpec(NAME, KEY)
TOPIC, GROUP = "inventory-events", "inventory-signals"
SOURCE: Final = "projection:inventory-signals"
PAGE: Final = 200
RECENT_EVENT_IDS: Final = 32
EVENT_TYPES = (ev.InventoryReserved, ev.InventoryReleased, ev.InventoryConfirmed, ev.InventoryAdjusted, ev.LowStock)


class StockSignals:
    """The projection's handler and its reads (any number of processes may read the container)."""

    def __init__(self, container: Container) -> None:
        self._container = container
        # Enqueue time of the newest event this process applied (None before the first).
        self.freshness = FreshnessTracker()

    @classmethod
    async def open(cls, store: DocumentStore) -> StockSignals:
        return cls(await CONTAINER.open(store))

    def follow(self, bus: EventConsumers | None) -> None:
        """Declares the shared group that keeps the documents (no bus: reads only)."""
        if bus is not None:
            bus.declare(ConsumerGroup(GROUP, (Subscription.to(TOPIC, self.handle, *EVENT_TYPES),)))

    async def handle(self, delivery: Delivery) -> None:
        payload: Any = delivery.payload
        kind = _kind(payload)
        if kind is None:
            return
        sku = str(payload.sku)
        position = [delivery.event.partition, delivery.event.sequence]
        event_id = delivery.envelope.event_id
        doc, etag = await self._read(sku)
        applied = doc.get("applied") or {}
        last = applied.get("position")
        if (last is not None and last[0] == position[0] and last[1] >= position[1]) or event_id in applied.get(
            "event_ids", []
        ):
            return
        folded = fold(doc, payload, delivery.envelope.occurred_at.ToDatetime(tzinfo=UTC))
        if folded is None:
            return
        folded["applied"] = {
            "position": position,
            "event_ids": [*applied.get("event_ids", []), event_id][-RECENT_EVENT_IDS:],
        }
        # A lost race (another consumer of the group took the partition over) raises: retried.
        if etag is None:
            await self._container.create(folded)
        else:
            await self._container.replace(folded, if_match=etag)
        self.freshness.applied(delivery)

    async def one(self, sku: str) -> dict[str, Any] | None:
        try:
            return _content(await self._container.read(sku, sku))
        except NotFoundError:
            return None

    async def every(self) -> AsyncIterator[dict[str, Any]]:
        """Every SKU's document (a cross-partition query, for answers, never per event)."""
        continuation: str | None = None
        while True:
            page = await self._container.query(
                Query(where=Eq("kind", state.KIND)), max_items=PAGE, continuation=continuation
            )
            for doc in page.items:
                yield _content(doc)
            continuation = page.continuation
            if continuation is None:
                return

    async def _read(self, sku: str) -> tuple[dict[str, Any], str | None]:
        try:
            doc = await self._container.read(sku, sku)
        except NotFoundError:
            return state.empty(sku), None
        return _content(doc), str(doc["_etag"])


def _content(doc: dict[str, Any]) -> dict[str, Any]:
    return without_system_fields(doc)


def fold(doc: dict[str, Any], payload: Any, occurred_at: datetime) -> dict[str, Any] | None:
    """`doc` after one inventory event's payload (None: not a stock event); what the handler applies,
    and what `hph eval stock` folds the log with."""
    kind = _kind(payload)
    if kind is None:
        return None
    level = {name: int(getattr(payload.level, name)) for name in state.LEVEL_FIELDS}
    expires = ""
    if kind == state.RESERVED and payload.HasField("expires_at"):
        expires = to_iso(payload.expires_at.ToDatetime(tzinfo=UTC))
    return state.apply(
        doc,
        kind,
        occurred_at=occurred_at,
        level=level,
        quantity=int(getattr(payload, "quantity", 0)),
        delta=int(getattr(payload, "delta", 0)),
        reservation_id=str(getattr(payload, "reservation_id", "")),
        expires_at=expires,
    )


def _kind(payload: object) -> str | None:
    if isinstance(payload, ev.InventoryReserved):
        return state.RESERVED
    if isinstance(payload, ev.InventoryReleased):
        return state.RELEASED
    if isinstance(payload, ev.InventoryConfirmed):
        return state.CONFIRMED
    if isinstance(payload, ev.InventoryAdjusted):
        return state.ADJUSTED
    if isinstance(payload, ev.LowStock):
        return state.LOW_STOCK
    return None
