"""Analytics over real gRPC, with real orders, payments and refunds: the figures reconcile exactly
with the orders and refunds in the store, over several days, whatever the window and granularity;
redelivered events change nothing; who may ask; invalid windows are refused field by field.

The platform runs on a clock the test moves (injected through the composition root's
Dependencies), so orders are placed, paid, cancelled and refunded at chosen moments across days,
a month end and an ISO week boundary."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest

from holidaypeak.commerce.v1 import analytics_pb2, refund_pb2
from holidaypeak.commerce.v1 import analytics_service_pb2 as pb
from holidaypeak.commerce.v1 import analytics_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as cart_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc
from holidaypeak.commerce.v1 import payment_service_pb2 as payments_pb
from holidaypeak.commerce.v1 import payment_service_pb2_grpc as payments_grpc
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.clock import from_iso
from hph.runtime.money import round_half_even, to_minor
from hph.runtime.storage import And, Eq, Query
from hph.services.analytics.clients import CatalogLookup, OrderReader
from hph.services.analytics.projection import CLAIMS_KEY, SALES, SALES_KEY, SalesProjection, sale_id
from tests.support.clocks import ManualClock
from tests.support.events import settle
from tests.support.platform_harness import Hub, Metadata, start_hub, stop_hub
from tests.support.rich_status import violated_fields
from tests.support.shoppers import Shopper, a_shopper, staff

pytestmark = pytest.mark.integration

SERVICES = ("catalog", "users", "inventory", "cart", "checkout", "orders", "payments", "analytics")
USD = "USD"
# Friday 29 November 2024: the days cross a month end (30 Nov -> 1 Dec) and an ISO week (Mon 2 Dec).
DAY0 = datetime(2024, 11, 29, tzinfo=UTC)
DAYS = 5
ORDERS_PER_DAY = 60


@dataclass
class Platform:
    hub: Hub
    clock: ManualClock[datetime]
    recorded: list[tuple[str, EventEnvelope]] = field(default_factory=list)

    @property
    def analytics(self) -> pb_grpc.AnalyticsServiceStub:
        return pb_grpc.AnalyticsServiceStub(self.hub.channel)

    def staff(self) -> Metadata:
        return staff(self.hub)

    async def settle(self) -> None:
        await settle(self.hub)


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    clock = ManualClock(DAY0 + timedelta(hours=6))
    hub = await start_hub(
        tmp_path / "data", services=SERVICES, seed=True, settings_overrides={"analytics_cache_seconds": 0}, clock=clock
    )
    subject = Platform(hub, clock)
    bus = hub.platform.deps.bus
    assert bus is not None
    for topic in ("order-events", "payment-events"):

        async def record(envelope: EventEnvelope, topic: str = topic) -> None:
            subject.recorded.append((topic, envelope))

        bus.subscribe(topic, "analytics-test-recorder", record)
    try:
        yield subject
    finally:
        await stop_hub(hub)


# --- building the history --------------------------------------------------------------------


async def stocked_products(hub: Hub, staff: Metadata, count: int) -> list[str]:
    """Products of as many categories as possible, each with plenty of stock."""
    page = await catalog_grpc.CatalogServiceStub(hub.channel).ListProducts(catalog_pb.ListProductsRequest(limit=100))
    by_category: dict[str, str] = {}
    for product in page.products:
        by_category.setdefault(product.category_id, product.id)
    picked = list(by_category.values())[:count]
    picked += [p.id for p in page.products if p.id not in picked][: count - len(picked)]
    for sku in picked:
        await inventory_grpc.InventoryServiceStub(hub.channel).UpdateInventoryItem(
            inventory_pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand=100_000, reason="analytics test"),
            metadata=staff,
        )
    return picked


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    kind: str = field(compare=False)
    order: int = field(compare=False)  # index of the planned order
    amount: float = field(default=0.0, compare=False)


@dataclass
class Planned:
    shopper: Shopper
    lines: list[tuple[str, int]]
    order_id: str = ""
    total: float = 0.0
    payment_id: str = ""


def plan(shoppers: list[Shopper], skus: list[str], rng: random.Random) -> tuple[list[Planned], list[Step]]:
    """A few hundred orders over DAYS days: pending, cancelled unpaid, paid, paid then cancelled,
    paid then refunded in part or in full (refunds up to two days later, some past the last day)."""
    orders: list[Planned] = []
    steps: list[Step] = []
    seq = 0

    def step(at: datetime, kind: str, index: int, amount: float = 0.0) -> None:
        nonlocal seq
        seq += 1
        steps.append(Step(at, seq, kind, index, amount))

    for day in range(DAYS):
        start = DAY0 + timedelta(days=day)
        moments = sorted(start + timedelta(seconds=rng.randrange(1, 86_000)) for _ in range(ORDERS_PER_DAY - 2))
        # Paid (a minute after being placed) at the day's very last microsecond, and at the first
        # instant of the next day.
        moments += [start + timedelta(days=1, seconds=-60, microseconds=-1), start + timedelta(days=1, seconds=-60)]
        for moment in moments:
            index = len(orders)
            lines = [(sku, rng.randint(1, 3)) for sku in rng.sample(skus, rng.randint(1, 2))]
            orders.append(Planned(shoppers[index % len(shoppers)], lines))
            step(moment, "place", index)
            fate = rng.random()
            if fate < 0.12:
                continue  # stays unpaid
            if fate < 0.22:
                step(moment + timedelta(seconds=30), "cancel", index)  # cancelled before payment
                continue
            step(moment + timedelta(seconds=60), "pay", index)
            later = moment + timedelta(seconds=60 + rng.randrange(60, 2 * 86_400))
            if fate < 0.32:
                step(later, "cancel", index)  # after payment: refunded in full by the platform
            elif fate < 0.44:
                step(later, "refund", index, amount=1.0)  # a partial refund...
                if rng.random() < 0.5:
                    step(later + timedelta(hours=3), "refund", index, amount=0.0)  # ...then the rest
            elif fate < 0.5:
                step(later, "refund", index, amount=0.0)  # all of it
    return orders, sorted(steps)


async def run(platform: Platform, orders: list[Planned], steps: list[Step]) -> None:
    hub = platform.hub
    cart = cart_grpc.CartServiceStub(hub.channel)
    order_stub = orders_grpc.OrderServiceStub(hub.channel)
    payment_stub = payments_grpc.PaymentServiceStub(hub.channel)
    admin = hub.auth("admin", "admin-ada")
    for current in steps:
        platform.clock.now = current.at
        planned = orders[current.order]
        me = planned.shopper.me
        if current.kind == "place":
            for sku, quantity in planned.lines:
                await cart.AddCartItem(
                    cart_pb.AddCartItemRequest(product_id=sku, quantity=quantity, request_id=uuid.uuid4().hex),
                    metadata=me,
                )
            order = await order_stub.CreateOrder(
                orders_pb.CreateOrderRequest(
                    shipping_address_id=planned.shopper.address_id,
                    payment_method_id=planned.shopper.card_id,
                    request_id=uuid.uuid4().hex,
                ),
                metadata=me,
            )
            planned.order_id, planned.total = order.id, order.total
        elif current.kind == "pay":
            payment = await payment_stub.CreatePayment(
                payments_pb.CreatePaymentRequest(
                    order_id=planned.order_id,
                    payment_method_id=planned.shopper.card_id,
                    amount=planned.total,
                    request_id=uuid.uuid4().hex,
                ),
                metadata=me,
            )
            planned.payment_id = payment.id
        elif current.kind == "cancel":
            await order_stub.CancelOrder(orders_pb.CancelOrderRequest(order_id=planned.order_id), metadata=me)
        else:
            await payment_stub.RefundPayment(
                payments_pb.RefundPaymentRequest(
                    payment_id=planned.payment_id, amount=current.amount, reason="goodwill", request_id=uuid.uuid4().hex
                ),
                metadata=admin,
            )
        if current.kind == "cancel":  # the platform refunds a paid order at the moment it was cancelled
            await platform.settle()


# --- what the store says -----------------------------------------------------------------------


@dataclass
class Truth:
    """Paid orders and succeeded refunds as the orders and payments services report them."""

    sales: list[tuple[datetime, int, list[tuple[str, int]]]]  # paid_at, total minor, (sku, units)
    refunds: list[tuple[datetime, int]]  # issued at, amount minor

    def figures(self, start: datetime, end: datetime) -> tuple[int, int, int, int]:
        """(revenue, orders, refunds, units) of [start, end), in minor units."""
        sold = [s for s in self.sales if start <= s[0] < end]
        refunded = [r for r in self.refunds if start <= r[0] < end]
        units = sum(q for s in sold for _, q in s[2])
        return sum(s[1] for s in sold), len(sold), sum(r[1] for r in refunded), units

    def units_per_sku(self, start: datetime, end: datetime) -> dict[str, int]:
        units: dict[str, int] = defaultdict(int)
        for paid_at, _, lines in self.sales:
            if start <= paid_at < end:
                for sku, quantity in lines:
                    units[sku] += quantity
        return dict(units)


async def truth(hub: Hub, staff: Metadata) -> Truth:
    order_stub = orders_grpc.OrderServiceStub(hub.channel)
    payment_stub = payments_grpc.PaymentServiceStub(hub.channel)
    sales = []
    token = ""
    while True:
        page = await order_stub.ListAllOrders(
            orders_pb.ListAllOrdersRequest(page_size=100, page_token=token), metadata=staff
        )
        for order in page.orders:
            if order.HasField("paid_at"):
                sales.append(
                    (
                        order.paid_at.ToDatetime(tzinfo=UTC),
                        to_minor(order.total, order.currency_code),
                        [(item.product_id, item.quantity) for item in order.items],
                    )
                )
        token = page.next_page_token
        if not token:
            break
    refunds = []
    token = ""
    while True:
        payments = await payment_stub.ListAllPayments(
            payments_pb.ListAllPaymentsRequest(page_size=100, page_token=token), metadata=staff
        )
        for payment in payments.payments:
            if payment.amount_refunded <= 0:
                continue
            listed = await payment_stub.ListRefunds(
                payments_pb.ListRefundsRequest(payment_id=payment.id, page_size=100), metadata=staff
            )
            refunds += [
                (refund.updated_at.ToDatetime(tzinfo=UTC), to_minor(refund.amount, refund.currency_code))
                for refund in listed.refunds
                if refund.status == refund_pb2.REFUND_STATUS_SUCCEEDED
            ]
        token = payments.next_page_token
        if not token:
            break
    return Truth(sales, refunds)


def minor(amount: float) -> int:
    return to_minor(amount, USD)


def day(offset: int) -> str:
    return (DAY0 + timedelta(days=offset)).date().isoformat()


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- the reconciliation ------------------------------------------------------------------------


async def test_figures_reconcile_exactly_with_the_orders_and_refunds_in_the_store(platform: Platform) -> None:
    hub, staff = platform.hub, platform.staff()
    rng = random.Random(20241129)
    shoppers = [await a_shopper(hub, f"analytics-shopper-{n}") for n in range(6)]
    skus = await stocked_products(hub, staff, 8)
    orders, steps = plan(shoppers, skus, rng)
    await run(platform, orders, steps)
    platform.clock.now = DAY0 + timedelta(days=DAYS + 3)
    await platform.settle()

    store = await truth(hub, staff)
    assert len(store.sales) > 150 and len(store.refunds) > 20, "the generated history is too thin"
    edges = {paid_at.time() for paid_at, _, _ in store.sales}
    assert datetime.max.time() in edges and datetime.min.time() in edges, "no sale at 23:59:59.999999 or 00:00"

    windows = [
        (day(0), day(DAYS + 1), DAY0, DAY0 + timedelta(days=DAYS + 2)),  # everything, refunds included
        *[(day(n), day(n), DAY0 + timedelta(days=n), DAY0 + timedelta(days=n + 1)) for n in range(DAYS + 2)],
        (  # timestamps cutting days in the middle, across the month end
            "2024-11-30T13:17:00Z",
            "2024-12-02T05:00:00.5Z",
            datetime(2024, 11, 30, 13, 17, tzinfo=UTC),
            datetime(2024, 12, 2, 5, 0, 0, 500000, tzinfo=UTC),
        ),
    ]
    for from_text, to_text, start, end in windows:
        revenue, count, refunds, units = store.figures(start, end)
        summary = await platform.analytics.GetSalesSummary(
            pb.GetSalesSummaryRequest(from_date=from_text, to_date=to_text, top_products_limit=50), metadata=staff
        )
        got = (minor(summary.total_revenue), summary.total_orders, minor(summary.refunds_total))
        assert got == (revenue, count, refunds), f"{from_text}..{to_text}: expected {(revenue, count, refunds)}"
        assert minor(summary.net_revenue) == revenue - refunds
        assert minor(summary.average_order_value) == (round_half_even_div(revenue, count))
        assert summary.currency_code == USD
        assert summary.window_start_at.ToDatetime(tzinfo=UTC) == start
        assert summary.window_end_at.ToDatetime(tzinfo=UTC) == end
        assert {p.product_id: p.units for p in summary.top_products} == store.units_per_sku(start, end)
        assert sum(minor(p.revenue) for p in summary.top_products) == revenue
        assert all(p.name for p in summary.top_products)

        for granularity in (
            analytics_pb2.GRANULARITY_DAY,
            analytics_pb2.GRANULARITY_WEEK,
            analytics_pb2.GRANULARITY_MONTH,
        ):
            series = await platform.analytics.GetSalesTimeseries(
                pb.GetSalesTimeseriesRequest(granularity=granularity, from_date=from_text, to_date=to_text),
                metadata=staff,
            )
            points = list(series.points)
            assert points[0].period_start_at.ToDatetime(tzinfo=UTC) == start
            assert points[-1].period_end_at.ToDatetime(tzinfo=UTC) == end
            totals = (
                sum(minor(p.revenue) for p in points),
                sum(p.orders for p in points),
                sum(minor(p.refunds) for p in points),
                sum(p.units for p in points),
            )
            assert totals == (revenue, count, refunds, units), f"{granularity} over {from_text}..{to_text}"
            for point in points:  # and each bucket on its own
                bucket = store.figures(
                    point.period_start_at.ToDatetime(tzinfo=UTC), point.period_end_at.ToDatetime(tzinfo=UTC)
                )
                assert (minor(point.revenue), point.orders, minor(point.refunds), point.units) == bucket

        categories = await platform.analytics.GetCategorySales(
            pb.GetCategorySalesRequest(from_date=from_text, to_date=to_text), metadata=staff
        )
        assert minor(categories.total_revenue) == revenue
        assert sum(minor(c.revenue) for c in categories.categories) == revenue
        assert sum(c.units for c in categories.categories) == units
        assert all(c.name and c.orders <= count for c in categories.categories)
        if revenue:
            assert sum(c.revenue_share for c in categories.categories) == pytest.approx(1.0)

    # Every sale was recorded with the order's own paid_at (as OrderPaid carries it), never the
    # envelope's occurred_at stand-in.
    sales = await hub.platform.store.container(SALES, SALES_KEY)
    assert await sales.count(Query(And(Eq("kind", "sale"), Eq("paid_at_source", "event")))) == 0
    assert await sales.count(Query(Eq("kind", "sale"))) == len(store.sales)

    # At-least-once delivery: the same events again, even under new ids, change nothing.
    everything = pb.GetSalesSummaryRequest(from_date=day(0), to_date=day(DAYS + 1))
    before = await platform.analytics.GetSalesSummary(everything, metadata=staff)
    replayed = [(t, e) for t, e in platform.recorded if e.WhichOneof("payload") in ("order_paid", "refund_issued")]
    assert len(replayed) == len(store.sales) + len(store.refunds)
    for topic, envelope in replayed:
        again = EventEnvelope()
        again.CopyFrom(envelope)
        again.event_id = uuid.uuid4().hex
        await hub.platform.log.append(topic, again)
    await settle(hub)
    after = await platform.analytics.GetSalesSummary(everything, metadata=staff)
    before.ClearField("computed_at")
    after.ClearField("computed_at")
    assert after == before


def round_half_even_div(revenue: int, count: int) -> int:
    from decimal import Decimal

    return round_half_even(Decimal(revenue) / Decimal(count)) if count else 0


# --- access and validation ---------------------------------------------------------------------


async def test_only_staff_may_read_analytics(platform: Platform) -> None:
    analytics = platform.analytics
    calls = [
        lambda md: analytics.GetSalesSummary(pb.GetSalesSummaryRequest(), metadata=md),
        lambda md: analytics.GetSalesTimeseries(pb.GetSalesTimeseriesRequest(), metadata=md),
        lambda md: analytics.GetCategorySales(pb.GetCategorySalesRequest(), metadata=md),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await call(platform.hub.auth("customer", "curious-carl"))
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.aio.AioRpcError) as anonymous:
            await call(())
        assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
        await call(platform.staff())
        await call(platform.hub.auth("admin", "admin-ada"))


@pytest.mark.parametrize(
    ("request_fields", "fields"),
    [
        ({"from_date": "last week"}, {"from_date"}),
        ({"to_date": "2024-12-32"}, {"to_date"}),
        ({"from_date": "2024-12-05", "to_date": "2024-12-01"}, {"from_date"}),
        ({"from_date": "2023-01-01", "to_date": "2024-06-01"}, {"to_date"}),
        ({"from_date": "2024-12-01T10:00:00", "top_products_limit": 51}, {"from_date", "top_products_limit"}),
    ],
)
async def test_invalid_summary_requests_name_each_field(
    platform: Platform, request_fields: dict[str, object], fields: set[str]
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await platform.analytics.GetSalesSummary(pb.GetSalesSummaryRequest(**request_fields), metadata=platform.staff())
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violated_fields(refused.value)) == fields


async def test_invalid_series_and_category_requests_are_refused(platform: Platform) -> None:
    staff = platform.staff()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await platform.analytics.GetSalesTimeseries(
            pb.GetSalesTimeseriesRequest(granularity=9, from_date="nope"),  # type: ignore[arg-type]
            metadata=staff,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violated_fields(refused.value)) == {"granularity", "from_date"}
    with pytest.raises(grpc.aio.AioRpcError) as backwards:
        await platform.analytics.GetCategorySales(
            pb.GetCategorySalesRequest(from_date="2024-12-02T00:00:00Z", to_date="2024-12-01T00:00:00Z"),
            metadata=staff,
        )
    assert backwards.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violated_fields(backwards.value)) == {"from_date"}


async def test_an_empty_window_and_a_quiet_period_answer_zeros(platform: Platform) -> None:
    staff = platform.staff()
    empty = await platform.analytics.GetSalesTimeseries(
        pb.GetSalesTimeseriesRequest(from_date="2024-12-01T10:00:00Z", to_date="2024-12-01T10:00:00Z"),
        metadata=staff,
    )
    assert list(empty.points) == [] and empty.granularity == analytics_pb2.GRANULARITY_DAY
    quiet = await platform.analytics.GetSalesTimeseries(
        pb.GetSalesTimeseriesRequest(granularity=analytics_pb2.GRANULARITY_WEEK, from_date="2024-10-01"),
        metadata=staff,
    )
    # 1 Oct 2024 (a Tuesday) up to the platform's now, 29 Nov: 9 ISO weeks, the first one cut.
    assert len(quiet.points) == 9 and all(p.orders == 0 and p.revenue == 0 for p in quiet.points)
    assert quiet.points[0].period_start_at.ToDatetime(tzinfo=UTC) == datetime(2024, 10, 1, tzinfo=UTC)
    assert quiet.points[1].period_start_at.ToDatetime(tzinfo=UTC) == datetime(2024, 10, 7, tzinfo=UTC)
    summary = await platform.analytics.GetSalesSummary(pb.GetSalesSummaryRequest(), metadata=staff)
    assert (summary.total_revenue, summary.total_orders, summary.average_order_value) == (0, 0, 0)
    assert summary.window_end_at.ToDatetime(tzinfo=UTC) == platform.clock.now
    assert summary.window_start_at.ToDatetime(tzinfo=UTC) == platform.clock.now - timedelta(days=30)
    categories = await platform.analytics.GetCategorySales(pb.GetCategorySalesRequest(), metadata=staff)
    assert list(categories.categories) == [] and categories.total_revenue == 0


# --- events of older producers -------------------------------------------------------------------


async def test_an_order_paid_event_without_paid_at_is_dated_and_named_from_the_order(platform: Platform) -> None:
    """OrderPaid events written before it carried paid_at and line names (still in an outbox or on
    the bus after an upgrade) are recorded at the order's own paid moment, with its names; when the
    order cannot be read, at the event's occurred_at, marked as such."""
    hub = platform.hub
    staff = platform.staff()
    [sku] = await stocked_products(hub, staff, 1)
    shopper = await a_shopper(hub, "old-events")
    placed_at = DAY0 + timedelta(hours=9)
    orders, steps = [Planned(shopper, [(sku, 2)])], [Step(placed_at, 1, "place", 0), Step(placed_at, 2, "pay", 0)]
    platform.clock.now = placed_at
    await run(platform, orders, steps)
    await platform.settle()
    [paid_envelope] = [e for _, e in platform.recorded if e.WhichOneof("payload") == "order_paid"]
    order = await orders_grpc.OrderServiceStub(hub.channel).GetOrder(
        orders_pb.GetOrderRequest(order_id=orders[0].order_id), metadata=staff
    )

    # The same event as an older producer wrote it, delivered hours later to a projection that has
    # not seen it (its own containers; the platform's projection already recorded the new form).
    legacy = EventEnvelope()
    legacy.CopyFrom(paid_envelope)
    legacy.order_paid.ClearField("paid_at")
    for line in legacy.order_paid.lines:
        line.ClearField("name")
    legacy.occurred_at.FromDatetime(placed_at + timedelta(hours=5))
    deps = hub.platform.deps
    assert deps.channels is not None
    store = hub.platform.store
    sales = await store.container("analytics_sales_legacy", SALES_KEY)
    projection = SalesProjection(
        sales,
        await store.container("analytics_orders_legacy", CLAIMS_KEY),
        OrderReader(deps.channels, deps.service_credentials),
        CatalogLookup(deps.channels, deps.service_credentials),
        clock=platform.clock,
    )
    await projection.handle_order_event(legacy)
    fact = await sales.read(sale_id(order.id), "2024-11-29")
    assert from_iso(fact["at"]) == order.paid_at.ToDatetime(tzinfo=UTC) == placed_at
    assert fact["paid_at_source"] == "order"
    assert [line["name"] for line in fact["lines"]] == [order.items[0].name] and order.items[0].name

    # An order the projection cannot read (gone, or the orders service refusing): the event's time.
    unknown = EventEnvelope()
    unknown.CopyFrom(legacy)
    unknown.order_paid.order_id = "ord_unknown"
    await projection.handle_order_event(unknown)
    fallback = await sales.read(sale_id("ord_unknown"), "2024-11-29")
    assert from_iso(fallback["at"]) == placed_at + timedelta(hours=5)
    assert fallback["paid_at_source"] == "event"
