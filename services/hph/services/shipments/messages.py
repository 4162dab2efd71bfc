"""Shipment documents and what they become on the wire and on the bus.

Container `shipments`, partition key /order_id: an order's parcels (`kind == "shipment"`), its
fulfilment record (`kind == "fulfilment"`, see `servicer`), their idempotency records and outbox
events share the order's partition. Statuses are stored as lower-case names (see `rules`).

Events (topic shipment-events, partition key = order id): ShipmentCreated, ShipmentStatusChanged
(every tracking event, creation's label_created included), ShipmentDelivered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf.message import Message

from holidaypeak.commerce.v1 import shipment_pb2
from holidaypeak.common.v1 import postal_address_pb2
from holidaypeak.events.v1 import shipment_events_pb2 as events_pb
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.commerce.carriers import ServiceLevel
from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.events import resource_event
from hph.runtime.storage import Document
from hph.services.shipments.rules import Status

KIND = "shipment"
FULFILMENT_KIND = "fulfilment"
SOURCE = "shipments"

STATUS_TO_PB: Mapping[Status, int] = {s: shipment_pb2.ShipmentStatus.Value(f"SHIPMENT_STATUS_{s.name}") for s in Status}
STATUS_FROM_PB: Mapping[int, Status] = {v: k for k, v in STATUS_TO_PB.items()}
LEVEL_TO_PB: Mapping[ServiceLevel, int] = {
    s: shipment_pb2.ServiceLevel.Value(f"SERVICE_LEVEL_{s.name}") for s in ServiceLevel
}
LEVEL_FROM_PB: Mapping[int, ServiceLevel] = {v: k for k, v in LEVEL_TO_PB.items()}
_EVENT_STATUS: Mapping[Status, int] = {s: events_pb.ShipmentStatus.Value(f"SHIPMENT_STATUS_{s.name}") for s in Status}
_EVENT_LEVEL: Mapping[ServiceLevel, int] = {
    s: events_pb.ServiceLevel.Value(f"SERVICE_LEVEL_{s.name}") for s in ServiceLevel
}
ADDRESS_FIELDS = tuple(field.name for field in postal_address_pb2.PostalAddress.DESCRIPTOR.fields)


def fulfilment_id(order_id: str) -> str:
    return f"fulfilment-{order_id}"


def tracking_event_id(number: int) -> str:
    return f"EV-{number:04d}"


def address_document(address: postal_address_pb2.PostalAddress) -> dict[str, str]:
    return {name: getattr(address, name) for name in ADDRESS_FIELDS}


def event_message(event: Mapping[str, Any]) -> shipment_pb2.TrackingEvent:
    return shipment_pb2.TrackingEvent(
        id=event["id"],
        status=STATUS_TO_PB[Status(event["status"])],  # type: ignore[arg-type]
        location=event.get("location", ""),
        description=event.get("description", ""),
        occurred_at=clocks.to_timestamp(event["occurred_at"]),
        recorded_at=clocks.to_timestamp(event.get("recorded_at")),
    )


def shipment_message(doc: Document, *, with_events: bool = True, with_etag: bool = True) -> shipment_pb2.Shipment:
    return shipment_pb2.Shipment(
        id=doc["id"],
        order_id=doc["order_id"],
        user_id=doc["user_id"],
        status=STATUS_TO_PB[Status(doc["status"])],  # type: ignore[arg-type]
        carrier=doc["carrier"],
        service_level=LEVEL_TO_PB[ServiceLevel(doc["service_level"])],  # type: ignore[arg-type]
        tracking_number=doc.get("tracking_number", ""),
        tracking_url=doc.get("tracking_url", ""),
        package_weight_grams=doc["package_weight_grams"],
        package_length_mm=doc.get("package_length_mm", 0),
        package_width_mm=doc.get("package_width_mm", 0),
        package_height_mm=doc.get("package_height_mm", 0),
        items=[shipment_pb2.ShipmentItem(product_id=i["product_id"], quantity=i["quantity"]) for i in doc["items"]],
        destination=postal_address_pb2.PostalAddress(**doc.get("destination", {})),
        events=[event_message(e) for e in doc["events"]] if with_events else [],
        estimated_delivery_at=clocks.to_timestamp(doc.get("estimated_delivery_at")),
        shipped_at=clocks.to_timestamp(doc.get("shipped_at")),
        delivered_at=clocks.to_timestamp(doc.get("delivered_at")),
        created_at=clocks.to_timestamp(doc.get("created_at")),
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        etag=doc.get("_etag", "") if with_etag else "",
        # Shipments created before carrier selection have none.
        carrier_choice=shipment_pb2.CarrierChoice(**doc["carrier_choice"]) if "carrier_choice" in doc else None,
    )


# --- events ----------------------------------------------------------------------------------


def _envelope(payload: Message, doc: Document, correlation_id: str, clock: Clock) -> EventEnvelope:
    return resource_event(
        payload,
        source=SOURCE,
        collection="shipments",
        resource_id=doc["id"],
        partition_key=doc["order_id"],  # a parcel's events stay in order with its order's
        correlation_id=correlation_id,
        clock=clock,
    )


def _level(doc: Document) -> int:
    return _EVENT_LEVEL[ServiceLevel(doc["service_level"])]


def created_events(doc: Document, *, correlation_id: str, clock: Clock) -> list[EventEnvelope]:
    destination: Mapping[str, str] = doc.get("destination", {})
    created = events_pb.ShipmentCreated(
        shipment_id=doc["id"],
        order_id=doc["order_id"],
        user_id=doc["user_id"],
        carrier=doc["carrier"],
        service_level=_level(doc),  # type: ignore[arg-type]
        tracking_number=doc.get("tracking_number", ""),
        package_weight_grams=doc["package_weight_grams"],
        package_length_mm=doc.get("package_length_mm", 0),
        package_width_mm=doc.get("package_width_mm", 0),
        package_height_mm=doc.get("package_height_mm", 0),
        lines=[events_pb.ShipmentLine(sku=i["product_id"], quantity=i["quantity"]) for i in doc["items"]],
        ship_to_postal_code=destination.get("postal_code", ""),
        ship_to_region=destination.get("region", ""),
        ship_to_country_code=destination.get("country_code", ""),
        estimated_delivery_at=clocks.to_timestamp(doc.get("estimated_delivery_at")),
    )
    first = doc["events"][0]
    return [
        _envelope(created, doc, correlation_id, clock),
        status_changed_event(doc, first, None, correlation_id=correlation_id, clock=clock),
    ]


def status_changed_event(
    doc: Document, event: Mapping[str, Any], previous: Status | None, *, correlation_id: str, clock: Clock
) -> EventEnvelope:
    destination: Mapping[str, str] = doc.get("destination", {})
    changed = events_pb.ShipmentStatusChanged(
        shipment_id=doc["id"],
        order_id=doc["order_id"],
        user_id=doc["user_id"],
        tracking_event_id=event["id"],
        carrier=doc["carrier"],
        service_level=_level(doc),  # type: ignore[arg-type]
        tracking_number=doc.get("tracking_number", ""),
        previous_status=_EVENT_STATUS[previous] if previous else events_pb.SHIPMENT_STATUS_UNSPECIFIED,  # type: ignore[arg-type]
        new_status=_EVENT_STATUS[Status(event["status"])],  # type: ignore[arg-type]
        location=event.get("location", ""),
        description=event.get("description", ""),
        scanned_at=clocks.to_timestamp(event["occurred_at"]),
        estimated_delivery_at=clocks.to_timestamp(doc.get("estimated_delivery_at")),
        ship_to_postal_code=destination.get("postal_code", ""),
        ship_to_country_code=destination.get("country_code", ""),
    )
    return _envelope(changed, doc, correlation_id, clock)


def delivered_event(doc: Document, *, estimate_before: str, correlation_id: str, clock: Clock) -> EventEnvelope:
    destination: Mapping[str, str] = doc.get("destination", {})
    delivered = events_pb.ShipmentDelivered(
        shipment_id=doc["id"],
        order_id=doc["order_id"],
        user_id=doc["user_id"],
        carrier=doc["carrier"],
        service_level=_level(doc),  # type: ignore[arg-type]
        ship_to_postal_code=destination.get("postal_code", ""),
        ship_to_country_code=destination.get("country_code", ""),
        created_at=clocks.to_timestamp(doc.get("created_at")),
        shipped_at=clocks.to_timestamp(doc.get("shipped_at")),
        delivered_at=clocks.to_timestamp(doc["delivered_at"]),
        initial_estimated_delivery_at=clocks.to_timestamp(doc.get("initial_estimated_delivery_at")),
        estimated_delivery_at=clocks.to_timestamp(estimate_before),
    )
    return _envelope(delivered, doc, correlation_id, clock)


def sorted_events(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Oldest first by occurred_at; events at the same instant keep the order they were recorded in."""
    return sorted((dict(e) for e in events), key=lambda e: (e["occurred_at"], e["seq"]))
