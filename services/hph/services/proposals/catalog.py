"""The review queue's calls to CatalogService: reading a product as the platform, and writing an
approved value with the etag the proposal was made against, as the approving reviewer (their
token, so the catalog's ProductUpdated names them) or as the platform for auto-approval.

The catalog stays the only writer of product data and the only judge of a value's validity: its
INVALID_ARGUMENT for the written field comes back as a violation of the reviewer's `value`.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from holidaypeak.commerce.v1 import catalog_service_pb2 as pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import product_pb2
from hph.commerce.product_truth import ATTRIBUTE_PREFIX
from hph.runtime.errors import FieldViolation, InvalidArgument
from hph.runtime.rpc.call_context import forwarded_metadata
from hph.runtime.rpc.downstream import PlatformClient, found_or_none, refusal_details, refusal_from
from hph.services.proposals.rules import tags_of

DEADLINE_SECONDS = 5.0
SERVICE = "catalog"


@dataclass(frozen=True)
class Conflict:
    """The product changed since the proposal's etag: nothing was written."""


@dataclass(frozen=True)
class Missing:
    """The product does not exist (any more)."""


def update_request(product_id: str, field: str, value: str, etag: str) -> pb.UpdateProductRequest:
    """The UpdateProduct that sets exactly `field` to `value`, only onto version `etag`."""
    request = pb.UpdateProductRequest(product_id=product_id, etag=etag)
    if field.startswith(ATTRIBUTE_PREFIX):
        request.attributes[field.removeprefix(ATTRIBUTE_PREFIX)] = value  # empty removes it
    elif field == "tags":
        request.tags.extend(tags_of(value))
    else:
        setattr(request, field, value)
    return request


class ProductCatalog(PlatformClient):
    def _stub(self) -> pb_grpc.CatalogServiceStub:
        return self._channels.stub(SERVICE, pb_grpc.CatalogServiceStub)

    async def product(self, product_id: str) -> product_pb2.Product | None:
        """The product as it is now (archived ones too); None when no product has this id."""
        return await found_or_none(
            self._stub().GetProduct(
                pb.GetProductRequest(product_id=product_id), timeout=DEADLINE_SECONDS, metadata=self._as_platform()
            ),
            service=SERVICE,
            unconfirmed="the catalog could not say whether the product exists",
        )

    async def write(
        self, product_id: str, field: str, value: str, etag: str, *, as_caller: bool
    ) -> product_pb2.Product | Conflict | Missing:
        metadata = forwarded_metadata() if as_caller else self._as_platform()
        try:
            updated: product_pb2.Product = await self._stub().UpdateProduct(
                update_request(product_id, field, value, etag), timeout=DEADLINE_SECONDS, metadata=metadata
            )
            return updated
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.ABORTED:
                return Conflict()
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return Missing()
            if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
                problems = refusal_details(exc).fields or [(field, exc.details() or "is not valid")]
                violations = tuple(FieldViolation("value", f"{name}: {why}") for name, why in problems)
                raise InvalidArgument(
                    f"the catalog refuses this value for {field}: {violations[0].description}", violations=violations
                ) from None
            raise refusal_from(exc, SERVICE) from None
