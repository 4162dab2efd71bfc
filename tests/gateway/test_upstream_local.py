"""The gateway's upstream pool with an in-process channel (a gateway co-hosted with the services):
hosted methods are called in-process with the limits of a gRPC channel; others go over gRPC."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from hph.gateway.upstream import MAX_MESSAGE_BYTES, UpstreamPool
from hph.runtime.auth.principal import ROLE_CUSTOMER, Principal
from hph.runtime.rpc.interceptors import PlatformInterceptor
from hph.runtime.rpc.local import LocalChannel, LocalDispatcher
from hph.runtime.rpc.policy import PolicyTable

SERVICE = "hph.test.Echo"


async def _authenticate(token: str) -> Principal:
    return Principal(
        subject=token, email="", name="", role=ROLE_CUSTOMER, token_id=token, expires_at=None, issuer="test"
    )


async def _echo(request: bytes, context: Any) -> bytes:
    return request * 2  # an answer twice the request's size


def _local_channel() -> LocalChannel:
    dispatcher = LocalDispatcher(PlatformInterceptor(PolicyTable([]), _authenticate))
    handler = grpc.method_handlers_generic_handler(SERVICE, {"Echo": grpc.unary_unary_rpc_method_handler(_echo)})
    dispatcher.add_generic_rpc_handlers((handler,))
    return LocalChannel(dispatcher)


async def test_hosted_methods_are_called_in_process_within_the_message_limit() -> None:
    pool = UpstreamPool(timeout_seconds=5, local=_local_channel())
    try:
        echo = pool.unary("127.0.0.1:1", f"/{SERVICE}/Echo")  # nothing listens there: in-process only
        assert await echo(b"ab", ()) == b"abab"
        half = MAX_MESSAGE_BYTES // 2
        assert len(await echo(b"x" * half, ())) == 2 * half
        with pytest.raises(grpc.aio.AioRpcError) as answer_too_big:
            await echo(b"x" * (half + 1), ())
        assert answer_too_big.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        with pytest.raises(grpc.aio.AioRpcError) as request_too_big:
            await echo(b"x" * (MAX_MESSAGE_BYTES + 1), ())
        assert request_too_big.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    finally:
        await pool.close()


async def test_methods_not_hosted_go_over_grpc() -> None:
    pool = UpstreamPool(timeout_seconds=1, local=_local_channel())
    try:
        elsewhere = pool.unary("127.0.0.1:1", "/hph.test.Other/Call")
        with pytest.raises(grpc.aio.AioRpcError) as unreachable:
            await elsewhere(b"", ())
        # The loopback target is closed: a transport failure, which only the gRPC path can have.
        assert unreachable.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    finally:
        await pool.close()
