"""The stock agents as a new user meets them: a generated history (`hph seed --history`), then the
platform started on it. Every agent's projection catches up from the log; the health check's low
and out-of-stock list, the SKUs the replenishment plan orders today and the low-stock / stock-out
alerts are the same SKUs; a burst of orders for one SKU today raises one demand-spike alert."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from holidaypeak.agents.v1 import inventory_alerts_triggers_service_pb2 as alerts_pb
from holidaypeak.agents.v1 import inventory_alerts_triggers_service_pb2_grpc as alerts_grpc
from holidaypeak.agents.v1 import inventory_health_check_service_pb2 as health_pb
from holidaypeak.agents.v1 import inventory_health_check_service_pb2_grpc as health_grpc
from holidaypeak.agents.v1 import inventory_jit_replenishment_service_pb2 as plan_pb
from holidaypeak.agents.v1 import inventory_jit_replenishment_service_pb2_grpc as plan_grpc
from holidaypeak.commerce.v1 import inventory_item_pb2
from hph.host.history.driver import generate_history
from hph.runtime.settings import Settings
from tests.integration.test_inventory_health_agent import sell
from tests.support.platform_harness import Hub, start_hub, stop_hub
from tests.support.shoppers import staff
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVICES = (
    "catalog",
    "users",
    "inventory",
    "inventory-health-check",
    "inventory-jit-replenishment",
    "inventory-alerts-triggers",
)
H = inventory_item_pb2


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, grpc_port=0, shutdown_grace_seconds=1.0)
    await generate_history(replace(settings, log_format="text"), days=10, seed=12, orders_per_day=8.0)
    running = await start_hub(data_dir, services=SERVICES, seed=False)
    try:
        yield running
    finally:
        await stop_hub(running)


async def caught_up(hub: Hub) -> None:
    bus = hub.platform.deps.bus
    assert bus is not None

    async def applied() -> bool:
        return sum(lag.events for lag in await bus.lag("inventory-signals")) == 0

    await eventually(applied, within=60)


@pytest.mark.timeout(300)
async def test_the_low_list_the_plan_and_the_alerts_agree_and_a_burst_raises_one_alert(hub: Hub) -> None:
    await caught_up(hub)
    health: list[health_pb.SkuHealth] = []
    token = ""
    while True:
        page = await health_grpc.InventoryHealthCheckServiceStub(hub.channel).CheckHealth(
            health_pb.CheckHealthRequest(page_size=100, page_token=token), metadata=staff(hub)
        )
        health.extend(page.items)
        token = page.next_page_token
        if not token:
            break
    lines: list[plan_pb.ReplenishmentLine] = []
    while True:
        plan = await plan_grpc.InventoryJitReplenishmentServiceStub(hub.channel).PlanReplenishment(
            plan_pb.PlanReplenishmentRequest(page_size=100, page_token=token), metadata=staff(hub)
        )
        lines.extend(plan.lines)
        token = plan.next_page_token
        if not token:
            break
    today = datetime.now(UTC).date()
    low = {i.sku for i in health if i.health == H.INVENTORY_HEALTH_LOW_STOCK}
    out = {i.sku for i in health if i.health == H.INVENTORY_HEALTH_OUT_OF_STOCK}
    due = {
        line.sku for line in lines if line.HasField("order_by") and line.order_by.ToDatetime(tzinfo=UTC).date() == today
    }
    assert due == low | out and len(health) == len(lines) > 300
    assert any(i.demand.orders > 0 for i in health), "the history's demand reached the projection"
    agent = alerts_grpc.InventoryAlertsTriggersServiceStub(hub.channel)
    preview = await agent.EvaluateAlerts(alerts_pb.EvaluateAlertsRequest(dry_run=True), metadata=staff(hub))
    assert {a.sku for a in preview.alerts if a.kind == alerts_pb.ALERT_KIND_LOW_STOCK} == low
    assert {a.sku for a in preview.alerts if a.kind == alerts_pb.ALERT_KIND_STOCK_OUT} == out

    # A burst of orders for one SKU that sold before.
    sold = sorted(
        (i for i in health if i.demand.orders > 0 and i.health == H.INVENTORY_HEALTH_HEALTHY), key=lambda i: i.sku
    )
    burst = sold[0].sku
    for _ in range(20):
        await sell(hub, burst, 1)
    await caught_up(hub)
    first = await agent.EvaluateAlerts(alerts_pb.EvaluateAlertsRequest(skus=[burst]), metadata=staff(hub))
    second = await agent.EvaluateAlerts(alerts_pb.EvaluateAlertsRequest(skus=[burst]), metadata=staff(hub))
    spikes = [a for a in second.alerts if a.kind == alerts_pb.ALERT_KIND_DEMAND_SPIKE]
    assert first.raised >= 1 and len(spikes) == 1 and spikes[0].occurrences == 2
    listed = await agent.ListAlerts(
        alerts_pb.ListAlertsRequest(sku=burst, kinds=[alerts_pb.ALERT_KIND_DEMAND_SPIKE]), metadata=staff(hub)
    )
    assert [a.alert_id for a in listed.alerts] == [f"{burst}.demand_spike.1"]
