"""Every agent contract is served the day it is written: `hph up` hosts the agents beside the services,
and an agent not built yet answers UNIMPLEMENTED over gRPC and 501 through REST, saying which issue
builds it; reflection and health list every agent."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import grpc
import httpx
import pytest
from google.protobuf import descriptor_pool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from holidaypeak.common.v1 import access_pb2
from hph.gateway.descriptors import HttpBinding, load_descriptor_set, service_bindings
from hph.gateway.server import GatewayHost, start_gateway
from hph.host.app import AGENTS, ServiceSpec
from hph.host.cli import _service_names, build_parser
from hph.host.cohosted import start_cohosted_gateway
from tests.support.platform_harness import Hub, running_hub
from tests.support.rich_status import expect_error

pytestmark = pytest.mark.integration

# The agents whose contract exists but which nobody has built yet: they are what this suite checks.
PLANNED = tuple(spec for spec in AGENTS if not spec.implementation)


def planned_message(spec: ServiceSpec, method: str) -> str:
    return f"{spec.proto_service}.{method} is not implemented yet ({spec.planned})"


def agent_routes() -> list[tuple[ServiceSpec, HttpBinding]]:
    descriptors = load_descriptor_set()
    return [(spec, binding) for spec in PLANNED for binding in service_bindings(descriptors, [spec.full_name])]


def concrete(template: str) -> str:
    """A request path for a template: every variable bound to a plausible id."""
    return re.sub(r"\{[^}]+\}", "id-1", template)


@pytest.fixture
async def up_hub(tmp_path: Path) -> AsyncIterator[Hub]:
    """What `hph up` hosts (every service and every agent), nothing seeded."""
    hosted = _service_names(build_parser().parse_args(["up"]))
    async with running_hub(tmp_path / "data", services=hosted, seed=False) as hub:
        yield hub


def planned_rpcs() -> int:
    pool = descriptor_pool.Default()
    return sum(len(pool.FindServiceByName(spec.full_name).methods) for spec in PLANNED)


def test_up_hosts_every_agent_beside_the_services() -> None:
    hosted = _service_names(build_parser().parse_args(["up"]))
    assert {spec.name for spec in AGENTS} <= set(hosted)
    # Every agent is either built or planned by a named issue (the suite holds however many remain).
    assert all(spec.implementation or "issue #" in spec.planned for spec in AGENTS)


async def test_every_planned_agent_rpc_answers_unimplemented_over_grpc_naming_its_issue(up_hub: Hub) -> None:
    staff = up_hub.auth("staff", "staff-sam")
    pool = descriptor_pool.Default()
    calls = 0
    for spec in PLANNED:
        for method in pool.FindServiceByName(spec.full_name).methods:
            call = up_hub.channel.unary_unary(f"/{spec.full_name}/{method.name}")
            error = await expect_error(call(b"", metadata=staff, timeout=5), grpc.StatusCode.UNIMPLEMENTED)
            assert error.details() == planned_message(spec, method.name)
            calls += 1
    assert calls == planned_rpcs()  # every RPC of every planned agent was tried (none once all are built)


async def test_reflection_and_health_list_every_agent(up_hub: Hub) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(up_hub.channel)
    names: set[str] = set()
    async for response in stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])):
        names |= {service.name for service in response.list_services_response.service}
    assert {spec.full_name for spec in AGENTS} <= names
    health = health_pb2_grpc.HealthStub(up_hub.channel)
    for spec in AGENTS:
        reply = await health.Check(health_pb2.HealthCheckRequest(service=spec.full_name))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING, spec.name


async def start_edge(hub: Hub, topology: str) -> GatewayHost:
    settings = replace(hub.settings, http_port=0)
    if topology == "cohosted":
        return await start_cohosted_gateway(settings, hub.platform, first=True)  # as `hph up` runs it
    return await start_gateway(settings, grpc_target=hub.address)  # a gateway process of its own


@pytest.mark.parametrize("topology", ["cohosted", "gateway process"])
async def test_every_planned_agent_route_answers_501_through_rest_naming_its_issue(up_hub: Hub, topology: str) -> None:
    gateway = await start_edge(up_hub, topology)
    staff = {"authorization": up_hub.auth("staff", "staff-sam")[0][1]}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}", timeout=10) as http:
            routes = agent_routes()
            assert len(routes) >= planned_rpcs()  # at least one route per planned RPC
            for spec, binding in routes:
                body = {} if binding.body else None
                reply = await http.request(binding.http_method, concrete(binding.template), json=body, headers=staff)
                where = f"{binding.http_method} {binding.template}"
                assert reply.status_code == 501, f"{where}: {reply.status_code} {reply.text}"
                assert reply.json()["code"] == grpc.StatusCode.UNIMPLEMENTED.value[0], where
                assert reply.json()["message"] == planned_message(spec, binding.method.name), where
    finally:
        await gateway.stop()


def first_route(role: int) -> str | None:
    """A planned agent's GET route whose lowest role is `role` (None once every such agent is built)."""
    routes = (concrete(b.template) for _, b in agent_routes() if b.http_method == "GET" and b.access.min_role == role)
    return next(routes, None)


async def test_agent_routes_keep_their_roles_before_saying_unimplemented(up_hub: Hub) -> None:
    gateway = await start_edge(up_hub, "cohosted")
    customer = {"authorization": up_hub.auth("customer", "ava")[0][1]}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}", timeout=10) as http:
            anonymous = first_route(access_pb2.ROLE_ANONYMOUS)
            if anonymous is not None:
                assert (await http.get(anonymous)).status_code == 501
            # A built anonymous agent route answers without a token (here: the product is unknown).
            assert (await http.get("/api/products/NOPE-0000/insights")).status_code == 404
            signed_in = first_route(access_pb2.ROLE_CUSTOMER)
            if signed_in is not None:
                assert (await http.get(signed_in)).status_code == 401
                assert (await http.get(signed_in, headers=customer)).status_code == 501
            # A built shopper route still wants a token first.
            assert (await http.get("/api/recommendations")).status_code == 401
            # A staff route refuses a customer, planned or built (a built one once none is planned).
            staff_only = first_route(access_pb2.ROLE_STAFF) or "/api/staff/agents/acp-transformation/feed"
            assert (await http.get(staff_only, headers=customer)).status_code == 403
    finally:
        await gateway.stop()


async def test_the_served_openapi_and_docs_cover_every_agent_route(up_hub: Hub) -> None:
    gateway = await start_edge(up_hub, "cohosted")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}", timeout=10) as http:
            paths = (await http.get("/openapi.json")).json()["paths"]
            page = (await http.get("/docs")).text
        descriptors = load_descriptor_set()
        for spec in AGENTS:
            for binding in service_bindings(descriptors, [spec.full_name]):
                assert binding.http_method.lower() in paths.get(binding.template, {}), binding.template
                assert f'<span class="path">{binding.template}</span>' in page, binding.template
    finally:
        await gateway.stop()
