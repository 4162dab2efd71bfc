"""The REST gateway's HTTP/1.1 server: connections, edge policies, transcoding calls, drain.

One asyncio protocol per connection parses with httptools and queues complete requests; one
worker at a time answers them in order (pipelining-safe). A request is matched against the route
table built once from the descriptor set, bound to a request message, sent upstream as bytes over a
pooled channel, and answered as proto3 JSON (or the mapped gRPC status). Everything that can be
computed at start-up is: routes, message classes, multicallables, OpenAPI, status lines.

Fixed endpoints take precedence over routes: `/health` (liveness), `/ready` (grpc.health.v1 of
every upstream service), `/openapi.json`, `/docs`.

gRPC clients can use the same port: a connection that opens with the HTTP/2 preface is spliced
byte-for-byte to the upstream gRPC target. gRPC over HTTP/1.1 is impossible (trailers, framing),
so an HTTP/1.1 request with `content-type: application/grpc*` gets 415 and a JSON explanation.

Limits: request line + headers (414/431), body (`max_request_body_bytes`, 413 answered as soon as
Content-Length shows it, or when a chunked body crosses it), idle keep-alive connections and
stalled requests are closed by a periodic sweep.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import email.utils
import http
import json
import logging
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import grpc
import httptools
from google.api import httpbody_pb2
from google.protobuf import json_format
from google.protobuf.message import Message

from hph.gateway import codec
from hph.gateway.binding import BindingError, build_request
from hph.gateway.descriptors import DescriptorSet, load_descriptor_set, service_bindings
from hph.gateway.edge import CorsPolicy, Limiter, RateLimiter, SubjectReader, request_id
from hph.gateway.openapi import build_openapi, render_docs_html
from hph.gateway.routes import Match, Route, RouteError, RouteTable
from hph.gateway.upstream import Metadata, StreamMethod, UnaryMethod, UpstreamPool, upstream_connections_for
from hph.runtime.rpc.local import LocalChannel
from hph.runtime.server import run_until_signalled
from hph.runtime.settings import Settings

__all__ = ["GatewayHost", "HttpLimits", "RouteError", "run_gateway", "serve", "start_gateway"]

log = logging.getLogger("hph.gateway")
access_log = logging.getLogger("hph.gateway.access")

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
HTTP_BODY = "google.api.HttpBody"


@dataclass(frozen=True)
class HttpLimits:
    """Connection-level limits (the body limit comes from settings.max_request_body_bytes)."""

    # The request head becomes gRPC metadata (plus x-envoy-original-path), and gRPC servers refuse
    # metadata over 8 KiB by default (randomly between 8 and 16 KiB), so the head is capped below
    # that: a deterministic 414/431 instead of a random 429 from upstream.
    max_url_bytes: int = 4 * 1024
    # URL + every header's name and value (+32 bytes each, HPACK's accounting).
    max_header_bytes: int = 7 * 1024
    max_header_count: int = 100
    # A keep-alive connection with no request in progress is closed after this long.
    idle_timeout_seconds: float = 30.0
    # A request whose head/body is still arriving after this long is dropped (slow-loris).
    request_timeout_seconds: float = 30.0
    # How often the sweep looks for expired connections.
    sweep_interval_seconds: float = 1.0
    # Requests parsed ahead of the one being answered before reading pauses.
    max_pipelined: int = 16
    # After a 413 the rest of the body is read and dropped (so the client sees the answer) up to this.
    max_discard_bytes: int = 16 * 1024 * 1024


# ------------------------------------------------------------------------------ response framing


def _reason(status: int) -> str:
    if status == 499:
        return "Client Closed Request"
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


_STATUS_LINES: dict[int, bytes] = {}


def _status_line(status: int) -> bytes:
    line = _STATUS_LINES.get(status)
    if line is None:
        line = _STATUS_LINES[status] = f"HTTP/1.1 {status} {_reason(status)}\r\n".encode()
    return line


class _DateHeader:
    """`date:` header line, formatted at most once per second."""

    def __init__(self) -> None:
        self._second = -1
        self._line = b""

    def line(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._line = f"date: {email.utils.formatdate(now, usegmt=True)}\r\n".encode()
        return self._line


_DATE = _DateHeader()
_JSON = b"application/json"
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def _head(
    status: int,
    content_type: bytes | None,
    length: int | None,
    rid: str,
    extra: list[tuple[str, str]],
    keep_alive: bool,
) -> bytes:
    """Status line and headers; `length` None means chunked, negative means until the connection closes."""
    parts = [_status_line(status), _DATE.line()]
    if content_type is not None:
        parts.append(b"content-type: " + content_type + b"\r\n")
    if length is None:
        parts.append(b"transfer-encoding: chunked\r\n")
    elif length >= 0:
        parts.append(b"content-length: %d\r\n" % length)
    parts.append(b"x-request-id: " + rid.encode() + b"\r\n")
    for name, value in extra:
        parts.append(f"{name}: {value}\r\n".encode("latin-1"))
    if not keep_alive:
        parts.append(b"connection: close\r\n")
    parts.append(b"\r\n")
    return b"".join(parts)


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(data), data)


def _raw(data: bytes) -> bytes:
    return data


# ----------------------------------------------------------------------------- request metadata

# Never forwarded: hop-by-hop headers, framing, and what gRPC itself owns on the upstream hop.
_DROPPED = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"transfer-encoding",
        b"te",
        b"trailer",
        b"upgrade",
        b"host",
        b"content-length",
        b"content-type",
        b"expect",
        b"x-request-id",  # replaced by the gateway's (echoed or generated) one
    }
)
_METADATA_NAME = re.compile(rb"[0-9a-z_.\-]+")
_BAD_VALUE = re.compile(rb"[^\x20-\x7e]")
_NAME_CACHE: dict[bytes, str | None] = {}


def _metadata_name(name: bytes) -> str | None:
    """The metadata key for a lower-cased header name, or None if gRPC would refuse it."""
    cached = _NAME_CACHE.get(name, b"")
    if cached != b"":
        return cached  # type: ignore[return-value]
    refused = name in _DROPPED or name.startswith((b"proxy-", b"grpc-", b":")) or not _METADATA_NAME.fullmatch(name)
    key = None if refused else name.decode("ascii")
    if len(_NAME_CACHE) < 4096:
        _NAME_CACHE[name] = key
    return key


def _metadata(headers: list[tuple[bytes, bytes]], target: str, method: str, rid: str) -> Metadata:
    """Request headers as gRPC metadata (see the module docstring for what is dropped)."""
    metadata: list[tuple[str, str | bytes]] = []
    for name, value in headers:
        key = _metadata_name(name)
        if key is None:
            continue
        if key.endswith("-bin"):
            try:
                metadata.append((key, base64.b64decode(value + b"=" * (-len(value) % 4), validate=True)))
            except (binascii.Error, ValueError):
                continue
        elif not _BAD_VALUE.search(value):
            metadata.append((key, value.decode("ascii")))
    metadata.append(("x-envoy-original-path", target))
    metadata.append(("x-envoy-original-method", method))
    metadata.append(("x-request-id", rid))
    return metadata


# ------------------------------------------------------------------------------------ the request

# Header values the server itself consults; everything else is only forwarded.
_INTERESTING = frozenset(
    {
        b"origin",
        b"authorization",
        b"x-request-id",
        b"content-type",
        b"content-length",
        b"expect",
        b"access-control-request-method",
        b"access-control-request-headers",
    }
)


class Request:
    """One parsed request, or a refusal decided while parsing (`failure`)."""

    __slots__ = ("body", "failure", "headers", "http10", "keep_alive", "method", "special", "target")

    def __init__(
        self,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        special: dict[bytes, str],
        body: bytes,
        keep_alive: bool,
        http10: bool,
        failure: tuple[int, str, str] | None = None,
    ) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.special = special
        self.body = body
        self.keep_alive = keep_alive
        self.http10 = http10
        self.failure = failure


# --------------------------------------------------------------------------------- the connection


class HttpConnection(asyncio.Protocol):
    """Parses requests off one connection and answers them one at a time, in order."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.limits = gateway.limits
        self.loop = gateway.loop
        self.transport: asyncio.Transport | None = None
        self.client_ip = "unknown"
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[Request] = deque()
        self.worker: asyncio.Task[None] | None = None
        self.last_activity = self.loop.time()
        self.lost = False
        self.closing = False  # no further requests are read; close once answered
        self.draining = False  # the server is stopping
        self.paused_reading = False
        self.paused_writing = False
        self._writable: asyncio.Event | None = None
        self.head_only = False  # answering a HEAD request
        self._head_sent = False
        self._sniff: bytes | None = b""  # first bytes, until we know it is not HTTP/2
        self.splice: Splice | None = None
        # The message being parsed.
        self._in_message = False
        self._in_head = True
        self._head_bytes = 0
        self._message_started = self.last_activity  # connection start until a request begins
        self._url = b""
        self._head_size = 0
        # Raw bytes allowed before the head must be complete (one giant header never reaches on_header).
        self._head_budget = self.limits.max_url_bytes + self.limits.max_header_bytes + 1024
        self._headers: list[tuple[bytes, bytes]] = []
        self._special: dict[bytes, str] = {}
        self._body: list[bytes] = []
        self._body_size = 0
        self._rejected = False  # refusal queued; the rest of this message is read and dropped
        self._discarded = 0

    # asyncio callbacks ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports do not subclass it
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and peer:
            self.client_ip = str(peer[0])
        self.gateway.connections.add(self)
        self.gateway.all_closed.clear()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.gateway.connections.discard(self)
        if not self.gateway.connections:
            self.gateway.all_closed.set()
        if self.worker is not None and not self.worker.done():
            self.worker.cancel()
        if self.splice is not None:
            self.splice.close()
        if self._writable is not None:
            self._writable.set()

    def pause_writing(self) -> None:
        self.paused_writing = True
        if self.splice is not None:
            self.splice.pause_upstream_reading()

    def resume_writing(self) -> None:
        self.paused_writing = False
        if self.splice is not None:
            self.splice.resume_upstream_reading()
        if self._writable is not None:
            self._writable.set()

    def data_received(self, data: bytes) -> None:
        self.last_activity = self.loop.time()
        if self.splice is not None:
            self.splice.to_upstream(data)
            return
        if self._sniff is not None:
            data = self._sniff + data
            if PREFACE.startswith(data[: len(PREFACE)]):
                if len(data) < len(PREFACE):
                    self._sniff = data  # could still become the HTTP/2 preface
                    return
                self._sniff = None
                self.splice = Splice(self, self.gateway.grpc_target, data)
                return
            self._sniff = None
        if self.closing and not self._rejected:
            return
        if self._in_head:
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # An Upgrade (e.g. h2c) request: answered as plain HTTP/1.1, then the connection closes.
            self.closing = True
            if self.queue:
                self.queue[-1].keep_alive = False
        except httptools.HttpParserError as exc:
            refusal = _refusal_of(exc)
            if refusal is not None:
                self._refuse(refusal.status, refusal.message)
            else:
                self._refuse(400, f"malformed HTTP request: {exc}")
            return
        if self._in_head and self._in_message and self._head_bytes > self._head_budget:
            self._refuse(431, "request headers are too large")
        elif self._rejected and self._discarded > self.limits.max_discard_bytes:
            self._close()

    # httptools callbacks -------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._in_message = True
        self._message_started = self.loop.time()
        self._url = b""
        self._head_size = 0
        self._headers = []
        self._special = {}
        self._body = []
        self._body_size = 0
        self._rejected = False
        self._discarded = 0

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._head_size += len(url)
        if len(self._url) > self.limits.max_url_bytes:
            raise _Refusal(414, "request URI is too long")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value) + 32
        if self._head_size > self.limits.max_header_bytes:
            raise _Refusal(431, "request headers are too large")
        name = name.lower()
        self._headers.append((name, value))
        if name in _INTERESTING:
            self._special[name] = value.decode("latin-1")
        if len(self._headers) > self.limits.max_header_count:
            raise _Refusal(431, "too many request headers")

    def on_headers_complete(self) -> None:
        self._in_head = False
        limit = self.gateway.max_body
        declared = self._special.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            self._reject(413, f"request body exceeds {limit} bytes")
        elif self._special.get(b"expect", "").lower() == "100-continue" and self._idle() and self.transport:
            self.transport.write(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        if self._rejected:
            self._discarded += len(body)
            return
        self._body_size += len(body)
        if self._body_size > self.gateway.max_body:
            self._body = []
            self._reject(413, f"request body exceeds {self.gateway.max_body} bytes")
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._in_message = False
        self._in_head = True
        self._head_bytes = 0
        if self._rejected:
            # The refusal was queued when the limit was crossed; the connection ends with it.
            self.closing = True
            if self._idle():
                self._close()
            return
        body = self._body[0] if len(self._body) == 1 else b"".join(self._body)
        method = self.parser.get_method().decode("ascii")
        keep_alive = self.parser.should_keep_alive() and not self.draining
        http10 = self.parser.get_http_version() == "1.0"
        self._enqueue(Request(method, self._url, self._headers, self._special, body, keep_alive, http10))

    # queueing and answering ----------------------------------------------------------------

    def _enqueue(self, request: Request) -> None:
        self.queue.append(request)
        if len(self.queue) >= self.limits.max_pipelined and self.transport and not self.paused_reading:
            self.paused_reading = True
            self.transport.pause_reading()
        if self.worker is None:
            self.worker = self.loop.create_task(self._answer_queue())

    async def _answer_queue(self) -> None:
        try:
            while self.queue and not self.lost:
                request = self.queue.popleft()
                if self.paused_reading and len(self.queue) < self.limits.max_pipelined // 2 and self.transport:
                    self.paused_reading = False
                    self.transport.resume_reading()
                self.head_only = request.method == "HEAD"
                self._head_sent = False
                keep_alive = await self.gateway.answer(self, request)
                if not keep_alive:
                    self.closing = True
                    self.queue.clear()
                    if not self._rejected or not self._in_message:
                        self._close()
                    return
        finally:
            self.worker = None
        if self.draining or self.closing:
            self._close()

    def _idle(self) -> bool:
        return self.worker is None and not self.queue

    def _reject(self, status: int, message: str) -> None:
        """Queues a refusal now (before the body arrives) and drops the rest of the message."""
        self._rejected = True
        self._enqueue(self._failure(status, message))

    def _refuse(self, status: int, message: str) -> None:
        """Queues a refusal for a message that cannot be parsed further and stops reading."""
        self.closing = True
        self._rejected = False
        self._in_message = False
        self._enqueue(self._failure(status, message))

    def _failure(self, status: int, message: str) -> Request:
        method = ""
        with contextlib.suppress(httptools.HttpParserError, UnicodeDecodeError):
            method = self.parser.get_method().decode("ascii")
        return Request(method, self._url, self._headers, self._special, b"", False, False, (status, message, ""))

    def write(self, data: bytes) -> None:
        if self.transport is None or self.lost:
            return
        if self.head_only:
            # HEAD: the status line and headers a GET would get, never a body.
            if self._head_sent:
                return
            self._head_sent = True
            data = data[: data.find(b"\r\n\r\n") + 4]
        self.transport.write(data)

    async def drain(self) -> None:
        """Waits while the client is not reading (streaming responses)."""
        if self.paused_writing and not self.lost:
            if self._writable is None:
                self._writable = asyncio.Event()
            self._writable.clear()
            await self._writable.wait()

    def _close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    # lifecycle -----------------------------------------------------------------------------

    def expire(self, now: float) -> None:
        """Called by the sweep: closes idle keep-alive connections and stalled requests."""
        if self.splice is not None or self.lost:
            return
        if self._in_message or self._sniff:
            # Measured from the start of the request, not the last byte: trickling bytes does not help.
            if now - self._message_started > self.limits.request_timeout_seconds:
                self._close()
        elif self._idle() and now - self.last_activity > self.limits.idle_timeout_seconds:
            self._close()

    def shutdown(self) -> None:
        """Stop reading new requests; close now if idle, else after the current answers."""
        self.draining = True
        if self.splice is not None:
            return
        if self._idle() and not self._in_message:
            self._close()


class _Refusal(Exception):
    """Raised inside a parser callback to stop parsing with an HTTP refusal."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _refusal_of(exc: httptools.HttpParserError) -> _Refusal | None:
    cause = exc.__context__ or exc.__cause__
    return cause if isinstance(cause, _Refusal) else None


# --------------------------------------------------------------------------- gRPC pass-through


class Splice:
    """Copies bytes both ways between a client connection and the upstream gRPC server."""

    def __init__(self, client: HttpConnection, target: str, first: bytes) -> None:
        self.client = client
        self.upstream: asyncio.Transport | None = None
        self.pending: list[bytes] = [first]
        self.closed = False
        self.upstream_paused = False
        client.loop.create_task(self._connect(target))

    async def _connect(self, target: str) -> None:
        loop = self.client.loop
        try:
            if target.startswith("unix:"):
                transport, _ = await loop.create_unix_connection(
                    lambda: _UpstreamPipe(self), target.removeprefix("unix:").removeprefix("//")
                )
            else:
                host, port = split_target(target)
                transport, _ = await loop.create_connection(lambda: _UpstreamPipe(self), host, port)
        except OSError as exc:
            log.warning("grpc pass-through: cannot reach upstream", extra={"target": target, "error": str(exc)})
            self.close()
            return
        if self.closed:
            transport.close()
            return
        self.upstream = transport
        for data in self.pending:
            transport.write(data)
        self.pending = []

    def to_upstream(self, data: bytes) -> None:
        if self.upstream is None:
            self.pending.append(data)
        else:
            self.upstream.write(data)

    def to_client(self, data: bytes) -> None:
        self.client.write(data)

    def pause_upstream_reading(self) -> None:
        if self.upstream is not None and not self.upstream_paused:
            self.upstream_paused = True
            self.upstream.pause_reading()

    def resume_upstream_reading(self) -> None:
        if self.upstream is not None and self.upstream_paused:
            self.upstream_paused = False
            self.upstream.resume_reading()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.upstream is not None:
            self.upstream.close()
        self.client._close()


class _UpstreamPipe(asyncio.Protocol):
    def __init__(self, splice: Splice) -> None:
        self.splice = splice

    def data_received(self, data: bytes) -> None:
        self.splice.to_client(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.splice.close()

    def pause_writing(self) -> None:
        transport = self.splice.client.transport
        if transport is not None:
            transport.pause_reading()

    def resume_writing(self) -> None:
        transport = self.splice.client.transport
        if transport is not None and not transport.is_closing():
            transport.resume_reading()


def split_target(target: str) -> tuple[str, int]:
    """host and port of a gRPC target such as "127.0.0.1:50051", "dns:///svc:50051", "[::1]:50051"."""
    rest = target
    for prefix in ("dns:///", "dns:", "ipv4:", "ipv6:"):
        if rest.startswith(prefix):
            rest = rest[len(prefix) :]
            break
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"gRPC target {target!r} is not host:port")
    return host.strip("[]") or "127.0.0.1", int(port)


# -------------------------------------------------------------------------------- transcoding


@dataclass(frozen=True)
class RouteCall:
    """Everything a route needs per request, resolved once at start-up."""

    rpc: str
    input_class: type[Message]
    output_class: type[Message]
    unary: UnaryMethod | None
    stream: StreamMethod | None
    http_body_out: bool
    response_body: str


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
        limiter: Limiter | None = None,
        services: Sequence[str] | None = None,
    ) -> None:
        self.settings = settings
        self.grpc_target = grpc_target
        self.descriptors = descriptors
        self.table = table
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
        self.limiter: Limiter = limiter or RateLimiter(
            per_ip_per_minute=settings.rate_limit_per_ip_per_minute,
            per_user_per_minute=settings.rate_limit_per_user_per_minute,
            clock=time.monotonic,
        )
        self.subject = SubjectReader()
        self.calls: dict[int, RouteCall] = {id(route): self._route_call(route) for route in table.routes}
        self.services = sorted({route.binding.service for route in table.routes})
        spec = build_openapi(descriptors, services=services)
        self.openapi = json.dumps(spec, indent=1).encode()
        self.docs = render_docs_html(spec).encode()
        self.fixed: dict[str, Callable[[], Awaitable[tuple[int, bytes, bytes]]]] = {
            "/health": self._health,
            "/ready": self._ready,
            "/openapi.json": self._openapi,
            "/docs": self._docs,
        }

    def _route_call(self, route: Route) -> RouteCall:
        binding = route.binding
        output = route.output_type
        return RouteCall(
            rpc=binding.rpc,
            input_class=self.descriptors.message_class(route.input_type),
            output_class=self.descriptors.message_class(output),
            unary=None if route.server_streaming else self.pool.unary(self.grpc_target, binding.rpc),
            stream=self.pool.stream(self.grpc_target, binding.rpc) if route.server_streaming else None,
            http_body_out=output.full_name == HTTP_BODY,
            response_body=binding.response_body,
        )

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
        status = 500
        sent = 0
        try:
            cors = self.cors.response_headers(origin) if self.cors.enabled else []
            if request.failure is not None:
                status, message, field = request.failure
                sent = self._send_error(conn, status, codec.client_error_body(status, message, field), rid, cors, False)
                return False
            method = request.method
            if (
                method == "OPTIONS"
                and origin
                and self.cors.is_preflight(method, origin, special.get(b"access-control-request-method"))
            ):
                headers = self.cors.preflight_headers(origin, special.get(b"access-control-request-headers"))
                conn.write(_head(204, None, 0, rid, headers, keep_alive))
                status = 204
                return keep_alive
            fixed = self.fixed.get(path) if method in ("GET", "HEAD") else None
            if fixed is not None:
                status, content_type, body = await fixed()
                conn.write(_head(status, content_type, len(body), rid, cors, keep_alive) + body)
                sent = len(body)
                return keep_alive
            if special.get(b"content-type", "").startswith("application/grpc"):
                status = 415
                message = (
                    "gRPC needs HTTP/2: point the gRPC client at this port with HTTP/2 (prior knowledge), "
                    "which is passed straight through to the gRPC server, or send JSON over HTTP/1.1"
                )
                sent = self._send_error(conn, status, codec.client_error_body(status, message), rid, cors, keep_alive)
                return keep_alive
            user = self.subject(special.get(b"authorization"))
            if self.limiter.enabled:
                wait = self.limiter.check(conn.client_ip, user)
                if wait:
                    status = 429
                    body = codec.client_error_body(
                        429, f"rate limit exceeded; retry in {wait} s", retry_after_seconds=wait
                    )
                    sent = self._send_error(conn, 429, body, rid, [*cors, ("retry-after", str(wait))], keep_alive)
                    return keep_alive
            status, sent, rpc = await self._transcode(conn, request, target, rid, cors, keep_alive)
            return keep_alive and request.keep_alive
        except asyncio.CancelledError:
            status = 499
            raise
        except Exception:
            log.exception("gateway failure", extra={"path": path, "request_id": rid})
            status = 500
            body = codec.client_error_body(500, "internal gateway error")
            sent = self._send_error(conn, 500, body, rid, [], False)
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

    def _send_error(
        self, conn: HttpConnection, status: int, body: bytes, rid: str, headers: list[tuple[str, str]], keep: bool
    ) -> int:
        conn.write(_head(status, _JSON, len(body), rid, headers, keep) + body)
        return len(body)

    async def _transcode(
        self,
        conn: HttpConnection,
        request: Request,
        target: str,
        rid: str,
        cors: list[tuple[str, str]],
        keep_alive: bool,
    ) -> tuple[int, int, str]:
        """Routes, binds and calls; returns (status, body bytes, rpc)."""
        raw_path, _, raw_query = target.partition("?")
        match: Match | None = self.table.match(request.method, raw_path)
        if match is None:
            body = codec.client_error_body(404, f"no route for {request.method} {raw_path}")
            return 404, self._send_error(conn, 404, body, rid, cors, keep_alive), ""
        call = self.calls[id(match.route)]
        try:
            message = build_request(
                match, raw_query, request.body, request.special.get(b"content-type", ""), call.input_class
            )
        except BindingError as exc:
            status = exc.status
            body = codec.client_error_body(status, exc.message, exc.field, reason=exc.reason)
            return status, self._send_error(conn, status, body, rid, cors, keep_alive), call.rpc
        payload = message.SerializeToString()
        metadata = _metadata(request.headers, target, request.method, rid)
        if call.unary is not None:
            try:
                response = await call.unary(payload, metadata)
            except grpc.aio.AioRpcError as exc:
                status, body = self._status_body(exc)
                return status, self._send_error(conn, status, body, rid, cors, keep_alive), call.rpc
            content_type, body = self._encode(call, response)
            conn.write(_head(200, content_type, len(body), rid, cors, keep_alive) + body)
            return 200, len(body), call.rpc
        assert call.stream is not None
        status, sent = await self._stream(conn, request, call, payload, metadata, rid, cors, keep_alive)
        return status, sent, call.rpc

    def _encode(self, call: RouteCall, response: bytes) -> tuple[bytes, bytes]:
        if call.http_body_out:
            body = httpbody_pb2.HttpBody.FromString(response)
            return (body.content_type or "application/octet-stream").encode("latin-1"), body.data
        message = call.output_class.FromString(response)
        if call.response_body:
            return _JSON, _encode_field(message, call.response_body, self.settings.json_emit_defaults)
        return _JSON, codec.encode_message(message, emit_defaults=self.settings.json_emit_defaults)

    def _status_body(self, exc: grpc.aio.AioRpcError) -> tuple[int, bytes]:
        """HTTP status and `{"code","message","details"}` of a failed call (details from the trailer)."""
        code, message, details = codec.status_details(exc.trailing_metadata(), exc.code().value[0], exc.details() or "")
        return codec.http_status(code), codec.error_body(code, message, details, self.descriptors.pool)

    async def _stream(
        self,
        conn: HttpConnection,
        request: Request,
        call: RouteCall,
        payload: bytes,
        metadata: Metadata,
        rid: str,
        cors: list[tuple[str, str]],
        keep_alive: bool,
    ) -> tuple[int, int]:
        """A JSON array (or raw HttpBody chunks) written as messages arrive.

        HTTP/1.0 clients get the body delimited by closing the connection (no chunked encoding).
        """
        assert call.stream is not None
        grpc_call = call.stream(payload, metadata)
        messages = grpc_call.__aiter__()
        chunked = not request.http10
        frame = _chunk if chunked else _raw
        try:
            try:
                first = await messages.__anext__()
            except StopAsyncIteration:
                first = None
            except grpc.aio.AioRpcError as exc:
                status, body = self._status_body(exc)
                return status, self._send_error(conn, status, body, rid, cors, keep_alive)
            if call.http_body_out:
                content_type, opening = (
                    self._encode(call, first) if first is not None else (b"application/octet-stream", b"")
                )
            else:
                content_type = _JSON
                opening = b"[" if first is None else b"[" + self._encode(call, first)[1]
            head = _head(200, content_type, None if chunked else -1, rid, cors, keep_alive and chunked)
            sent = len(opening)
            conn.write(head + (frame(opening) if opening else b""))
            try:
                async for message in messages:
                    data = self._encode(call, message)[1]
                    piece = data if call.http_body_out else b"," + data
                    sent += len(piece)
                    conn.write(frame(piece))
                    await conn.drain()
            except grpc.aio.AioRpcError as exc:
                # The 200 is on the wire; the array is closed and the failure only logged.
                log.warning(
                    "stream failed after the first message",
                    extra={"rpc": call.rpc, "code": exc.code().name, "request_id": rid},
                )
            closing = b"" if call.http_body_out else b"]"
            sent += len(closing)
            conn.write((frame(closing) if closing else b"") + (b"0\r\n\r\n" if chunked else b""))
            if not chunked:
                request.keep_alive = False
            return 200, sent
        finally:
            if not grpc_call.done():
                grpc_call.cancel()

    # fixed endpoints -------------------------------------------------------------------------

    async def _health(self) -> tuple[int, bytes, bytes]:
        return 200, _JSON, b'{"status":"ok"}'

    async def _ready(self) -> tuple[int, bytes, bytes]:
        states = await asyncio.gather(*(self.pool.health(self.grpc_target, s) for s in self.services))
        services = dict(zip(self.services, states, strict=True))
        down = [name for name, state in services.items() if state != "SERVING"]
        if down:
            body: dict[str, Any] = {"status": "not_ready", "services": services, "not_serving": down}
            return 503, _JSON, json.dumps(body).encode()
        return 200, _JSON, json.dumps({"status": "ready", "services": services}).encode()

    async def _openapi(self) -> tuple[int, bytes, bytes]:
        return 200, _JSON, self.openapi

    async def _docs(self) -> tuple[int, bytes, bytes]:
        return 200, b"text/html; charset=utf-8", self.docs


def _encode_field(message: Message, field_name: str, emit_defaults: bool) -> bytes:
    """JSON of one response field (`response_body` in the HTTP rule); a default value is printed."""
    field = message.DESCRIPTOR.fields_by_name[field_name]
    if field.message_type is not None and not field.is_repeated:
        return codec.encode_message(getattr(message, field_name), emit_defaults=emit_defaults)
    rendered = codec.to_json_object(message, emit_defaults=emit_defaults).get(field_name)
    if rendered is None:
        with_defaults = json_format.MessageToDict(
            message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )
        rendered = with_defaults.get(field_name)
    return json.dumps(rendered, separators=(",", ":"), ensure_ascii=False).encode()


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
        await self.gateway.pool.close()
        self.gateway.limiter.close()
        log.info("gateway stopped")


async def start_gateway(
    settings: Settings,
    *,
    grpc_target: str,
    descriptors: DescriptorSet | None = None,
    limits: HttpLimits | None = None,
    local: LocalChannel | None = None,
    limiter: Limiter | None = None,
    reuse_port: bool = False,
    services: Sequence[str] | None = None,
) -> GatewayHost:
    """Builds the route table (refusing bad rules with RouteError), then listens on settings.http_port.

    `local` co-hosts the gateway with the services it fronts (their unary RPCs are called in-process);
    `reuse_port` lets several such worker processes share the HTTP port, with one `limiter` they
    all see (edge.Limiter; an in-process RateLimiter by default). `services` (full names) limits the
    routes, the OpenAPI document and /ready to those services; every service in the set by default.
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
    log.info(
        "gateway listening",
        extra={
            "address": f"{settings.http_host}:{host.port}",
            "grpc_target": grpc_target,
            "cohosted": local is not None,
            "routes": len(table.routes),
            "services": gateway.services,
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
