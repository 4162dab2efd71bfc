"""The order-status decision core: pure functions over plain dicts, no I/O.

`entry_of(envelope)` turns one event into a timeline entry (or None for events the timeline does
not show), `fold(doc, envelope)` applies it to an order's document idempotently (keyed by event id),
and `next_step(doc)` / `headline(doc)` read the state.

Who acted is derived from what the envelopes carry, in this order:
1. an explicit `actor_id` (OrderCancelled, Return*): empty -> system; the order's owner -> customer;
   anyone else -> staff;
2. the envelope's `causation_id`: an event caused by another event is the platform reacting -> system
   (e.g. a refund for a cancellation, an order marked shipped after its shipment);
3. the kind of event: a tracking scan -> carrier; a shipment created -> staff (labels are bought by
   staff); an order placed, a payment, a return requested -> customer; a status change to paid,
   shipped, delivered or (partially) returned -> system (the orders service records it as the
   follow-up of a payment, a scan or a return refund; OrderStatusChanged carries no actor); any
   other status change (fulfilling) or a refund with no cause -> staff (UpdateOrderStatus, a label
   bought, a manual refund).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from holidaypeak.events.v1 import order_events_pb2 as order_events
from holidaypeak.events.v1 import shipment_events_pb2 as shipment_events
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.clock import to_iso

CUSTOMER, STAFF, SYSTEM, CARRIER = "customer", "staff", "system", "carrier"
ORDER, PAYMENT, SHIPMENT, RETURN = "order", "payment", "shipment", "return"
METHOD = "order-timeline-v1"

STATUS_NAMES = {
    value.number: value.name.removeprefix("ORDER_STATUS_").lower()
    for value in order_events.OrderStatus.DESCRIPTOR.values
}
SCAN_NAMES = {
    value.number: value.name.removeprefix("SHIPMENT_STATUS_").lower().replace("_", " ")
    for value in shipment_events.ShipmentStatus.DESCRIPTOR.values
}


# Statuses the platform sets as the follow-up of another fact (payment, scan, return refund).
FOLLOW_UPS = frozenset(
    {
        order_events.ORDER_STATUS_PAID,
        order_events.ORDER_STATUS_SHIPPED,
        order_events.ORDER_STATUS_DELIVERED,
        order_events.ORDER_STATUS_PARTIALLY_RETURNED,
        order_events.ORDER_STATUS_RETURNED,
    }
)


@dataclass(frozen=True)
class Step:
    code: str
    description: str
    actor: str


def actor_by_id(actor_id: str, owner_id: str) -> str:
    if not actor_id:
        return SYSTEM
    return CUSTOMER if actor_id == owner_id else STAFF


def entry_of(envelope: EventEnvelope) -> dict[str, Any] | None:
    """The timeline entry an event makes, or None (an event the timeline does not show)."""
    kind = envelope.WhichOneof("payload")
    if kind is None:
        return None
    event = getattr(envelope, kind)
    caused = bool(envelope.causation_id)
    source, reference, actor, summary = ORDER, "", "", ""
    if kind == "order_created":
        actor, summary = (
            CUSTOMER,
            f"Order placed: {sum(line.quantity for line in event.lines)} item(s), "
            f"{event.total_minor / 100:.2f} {event.currency_code}",
        )
    elif kind == "order_status_changed":
        if event.new_status == order_events.ORDER_STATUS_CANCELLED:
            return None  # OrderCancelled says who cancelled
        if event.previous_status == order_events.ORDER_STATUS_UNSPECIFIED:
            return None  # the order being placed: OrderCreated is that entry
        actor = SYSTEM if caused or event.new_status in FOLLOW_UPS else STAFF
        summary = f"Status {STATUS_NAMES[event.previous_status]} -> {STATUS_NAMES[event.new_status]}" + (
            f" ({event.reason})" if event.reason else ""
        )
    elif kind == "order_cancelled":
        actor = actor_by_id(event.actor_id, event.user_id)
        summary = "Order cancelled" + (f": {event.reason}" if event.reason else "")
    elif kind == "payment_succeeded":
        source, reference, actor = PAYMENT, event.payment_id, CUSTOMER
        summary = f"Payment of {event.amount_minor / 100:.2f} {event.currency_code} succeeded"
    elif kind == "payment_failed":
        source, reference, actor, summary = PAYMENT, event.payment_id, CUSTOMER, "Payment failed"
    elif kind == "refund_issued":
        source, reference, actor = PAYMENT, event.refund_id, SYSTEM if caused else STAFF
        summary = f"Refund of {event.amount_minor / 100:.2f} {event.currency_code}" + (
            f": {event.reason}" if event.reason else ""
        )
    elif kind == "shipment_created":
        source, reference, actor = SHIPMENT, event.shipment_id, SYSTEM if caused else STAFF
        summary = f"Shipment created with {event.carrier.upper() or 'a carrier'}" + (
            f", tracking {event.tracking_number}" if event.tracking_number else ""
        )
    elif kind == "shipment_status_changed":
        source, reference, actor = SHIPMENT, event.shipment_id, CARRIER
        summary = (
            f"{SCAN_NAMES[event.new_status].capitalize()}"
            + (f" in {event.location}" if event.location else "")
            + (f": {event.description}" if event.description else "")
        )
    elif kind.startswith("return_"):
        source, reference = RETURN, event.return_id
        actor = CUSTOMER if kind == "return_requested" else actor_by_id(event.actor_id, event.user_id)
        summary = "Return " + kind.removeprefix("return_").replace("_", " ")
    else:
        return None
    occurred = envelope.occurred_at.ToDatetime(tzinfo=UTC)
    if kind == "shipment_status_changed" and event.HasField("scanned_at"):
        occurred = event.scanned_at.ToDatetime(tzinfo=UTC)
    return {
        "event_id": envelope.event_id,
        "occurred_at": to_iso(occurred),
        "source": source,
        "event_type": envelope.event_type.rsplit(".", 1)[-1],
        "summary": summary,
        "actor": actor,
        "reference_id": reference,
        "kind": kind,
        "status": int(getattr(event, "new_status", 0)),
    }


def new_document(order_id: str, user_id: str) -> dict[str, Any]:
    return {
        "id": order_id,
        "user_id": user_id,
        "status": 0,
        "payment": "unpaid",
        "entries": [],
        "shipments": {},
        "returns": {},
    }


def fold(doc: dict[str, Any], envelope: EventEnvelope) -> dict[str, Any] | None:
    """`doc` with the event applied, or None when it changes nothing (a redelivery, an event not shown)."""
    entry = entry_of(envelope)
    if entry is None or any(e["event_id"] == entry["event_id"] for e in doc["entries"]):
        return None
    kind, event = entry.pop("kind"), getattr(envelope, envelope.WhichOneof("payload"))
    status = entry.pop("status")
    updated = {**doc, "entries": sorted([*doc["entries"], entry], key=lambda e: (e["occurred_at"], e["event_id"]))}
    if not updated["user_id"]:
        updated["user_id"] = event.user_id
    if kind == "order_created" and not doc["status"]:
        updated["status"] = order_events.ORDER_STATUS_PENDING
    elif kind == "order_status_changed" or kind == "order_cancelled":
        updated["status"] = status or order_events.ORDER_STATUS_CANCELLED
    elif kind == "payment_succeeded":
        updated["payment"] = "paid"
    elif kind == "payment_failed" and doc["payment"] != "paid":
        updated["payment"] = "failed"
    elif kind == "refund_issued":
        updated["payment"] = (
            "refunded" if event.total_refunded_minor >= doc.get("paid_minor", 0) > 0 else "partially_refunded"
        )
    elif kind in ("shipment_created", "shipment_status_changed"):
        shipments = dict(updated["shipments"])
        current = shipments.get(event.shipment_id, {"status": shipment_events.SHIPMENT_STATUS_LABEL_CREATED, "at": ""})
        if entry["occurred_at"] >= current["at"]:
            current = {"status": status or current["status"], "at": entry["occurred_at"]}
        shipments[event.shipment_id] = current
        updated["shipments"] = shipments
    elif kind.startswith("return_"):
        updated["returns"] = {**updated["returns"], event.return_id: kind.removeprefix("return_")}
    if kind == "payment_succeeded":
        updated["paid_minor"] = event.amount_minor
    return updated


def open_shipment(doc: dict[str, Any]) -> str:
    """The most recently active shipment not delivered yet; "" when none."""
    open_ = [
        (s["at"], sid)
        for sid, s in doc["shipments"].items()
        if s["status"] != shipment_events.SHIPMENT_STATUS_DELIVERED
    ]
    return max(open_)[1] if open_ else ""


def next_step(doc: dict[str, Any]) -> Step | None:
    status = doc["status"]
    pending_returns = [rid for rid, state in doc["returns"].items() if state in ("requested", "approved")]
    if pending_returns:
        state = doc["returns"][pending_returns[0]]
        if state == "requested":
            return Step("staff_reviews_return", "staff review your return request", STAFF)
        return Step("send_return_parcel", "you send the parcel back", CUSTOMER)
    if status == order_events.ORDER_STATUS_PENDING:
        return Step("pay_order", "you pay for the order", CUSTOMER)
    if status in (order_events.ORDER_STATUS_PAID, order_events.ORDER_STATUS_FULFILLING) and not doc["shipments"]:
        return Step("pack_and_ship", "we pack the order and hand it to the carrier", STAFF)
    if open_shipment(doc):
        return Step("carrier_delivers", "the carrier delivers", CARRIER)
    if status == order_events.ORDER_STATUS_DELIVERED:
        return Step("nothing_to_do", "nothing to do: delivered (returns are open within the return window)", CUSTOMER)
    return None


def headline(doc: dict[str, Any]) -> str:
    status = STATUS_NAMES.get(doc["status"], "unspecified")
    sid = open_shipment(doc)
    if sid:
        scan = doc["shipments"][sid]
        return f"On its way: {SCAN_NAMES[scan['status']]} since {scan['at'][:10]}"
    last = doc["entries"][-1]["occurred_at"][:10] if doc["entries"] else ""
    return f"{status.replace('_', ' ').capitalize()} since {last}" if last else status
