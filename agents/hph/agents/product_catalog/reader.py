"""The catalog reads behind the product-management agents, over gRPC with the platform's credentials."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from holidaypeak.commerce.v1 import catalog_service_pb2, catalog_service_pb2_grpc, category_pb2, product_pb2
from hph.runtime.rpc.downstream import PlatformClient

PAGE_SIZE = 100
DEADLINE_SECONDS = 10.0
PRODUCT_SOURCE = "rpc:CatalogService.GetProduct"
LIST_SOURCES = ("rpc:CatalogService.ListCategories", "rpc:CatalogService.ListProducts")


def listed(product: product_pb2.Product) -> bool:
    return product.status != product_pb2.PRODUCT_STATUS_ARCHIVED


class CatalogReader(PlatformClient):
    def _catalog(self) -> catalog_service_pb2_grpc.CatalogServiceStub:
        return self._channels.stub("catalog", catalog_service_pb2_grpc.CatalogServiceStub)

    async def product(self, product_id: str) -> product_pb2.Product | None:
        """The product with its etag, None when unknown."""
        try:
            found: product_pb2.Product = await self._catalog().GetProduct(
                catalog_service_pb2.GetProductRequest(product_id=product_id),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        return found

    async def categories(self) -> AsyncIterator[category_pb2.Category]:
        token = ""
        while True:
            page = await self._catalog().ListCategories(
                catalog_service_pb2.ListCategoriesRequest(page_size=PAGE_SIZE, page_token=token),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
            for category in page.categories:
                yield category
            token = page.next_page_token
            if not token:
                return

    async def products(self) -> AsyncIterator[product_pb2.Product]:
        """Every listed product."""
        token = ""
        while True:
            page = await self._catalog().ListProducts(
                catalog_service_pb2.ListProductsRequest(limit=PAGE_SIZE, page_token=token),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            )
            for product in page.products:
                if listed(product):
                    yield product
            token = page.next_page_token
            if not token:
                return
