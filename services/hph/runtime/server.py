"""Builds and runs one grpc.aio server: our services, health, reflection, interceptors, drain.

Whether it hosts one service (a pod) or all of them (`hph up`), the server is built the same way.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from hph.runtime.rpc.interceptors import Authenticate, PlatformInterceptor
from hph.runtime.rpc.local import LocalDispatcher
from hph.runtime.rpc.policy import PolicyTable

log = logging.getLogger("hph.server")

MAX_MESSAGE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ServiceBinding:
    """One gRPC service to host: its full proto name and how to add its servicer to a server."""

    full_name: str
    add_to_server: Callable[[grpc.aio.Server], None]


class GrpcHost:
    """A started gRPC server and what it needs to shut down cleanly."""

    def __init__(
        self,
        server: grpc.aio.Server,
        port: int,
        health_servicer: health.aio.HealthServicer,
        service_names: Sequence[str],
        local: LocalDispatcher,
    ) -> None:
        self.server = server
        self.port = port
        self._health = health_servicer
        self.service_names = tuple(service_names)
        # The same handlers, for in-process calls from co-hosted services (hph.runtime.rpc.local).
        self.local = local

    async def stop(self, grace_seconds: float) -> None:
        """Reports NOT_SERVING, refuses new calls and lets in-flight ones finish within the grace."""
        await self._health.enter_graceful_shutdown()
        await self.server.stop(grace_seconds)

    async def wait(self) -> None:
        await self.server.wait_for_termination()


async def start_grpc_host(
    bindings: Sequence[ServiceBinding],
    *,
    host: str,
    port: int,
    authenticate: Authenticate | None,
    reuse_port: bool = False,
) -> GrpcHost:
    """Starts a server with every binding plus grpc.health.v1 and reflection; port 0 picks one.
    With `reuse_port`, other processes may bind the same port (workers sharing it); without, a
    port already taken is an error rather than a silent second listener."""
    names = [b.full_name for b in bindings]
    interceptor = PlatformInterceptor(PolicyTable(names), authenticate)
    local = LocalDispatcher(interceptor)
    server = grpc.aio.server(
        interceptors=[interceptor],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 1 if reuse_port else 0),
        ],
    )
    for binding in bindings:
        binding.add_to_server(server)
        binding.add_to_server(local)  # the registration API is all it needs
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME], server
    )
    try:
        bound = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError:  # grpcio raises where it used to return 0 (taken between a check and now)
        bound = 0
    if bound == 0:
        raise OSError(f"cannot bind gRPC server to {host}:{port}")
    await server.start()
    for name in ["", *names]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("grpc server listening", extra={"address": f"{host}:{bound}", "services": names})
    return GrpcHost(server, bound, health_servicer, names, local)


async def run_until_signalled(
    stop: Callable[[], Awaitable[None]],
    *,
    signals: Sequence[int] = (signal.SIGTERM, signal.SIGINT),
    ready: Callable[[], None] | None = None,
) -> None:
    """Blocks until SIGTERM/SIGINT, then runs `stop` (which drains in-flight calls). `ready` (which
    announces the process, e.g. its banner) runs once the signals are handled, so whoever reads the
    announcement and stops the process at once still gets the drain, not the default SIGTERM death.

    Called once start-up is over, so it first moves what start-up built out of the garbage
    collector's sight: descriptor pools, route tables, compiled rules and seeded data live as long
    as the process, and walking them in every full collection was a 20 ms pause on the event loop.
    """
    gc.collect()
    gc.freeze()
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in signals:
        loop.add_signal_handler(sig, stopping.set)
    try:
        if ready is not None:
            ready()
        await stopping.wait()
        log.info("shutdown requested; draining in-flight calls")
        await stop()
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
