"""Calls the upstream gRPC services generically: bytes in, bytes out, over pooled channels.

The gateway never links generated stubs: a route names its RPC path ("/pkg.Service/Method") and
the serialized request; the response bytes are decoded against the descriptor set by the caller.
Adding an RPC to a contract therefore needs no gateway code. Failures surface as
`grpc.aio.AioRpcError` (code, details, trailing metadata with `grpc-status-details-bin`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from hph.runtime.rpc.local import LocalChannel

MAX_MESSAGE_BYTES = 8 * 1024 * 1024

Metadata = Sequence[tuple[str, str | bytes]]


class UnaryMethod:
    """One unary RPC over the target's connections (round robin); multicallables are made once."""

    __slots__ = ("_calls", "_next", "rpc", "timeout")

    def __init__(self, channels: Sequence[grpc.aio.Channel | LocalChannel], rpc: str, timeout: float) -> None:
        self.rpc = rpc
        self.timeout = timeout
        # Registered like generated stubs do: the method path is interned once, not per call. Bytes
        # pass through: the gateway serialises with its own descriptor set. In-process, the message
        # size limit of the gRPC channels is checked here, so both paths refuse the same answers.
        self._calls = [
            channel.unary_unary(
                rpc,
                request_serializer=_within_limit if isinstance(channel, LocalChannel) else None,
                response_deserializer=_within_limit if isinstance(channel, LocalChannel) else None,
                _registered_method=True,
            )
            for channel in channels
        ]
        self._next = 0

    async def __call__(self, request: bytes, metadata: Metadata) -> bytes:
        call = self._calls[self._next]
        self._next = (self._next + 1) % len(self._calls)
        response: bytes = await call(request, metadata=metadata, timeout=self.timeout)
        return response


def _within_limit(message: bytes) -> bytes:
    """`message`, or RESOURCE_EXHAUSTED as a gRPC channel with MAX_MESSAGE_BYTES answers."""
    if len(message) > MAX_MESSAGE_BYTES:
        raise grpc.aio.AioRpcError(
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            grpc.aio.Metadata(),
            grpc.aio.Metadata(),
            f"message of {len(message)} bytes is larger than the limit of {MAX_MESSAGE_BYTES}",
        )
    return message


class StreamMethod:
    """One server-streaming RPC; returns the call so the caller can iterate and cancel it."""

    __slots__ = ("_call", "rpc", "timeout")

    def __init__(self, channel: grpc.aio.Channel, rpc: str, timeout: float) -> None:
        self.rpc = rpc
        self.timeout = timeout
        self._call = channel.unary_stream(
            rpc, request_serializer=None, response_deserializer=None, _registered_method=True
        )

    def __call__(self, request: bytes, metadata: Metadata) -> grpc.aio.UnaryStreamCall:
        call: grpc.aio.UnaryStreamCall = self._call(request, metadata=metadata, timeout=self.timeout)
        return call


# Connections per worker behind one port. The kernel hashes each connection to a worker at random, so
# one each would leave a worker idle half the time with two workers; four each leave one idle with
# odds of 1 in 128 and keep the split near even.
CONNECTIONS_PER_WORKER = 4


def upstream_connections_for(workers: int) -> int:
    """Connections the gateway keeps to `workers` server processes sharing its gRPC target's port."""
    return CONNECTIONS_PER_WORKER * workers if workers > 1 else 1


class UpstreamPool:
    """`connections` grpc.aio channels per target, shared by every route that calls it; with a
    `local` channel (a gateway co-hosted with the services), unary calls to the services it hosts.

    Several connections matter when the target is several server processes sharing one port
    (`HPH_WORKERS`): the kernel spreads connections, not calls, so one connection would pin all
    REST traffic to one worker.
    """

    def __init__(self, *, timeout_seconds: float, connections: int = 1, local: LocalChannel | None = None) -> None:
        if connections < 1:
            raise ValueError("connections must be >= 1")
        self.timeout_seconds = timeout_seconds
        self._connections = connections
        self._local = local
        self._channels: dict[str, list[grpc.aio.Channel]] = {}
        self._unary: dict[tuple[str, str], UnaryMethod] = {}
        self._stream: dict[tuple[str, str], StreamMethod] = {}

    def channels(self, target: str) -> list[grpc.aio.Channel]:
        channels = self._channels.get(target)
        if channels is None:
            options = [
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                # Without a channel-local subchannel pool, channels to one target share one connection.
                ("grpc.use_local_subchannel_pool", 1),
            ]
            channels = [grpc.aio.insecure_channel(target, options=options) for _ in range(self._connections)]
            self._channels[target] = channels
        return channels

    def channel(self, target: str) -> grpc.aio.Channel:
        return self.channels(target)[0]

    def unary(self, target: str, rpc: str) -> UnaryMethod:
        key = (target, rpc)
        method = self._unary.get(key)
        if method is None:
            # A gateway co-hosted with the services calls those it hosts in-process (no socket, no
            # second gRPC round trip); streams, health checks and the rest still go over gRPC.
            channels: Sequence[grpc.aio.Channel | LocalChannel] = (
                [self._local] if self._local is not None and self._local.hosts(rpc) else self.channels(target)
            )
            method = self._unary[key] = UnaryMethod(channels, rpc, self.timeout_seconds)
        return method

    def stream(self, target: str, rpc: str) -> StreamMethod:
        key = (target, rpc)
        method = self._stream.get(key)
        if method is None:
            method = self._stream[key] = StreamMethod(self.channel(target), rpc, self.timeout_seconds)
        return method

    async def health(self, target: str, service: str, *, deadline_seconds: float = 2.0) -> str:
        """grpc.health.v1 status name of `service` at `target`, or the error code name if unreachable."""
        stub: Any = health_pb2_grpc.HealthStub(self.channel(target))
        try:
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=deadline_seconds)
        except grpc.aio.AioRpcError as exc:
            return str(exc.code().name)
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

    async def close(self) -> None:
        channels, self._channels = [c for group in self._channels.values() for c in group], {}
        self._unary.clear()
        self._stream.clear()
        for channel in channels:
            await channel.close()
