"""Agent inventory-alerts-triggers over real gRPC and REST on a platform whose clock the test moves:
an injected demand spike (many orders in one day) raises ONE alert and one InventoryAlertRaised
event, however often it is evaluated; staff acknowledge it; the next day it resolves and a resolved
alert cannot be acknowledged; the low-stock alerts and the health check's low list agree; every
error status; customers are refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest

from holidaypeak.agents.v1 import inventory_alerts_triggers_service_pb2 as pb
from holidaypeak.agents.v1 import inventory_alerts_triggers_service_pb2_grpc as pb_grpc
from holidaypeak.agents.v1 import inventory_health_check_service_pb2 as health_pb
from holidaypeak.agents.v1 import inventory_health_check_service_pb2_grpc as health_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import inventory_item_pb2
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from tests.integration.test_inventory_health_agent import sell
from tests.support.clocks import ManualClock
from tests.support.platform_harness import Hub, start_hub, stop_hub
from tests.support.rest_harness import start_rest_hub, stop_rest_hub
from tests.support.rest_json import ok
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import a_shopper, staff, stock_up
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVICES = ("catalog", "users", "inventory", "inventory-health-check", "inventory-alerts-triggers")
DAY0 = datetime(2026, 10, 5, 9, tzinfo=UTC)  # a Monday, weeks before the first retail period
DAYS = 14
SPIKE_ORDERS = 15


@dataclass
class Platform:
    hub: Hub
    clock: ManualClock[datetime]
    raised: list[EventEnvelope] = field(default_factory=list)

    @property
    def agent(self) -> pb_grpc.InventoryAlertsTriggersServiceStub:
        return pb_grpc.InventoryAlertsTriggersServiceStub(self.hub.channel)

    async def caught_up(self) -> None:
        bus = self.hub.platform.deps.bus
        assert bus is not None

        async def applied() -> bool:
            return sum(lag.events for lag in await bus.lag("inventory-signals")) == 0

        await eventually(applied, within=20)


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    clock = ManualClock(DAY0)
    hub = await start_hub(tmp_path / "data", services=SERVICES, seed=True, clock=clock)
    subject = Platform(hub, clock)
    bus = hub.platform.deps.bus
    assert bus is not None

    async def record(envelope: EventEnvelope) -> None:
        if envelope.HasField("inventory_alert_raised"):
            subject.raised.append(envelope)

    bus.subscribe("inventory-events", "inventory-alerts-test-recorder", record)
    try:
        yield subject
    finally:
        await stop_hub(hub)


async def steady_then_spike(hub: Hub, clock: ManualClock[datetime]) -> tuple[str, str]:
    """SPIKY sells 2 a day for two weeks, then SPIKE_ORDERS single units this morning; STEADY sells
    2 a day throughout. Both have plenty of stock."""
    page = await catalog_grpc.CatalogServiceStub(hub.channel).ListProducts(catalog_pb.ListProductsRequest(limit=2))
    spiky, steady = (str(p.id) for p in page.products[:2])
    await stock_up(hub, [spiky, steady], 2000)
    for day in range(DAYS):
        clock.now = DAY0 + timedelta(days=day, hours=2)
        await sell(hub, spiky, 2)
        await sell(hub, steady, 2)
    clock.now = DAY0 + timedelta(days=DAYS, hours=1)
    await sell(hub, steady, 2)
    for _ in range(SPIKE_ORDERS):
        await sell(hub, spiky, 1)
    return spiky, steady


async def test_an_injected_demand_spike_raises_one_alert_that_staff_acknowledge(platform: Platform) -> None:
    hub, agent = platform.hub, platform.agent
    spiky, steady = await steady_then_spike(hub, platform.clock)
    await platform.caught_up()
    preview = await agent.EvaluateAlerts(
        pb.EvaluateAlertsRequest(skus=[spiky, steady], dry_run=True), metadata=staff(hub)
    )
    assert [(a.sku, a.kind) for a in preview.alerts] == [(spiky, pb.ALERT_KIND_DEMAND_SPIKE)]
    assert preview.raised == 1 and not (await agent.ListAlerts(pb.ListAlertsRequest(), metadata=staff(hub))).alerts

    for _ in range(3):  # evaluated again and again (as the periodic evaluation does): one alert
        await agent.EvaluateAlerts(pb.EvaluateAlertsRequest(), metadata=staff(hub))
    answer = await agent.EvaluateAlerts(pb.EvaluateAlertsRequest(skus=[spiky, steady]), metadata=staff(hub))
    assert answer.raised == 0 and answer.suppressed == 1 and answer.skus_evaluated == 2
    (alert,) = answer.alerts
    assert alert.sku == spiky and alert.kind == pb.ALERT_KIND_DEMAND_SPIKE and alert.state == pb.ALERT_STATE_OPEN
    assert alert.occurrences == 4 and alert.alert_id == f"{spiky}.demand_spike.1"
    z = next(d for d in alert.drivers if d.name == "demand_z")
    assert z.value >= z.threshold == 3.0 and f"demand {SPIKE_ORDERS} units today" in alert.message
    listed = await agent.ListAlerts(pb.ListAlertsRequest(kinds=[pb.ALERT_KIND_DEMAND_SPIKE]), metadata=staff(hub))
    assert [a.alert_id for a in listed.alerts] == [alert.alert_id]

    async def one_event() -> bool:
        return len([e for e in platform.raised if e.inventory_alert_raised.sku == spiky]) >= 1

    await eventually(one_event, within=10)
    await asyncio.sleep(0.3)  # a second event, wrongly raised, would have been relayed by now
    (event,) = [e for e in platform.raised if e.inventory_alert_raised.sku == spiky]
    assert event.inventory_alert_raised.alert_id == alert.alert_id and event.partition_key == spiky

    done = await agent.AcknowledgeAlert(
        pb.AcknowledgeAlertRequest(alert_id=alert.alert_id, note="flash sale on social media"), metadata=staff(hub)
    )
    assert done.alert.state == pb.ALERT_STATE_ACKNOWLEDGED and done.alert.acknowledged_by == "staff-sam"
    again = await agent.AcknowledgeAlert(pb.AcknowledgeAlertRequest(alert_id=alert.alert_id), metadata=staff(hub))
    assert again.alert.acknowledgement_note == "flash sale on social media"

    # The next day the spike is over: the alert resolves, with its cool-down, and stays resolved.
    platform.clock.now = DAY0 + timedelta(days=DAYS + 1, hours=1)
    await agent.EvaluateAlerts(pb.EvaluateAlertsRequest(skus=[spiky]), metadata=staff(hub))
    (resolved,) = (await agent.ListAlerts(pb.ListAlertsRequest(sku=spiky), metadata=staff(hub))).alerts
    assert resolved.state == pb.ALERT_STATE_RESOLVED and resolved.cooldown_until.ToDatetime(tzinfo=UTC) > (
        platform.clock.now
    )
    await expect_error(
        agent.AcknowledgeAlert(pb.AcknowledgeAlertRequest(alert_id=alert.alert_id), metadata=staff(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )


async def test_low_stock_alerts_and_the_health_checks_low_list_agree(platform: Platform) -> None:
    hub = platform.hub
    page = await catalog_grpc.CatalogServiceStub(hub.channel).ListProducts(catalog_pb.ListProductsRequest(limit=6))
    skus = [str(p.id) for p in page.products[:6]]
    await stock_up(hub, skus, 500)
    for day in range(DAYS):
        platform.clock.now = DAY0 + timedelta(days=day, hours=2)
        for n, sku in enumerate(skus):
            await sell(hub, sku, 1 + n % 3)
    platform.clock.now = DAY0 + timedelta(days=DAYS, hours=1)
    for n, sku in enumerate(skus):
        await stock_up(hub, [sku], [0, 3, 8, 15, 40, 400][n])
    await platform.caught_up()
    health = await health_grpc.InventoryHealthCheckServiceStub(hub.channel).CheckHealth(
        health_pb.CheckHealthRequest(skus=skus), metadata=staff(hub)
    )
    low_list = {i.sku for i in health.items if i.health == inventory_item_pb2.INVENTORY_HEALTH_LOW_STOCK}
    out_list = {i.sku for i in health.items if i.health == inventory_item_pb2.INVENTORY_HEALTH_OUT_OF_STOCK}
    answer = await platform.agent.EvaluateAlerts(pb.EvaluateAlertsRequest(skus=skus), metadata=staff(hub))
    assert {a.sku for a in answer.alerts if a.kind == pb.ALERT_KIND_LOW_STOCK} == low_list
    assert {a.sku for a in answer.alerts if a.kind == pb.ALERT_KIND_STOCK_OUT} == out_list
    assert low_list and out_list and len(low_list | out_list) < len(skus)


async def test_the_alert_rpcs_refuse_what_they_cannot_answer(platform: Platform) -> None:
    hub, agent = platform.hub, platform.agent
    shopper = await a_shopper(hub, "nosy")
    for call in (
        agent.EvaluateAlerts(pb.EvaluateAlertsRequest(), metadata=shopper.me),
        agent.ListAlerts(pb.ListAlertsRequest(), metadata=shopper.me),
        agent.AcknowledgeAlert(pb.AcknowledgeAlertRequest(alert_id="A-001.low_stock.1"), metadata=shopper.me),
    ):
        await expect_error(call, grpc.StatusCode.PERMISSION_DENIED)
    await expect_error(agent.ListAlerts(pb.ListAlertsRequest()), grpc.StatusCode.UNAUTHENTICATED)
    error = await expect_error(
        agent.EvaluateAlerts(pb.EvaluateAlertsRequest(skus=["a/b"]), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"skus[0]"}
    error = await expect_error(
        agent.ListAlerts(
            pb.ListAlertsRequest(state=9, kinds=[7], sku="a/b", page_size=101, page_token="nope"),  # type: ignore[arg-type, list-item]
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"state", "kinds[0]", "sku", "page_size", "page_token"}
    for bad in ("", "no-kind.1", "A-001.sold_out.1"):
        error = await expect_error(
            agent.AcknowledgeAlert(pb.AcknowledgeAlertRequest(alert_id=bad), metadata=staff(hub)),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        assert set(violated_fields(error)) == {"alert_id"}
    error = await expect_error(
        agent.AcknowledgeAlert(
            pb.AcknowledgeAlertRequest(alert_id="A-001.low_stock.1", note="x" * 501), metadata=staff(hub)
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"note"}
    await expect_error(
        agent.AcknowledgeAlert(pb.AcknowledgeAlertRequest(alert_id="A-001.low_stock.1"), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )
    await expect_error(
        agent.EvaluateAlerts(pb.EvaluateAlertsRequest(skus=["NOPE-9999"]), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )


async def test_the_staff_rest_routes(tmp_path: Path) -> None:
    clock = ManualClock(DAY0)
    rest = await start_rest_hub(tmp_path / "data", services=SERVICES, clock=clock)
    try:
        spiky, _ = await steady_then_spike(rest.hub, clock)
        await Platform(rest.hub, clock).caught_up()
        base = "/api/staff/agents/inventory-alerts-triggers"
        sam = rest.bearer("staff", "staff-sam")
        evaluated = ok(await rest.http.post(f"{base}/evaluate", json={"skus": [spiky]}, headers=sam))
        assert evaluated["raised"] == 1 and evaluated["alerts"][0]["kind"] == "ALERT_KIND_DEMAND_SPIKE"
        listed = ok(await rest.http.get(f"{base}/alerts", params={"state": "ALERT_STATE_OPEN"}, headers=sam))
        (alert,) = listed["alerts"]
        acknowledged = ok(
            await rest.http.post(f"{base}/alerts/{alert['alert_id']}/acknowledge", json={"note": "seen"}, headers=sam)
        )
        assert acknowledged["alert"]["state"] == "ALERT_STATE_ACKNOWLEDGED"
        rae = rest.bearer("customer", "rae")
        assert (await rest.http.get(f"{base}/alerts", headers=rae)).status_code == 403
        assert (await rest.http.post(f"{base}/evaluate", json={}, headers=rae)).status_code == 403
        missing = await rest.http.post(f"{base}/alerts/{spiky}.low_stock.9/acknowledge", json={}, headers=sam)
        assert missing.status_code == 404
    finally:
        await stop_rest_hub(rest)
