"""What payments asks the order side over gRPC, with deadlines and the platform's own identity.

- `OrdersClient.get_order`: the order as the platform reads it (staff token); the payments service
  checks ownership itself against the caller.
- `OrdersClient.record_payment`: RecordOrderPayment (pending -> paid, refund amounts), idempotent per
  payment on the order side.
- `ReservationsClient.confirm`: InventoryService.ConfirmReservation, idempotent on a confirmed hold.

Who confirms the stock: the payments service, once per captured payment, BEFORE it records the
payment on the order (ConfirmReservation, then RecordOrderPayment). Both calls are idempotent, so a
crash or a retry between them is repaired by running both again; the payment document remembers
when they are done (`order_recorded`).

Refusals the callee states (FAILED_PRECONDITION with its ErrorInfo reason, NOT_FOUND) come back as
the same domain errors; anything else (deadline, callee down) is Unavailable: the caller retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

import grpc

from holidaypeak.commerce.v1 import (
    inventory_service_pb2,
    inventory_service_pb2_grpc,
    order_pb2,
    order_service_pb2,
    order_service_pb2_grpc,
)
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.errors import FailedPrecondition, NotFound, Unavailable
from hph.runtime.money import to_major, to_minor
from hph.runtime.rpc.downstream import UNKNOWN_ID, PlatformClient, refusal_details

DEADLINE_SECONDS = 5.0


@dataclass(frozen=True)
class OrderView:
    """What a payment needs to know about an order; amounts in minor units."""

    id: str
    user_id: str
    status: int  # order_pb2.OrderStatus
    payment_status: int  # order_pb2.OrderPaymentStatus
    total_minor: int
    currency: str
    reservation_id: str
    payment_id: str

    @property
    def payable(self) -> bool:
        return (
            self.status == order_pb2.ORDER_STATUS_PENDING and self.payment_status != order_pb2.ORDER_PAYMENT_STATUS_PAID
        )


def order_view(order: order_pb2.Order) -> OrderView:
    return OrderView(
        id=order.id,
        user_id=order.user_id,
        status=order.status,
        payment_status=order.payment_status,
        total_minor=to_minor(order.total, order.currency_code),
        currency=order.currency_code,
        reservation_id=order.reservation_id,
        payment_id=order.payment_id,
    )


def raise_refusal(exc: grpc.aio.AioRpcError, service: str, subject: str) -> NoReturn:
    """Re-raises what the callee refused as our domain error; anything else means "retry later"."""
    code = exc.code()
    details = exc.details() or ""
    if code == grpc.StatusCode.FAILED_PRECONDITION:
        reason = refusal_details(exc).reason(ErrorReason.ERROR_REASON_FAILED_PRECONDITION)
        raise FailedPrecondition(details, subject=subject, reason=reason) from None
    if code == grpc.StatusCode.NOT_FOUND:
        raise NotFound(details or f"{subject} not found") from None
    raise Unavailable(
        f"the {service} service did not answer ({code.name}); retry shortly", metadata={"service": service}
    ) from None


class OrdersClient(PlatformClient):
    def _stub(self) -> order_service_pb2_grpc.OrderServiceStub:
        return self._channels.stub("orders", order_service_pb2_grpc.OrderServiceStub)

    async def get_order(self, order_id: str) -> OrderView:
        """The order; NOT_FOUND when the orders service does not know it."""
        try:
            order = await self._stub().GetOrder(
                order_service_pb2.GetOrderRequest(order_id=order_id),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in UNKNOWN_ID:
                raise NotFound(f"order {order_id!r} not found") from None
            raise_refusal(exc, "orders", f"orders/{order_id}")
        return order_view(order)

    async def record_payment(
        self,
        order_id: str,
        payment_id: str,
        payment_status: int,
        *,
        amount_refunded_minor: int = 0,
        currency: str = "",
        request_id: str,
    ) -> OrderView:
        """Records a payment outcome (with the cumulative refunded amount in `currency` for the refunded
        statuses); FailedPrecondition when the order refuses it (e.g. cancelled)."""
        request = order_service_pb2.RecordOrderPaymentRequest(
            order_id=order_id,
            payment_id=payment_id,
            payment_status=payment_status,  # type: ignore[arg-type]
            request_id=request_id,
        )
        if amount_refunded_minor:
            # Both forms: an orders service older than the exact twin still reads the double.
            request.amount_refunded = to_major(amount_refunded_minor, currency)
            request.amount_refunded_minor = amount_refunded_minor
        try:
            order = await self._stub().RecordOrderPayment(
                request,
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
        except grpc.aio.AioRpcError as exc:
            raise_refusal(exc, "orders", f"orders/{order_id}")
        return order_view(order)


class ReservationsClient(PlatformClient):
    async def confirm(self, reservation_id: str, *, request_id: str) -> None:
        """Makes the hold final; FailedPrecondition (e.g. OUT_OF_STOCK, released) when it cannot be."""
        stub = self._channels.stub("inventory", inventory_service_pb2_grpc.InventoryServiceStub)
        try:
            await stub.ConfirmReservation(
                inventory_service_pb2.ConfirmReservationRequest(reservation_id=reservation_id, request_id=request_id),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                raise FailedPrecondition(
                    f"reservation {reservation_id!r} no longer exists",
                    subject=f"reservations/{reservation_id}",
                    reason=ErrorReason.ERROR_REASON_RESERVATION_NOT_FOUND,
                ) from None
            raise_refusal(exc, "inventory", f"reservations/{reservation_id}")
