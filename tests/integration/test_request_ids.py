"""Every RPC that takes an idempotency key checks it the same way (`hph.runtime.validation.request_id`)."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from google.protobuf import descriptor_pool
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message_factory import GetMessageClass

from hph.host.app import PROTO_PACKAGE, SERVICES
from tests.support.platform_harness import Hub, running_hub
from tests.support.rich_status import violated_fields

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

ROLES = ("customer", "staff", "admin")


def _keyed_rpcs() -> Iterator[MethodDescriptor]:
    """Every RPC of every hosted service whose request has a `request_id` field."""
    pool = descriptor_pool.Default()
    for spec in SERVICES:
        importlib.import_module(f"{PROTO_PACKAGE}.{spec.proto_module}")  # registers the descriptor
        for method in pool.FindServiceByName(spec.full_name).methods:
            if "request_id" in method.input_type.fields_by_name:
                yield method


KEYED_RPCS = sorted(_keyed_rpcs(), key=lambda method: method.full_name)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def hub(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Hub]:
    async with running_hub(Path(tmp_path_factory.mktemp("request-ids")) / "data", seed=False) as running:
        yield running


async def _refusal(hub: Hub, method: MethodDescriptor, request_id: str) -> grpc.aio.AioRpcError:
    """The call's error with `request_id` and every other field empty, as the first role allowed
    to make it (so the refusal is the request's, not the caller's)."""
    request_class = GetMessageClass(method.input_type)
    response_class = GetMessageClass(method.output_type)
    call = hub.channel.unary_unary(
        f"/{method.containing_service.full_name}/{method.name}",
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=response_class.FromString,
    )
    error: grpc.aio.AioRpcError | None = None
    for role in ROLES:
        try:
            await call(request_class(request_id=request_id), metadata=hub.auth(role, f"{role}-1"), timeout=10)
        except grpc.aio.AioRpcError as refused:
            error = refused
            if refused.code() != grpc.StatusCode.PERMISSION_DENIED:
                return refused
        else:
            pytest.fail(f"{method.full_name} accepted an empty request")
    assert error is not None
    return error


async def test_the_rpcs_with_a_key_cover_every_family() -> None:
    families = {method.containing_service.name for method in KEYED_RPCS}
    assert len(KEYED_RPCS) >= 30 and len(families) >= 10, sorted(families)


@pytest.mark.parametrize("method", KEYED_RPCS, ids=lambda method: method.full_name.rsplit(".", 1)[-1])
@pytest.mark.parametrize("control", ["\x07", "\x00", "\x1b[31m", "\x7f"], ids=["bel", "nul", "escape", "del"])
async def test_a_key_with_a_control_character_is_refused_by_every_rpc(
    hub: Hub, method: MethodDescriptor, control: str
) -> None:
    refused = await _refusal(hub, method, f"retry{control}1")
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT, (refused.code(), refused.details())
    assert violated_fields(refused).get("request_id") == "contains control characters"


@pytest.mark.parametrize("method", KEYED_RPCS, ids=lambda method: method.full_name.rsplit(".", 1)[-1])
async def test_a_key_longer_than_128_characters_is_refused_by_every_rpc(hub: Hub, method: MethodDescriptor) -> None:
    refused = await _refusal(hub, method, "k" * 129)
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT, (refused.code(), refused.details())
    assert violated_fields(refused).get("request_id") == "must be 1..128 characters"
