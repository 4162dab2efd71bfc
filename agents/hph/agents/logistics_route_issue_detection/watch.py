"""What the agent keeps, durably, in container `route_watch` (partition key /shipment_id, with an
outbox): per shipment one `parcel:<shipment_id>` document (order, customer, carrier, service level,
creation, latest delivery estimate, delivery, scans by tracking event id) and one
`issue:<issue_id>` document per (shipment, kind) raised (severity raised, when first detected, the
support ticket opened for it).

The parcel is fed by the consumer group "logistics-route-issue-detection" of "shipment-events"
(ShipmentCreated, ShipmentStatusChanged, ShipmentDelivered). Delivery is at least once: every write
is a create or an idempotent merge (set a field, add a scan keyed by its tracking event id), so a
replay (`hph events replay --group logistics-route-issue-detection`) rebuilds the same documents.

Raising an issue is the issue document and its ShipmentIssueRaised event in ONE storage batch
(`hph.runtime.commit`): created once per (shipment, kind), replaced (etag-guarded) only when the
severity rises. A redelivered event, a repeated sweep or two racing raisers find the document and
write nothing, so the event is raised exactly once per (shipment, kind, severity step).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from holidaypeak.events.v1 import shipment_events_pb2 as shipment_events
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.logistics_route_issue_detection.core import Issue, Parcel, Scan
from hph.agents.logistics_route_issue_detection.rules import severity_rank
from hph.agents.runtime import FreshnessTracker
from hph.runtime.clock import Clock, from_iso, to_iso, to_timestamp
from hph.runtime.commit import Done, Write, commit
from hph.runtime.documents import update_document
from hph.runtime.events import resource_event
from hph.runtime.storage import (
    And,
    ConflictError,
    Container,
    ContainerSpec,
    CreateOp,
    Document,
    Eq,
    NotFoundError,
    Query,
    ReplaceOp,
)

log = logging.getLogger("hph.agents.logistics_route_issue_detection")

WATCH, WATCH_KEY = "route_watch", "/shipment_id"
CONTAINERS = (ContainerSpec(WATCH, WATCH_KEY, outbox=True),)
GROUP = "logistics-route-issue-detection"
TOPIC = "shipment-events"
SOURCE = "projection:route-watch"
EVENT_SOURCE = "logistics-route-issue-detection"
PARCEL, ISSUE = "parcel", "issue"
MAX_SCANS = 100  # the newest kept; older scans cannot change any rule's answer
PAGE = 200
LEVEL_NAMES = {
    shipment_events.SERVICE_LEVEL_ECONOMY: "economy",
    shipment_events.SERVICE_LEVEL_STANDARD: "standard",
    shipment_events.SERVICE_LEVEL_EXPEDITED: "expedited",
    shipment_events.SERVICE_LEVEL_OVERNIGHT: "overnight",
}
STATUS_NAMES = {
    shipment_events.SHIPMENT_STATUS_LABEL_CREATED: "label_created",
    shipment_events.SHIPMENT_STATUS_PICKED_UP: "picked_up",
    shipment_events.SHIPMENT_STATUS_IN_TRANSIT: "in_transit",
    shipment_events.SHIPMENT_STATUS_OUT_FOR_DELIVERY: "out_for_delivery",
    shipment_events.SHIPMENT_STATUS_DELIVERED: "delivered",
    shipment_events.SHIPMENT_STATUS_EXCEPTION: "exception",
}
KIND_TO_EVENT = {
    "no_scan": shipment_events.SHIPMENT_ISSUE_KIND_NO_SCAN,
    "eta_passed": shipment_events.SHIPMENT_ISSUE_KIND_ETA_PASSED,
    "exception_scan": shipment_events.SHIPMENT_ISSUE_KIND_EXCEPTION_SCAN,
    "stuck_at_hub": shipment_events.SHIPMENT_ISSUE_KIND_STUCK_AT_HUB,
}
KIND_FROM_EVENT = {value: name for name, value in KIND_TO_EVENT.items()}
SEVERITY_TO_EVENT = {
    "info": shipment_events.SHIPMENT_ISSUE_SEVERITY_INFO,
    "low": shipment_events.SHIPMENT_ISSUE_SEVERITY_LOW,
    "medium": shipment_events.SHIPMENT_ISSUE_SEVERITY_MEDIUM,
    "high": shipment_events.SHIPMENT_ISSUE_SEVERITY_HIGH,
    "critical": shipment_events.SHIPMENT_ISSUE_SEVERITY_CRITICAL,
}
SEVERITY_FROM_EVENT = {value: name for name, value in SEVERITY_TO_EVENT.items()}


def parcel_key(shipment_id: str) -> str:
    return f"{PARCEL}:{shipment_id}"


def issue_key(issue_id: str) -> str:
    return f"{ISSUE}:{issue_id}"


def _at(stamp: object) -> str:
    return to_iso(stamp.ToDatetime(tzinfo=UTC))  # type: ignore[attr-defined]


def parcel_of(doc: Document) -> Parcel:
    return Parcel(
        shipment_id=doc["shipment_id"],
        order_id=doc["order_id"],
        carrier=doc["carrier"],
        service_level=doc["service_level"],
        created_at=from_iso(doc["created_at"]),
        promised_at=from_iso(doc["promised_at"]) if doc["promised_at"] else None,
        delivered_at=from_iso(doc["delivered_at"]) if doc["delivered_at"] else None,
        scans=tuple(Scan(s["id"], from_iso(s["at"]), s["location"], s["status"]) for s in doc["scans"]),
    )


class RouteWatch:
    """The parcels projection and the issues raised, over one container."""

    def __init__(self, container: Container, clock: Clock, *, notify: Callable[[], None] | None = None) -> None:
        self._container = container
        self._clock = clock
        self._notify = notify
        self.freshness = FreshnessTracker()

    # --- reads --------------------------------------------------------------------------------

    async def read(self, shipment_id: str, key: str) -> Document | None:
        try:
            return await self._container.read(key, shipment_id)
        except NotFoundError:
            return None

    async def parcel(self, shipment_id: str) -> Document | None:
        return await self.read(shipment_id, parcel_key(shipment_id))

    async def issue(self, shipment_id: str, issue_id: str) -> Document | None:
        return await self.read(shipment_id, issue_key(issue_id))

    async def in_transit(self) -> AsyncIterator[Document]:
        """Every parcel not delivered yet (cross-partition, paged)."""
        query = Query(where=And(Eq("kind", PARCEL), Eq("delivered_at", "")))
        continuation: str | None = None
        while True:
            page = await self._container.query(query, max_items=PAGE, continuation=continuation)
            for doc in page.items:
                yield doc
            continuation = page.continuation
            if continuation is None:
                return

    # --- the projection -----------------------------------------------------------------------

    async def apply(self, envelope: EventEnvelope) -> Document | None:
        """Applies one shipment event; the parcel document after it (None for other events)."""
        kind = envelope.WhichOneof("payload")
        if kind == "shipment_created":
            doc = await self._on_created(envelope.shipment_created, envelope)
        elif kind == "shipment_status_changed":
            doc = await self._on_status(envelope.shipment_status_changed, envelope)
        elif kind == "shipment_delivered":
            doc = await self._on_delivered(envelope.shipment_delivered, envelope)
        else:
            return None
        self.freshness.observed(envelope.occurred_at.ToDatetime(tzinfo=UTC))
        return doc

    def _base(self, shipment_id: str, order_id: str, user_id: str, envelope: EventEnvelope) -> Document:
        return {
            "id": parcel_key(shipment_id),
            "kind": PARCEL,
            "shipment_id": shipment_id,
            "order_id": order_id,
            "user_id": user_id,
            "carrier": "",
            "service_level": "standard",
            "created_at": _at(envelope.occurred_at),
            "promised_at": "",
            "delivered_at": "",
            "scans": [],
        }

    async def _on_created(self, event: shipment_events.ShipmentCreated, envelope: EventEnvelope) -> Document:
        promised = _at(event.estimated_delivery_at) if event.HasField("estimated_delivery_at") else ""
        created = _at(envelope.occurred_at)

        def mutate(doc: Document) -> Document:
            updated = {
                **doc,
                "carrier": event.carrier,
                "service_level": LEVEL_NAMES.get(event.service_level, "standard"),
            }
            updated["created_at"] = min(doc["created_at"], created)
            if promised and not doc["promised_at"]:
                updated["promised_at"] = promised
            return updated

        return await self._merge(self._base(event.shipment_id, event.order_id, event.user_id, envelope), mutate)

    async def _on_status(self, event: shipment_events.ShipmentStatusChanged, envelope: EventEnvelope) -> Document:
        scanned = _at(event.scanned_at) if event.HasField("scanned_at") else _at(envelope.occurred_at)
        status = STATUS_NAMES.get(event.new_status, "in_transit")
        scan_id = event.tracking_event_id or envelope.event_id

        def mutate(doc: Document) -> Document:
            updated = dict(doc)
            if not updated["carrier"]:
                updated["carrier"] = event.carrier
            if event.service_level:
                updated["service_level"] = LEVEL_NAMES.get(event.service_level, updated["service_level"])
            if all(scan["id"] != scan_id for scan in doc["scans"]):
                scans = [*doc["scans"], {"id": scan_id, "at": scanned, "location": event.location, "status": status}]
                updated["scans"] = sorted(scans, key=lambda s: (s["at"], s["id"]))[-MAX_SCANS:]
            if event.HasField("estimated_delivery_at"):
                # The latest estimate counts: a carrier that re-promised is late against the new date.
                newest = max(doc["scans"], key=lambda s: s["at"])["at"] if doc["scans"] else ""
                if scanned >= newest:
                    updated["promised_at"] = _at(event.estimated_delivery_at)
            if status == "delivered" and not updated["delivered_at"]:
                updated["delivered_at"] = scanned
            return updated

        return await self._merge(self._base(event.shipment_id, event.order_id, event.user_id, envelope), mutate)

    async def _on_delivered(self, event: shipment_events.ShipmentDelivered, envelope: EventEnvelope) -> Document:
        delivered = _at(event.delivered_at)

        def mutate(doc: Document) -> Document:
            return {**doc, "delivered_at": doc["delivered_at"] or delivered}

        return await self._merge(self._base(event.shipment_id, event.order_id, event.user_id, envelope), mutate)

    async def _merge(self, new: Document, change: Callable[[Document], Document]) -> Document:
        """Creates the parcel with `change` applied, or applies it to the stored one (a conflicting
        create merges, so two first events of one parcel never lose each other)."""
        key, pk = new["id"], new["shipment_id"]
        if await self.read(pk, key) is None:
            try:
                return await self._container.create(change(dict(new)))
            except ConflictError:
                pass  # created meanwhile by another event of the parcel: merge into that one

        async def merge(doc: Document) -> Document | None:
            updated = change(dict(doc))
            return None if updated == doc else updated

        return await update_document(self._container, key, pk, merge, what="parcel")

    # --- raising issues -----------------------------------------------------------------------

    async def raise_issue(self, parcel: Document, issue: Issue, detected_at: datetime) -> bool:
        """Stores the issue with its ShipmentIssueRaised event in one batch, once per (shipment,
        kind) and again only when the severity rises; True when it raised an event."""
        shipment_id = parcel["shipment_id"]
        key = issue_key(issue.issue_id)

        async def plan(attempt: int) -> Write[bool] | Done[bool]:
            stored = await self.read(shipment_id, key)
            previous = stored["severity"] if stored else ""
            if stored is not None and issue.rank <= severity_rank(previous):
                return Done(False)
            doc: Document = {
                "id": key,
                "kind": ISSUE,
                "issue_id": issue.issue_id,
                "shipment_id": shipment_id,
                "order_id": parcel["order_id"],
                "carrier": parcel["carrier"],
                "issue_kind": issue.kind,
                "severity": issue.severity,
                "message": issue.message,
                "action_code": issue.action_code,
                "detected_at": stored["detected_at"] if stored else to_iso(detected_at),
                "raised_at": to_iso(detected_at),
                "ticket_id": stored["ticket_id"] if stored else "",
            }
            event = self._raised_event(doc, issue, previous, detected_at)
            op = CreateOp(doc) if stored is None else ReplaceOp(doc, if_match=stored.get("_etag"))
            return Write([op], lambda written: True, events=[event])

        busy = f"issue {issue.issue_id!r} could not be written; retried on the next event or sweep"
        raised = await commit(self._container, shipment_id, plan, busy=busy, notify=self._notify)
        if raised:
            log.info(
                "route issue raised",
                extra={"shipment_id": shipment_id, "kind": issue.kind, "severity": issue.severity},
            )
        return raised

    def _raised_event(self, doc: Document, issue: Issue, previous: str, detected_at: datetime) -> EventEnvelope:
        payload = shipment_events.ShipmentIssueRaised(
            issue_id=issue.issue_id,
            shipment_id=doc["shipment_id"],
            order_id=doc["order_id"],
            carrier=doc["carrier"],
            kind=KIND_TO_EVENT[issue.kind],
            severity=SEVERITY_TO_EVENT[issue.severity],
            message=issue.message,
            action_code=issue.action_code,
            detected_at=to_timestamp(detected_at),
            last_scan_at=to_timestamp(issue.last_scan_at) if issue.last_scan_at else None,
            last_location=issue.last_location,
            previous_severity=SEVERITY_TO_EVENT.get(previous, 0),  # type: ignore[arg-type]
        )
        return resource_event(
            payload,
            source=EVENT_SOURCE,
            collection="shipments",
            resource_id=doc["shipment_id"],
            partition_key=doc["order_id"],
            clock=self._clock,
        )

    async def set_ticket(self, shipment_id: str, issue_id: str, ticket_id: str) -> None:
        async def mutate(doc: Document) -> Document | None:
            return None if doc["ticket_id"] else {**doc, "ticket_id": ticket_id}

        await update_document(self._container, issue_key(issue_id), shipment_id, mutate, what="route issue")
