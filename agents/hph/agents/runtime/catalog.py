"""The catalog as the agents read it: over gRPC, as the platform (its service token), in pages.

One home for the reads several agents' sources share (search, product insights, the
product-management agents, the feed, assortment): a product with its etag, every category, every
product. Agents that read more (stock, reviews, sales) extend `CatalogReader`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from holidaypeak.commerce.v1 import catalog_service_pb2, catalog_service_pb2_grpc, category_pb2, product_pb2
from hph.runtime.rpc.downstream import PlatformClient

PAGE_SIZE = 100
DEADLINE_SECONDS = 10.0
PRODUCT_SOURCE = "rpc:CatalogService.GetProduct"


def listed(product: product_pb2.Product) -> bool:
    """On sale or at least shown: not archived."""
    return product.status != product_pb2.PRODUCT_STATUS_ARCHIVED


class CatalogReader(PlatformClient):
    # A reader on a shopper's path (product insights) answers sooner than one building a projection.
    deadline_seconds = DEADLINE_SECONDS

    def _catalog(self) -> catalog_service_pb2_grpc.CatalogServiceStub:
        return self._channels.stub("catalog", catalog_service_pb2_grpc.CatalogServiceStub)

    async def product(self, product_id: str) -> product_pb2.Product | None:
        """The product with its etag, archived or not; None when unknown."""
        try:
            found: product_pb2.Product = await self._catalog().GetProduct(
                catalog_service_pb2.GetProductRequest(product_id=product_id),
                timeout=self.deadline_seconds,
                metadata=self._as_platform(),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        return found

    async def categories(self) -> AsyncIterator[category_pb2.Category]:
        """Every active category."""
        token = ""
        while True:
            page = await self._catalog().ListCategories(
                catalog_service_pb2.ListCategoriesRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=self.deadline_seconds,
                metadata=self._as_platform(),
            )
            for category in page.categories:
                yield category
            token = page.next_page_token
            if not token:
                return

    async def every_product(self, *, include_archived: bool = False) -> AsyncIterator[product_pb2.Product]:
        """Every product the catalog lists, archived ones only when asked."""
        token = ""
        while True:
            page = await self._catalog().ListProducts(
                catalog_service_pb2.ListProductsRequest(limit=PAGE_SIZE, page_token=token),
                timeout=self.deadline_seconds,
                metadata=self._as_platform(),
            )
            for product in page.products:
                if include_archived or listed(product):
                    yield product
            token = page.next_page_token
            if not token:
                return
