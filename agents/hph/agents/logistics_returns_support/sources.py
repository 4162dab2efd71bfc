"""What the agent reads, over the services' gRPC APIs as the platform (staff role), never their
storage: the order, its shipments, its returns so far (units claimed by returns not rejected) and
the products' category and tags."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import grpc

from holidaypeak.commerce.v1 import (
    order_pb2,
    order_service_pb2,
    order_service_pb2_grpc,
    return_pb2,
    return_service_pb2,
    return_service_pb2_grpc,
    shipment_pb2,
    shipment_service_pb2,
    shipment_service_pb2_grpc,
)
from hph.runtime.rpc.downstream import UNKNOWN_ID, PlatformClient, refusal_from

DEADLINE_SECONDS = 5.0
PAGE_SIZE = 100
T = TypeVar("T")


@dataclass(frozen=True)
class Delivery:
    """The order's shipments as the shopper sees them: how many, delivered, and the last delivery."""

    shipments: int
    delivered: int
    last_delivered_at: datetime | None


async def _call(service: str, call: Awaitable[T]) -> T:
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        raise refusal_from(exc, service) from None


class PlatformReads(PlatformClient):
    async def order(self, order_id: str) -> order_pb2.Order | None:
        stub = self._channels.stub("orders", order_service_pb2_grpc.OrderServiceStub)
        try:
            order: order_pb2.Order = await stub.GetOrder(
                order_service_pb2.GetOrderRequest(order_id=order_id),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in UNKNOWN_ID:
                return None
            raise refusal_from(exc, "orders") from None
        return order

    async def claimed(self, order_id: str) -> dict[str, int]:
        """Units per product in the order's returns that were not rejected (what the service counts)."""
        stub = self._channels.stub("returns", return_service_pb2_grpc.ReturnServiceStub)
        claimed: dict[str, int] = {}
        token = ""
        while True:
            page = await _call(
                "returns",
                stub.ListAllReturns(
                    return_service_pb2.ListAllReturnsRequest(order_id=order_id, page_size=PAGE_SIZE, page_token=token),
                    timeout=DEADLINE_SECONDS,
                    metadata=self._as_platform(),
                ),
            )
            for found in page.returns:
                if found.status == return_pb2.RETURN_STATUS_REJECTED:
                    continue
                for item in found.items:
                    claimed[item.product_id] = claimed.get(item.product_id, 0) + item.quantity
            token = page.next_page_token
            if not token:
                return claimed

    async def delivery(self, order_id: str) -> Delivery:
        stub = self._channels.stub("shipments", shipment_service_pb2_grpc.ShipmentServiceStub)
        page = await _call(
            "shipments",
            stub.ListShipments(
                shipment_service_pb2.ListShipmentsRequest(order_id=order_id, page_size=PAGE_SIZE),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            ),
        )
        delivered = [s for s in page.shipments if s.status == shipment_pb2.SHIPMENT_STATUS_DELIVERED]
        last = max(
            (s.delivered_at.ToDatetime(tzinfo=UTC) for s in delivered if s.HasField("delivered_at")), default=None
        )
        return Delivery(len(page.shipments), len(delivered), last)
