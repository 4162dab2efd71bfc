"""The ASGI bridge (hph.gateway.asgi): an ASGI app answering requests the gateway's HTTP/1.1 server
parsed, on real sockets: the scope it sees, and the framing of what it sends (Content-Length,
chunked, HTTP/1.0 close-delimited, HEAD), keep-alive, and failures before and after the response
started."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from hph.gateway.asgi import Receive, Scope, Send, http_scope, serve_asgi
from hph.gateway.http1 import HttpConnection, HttpLimits, Request

RID = "rid-bridge-test"


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers by path: the routes below exercise each framing."""
    path = scope["path"]
    if path == "/echo":
        message = await receive()
        seen = {
            "method": scope["method"],
            "path": path,
            "raw_path": scope["raw_path"].decode(),
            "query": scope["query_string"].decode(),
            "http_version": scope["http_version"],
            "body": message["body"].decode(),
            "more_body": message["more_body"],
            "request_id": dict(scope["headers"]).get(b"x-request-id", b"").decode(),
        }
        body = json.dumps(seen).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        # Framing and connection handling are the server's: these never reach the client.
        headers += [(b"connection", b"close"), (b"date", b"yesterday"), (b"x-app", b"yes")]
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        await send({"type": "http.response.body", "body": body[:5], "more_body": True})
        await send({"type": "http.response.body", "body": body[5:]})
    elif path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for part in (b"one,", b"two,", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif path == "/fails-first":
        raise RuntimeError("before the response")
    elif path == "/fails-midway":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        raise RuntimeError("after the response started")
    else:
        await send({"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


@dataclass
class Bridge:
    """The gateway's connection handling with every request answered by `app` through the bridge."""

    loop: asyncio.AbstractEventLoop
    limits: HttpLimits = field(default_factory=HttpLimits)
    max_body: int = 1 << 20
    grpc_target: str = "127.0.0.1:1"
    connections: set[HttpConnection] = field(default_factory=set)
    all_closed: asyncio.Event = field(default_factory=asyncio.Event)

    async def answer(self, conn: HttpConnection, request: Request) -> bool:
        target = request.target.decode("latin-1")
        scope = http_scope(conn, request, target, RID, ("127.0.0.1", 0))
        _, _, stays_open = await serve_asgi(app, scope, conn, request, RID, [("x-edge", "cors")], request.keep_alive)
        return stays_open


@pytest.fixture
async def port() -> AsyncIterator[int]:
    loop = asyncio.get_running_loop()
    bridge = Bridge(loop)
    server = await loop.create_server(lambda: HttpConnection(bridge), "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        for conn in list(bridge.connections):
            conn.close()
        await server.wait_closed()


async def exchange(port: int, *requests: bytes) -> bytes:
    """Sends the requests on one connection and reads until the server closes it (or 2 s pass)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"".join(requests))
    received = b""
    try:
        while chunk := await asyncio.wait_for(reader.read(65536), 2):
            received += chunk
    except TimeoutError:
        pass
    writer.close()
    return received


def get(path: str, version: str = "1.1", method: str = "GET", extra: str = "") -> bytes:
    return f"{method} {path} HTTP/{version}\r\nHost: t\r\n{extra}\r\n".encode()


def split(response: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    status, *lines = head.decode().split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return status, headers, body


async def test_the_app_sees_the_request_and_its_length_is_kept(port: int) -> None:
    body = b'{"hello": "world"}'
    head = f"POST /ec%68o?x=1&y=%20 HTTP/1.1\r\nHost: t\r\nContent-Length: {len(body)}\r\nX-Request-Id: theirs\r\n"
    post = head.encode() + b"\r\n" + body
    # Two requests on one connection: the app's "connection: close" does not end it.
    received = await exchange(port, post, get("/nowhere", extra="Connection: close\r\n"))
    first, _, second = received.partition(b"HTTP/1.1 404")
    status, headers, payload = split(first)
    assert status == "HTTP/1.1 201 Created"
    assert headers["content-length"] == str(len(payload))
    assert (headers["x-app"], headers["x-edge"], headers["x-request-id"]) == ("yes", "cors", RID)
    assert "connection" not in headers and headers["date"] != "yesterday"
    seen: dict[str, Any] = json.loads(payload)
    assert seen == {
        "method": "POST",
        "path": "/echo",
        "raw_path": "/ec%68o",
        "query": "x=1&y=%20",
        "http_version": "1.1",
        "body": '{"hello": "world"}',
        "more_body": False,
        "request_id": RID,  # the gateway's id replaces the client's header, as for REST
    }
    assert second.startswith(b" Not Found")


async def test_a_response_without_length_is_chunked_and_the_connection_kept(port: int) -> None:
    received = await exchange(port, get("/stream"), get("/nowhere", extra="Connection: close\r\n"))
    status, headers, rest = split(received)
    assert status == "HTTP/1.1 200 OK" and headers["transfer-encoding"] == "chunked"
    assert rest.startswith(b"4\r\none,\r\n4\r\ntwo,\r\n5\r\nthree\r\n0\r\n\r\nHTTP/1.1 404 Not Found")


async def test_an_http10_client_gets_the_body_until_the_connection_closes(port: int) -> None:
    received = await exchange(port, get("/stream", version="1.0"))
    status, headers, body = split(received)
    assert status == "HTTP/1.1 200 OK"
    assert "transfer-encoding" not in headers and "content-length" not in headers
    assert headers["connection"] == "close" and body == b"one,two,three"


async def test_head_gets_the_head_only(port: int) -> None:
    received = await exchange(port, get("/stream", method="HEAD", extra="Connection: close\r\n"))
    status, headers, body = split(received)
    assert status == "HTTP/1.1 200 OK" and headers["transfer-encoding"] == "chunked" and body == b""


async def test_an_app_failing_before_answering_is_a_500_that_closes(port: int) -> None:
    received = await exchange(port, get("/fails-first"), get("/nowhere"))
    status, headers, body = split(received)
    assert status == "HTTP/1.1 500 Internal Server Error" and headers["connection"] == "close"
    assert json.loads(body)["message"] == "internal gateway error"
    assert b"404" not in received


async def test_an_app_failing_midway_ends_the_connection_without_the_last_chunk(port: int) -> None:
    received = await exchange(port, get("/fails-midway"), get("/nowhere"))
    status, _, body = split(received)
    assert status == "HTTP/1.1 200 OK"
    assert body == b"7\r\npartial\r\n"  # no terminating chunk: the client knows it is cut short
    assert b"404" not in received
