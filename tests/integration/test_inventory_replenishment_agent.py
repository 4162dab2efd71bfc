"""Agent inventory-jit-replenishment over real gRPC and REST on a platform whose clock the test
moves: after two weeks of demand the SKUs to order today are exactly the health check's low and
out-of-stock SKUs, each line with its numbers (lead time from the supply data, reorder point,
quantity, order-by day); paging and filters; every error status; customers are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path

import grpc
import pytest

from holidaypeak.agents.v1 import inventory_health_check_service_pb2 as health_pb
from holidaypeak.agents.v1 import inventory_health_check_service_pb2_grpc as health_grpc
from holidaypeak.agents.v1 import inventory_jit_replenishment_service_pb2 as pb
from holidaypeak.agents.v1 import inventory_jit_replenishment_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import inventory_item_pb2
from hph.agents.inventory_signals.supply import default_supply
from tests.integration.test_inventory_health_agent import DAY0, DAYS, Platform, two_weeks
from tests.support.clocks import ManualClock
from tests.support.platform_harness import start_hub, stop_hub
from tests.support.rest_harness import start_rest_hub, stop_rest_hub
from tests.support.rest_json import ok
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import a_shopper, staff, stock_up

pytestmark = pytest.mark.integration

SERVICES = ("catalog", "users", "inventory", "inventory-health-check", "inventory-jit-replenishment")
H = inventory_item_pb2


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    clock = ManualClock(DAY0)
    hub = await start_hub(tmp_path / "data", services=SERVICES, seed=True, clock=clock)
    try:
        yield Platform(hub, clock)
    finally:
        await stop_hub(hub)


def agent(platform: Platform) -> pb_grpc.InventoryJitReplenishmentServiceStub:
    return pb_grpc.InventoryJitReplenishmentServiceStub(platform.hub.channel)


async def test_what_to_order_today_is_the_health_checks_low_list(platform: Platform) -> None:
    low, out, quiet = await two_weeks(platform)
    hub = platform.hub
    today = (DAY0 + timedelta(days=DAYS)).date()
    everything: list[pb.ReplenishmentLine] = []
    token = ""
    while True:
        page = await agent(platform).PlanReplenishment(
            pb.PlanReplenishmentRequest(page_size=100, page_token=token), metadata=staff(hub)
        )
        everything.extend(page.lines)
        token = page.next_page_token
        if not token:
            break
    due_today = {line.sku for line in everything if line.order_by.ToDatetime(tzinfo=UTC).date() == today}
    health: list[health_pb.SkuHealth] = []
    while True:
        checked = await health_grpc.InventoryHealthCheckServiceStub(hub.channel).CheckHealth(
            health_pb.CheckHealthRequest(page_size=100, page_token=token), metadata=staff(hub)
        )
        health.extend(checked.items)
        token = checked.next_page_token
        if not token:
            break
    short = {i.sku for i in health if i.health in (H.INVENTORY_HEALTH_LOW_STOCK, H.INVENTORY_HEALTH_OUT_OF_STOCK)}
    assert due_today == short and {low, out} <= due_today and quiet not in due_today

    answer = await agent(platform).PlanReplenishment(
        pb.PlanReplenishmentRequest(skus=[quiet, low, out], service_level=0.9), metadata=staff(hub)
    )
    assert [line.sku for line in answer.lines][:2] == sorted([low, out])  # both due today, by SKU
    line = next(line for line in answer.lines if line.sku == low)
    supplier = default_supply().supplier_of(low)
    assert line.supplier_id == supplier.supplier_id and line.lead_time_days == supplier.lead_time_days
    assert line.needs_order and line.order_quantity > 0 and line.reorder_point > line.stock.quantity_available == 8
    assert 2.0 < line.demand.units_per_day < 4.0 and line.product_name
    assert line.quantity_method in (pb.ORDER_QUANTITY_METHOD_EOQ, pb.ORDER_QUANTITY_METHOD_COVER_TARGET)
    assert {d.name for d in line.drivers} >= {
        "demand_over_lead_time",
        "safety_stock",
        "reorder_point",
        "lead_time_days",
    }
    assert answer.service_level == 0.9 and abs(answer.z - 1.2816) < 1e-3
    assert answer.explanation.method.startswith("jit-replenishment-v1+seasonal-index-v1")
    quiet_line = next(line for line in answer.lines if line.sku == quiet)
    assert not quiet_line.needs_order and not quiet_line.HasField("order_by") and quiet_line.order_quantity == 0
    only = await agent(platform).PlanReplenishment(
        pb.PlanReplenishmentRequest(skus=[quiet, low, out], needs_order_only=True), metadata=staff(hub)
    )
    assert {line.sku for line in only.lines} == {low, out}
    # The next catalog-wide plan says what moved since the last one (memory).
    await stock_up(hub, [quiet], 0)
    await platform.caught_up()
    again = await agent(platform).PlanReplenishment(pb.PlanReplenishmentRequest(page_size=100), metadata=staff(hub))
    moved = {line.sku: line for line in again.lines if any(d.name == "order_by_moved_days" for d in line.drivers)}
    assert set(moved) == {quiet}
    (driver,) = [d for d in moved[quiet].drivers if d.name == "order_by_moved_days"]
    assert driver.reason == f"the last plan said no order foreseen, this one {today.isoformat()}"


async def test_plan_replenishment_refuses_what_it_cannot_answer(platform: Platform) -> None:
    hub = platform.hub
    shopper = await a_shopper(hub, "nosy")
    stub = agent(platform)
    await expect_error(
        stub.PlanReplenishment(pb.PlanReplenishmentRequest(), metadata=shopper.me), grpc.StatusCode.PERMISSION_DENIED
    )
    await expect_error(stub.PlanReplenishment(pb.PlanReplenishmentRequest()), grpc.StatusCode.UNAUTHENTICATED)
    error = await expect_error(
        stub.PlanReplenishment(
            pb.PlanReplenishmentRequest(
                skus=["a/b"], service_level=1.5, horizon_days=181, page_size=101, page_token="nope"
            ),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"skus[0]", "service_level", "horizon_days", "page_size", "page_token"}
    error = await expect_error(
        stub.PlanReplenishment(pb.PlanReplenishmentRequest(service_level=float("nan")), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"service_level"}
    await expect_error(
        stub.PlanReplenishment(pb.PlanReplenishmentRequest(skus=["NOPE-9999"]), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )


async def test_the_staff_rest_route(tmp_path: Path) -> None:
    clock = ManualClock(DAY0)
    rest = await start_rest_hub(tmp_path / "data", services=SERVICES, clock=clock)
    try:
        low, out, quiet = await two_weeks(Platform(rest.hub, clock))
        route = "/api/staff/agents/inventory-jit-replenishment/plan"
        sam = rest.bearer("staff", "staff-sam")
        body = ok(
            await rest.http.get(
                route,
                params=[*(("skus", sku) for sku in (quiet, low, out)), ("needs_order_only", "true")],
                headers=sam,
            )
        )
        assert {line["sku"] for line in body["lines"]} == {low, out}
        assert all(line["needs_order"] and line["order_by"].endswith("T00:00:00Z") for line in body["lines"])
        assert (await rest.http.get(route, params={"service_level": "2"}, headers=sam)).status_code == 400
        assert (await rest.http.get(route, headers=rest.bearer("customer", "rae"))).status_code == 403
    finally:
        await stop_rest_hub(rest)
