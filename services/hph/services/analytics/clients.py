"""What analytics asks other services, over gRPC with deadlines and the platform's own identity.

- `OrderReader.paid_order`: the order as stored (OrderService.GetOrder as the platform), for the
  exact paid_at and the item names when projecting OrderPaid. Never raises: None means "could not
  read it now", and the projection then falls back to the event itself.
- `CatalogLookup`: product and category names and each category's top-level ancestor
  (CatalogService.GetProduct / GetCategory), cached for a few minutes. Lookups that fail answer a
  fallback (the id itself) and are not cached, so a catalog outage degrades names, never figures.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc

from holidaypeak.commerce.v1 import catalog_service_pb2, catalog_service_pb2_grpc, order_service_pb2
from holidaypeak.commerce.v1 import order_service_pb2_grpc as order_grpc
from hph.runtime.auth.service_identity import ServiceCredentials
from hph.runtime.cache import TtlCache
from hph.runtime.channels import ChannelPool
from hph.runtime.rpc.downstream import UNKNOWN_ID, PlatformClient

log = logging.getLogger("hph.analytics")

DEADLINE_SECONDS = 3.0
CATALOG_CACHE_SECONDS = 300.0
# A category tree deeper than this is treated as broken (a cycle) and cut there.
MAX_CATEGORY_DEPTH = 16


@dataclass(frozen=True)
class PaidOrder:
    paid_at: datetime
    names: dict[str, str]  # sku -> item name when the order was placed


class OrderReader(PlatformClient):
    async def paid_order(self, order_id: str) -> PaidOrder | None:
        stub = self._channels.stub("orders", order_grpc.OrderServiceStub)
        try:
            order = await stub.GetOrder(
                order_service_pb2.GetOrderRequest(order_id=order_id),
                timeout=DEADLINE_SECONDS,
                metadata=self._credentials.metadata(),
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("analytics could not read order %s (%s); using the event", order_id, exc.code().name)
            return None
        if not order.HasField("paid_at"):
            return None
        return PaidOrder(
            paid_at=order.paid_at.ToDatetime(tzinfo=UTC),
            names={item.product_id: item.name for item in order.items},
        )


@dataclass(frozen=True)
class _Category:
    name: str
    parent_id: str


class CatalogLookup:
    def __init__(
        self, channels: ChannelPool, credentials: ServiceCredentials, *, ttl_seconds: float = CATALOG_CACHE_SECONDS
    ) -> None:
        self._channels = channels
        self._credentials = credentials
        self._categories: TtlCache[_Category] = TtlCache(ttl_seconds, 5_000)
        self._products: TtlCache[tuple[str, str]] = TtlCache(ttl_seconds, 20_000)

    def _stub(self) -> catalog_service_pb2_grpc.CatalogServiceStub:
        return self._channels.stub("catalog", catalog_service_pb2_grpc.CatalogServiceStub)

    async def _product(self, sku: str) -> tuple[str, str] | None:
        """(name, category_id) of a product; None when it cannot be read."""
        cached = self._products.get(sku)
        if cached is not None:
            return cached
        try:
            product = await self._stub().GetProduct(
                catalog_service_pb2.GetProductRequest(product_id=sku),
                timeout=DEADLINE_SECONDS,
                metadata=self._credentials.metadata(),
            )
        except grpc.aio.AioRpcError:
            return None
        found = (product.name, product.category_id)
        self._products.put(sku, found)
        return found

    async def _category(self, category_id: str) -> _Category | None:
        cached = self._categories.get(category_id)
        if cached is not None:
            return cached
        try:
            category = await self._stub().GetCategory(
                catalog_service_pb2.GetCategoryRequest(category_id=category_id),
                timeout=DEADLINE_SECONDS,
                metadata=self._credentials.metadata(),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() not in UNKNOWN_ID:
                log.warning("analytics could not read category %s (%s)", category_id, exc.code().name)
            return None
        found = _Category(category.name, category.parent_id)
        self._categories.put(category_id, found)
        return found

    async def product_name(self, sku: str, fallback: str = "") -> str:
        """The product's current name; `fallback` (or the SKU) when the catalog cannot say."""
        found = await self._product(sku)
        return found[0] if found and found[0] else (fallback or sku)

    async def category_of(self, sku: str) -> str:
        """The product's category id ("" when unknown): for lines that arrived without one."""
        found = await self._product(sku)
        return found[1] if found else ""

    async def category_name(self, category_id: str) -> str:
        if not category_id:
            return "Uncategorized"
        found = await self._category(category_id)
        return found.name if found and found.name else category_id

    async def top_level(self, category_id: str) -> str:
        """The top-level ancestor of a category (itself when it has no parent); as far up as the
        catalog could be read when a lookup fails."""
        current = category_id
        for _ in range(MAX_CATEGORY_DEPTH):
            if not current:
                return category_id
            found = await self._category(current)
            if found is None or not found.parent_id:
                return current
            current = found.parent_id
        return current
