"""Agent inventory-health-check over real gRPC and REST on a platform whose clock the test moves:
two weeks of reservations give SKUs their demand; a SKU with little stock left is low, one with
none is out, one without demand is healthy, in that order of urgency, with their numbers; the
shared stock-signals projection rebuilds from the log into the same documents and the same answer;
every error status of CheckHealth; customers are refused."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest

from holidaypeak.agents.v1 import inventory_health_check_service_pb2 as pb
from holidaypeak.agents.v1 import inventory_health_check_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import inventory_item_pb2, reservation_pb2
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from hph.agents.inventory_signals.projection import GROUP, KEY, NAME
from tests.support.clocks import ManualClock
from tests.support.platform_harness import Hub, start_hub, stop_hub
from tests.support.rest_harness import start_rest_hub, stop_rest_hub
from tests.support.rest_json import ok
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import a_shopper, staff, stock_up
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVICES = ("catalog", "users", "inventory", "inventory-health-check")
DAY0 = datetime(2026, 10, 5, 9, tzinfo=UTC)  # a Monday, weeks before the first retail period
DAYS = 14
H = inventory_item_pb2


@dataclass
class Platform:
    hub: Hub
    clock: ManualClock[datetime]

    @property
    def agent(self) -> pb_grpc.InventoryHealthCheckServiceStub:
        return pb_grpc.InventoryHealthCheckServiceStub(self.hub.channel)

    async def caught_up(self) -> None:
        bus = self.hub.platform.deps.bus
        assert bus is not None

        async def applied() -> bool:
            return sum(lag.events for lag in await bus.lag(GROUP)) == 0

        await eventually(applied, within=20)


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    clock = ManualClock(DAY0)
    hub = await start_hub(tmp_path / "data", services=SERVICES, seed=True, clock=clock)
    try:
        yield Platform(hub, clock)
    finally:
        await stop_hub(hub)


async def sell(hub: Hub, sku: str, units: int) -> None:
    """One order's worth of `units`, reserved and paid (what CreateOrder and payment do to stock)."""
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


async def two_weeks(platform: Platform) -> tuple[str, str, str]:
    """Three products: LOW sells 3 a day and has 8 left, OUT sells 1 a day and has none left,
    QUIET never sells and has 40."""
    page = await catalog_grpc.CatalogServiceStub(platform.hub.channel).ListProducts(
        catalog_pb.ListProductsRequest(limit=3)
    )
    low, out, quiet = (str(p.id) for p in page.products[:3])
    await stock_up(platform.hub, [low, out, quiet], 100)
    for day in range(DAYS):
        platform.clock.now = DAY0 + timedelta(days=day, hours=2)
        await sell(platform.hub, low, 3)
        await sell(platform.hub, out, 1)
    platform.clock.now = DAY0 + timedelta(days=DAYS, hours=1)
    await stock_up(platform.hub, [low], 8)
    await stock_up(platform.hub, [out], 0)
    await stock_up(platform.hub, [quiet], 40)
    await platform.caught_up()
    return low, out, quiet


async def test_low_out_and_healthy_skus_in_order_of_urgency_with_their_numbers(platform: Platform) -> None:
    low, out, quiet = await two_weeks(platform)
    answer = await platform.agent.CheckHealth(
        pb.CheckHealthRequest(skus=[quiet, low, out]), metadata=staff(platform.hub)
    )
    assert [(i.sku, i.health) for i in answer.items] == [
        (out, H.INVENTORY_HEALTH_OUT_OF_STOCK),
        (low, H.INVENTORY_HEALTH_LOW_STOCK),
        (quiet, H.INVENTORY_HEALTH_HEALTHY),
    ]
    out_item, low_item, quiet_item = answer.items
    assert low_item.product_name and low_item.stock.quantity_available == 8
    assert low_item.demand.window_days == DAYS and low_item.demand.orders == DAYS
    # Two weeks of a weekday-flat 3/day; the seasonal indices of the catalog's demand move it a little.
    assert 2.0 < low_item.demand.units_per_day < 4.0
    assert low_item.HasField("days_of_cover") and 2.0 < low_item.days_of_cover < 4.0
    assert low_item.stock.reorder_point > 8
    assert {d.name for d in low_item.drivers} >= {"available", "days_of_cover", "demand_rate", "safety_stock"}
    assert out_item.urgency > low_item.urgency > quiet_item.urgency == 0
    assert not quiet_item.HasField("days_of_cover") and not quiet_item.anomalies
    counts = {c.health: c.count for c in answer.summary}
    assert counts[H.INVENTORY_HEALTH_OUT_OF_STOCK] == 1 and counts[H.INVENTORY_HEALTH_LOW_STOCK] == 1
    assert answer.explanation.method.startswith("inventory-health-v1+seasonal-index-v1")
    assert answer.explanation.freshness.data_as_of.ToDatetime(tzinfo=UTC) >= DAY0
    assert "3 SKU(s): 1 out of stock, 1 low" in answer.explanation.summary

    # The whole catalog, page by page: out of stock first, then low, each SKU once.
    seen: list[pb.SkuHealth] = []
    token = ""
    while True:
        page = await platform.agent.CheckHealth(
            pb.CheckHealthRequest(page_size=40, page_token=token), metadata=staff(platform.hub)
        )
        seen.extend(page.items)
        token = page.next_page_token
        if not token:
            break
    skus = [i.sku for i in seen]
    assert len(skus) == len(set(skus)) == sum(c.count for c in page.summary)
    assert [i.urgency for i in seen] == sorted((i.urgency for i in seen), reverse=True)
    first_low = next(n for n, i in enumerate(seen) if i.health == H.INVENTORY_HEALTH_LOW_STOCK)
    assert all(i.health == H.INVENTORY_HEALTH_OUT_OF_STOCK for i in seen[:first_low])
    assert skus.index(out) < first_low <= skus.index(low)
    only_low = await platform.agent.CheckHealth(
        pb.CheckHealthRequest(health=[H.INVENTORY_HEALTH_LOW_STOCK]), metadata=staff(platform.hub)
    )
    assert only_low.items[0].sku == low  # the only low SKU with demand: the least cover
    assert {i.health for i in only_low.items} == {H.INVENTORY_HEALTH_LOW_STOCK}
    # The second whole-catalog check remembers the first.
    again = await platform.agent.CheckHealth(pb.CheckHealthRequest(page_size=1), metadata=staff(platform.hub))
    assert "unchanged since the last check" in again.explanation.summary


async def test_the_projection_rebuilds_from_the_log_into_the_same_documents_and_answer(platform: Platform) -> None:
    low, out, quiet = await two_weeks(platform)
    request = pb.CheckHealthRequest(skus=[low, out, quiet])
    before = await platform.agent.CheckHealth(request, metadata=staff(platform.hub))
    container = await platform.hub.platform.deps.store.container(NAME, KEY)
    docs_before = {sku: _content(await container.read(sku, sku)) for sku in (low, out, quiet)}
    for sku in (low, out, quiet):
        await container.delete(sku, sku)
    bus = platform.hub.platform.deps.bus
    assert bus is not None
    await bus.reset(GROUP)
    await platform.caught_up()
    docs_after = {sku: _content(await container.read(sku, sku)) for sku in (low, out, quiet)}
    assert docs_after == docs_before
    # Replaying again onto the documents changes nothing (every event is already applied).
    await bus.reset(GROUP)
    await platform.caught_up()
    assert {sku: _content(await container.read(sku, sku)) for sku in (low, out, quiet)} == docs_before
    after = await platform.agent.CheckHealth(request, metadata=staff(platform.hub))
    before.explanation.ClearField("freshness")
    after.explanation.ClearField("freshness")
    assert after == before


async def test_check_health_refuses_what_it_cannot_answer(platform: Platform) -> None:
    hub = platform.hub
    shopper = await a_shopper(hub, "nosy")
    agent = platform.agent
    await expect_error(
        agent.CheckHealth(pb.CheckHealthRequest(), metadata=shopper.me), grpc.StatusCode.PERMISSION_DENIED
    )
    await expect_error(agent.CheckHealth(pb.CheckHealthRequest()), grpc.StatusCode.UNAUTHENTICATED)
    error = await expect_error(
        agent.CheckHealth(
            pb.CheckHealthRequest(skus=["a/b"], health=[9], page_size=101, page_token="nope"),  # type: ignore[list-item]
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) >= {"skus[0]", "health[0]", "page_size", "page_token"}
    error = await expect_error(
        agent.CheckHealth(pb.CheckHealthRequest(skus=[f"SKU-{i:04d}" for i in range(101)]), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "skus" in violated_fields(error)
    await expect_error(
        agent.CheckHealth(pb.CheckHealthRequest(skus=["NOPE-9999"]), metadata=staff(hub)), grpc.StatusCode.NOT_FOUND
    )


async def test_the_staff_rest_route_answers_staff_and_refuses_customers(tmp_path: Path) -> None:
    clock = ManualClock(DAY0)
    rest = await start_rest_hub(tmp_path / "data", services=SERVICES, clock=clock)
    try:
        low, out, quiet = await two_weeks(Platform(rest.hub, clock))
        route = "/api/staff/agents/inventory-health-check/health"
        answer = await rest.http.get(
            route,
            params=[
                *(("skus", sku) for sku in (quiet, low, out)),
                ("health", "INVENTORY_HEALTH_LOW_STOCK"),
                ("health", "INVENTORY_HEALTH_OUT_OF_STOCK"),
            ],
            headers=rest.bearer("staff", "staff-sam"),
        )
        body = ok(answer)
        assert [(i["sku"], i["health"]) for i in body["items"]] == [
            (out, "INVENTORY_HEALTH_OUT_OF_STOCK"),
            (low, "INVENTORY_HEALTH_LOW_STOCK"),
        ]
        assert body["items"][1]["drivers"][0]["name"] == "available"
        assert body["items"][1]["stock"]["quantity_available"] == 8
        bad = await rest.http.get(route, params={"page_size": 500}, headers=rest.bearer("staff", "staff-sam"))
        assert bad.status_code == 400
        assert (await rest.http.get(route, headers=rest.bearer("customer", "rae"))).status_code == 403
        assert (await rest.http.get(route)).status_code == 401
    finally:
        await stop_rest_hub(rest)


def _content(doc: dict) -> dict:  # type: ignore[type-arg]
    return {name: value for name, value in doc.items() if not name.startswith("_")}
