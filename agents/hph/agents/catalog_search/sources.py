"""Reading the services' current state, the projection's ground truth: categories and active products
from the catalog, stock from inventory, ratings from reviews and recent sales from analytics, over
gRPC with the platform's service credentials (what `hph serve --agents catalog-search` in another pod
does too). The catalog is required; the others enrich the documents and are skipped, with the
answer marked partial, when they cannot be read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc

from holidaypeak.commerce.v1 import (
    analytics_service_pb2,
    analytics_service_pb2_grpc,
    catalog_service_pb2,
    category_pb2,
    inventory_service_pb2,
    inventory_service_pb2_grpc,
    product_pb2,
    review_service_pb2,
    review_service_pb2_grpc,
)
from hph.agents.runtime.catalog import CatalogReader

log = logging.getLogger("hph.agents.catalog_search")

PAGE_SIZE = 100
DEADLINE_SECONDS = 10.0
REVIEW_READS_IN_FLIGHT = 16
# Analytics answers at most this many top products (its own limit).
TOP_PRODUCTS = 50


@dataclass(frozen=True)
class CategoryInfo:
    id: str
    name: str
    parent_id: str


@dataclass
class ServiceState:
    categories: dict[str, CategoryInfo] = field(default_factory=dict)
    products: list[product_pb2.Product] = field(default_factory=list)
    available: dict[str, int] = field(default_factory=dict)
    ratings: dict[str, tuple[float, int]] = field(default_factory=dict)
    units_sold: dict[str, int] = field(default_factory=dict)
    # "rpc:<Service>.<Method>" of every source read, and of those that could not be.
    sources: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def category_info(category: category_pb2.Category) -> CategoryInfo:
    return CategoryInfo(category.id, category.name, category.parent_id)


class ServiceReader(CatalogReader):
    """The platform's reads of the catalog, inventory, reviews and analytics."""

    async def read_all(self) -> ServiceState:
        """Everything the index is built from; raises grpc.aio.AioRpcError when the catalog cannot
        be read (the caller retries), skips the optional sources that fail."""
        state = ServiceState()
        state.categories = {c.id: category_info(c) async for c in self.categories()}
        state.products = [p async for p in self.every_product(include_archived=True)]
        state.sources += ["rpc:CatalogService.ListCategories", "rpc:CatalogService.ListProducts"]
        await self._optional(state, "rpc:InventoryService.ListInventoryItems", self._read_stock)
        await self._optional(state, "rpc:ReviewService.ListReviews", self.read_ratings)
        await self._optional(state, "rpc:AnalyticsService.GetSalesSummary", self._read_sales)
        return state

    async def category(self, category_id: str) -> CategoryInfo | None:
        try:
            found = await self._catalog().GetCategory(
                catalog_service_pb2.GetCategoryRequest(category_id=category_id),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
        except grpc.aio.AioRpcError as exc:
            log.warning("category %s could not be read: %s", category_id, exc.code().name)
            return None
        return category_info(found)

    async def _optional(self, state: ServiceState, source: str, read: Callable[[ServiceState], Any]) -> None:
        try:
            await read(state)
        except grpc.aio.AioRpcError as exc:
            log.warning("search index built without %s (%s): %s", source, exc.code().name, exc.details())
            state.missing.append(source)
        else:
            state.sources.append(source)

    async def _read_stock(self, state: ServiceState) -> None:
        stub = self._channels.stub("inventory", inventory_service_pb2_grpc.InventoryServiceStub)
        token = ""
        while True:
            page = await stub.ListInventoryItems(
                inventory_service_pb2.ListInventoryItemsRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
            for item in page.inventory_items:
                state.available[item.sku] = item.quantity_available
            token = page.next_page_token
            if not token:
                return

    async def read_ratings(self, state: ServiceState) -> None:
        stub = self._channels.stub("reviews", review_service_pb2_grpc.ReviewServiceStub)
        gate = asyncio.Semaphore(REVIEW_READS_IN_FLIGHT)

        async def one(product_id: str) -> None:
            total = count = 0
            token = ""
            async with gate:
                while True:
                    page = await stub.ListReviews(
                        review_service_pb2.ListReviewsRequest(
                            product_id=product_id, page_size=PAGE_SIZE, page_token=token
                        ),
                        timeout=DEADLINE_SECONDS,
                        metadata=self._as_platform(),
                    )
                    total += sum(r.rating for r in page.reviews)
                    count += len(page.reviews)
                    token = page.next_page_token
                    if not token:
                        break
            if count:
                state.ratings[product_id] = (total / count, count)

        await asyncio.gather(*(one(p.id) for p in state.products))

    async def _read_sales(self, state: ServiceState) -> None:
        stub = self._channels.stub("analytics", analytics_service_pb2_grpc.AnalyticsServiceStub)
        summary = await stub.GetSalesSummary(
            analytics_service_pb2.GetSalesSummaryRequest(top_products_limit=TOP_PRODUCTS),
            timeout=DEADLINE_SECONDS,
            metadata=self._as_platform(),
        )
        state.units_sold = {p.product_id: int(p.units) for p in summary.top_products}


def category_path(category_id: str, categories: Mapping[str, CategoryInfo]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ids, names) from the category up to its top level; unknown categories end the walk."""
    ids: list[str] = []
    names: list[str] = []
    current = categories.get(category_id)
    while current is not None and current.id not in ids:
        ids.append(current.id)
        names.append(current.name)
        current = categories.get(current.parent_id) if current.parent_id else None
    return (tuple(ids), tuple(names)) if ids else ((category_id,), ())
