"""Agent product-detail-enrichment over real gRPC, on a hub that places real orders and reviews.

"Frequently bought together" comes from the co-purchase projection fed by the orders placed here
(a cancelled order stops counting; a replay of the group gives the same answer); the rating
summary and highlights from reviews written here; similar products from the demo catalog's
category; every error status of both RPCs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import grpc
import pytest

from holidaypeak.agents.v1 import product_detail_enrichment_service_pb2 as pb
from holidaypeak.agents.v1 import product_detail_enrichment_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import review_service_pb2 as reviews_pb
from holidaypeak.commerce.v1 import review_service_pb2_grpc as reviews_grpc
from hph.agents.copurchases import CONTAINER as COPURCHASES
from hph.agents.copurchases import GROUP as COPURCHASES_GROUP
from hph.commerce.demo_data import DemoProduct, generate_catalog
from hph.runtime.storage import Query
from tests.support.events import consumers_of, settle
from tests.support.platform_harness import Hub
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import APPROVED_CARD, HOME, a_shopper, stock_up

pytestmark = pytest.mark.integration

AGENT = "product-detail-enrichment"
HUB_SERVICES = ("catalog", "users", "inventory", "cart", "checkout", "orders", "reviews", AGENT)
# Every answer computed afresh, so each read sees the orders and reviews just written.
HUB_SETTINGS = {"product_insights_cache_seconds": 0.0}
CATALOG = generate_catalog()
_by_category: dict[str, list[DemoProduct]] = {}
for _product in CATALOG.products:
    _by_category.setdefault(_product.category_id, []).append(_product)
# Four products of one category (A, B, C, D) and one of another (E).
_leaf = next(ps for ps in _by_category.values() if len(ps) >= 6)
A, B, C, D = (p.id for p in _leaf[:4])
E = next(ps for cat, ps in _by_category.items() if cat != _leaf[0].category_id)[0].id
_shoppers = itertools.count(1)


def agent(hub: Hub) -> pb_grpc.ProductDetailEnrichmentServiceStub:
    return pb_grpc.ProductDetailEnrichmentServiceStub(hub.channel)


async def insights(hub: Hub, product_id: str, **fields: int) -> pb.EnrichProductResponse:
    return await agent(hub).EnrichProduct(pb.EnrichProductRequest(product_id=product_id, **fields))


async def order(hub: Hub, skus: Sequence[str]) -> tuple[str, str]:
    """Places an order of `skus` by a new shopper: (order id, shopper)."""
    shopper = await a_shopper(hub, f"basket-{next(_shoppers)}", cards=(APPROVED_CARD,), address=HOME)
    for sku in skus:
        await shopper.add(sku, 1)
    placed = await shopper.place(f"order-{shopper.sub}")
    return placed.id, shopper.sub


async def cancel(hub: Hub, order_id: str, shopper: str) -> None:
    from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc

    await orders_grpc.OrderServiceStub(hub.channel).CancelOrder(
        orders_pb.CancelOrderRequest(order_id=order_id, reason="changed my mind"),
        metadata=hub.auth("customer", shopper),
    )


def together(answer: pb.EnrichProductResponse) -> list[tuple[str, int, int]]:
    return [
        (s.product.product_id, s.association.co_occurrences, s.association.orders_considered)
        for s in answer.frequently_bought_together
    ]


async def test_bought_together_shows_what_really_co_occurs_and_a_cancelled_order_stops_counting(hub: Hub) -> None:
    await stock_up(hub, [A, B, C, D, E], 500)
    first = await order(hub, [A, B])
    await order(hub, [A, B, E])
    await order(hub, [A, C])  # once: an anecdote
    await order(hub, [D])
    await order(hub, [E])
    await settle(hub)

    answer = await insights(hub, A)
    assert together(answer) == [(B, 2, 5)]
    (suggestion,) = answer.frequently_bought_together
    # A in 3 orders, B in 2, both in 2: support 2/5, confidence 2/3, lift (2/3)/(2/5).
    assert suggestion.association.support == pytest.approx(2 / 5)
    assert suggestion.association.confidence == pytest.approx(2 / 3)
    assert suggestion.association.lift == pytest.approx((2 / 3) / (2 / 5))
    assert [d.name for d in suggestion.drivers] == ["support", "confidence", "lift"]
    assert "2 of 3 orders" in suggestion.reason
    freshness = answer.explanation.freshness
    assert "projection:copurchases" in freshness.sources and freshness.HasField("data_as_of")
    assert not freshness.degraded
    assert answer.availability.in_stock

    # The same answer after the group re-reads the whole log (nothing counted twice), and after a
    # rebuild into an emptied container (everything counted again, once).
    await consumers_of(hub).reset(COPURCHASES_GROUP)
    await settle(hub)
    assert together(await insights(hub, A)) == [(B, 2, 5)]
    projection = await COPURCHASES.open(hub.platform.deps.store)
    for doc in (await projection.query(Query(), partition_key="all", max_items=1000)).items:
        await projection.delete(doc["id"], "all")
    assert together(await insights(hub, A)) == []
    await consumers_of(hub).reset(COPURCHASES_GROUP)
    await settle(hub)
    assert together(await insights(hub, A)) == [(B, 2, 5)]

    await cancel(hub, *first)
    await settle(hub)
    assert together(await insights(hub, A)) == []


async def test_rating_summary_and_highlights_come_from_the_reviews(hub: Hub) -> None:
    reviews = reviews_grpc.ReviewServiceStub(hub.channel)
    written = [
        (5, "Keeps warm", "It keeps warm all night. Soft fabric too."),
        (4, "Soft fabric", "Soft fabric and it keeps warm on cold evenings."),
        (2, "Too small", "Runs small, but the soft fabric is nice."),
    ]
    for number, (rating, title, comment) in enumerate(written):
        await reviews.CreateReview(
            reviews_pb.CreateReviewRequest(product_id=A, rating=rating, title=title, comment=comment),
            metadata=hub.auth("customer", f"reviewer-{number}"),
        )
    answer = await insights(hub, A, highlight_limit=2)
    assert (answer.rating.count, answer.rating.mean) == (3, pytest.approx(11 / 3))
    assert [(b.stars, b.count) for b in answer.rating.histogram] == [(5, 1), (4, 1), (3, 0), (2, 1), (1, 0)]
    assert [(h.phrase, h.mention_count) for h in answer.highlights] == [("soft fabric", 3), ("keeps warm", 2)]
    assert answer.highlights[1].mean_rating == pytest.approx(4.5)
    assert len(answer.highlights[0].review_ids) == 3


async def test_similar_products_come_from_the_same_category_most_similar_first(hub: Hub) -> None:
    answer = await agent(hub).SimilarProducts(pb.SimilarProductsRequest(product_id=A, limit=4))
    leaf = {p.id for p in _leaf}
    assert 1 <= len(answer.products) <= 4
    assert all(s.product.product_id in leaf and s.product.product_id != A for s in answer.products)
    scores = [s.score for s in answer.products]
    assert scores == sorted(scores, reverse=True)
    assert [d.name for d in answer.products[0].drivers] == ["tag_overlap", "price_proximity", "same_brand"]
    assert answer.products[0].score == pytest.approx(sum(d.contribution for d in answer.products[0].drivers), abs=1e-3)
    enriched = await insights(hub, A)
    assert enriched.similar and enriched.completeness.components
    assert enriched.completeness.score == pytest.approx(
        sum(c.contribution for c in enriched.completeness.components), abs=1e-3
    )


async def test_errors_unknown_product_bad_id_and_limits(hub: Hub) -> None:
    await expect_error(insights(hub, "NOPE-0000"), grpc.StatusCode.NOT_FOUND)
    await expect_error(
        agent(hub).SimilarProducts(pb.SimilarProductsRequest(product_id="NOPE-0000")), grpc.StatusCode.NOT_FOUND
    )
    error = await expect_error(insights(hub, "bad id!"), grpc.StatusCode.INVALID_ARGUMENT)
    assert list(violated_fields(error)) == ["product_id"]
    error = await expect_error(insights(hub, ""), grpc.StatusCode.INVALID_ARGUMENT)
    assert list(violated_fields(error)) == ["product_id"]
    error = await expect_error(insights(hub, A, highlight_limit=21, related_limit=25), grpc.StatusCode.INVALID_ARGUMENT)
    assert sorted(violated_fields(error)) == ["highlight_limit", "related_limit"]
    error = await expect_error(
        agent(hub).SimilarProducts(pb.SimilarProductsRequest(product_id=A, limit=-1)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert list(violated_fields(error)) == ["limit"]
