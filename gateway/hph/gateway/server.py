"""The REST gateway's host: starts and stops the server, wires the parts, answers the fixed endpoints.

`start_gateway` builds everything that can be built at start-up (routes, calls, OpenAPI, the docs
page), listens, and returns a `GatewayHost` whose `stop()` drains. Each connection speaks HTTP/1.1
(`http1`) or is spliced to the gRPC server (`splice`); every request reaches `Gateway.answer`, which
applies the edge policies (`edge`: request ids, CORS, rate limits) and then either answers a fixed
endpoint or hands the request to the transcoder (`transcoder`).

Fixed endpoints take precedence over routes: `/health` (liveness), `/ready` (grpc.health.v1 of
every upstream service), `/openapi.json`, `/docs`; and `/mcp`, MCP's Streamable HTTP transport
(`mcp_http`), after the edge policies, unless HPH_MCP_ENABLED=false. Its tools are checked at
start-up; the MCP SDK itself is imported in a thread once the gateway listens (`McpMount`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hph.gateway import codec
from hph.gateway.descriptors import DescriptorSet, load_descriptor_set, service_bindings
from hph.gateway.docs_page import render_docs_html
from hph.gateway.edge import CorsPolicy, Limiter, RateLimiter, RemoteLimiter, SubjectReader, request_id
from hph.gateway.http1 import (
    CLIENT_CLOSED_REQUEST,
    INTERNAL_SERVER_ERROR,
    JSON,
    NO_CONTENT,
    OK,
    HttpConnection,
    HttpLimits,
    Request,
    response_head,
    send_json,
)
from hph.gateway.mcp_tools import ToolCatalog, build_tool_catalog
from hph.gateway.openapi import build_openapi
from hph.gateway.routes import RouteError, RouteTable
from hph.gateway.storefront import (
    AUTH_CONFIG_PATH,
    DEV_TOKEN_PATH,
    DemoIdentity,
    SignIn,
    StaticSite,
    default_web_dir,
    is_app_path,
)
from hph.gateway.transcoder import Transcoder
from hph.gateway.upstream import UpstreamPool, upstream_connections_for
from hph.runtime.rpc.local import LocalChannel
from hph.runtime.server import run_until_signalled
from hph.runtime.settings import Settings

if TYPE_CHECKING:
    from hph.gateway.mcp_http import McpEndpoint

__all__ = ["GatewayHost", "HttpLimits", "RouteError", "run_gateway", "serve", "start_gateway"]

log = logging.getLogger("hph.gateway")
access_log = logging.getLogger("hph.gateway.access")

# Where MCP's Streamable HTTP transport is served (`mcp_http`).
MCP_PATH = "/mcp"


class Gateway:
    """The request handler behind every connection; built once by `start_gateway`."""

    def __init__(
        self,
        settings: Settings,
        *,
        grpc_target: str,
        descriptors: DescriptorSet,
        table: RouteTable,
        limits: HttpLimits,
        loop: asyncio.AbstractEventLoop,
        local: LocalChannel | None = None,
        limiter: Limiter | RemoteLimiter | None = None,
        services: Sequence[str] | None = None,
        planned: Sequence[str] = (),
        demo_users: Sequence[DemoIdentity] = (),
    ) -> None:
        self.grpc_target = grpc_target
        self.limits = limits
        self.loop = loop
        self.max_body = settings.max_request_body_bytes
        self.connections: set[HttpConnection] = set()
        self.all_closed = asyncio.Event()
        # Co-hosted, the gateway's own worker answers its unary calls; the connections left (streams,
        # health) need no spreading over workers.
        connections = settings.gateway_upstream_connections or (
            1 if local is not None else upstream_connections_for(settings.workers)
        )
        self.pool = UpstreamPool(
            timeout_seconds=settings.gateway_upstream_timeout_seconds, connections=connections, local=local
        )
        self.cors = CorsPolicy(settings.cors_origins, allow_credentials=settings.cors_allow_credentials)
        self.limiter: Limiter | RemoteLimiter = limiter or limiter_from_settings(settings)
        self.subject = SubjectReader()
        self.transcoder = Transcoder(
            table, descriptors, self.pool, grpc_target, emit_defaults=settings.json_emit_defaults
        )
        self.services = sorted({route.binding.service for route in table.routes})
        spec = build_openapi(descriptors, services=services, emit_defaults=settings.json_emit_defaults)
        self.openapi = json.dumps(spec, indent=1).encode()
        self.docs = render_docs_html(spec).encode()
        self.mcp: McpMount | None = None
        if settings.mcp_enabled:
            # The tools are checked now (a name clash stops the gateway, as a bad route does).
            # A planned service answers UNIMPLEMENTED to every call: listing its RPCs as tools would
            # only offer an assistant calls that fail, so the tools are those of what is built.
            tools_of = services
            if planned:
                hosted = services if services is not None else [s.full_name for s in descriptors.services()]
                tools_of = [name for name in hosted if name not in set(planned)]
            catalog = build_tool_catalog(descriptors, tools_of)
            self.mcp = McpMount(settings, catalog, descriptors, self.pool, grpc_target)
        self.routes = table
        self.site = StaticSite(Path(settings.web_dir) if settings.web_dir else default_web_dir())
        self.sign_in = SignIn(settings, demo_users)
        self.fixed: dict[str, Callable[[], Awaitable[tuple[int, bytes, bytes]]]] = {
            "/health": self._health,
            "/ready": self._ready,
            "/openapi.json": self._openapi,
            "/docs": self._docs,
            AUTH_CONFIG_PATH: self._auth_config,
        }

    # one request ---------------------------------------------------------------------------

    async def answer(self, conn: HttpConnection, request: Request) -> bool:
        """Writes the whole answer to `request`; returns whether the connection stays open."""
        started = time.perf_counter()
        special = request.special
        rid = request_id(special.get(b"x-request-id"))
        origin = special.get(b"origin")
        keep_alive = request.keep_alive and not conn.draining
        target = request.target.decode("latin-1")  # ASCII in practice: llhttp refuses other bytes in a target
        path = target.partition("?")[0]
        user: str | None = None
        rpc = ""
        status = INTERNAL_SERVER_ERROR
        sent = 0
        try:
            cors = self.cors.response_headers(origin) if self.cors.enabled else []
            if request.failure is not None:
                status, message, field = request.failure
                sent = send_json(conn, status, codec.client_error_body(status, message, field), rid, cors, False)
                return False
            method = request.method
            if (
                method == "OPTIONS"
                and origin
                and self.cors.is_preflight(method, origin, special.get(b"access-control-request-method"))
            ):
                headers = self.cors.preflight_headers(origin, special.get(b"access-control-request-headers"))
                conn.write(response_head(NO_CONTENT, None, 0, rid, headers, keep_alive))
                status = NO_CONTENT
                return keep_alive
            fixed = self.fixed.get(path) if method in ("GET", "HEAD") else None
            if fixed is not None:
                status, content_type, body = await fixed()
                conn.write(response_head(status, content_type, len(body), rid, cors, keep_alive) + body)
                sent = len(body)
                return keep_alive
            # The app's files come from memory: no rate limit, which could only break a page load.
            if method in ("GET", "HEAD") and is_app_path(path) and not self.routes.path_exists(path):
                page = self.site.lookup(path, "text/html" in special.get(b"accept", ""))
                if page is not None:
                    status, asset = page
                    body, headers = asset.answer(special.get(b"accept-encoding", ""))
                    conn.write(response_head(status, asset.content_type, len(body), rid, [*cors, *headers], keep_alive))
                    conn.write(body)
                    sent = len(body)
                    return keep_alive
            if special.get(b"content-type", "").startswith("application/grpc"):
                status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
                message = (
                    "gRPC needs HTTP/2: point the gRPC client at this port with HTTP/2 (prior knowledge), "
                    "which is passed straight through to the gRPC server, or send JSON over HTTP/1.1"
                )
                sent = send_json(conn, status, codec.client_error_body(status, message), rid, cors, keep_alive)
                return keep_alive
            user = self.subject(special.get(b"authorization"))
            if self.limiter.enabled:
                checked = self.limiter.check(conn.client_ip, user)
                wait = checked if isinstance(checked, int) else await checked
                if wait:
                    status = HTTPStatus.TOO_MANY_REQUESTS
                    body = codec.client_error_body(
                        status, f"rate limit exceeded; retry in {wait} s", retry_after_seconds=wait
                    )
                    sent = send_json(conn, status, body, rid, [*cors, ("retry-after", str(wait))], keep_alive)
                    return keep_alive
            if path == DEV_TOKEN_PATH and method == "POST":
                rpc = DEV_TOKEN_PATH
                status, body = self.sign_in.dev_token(request.body)
                sent = send_json(conn, status, body, rid, [*cors, ("cache-control", "no-store")], keep_alive)
                return keep_alive
            if path == MCP_PATH and self.mcp is not None:
                rpc = MCP_PATH
                endpoint = await self.mcp.endpoint()
                status, sent, stays_open = await endpoint.serve(conn, request, target, rid, cors, keep_alive)
                return stays_open
            status, sent, rpc = await self.transcoder.transcode(conn, request, target, rid, cors, keep_alive)
            return keep_alive and request.keep_alive
        except asyncio.CancelledError:
            status = CLIENT_CLOSED_REQUEST
            raise
        except Exception:
            log.exception("gateway failure", extra={"path": path, "request_id": rid})
            status = INTERNAL_SERVER_ERROR
            body = codec.client_error_body(status, "internal gateway error")
            sent = send_json(conn, status, body, rid, [], False)
            return False
        finally:
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "request",
                    extra={
                        "method": request.method,
                        "path": path,
                        "status": status,
                        "latency_ms": round((time.perf_counter() - started) * 1000, 3),
                        "bytes_out": sent,
                        "request_id": rid,
                        "rpc": rpc,
                        "client_ip": conn.client_ip,
                        "user": user,
                    },
                )

    async def _health(self) -> tuple[int, bytes, bytes]:
        return OK, JSON, b'{"status":"ok"}'

    async def _ready(self) -> tuple[int, bytes, bytes]:
        states = await asyncio.gather(*(self.pool.health(self.grpc_target, s) for s in self.services))
        services = dict(zip(self.services, states, strict=True))
        down = [name for name, state in services.items() if state != "SERVING"]
        if down:
            body: dict[str, Any] = {"status": "not_ready", "services": services, "not_serving": down}
            return HTTPStatus.SERVICE_UNAVAILABLE, JSON, json.dumps(body).encode()
        ready: dict[str, Any] = {"status": "ready", "services": services}
        status = getattr(self.limiter, "status", None)
        if status is not None:
            ready["rate_limits"] = status()
        return OK, JSON, json.dumps(ready).encode()

    async def _openapi(self) -> tuple[int, bytes, bytes]:
        return OK, JSON, self.openapi

    async def _docs(self) -> tuple[int, bytes, bytes]:
        return OK, b"text/html; charset=utf-8", self.docs

    async def _auth_config(self) -> tuple[int, bytes, bytes]:
        return OK, JSON, self.sign_in.config


def limiter_from_settings(settings: Settings) -> Limiter | RemoteLimiter:
    """This process's own buckets, or with HPH_RATE_LIMITS=redis buckets in Redis every host shares."""
    if settings.rate_limits not in ("local", "redis"):
        raise ValueError(f"HPH_RATE_LIMITS={settings.rate_limits!r}: choose local or redis")
    if settings.rate_limits == "redis":
        from hph.gateway.redis_limits import RedisRateLimiter

        if not settings.redis_url:
            raise ValueError("HPH_RATE_LIMITS=redis needs HPH_REDIS_URL (redis://host:port/db)")

        return RedisRateLimiter.connect(
            settings.redis_url,
            per_ip_per_minute=settings.rate_limit_per_ip_per_minute,
            per_user_per_minute=settings.rate_limit_per_user_per_minute,
            key_prefix=settings.rate_limit_redis_prefix,
            timeout_seconds=settings.redis_call_timeout_seconds,
        )
    return RateLimiter(
        per_ip_per_minute=settings.rate_limit_per_ip_per_minute,
        per_user_per_minute=settings.rate_limit_per_user_per_minute,
        clock=time.monotonic,
    )


class McpMount:
    """`/mcp`, whose SDK is imported in a thread once the gateway listens: importing it takes about
    as long as the rest of a worker's start-up, and only MCP clients need it. A request that comes
    sooner waits for it."""

    def __init__(
        self,
        settings: Settings,
        catalog: ToolCatalog,
        descriptors: DescriptorSet,
        pool: UpstreamPool,
        grpc_target: str,
    ) -> None:
        self.catalog = catalog
        self._build = functools.partial(_mcp_endpoint, settings, catalog, descriptors, pool, grpc_target)
        self._starting: asyncio.Task[McpEndpoint] | None = None

    def start(self) -> None:
        self._starting = asyncio.get_running_loop().create_task(self._start(), name="mcp-start")

    async def _start(self) -> McpEndpoint:
        await asyncio.to_thread(importlib.import_module, "hph.gateway.mcp_http")
        endpoint = self._build()
        try:
            await endpoint.start()
        except BaseException:  # stopped while starting: its manager task must not outlive the gateway
            await endpoint.stop()
            raise
        return endpoint

    async def endpoint(self) -> McpEndpoint:
        if self._starting is None:
            self.start()
        assert self._starting is not None
        return await asyncio.shield(self._starting)

    async def stop(self) -> None:
        starting, self._starting = self._starting, None
        if starting is None:
            return
        if not starting.done():
            starting.cancel()
        endpoint = (await asyncio.gather(starting, return_exceptions=True))[0]
        if not isinstance(endpoint, BaseException):
            await endpoint.stop()


def _mcp_endpoint(
    settings: Settings, catalog: ToolCatalog, descriptors: DescriptorSet, pool: UpstreamPool, grpc_target: str
) -> McpEndpoint:
    from hph.gateway.mcp_http import McpEndpoint
    from hph.gateway.mcp_server import PlatformTools

    tools = PlatformTools(
        catalog, descriptors, pool, grpc_target, identity_cache_seconds=settings.revocation_cache_seconds
    )
    return McpEndpoint(tools, settings)


# ---------------------------------------------------------------------------------- the host


class GatewayHost:
    """A listening gateway: `.port`, and `stop()` which drains in-flight requests."""

    def __init__(self, gateway: Gateway, server: asyncio.Server, grace_seconds: float) -> None:
        self.gateway = gateway
        self.server = server
        self.grace_seconds = grace_seconds
        sockets = server.sockets
        self.port: int = sockets[0].getsockname()[1] if sockets else 0
        self._sweeper = gateway.loop.create_task(self._sweep())
        self._stopped = False

    async def _sweep(self) -> None:
        interval = self.gateway.limits.sweep_interval_seconds
        while True:
            await asyncio.sleep(interval)
            now = self.gateway.loop.time()
            for conn in list(self.gateway.connections):
                conn.expire(now)

    async def stop(self, grace_seconds: float | None = None) -> None:
        """Stops accepting, lets in-flight requests finish within the grace, then closes the rest."""
        if self._stopped:
            return
        self._stopped = True
        grace = self.grace_seconds if grace_seconds is None else grace_seconds
        self.server.close()
        for conn in list(self.gateway.connections):
            conn.shutdown()
        if self.gateway.connections:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.gateway.all_closed.wait(), grace)
        for conn in list(self.gateway.connections):
            if conn.transport is not None:
                conn.transport.abort()
            if conn.splice is not None:
                conn.splice.close()
        self._sweeper.cancel()
        await asyncio.gather(self._sweeper, return_exceptions=True)
        if self.gateway.mcp is not None:
            await self.gateway.mcp.stop()
        await self.gateway.pool.close()
        self.gateway.limiter.close()
        closing = getattr(self.gateway.limiter, "aclose", None)
        if closing is not None:
            await closing()
        log.info("gateway stopped")


async def start_gateway(
    settings: Settings,
    *,
    grpc_target: str,
    descriptors: DescriptorSet | None = None,
    limits: HttpLimits | None = None,
    local: LocalChannel | None = None,
    limiter: Limiter | RemoteLimiter | None = None,
    reuse_port: bool = False,
    services: Sequence[str] | None = None,
    planned: Sequence[str] = (),
    demo_users: Sequence[DemoIdentity] = (),
) -> GatewayHost:
    """Builds the route table (refusing bad rules with RouteError), then listens on settings.http_port.

    `local` co-hosts the gateway with the services it fronts (their unary RPCs are called in-process);
    `reuse_port` lets several such worker processes share the HTTP port, with one `limiter` they
    all see (edge.Limiter; an in-process RateLimiter by default). `services` (full names) limits the
    routes, the OpenAPI document and /ready to those services; every service in the set by default.
    `planned` (full names) are hosted but not built yet (UNIMPLEMENTED): routed, documented, but not
    offered as MCP tools. `demo_users` are whom the storefront's dev sign-in offers (`storefront`).
    """
    descriptor_set = descriptors if descriptors is not None else load_descriptor_set()
    table = RouteTable.build(service_bindings(descriptor_set, services))
    loop = asyncio.get_running_loop()
    gateway = Gateway(
        settings,
        grpc_target=grpc_target,
        descriptors=descriptor_set,
        table=table,
        limits=limits or HttpLimits(),
        loop=loop,
        local=local,
        limiter=limiter,
        services=services,
        planned=planned,
        demo_users=demo_users,
    )
    try:
        server = await loop.create_server(
            lambda: HttpConnection(gateway),
            settings.http_host,
            settings.http_port,
            reuse_address=True,
            reuse_port=reuse_port or None,
        )
    except OSError:
        await gateway.pool.close()
        raise
    host = GatewayHost(gateway, server, settings.shutdown_grace_seconds)
    if gateway.mcp is not None:
        gateway.mcp.start()
    log.info(
        "gateway listening",
        extra={
            "address": f"{settings.http_host}:{host.port}",
            "grpc_target": grpc_target,
            "cohosted": local is not None,
            "routes": len(table.routes),
            "services": gateway.services,
            "mcp_tools": len(gateway.mcp.catalog.tools) if gateway.mcp is not None else 0,
        },
    )
    return host


async def run_gateway(settings: Settings, *, grpc_target: str) -> None:
    """`hph gateway`: serves until SIGTERM/SIGINT, then stops accepting and drains in-flight requests."""
    host = await start_gateway(settings, grpc_target=grpc_target)
    await run_until_signalled(host.stop)


def serve(settings: Settings, *, grpc_target: str) -> None:
    """Blocking entry point for a process that only runs the gateway: uvloop when importable.

    The loop cannot be swapped from inside a running one, so this is where uvloop is chosen; tests
    and `hph up` keep their own loop and call start_gateway/run_gateway directly.
    """
    try:
        import uvloop
    except ImportError:
        asyncio.run(run_gateway(settings, grpc_target=grpc_target))
        return
    uvloop.run(run_gateway(settings, grpc_target=grpc_target))
