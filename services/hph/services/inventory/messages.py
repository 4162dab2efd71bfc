"""Inventory documents -> wire messages (InventoryItem, SkuAvailability, Reservation)."""

from __future__ import annotations

from holidaypeak.commerce.v1 import inventory_item_pb2, reservation_pb2
from hph.runtime import clock as clocks
from hph.runtime.storage import Document
from hph.services.inventory import rules

HEALTH = {
    rules.HEALTHY: inventory_item_pb2.INVENTORY_HEALTH_HEALTHY,
    rules.LOW_STOCK: inventory_item_pb2.INVENTORY_HEALTH_LOW_STOCK,
    rules.OUT_OF_STOCK: inventory_item_pb2.INVENTORY_HEALTH_OUT_OF_STOCK,
    rules.OVERSTOCKED: inventory_item_pb2.INVENTORY_HEALTH_OVERSTOCKED,
}
HEALTH_NAMES = {value: name for name, value in HEALTH.items()}

# A pending reservation is still being placed; callers only ever see it as held.
_STATUS = {
    rules.PENDING: reservation_pb2.RESERVATION_STATUS_HELD,
    rules.HELD: reservation_pb2.RESERVATION_STATUS_HELD,
    rules.CONFIRMED: reservation_pb2.RESERVATION_STATUS_CONFIRMED,
    rules.RELEASED: reservation_pb2.RESERVATION_STATUS_RELEASED,
    rules.EXPIRED: reservation_pb2.RESERVATION_STATUS_EXPIRED,
}


def inventory_item(sku: str, doc: Document | None) -> inventory_item_pb2.InventoryItem:
    """The stock record of `sku`; a product without a record yet has zero stock."""
    level = rules.level_of(doc)
    return inventory_item_pb2.InventoryItem(
        sku=sku,
        quantity_on_hand=level.on_hand,
        quantity_reserved=level.reserved,
        quantity_available=level.available,
        reorder_point=level.reorder_point,
        safety_stock=level.safety_stock,
        overstock_threshold=level.overstock_threshold,
        # Derived, not read back: correct even for records written before health was stored.
        health=HEALTH[level.health],
        updated_at=clocks.to_timestamp(doc.get("updated_at") if doc else None),
        etag=doc.get("_etag", "") if doc else "",
    )


def availability(sku: str, doc: Document | None) -> inventory_item_pb2.SkuAvailability:
    level = rules.level_of(doc)
    in_stock = level.available > 0
    return inventory_item_pb2.SkuAvailability(
        sku=sku,
        in_stock=in_stock,
        quantity_available=rules.public_quantity(level),
        low_stock=in_stock and level.is_low,
    )


def reservation(doc: Document) -> reservation_pb2.Reservation:
    return reservation_pb2.Reservation(
        id=doc["id"],
        order_id=doc["order_id"],
        user_id=doc["user_id"],
        lines=[reservation_pb2.ReservationLine(sku=line.sku, quantity=line.quantity) for line in rules.lines_of(doc)],
        status=_STATUS[doc["status"]],
        expires_at=clocks.to_timestamp(doc.get("expires_at")),
        created_at=clocks.to_timestamp(doc.get("created_at")),
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        confirmed_at=clocks.to_timestamp(doc.get("confirmed_at")),
        released_at=clocks.to_timestamp(doc.get("released_at")),
        release_reason=doc.get("release_reason", ""),
    )
