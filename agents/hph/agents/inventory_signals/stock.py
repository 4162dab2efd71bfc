"""One SKU's live stock as the stock agents judge it (read from InventoryService)."""

from __future__ import annotations

from dataclasses import dataclass

from holidaypeak.commerce.v1 import inventory_item_pb2


@dataclass(frozen=True)
class Stock:
    sku: str
    on_hand: int
    reserved: int
    reorder_point: int = 0
    safety_stock: int = 0
    overstock_threshold: int = 0

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved)

    @classmethod
    def of(cls, item: inventory_item_pb2.InventoryItem) -> Stock:
        return cls(
            item.sku,
            item.quantity_on_hand,
            item.quantity_reserved,
            item.reorder_point,
            item.safety_stock,
            item.overstock_threshold,
        )
