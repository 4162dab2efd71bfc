"""What the cart asks other services, over gRPC with deadlines: the catalog for products and prices,
inventory for availability.

Adding a product needs a definite catalog answer (else UNAVAILABLE); reading a cart never fails
because of either service: what could not be checked is reported as unchecked instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

import grpc

from holidaypeak.commerce.v1 import (
    catalog_service_pb2,
    catalog_service_pb2_grpc,
    inventory_service_pb2,
    inventory_service_pb2_grpc,
    product_pb2,
)
from hph.runtime import money
from hph.runtime.channels import ChannelPool
from hph.runtime.errors import InvalidArgument, Unavailable
from hph.runtime.rpc.downstream import UNKNOWN_ID, found_or_none, request_id_metadata
from hph.services.cart.rules import ProductAnswer, ProductInfo, StockInfo, Unchecked

log = logging.getLogger("hph.cart")

DEADLINE_SECONDS = 3.0
# Catalog reads in flight at once for one cart read (a cart has up to 100 lines).
MAX_CONCURRENT_LOOKUPS = 16


def product_info(product: product_pb2.Product) -> ProductInfo:
    return ProductInfo(
        product_id=product.id,
        name=product.name,
        image_url=product.image_url,
        price_minor=money.to_minor(product.price, product.currency_code),
        currency_code=product.currency_code,
        active=product.status == product_pb2.PRODUCT_STATUS_ACTIVE,
    )


class CatalogLookup:
    def __init__(self, channels: ChannelPool) -> None:
        self._channels = channels

    async def _get(self, product_id: str) -> product_pb2.Product:
        stub = self._channels.stub("catalog", catalog_service_pb2_grpc.CatalogServiceStub)
        product: product_pb2.Product = await stub.GetProduct(
            catalog_service_pb2.GetProductRequest(product_id=product_id),
            timeout=DEADLINE_SECONDS,
            metadata=request_id_metadata(),
        )
        return product

    async def product(self, product_id: str) -> ProductInfo:
        """The product as the catalog has it now; INVALID_ARGUMENT on product_id when it does not
        exist, UNAVAILABLE when the catalog cannot say."""
        found = await found_or_none(
            self._get(product_id), service="catalog", unconfirmed="the catalog could not confirm the product"
        )
        if found is None:
            raise InvalidArgument.for_field("product_id", "no such product")
        try:
            return product_info(found)
        except money.MoneyError:
            raise Unavailable(
                "the catalog answered a price the cart cannot use", metadata={"service": "catalog"}
            ) from None

    async def products(self, product_ids: Iterable[str]) -> dict[str, ProductAnswer]:
        """Every product's current state, looked up concurrently; never raises."""
        limit = asyncio.Semaphore(MAX_CONCURRENT_LOOKUPS)

        async def one(product_id: str) -> ProductAnswer:
            async with limit:
                try:
                    return product_info(await self._get(product_id))
                except grpc.aio.AioRpcError as exc:
                    if exc.code() in UNKNOWN_ID:
                        return Unchecked.GONE
                    log.warning("catalog lookup failed", extra={"product_id": product_id, "code": exc.code().name})
                    return Unchecked.UNREACHABLE
                except money.MoneyError:
                    return Unchecked.UNREACHABLE

        ids = list(dict.fromkeys(product_ids))
        answers = await asyncio.gather(*(one(product_id) for product_id in ids))
        return dict(zip(ids, answers, strict=True))


class InventoryLookup:
    def __init__(self, channels: ChannelPool) -> None:
        self._channels = channels

    async def availability(self, skus: Iterable[str]) -> dict[str, StockInfo] | None:
        """Availability per SKU in one call, or None when inventory cannot answer (never raises)."""
        wanted = list(dict.fromkeys(skus))
        if not wanted:
            return {}
        stub = self._channels.stub("inventory", inventory_service_pb2_grpc.InventoryServiceStub)
        try:
            response = await stub.BatchGetAvailability(
                inventory_service_pb2.BatchGetAvailabilityRequest(skus=wanted),
                timeout=DEADLINE_SECONDS,
                metadata=request_id_metadata(),
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("availability lookup failed", extra={"code": exc.code().name, "skus": len(wanted)})
            return None
        return {
            entry.sku: StockInfo(
                in_stock=entry.in_stock, quantity_available=entry.quantity_available, low_stock=entry.low_stock
            )
            for entry in response.availabilities
        }
