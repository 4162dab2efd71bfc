"""HTTP/1.1 on one connection: parsing, limits, keep-alive and pipelining, writing responses.

One asyncio protocol per connection parses with httptools and queues complete requests; one
worker at a time hands them to the server's `answer` in order (pipelining-safe), and writes what it
answers. A connection that opens with the HTTP/2 preface is handed to `splice` instead.

Limits: request line + headers (414/431), body (`max_request_body_bytes`, 413 answered as soon as
Content-Length shows it, or when a chunked body crosses it), idle keep-alive connections and
stalled requests are closed by a periodic sweep (`expire`, called by the server).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import time
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from typing import Protocol, cast

import httptools

from hph.gateway.splice import PREFACE, Splice


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

# The statuses every request can be answered with, as plain ints named once: on Python 3.11 each use
# of an HTTPStatus member is a slow class attribute lookup (about 0.5 µs), too slow for the hot path.
OK = HTTPStatus.OK.value
NO_CONTENT = HTTPStatus.NO_CONTENT.value
INTERNAL_SERVER_ERROR = HTTPStatus.INTERNAL_SERVER_ERROR.value
# The client went away before the answer (nginx's code; HTTPStatus has no member for it).
CLIENT_CLOSED_REQUEST = 499


def _reason(status: int) -> str:
    if status == CLIENT_CLOSED_REQUEST:
        return "Client Closed Request"
    try:
        return HTTPStatus(status).phrase
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
JSON = b"application/json"
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def response_head(
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


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(data), data)


def raw(data: bytes) -> bytes:
    return data


def send_json(
    conn: HttpConnection, status: int, body: bytes, rid: str, headers: list[tuple[str, str]], keep: bool
) -> int:
    """Writes a JSON response (an error, mostly) in one piece; returns the body's length."""
    conn.write(response_head(status, JSON, len(body), rid, headers, keep) + body)
    return len(body)


class RequestHandler(Protocol):
    """What a connection needs from the server that accepted it."""

    limits: HttpLimits
    loop: asyncio.AbstractEventLoop
    max_body: int
    grpc_target: str  # where an HTTP/2 connection is spliced to
    connections: set[HttpConnection]
    all_closed: asyncio.Event

    async def answer(self, conn: HttpConnection, request: Request) -> bool:
        """Writes the whole answer to `request`; returns whether the connection stays open."""
        ...


# ------------------------------------------------------------------------------------ the request

# Header values the server itself consults; everything else is only forwarded.
_INTERESTING = frozenset(
    {
        b"origin",
        b"accept",
        b"accept-encoding",
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

    def __init__(self, gateway: RequestHandler) -> None:
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
                self._refuse(HTTPStatus.BAD_REQUEST, f"malformed HTTP request: {exc}")
            return
        if self._in_head and self._in_message and self._head_bytes > self._head_budget:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers are too large")
        elif self._rejected and self._discarded > self.limits.max_discard_bytes:
            self.close()

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
            raise _Refusal(HTTPStatus.REQUEST_URI_TOO_LONG, "request URI is too long")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value) + 32
        if self._head_size > self.limits.max_header_bytes:
            raise _Refusal(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers are too large")
        name = name.lower()
        self._headers.append((name, value))
        if name in _INTERESTING:
            self._special[name] = value.decode("latin-1")
        if len(self._headers) > self.limits.max_header_count:
            raise _Refusal(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "too many request headers")

    def on_headers_complete(self) -> None:
        self._in_head = False
        limit = self.gateway.max_body
        declared = self._special.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            self._reject(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body exceeds {limit} bytes")
        elif self._special.get(b"expect", "").lower() == "100-continue" and self._idle() and self.transport:
            self.transport.write(_CONTINUE)

    def on_body(self, body: bytes) -> None:
        if self._rejected:
            self._discarded += len(body)
            return
        self._body_size += len(body)
        if self._body_size > self.gateway.max_body:
            self._body = []
            self._reject(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"request body exceeds {self.gateway.max_body} bytes")
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
                self.close()
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
                        self.close()
                    return
        finally:
            self.worker = None
        if self.draining or self.closing:
            self.close()

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

    def close(self) -> None:
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
                self.close()
        elif self._idle() and now - self.last_activity > self.limits.idle_timeout_seconds:
            self.close()

    def shutdown(self) -> None:
        """Stop reading new requests; close now if idle, else after the current answers."""
        self.draining = True
        if self.splice is not None:
            return
        if self._idle() and not self._in_message:
            self.close()


class _Refusal(Exception):
    """Raised inside a parser callback to stop parsing with an HTTP refusal."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _refusal_of(exc: httptools.HttpParserError) -> _Refusal | None:
    cause = exc.__context__ or exc.__cause__
    return cause if isinstance(cause, _Refusal) else None
