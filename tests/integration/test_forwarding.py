"""Forwarding a service's calls to another server (hph.runtime.rpc.forwarding), over real gRPC:
a front server hosts the service by forwarding, a back server answers it. What the caller sees
must be what the back server said: the answer, or its status with the rich details."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from holidaypeak.agents.v1 import catalog_search_service_pb2 as search_pb
from holidaypeak.agents.v1 import catalog_search_service_pb2_grpc as search_grpc
from hph.runtime.errors import InvalidArgument
from hph.runtime.rpc.forwarding import Forwarder, forwarding_binding
from hph.runtime.server import GrpcHost, ServiceBinding, start_grpc_host

pytestmark = pytest.mark.integration

SERVICE = "holidaypeak.agents.v1.CatalogSearchService"


class _Back(search_grpc.CatalogSearchServiceServicer):
    """Answers Search with one hit per word of the query, refuses an empty one, and is slow on "slow"."""

    def __init__(self) -> None:
        self.metadata: list[dict[str, str]] = []

    async def Search(
        self, request: search_pb.SearchRequest, context: grpc.aio.ServicerContext
    ) -> search_pb.SearchResponse:
        self.metadata.append({item.key: item.value for item in context.invocation_metadata() or ()})
        if not request.q:
            raise InvalidArgument.for_field("q", "must not be empty")
        if request.q == "slow":
            await asyncio.sleep(5)
        return search_pb.SearchResponse(hits=[search_pb.SearchHit(product_id=word) for word in request.q.split()])


@dataclass
class _Servers:
    front: GrpcHost
    back: GrpcHost
    back_servicer: _Back
    forwarder: Forwarder


def _back_binding(servicer: _Back) -> ServiceBinding:
    return ServiceBinding(
        SERVICE, lambda server: search_grpc.add_CatalogSearchServiceServicer_to_server(servicer, server)
    )


def _forwarded(forwarder: Forwarder) -> ServiceBinding:
    methods = search_pb.DESCRIPTOR.services_by_name["CatalogSearchService"].methods
    return forwarding_binding(SERVICE, [method.name for method in methods], forwarder)


@pytest.fixture
async def servers() -> AsyncIterator[_Servers]:
    servicer = _Back()
    back = await start_grpc_host([_back_binding(servicer)], host="127.0.0.1", port=0, authenticate=None)
    forwarder = Forwarder()
    front = await start_grpc_host([_forwarded(forwarder)], host="127.0.0.1", port=0, authenticate=None)
    try:
        yield _Servers(front, back, servicer, forwarder)
    finally:
        await front.stop(0)
        await forwarder.close()
        await back.stop(0)


async def _search(
    host: GrpcHost, q: str, *, deadline: float = 5, metadata: tuple[tuple[str, str], ...] = ()
) -> search_pb.SearchResponse:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{host.port}") as channel:
        answer: search_pb.SearchResponse = await search_grpc.CatalogSearchServiceStub(channel).Search(
            search_pb.SearchRequest(q=q), timeout=deadline, metadata=metadata
        )
        return answer


async def test_a_call_is_answered_by_the_back_server_with_the_callers_metadata(servers: _Servers) -> None:
    servers.forwarder.route(f"127.0.0.1:{servers.back.port}")
    answer = await _search(servers.front, "red ornament", metadata=(("x-request-id", "req-42"),))
    assert [hit.product_id for hit in answer.hits] == ["red", "ornament"]
    assert servers.back_servicer.metadata[-1]["x-request-id"] == "req-42"


async def test_the_back_servers_refusal_arrives_with_its_rich_details(servers: _Servers) -> None:
    servers.forwarder.route(f"127.0.0.1:{servers.back.port}")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _search(servers.front, "")
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refused.value.details() == "q: must not be empty"
    status = rpc_status.from_call(refused.value)
    assert status is not None
    bad_request = error_details_pb2.BadRequest()
    assert any(detail.Unpack(bad_request) for detail in status.details)
    assert [(v.field, v.description) for v in bad_request.field_violations] == [("q", "must not be empty")]


async def test_before_a_route_is_known_calls_are_unavailable(servers: _Servers) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _search(servers.front, "ornament")
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert SERVICE in (refused.value.details() or "")


async def test_the_callers_deadline_goes_with_the_call(servers: _Servers) -> None:
    servers.forwarder.route(f"127.0.0.1:{servers.back.port}")
    with pytest.raises(grpc.aio.AioRpcError) as late:
        await _search(servers.front, "slow", deadline=0.3)
    assert late.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


async def test_a_back_server_that_is_gone_makes_calls_unavailable(servers: _Servers) -> None:
    servers.forwarder.route(f"127.0.0.1:{servers.back.port}")
    await servers.back.stop(0)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _search(servers.front, "ornament")
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_a_route_is_set_once() -> None:
    async def route_twice() -> None:
        forwarder = Forwarder()
        forwarder.route("127.0.0.1:1")
        try:
            with pytest.raises(RuntimeError):
                forwarder.route("127.0.0.1:2")
        finally:
            await forwarder.close()

    asyncio.run(route_twice())
