"""AgentClient over real gRPC: an agent that answers, one that is down, one that sleeps past the
deadline, one that is not hosted, one that fails, one that refuses; the breaker sheds a failing agent
and lets a probe through later; the caller's own cancellation still propagates.

The "agent" is a real gRPC server hosting the standard health service (any generated service does:
AgentClient only needs a stub class and an RPC name), whose Check behaves as its `service` field says.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from hph.commerce.agent_calls import AgentClient, Skip
from hph.runtime.auth.dev_issuer import DevIssuer
from hph.runtime.auth.service_identity import ServiceCredentials
from hph.runtime.breaker import BreakerState, CircuitBreakers
from hph.runtime.channels import ChannelPool
from hph.runtime.deps import Dependencies
from hph.runtime.settings import Settings
from hph.runtime.storage import SqliteDocumentStore
from tests.support.clocks import ManualClock
from tests.support.ports import refused_address
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

AGENT = "agent-x"
DEADLINE = 0.2
SLEEP = 5.0
SERVING = health_pb2.HealthCheckResponse.SERVING


@dataclass
class FakeAgent(health_pb2_grpc.HealthServicer):
    """Check answers SERVING, sleeps, refuses or breaks, as the request's `service` says."""

    calls: int = 0
    metadata: list[dict[str, str]] = field(default_factory=list)

    async def Check(self, request: health_pb2.HealthCheckRequest, context: Any) -> health_pb2.HealthCheckResponse:
        self.calls += 1
        self.metadata.append({key: value for key, value in context.invocation_metadata()})
        if request.service == "sleep":
            await asyncio.sleep(SLEEP)
        elif request.service == "refuse":
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "service: not a name I know")
        elif request.service == "break":
            raise RuntimeError("the agent has a bug")
        return health_pb2.HealthCheckResponse(status=SERVING)


@dataclass
class Running:
    agent: FakeAgent
    address: str


async def serve(agent: FakeAgent | None) -> tuple[grpc.aio.Server, str]:
    server = grpc.aio.server()
    if agent is not None:
        health_pb2_grpc.add_HealthServicer_to_server(agent, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, f"127.0.0.1:{port}"


@pytest.fixture
async def agent() -> AsyncIterator[Running]:
    fake = FakeAgent()
    server, address = await serve(fake)
    try:
        yield Running(fake, address)
    finally:
        await server.stop(0)


@pytest.fixture
def breaker_clock() -> ManualClock[float]:
    return ManualClock(1000.0)


def client_for(
    store: SqliteDocumentStore,
    address: str,
    clock: ManualClock[float],
    *,
    credentials: ServiceCredentials | None = None,
    deadline: float = DEADLINE,
    **settings: Any,
) -> AgentClient[health_pb2_grpc.HealthStub]:
    deps = Dependencies(
        settings=Settings(**settings),
        store=store,
        channels=ChannelPool({AGENT: address}),
        service_credentials=credentials or ServiceCredentials(None),
        breakers=CircuitBreakers(clock=clock),
    )
    return AgentClient(deps, AGENT, health_pb2_grpc.HealthStub, deadline_seconds=deadline)


async def check(client: AgentClient[health_pb2_grpc.HealthStub], behaviour: str = "") -> Any:
    return await client.call(
        "Check",
        health_pb2.HealthCheckRequest(service=behaviour),
        response=health_pb2.HealthCheckResponse,
        fallback=lambda: "fallback",
    )


async def test_an_agent_that_answers_gives_its_answer(
    store: SqliteDocumentStore, agent: Running, breaker_clock: ManualClock[float]
) -> None:
    client = client_for(store, agent.address, breaker_clock)
    result = await check(client)
    assert result.answered and result.skipped is None and result.note() == ""
    assert result.value.status == SERVING
    assert client.counts == {"answered": 1}
    assert client.breaker.failures_in_window == 0


async def test_an_agent_that_is_down_falls_back_at_once(
    store: SqliteDocumentStore, breaker_clock: ManualClock[float]
) -> None:
    with refused_address() as down:
        # A deadline far beyond a refused connection's cost, so a busy machine still shows UNAVAILABLE.
        client = client_for(store, down, breaker_clock, deadline=5.0)
        result = await check(client)
    assert (result.value, result.skipped, result.code) == ("fallback", Skip.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE)
    assert result.elapsed_seconds < 1.0  # at once: the refusal, not the deadline
    assert result.note().startswith(f"{AGENT} skipped: unavailable (UNAVAILABLE after ")
    assert client.breaker.failures_in_window == 1


async def test_an_agent_slower_than_the_deadline_costs_the_deadline_only(
    store: SqliteDocumentStore, agent: Running, breaker_clock: ManualClock[float]
) -> None:
    client = client_for(store, agent.address, breaker_clock)
    started = time.perf_counter()
    result = await check(client, "sleep")
    waited = time.perf_counter() - started
    assert (result.value, result.skipped) == ("fallback", Skip.DEADLINE_EXCEEDED)
    assert DEADLINE * 0.9 <= waited < SLEEP / 2, "the caller waits about the deadline, never the agent's sleep"
    assert client.counts == {"deadline_exceeded": 1}


async def test_an_agent_not_hosted_answers_unimplemented_and_falls_back(
    store: SqliteDocumentStore, breaker_clock: ManualClock[float]
) -> None:
    server, address = await serve(None)
    try:
        result = await check(client_for(store, address, breaker_clock))
    finally:
        await server.stop(0)
    assert (result.value, result.skipped, result.code) == (
        "fallback",
        Skip.UNIMPLEMENTED,
        grpc.StatusCode.UNIMPLEMENTED,
    )


async def test_an_agent_failing_itself_falls_back_and_counts_against_it(
    store: SqliteDocumentStore, agent: Running, breaker_clock: ManualClock[float]
) -> None:
    client = client_for(store, agent.address, breaker_clock)
    result = await check(client, "break")
    assert (result.value, result.skipped, result.code) == ("fallback", Skip.FAILED, grpc.StatusCode.UNKNOWN)
    assert client.breaker.failures_in_window == 1


async def test_a_refusal_of_our_request_falls_back_but_is_no_breaker_failure(
    store: SqliteDocumentStore, agent: Running, breaker_clock: ManualClock[float]
) -> None:
    client = client_for(store, agent.address, breaker_clock, agent_breaker_failures=1, agent_breaker_window_calls=1)
    for _ in range(3):
        result = await check(client, "refuse")
        assert (result.value, result.skipped, result.code) == (
            "fallback",
            Skip.REJECTED,
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        assert result.detail == "service: not a name I know"
    assert client.breaker.state == BreakerState.CLOSED
    assert agent.agent.calls == 3


async def test_the_breaker_sheds_a_failing_agent_then_probes_it_again(
    store: SqliteDocumentStore, agent: Running, breaker_clock: ManualClock[float]
) -> None:
    client = client_for(
        store,
        agent.address,
        breaker_clock,
        agent_breaker_failures=2,
        agent_breaker_window_calls=4,
        agent_breaker_open_seconds=30.0,
    )
    for _ in range(2):
        assert (await check(client, "break")).skipped == Skip.FAILED
    assert client.breaker.state == BreakerState.OPEN

    shed = await check(client)
    assert (shed.value, shed.skipped) == ("fallback", Skip.BREAKER_OPEN)
    assert shed.detail == "breaker open, next try in 30.0 s"
    assert agent.agent.calls == 2, "an open breaker does not call the agent at all"

    breaker_clock.advance(30)
    probe = await check(client)  # the agent works again: the probe closes the breaker
    assert probe.answered
    assert client.breaker.state == BreakerState.CLOSED
    assert agent.agent.calls == 3
    assert client.counts == {"failed": 2, "breaker_open": 1, "answered": 1}


async def test_a_slow_agent_trips_the_breaker_and_then_costs_nothing(
    store: SqliteDocumentStore, agent: Running, breaker_clock: ManualClock[float]
) -> None:
    client = client_for(store, agent.address, breaker_clock, agent_breaker_failures=2, agent_breaker_window_calls=2)
    slow = await asyncio.gather(check(client, "sleep"), check(client, "sleep"))
    assert [result.skipped for result in slow] == [Skip.DEADLINE_EXCEEDED] * 2
    started = time.perf_counter()
    shed = await check(client, "sleep")
    assert shed.skipped == Skip.BREAKER_OPEN
    assert time.perf_counter() - started < DEADLINE / 2


async def test_calls_carry_the_platform_token_by_default(
    store: SqliteDocumentStore, agent: Running, breaker_clock: ManualClock[float], tmp_path: Path
) -> None:
    credentials = ServiceCredentials(DevIssuer(tmp_path / "issuer", audience="api://test"))
    # A generous deadline: minting the first token makes a signing key, slow on a busy machine.
    client = client_for(store, agent.address, breaker_clock, credentials=credentials, deadline=10)
    result = await check(client)
    assert result.answered, result.note()
    assert agent.agent.metadata[0]["authorization"].startswith("Bearer ")


async def test_the_callers_own_cancellation_propagates_and_proves_nothing(
    store: SqliteDocumentStore, agent: Running, breaker_clock: ManualClock[float]
) -> None:
    client = client_for(store, agent.address, breaker_clock)
    task = asyncio.create_task(check(client, "sleep"))
    await eventually(lambda: agent.agent.calls == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert client.breaker.failures_in_window == 0
    assert client.counts == {}


async def test_a_deadline_that_cannot_work_is_refused_when_the_client_is_built(
    store: SqliteDocumentStore, agent: Running, breaker_clock: ManualClock[float]
) -> None:
    deps = Dependencies(settings=Settings(), store=store, channels=ChannelPool({AGENT: agent.address}))
    with pytest.raises(ValueError, match="must be > 0 seconds"):
        AgentClient(deps, AGENT, health_pb2_grpc.HealthStub, deadline_seconds=0)
    default = AgentClient(deps, AGENT, health_pb2_grpc.HealthStub)
    assert default.deadline_seconds == Settings().agent_call_deadline_seconds
