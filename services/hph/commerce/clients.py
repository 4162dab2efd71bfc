"""gRPC clients of the services that checkout and orders read from and act on: cart, users, catalog
and inventory, each call with a deadline.

Which credentials each call carries (decided once, here):

- As the caller (their own `authorization`, forwarded): reading and clearing their cart, reading
  their saved addresses and payment methods. The callee applies its own ownership rules, so
  checkout and orders never borrow privileges for user data; staff acting for another user pass
  `user_id` to the cart, which lets staff name any cart. (The users service has no staff path to
  another user's addresses, so those are only checked for the caller's own checkout.)
- As the platform (the service identity, staff role): the internal inventory RPCs ReserveStock and
  ReleaseReservation, and the staff stock record (GetInventoryItem) the reservation policy agent reads.
- No token: the public catalog and availability reads.

Refusals the callee states come back as the same domain errors (FAILED_PRECONDITION keeps its
reason, subject and metadata, e.g. OUT_OF_STOCK with the short SKUs); anything that is not an answer
(deadline, callee down, our own misconfiguration) is UNAVAILABLE naming the service, so clients retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import TypeVar

import grpc
from google.protobuf import duration_pb2

from holidaypeak.commerce.v1 import (
    address_pb2,
    cart_pb2,
    cart_service_pb2,
    cart_service_pb2_grpc,
    catalog_service_pb2,
    catalog_service_pb2_grpc,
    inventory_item_pb2,
    inventory_service_pb2,
    inventory_service_pb2_grpc,
    payment_method_pb2,
    product_pb2,
    reservation_pb2,
    user_service_pb2,
    user_service_pb2_grpc,
)
from hph.runtime.channels import ChannelPool
from hph.runtime.rpc.call_context import forwarded_metadata
from hph.runtime.rpc.downstream import UNKNOWN_ID, PlatformClient, refusal_from, request_id_metadata

log = logging.getLogger("hph.commerce.clients")

DEADLINE_SECONDS = 5.0
# Catalog reads in flight at once for one cart (a cart holds at most 100 lines).
PRODUCT_READS_IN_FLIGHT = 16

T = TypeVar("T")


async def _call(service: str, call: Awaitable[T]) -> T:
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        raise refusal_from(exc, service) from None


async def _call_or_none(service: str, call: Awaitable[T]) -> T | None:
    """The answer, or None when the callee says the thing does not exist (for the caller)."""
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        if exc.code() in UNKNOWN_ID:
            return None
        raise refusal_from(exc, service) from None


class CartClient:
    def __init__(self, channels: ChannelPool) -> None:
        self._channels = channels

    def _stub(self) -> cart_service_pb2_grpc.CartServiceStub:
        return self._channels.stub("cart", cart_service_pb2_grpc.CartServiceStub)

    async def get(self, user_id: str = "") -> cart_pb2.Cart:
        """The stored cart of the caller (or of `user_id`, which the cart allows staff), as the caller.
        Its stored view: checkout and orders price and check the lines themselves."""
        return await _call(
            "cart",
            self._stub().GetCart(
                cart_service_pb2.GetCartRequest(user_id=user_id, view=cart_service_pb2.CART_VIEW_STORED),
                timeout=DEADLINE_SECONDS,
                metadata=forwarded_metadata(),
            ),
        )

    async def clear(self, *, user_id: str, etag: str, request_id: str) -> bool:
        """Empties the cart if it is still as read (etag); False when the shopper changed it since."""
        try:
            await self._stub().ClearCart(
                cart_service_pb2.ClearCartRequest(user_id=user_id, etag=etag, request_id=request_id),
                timeout=DEADLINE_SECONDS,
                metadata=forwarded_metadata(),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.ABORTED:
                return False
            raise refusal_from(exc, "cart") from None
        return True


class UserDirectory:
    """The caller's own saved addresses and payment methods (as the caller)."""

    def __init__(self, channels: ChannelPool) -> None:
        self._channels = channels

    def _stub(self) -> user_service_pb2_grpc.UserServiceStub:
        return self._channels.stub("users", user_service_pb2_grpc.UserServiceStub)

    async def address(self, address_id: str) -> address_pb2.Address | None:
        return await _call_or_none(
            "users",
            self._stub().GetAddress(
                user_service_pb2.GetAddressRequest(address_id=address_id),
                timeout=DEADLINE_SECONDS,
                metadata=forwarded_metadata(),
            ),
        )

    async def default_address(self) -> address_pb2.Address | None:
        # Listed default first, so the first item is the default when there is one.
        page = await _call(
            "users",
            self._stub().ListAddresses(
                user_service_pb2.ListAddressesRequest(page_size=1),
                timeout=DEADLINE_SECONDS,
                metadata=forwarded_metadata(),
            ),
        )
        return next((a for a in page.addresses if a.is_default), None)

    async def payment_method(self, payment_method_id: str) -> payment_method_pb2.PaymentMethod | None:
        return await _call_or_none(
            "users",
            self._stub().GetPaymentMethod(
                user_service_pb2.GetPaymentMethodRequest(payment_method_id=payment_method_id),
                timeout=DEADLINE_SECONDS,
                metadata=forwarded_metadata(),
            ),
        )

    async def default_payment_method(self) -> payment_method_pb2.PaymentMethod | None:
        page = await _call(
            "users",
            self._stub().ListPaymentMethods(
                user_service_pb2.ListPaymentMethodsRequest(page_size=1),
                timeout=DEADLINE_SECONDS,
                metadata=forwarded_metadata(),
            ),
        )
        return next((m for m in page.payment_methods if m.is_default), None)


class CatalogClient:
    def __init__(self, channels: ChannelPool) -> None:
        self._channels = channels

    async def products(self, product_ids: Iterable[str]) -> dict[str, product_pb2.Product]:
        """The products that exist, by id (absent ids do not exist), read concurrently."""
        stub = self._channels.stub("catalog", catalog_service_pb2_grpc.CatalogServiceStub)
        gate = asyncio.Semaphore(PRODUCT_READS_IN_FLIGHT)
        metadata = request_id_metadata()

        async def one(product_id: str) -> product_pb2.Product | None:
            async with gate:
                return await _call_or_none(
                    "catalog",
                    stub.GetProduct(
                        catalog_service_pb2.GetProductRequest(product_id=product_id),
                        timeout=DEADLINE_SECONDS,
                        metadata=metadata,
                    ),
                )

        ids = list(dict.fromkeys(product_ids))
        found = await asyncio.gather(*(one(product_id) for product_id in ids))
        return {product_id: product for product_id, product in zip(ids, found, strict=True) if product is not None}


class InventoryClient(PlatformClient):
    def _stub(self) -> inventory_service_pb2_grpc.InventoryServiceStub:
        return self._channels.stub("inventory", inventory_service_pb2_grpc.InventoryServiceStub)

    async def availability(self, skus: Sequence[str]) -> Mapping[str, inventory_item_pb2.SkuAvailability]:
        distinct = list(dict.fromkeys(skus))
        if not distinct:
            return {}
        answer = await _call(
            "inventory",
            self._stub().BatchGetAvailability(
                inventory_service_pb2.BatchGetAvailabilityRequest(skus=distinct),
                timeout=DEADLINE_SECONDS,
                metadata=request_id_metadata(),
            ),
        )
        return {item.sku: item for item in answer.availabilities}

    async def item(self, sku: str) -> inventory_item_pb2.InventoryItem | None:
        """The stock record of `sku` as staff see it (on hand, reserved, thresholds), read as the
        platform; zero stock when the product has no record yet, None when no product has this id."""
        return await _call_or_none(
            "inventory",
            self._stub().GetInventoryItem(
                inventory_service_pb2.GetInventoryItemRequest(sku=sku),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            ),
        )

    async def items(self) -> list[inventory_item_pb2.InventoryItem]:
        """Every stock record, read as the platform a page at a time (the stock agents' catalog-wide
        reports)."""
        found: list[inventory_item_pb2.InventoryItem] = []
        token = ""
        while True:
            page = await _call(
                "inventory",
                self._stub().ListInventoryItems(
                    inventory_service_pb2.ListInventoryItemsRequest(page_size=100, page_token=token),
                    timeout=DEADLINE_SECONDS,
                    metadata=self._as_platform(),
                ),
            )
            found.extend(page.inventory_items)
            token = page.next_page_token
            if not token:
                return found

    async def reserve(
        self, *, order_id: str, user_id: str, lines: Sequence[tuple[str, int]], ttl_seconds: int = 0
    ) -> reservation_pb2.Reservation:
        """Holds every line or none; FAILED_PRECONDITION (OUT_OF_STOCK, skus in metadata) when short."""
        ttl = duration_pb2.Duration(seconds=ttl_seconds) if ttl_seconds else None
        return await _call(
            "inventory",
            self._stub().ReserveStock(
                inventory_service_pb2.ReserveStockRequest(
                    order_id=order_id,
                    user_id=user_id,
                    lines=[reservation_pb2.ReservationLine(sku=sku, quantity=qty) for sku, qty in lines],
                    ttl=ttl,
                    request_id=f"{order_id}.reserve",
                ),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            ),
        )

    async def release(self, reservation_id: str, *, reason: str) -> reservation_pb2.Reservation | None:
        """Gives the units back (held or confirmed); idempotent on a released or expired reservation;
        None when inventory knows no such reservation (nothing to give back)."""
        return await _call_or_none(
            "inventory",
            self._stub().ReleaseReservation(
                inventory_service_pb2.ReleaseReservationRequest(
                    reservation_id=reservation_id, reason=reason, request_id=f"{reservation_id}.release"
                ),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            ),
        )


async def best_effort(what: str, action: Callable[[], Awaitable[object]]) -> bool:
    """Runs a compensating step whose failure must not hide the original outcome; logs it."""
    try:
        await action()
    except Exception:
        log.exception("%s failed; it is left to expiry or a retry", what)
        return False
    return True
