"""`HPH_SEED_HISTORY_DAYS`: `hph up` generates the demo history on its first start only (an empty
store), before it serves; a restart on the same data dir adds nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc
from tests.support.hph_process import grpc_address, hph_running, hph_token

pytestmark = pytest.mark.e2e

HISTORY = {"HPH_SEED_HISTORY_DAYS": "2"}


async def orders_held(address: str, token: str) -> int:
    async with grpc.aio.insecure_channel(address) as channel:
        stub = orders_grpc.OrderServiceStub(channel)
        count, page_token = 0, ""
        while True:
            page = await stub.ListAllOrders(
                orders_pb.ListAllOrdersRequest(page_size=100, page_token=page_token),
                metadata=(("authorization", f"Bearer {token}"),),
            )
            count += len(page.orders)
            page_token = page.next_page_token
            if not page_token:
                return count


def test_hph_up_generates_the_history_on_a_first_start_only(tmp_path: Path) -> None:
    with hph_running(tmp_path, env=HISTORY) as (_, banner):
        first = asyncio.run(orders_held(grpc_address(banner), hph_token(tmp_path, "staff-sam", "staff")))
    assert first > 0
    with hph_running(tmp_path, env=HISTORY) as (_, banner):
        again = asyncio.run(orders_held(grpc_address(banner), hph_token(tmp_path, "staff-sam", "staff")))
    assert again == first
