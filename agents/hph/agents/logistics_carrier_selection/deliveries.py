"""Carriers' on-time record: a projection of shipment events the on-time rates are counted from.

Consumer group "logistics-carrier-selection" of "shipment-events": each ShipmentDelivered records one
document (id = shipment id) saying whether the parcel arrived on or before the date first promised
for it (the shipment's initial estimate, compared as UTC dates); other events are skipped. A
delivery without an initial estimate is not counted. Delivery is at least once: the create of a
redelivered event conflicts and changes nothing, so `hph events replay --group
logistics-carrier-selection` rebuilds the same counts.

Container `carrier_selection_deliveries`, partition key /carrier: the counts of one carrier are one
single-partition query over the last WINDOW_DAYS of deliveries. Counts are kept for COUNTS_TTL
seconds in memory, so a burst of selections queries once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from holidaypeak.events.v1 import shipment_events_pb2
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.logistics_carrier_selection.decisions import OnTimeCounts
from hph.agents.runtime import FreshnessTracker
from hph.commerce.carriers import ServiceLevel
from hph.runtime.clock import Clock, to_iso
from hph.runtime.storage import And, ConflictError, Container, ContainerSpec, Eq, Ge, Query

log = logging.getLogger("hph.agents.logistics_carrier_selection")

DELIVERIES, DELIVERIES_KEY = "carrier_selection_deliveries", "/carrier"
CONTAINER = ContainerSpec(DELIVERIES, DELIVERIES_KEY)
TOPIC, GROUP = "shipment-events", "logistics-carrier-selection"
KIND = "delivery"
SOURCE = "projection:carrier-deliveries"
WINDOW_DAYS = 90
COUNTS_TTL = timedelta(seconds=5)
PAGE = 500
_LEVELS = {shipment_events_pb2.ServiceLevel.Value(f"SERVICE_LEVEL_{level.name}"): level for level in ServiceLevel}


class CarrierDeliveries:
    def __init__(self, container: Container, clock: Clock) -> None:
        self._container = container
        self._clock = clock
        self._cached: tuple[datetime, tuple[str, ...], OnTimeCounts] | None = None
        self.freshness = FreshnessTracker()

    async def handle(self, envelope: EventEnvelope) -> None:
        if envelope.WhichOneof("payload") != "shipment_delivered":
            return
        delivered = envelope.shipment_delivered
        if delivered.HasField("initial_estimated_delivery_at"):
            await self.record(delivered)
        self.freshness.observed(envelope.occurred_at.ToDatetime(tzinfo=UTC))

    async def record(self, delivered: shipment_events_pb2.ShipmentDelivered) -> None:
        at = delivered.delivered_at.ToDatetime(tzinfo=UTC)
        promised = delivered.initial_estimated_delivery_at.ToDatetime(tzinfo=UTC)
        level = _LEVELS.get(delivered.service_level, ServiceLevel.STANDARD)
        doc = {
            "id": delivered.shipment_id,
            "carrier": delivered.carrier,
            "kind": KIND,
            "service_level": level.value,
            "delivered_at": to_iso(at),
            "on_time": at.date() <= promised.date(),
        }
        try:
            await self._container.create(doc)
        except ConflictError:
            log.debug("delivery already projected", extra={"shipment_id": delivered.shipment_id})
        self._cached = None

    async def counts(self, carriers: Iterable[str]) -> OnTimeCounts:
        """On-time counts of `carriers` over the last WINDOW_DAYS of deliveries."""
        wanted = tuple(sorted(set(carriers)))
        now = self._clock()
        cached = self._cached
        if cached is not None and cached[1] == wanted and now - cached[0] < COUNTS_TTL:
            return cached[2]
        since = to_iso(now - timedelta(days=WINDOW_DAYS))
        counts = OnTimeCounts()
        rows = await asyncio.gather(*(self._rows(code, since) for code in wanted))
        for code, found in zip(wanted, rows, strict=True):
            for level, on_time in found:
                counts.add(code, level, on_time)
        self._cached = (now, wanted, counts)
        return counts

    async def _rows(self, carrier: str, since: str) -> list[tuple[ServiceLevel, bool]]:
        query = Query(where=And(Eq("kind", KIND), Ge("delivered_at", since)))
        rows: list[tuple[ServiceLevel, bool]] = []
        continuation: str | None = None
        while True:
            page = await self._container.query(query, partition_key=carrier, max_items=PAGE, continuation=continuation)
            rows.extend((ServiceLevel(doc["service_level"]), bool(doc["on_time"])) for doc in page.items)
            continuation = page.continuation
            if continuation is None:
                return rows
