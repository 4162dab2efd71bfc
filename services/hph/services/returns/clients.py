"""What the return service asks other services over gRPC, each call with a deadline.

Which credentials each call carries (decided once, here):

- As the platform (deps.service_credentials, staff role): reading the order (ownership is checked
  here against the caller, NOT_FOUND for someone else's order, like payments does), moving the
  order to partially_returned/returned (OrderService.UpdateOrderStatus is staff-only) and raising
  stock (InventoryService.UpdateInventoryItem with a relative delta and an idempotency key derived
  from the return and SKU, so a retried restock never adds twice).
- As the caller (their token, forwarded): RefundPayment. It is admin-only, and so is RefundReturn,
  so the admin who refunds the return is the one the payment service checks and records as
  `requested_by`; the platform identity stays staff and borrows no privilege to move money.

Refusals the callee states come back as the same domain errors (FAILED_PRECONDITION keeps its
reason, e.g. AMOUNT_MISMATCH from payments); anything that is not an answer (deadline, callee down)
is UNAVAILABLE naming the service, so clients retry (every step here is safe to retry).
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import grpc

from holidaypeak.commerce.v1 import (
    inventory_service_pb2,
    inventory_service_pb2_grpc,
    order_pb2,
    order_service_pb2,
    order_service_pb2_grpc,
    payment_service_pb2,
    payment_service_pb2_grpc,
    refund_pb2,
)
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.channels import ChannelPool
from hph.runtime.errors import Aborted, DomainError, NotFound
from hph.runtime.idempotency import KEY_REUSED
from hph.runtime.money import to_major, to_minor
from hph.runtime.rpc import downstream
from hph.runtime.rpc.call_context import forwarded_metadata
from hph.runtime.rpc.downstream import UNKNOWN_ID, PlatformClient, refusal_details
from hph.services.returns.rules import OrderedLine

DEADLINE_SECONDS = 5.0
T = TypeVar("T")
_STATUS_PREFIX = "ORDER_STATUS_"


@dataclass(frozen=True)
class OrderView:
    """What a return needs to know about its order; amounts in minor units."""

    id: str
    user_id: str
    status: str  # the order service's status name, e.g. "delivered"
    delivered_at: datetime | None
    lines: dict[str, OrderedLine]
    subtotal_minor: int
    tax_minor: int
    currency: str
    payment_id: str


def order_view(order: order_pb2.Order) -> OrderView:
    currency = order.currency_code
    lines: dict[str, OrderedLine] = {}
    for item in order.items:  # an order lists each product once; be safe and add up repeats
        known = lines.get(item.product_id)
        quantity = item.quantity + (known.quantity if known else 0)
        lines[item.product_id] = OrderedLine(item.product_id, quantity, to_minor(item.unit_price, currency))
    return OrderView(
        id=order.id,
        user_id=order.user_id,
        status=order_pb2.OrderStatus.Name(order.status).removeprefix(_STATUS_PREFIX).lower(),
        delivered_at=order.delivered_at.ToDatetime(tzinfo=UTC) if order.HasField("delivered_at") else None,
        lines=lines,
        subtotal_minor=to_minor(order.subtotal, currency),
        tax_minor=to_minor(order.tax, currency),
        currency=currency,
        payment_id=order.payment_id,
    )


def refusal_from(exc: grpc.aio.AioRpcError, service: str) -> DomainError:
    """The domain error a downstream failure means to our caller (see the module docstring): the
    shared policy, except that the callee's NOT_FOUND is ours too and a reused key is a conflict."""
    code = exc.code()
    if code == grpc.StatusCode.NOT_FOUND:
        return NotFound(exc.details() or f"{service} refused the request")
    if (
        code == grpc.StatusCode.INVALID_ARGUMENT
        and refusal_details(exc).reason(ErrorReason.ERROR_REASON_VALIDATION_FAILED) == KEY_REUSED
    ):
        # Only our own derived keys reach the callee, so this is a conflict between two attempts.
        return Aborted(exc.details() or f"{service} refused the request", reason=KEY_REUSED)
    return downstream.refusal_from(exc, service)


async def _call(service: str, call: Awaitable[T]) -> T:
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        raise refusal_from(exc, service) from None


class OrdersClient(PlatformClient):
    def _stub(self) -> order_service_pb2_grpc.OrderServiceStub:
        return self._channels.stub("orders", order_service_pb2_grpc.OrderServiceStub)

    async def get(self, order_id: str) -> OrderView | None:
        """The order as the platform reads it; None when the orders service does not know it."""
        try:
            order = await self._stub().GetOrder(
                order_service_pb2.GetOrderRequest(order_id=order_id),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in UNKNOWN_ID:
                return None
            raise refusal_from(exc, "orders") from None
        return order_view(order)

    async def mark_returned(
        self, order_id: str, *, fully: bool, returned: Mapping[str, int], reason: str, request_id: str
    ) -> None:
        """Moves a delivered order to partially_returned, or to returned when `fully`, recording
        `returned` (product id -> CUMULATIVE units refunded) on its lines; a no-op when the order is
        there already with those units (the order service keeps the larger count per line)."""
        status = order_pb2.ORDER_STATUS_RETURNED if fully else order_pb2.ORDER_STATUS_PARTIALLY_RETURNED
        items = [order_service_pb2.ReturnedItem(product_id=p, quantity=q) for p, q in sorted(returned.items())]
        await _call(
            "orders",
            self._stub().UpdateOrderStatus(
                order_service_pb2.UpdateOrderStatusRequest(
                    order_id=order_id, status=status, reason=reason, request_id=request_id, returned_items=items
                ),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            ),
        )


class InventoryClient(PlatformClient):
    async def restock(self, sku: str, quantity: int, *, reason: str, request_id: str) -> None:
        """Raises on-hand stock of `sku` by `quantity`, once per `request_id` (the inventory service
        commits the change and its receipt for the key in one batch, and replays a retried key)."""
        stub = self._channels.stub("inventory", inventory_service_pb2_grpc.InventoryServiceStub)
        await _call(
            "inventory",
            stub.UpdateInventoryItem(
                inventory_service_pb2.UpdateInventoryItemRequest(
                    sku=sku, quantity_on_hand_delta=quantity, reason=reason, request_id=request_id
                ),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            ),
        )


class PaymentsClient:
    def __init__(self, channels: ChannelPool) -> None:
        self._channels = channels

    async def refund(
        self, payment_id: str, *, amount_minor: int, currency_code: str, reason: str, return_id: str, request_id: str
    ) -> refund_pb2.Refund:
        """Refunds `amount_minor` of the payment (in its currency, `currency_code`) as the calling admin;
        the same `request_id` never refunds twice (payments replays the first refund, or resumes a
        pending one)."""
        stub = self._channels.stub("payments", payment_service_pb2_grpc.PaymentServiceStub)
        refund: refund_pb2.Refund = await _call(
            "payments",
            stub.RefundPayment(
                payment_service_pb2.RefundPaymentRequest(
                    payment_id=payment_id,
                    # Both forms: a payments service older than the exact twin still reads the double
                    # (and would read its absence as "refund everything").
                    amount=to_major(amount_minor, currency_code),
                    amount_minor=amount_minor,
                    reason=reason,
                    return_id=return_id,
                    request_id=request_id,
                ),
                timeout=DEADLINE_SECONDS,
                metadata=forwarded_metadata(),
            ),
        )
        return refund
