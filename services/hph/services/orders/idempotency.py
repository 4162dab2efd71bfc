"""CreateOrder's idempotency: which key a request carries, what makes two requests "the same", and
the records that store the first response (`hph.runtime.idempotency`, kept in the `orders`
container in the customer's partition so the response is stored in the order's own batch).
"""

from __future__ import annotations

from holidaypeak.commerce.v1 import order_service_pb2 as pb
from hph.runtime import idempotency
from hph.runtime.clock import Clock
from hph.runtime.storage import Container

CREATE_SCOPE = "orders.create"


def create_fingerprint(request: pb.CreateOrderRequest) -> str:
    """Hash of everything but the key, so the field and the header name the same request."""
    return idempotency.keyed_request_fingerprint(request)


def create_records(orders: Container, clock: Clock) -> idempotency.IdempotencyRecords:
    return idempotency.IdempotencyRecords(orders, scope=CREATE_SCOPE, clock=clock)
