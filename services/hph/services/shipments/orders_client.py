"""What shipments asks the orders service over gRPC, with deadlines.

- `get_order(order_id)`: the order as the platform reads it (staff token), to ship it.
- `get_callers_order(order_id)`: the order as the caller sees it (their token forwarded), so a
  customer asking for tracking of someone else's order gets NOT_FOUND from its owner.
- `advance(order_id, reached, target)`: moves the order along paid -> fulfilling -> shipped ->
  delivered with UpdateOrderStatus as the platform, one edge at a time. Safe to repeat: the orders
  service treats "already there" as no change, and an ILLEGAL_TRANSITION saying the order is
  already further along the chain counts as done.

Refusals the callee states (FAILED_PRECONDITION with its reason, NOT_FOUND) come back as the same
domain errors; anything else (deadline, callee down) is Unavailable: the caller retries.
"""

from __future__ import annotations

from typing import NoReturn

import grpc

from holidaypeak.commerce.v1 import order_pb2, order_service_pb2, order_service_pb2_grpc
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.errors import FailedPrecondition, NotFound, Unavailable
from hph.runtime.rpc.call_context import forwarded_metadata
from hph.runtime.rpc.downstream import UNKNOWN_ID, Metadata, PlatformClient, refusal_details
from hph.services.shipments import rules
from hph.services.shipments.rules import OrderStatus

DEADLINE_SECONDS = 5.0
ORDER_STATUS_NAMES: dict[int, str] = {
    value: order_pb2.OrderStatus.Name(value).removeprefix("ORDER_STATUS_").lower()
    for value in order_pb2.OrderStatus.values()
}


def _raise_refusal(exc: grpc.aio.AioRpcError, subject: str) -> NoReturn:
    code, details = exc.code(), exc.details() or ""
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        reason = refusal_details(exc).reason(ErrorReason.ERROR_REASON_FAILED_PRECONDITION)
        raise FailedPrecondition(details, subject=subject, reason=reason)
    if code in UNKNOWN_ID:
        raise NotFound(f"{subject.replace('/', ' ')} not found") from None
    raise Unavailable(
        f"the orders service did not answer ({code.name}); retry shortly", metadata={"service": "orders"}
    ) from None


def order_status_name(order: order_pb2.Order) -> str:
    return ORDER_STATUS_NAMES.get(order.status, "")


class OrdersClient(PlatformClient):
    def _stub(self) -> order_service_pb2_grpc.OrderServiceStub:
        return self._channels.stub("orders", order_service_pb2_grpc.OrderServiceStub)

    async def get_order(self, order_id: str) -> order_pb2.Order:
        return await self._get(order_id, self._as_platform())

    async def get_callers_order(self, order_id: str) -> order_pb2.Order:
        return await self._get(order_id, forwarded_metadata())

    async def _get(self, order_id: str, metadata: Metadata) -> order_pb2.Order:
        try:
            order: order_pb2.Order = await self._stub().GetOrder(
                order_service_pb2.GetOrderRequest(order_id=order_id), timeout=DEADLINE_SECONDS, metadata=metadata
            )
        except grpc.aio.AioRpcError as exc:
            _raise_refusal(exc, f"orders/{order_id}")
        return order

    async def advance(self, order_id: str, reached: str, target: OrderStatus, *, reason: str) -> str:
        """Moves the order from `reached` (what we last knew) up to `target`; returns the status
        reached. FailedPrecondition when the order left the chain (e.g. cancelled)."""
        for status in rules.order_path(reached, target):
            await self._update(order_id, status, reason)
        return target.value

    async def _update(self, order_id: str, status: OrderStatus, reason: str) -> None:
        wire = order_pb2.OrderStatus.Value(f"ORDER_STATUS_{status.name}")
        try:
            await self._stub().UpdateOrderStatus(
                order_service_pb2.UpdateOrderStatusRequest(
                    order_id=order_id,
                    status=wire,  # type: ignore[arg-type]
                    reason=reason[: rules.DESCRIPTION_MAX],
                    request_id=f"shipments.{order_id}.{status.value}",
                ),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
        except grpc.aio.AioRpcError as exc:
            refusal = refusal_details(exc)
            if (
                exc.code() == grpc.StatusCode.FAILED_PRECONDITION
                and refusal.reason(ErrorReason.ERROR_REASON_FAILED_PRECONDITION) == rules.ILLEGAL_TRANSITION
                and rules.order_rank(refusal.info.metadata.get("from", "")) >= rules.order_rank(status.value)
            ):
                return  # the order is already there or further along
            _raise_refusal(exc, f"orders/{order_id}")
