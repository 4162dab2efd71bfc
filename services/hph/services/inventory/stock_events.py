"""The events inventory publishes (topic inventory-events, partition key sku), built from rules types.

Every payload carries the SKU's StockLevel right after the change, so consumers (the catalog's
in_stock flag, analytics, the replenishment agent) never need to read inventory back.
"""

from __future__ import annotations

from google.protobuf.message import Message

from holidaypeak.events.v1 import inventory_events_pb2 as ev
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.events import resource_event
from hph.services.inventory import rules

SOURCE = "inventory"

_RELEASE_REASONS: dict[str, ev.ReleaseReason] = {
    "order cancelled": ev.RELEASE_REASON_ORDER_CANCELLED,
    "cancelled": ev.RELEASE_REASON_ORDER_CANCELLED,
    "payment failed": ev.RELEASE_REASON_PAYMENT_FAILED,
    rules.EXPIRY_REASON: ev.RELEASE_REASON_EXPIRED,
}
_ADJUSTMENT_REASONS: dict[str, ev.AdjustmentReason] = {
    rules.RECEIVED: ev.ADJUSTMENT_REASON_RECEIVED,
    rules.RETURN_RESTOCK: ev.ADJUSTMENT_REASON_RETURN_RESTOCK,
    rules.COUNT_CORRECTION: ev.ADJUSTMENT_REASON_COUNT_CORRECTION,
    rules.DAMAGED_OR_LOST: ev.ADJUSTMENT_REASON_DAMAGED_OR_LOST,
    rules.SETTINGS: ev.ADJUSTMENT_REASON_SETTINGS,
    rules.OTHER: ev.ADJUSTMENT_REASON_OTHER,
}


def stock_level(level: rules.Level) -> ev.StockLevel:
    return ev.StockLevel(
        on_hand=level.on_hand,
        reserved=level.reserved,
        available=level.available,
        reorder_point=level.reorder_point,
        safety_stock=level.safety_stock,
    )


def release_reason(text: str) -> ev.ReleaseReason:
    """The event's reason enum for a free-text release reason ("payment failed" -> PAYMENT_FAILED)."""
    lowered = text.strip().lower()
    for words, value in _RELEASE_REASONS.items():
        if words in lowered:
            return value
    return ev.RELEASE_REASON_UNSPECIFIED


def reserved(
    sku: str, quantity: int, reservation_id: str, order_id: str, user_id: str, expires_at: str, level: rules.Level
) -> ev.InventoryReserved:
    return ev.InventoryReserved(
        sku=sku,
        quantity=quantity,
        reservation_id=reservation_id,
        order_id=order_id,
        user_id=user_id,
        expires_at=clocks.to_timestamp(expires_at),
        level=stock_level(level),
    )


def released(
    sku: str, quantity: int, reservation_id: str, order_id: str, reason: str, level: rules.Level
) -> ev.InventoryReleased:
    return ev.InventoryReleased(
        sku=sku,
        quantity=quantity,
        reservation_id=reservation_id,
        order_id=order_id,
        reason=release_reason(reason),
        level=stock_level(level),
    )


def confirmed(sku: str, quantity: int, reservation_id: str, order_id: str, level: rules.Level) -> ev.InventoryConfirmed:
    return ev.InventoryConfirmed(
        sku=sku, quantity=quantity, reservation_id=reservation_id, order_id=order_id, level=stock_level(level)
    )


def adjusted(sku: str, delta: int, kind: str, actor_id: str, note: str, level: rules.Level) -> ev.InventoryAdjusted:
    return ev.InventoryAdjusted(
        sku=sku,
        delta=delta,
        reason=_ADJUSTMENT_REASONS[kind],
        actor_id=actor_id,
        reference_id=rules.reference_in(note),
        note=note,
        level=stock_level(level),
    )


def low_stock(sku: str, level: rules.Level) -> ev.LowStock:
    return ev.LowStock(sku=sku, level=stock_level(level), out_of_stock=level.available == 0)


def envelope(payload: Message, sku: str, *, correlation_id: str, clock: Clock) -> EventEnvelope:
    return resource_event(
        payload, source=SOURCE, collection="inventory", resource_id=sku, correlation_id=correlation_id, clock=clock
    )
