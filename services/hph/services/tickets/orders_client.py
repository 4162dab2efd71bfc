"""The one question tickets asks the orders service: is this order the caller's own?

Asked as the caller (their own `authorization`, forwarded) through OrderService.GetOrder with a
deadline, so the orders service applies its ownership rules and tickets never borrows the
platform's privileges for user data. An order that is unknown, malformed or someone else's is, to
the caller, not one of their orders: INVALID_ARGUMENT on `order_id`. Anything that is not an answer
(deadline, orders down) is UNAVAILABLE, so the client retries.
"""

from __future__ import annotations

import logging

import grpc

from holidaypeak.commerce.v1 import order_service_pb2, order_service_pb2_grpc
from hph.runtime.channels import ChannelPool
from hph.runtime.errors import InvalidArgument, Unavailable
from hph.runtime.rpc.call_context import forwarded_metadata
from hph.runtime.rpc.downstream import UNKNOWN_ID

log = logging.getLogger("hph.tickets.orders")

DEADLINE_SECONDS = 5.0
NOT_YOURS = "is not one of your orders"
# The orders service's answers meaning "no such order for this caller".
_UNKNOWN = UNKNOWN_ID | {grpc.StatusCode.PERMISSION_DENIED}


class CustomerOrders:
    """Checks order ownership against the orders service, as the caller."""

    def __init__(self, channels: ChannelPool) -> None:
        self._channels = channels

    async def require_own(self, order_id: str, user_id: str) -> None:
        """Passes when `order_id` is an order of `user_id` that the caller may read."""
        stub = self._channels.stub("orders", order_service_pb2_grpc.OrderServiceStub)
        try:
            order = await stub.GetOrder(
                order_service_pb2.GetOrderRequest(order_id=order_id),
                metadata=forwarded_metadata(),
                timeout=DEADLINE_SECONDS,
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in _UNKNOWN:
                raise InvalidArgument.for_field("order_id", NOT_YOURS) from None
            if exc.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                log.warning("orders answered %s: %s", exc.code().name, exc.details())
            raise Unavailable(
                f"the orders service could not answer ({exc.code().name}); retry shortly",
                metadata={"service": "orders"},
            ) from None
        # Staff may read any order; a ticket is only ever about its own customer's order.
        if order.user_id != user_id:
            raise InvalidArgument.for_field("order_id", NOT_YOURS)
