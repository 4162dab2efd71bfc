"""Order status when the ETA agent is stopped or slow, and after its projection is rebuilt.

The real ETA agent runs in the hub; order-status reaches it through a gate of the test's own (a real
gRPC server on its own port, `HPH_SERVICE_ADDRESSES=logistics-eta-computation=<gate>`) that passes
calls on to the agent, or holds them past the deadline, or is stopped (connection refused), which is
what a slow or stopped ETA pod looks like to order-status. Through gRPC and REST the status still
answers with its timeline, says the ETA was skipped and why, and shows the last ETA the agent gave
with its age (remembered in the agent's memory, across a restart too); the breaker opens and closes
again. A replay of the consumer group into an emptied container rebuilds the same timeline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2 as eta_pb
from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2_grpc as eta_grpc
from holidaypeak.agents.v1 import order_status_service_pb2 as pb
from holidaypeak.agents.v1 import order_status_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import order_pb2
from hph.agents.order_status.projection import CONTAINER, GROUP
from hph.gateway.server import start_gateway
from hph.runtime.breaker import BreakerState
from hph.runtime.rpc.local import LocalChannel
from hph.runtime.storage import Query
from tests.integration.test_order_status_eta_grpc import a_paid_order, status_of
from tests.support.events import consumers_of, settle
from tests.support.platform_harness import Hub, running_hub
from tests.support.ports import free_port
from tests.support.rich_status import expect_error
from tests.support.waiting import eventually, read_until

pytestmark = pytest.mark.integration

ETA_AGENT = "logistics-eta-computation"
SERVICES = ("catalog", "users", "inventory", "cart", "checkout", "orders", "payments", "order-status", ETA_AGENT)
DEADLINE = 0.5
OPEN_SECONDS = 1.0
HOLD_SECONDS = 10.0
# What a stopped agent looks like: refused, or on a loaded machine no connection within the deadline
# (and, after those, its breaker open).
DOWN = {f"{ETA_AGENT}: {why}" for why in ("unavailable", "deadline_exceeded", "breaker_open")}


@dataclass
class EtaGate(eta_grpc.LogisticsEtaComputationServiceServicer):
    """Passes ComputeEta on to the hub's ETA agent, or holds it past the deadline when `slow`."""

    upstream: eta_grpc.LogisticsEtaComputationServiceStub | None = None
    slow: bool = False
    calls: int = 0

    async def ComputeEta(self, request: eta_pb.ComputeEtaRequest, context: Any) -> eta_pb.ComputeEtaResponse:
        self.calls += 1
        if self.slow:
            await asyncio.sleep(HOLD_SECONDS)
        assert self.upstream is not None
        metadata = tuple((k, v) for k, v in context.invocation_metadata() if k == "authorization")
        answer: eta_pb.ComputeEtaResponse = await self.upstream.ComputeEta(request, metadata=metadata)
        return answer


@dataclass
class Gate:
    servicer: EtaGate
    port: int
    server: grpc.aio.Server | None = None

    async def start(self) -> None:
        self.server = grpc.aio.server()
        eta_grpc.add_LogisticsEtaComputationServiceServicer_to_server(self.servicer, self.server)
        assert self.server.add_insecure_port(f"127.0.0.1:{self.port}") == self.port
        await self.server.start()

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop(0)
            self.server = None


@pytest.fixture
async def gate() -> AsyncIterator[Gate]:
    running = Gate(EtaGate(), free_port())
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def hub_settings(gate: Gate, **more: Any) -> dict[str, Any]:
    return {
        "service_addresses": f"{ETA_AGENT}=127.0.0.1:{gate.port}",
        "agent_call_deadline_seconds": DEADLINE,
        "agent_breaker_failures": 2,
        "agent_breaker_window_calls": 2,
        "agent_breaker_open_seconds": OPEN_SECONDS,
        **more,
    }


def connect(hub: Hub, gate: Gate) -> None:
    gate.servicer.upstream = eta_grpc.LogisticsEtaComputationServiceStub(hub.channel)


async def get_status(hub: Hub, order_id: str, metadata: Any) -> pb.GetOrderStatusResponse:
    answer: pb.GetOrderStatusResponse = await pb_grpc.OrderStatusServiceStub(hub.channel).GetOrderStatus(
        pb.GetOrderStatusRequest(order_id=order_id), metadata=metadata
    )
    return answer


def timeline_of(answer: pb.GetOrderStatusResponse) -> list[tuple[str, int, str]]:
    return [(e.event_type, e.actor, e.summary) for e in answer.timeline]


def breaker_state(hub: Hub) -> BreakerState:
    return hub.platform.deps.breakers.get(ETA_AGENT).state


async def test_a_stopped_or_slow_eta_agent_leaves_the_status_answered_with_the_last_known_eta(
    tmp_path: Path, gate: Gate
) -> None:
    async with running_hub(
        tmp_path / "data", services=SERVICES, seed=True, settings_overrides=hub_settings(gate)
    ) as hub:
        connect(hub, gate)
        order, me = await a_paid_order(hub, "fern")
        live = await status_of(
            hub, order.id, me, lambda s: s.status == order_pb2.ORDER_STATUS_PAID and s.HasField("eta")
        )
        assert live.eta_skipped == "" and not live.HasField("last_known_eta")
        gate.servicer.calls = 0

        # Slow: the answer costs about the deadline, keeps its timeline and says what was skipped.
        gate.servicer.slow = True
        started = time.perf_counter()
        slow = await get_status(hub, order.id, me)
        waited = time.perf_counter() - started
        assert DEADLINE * 0.9 <= waited < HOLD_SECONDS / 2
        assert timeline_of(slow) == timeline_of(live) and slow.next_step == live.next_step
        assert not slow.HasField("eta")
        assert slow.eta_skipped == f"{ETA_AGENT}: deadline_exceeded"
        assert slow.explanation.freshness.degraded
        assert slow.last_known_eta.estimate == live.eta
        assert 0 <= slow.last_known_eta.age_seconds < 60 and slow.last_known_eta.shipment_id == ""
        assert slow.last_known_eta.computed_at.ToDatetime() <= slow.explanation.freshness.computed_at.ToDatetime()
        names = [d.name for d in slow.explanation.drivers]
        assert "eta_skipped" in names and "last_known_eta_age" in names
        assert f"memory:{ETA_AGENT}-last" in slow.explanation.freshness.sources

        # Stopped: refused at once; the second failure in the window opens the breaker.
        gate.servicer.slow = False
        await gate.stop()
        stopped = await get_status(hub, order.id, me)
        assert stopped.eta_skipped in DOWN  # refused at once, or (a loaded machine) not within the deadline
        assert stopped.last_known_eta.estimate == live.eta and timeline_of(stopped) == timeline_of(live)
        assert breaker_state(hub) == BreakerState.OPEN

        # Open: the agent is not even called, and the answer does not wait for it.
        await gate.start()
        calls = gate.servicer.calls
        shed = await get_status(hub, order.id, me)
        assert shed.eta_skipped == f"{ETA_AGENT}: breaker_open" and shed.last_known_eta.estimate == live.eta
        assert gate.servicer.calls == calls

        # Back: after the open time one probe goes out; its success closes the breaker (on a loaded
        # machine a probe may miss the deadline and open it again: the next open time gives another).
        await asyncio.sleep(OPEN_SECONDS)
        back = await read_until(
            lambda: get_status(hub, order.id, me), lambda s: s.HasField("eta"), within=OPEN_SECONDS * 10
        )
        assert back.HasField("eta") and back.eta_skipped == "" and not back.HasField("last_known_eta")
        assert breaker_state(hub) == BreakerState.CLOSED and gate.servicer.calls > calls

        # REST says the same, as the gateway serves it.
        await gate.stop()
        gateway = await start_gateway(
            replace(hub.settings, http_port=0), grpc_target=hub.address, local=LocalChannel(hub.platform.grpc.local)
        )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}", timeout=10) as http:
                response = await http.get(f"/api/orders/{order.id}/status", headers=dict(me))
        finally:
            await gateway.stop()
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["eta_skipped"] in DOWN
        assert "eta" not in body and body["last_known_eta"]["estimate"]["window"]
        assert [e["event_type"] for e in body["timeline"]] == [e.event_type for e in live.timeline]


async def test_the_last_known_eta_survives_a_restart(tmp_path: Path, gate: Gate) -> None:
    data = tmp_path / "data"
    async with running_hub(data, services=SERVICES, seed=True, settings_overrides=hub_settings(gate)) as hub:
        connect(hub, gate)
        order, me = await a_paid_order(hub, "gil")
        live = await status_of(hub, order.id, me, lambda s: s.HasField("eta"))
        memory = hub.platform.deps.memory
        assert memory is not None
        # Write-behind: the ETA is only in the hot tier until it leaves it (here: at shutdown).
        assert memory.stats().of("order-status.etas").writes >= 1
    await gate.stop()
    async with running_hub(data, services=SERVICES, seed=False, settings_overrides=hub_settings(gate)) as hub:
        after = await get_status(hub, order.id, me)
        assert after.eta_skipped in DOWN
        assert after.last_known_eta.estimate == live.eta
        memory = hub.platform.deps.memory
        assert memory is not None
        tiers = memory.stats().of("order-status.etas")
        assert (tiers.tiers["hot"].misses, tiers.tiers["warm"].hits) == (1, 1), "read back from warm storage"


async def test_a_replay_into_an_emptied_container_rebuilds_the_same_timeline(tmp_path: Path, gate: Gate) -> None:
    async with running_hub(
        tmp_path / "data", services=SERVICES, seed=True, settings_overrides=hub_settings(gate)
    ) as hub:
        connect(hub, gate)
        order, me = await a_paid_order(hub, "hal")
        await status_of(hub, order.id, me, lambda s: s.status == order_pb2.ORDER_STATUS_PAID)
        await settle(hub)
        before = await get_status(hub, order.id, me)
        assert len(before.timeline) >= 3

        # The whole group again over the existing documents: nothing doubled.
        await consumers_of(hub).reset(GROUP)
        await settle(hub)
        assert timeline_of(await get_status(hub, order.id, me)) == timeline_of(before)

        # Emptied, the order is unknown; replayed, the same timeline, state and next step.
        timelines = await CONTAINER.open(hub.platform.deps.store)
        for doc in (await timelines.query(Query(), max_items=10_000)).items:
            await timelines.delete(doc["id"], doc["id"])
        await expect_error(get_status(hub, order.id, me), grpc.StatusCode.NOT_FOUND)
        await consumers_of(hub).reset(GROUP)
        await settle(hub)
        await eventually(lambda: _has(hub, order.id, me), within=10)
        after = await get_status(hub, order.id, me)
        assert timeline_of(after) == timeline_of(before)
        assert [e.occurred_at for e in after.timeline] == [e.occurred_at for e in before.timeline]
        assert (after.status, after.payment_status, after.headline, after.next_step) == (
            before.status,
            before.payment_status,
            before.headline,
            before.next_step,
        )


async def _has(hub: Hub, order_id: str, me: Any) -> bool:
    try:
        await get_status(hub, order_id, me)
        return True
    except grpc.aio.AioRpcError:
        return False
