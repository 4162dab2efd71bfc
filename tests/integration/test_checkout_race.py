"""The peak scenario end to end over gRPC: 200 shoppers with the same item in their carts race to
order the last 25 units through OrderService.CreateOrder (cart, addresses, the reservation saga and
the order write all real). Exactly 25 orders exist afterwards; everyone else is told OUT_OF_STOCK,
nothing is left half-held, and the losers keep their carts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as cart_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import order_pb2
from holidaypeak.commerce.v1 import order_service_pb2 as order_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as order_grpc
from holidaypeak.commerce.v1 import user_service_pb2 as user_pb
from holidaypeak.commerce.v1 import user_service_pb2_grpc as user_grpc
from tests.support.hph_process import grpc_address, hph_token, start_hph, stop_hph
from tests.support.platform_harness import Hub
from tests.support.rich_status import reason
from tests.support.stock_race import race_for_units

pytestmark = pytest.mark.integration

BUYERS, UNITS = 200, 25


async def test_200_shoppers_race_for_25_units_through_create_order(hub: Hub) -> None:
    staff = hub.auth("staff", "staff-sam")
    sku = (
        (await catalog_grpc.CatalogServiceStub(hub.channel).ListProducts(catalog_pb.ListProductsRequest(limit=1)))
        .products[0]
        .id
    )
    inventory = inventory_grpc.InventoryServiceStub(hub.channel)
    await inventory.UpdateInventoryItem(
        inventory_pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand=UNITS, reason="peak drill"), metadata=staff
    )

    async def prepare(n: int) -> tuple[tuple[tuple[str, str], ...], str]:
        shopper = hub.auth("customer", f"racer-{n}")
        address = await user_grpc.UserServiceStub(hub.channel).CreateAddress(
            user_pb.CreateAddressRequest(
                name="Racer", line1="1 Main St", city="Austin", region="TX", postal_code="73301", country_code="US"
            ),
            metadata=shopper,
        )
        await cart_grpc.CartServiceStub(hub.channel).AddCartItem(
            cart_pb.AddCartItemRequest(product_id=sku, quantity=1), metadata=shopper
        )
        return shopper, address.id

    shoppers = [await prepare(n) for n in range(BUYERS)]

    async def buy(n: int) -> order_pb2.Order | grpc.aio.AioRpcError:
        metadata, address_id = shoppers[n]
        try:
            return await order_grpc.OrderServiceStub(hub.channel).CreateOrder(
                order_pb.CreateOrderRequest(shipping_address_id=address_id, request_id=f"race-{n}"),
                metadata=metadata,
                timeout=120,
            )
        except grpc.aio.AioRpcError as error:
            return error

    outcomes = await asyncio.gather(*(buy(n) for n in range(BUYERS)))
    orders = [o for o in outcomes if isinstance(o, order_pb2.Order)]
    refused = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert len(orders) == UNITS, f"{len(orders)} orders for {UNITS} units"
    assert {(e.code(), reason(e)) for e in refused} == {(grpc.StatusCode.FAILED_PRECONDITION, "OUT_OF_STOCK")}
    assert all(o.status == order_pb2.ORDER_STATUS_PENDING for o in orders)

    item = await inventory.GetInventoryItem(inventory_pb.GetInventoryItemRequest(sku=sku), metadata=staff)
    assert (item.quantity_on_hand, item.quantity_reserved, item.quantity_available) == (UNITS, UNITS, 0)
    # A loser's cart still holds the item (nothing was taken from them).
    loser = next(n for n, o in enumerate(outcomes) if isinstance(o, grpc.aio.AioRpcError))
    cart = await cart_grpc.CartServiceStub(hub.channel).GetCart(cart_pb.GetCartRequest(), metadata=shoppers[loser][0])
    assert [line.product_id for line in cart.items] == [sku]


async def test_buyers_spread_over_two_worker_processes_never_oversell(tmp_path: Path) -> None:
    await buyers_spread_over_two_worker_processes_never_oversell(tmp_path)


async def buyers_spread_over_two_worker_processes_never_oversell(
    tmp_path: Path, env: dict[str, str] | None = None
) -> None:
    """`hph up --workers 2`: two processes on one store, each with its own event loop and in-process
    locks, so nothing but the storage compare-and-swap (the commit helper's if-match) keeps them from
    both selling the same unit. Reservations arrive over 16 connections, which the kernel spreads
    over the two workers. `env` chooses the store (tests/integration/test_postgres_platform.py)."""
    process, banner = start_hph(tmp_path, "--workers", "2", env=env)
    assert "REST" in banner, banner
    options = [("grpc.use_local_subchannel_pool", 1)]  # a connection of its own per channel
    channels = [grpc.aio.insecure_channel(grpc_address(banner), options=options) for _ in range(16)]
    try:
        staff = (("authorization", f"Bearer {hph_token(tmp_path, 'staff-sam', 'staff')}"),)
        stubs = [inventory_grpc.InventoryServiceStub(channel) for channel in channels]
        sku, held = await race_for_units(stubs, staff, buyers=BUYERS, units=UNITS)
        assert sum(held) == UNITS, f"{sum(held)} holds for {UNITS} units"
        item = await stubs[0].GetInventoryItem(inventory_pb.GetInventoryItemRequest(sku=sku), metadata=staff)
        assert (item.quantity_on_hand, item.quantity_reserved, item.quantity_available) == (UNITS, UNITS, 0)
    finally:
        for channel in channels:
            await channel.close()
        stop_hph(process)
