"""Agents crm-profile-aggregation, crm-segmentation-personalization and crm-campaign-intelligence over
real gRPC on a generated history: every shopper's profile equals what their orders say (OrderService
as staff sees them: count, lifetime value, average, last order, favourite categories, return rate,
recent orders); the shared crm-activity projection rebuilds from the log to the same documents and
the same answers (a replay over the documents and into an emptied container); segments cover every
customer exactly once and show who moved; campaign reports equal what the orders carrying each code
say; recommendations leave out what the shopper bought; staff only where the contract says so, a
shopper's own recommendations only, with every refusal of the contract."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import crm_campaign_intelligence_service_pb2 as camp_pb
from holidaypeak.agents.v1 import crm_campaign_intelligence_service_pb2_grpc as camp_grpc
from holidaypeak.agents.v1 import crm_profile_aggregation_service_pb2 as pb
from holidaypeak.agents.v1 import crm_profile_aggregation_service_pb2_grpc as pb_grpc
from holidaypeak.agents.v1 import crm_segmentation_personalization_service_pb2 as seg_pb
from holidaypeak.agents.v1 import crm_segmentation_personalization_service_pb2_grpc as seg_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2, catalog_service_pb2_grpc, order_pb2
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc
from holidaypeak.commerce.v1 import user_service_pb2 as users_pb
from holidaypeak.commerce.v1 import user_service_pb2_grpc as users_grpc
from hph.agents.crm_activity import CONTAINER, GROUP
from hph.host.app import SERVICE_NAMES
from hph.host.history.driver import generate_history
from hph.runtime.settings import Settings
from hph.runtime.storage import Query
from tests.support.clocks import ManualClock
from tests.support.events import consumers_of, settle
from tests.support.platform_harness import Hub, start_hub, stop_hub
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import staff

pytestmark = pytest.mark.integration

AGENT = "crm-profile-aggregation"
SEGMENTS = "crm-segmentation-personalization"
CAMPAIGNS = "crm-campaign-intelligence"
DAYS, SEED, ORDERS_PER_DAY, SHOPPERS = 28, 5, 6.0, 8
END = datetime.now(UTC).date()
REACHED = {
    order_pb2.ORDER_STATUS_DELIVERED,
    order_pb2.ORDER_STATUS_PARTIALLY_RETURNED,
    order_pb2.ORDER_STATUS_RETURNED,
}


@pytest.fixture(scope="module")
def history_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import asyncio

    data_dir = tmp_path_factory.mktemp("crm-history") / "data"
    settings = Settings(data_dir=data_dir, grpc_port=0, log_format="text", shutdown_grace_seconds=1.0)
    summary = asyncio.run(
        generate_history(settings, days=DAYS, seed=SEED, orders_per_day=ORDERS_PER_DAY, shoppers=SHOPPERS, end=END)
    )
    assert summary.failed_actions == 0 and summary.refunded_minor > 0, summary
    return data_dir


@pytest.fixture
def clock() -> ManualClock[datetime]:
    return ManualClock(datetime.now(UTC))


@pytest.fixture
async def hub(history_dir: Path, clock: ManualClock[datetime]) -> AsyncIterator[Hub]:
    running = await start_hub(
        history_dir,
        services=(*SERVICE_NAMES, AGENT, SEGMENTS, CAMPAIGNS),
        seed=False,
        clock=clock,
        settings_overrides={"storage": "sqlite"},
    )
    try:
        await settle(running)
        yield running
    finally:
        await stop_hub(running)


def shoppers() -> list[str]:
    return [f"history-shopper-{index:03d}" for index in range(SHOPPERS)]


async def orders_of(hub: Hub, user_id: str) -> list[order_pb2.Order]:
    stub = orders_grpc.OrderServiceStub(hub.channel)
    found: list[order_pb2.Order] = []
    token = ""
    while True:
        page = await stub.ListAllOrders(
            orders_pb.ListAllOrdersRequest(user_id=user_id, page_size=100, page_token=token), metadata=staff(hub)
        )
        found.extend(page.orders)
        token = page.next_page_token
        if not token:
            return found


async def categories_of(hub: Hub, product_ids: set[str]) -> dict[str, str]:
    stub = catalog_service_pb2_grpc.CatalogServiceStub(hub.channel)
    return {
        product_id: (
            await stub.GetProduct(catalog_service_pb2.GetProductRequest(product_id=product_id), metadata=staff(hub))
        ).category_id
        for product_id in product_ids
    }


async def profile(hub: Hub, user_id: str, limit: int = 0) -> pb.GetProfileResponse:
    agent = pb_grpc.CrmProfileAggregationServiceStub(hub.channel)
    answer: pb.GetProfileResponse = await agent.GetProfile(
        pb.GetProfileRequest(user_id=user_id, recent_orders_limit=limit), metadata=staff(hub)
    )
    return answer


async def test_every_profile_equals_what_the_customers_orders_say(hub: Hub) -> None:
    returned_somewhere = False
    for user_id in shoppers():
        orders = await orders_of(hub, user_id)
        counted = [o for o in orders if o.status != order_pb2.ORDER_STATUS_CANCELLED]
        answer = await profile(hub, user_id, limit=50)

        assert answer.name.startswith("Demo Shopper") and answer.HasField("customer_since")
        assert answer.order_count == len(counted)
        lifetime = sum(o.total_minor - o.amount_refunded_minor for o in counted)
        assert answer.lifetime_value.amount_minor == lifetime, user_id
        if counted:
            assert abs(answer.average_order_value.amount_minor * len(counted) - lifetime) <= len(counted) / 2 + 1
            newest = max(o.created_at.ToDatetime(tzinfo=UTC) for o in counted)
            assert answer.last_order_at.ToDatetime(tzinfo=UTC) == newest
        delivered = sum(i.quantity for o in counted if o.status in REACHED for i in o.items)
        returned = sum(i.quantity_returned for o in counted for i in o.items)
        returned_somewhere = returned_somewhere or returned > 0
        assert answer.return_rate == pytest.approx(returned / delivered if delivered else 0.0, abs=1e-4), user_id

        categories = await categories_of(hub, {i.product_id for o in counted for i in o.items})
        units: Counter[str] = Counter()
        for o in counted:
            for item in o.items:
                units[categories[item.product_id]] += item.quantity
        expected = sorted(units.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        assert [(c.category_id, c.units) for c in answer.favourite_categories] == expected
        assert all(c.category_name for c in answer.favourite_categories)

        assert [(s.order_id, s.status, s.total.amount_minor) for s in answer.recent_orders] == [
            (o.id, o.status, o.total_minor) for o in orders
        ]
        drivers = {d.name: d for d in answer.explanation.drivers}
        assert {"recency", "frequency", "spend", "returns", "open_tickets"} <= set(drivers)
        assert answer.engagement_score == pytest.approx(
            sum(d.contribution for d in answer.explanation.drivers if d.HasField("contribution")), abs=0.05
        )
        assert answer.explanation.freshness.HasField("data_as_of")
    assert returned_somewhere, "the history should hold a refunded return"


async def documents(hub: Hub) -> list[dict[str, Any]]:
    container = await CONTAINER.open(hub.platform.deps.store)
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = await container.query(Query(), max_items=1000, continuation=token)
        items.extend({k: v for k, v in doc.items() if not k.startswith("_")} for doc in page.items)
        token = page.continuation
        if token is None:
            return sorted(items, key=lambda d: (str(d["user_id"]), str(d["id"])))


async def test_the_projection_rebuilds_from_the_log_to_the_same_profiles(hub: Hub) -> None:
    before_docs = await documents(hub)
    before = [await profile(hub, user_id) for user_id in shoppers()]
    assert any(p.order_count for p in before)

    await consumers_of(hub).reset(GROUP)  # the whole log again, over the documents
    await settle(hub)
    assert await documents(hub) == before_docs
    assert [await profile(hub, user_id) for user_id in shoppers()] == before

    container = await CONTAINER.open(hub.platform.deps.store)
    for doc in before_docs:
        await container.delete(str(doc["id"]), str(doc["user_id"]))
    emptied = await profile(hub, shoppers()[0])
    assert emptied.order_count == 0
    await consumers_of(hub).reset(GROUP)  # into an emptied container
    await settle(hub)
    assert await documents(hub) == before_docs
    assert [await profile(hub, user_id) for user_id in shoppers()] == before


async def test_profiles_are_for_staff_only_and_requests_are_checked(hub: Hub) -> None:
    agent = pb_grpc.CrmProfileAggregationServiceStub(hub.channel)
    own = shoppers()[0]
    customer = hub.auth("customer", own)
    await expect_error(
        agent.GetProfile(pb.GetProfileRequest(user_id=own), metadata=customer), grpc.StatusCode.PERMISSION_DENIED
    )
    await expect_error(agent.GetProfile(pb.GetProfileRequest(user_id=own)), grpc.StatusCode.UNAUTHENTICATED)
    missing = await expect_error(
        agent.GetProfile(pb.GetProfileRequest(), metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(missing)) == {"user_id"}
    too_many = await expect_error(
        agent.GetProfile(pb.GetProfileRequest(user_id=own, recent_orders_limit=51), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(too_many)) == {"recent_orders_limit"}
    await expect_error(
        agent.GetProfile(pb.GetProfileRequest(user_id="nobody-at-all"), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )


def segments_of(hub: Hub) -> seg_grpc.CrmSegmentationPersonalizationServiceStub:
    return seg_grpc.CrmSegmentationPersonalizationServiceStub(hub.channel)


async def test_segments_cover_every_customer_once_and_show_who_moved(hub: Hub, clock: ManualClock[datetime]) -> None:
    agent = segments_of(hub)
    overview = await agent.Segment(seg_pb.SegmentRequest(), metadata=staff(hub))
    assert overview.customers_scored == SHOPPERS
    assert sum(s.size for s in overview.segments) == SHOPPERS
    assert len(overview.segments) == len(seg_pb.CustomerSegment.keys()) - 1  # every segment, empty ones too
    assert [s.size for s in overview.segments] == sorted((s.size for s in overview.segments), reverse=True)
    counted: Counter[int] = Counter()
    for user_id in shoppers():
        mine = await agent.Segment(seg_pb.SegmentRequest(user_id=user_id), metadata=staff(hub))
        assert mine.customer.user_id == user_id and mine.customer.segment != seg_pb.CUSTOMER_SEGMENT_UNSPECIFIED
        orders = [o for o in await orders_of(hub, user_id) if o.status != order_pb2.ORDER_STATUS_CANCELLED]
        assert mine.customer.frequency == len(orders)  # the history is shorter than the window
        counted[mine.customer.segment] += 1
    assert counted == Counter({s.segment: s.size for s in overview.segments if s.size})
    assert {d.name for d in overview.explanation.drivers} >= {"recency_quintiles", "frequency_quintiles", "moved"}

    newcomer = hub.auth("customer", "newcomer-nia")
    await users_grpc.UserServiceStub(hub.channel).Register(users_pb.RegisterRequest(name="Nia Park"), metadata=newcomer)
    await settle(hub)
    clock.advance(16 * 60)  # past the run's refresh
    later = await agent.Segment(seg_pb.SegmentRequest(user_id="newcomer-nia"), metadata=staff(hub))
    assert later.customers_scored == SHOPPERS + 1
    prospects = next(s for s in later.segments if s.segment == seg_pb.CUSTOMER_SEGMENT_PROSPECT)
    assert (prospects.size, prospects.entered) == (1, 1)
    assert later.customer.segment == seg_pb.CUSTOMER_SEGMENT_PROSPECT
    assert later.customer.previous_segment == seg_pb.CUSTOMER_SEGMENT_UNSPECIFIED  # not scored before


async def test_a_shopper_gets_their_own_recommendations_without_what_they_bought(hub: Hub) -> None:
    agent = segments_of(hub)
    user_id = shoppers()[1]
    me = hub.auth("customer", user_id)
    answer = await agent.Personalize(seg_pb.PersonalizeRequest(limit=20), metadata=me)
    bought = {
        item.product_id
        for o in await orders_of(hub, user_id)
        if o.status != order_pb2.ORDER_STATUS_CANCELLED
        for item in o.items
    }
    assert answer.user_id == user_id and answer.products
    assert not bought & {p.product.product_id for p in answer.products}
    assert all(p.product.in_stock for p in answer.products)
    assert [p.score for p in answer.products] == sorted((p.score for p in answer.products), reverse=True)
    mine = await agent.Segment(seg_pb.SegmentRequest(user_id=user_id), metadata=staff(hub))
    assert answer.segment == mine.customer.segment
    as_staff = await agent.Personalize(seg_pb.PersonalizeRequest(user_id=user_id, limit=20), metadata=staff(hub))
    assert [p.product.product_id for p in as_staff.products] == [p.product.product_id for p in answer.products]
    category = answer.products[0].product.category_id
    narrowed = await agent.Personalize(seg_pb.PersonalizeRequest(category_id=category), metadata=me)
    assert narrowed.products and {p.product.category_id for p in narrowed.products} == {category}

    other = shoppers()[2]
    await expect_error(
        agent.Personalize(seg_pb.PersonalizeRequest(user_id=other), metadata=me), grpc.StatusCode.PERMISSION_DENIED
    )
    await expect_error(agent.Personalize(seg_pb.PersonalizeRequest()), grpc.StatusCode.UNAUTHENTICATED)
    await expect_error(agent.Segment(seg_pb.SegmentRequest(), metadata=me), grpc.StatusCode.PERMISSION_DENIED)
    bad = await expect_error(
        agent.Personalize(seg_pb.PersonalizeRequest(limit=51, category_id="no-such-category"), metadata=me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) == {"limit"}
    unknown = await expect_error(
        agent.Personalize(seg_pb.PersonalizeRequest(category_id="no-such-category"), metadata=me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(unknown)) == {"category_id"}
    await expect_error(
        agent.Segment(seg_pb.SegmentRequest(user_id="nobody-at-all"), metadata=staff(hub)), grpc.StatusCode.NOT_FOUND
    )


PAID = {
    order_pb2.ORDER_PAYMENT_STATUS_PAID,
    order_pb2.ORDER_PAYMENT_STATUS_PARTIALLY_REFUNDED,
    order_pb2.ORDER_PAYMENT_STATUS_REFUNDED,
}


async def test_campaign_reports_equal_what_the_coded_orders_say(hub: Hub) -> None:
    orders = [o for user_id in shoppers() for o in await orders_of(hub, user_id)]
    codes = {o.campaign_code for o in orders} - {""}
    assert codes, "the history puts campaign codes on orders"
    start = datetime.combine(END, datetime.min.time(), tzinfo=UTC) - timedelta(days=DAYS)
    window = agent_types_pb2.TimeWindow()
    window.start_time.FromDatetime(start)
    agent = camp_grpc.CrmCampaignIntelligenceServiceStub(hub.channel)
    report = await agent.CampaignPerformance(camp_pb.CampaignPerformanceRequest(window=window), metadata=staff(hub))
    by_code = {c.campaign_code: c for c in report.campaigns}
    assert codes <= set(by_code)
    for code in codes:
        mine = [o for o in orders if o.campaign_code == code]
        paid = [o for o in mine if o.payment_status in PAID]
        found = by_code[code]
        assert (found.funnel.carts, found.funnel.orders) == (len(mine), len(paid)), code
        revenue = sum(o.total_minor - o.amount_refunded_minor for o in paid)
        assert found.attributed_revenue.amount_minor == revenue, code
        assert found.HasField("spend") and found.HasField("roi")
        spend = found.spend.amount_minor
        assert found.roi == pytest.approx((revenue - spend) / spend, abs=1e-4)
        assert found.advice != camp_pb.BUDGET_ACTION_UNSPECIFIED and found.advice_reason
    rois = [c.roi for c in report.campaigns if c.HasField("roi")]
    assert rois == sorted(rois, reverse=True)
    uncoded = [o for o in orders if not o.campaign_code and o.payment_status in PAID]
    assert report.unattributed_revenue.amount_minor == sum(o.total_minor - o.amount_refunded_minor for o in uncoded)

    named = await agent.CampaignPerformance(
        camp_pb.CampaignPerformanceRequest(campaign_codes=[sorted(codes)[0].lower()], window=window),
        metadata=staff(hub),
    )
    assert [c.campaign_code for c in named.campaigns] == [sorted(codes)[0]]
    customer = hub.auth("customer", shoppers()[0])
    await expect_error(
        agent.CampaignPerformance(camp_pb.CampaignPerformanceRequest(), metadata=customer),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    bad = await expect_error(
        agent.CampaignPerformance(
            camp_pb.CampaignPerformanceRequest(campaign_codes=["no spaces"]), metadata=staff(hub)
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) == {"campaign_codes[0]"}
    backwards = agent_types_pb2.TimeWindow()
    backwards.start_time.FromDatetime(datetime(2030, 1, 1, tzinfo=UTC))
    later = await expect_error(
        agent.CampaignPerformance(camp_pb.CampaignPerformanceRequest(window=backwards), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(later)) == {"window.start_time"}
