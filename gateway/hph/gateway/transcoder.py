"""Transcoding: a routed REST request becomes a gRPC call, and its answer proto3 JSON.

A request is matched against the route table built once from the descriptor set, bound to a request
message (`binding`), sent upstream as bytes over a pooled channel with its headers as metadata
(`upstream`), and answered as proto3 JSON or the mapped gRPC status (`codec`). Everything that can
be resolved at start-up is, per route (`RouteCall`): message classes, multicallables, response shape.
A server-streaming RPC is answered as a JSON array written as the messages arrive.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from dataclasses import dataclass
from http import HTTPStatus

import grpc
from google.api import httpbody_pb2
from google.protobuf import json_format
from google.protobuf.message import Message

from hph.gateway import codec
from hph.gateway.binding import BindingError, build_request
from hph.gateway.descriptors import HTTP_BODY, DescriptorSet
from hph.gateway.encoded_answers import EncodedAnswers
from hph.gateway.http1 import JSON, OK, HttpConnection, Request, chunk, raw, response_head, send_json
from hph.gateway.routes import Match, Route, RouteTable
from hph.gateway.upstream import Metadata, StreamMethod, UnaryMethod, UpstreamPool

log = logging.getLogger("hph.gateway")

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
    """Request headers as gRPC metadata (`_DROPPED` and `_metadata_name` say what is not forwarded)."""
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


class Transcoder:
    """Answers routed requests by calling their RPC; built once by the server."""

    def __init__(
        self,
        table: RouteTable,
        descriptors: DescriptorSet,
        pool: UpstreamPool,
        grpc_target: str,
        *,
        emit_defaults: bool,
    ) -> None:
        self.table = table
        self.descriptors = descriptors
        self.emit_defaults = emit_defaults  # settings.json_emit_defaults: print fields holding their default
        self.calls: dict[int, RouteCall] = {
            id(route): _route_call(route, descriptors, pool, grpc_target) for route in table.routes
        }
        # Hot answers repeat byte for byte: their JSON is printed once (see encoded_answers).
        self.encoded = EncodedAnswers()

    async def transcode(
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
            status: int = HTTPStatus.NOT_FOUND
            body = codec.client_error_body(status, f"no route for {request.method} {raw_path}")
            return status, send_json(conn, status, body, rid, cors, keep_alive), ""
        call = self.calls[id(match.route)]
        try:
            message = build_request(
                match, raw_query, request.body, request.special.get(b"content-type", ""), call.input_class
            )
        except BindingError as exc:
            status = exc.status
            body = codec.client_error_body(status, exc.message, exc.field, reason=exc.reason)
            return status, send_json(conn, status, body, rid, cors, keep_alive), call.rpc
        payload = message.SerializeToString()
        metadata = _metadata(request.headers, target, request.method, rid)
        if call.unary is not None:
            try:
                response = await call.unary(payload, metadata)
            except grpc.aio.AioRpcError as exc:
                status, body = self._status_body(exc)
                return status, send_json(conn, status, body, rid, cors, keep_alive), call.rpc
            content_type, body = self._encode_unary(match.route, call, response)
            conn.write(response_head(OK, content_type, len(body), rid, cors, keep_alive) + body)
            return OK, len(body), call.rpc
        assert call.stream is not None
        status, sent = await self._stream(conn, request, call, payload, metadata, rid, cors, keep_alive)
        return status, sent, call.rpc

    def _encode_unary(self, route: Route, call: RouteCall, response: bytes) -> tuple[bytes, bytes]:
        """`_encode`, through the memo of answers printed before (JSON answers only)."""
        if call.http_body_out or not self.encoded.worth_keeping(response):
            return self._encode(call, response)
        body = self.encoded.get(id(route), response)
        if body is None:
            body = self._encode(call, response)[1]
            self.encoded.put(id(route), response, body)
        return JSON, body

    def _encode(self, call: RouteCall, response: bytes) -> tuple[bytes, bytes]:
        if call.http_body_out:
            body = httpbody_pb2.HttpBody.FromString(response)
            return (body.content_type or "application/octet-stream").encode("latin-1"), body.data
        message = call.output_class.FromString(response)
        if call.response_body:
            return JSON, _encode_field(message, call.response_body, self.emit_defaults)
        return JSON, codec.encode_message(message, emit_defaults=self.emit_defaults)

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
        frame = chunk if chunked else raw
        try:
            try:
                first = await messages.__anext__()
            except StopAsyncIteration:
                first = None
            except grpc.aio.AioRpcError as exc:
                status, body = self._status_body(exc)
                return status, send_json(conn, status, body, rid, cors, keep_alive)
            if call.http_body_out:
                content_type, opening = (
                    self._encode(call, first) if first is not None else (b"application/octet-stream", b"")
                )
            else:
                content_type = JSON
                opening = b"[" if first is None else b"[" + self._encode(call, first)[1]
            head = response_head(OK, content_type, None if chunked else -1, rid, cors, keep_alive and chunked)
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
            return OK, sent
        finally:
            if not grpc_call.done():
                grpc_call.cancel()


def _route_call(route: Route, descriptors: DescriptorSet, pool: UpstreamPool, grpc_target: str) -> RouteCall:
    binding = route.binding
    output = route.output_type
    return RouteCall(
        rpc=binding.rpc,
        input_class=descriptors.message_class(route.input_type),
        output_class=descriptors.message_class(output),
        unary=None if route.server_streaming else pool.unary(grpc_target, binding.rpc),
        stream=pool.stream(grpc_target, binding.rpc) if route.server_streaming else None,
        http_body_out=output.full_name == HTTP_BODY,
        response_body=binding.response_body,
    )


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
