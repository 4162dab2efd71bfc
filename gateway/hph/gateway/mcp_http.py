"""MCP's Streamable HTTP transport on the REST port, at `/mcp`.

The gateway's HTTP/1.1 server hands each `/mcp` request (after CORS preflight and rate limits, as any
REST request) to the MCP SDK's `StreamableHTTPSessionManager` through the ASGI bridge (`asgi`).

The manager runs **stateless, with JSON responses**: every POST carries one JSON-RPC message and gets
its whole answer as one JSON body; nothing about a client is kept between requests, and GET (a
standalone event stream) and DELETE (ending a session) are answered 405. `hph up --workers
N` shares the HTTP port between N processes and the kernel spreads connections over them at random,
so a session held in one worker's memory would be unknown to the next request's worker; and a tool
call is a single unary RPC, so there is nothing to stream. Clients on protocol revision 2026-07-28
(single-exchange requests) are served by the same manager.

Before the SDK sees a request that carries a bearer token, the platform is asked who it belongs to
(`PlatformTools.identify`): a token it refuses is answered 401 with `WWW-Authenticate: Bearer
error="invalid_token"`, as MCP's authorization spec asks of a resource server, instead of a listing
that only fails later. The token then travels with the request to the tool handlers, which list the
caller's tools and pass it on to the RPCs.

DNS rebinding: when the REST port is bound to a loopback interface, requests must name a loopback
Host, and a browser's Origin must be a loopback one or one of `HPH_CORS_ALLOWED_ORIGINS`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from http import HTTPStatus
from typing import Any

from mcp.server import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request as StarletteRequest

from hph.gateway import codec
from hph.gateway.asgi import http_scope, serve_asgi
from hph.gateway.http1 import HttpConnection, Request, send_json
from hph.gateway.mcp_server import CallerRefused, PlatformTools, build_server
from hph.runtime.settings import Settings

log = logging.getLogger("hph.gateway.mcp")

_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def _authorization(ctx: ServerRequestContext[Any, Any]) -> str | None:
    request = ctx.request
    return request.headers.get("authorization") if isinstance(request, StarletteRequest) else None


def _request_id(ctx: ServerRequestContext[Any, Any]) -> str:
    request = ctx.request
    given = request.headers.get("x-request-id") if isinstance(request, StarletteRequest) else None
    return given or os.urandom(16).hex()


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """DNS rebinding protection for a loopback bind (see the module docstring); none otherwise."""
    origins = settings.cors_origins
    if not _is_loopback(settings.http_host) or "*" in origins:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{name}:*" for name in _LOOPBACK_NAMES] + list(_LOOPBACK_NAMES),
        allowed_origins=[f"http://{name}:*" for name in _LOOPBACK_NAMES] + list(origins),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class McpEndpoint:
    """`/mcp` on the gateway: the SDK's session manager, run for the gateway's lifetime."""

    def __init__(self, tools: PlatformTools, settings: Settings) -> None:
        self.tools = tools
        self.server = build_server(tools, _authorization, _request_id)
        self.manager = StreamableHTTPSessionManager(
            app=self.server, json_response=True, stateless=True, security_settings=transport_security(settings)
        )
        self._address = (settings.http_host, settings.http_port)
        # Stateless, the SDK ends a throwaway transport after every request and says so at INFO
        # ("Terminating session: None"); the gateway's access log already has a line per request.
        logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Runs the manager (its task group lives in a task of its own until `stop`)."""
        started = asyncio.Event()

        async def run() -> None:
            async with self.manager.run():
                started.set()
                await self._stop.wait()

        self._task = asyncio.get_running_loop().create_task(run(), name="mcp-session-manager")
        waiting = asyncio.ensure_future(started.wait())
        await asyncio.wait({waiting, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not started.is_set():
            waiting.cancel()
            await self._task  # raises what stopped it

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def serve(
        self,
        conn: HttpConnection,
        request: Request,
        target: str,
        rid: str,
        cors: list[tuple[str, str]],
        keep_alive: bool,
    ) -> tuple[int, int, bool]:
        """Answers one `/mcp` request; (status, body bytes, whether the connection stays open)."""
        if request.method != "POST":
            # Stateless: no session to end (DELETE) and nothing a standalone stream (GET) could ever
            # carry, so the spec's answer for a server without that stream, rather than one left open.
            status = HTTPStatus.METHOD_NOT_ALLOWED
            body = codec.client_error_body(status, f"{request.method} is not served at /mcp; POST JSON-RPC messages")
            return status, send_json(conn, status, body, rid, [*cors, ("allow", "POST")], keep_alive), keep_alive
        try:
            await self.tools.identify(request.special.get(b"authorization"))
        except CallerRefused as refused:
            status = HTTPStatus.UNAUTHORIZED
            message = f"the bearer token was refused: {refused}"
            challenge = f'Bearer error="invalid_token", error_description="{_quoted(str(refused))}"'
            body = codec.client_error_body(status, message)
            return (
                status,
                send_json(conn, status, body, rid, [*cors, ("www-authenticate", challenge)], keep_alive),
                (keep_alive),
            )
        scope = http_scope(conn, request, target, rid, self._address)
        return await serve_asgi(self.manager.handle_request, scope, conn, request, rid, cors, keep_alive)


def _quoted(text: str) -> str:
    """A value safe inside a quoted-string of an HTTP header."""
    return "".join(ch for ch in text if ch.isprintable() and ch not in '"\\')[:200]
