"""What payments asks the users service: is this saved payment method the caller's, and what is it?

GetPaymentMethod only answers about the caller's own methods, so the call carries the caller's own
`authorization` header (forwarded from the incoming request), never the platform's token: a method
that is not the caller's is NOT_FOUND there and INVALID_ARGUMENT on `payment_method_id` here.
Must run inside the caller's RPC (it reads the call context).
"""

from __future__ import annotations

from dataclasses import dataclass

from holidaypeak.commerce.v1 import user_service_pb2, user_service_pb2_grpc
from hph.runtime.channels import ChannelPool
from hph.runtime.errors import InvalidArgument, Unauthenticated
from hph.runtime.rpc.call_context import current_call, forwarded_metadata
from hph.runtime.rpc.downstream import found_or_none

DEADLINE_SECONDS = 3.0


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
        method = await found_or_none(
            stub.GetPaymentMethod(
                user_service_pb2.GetPaymentMethodRequest(payment_method_id=payment_method_id),
                timeout=DEADLINE_SECONDS,
                metadata=forwarded_metadata(),
            ),
            service="users",
            unconfirmed="the users service could not confirm the payment method",
        )
        if method is None:  # unknown to the users service, or not the caller's
            raise InvalidArgument.for_field("payment_method_id", "is not one of your saved payment methods")
        return SavedMethod(
            id=method.id,
            provider_payment_method_id=method.provider_payment_method_id,
            brand=method.brand,
            last4=method.last4,
        )
