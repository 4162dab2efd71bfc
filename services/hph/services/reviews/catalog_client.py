"""What reviews ask the catalog, over gRPC with a deadline: may this product be reviewed?"""

from __future__ import annotations

from typing import NoReturn

from holidaypeak.commerce.v1 import catalog_service_pb2, catalog_service_pb2_grpc, product_pb2
from hph.runtime.channels import ChannelPool
from hph.runtime.errors import InvalidArgument
from hph.runtime.rpc.downstream import found_or_none, request_id_metadata

DEADLINE_SECONDS = 3.0


class CatalogProducts:
    def __init__(self, channels: ChannelPool) -> None:
        self._channels = channels

    async def require_reviewable(self, product_id: str) -> None:
        """Passes for an existing, active product; INVALID_ARGUMENT on product_id otherwise."""
        stub = self._channels.stub("catalog", catalog_service_pb2_grpc.CatalogServiceStub)
        product = await found_or_none(
            stub.GetProduct(
                catalog_service_pb2.GetProductRequest(product_id=product_id),
                timeout=DEADLINE_SECONDS,
                metadata=request_id_metadata(),
            ),
            service="catalog",
            unconfirmed="the catalog could not confirm the product",
        )
        if product is None:
            _refuse("no such product")
        if product.status != product_pb2.PRODUCT_STATUS_ACTIVE:
            _refuse("the product is no longer sold and cannot be reviewed")


def _refuse(description: str) -> NoReturn:
    raise InvalidArgument.for_field("product_id", description)
