"""The peak race for scarce stock over gRPC: buyers, each wanting one unit, reserve at once through
several connections (to one process, several workers or several hosts), and only the store's
compare-and-swap keeps them from overselling."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import grpc

from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import reservation_pb2
from tests.support.rich_status import reason
from tests.support.tokens import Metadata


async def race_for_units(
    stubs: Sequence[inventory_grpc.InventoryServiceStub], staff: Metadata, *, buyers: int, units: int
) -> tuple[str, list[bool]]:
    """Sets the first SKU to `units` on hand, then has `buyers` reserve one unit each, buyer n through
    `stubs[n % len(stubs)]`; returns the SKU and whether each buyer got a hold. A buyer refused is
    refused as OUT_OF_STOCK, nothing else."""
    listed = await stubs[0].ListInventoryItems(inventory_pb.ListInventoryItemsRequest(page_size=1), metadata=staff)
    sku = listed.inventory_items[0].sku
    await stubs[0].UpdateInventoryItem(
        inventory_pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand=units, reason="peak drill"), metadata=staff
    )

    async def hold(n: int) -> bool:
        request = inventory_pb.ReserveStockRequest(
            order_id=f"ORD-RACE-{n}", user_id=f"racer-{n}", lines=[reservation_pb2.ReservationLine(sku=sku, quantity=1)]
        )
        try:
            await stubs[n % len(stubs)].ReserveStock(request, metadata=staff, timeout=120)
        except grpc.aio.AioRpcError as error:
            assert (error.code(), reason(error)) == (grpc.StatusCode.FAILED_PRECONDITION, "OUT_OF_STOCK")
            return False
        return True

    return sku, list(await asyncio.gather(*(hold(n) for n in range(buyers))))
