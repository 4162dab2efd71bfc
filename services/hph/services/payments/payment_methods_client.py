"""What payments asks the users service: is this saved payment method the caller's, and what is it?

GetPaymentMethod only answers about the caller's own methods, so the call carries the caller's own
`authorization` header (forwarded from the incoming request), never the platform's token: a method
that is not the caller's is NOT_FOUND there and INVALID_ARGUMENT on `payment_method_id` here.
Must run inside the caller's RPC (it reads the call context).
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from holidaypeak.commerce.v1 import user_service_pb2, user_service_pb2_grpc
from hph.runtime.channels import ChannelPool
from hph.runtime.errors import InvalidArgument, Unauthenticated, Unavailable
from hph.runtime.rpc.call_context import current_call, forwarded_metadata

DEADLINE_SECONDS = 3.0
_NOT_THE_CALLERS = {grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT}


@dataclass(frozen=True)
class SavedMethod:
    """A saved card as the provider knows it; no card data beyond brand and last four."""

    id: str
    provider_payment_method_id: str
    brand: str
    last4: str


class PaymentMethodsClient:
    def __init__(self, channels: ChannelPool) -> None:
        self._channels = channels

    async def get_callers(self, payment_method_id: str) -> SavedMethod:
        if not current_call().authorization:
            raise Unauthenticated("sign in first: paying needs the caller's bearer token")
        stub = self._channels.stub("users", user_service_pb2_grpc.UserServiceStub)
        try:
            method = await stub.GetPaymentMethod(
                user_service_pb2.GetPaymentMethodRequest(payment_method_id=payment_method_id),
                timeout=DEADLINE_SECONDS,
                metadata=forwarded_metadata(),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in _NOT_THE_CALLERS:
                raise InvalidArgument.for_field(
                    "payment_method_id", "is not one of your saved payment methods"
                ) from None
            raise Unavailable(
                f"the users service could not confirm the payment method ({exc.code().name}); retry shortly",
                metadata={"service": "users"},
            ) from None
        return SavedMethod(
            id=method.id,
            provider_payment_method_id=method.provider_payment_method_id,
            brand=method.brand,
            last4=method.last4,
        )
