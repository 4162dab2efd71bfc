"""What inventory asks the catalog, over gRPC with a deadline: does a product with this id exist?

Needed only for SKUs without a stock record yet (GetInventoryItem answers zero stock for a known
product and NOT_FOUND for an unknown id; the first UpdateInventoryItem of a product creates its
record). Archived products count as existing: their stock still needs counting.
"""

from __future__ import annotations

from holidaypeak.commerce.v1 import catalog_service_pb2, catalog_service_pb2_grpc
from hph.runtime.rpc.downstream import PlatformClient, found_or_none

DEADLINE_SECONDS = 3.0


class CatalogProducts(PlatformClient):
    async def exists(self, product_id: str) -> bool:
        """True when the catalog knows the product; UNAVAILABLE when it cannot say."""
        stub = self._channels.stub("catalog", catalog_service_pb2_grpc.CatalogServiceStub)
        product = await found_or_none(
            stub.GetProduct(
                catalog_service_pb2.GetProductRequest(product_id=product_id),
                timeout=DEADLINE_SECONDS,
                metadata=self._as_platform(),
            ),
            service="catalog",
            unconfirmed="the catalog could not confirm the product",
        )
        return product is not None
