"""What the ETA agent knows from events, kept durably (consumer group "logistics-eta-computation" of
"order-events" and "shipment-events"):

- container `eta_parcels` (partition key /id): one document per order ("order:<id>": destination,
  paid_at) and per shipment ("shipment:<id>": carrier, service level, destination, pickup time,
  exception scans by tracking event id, delivery time);
- container `eta_deliveries` (partition key /carrier): one document per delivered shipment
  (delivered vs promised = the estimate given at creation), the carrier's recent on-time rate.

Delivery is at least once: every write is a create (a redelivery conflicts and changes nothing) or
an idempotent merge (set a field to the event's value, add a scan id to a set), so a replay of the
group (`hph events replay --group logistics-eta-computation`) rebuilds the same documents.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime, timedelta

from holidaypeak.events.v1 import shipment_events_pb2 as shipment_events
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.logistics_eta_computation.core import OnTimeRecord, delivery_record
from hph.agents.logistics_eta_computation.tables import EtaTables
from hph.agents.runtime import FreshnessTracker
from hph.runtime.clock import from_iso, to_iso
from hph.runtime.documents import update_document
from hph.runtime.storage import And, ConflictError, Container, ContainerSpec, Document, Eq, Ge, NotFoundError, Query

log = logging.getLogger("hph.agents.logistics_eta_computation")

PARCELS, PARCELS_KEY = "eta_parcels", "/id"
DELIVERIES, DELIVERIES_KEY = "eta_deliveries", "/carrier"
CONTAINERS = (ContainerSpec(PARCELS, PARCELS_KEY), ContainerSpec(DELIVERIES, DELIVERIES_KEY))
GROUP = "logistics-eta-computation"
TOPICS = ("order-events", "shipment-events")
SOURCE = "projection:eta-parcels"
LEVEL_NAMES = {
    shipment_events.SERVICE_LEVEL_ECONOMY: "economy",
    shipment_events.SERVICE_LEVEL_STANDARD: "standard",
    shipment_events.SERVICE_LEVEL_EXPEDITED: "expedited",
    shipment_events.SERVICE_LEVEL_OVERNIGHT: "overnight",
}
PAGE = 200
Mutation = Callable[[Document], Awaitable[Document | None]]


def order_key(order_id: str) -> str:
    return f"order:{order_id}"


def shipment_key(shipment_id: str) -> str:
    return f"shipment:{shipment_id}"


def _at(stamp: object) -> str:
    return to_iso(stamp.ToDatetime(tzinfo=UTC))  # type: ignore[attr-defined]


class Parcels:
    def __init__(self, parcels: Container, deliveries: Container) -> None:
        self._parcels = parcels
        self._deliveries = deliveries
        self.freshness = FreshnessTracker()

    async def handle(self, envelope: EventEnvelope) -> None:
        kind = envelope.WhichOneof("payload")
        handler = getattr(self, f"_on_{kind}", None)
        if handler is None:
            return
        await handler(getattr(envelope, kind))
        self.freshness.observed(envelope.occurred_at.ToDatetime(tzinfo=UTC))

    # --- reads --------------------------------------------------------------------------------

    async def read(self, key: str) -> Document | None:
        try:
            return await self._parcels.read(key, key)
        except NotFoundError:
            return None

    async def on_time(self, carrier: str, level: str, since: datetime, tables: EtaTables) -> OnTimeRecord:
        """The carrier and level's deliveries since `since` against the days promised at creation."""
        query = Query(where=And(Eq("service_level", level), Ge("delivered_at", to_iso(since))))
        outcomes: list[tuple[date, date]] = []
        continuation: str | None = None
        while True:
            page = await self._deliveries.query(query, partition_key=carrier, max_items=PAGE, continuation=continuation)
            outcomes += [(from_iso(d["promised_at"]).date(), from_iso(d["delivered_at"]).date()) for d in page.items]
            continuation = page.continuation
            if continuation is None:
                return delivery_record(outcomes, tables)

    # --- events -------------------------------------------------------------------------------

    async def _on_order_created(self, event: object) -> None:
        key = order_key(event.order_id)  # type: ignore[attr-defined]
        destination = {
            "country_code": event.ship_to_country_code,  # type: ignore[attr-defined]
            "postal_code": event.ship_to_postal_code,  # type: ignore[attr-defined]
        }
        base = {"id": key, "kind": "order", "order_id": event.order_id, "paid_at": ""}  # type: ignore[attr-defined]
        await self._merge(key, {**base, **destination}, _setting(destination))

    async def _on_order_paid(self, event: object) -> None:
        key = order_key(event.order_id)  # type: ignore[attr-defined]
        paid_at = _at(event.paid_at)  # type: ignore[attr-defined]
        base = {"id": key, "kind": "order", "order_id": event.order_id, "country_code": "", "postal_code": ""}  # type: ignore[attr-defined]
        await self._merge(key, {**base, "paid_at": paid_at}, _setting({"paid_at": paid_at}))

    async def _on_shipment_created(self, event: shipment_events.ShipmentCreated) -> None:
        key = shipment_key(event.shipment_id)
        fields = {
            "carrier": event.carrier,
            "service_level": LEVEL_NAMES.get(event.service_level, "standard"),
            "country_code": event.ship_to_country_code,
            "postal_code": event.ship_to_postal_code,
            "promised_at": _at(event.estimated_delivery_at) if event.HasField("estimated_delivery_at") else "",
        }
        await self._merge(key, {**self._shipment(event.shipment_id, event.order_id), **fields}, _setting(fields))

    async def _on_shipment_status_changed(self, event: shipment_events.ShipmentStatusChanged) -> None:
        key = shipment_key(event.shipment_id)
        scanned = _at(event.scanned_at) if event.HasField("scanned_at") else ""
        status = event.new_status

        async def mutate(doc: Document) -> Document | None:
            updated = dict(doc)
            if status == shipment_events.SHIPMENT_STATUS_PICKED_UP and scanned and not doc["picked_up_at"]:
                updated["picked_up_at"] = scanned
            if status == shipment_events.SHIPMENT_STATUS_EXCEPTION and event.tracking_event_id not in doc["exceptions"]:
                updated["exceptions"] = [*doc["exceptions"], event.tracking_event_id]
            if status == shipment_events.SHIPMENT_STATUS_DELIVERED and scanned:
                updated["delivered_at"] = scanned
            for name, value in (
                ("carrier", event.carrier),
                ("country_code", event.ship_to_country_code),
                ("postal_code", event.ship_to_postal_code),
            ):
                if value and not updated.get(name):
                    updated[name] = value
            return None if updated == doc else updated

        base = self._shipment(event.shipment_id, event.order_id)
        base["carrier"], base["service_level"] = event.carrier, LEVEL_NAMES.get(event.service_level, "standard")
        await self._merge(key, base, mutate, apply_to_new=True)

    async def _on_shipment_delivered(self, event: shipment_events.ShipmentDelivered) -> None:
        delivered = event.delivered_at.ToDatetime(tzinfo=UTC)
        promise = event.initial_estimated_delivery_at if event.HasField("initial_estimated_delivery_at") else None
        if promise is None or not event.carrier:
            return  # no promise: nothing to be on time against
        promised = promise.ToDatetime(tzinfo=UTC)
        doc = {
            "id": event.shipment_id,
            "carrier": event.carrier,
            "service_level": LEVEL_NAMES.get(event.service_level, "standard"),
            "delivered_at": to_iso(delivered),
            "promised_at": to_iso(promised),
            # On time = delivered on or before the promised day (carriers promise days, not hours).
            "on_time": delivered.date() <= promised.date(),
            "late_days": max(0, (delivered.date() - promised.date()).days),
        }
        try:
            await self._deliveries.create(doc)
        except ConflictError:
            log.debug("delivery already projected", extra={"shipment_id": event.shipment_id})

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _shipment(shipment_id: str, order_id: str) -> Document:
        return {
            "id": shipment_key(shipment_id),
            "kind": "shipment",
            "shipment_id": shipment_id,
            "order_id": order_id,
            "carrier": "",
            "service_level": "standard",
            "country_code": "",
            "postal_code": "",
            "promised_at": "",
            "picked_up_at": "",
            "delivered_at": "",
            "exceptions": [],
        }

    async def _merge(self, key: str, new: Document, mutate: Mutation, *, apply_to_new: bool = False) -> None:
        """Creates the document, or applies `mutate` to the stored one (a conflicting create retries
        as a merge, so two first events of one parcel never lose each other)."""
        if await self.read(key) is None:
            first = (await mutate(dict(new)) or new) if apply_to_new else new
            try:
                await self._parcels.create(first)
                return
            except ConflictError:
                pass  # created meanwhile by another event of the parcel: merge into that one
        await update_document(self._parcels, key, key, mutate, what="parcel")


def _setting(fields: Mapping[str, object]) -> Mutation:
    async def mutate(doc: Document) -> Document | None:
        updated = {**doc, **{name: value for name, value in fields.items() if value not in ("", None)}}
        return None if updated == doc else updated

    return mutate


def recent_since(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
