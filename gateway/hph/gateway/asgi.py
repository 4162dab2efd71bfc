"""Serves one request the gateway's HTTP/1.1 server has parsed with an ASGI 3 application.

The gateway owns the connection (parsing, limits, keep-alive, pipelining, drain); an ASGI app (the MCP
SDK's streamable-HTTP manager) only sees the request as ASGI's `http` scope with its buffered body, and
answers through `send`. The response is framed here: with the app's Content-Length when it gives one,
otherwise chunked (HTTP/1.1) or delimited by closing the connection (HTTP/1.0), so a streamed answer
(Server-Sent Events) flows as the app produces it, paced by the client (`drain`). The gateway's own
headers (date, x-request-id, CORS) are added; hop-by-hop headers from the app are not passed on.

ASGI's `http.disconnect` is not delivered as a message: when the client goes away the connection
cancels the task answering it, which cancels the app, as servers such as uvicorn do for a lost client.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from hph.gateway import codec
from hph.gateway.http1 import INTERNAL_SERVER_ERROR, HttpConnection, Request, chunk, response_head, send_json

log = logging.getLogger("hph.gateway")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Framing and connection management are the gateway's; the app's values for these are dropped.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length", "date"}
)
_ALREADY_SET = frozenset({"content-type", "x-request-id"})


def http_scope(conn: HttpConnection, request: Request, target: str, rid: str, server: tuple[str, int] | None) -> Scope:
    """ASGI's `http` scope of a parsed request; its x-request-id is the gateway's (echoed or new)."""
    raw_path, _, query = target.partition("?")
    headers = [(name, value) for name, value in request.headers if name != b"x-request-id"]
    headers.append((b"x-request-id", rid.encode("ascii")))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.0" if request.http10 else "1.1",
        "method": request.method,
        "scheme": "http",
        "path": unquote_to_bytes(raw_path).decode("utf-8", "replace"),
        "raw_path": raw_path.encode("latin-1"),
        "query_string": query.encode("latin-1"),
        "root_path": "",
        "headers": headers,
        "client": (conn.client_ip, 0),
        "server": server,
        "state": {},
    }


class _Response:
    """The `send` side: writes the app's response onto the connection as it arrives."""

    def __init__(
        self, conn: HttpConnection, request: Request, rid: str, extra: list[tuple[str, str]], keep_alive: bool
    ) -> None:
        self.conn = conn
        self.request = request
        self.rid = rid
        self.extra = extra
        self.keep_alive = keep_alive
        self.status = 0
        self.sent = 0
        self.started = False
        self.finished = False
        self.chunked = False

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            if self.started:
                raise RuntimeError("http.response.start sent twice")
            self._start(int(message["status"]), message.get("headers", []))
        elif kind == "http.response.body":
            if not self.started or self.finished:
                raise RuntimeError("http.response.body outside a response")
            await self._body(bytes(message.get("body", b"")), bool(message.get("more_body", False)))

    def _start(self, status: int, raw_headers: list[tuple[bytes, bytes]]) -> None:
        self.started = True
        self.status = status
        content_type: bytes | None = None
        length: int | None = None
        headers = list(self.extra)
        for raw_name, raw_value in raw_headers:
            name = bytes(raw_name).decode("latin-1").lower()
            value = bytes(raw_value).decode("latin-1")
            if name == "content-type":
                content_type = value.encode("latin-1")
            elif name == "content-length":
                length = int(value)
            elif name not in _HOP_BY_HOP and name not in _ALREADY_SET:
                headers.append((name, value))
        if length is None:
            if self.request.http10:
                length = -1  # until the connection closes
                self.keep_alive = False
            else:
                self.chunked = True
        self.conn.write(response_head(status, content_type, length, self.rid, headers, self.keep_alive))

    async def _body(self, body: bytes, more: bool) -> None:
        if body:
            self.sent += len(body)
            self.conn.write(chunk(body) if self.chunked else body)
        if not more:
            self.finished = True
            if self.chunked:
                self.conn.write(b"0\r\n\r\n")
        await self.conn.drain()


async def serve_asgi(
    app: AsgiApp,
    scope: Scope,
    conn: HttpConnection,
    request: Request,
    rid: str,
    extra_headers: list[tuple[str, str]],
    keep_alive: bool,
) -> tuple[int, int, bool]:
    """Runs `app` for one request; (status, body bytes sent, whether the connection stays open)."""
    body_sent = False

    async def receive() -> Message:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        # Nothing more will come; a lost client cancels this task instead (see the module docstring).
        await asyncio.Future()
        raise AssertionError("unreachable")

    response = _Response(conn, request, rid, extra_headers, keep_alive)
    try:
        await app(scope, receive, response.send)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("ASGI application failed", extra={"path": scope["path"], "request_id": rid})
        if not response.started:
            body = codec.client_error_body(INTERNAL_SERVER_ERROR, "internal gateway error")
            return INTERNAL_SERVER_ERROR, send_json(conn, INTERNAL_SERVER_ERROR, body, rid, [], False), False
        return response.status, response.sent, False
    if not response.started:
        log.error("ASGI application sent no response", extra={"path": scope["path"], "request_id": rid})
        body = codec.client_error_body(INTERNAL_SERVER_ERROR, "internal gateway error")
        return INTERNAL_SERVER_ERROR, send_json(conn, INTERNAL_SERVER_ERROR, body, rid, [], False), False
    # A response the app left unfinished cannot be delimited any more: the connection ends it.
    return response.status, response.sent, response.keep_alive and response.finished
