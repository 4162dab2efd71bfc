"""ReviewService over gRPC: product reviews in the `reviews` container, partitioned by /product_id.

Listing a product's reviews is a single-partition query; the one-review-per-user-per-product rule
is the store's own uniqueness of ids within a partition (see `rules` for the id scheme).
"""

from __future__ import annotations

from typing import Any

from holidaypeak.commerce.v1 import review_pb2
from holidaypeak.commerce.v1 import review_service_pb2 as pb
from holidaypeak.commerce.v1 import review_service_pb2_grpc as pb_grpc
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce import identifiers
from hph.runtime import clock as clocks
from hph.runtime import validation
from hph.runtime.deps import Dependencies
from hph.runtime.documents import read_or_not_found
from hph.runtime.errors import AlreadyExists, NotFound, Violations
from hph.runtime.rpc.call_context import (
    current_principal,
    idempotency_key,
    require_owner,
    require_subject,
)
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import ConflictError, Container, ContainerSpec, Document, NotFoundError, OrderBy, Query
from hph.services.reviews import rules
from hph.services.reviews.catalog_client import CatalogProducts

REVIEWS = "reviews"
# What this service keeps (the host creates it).
CONTAINERS = (ContainerSpec(REVIEWS, "/product_id"),)
NEWEST_FIRST = (OrderBy("created_at", descending=True),)


def review_message(doc: Document) -> review_pb2.Review:
    return review_pb2.Review(
        id=doc["id"],
        product_id=doc["product_id"],
        user_id=doc["user_id"],
        author_name=doc.get("author_name", ""),
        rating=doc["rating"],
        title=doc["title"],
        comment=doc["comment"],
        created_at=clocks.to_timestamp(doc.get("created_at")),
    )


class ReviewServicer(pb_grpc.ReviewServiceServicer):
    def __init__(self, deps: Dependencies, reviews: Container, catalog: CatalogProducts) -> None:
        self._deps = deps
        self._reviews = reviews
        self._catalog = catalog

    async def ListReviews(self, request: pb.ListReviewsRequest, context: Any) -> pb.ListReviewsResponse:
        violations = Violations()
        identifiers.check_product_id(violations, request.product_id)
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        page = await self._reviews.query(
            Query(order_by=NEWEST_FIRST), partition_key=request.product_id, max_items=size, continuation=token
        )
        return pb.ListReviewsResponse(
            reviews=[review_message(d) for d in page.items], next_page_token=page.continuation or ""
        )

    async def GetReview(self, request: pb.GetReviewRequest, context: Any) -> review_pb2.Review:
        violations = Violations()
        product_id = rules.check_review_id(violations, request.review_id)
        violations.raise_if_any()
        return review_message(await read_or_not_found(self._reviews, request.review_id, product_id, "review"))

    async def CreateReview(self, request: pb.CreateReviewRequest, context: Any) -> review_pb2.Review:
        violations = Violations()
        identifiers.check_product_id(violations, request.product_id)
        rules.check_review_fields(violations, rating=request.rating, title=request.title, comment=request.comment)
        request_id = idempotency_key(request.request_id)
        validation.request_id(violations, request_id)
        violations.raise_if_any()
        user_id = require_subject()
        await self._catalog.require_reviewable(request.product_id)

        principal = current_principal()
        doc: Document = {
            "id": rules.review_id(request.product_id, user_id),
            "product_id": request.product_id,
            "user_id": user_id,
            "author_name": rules.author_name(principal.name, principal.email),
            "rating": request.rating,
            "title": " ".join(request.title.split()),
            "comment": request.comment.strip(),
            "created_at": clocks.to_iso(self._deps.clock()),
            "request_id": request_id,
        }
        try:
            return review_message(await self._reviews.create(doc))
        except ConflictError:
            pass
        try:
            existing = await self._reviews.read(doc["id"], request.product_id)
        except NotFoundError:
            existing = None  # deleted in between; the client may simply retry
        if existing is not None and request_id and existing.get("request_id") == request_id:
            return review_message(existing)  # a retry of the create that already happened
        raise AlreadyExists(
            "you have already reviewed this product; delete that review to write a new one",
            reason=ErrorReason.ERROR_REASON_DUPLICATE,
            metadata={"review_id": doc["id"]},
        )

    async def DeleteReview(self, request: pb.DeleteReviewRequest, context: Any) -> pb.DeleteReviewResponse:
        violations = Violations()
        product_id = rules.check_review_id(violations, request.review_id)
        violations.raise_if_any()
        review = await read_or_not_found(self._reviews, request.review_id, product_id, "review")
        require_owner(review["user_id"], resource="review")  # the author, or an admin (contract override)
        try:
            await self._reviews.delete(request.review_id, product_id)
        except NotFoundError:
            raise NotFound(f"review {request.review_id!r} not found") from None
        return pb.DeleteReviewResponse()


async def create_binding(deps: Dependencies) -> ServiceBinding:
    reviews = await deps.store.container(REVIEWS, "/product_id")
    servicer = ReviewServicer(deps, reviews, CatalogProducts(deps.channels))
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["ReviewService"].full_name,
        add_to_server=lambda server: pb_grpc.add_ReviewServiceServicer_to_server(servicer, server),
    )
