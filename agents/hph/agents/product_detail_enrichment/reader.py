"""The platform reads behind a product page's insights, over gRPC with the platform's credentials:
the product and its category's products from the catalog, its reviews, stock from inventory."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from holidaypeak.commerce.v1 import (
    catalog_service_pb2,
    inventory_item_pb2,
    inventory_service_pb2,
    inventory_service_pb2_grpc,
    product_pb2,
    review_service_pb2,
    review_service_pb2_grpc,
)
from hph.agents.product_detail_enrichment.insights import ReviewText
from hph.agents.runtime.catalog import CatalogReader, listed

PAGE_SIZE = 100
DEADLINE_SECONDS = 5.0
# The newest reviews read per product: enough for stable highlights, bounded for latency.
MAX_REVIEWS = 500
# Products of a category compared for similarity.
MAX_CANDIDATES = 400
PRODUCT_READS_IN_FLIGHT = 16
CATEGORY_SOURCE = "rpc:CatalogService.ListProducts"
REVIEW_SOURCE = "rpc:ReviewService.ListReviews"
STOCK_SOURCE = "rpc:InventoryService.BatchGetAvailability"


class PlatformReader(CatalogReader):
    deadline_seconds = DEADLINE_SECONDS

    async def products(self, product_ids: Iterable[str]) -> dict[str, product_pb2.Product]:
        """The listed products among `product_ids`, by id (unknown and archived ones left out)."""
        gate = asyncio.Semaphore(PRODUCT_READS_IN_FLIGHT)

        async def one(product_id: str) -> product_pb2.Product | None:
            async with gate:
                return await self.product(product_id)

        ids = list(dict.fromkeys(product_ids))
        found = await asyncio.gather(*(one(product_id) for product_id in ids))
        return {p.id: p for p in found if p is not None and listed(p)}

    async def category_products(self, category_id: str) -> list[product_pb2.Product]:
        """Listed products of the category (and its subcategories), at most MAX_CANDIDATES, by name."""
        found: list[product_pb2.Product] = []
        token = ""
        while len(found) < MAX_CANDIDATES:
            page = await self._catalog().ListProducts(
                catalog_service_pb2.ListProductsRequest(category=category_id, limit=PAGE_SIZE, page_token=token),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
            found.extend(p for p in page.products if listed(p))
            token = page.next_page_token
            if not token:
                break
        return found[:MAX_CANDIDATES]

    async def reviews(self, product_id: str) -> list[ReviewText]:
        """The newest MAX_REVIEWS reviews, title and comment as one text."""
        stub = self._channels.stub("reviews", review_service_pb2_grpc.ReviewServiceStub)
        found: list[ReviewText] = []
        token = ""
        while len(found) < MAX_REVIEWS:
            page = await stub.ListReviews(
                review_service_pb2.ListReviewsRequest(product_id=product_id, page_size=PAGE_SIZE, page_token=token),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
            found.extend(
                ReviewText(r.id, r.rating, f"{r.title}. {r.comment}", r.created_at.ToDatetime()) for r in page.reviews
            )
            token = page.next_page_token
            if not token:
                break
        return found[:MAX_REVIEWS]

    async def availability(self, skus: Iterable[str]) -> Mapping[str, inventory_item_pb2.SkuAvailability]:
        distinct = list(dict.fromkeys(skus))
        if not distinct:
            return {}
        stub = self._channels.stub("inventory", inventory_service_pb2_grpc.InventoryServiceStub)
        answers = await asyncio.gather(
            *(
                stub.BatchGetAvailability(
                    inventory_service_pb2.BatchGetAvailabilityRequest(skus=distinct[start : start + PAGE_SIZE]),
                    timeout=DEADLINE_SECONDS,
                    metadata=self._as_platform(),
                )
                for start in range(0, len(distinct), PAGE_SIZE)
            )
        )
        return {item.sku: item for answer in answers for item in answer.availabilities}
