"""Order documents and what they become on the wire and on the bus.

Owns the stored shape of an order (container `orders`, partition key /user_id, `kind == "order"`),
amounts in integer minor units and statuses as lower-case names (see `rules`), its `Order`
message, and the order events (OrderCreated, OrderPaid, OrderCancelled, OrderStatusChanged) with
topic partition key = order id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf.message import Message

from holidaypeak.commerce.v1 import order_pb2
from holidaypeak.common.v1 import postal_address_pb2
from holidaypeak.events.v1 import order_events_pb2 as events_pb
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.commerce.pricing import rules as checkout_rules
from hph.runtime import clock as clocks
from hph.runtime import money
from hph.runtime.clock import Clock
from hph.runtime.events import resource_event
from hph.runtime.storage import Document
from hph.services.orders.rules import PaymentStatus, Status

KIND = "order"
SOURCE = "orders"

STATUS_TO_PB: Mapping[Status, int] = {s: order_pb2.OrderStatus.Value(f"ORDER_STATUS_{s.name}") for s in Status}
STATUS_FROM_PB: Mapping[int, Status] = {v: k for k, v in STATUS_TO_PB.items()}
PAYMENT_TO_PB: Mapping[PaymentStatus, int] = {
    s: order_pb2.OrderPaymentStatus.Value(f"ORDER_PAYMENT_STATUS_{s.name}") for s in PaymentStatus
}
PAYMENT_FROM_PB: Mapping[int, PaymentStatus] = {v: k for k, v in PAYMENT_TO_PB.items()}
_EVENT_STATUS: Mapping[Status, int] = {s: events_pb.OrderStatus.Value(f"ORDER_STATUS_{s.name}") for s in Status}
_ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postal_code", "country_code", "phone")


def new_order_document(
    *,
    order_id: str,
    user_id: str,
    assessment: checkout_rules.Assessment,
    address: postal_address_pb2.PostalAddress,
    address_id: str,
    payment_method_id: str,
    reservation_id: str,
    payment_due_at: str,
    request_id: str,
    now: str,
    skipped_checks: Sequence[str] = (),
    review_reason: str = "",
    campaign_code: str = "",
) -> Document:
    """A pending order with everything it charges frozen: lines, prices, address and totals.
    Without a reservation expiry there is no payment_due_at field at all (so no sweep matches it)."""
    doc: Document = {
        "id": order_id,
        "kind": KIND,
        "user_id": user_id,
        "items": [
            {
                "product_id": line.product_id,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
                "line_total_minor": line.line_total_minor,
                "image_url": line.image_url,
                "category_id": line.category_id,
                "quantity_returned": 0,
            }
            for line in assessment.lines
        ],
        "subtotal_minor": assessment.subtotal_minor,
        "shipping_minor": assessment.shipping_minor,
        "tax_minor": assessment.tax_minor,
        "total_minor": assessment.total_minor,
        "currency_code": assessment.currency_code,
        "status": Status.PENDING.value,
        "payment_status": PaymentStatus.UNPAID.value,
        "shipping_address": {name: getattr(address, name) for name in _ADDRESS_FIELDS},
        "shipping_address_id": address_id,
        "shipping_option": assessment.selected.option_id if assessment.selected else "",
        "payment_method_id": payment_method_id,
        "payment_id": "",
        "reservation_id": reservation_id,
        "amount_refunded_minor": 0,
        "cancel_reason": "",
        "created_at": now,
        "updated_at": now,
        "request_id": request_id,
    }
    if skipped_checks:
        doc["skipped_checks"] = list(skipped_checks)
    if review_reason:  # only flagged orders carry the flag, so the staff filter matches them alone
        doc["review_required"] = True
        doc["review_reason"] = review_reason
    if payment_due_at:
        doc["payment_due_at"] = payment_due_at
    if campaign_code:
        doc["campaign_code"] = campaign_code
    return doc


def order_message(doc: Document, *, with_etag: bool = True) -> order_pb2.Order:
    currency = doc["currency_code"]

    def major(minor: int) -> float:
        return money.to_major(minor, currency)

    return order_pb2.Order(
        id=doc["id"],
        user_id=doc["user_id"],
        items=[
            order_pb2.OrderItem(
                product_id=item["product_id"],
                name=item["name"],
                quantity=item["quantity"],
                unit_price=major(item["unit_price_minor"]),
                line_total=major(item["line_total_minor"]),
                image_url=item.get("image_url", ""),
                quantity_returned=item.get("quantity_returned", 0),
            )
            for item in doc["items"]
        ],
        subtotal=major(doc["subtotal_minor"]),
        shipping=major(doc["shipping_minor"]),
        tax=major(doc["tax_minor"]),
        total=major(doc["total_minor"]),
        currency_code=currency,
        status=STATUS_TO_PB[Status(doc["status"])],  # type: ignore[arg-type]
        payment_status=PAYMENT_TO_PB[PaymentStatus(doc["payment_status"])],  # type: ignore[arg-type]
        shipping_address=postal_address_pb2.PostalAddress(**doc["shipping_address"]),
        shipping_address_id=doc.get("shipping_address_id", ""),
        shipping_option=doc.get("shipping_option", ""),
        payment_method_id=doc.get("payment_method_id", ""),
        payment_id=doc.get("payment_id", ""),
        reservation_id=doc.get("reservation_id", ""),
        amount_refunded=major(doc.get("amount_refunded_minor", 0)),
        cancel_reason=doc.get("cancel_reason", ""),
        created_at=clocks.to_timestamp(doc.get("created_at")),
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        payment_due_at=clocks.to_timestamp(doc.get("payment_due_at")),
        paid_at=clocks.to_timestamp(doc.get("paid_at")),
        shipped_at=clocks.to_timestamp(doc.get("shipped_at")),
        delivered_at=clocks.to_timestamp(doc.get("delivered_at")),
        cancelled_at=clocks.to_timestamp(doc.get("cancelled_at")),
        etag=doc.get("_etag", "") if with_etag else "",
        subtotal_minor=doc["subtotal_minor"],
        shipping_minor=doc["shipping_minor"],
        tax_minor=doc["tax_minor"],
        total_minor=doc["total_minor"],
        amount_refunded_minor=doc.get("amount_refunded_minor", 0),
        skipped_checks=doc.get("skipped_checks", ()),
        review_required=bool(doc.get("review_required")),
        review_reason=doc.get("review_reason", ""),
        campaign_code=doc.get("campaign_code", ""),
    )


# --- events ----------------------------------------------------------------------------------


def _lines(doc: Document) -> list[events_pb.OrderLine]:
    return [
        events_pb.OrderLine(
            sku=item["product_id"],
            category_id=item.get("category_id", ""),
            quantity=item["quantity"],
            unit_price_minor=item["unit_price_minor"],
            line_total_minor=item["line_total_minor"],
            name=item.get("name", ""),
        )
        for item in doc["items"]
    ]


def _envelope(payload: Message, doc: Document, correlation_id: str, clock: Clock) -> EventEnvelope:
    return resource_event(
        payload, source=SOURCE, collection="orders", resource_id=doc["id"], correlation_id=correlation_id, clock=clock
    )


def created_events(doc: Document, *, correlation_id: str, clock: Clock) -> list[EventEnvelope]:
    address: dict[str, Any] = doc["shipping_address"]
    created = events_pb.OrderCreated(
        order_id=doc["id"],
        user_id=doc["user_id"],
        lines=_lines(doc),
        subtotal_minor=doc["subtotal_minor"],
        shipping_minor=doc["shipping_minor"],
        tax_minor=doc["tax_minor"],
        total_minor=doc["total_minor"],
        currency_code=doc["currency_code"],
        ship_to_postal_code=address.get("postal_code", ""),
        ship_to_region=address.get("region", ""),
        ship_to_country_code=address.get("country_code", ""),
        reservation_id=doc.get("reservation_id", ""),
        reservation_expires_at=clocks.to_timestamp(doc.get("payment_due_at")),
        payment_method_id=doc.get("payment_method_id", ""),
        campaign_code=doc.get("campaign_code", ""),
    )
    return [
        _envelope(created, doc, correlation_id, clock),
        status_changed_event(doc, None, correlation_id=correlation_id, clock=clock),
    ]


def status_changed_event(
    doc: Document, previous: Status | None, *, reason: str = "", correlation_id: str, clock: Clock
) -> EventEnvelope:
    changed = events_pb.OrderStatusChanged(
        order_id=doc["id"],
        user_id=doc["user_id"],
        previous_status=_EVENT_STATUS[previous] if previous else events_pb.ORDER_STATUS_UNSPECIFIED,  # type: ignore[arg-type]
        new_status=_EVENT_STATUS[Status(doc["status"])],  # type: ignore[arg-type]
        reason=reason,
    )
    return _envelope(changed, doc, correlation_id, clock)


def paid_events(doc: Document, *, correlation_id: str, clock: Clock) -> list[EventEnvelope]:
    paid = events_pb.OrderPaid(
        order_id=doc["id"],
        user_id=doc["user_id"],
        payment_id=doc.get("payment_id", ""),
        amount_minor=doc["total_minor"],
        currency_code=doc["currency_code"],
        lines=_lines(doc),
        paid_at=clocks.to_timestamp(doc.get("paid_at")),
    )
    return [
        _envelope(paid, doc, correlation_id, clock),
        status_changed_event(doc, Status.PENDING, correlation_id=correlation_id, clock=clock),
    ]


def cancelled_events(
    doc: Document, previous: Status, *, actor_id: str, refund_minor: int, correlation_id: str, clock: Clock
) -> list[EventEnvelope]:
    """OrderCancelled carries refund_minor > 0 when the order was paid: the payments service
    subscribes to it and refunds that amount (then records it with RecordOrderPayment)."""
    cancelled = events_pb.OrderCancelled(
        order_id=doc["id"],
        user_id=doc["user_id"],
        previous_status=_EVENT_STATUS[previous],  # type: ignore[arg-type]
        reason=doc.get("cancel_reason", ""),
        actor_id=actor_id,
        lines=_lines(doc),
        refund_minor=refund_minor,
        currency_code=doc["currency_code"],
    )
    return [
        _envelope(cancelled, doc, correlation_id, clock),
        status_changed_event(
            doc, previous, reason=doc.get("cancel_reason", ""), correlation_id=correlation_id, clock=clock
        ),
    ]
