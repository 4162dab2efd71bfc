"""Answering a service's calls by forwarding them to another process of the same platform.

An agent that answers from an in-memory replica (the search index) must follow every event to keep
it, and in a process that also answers the checkout that costs the checkout a fifth of its CPU.
`hph up` therefore keeps such replicas only in the agents' process, and every serving process
forwards those agents' calls there: `forwarding_binding` hosts the service on this server (so gRPC
clients, reflection, health and the REST gateway find it where they always did, under the same
interceptor, roles and policies) and hands each call, bytes as they came, to the process at the
address `Forwarder.route` names, with the caller's metadata and what is left of its deadline. The
answer, or the status with its rich details, comes back unchanged.

Until a route is known (the agents' process is still starting) and while that process is down (it
is started again on the same port), calls fail with UNAVAILABLE; callers with a fallback use it.
Unary methods only: the agents' contracts have no streams.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import grpc

from hph.runtime.server import ServiceBinding

log = logging.getLogger("hph.rpc.forwarding")

# Metadata the transport sets for every call; the onward call gets its own.
_TRANSPORT_KEYS = frozenset({"user-agent", "content-type", "te", "grpc-accept-encoding", "grpc-encoding"})


class Forwarder:
    """Sends calls of the forwarded services on to one address (`route`), once it is known."""

    def __init__(self) -> None:
        self._target = ""
        self._channel: grpc.aio.Channel | None = None
        self._methods: dict[str, grpc.aio.UnaryUnaryMultiCallable] = {}

    @property
    def target(self) -> str:
        return self._target

    def route(self, target: str) -> None:
        """Forwards from now on to `target` (host:port); set once (the agents' process keeps its port
        when it is started again)."""
        if self._channel is not None:
            raise RuntimeError(f"calls are already forwarded to {self._target}")
        self._channel, self._target = grpc.aio.insecure_channel(target), target
        log.info("forwarding calls", extra={"target": target})

    def handler(self, method: str) -> grpc.RpcMethodHandler:
        """The handler of one forwarded method: request and answer stay bytes."""

        async def forward(request: bytes, context: Any) -> bytes:
            return await self._forward(method, request, context)

        return grpc.unary_unary_rpc_method_handler(forward)

    async def _forward(self, method: str, request: bytes, context: Any) -> bytes:
        if self._channel is None:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"{_service_of(method)} is starting; retry shortly")
        call = self._methods.get(method)
        if call is None:
            assert self._channel is not None
            call = self._methods[method] = self._channel.unary_unary(method)
        remaining = _time_remaining(context)
        try:
            answer: bytes = await call(request, metadata=_onward_metadata(context), timeout=remaining)
            return answer
        except grpc.aio.AioRpcError as failure:
            await context.abort(failure.code(), failure.details() or "", tuple(failure.trailing_metadata() or ()))
            raise  # unreachable: abort raises

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
            self._channel = None


def forwarding_binding(full_name: str, methods: Iterable[str], forwarder: Forwarder) -> ServiceBinding:
    """Hosts `full_name` ("package.Service") with each of `methods` forwarded by `forwarder`."""
    handlers = {name: forwarder.handler(f"/{full_name}/{name}") for name in methods}

    def add_to_server(server: Any) -> None:
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(full_name, handlers),))

    return ServiceBinding(full_name, add_to_server)


def _onward_metadata(context: Any) -> Sequence[tuple[str, str | bytes]]:
    return tuple(
        (item.key, item.value)
        for item in context.invocation_metadata() or ()
        if not item.key.startswith(":") and item.key not in _TRANSPORT_KEYS
    )


def _time_remaining(context: Any) -> float | None:
    """The caller's deadline, as seconds left (an in-process call enforces its own around us)."""
    remaining = getattr(context, "time_remaining", None)
    if remaining is None:
        return None
    seconds = remaining()
    return None if seconds is None else max(seconds, 0.001)


def _service_of(method: str) -> str:
    return method.strip("/").split("/", 1)[0]
