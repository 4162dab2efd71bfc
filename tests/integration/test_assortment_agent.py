"""Agent assortment-optimization over real gRPC and REST on a seeded platform: sales (reservations
confirmed, as orders and payments make them) and reviews give products their velocity, turn and
rating; under a size limit and a budget the best sellers are kept, exactly, with their drivers and
the cost they tie up; every refusal of RecommendAssortment; customers are refused."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import assortment_optimization_service_pb2 as pb
from holidaypeak.agents.v1 import assortment_optimization_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import reservation_pb2
from holidaypeak.commerce.v1 import review_service_pb2 as review_pb
from holidaypeak.commerce.v1 import review_service_pb2_grpc as review_grpc
from hph.agents.inventory_signals.projection import GROUP
from tests.support.platform_harness import Hub
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.rest_json import ok
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import a_shopper, staff, stock_up
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVICES = ("catalog", "users", "inventory", "reviews", "assortment-optimization")
CATEGORY = "bar-whiskey"
ROUTE = "/api/staff/agents/assortment-optimization/recommend"
A = pb


@pytest.fixture
async def rest(tmp_path: Path) -> AsyncIterator[RestHub]:
    hub = await start_rest_hub(tmp_path / "data", services=SERVICES)
    try:
        yield hub
    finally:
        await stop_rest_hub(hub)


def agent(hub: Hub) -> pb_grpc.AssortmentOptimizationServiceStub:
    return pb_grpc.AssortmentOptimizationServiceStub(hub.channel)


async def sell(hub: Hub, sku: str, units: int) -> None:
    inventory = inventory_grpc.InventoryServiceStub(hub.channel)
    held = await inventory.ReserveStock(
        inventory_pb.ReserveStockRequest(
            order_id=f"ord_{uuid.uuid4().hex[:12]}",
            user_id="shopper",
            lines=[reservation_pb2.ReservationLine(sku=sku, quantity=units)],
            request_id=uuid.uuid4().hex,
        ),
        metadata=staff(hub),
    )
    await inventory.ConfirmReservation(
        inventory_pb.ConfirmReservationRequest(reservation_id=held.id, request_id=uuid.uuid4().hex),
        metadata=staff(hub),
    )


async def category_products(hub: Hub) -> list[str]:
    page = await catalog_grpc.CatalogServiceStub(hub.channel).ListProducts(
        catalog_pb.ListProductsRequest(category=CATEGORY, limit=100)
    )
    return sorted(p.id for p in page.products)


async def a_season(hub: Hub) -> tuple[str, str, list[str]]:
    """STAR sells 12 units and is loved, STEADY sells 4; the rest of the category sells nothing."""
    skus = await category_products(hub)
    star, steady = skus[0], skus[1]
    await stock_up(hub, [star, steady], 30)
    for _ in range(4):
        await sell(hub, star, 3)
        await sell(hub, steady, 1)
    reviews = review_grpc.ReviewServiceStub(hub.channel)
    for name, rating in (("ria", 5), ("rob", 5), ("rue", 4)):
        shopper = await a_shopper(hub, name)
        await reviews.CreateReview(
            review_pb.CreateReviewRequest(
                product_id=star, rating=rating, title="Lovely", comment="Would give again.", request_id=uuid.uuid4().hex
            ),
            metadata=shopper.me,
        )
    bus = hub.platform.deps.bus
    assert bus is not None

    async def applied() -> bool:
        return sum(lag.events for lag in await bus.lag(GROUP)) == 0

    await eventually(applied, within=20)
    return star, steady, skus


async def test_the_best_sellers_are_kept_under_a_size_limit_and_a_budget_with_their_drivers(rest: RestHub) -> None:
    hub = rest.hub
    star, steady, skus = await a_season(hub)
    ranked = await agent(hub).RecommendAssortment(
        pb.RecommendAssortmentRequest(category_id=CATEGORY), metadata=staff(hub)
    )
    assert ranked.kept == len(skus) == len(ranked.decisions) and ranked.dropped == 0 and ranked.exact
    assert [d.product.product_id for d in ranked.decisions][:2] == [star, steady]
    top = ranked.decisions[0]
    assert top.action == pb.ASSORTMENT_ACTION_PROMOTE  # ceil(10% of the kept) = the best one
    assert top.sales_velocity == pytest.approx(12 / 90, abs=1e-4)
    assert top.rating == pytest.approx(14 / 3, abs=1e-3) and 0 < top.margin < 1 and top.stock_turn > 0
    assert [d.name for d in top.drivers] == ["sales_velocity", "margin", "rating", "stock_turn"]
    assert top.inventory_cost.amount_minor > 0 and top.inventory_cost.currency_code == "USD"
    assert ranked.decisions[2].sales_velocity == 0 and ranked.decisions[2].rating == 0

    costs = {d.product.product_id: d.inventory_cost.amount_minor for d in ranked.decisions}
    budget = costs[star] + costs[steady]
    planned = await agent(hub).RecommendAssortment(
        pb.RecommendAssortmentRequest(
            category_id=CATEGORY,
            max_products=3,
            budget=agent_types_pb2.Money(currency_code="USD", amount_minor=budget),
            window_days=30,
        ),
        metadata=staff(hub),
    )
    kept = {d.product.product_id for d in planned.decisions if d.action != pb.ASSORTMENT_ACTION_DROP}
    assert planned.exact and {star, steady} <= kept and planned.kept == len(kept) <= 3
    assert planned.total_cost.amount_minor == sum(costs[p] for p in kept) <= budget
    assert planned.total_score == pytest.approx(
        sum(d.score for d in planned.decisions if d.action != pb.ASSORTMENT_ACTION_DROP), abs=1e-5
    )
    assert {d.name for d in planned.explanation.drivers} >= {"objective", "budget", "max_products", "exact"}
    assert planned.explanation.freshness.HasField("data_as_of")
    # The parent category holds this one and its siblings.
    parent = await agent(hub).RecommendAssortment(
        pb.RecommendAssortmentRequest(category_id="gifts-for-him", max_products=5), metadata=staff(hub)
    )
    assert len(parent.decisions) > len(skus) and parent.kept == 5 and parent.exact

    body = ok(
        await rest.http.post(
            ROUTE,
            json={"category_id": CATEGORY, "max_products": 2, "budget": {"currency_code": "USD", "amount": 1000000}},
            headers=rest.bearer("staff", "staff-sam"),
        )
    )
    assert body["kept"] == 2 and body["exact"] is True
    assert [d["product"]["product_id"] for d in body["decisions"][:2]] == [star, steady]
    assert (await rest.http.post(ROUTE, json={}, headers=rest.bearer("customer", "rae"))).status_code == 403
    assert (await rest.http.post(ROUTE, json={})).status_code == 401


async def test_every_refusal_of_recommend_assortment(rest: RestHub) -> None:
    hub = rest.hub
    stub = agent(hub)
    await expect_error(stub.RecommendAssortment(pb.RecommendAssortmentRequest()), grpc.StatusCode.UNAUTHENTICATED)
    shopper = await a_shopper(hub, "nosy")
    await expect_error(
        stub.RecommendAssortment(pb.RecommendAssortmentRequest(), metadata=shopper.me),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    error = await expect_error(
        stub.RecommendAssortment(
            pb.RecommendAssortmentRequest(
                max_products=-1,
                window_days=400,
                promote_share=1.5,
                budget=agent_types_pb2.Money(currency_code="USD", amount_minor=-5),
            ),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) >= {"max_products", "window_days", "promote_share", "budget"}
    error = await expect_error(
        stub.RecommendAssortment(
            pb.RecommendAssortmentRequest(budget=agent_types_pb2.Money(currency_code="EUR", amount_minor=5000)),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"budget.currency_code"}
    await expect_error(
        stub.RecommendAssortment(pb.RecommendAssortmentRequest(category_id="no-such-aisle"), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )
    bad = await rest.http.post(ROUTE, json={"window_days": 366}, headers=rest.bearer("staff", "staff-sam"))
    assert bad.status_code == 400 and "window_days" in bad.text


async def test_without_the_reviews_service_the_answer_is_unavailable_naming_it(tmp_path: Path) -> None:
    rest = await start_rest_hub(
        tmp_path / "data", services=("catalog", "users", "inventory", "assortment-optimization")
    )
    try:
        error = await expect_error(
            agent(rest.hub).RecommendAssortment(
                pb.RecommendAssortmentRequest(category_id=CATEGORY), metadata=staff(rest.hub), timeout=30
            ),
            grpc.StatusCode.UNAVAILABLE,
        )
        assert "reviews" in (error.details() or "")
    finally:
        await stop_rest_hub(rest)
