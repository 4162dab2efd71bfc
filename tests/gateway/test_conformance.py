"""The transcoding conformance list (transcoding.md), over real HTTP through the real gateway.

A real grpc.aio bookstore server (bookstore_server.py) echoes what it received; the gateway runs
on a free port in front of it; requests go over sockets with httpx, or raw bytes where the HTTP
framing itself is under test (pipelining, chunked bodies, limits, early 413).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import grpc
import httpx
import pytest
import pytest_asyncio
from bookstore_server import PNG, SERVICE, BookstoreServer, start_bookstore_server
from google.protobuf import empty_pb2
from grpc_health.v1 import health_pb2

from hph.gateway.descriptors import load_descriptor_set
from hph.gateway.routes import RouteError
from hph.gateway.server import GatewayHost, HttpLimits, start_gateway
from hph.runtime.settings import Settings
from tests.support.protoc import compile_descriptor_set
from tests.support.tokens import unsigned_bearer

# A gateway and the bookstore gRPC server run for the whole module.
pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.integration]

ORIGIN = "https://shop.example"
BODY_LIMIT = 64 * 1024


class Bookstore(Protocol):
    """What this module uses of conftest's `bookstore` fixture."""

    pb2: ModuleType
    pb2_grpc: ModuleType
    descriptor_set: bytes


@dataclass
class Stack:
    bookstore: Bookstore
    upstream: BookstoreServer
    gateway: GatewayHost
    http: httpx.AsyncClient

    @property
    def port(self) -> int:
        return self.gateway.port


def gateway_settings(**overrides: Any) -> Settings:
    base = Settings(
        http_host="127.0.0.1",
        http_port=0,
        cors_allowed_origins=ORIGIN,
        max_request_body_bytes=BODY_LIMIT,
        rate_limit_per_ip_per_minute=0,
        rate_limit_per_user_per_minute=0,
        gateway_upstream_timeout_seconds=5.0,
        shutdown_grace_seconds=2.0,
        # Envoy's default printing (defaults omitted); the platform turns always-print on.
        json_emit_defaults=False,
    )
    return replace(base, **overrides)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(bookstore: Bookstore) -> AsyncIterator[Stack]:
    upstream = await start_bookstore_server(bookstore.pb2, bookstore.pb2_grpc)
    gateway = await start_gateway(
        gateway_settings(),
        grpc_target=upstream.target,
        descriptors=load_descriptor_set(bookstore.descriptor_set),
    )
    client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}", timeout=10)
    try:
        yield Stack(bookstore, upstream, gateway, client)
    finally:
        await client.aclose()
        await gateway.stop()
        await upstream.stop()


def details_of(body: dict[str, Any], type_suffix: str) -> list[dict[str, Any]]:
    return [d for d in body.get("details", []) if str(d.get("@type", "")).endswith(type_suffix)]


def field_named(body: dict[str, Any]) -> set[str]:
    """Fields named by BadRequest violations (either JSON spelling of the detail)."""
    names: set[str] = set()
    for detail in details_of(body, "google.rpc.BadRequest"):
        for violation in detail.get("field_violations", detail.get("fieldViolations", [])):
            names.add(violation["field"])
    return names


# ------------------------------------------------------------------------------ raw HTTP helper


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def read_response(reader: asyncio.StreamReader) -> RawResponse:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            data = await reader.readexactly(size + 2)
            if size == 0:
                break
            parts.append(data[:-2])
        body = b"".join(parts)
    else:
        body = await reader.read()
    return RawResponse(status, headers, body)


async def exchange(port: int, data: bytes, responses: int = 1) -> list[RawResponse]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        return [await asyncio.wait_for(read_response(reader), 5) for _ in range(responses)]
    finally:
        writer.close()


# ------------------------------------------------------------------------------------ matching


async def test_literal_segment_wins_over_variable(stack: Stack) -> None:
    featured = await stack.http.get("/v1/shelves/featured")
    assert featured.status_code == 200
    assert featured.json() == {"id": "7", "theme": "featured"}
    plain = await stack.http.get("/v1/shelves/12")
    assert plain.json() == {"id": "12", "theme": "plain"}


async def test_double_wildcard_captures_the_rest(stack: Stack) -> None:
    response = await stack.http.get("/v1/files/a/b/c.txt")
    assert response.json() == {"path": "a/b/c.txt"}


async def test_trailing_slash_is_ignored(stack: Stack) -> None:
    assert (await stack.http.get("/v1/shelves/12/")).json() == {"id": "12", "theme": "plain"}
    assert (await stack.http.get("/v1/shelves/")).json()["shelves"] == [{"id": "1", "theme": "fiction"}]


async def test_custom_verb_routes_only_when_registered(stack: Stack) -> None:
    checkout = await stack.http.post("/v1/shelves/1/books/2:checkout", json={"reader": "ann"})
    assert checkout.status_code == 200
    assert checkout.json() == {"name": "shelves/1/books/2", "author": "ann"}
    # ":b" is not a registered verb, so it stays part of the captured path.
    assert (await stack.http.get("/v1/files/a:b")).json() == {"path": "a:b"}
    # A registered verb on a template that does not have it does not match.
    assert (await stack.http.get("/v1/shelves/1:checkout")).status_code == 404


async def test_additional_bindings_are_routable(stack: Stack) -> None:
    response = await stack.http.get("/v1/stores/s1/shelves/5")
    assert response.json() == {"id": "5", "theme": "store s1"}
    assert (await stack.http.get("/v1/echo/x")).json()["id"] == "x"


async def test_custom_http_method_routes(stack: Stack) -> None:
    response = await stack.http.request("OPTIONS", "/v1/shelves")
    assert response.status_code == 200
    assert response.json() == {"allow": ["GET", "POST", "OPTIONS"]}


async def test_percent_decoding_single_vs_multi_segment(stack: Stack) -> None:
    single = await exchange(stack.port, b"GET /v1/echo/a%2Fb%20c HTTP/1.1\r\nHost: t\r\n\r\n")
    assert single[0].json()["id"] == "a/b c"
    multi = await exchange(stack.port, b"GET /v1/files/a%2Fb/c%20d HTTP/1.1\r\nHost: t\r\n\r\n")
    assert multi[0].json() == {"path": "a%2Fb/c d"}
    book = await exchange(stack.port, b"GET /v1/shelves/1/books/a%20b HTTP/1.1\r\nHost: t\r\n\r\n")
    assert book[0].json()["name"] == "shelves/1/books/a b"


async def test_utf8_path_segments(stack: Stack) -> None:
    (encoded,) = await exchange(stack.port, b"GET /v1/echo/caf%C3%A9 HTTP/1.1\r\nHost: t\r\n\r\n")
    assert encoded.json()["id"] == "caf\u00e9"
    assert "x-envoy-original-path=/v1/echo/caf%C3%A9" in encoded.json()["received_metadata"]
    # Raw non-ASCII bytes are not a valid request target: refused by the parser, as JSON.
    (raw,) = await exchange(stack.port, "GET /v1/echo/caf\u00e9 HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    assert raw.status == 400 and raw.json()["code"] == 3


async def test_head_gets_headers_without_a_body(stack: Stack) -> None:
    requests = b"HEAD /health HTTP/1.1\r\nHost: t\r\n\r\nHEAD /nothing HTTP/1.1\r\nHost: t\r\n\r\n"
    requests += b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n"
    reader, writer = await asyncio.open_connection("127.0.0.1", stack.port)
    try:
        writer.write(requests)
        heads = [await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5) for _ in range(2)]
        assert heads[0].startswith(b"HTTP/1.1 200") and b"content-length: 15" in heads[0]
        assert heads[1].startswith(b"HTTP/1.1 404")
        # The next bytes are the third response, not a body of the first two.
        after = await asyncio.wait_for(read_response(reader), 5)
        assert after.status == 200 and after.json() == {"status": "ok"}
    finally:
        writer.close()


async def test_unknown_path_and_unknown_method_are_404_json(stack: Stack) -> None:
    # `/` itself is the storefront's (tests/gateway/test_storefront.py).
    for method, path in (("GET", "/v2/nothing"), ("PUT", "/v1/shelves/1"), ("GET", "/v1")):
        response = await stack.http.request(method, path)
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["code"] == 5 and path in body["message"]


# ------------------------------------------------------------------------------------- binding


async def test_nested_path_field(stack: Stack) -> None:
    response = await stack.http.post("/v1/shelves/3/books", json={"title": "Dune", "genre": "GENRE_FICTION"})
    assert response.json() == {"shelf": "3", "title": "Dune", "genre": "GENRE_FICTION"}


async def test_body_field_with_path_and_query_mask(stack: Stack) -> None:
    response = await stack.http.patch(
        "/v1/shelves/1/books/2", params={"update_mask": "title,author"}, json={"title": "New"}
    )
    assert response.json() == {"name": "shelves/1/books/2", "title": "New", "author": "mask=title,author"}


async def test_query_binds_nested_repeated_and_enum_fields_by_both_names(stack: Stack) -> None:
    query = "page.size=10&page.token=t1&theme=a&theme=b&min_books=3&genre=GENRE_HISTORY"
    received = (await stack.http.get(f"/v1/shelves?{query}")).json()["received"]
    assert received == {
        "page": {"size": 10, "token": "t1"},
        "theme": ["a", "b"],
        "min_books": 3,
        "genre": "GENRE_HISTORY",
    }
    camel = (await stack.http.get("/v1/shelves?minBooks=4&genre=1")).json()["received"]
    assert camel == {"min_books": 4, "genre": "GENRE_FICTION"}


@pytest.mark.parametrize(
    ("query", "tag"),
    [
        ("tags=dutch+oven", "dutch oven"),  # a browser's or an HTML form's space
        ("tags=dutch%20oven", "dutch oven"),
        ("tags=C%2B%2B", "C++"),  # a literal plus arrives escaped and stays a plus
        ("tags=a+%2B+b", "a + b"),
    ],
)
async def test_query_plus_is_a_space_and_an_escaped_plus_stays_a_plus(stack: Stack, query: str, tag: str) -> None:
    response = await stack.http.get(f"/v1/echo/x?{query}")
    assert response.request.url.query == query.encode(), "the client must send the query as written"
    assert response.json()["tags"] == [tag]


async def test_query_overrides_path_value(stack: Stack) -> None:
    assert (await stack.http.get("/v1/echo/from-path?id=from-query")).json()["id"] == "from-query"


async def test_body_star_field_and_none(stack: Stack) -> None:
    star = await stack.http.post("/v1/echo/x", json={"i32": 5, "tags": ["a"]})
    assert star.json()["i32"] == 5 and star.json()["tags"] == ["a"]
    field = await stack.http.post("/v1/shelves", params={"requester": "me"}, json={"id": "9", "theme": "t"})
    assert field.json() == {"id": "9", "theme": "t by me"}
    # No body rule: a body is still parsed onto the request message (Envoy does).
    none = await stack.http.request("GET", "/v1/echo/x", content=b'{"i32": 7}')
    assert none.json()["i32"] == 7


async def test_body_and_query_collisions(stack: Stack) -> None:
    conflict = await stack.http.post("/v1/echo/x?i32=1", json={"i32": 2})
    assert conflict.status_code == 400
    assert "i32" in conflict.json()["message"]
    agree = await stack.http.post("/v1/echo/x?i32=2", json={"i32": 2})
    assert agree.status_code == 200
    repeated = await stack.http.post("/v1/echo/x?tags=q", json={"tags": ["b"]})
    assert sorted(repeated.json()["tags"]) == ["b", "q"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"i32": "abc"}, "i32"),
        ({"i32": 3_000_000_000}, "i32"),
        ({"i64": "1.5"}, "i64"),
        ({"u64": -1}, "u64"),
        ({"dbl": "x"}, "dbl"),
        ({"flag": "maybe"}, "flag"),
        ({"data": "!!!"}, "data"),
        ({"genre": "GENRE_NOPE"}, "genre"),
        ({"tags": "not-a-list"}, "tags"),
        ({"numbers": [1, "two"]}, "numbers"),
        ({"page": 5}, "page"),
        ({"page": {"size": "big"}}, "page.size"),
        ({"at": "yesterday"}, "at"),
        ({"wait": "forever"}, "wait"),
        ({"maybe": "none"}, "maybe"),
        ({"counts": {"a": "b"}}, "counts"),
    ],
)
async def test_each_type_error_is_400_naming_the_field(stack: Stack, body: dict[str, Any], field: str) -> None:
    response = await stack.http.post("/v1/echo/x", json=body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["code"] == 3
    assert field in error["message"] or any(name.startswith(field) for name in field_named(error)), error


@pytest.mark.parametrize(("query", "field"), [("i32=abc", "i32"), ("genre=NOPE", "genre"), ("at=soon", "at")])
async def test_query_type_errors_are_400_naming_the_field(stack: Stack, query: str, field: str) -> None:
    response = await stack.http.get(f"/v1/echo/x?{query}")
    assert response.status_code == 400
    assert field in response.json()["message"]


async def test_int64_as_string_or_number_and_out_as_string(stack: Stack) -> None:
    big = await stack.http.post("/v1/echo/x", json={"i64": "9007199254740993", "u64": 18446744073709551615})
    assert big.json()["i64"] == "9007199254740993"
    assert big.json()["u64"] == "18446744073709551615"
    small = await stack.http.post("/v1/echo/x", json={"i64": 12})
    assert small.json()["i64"] == "12"


async def test_enums_by_name_and_number(stack: Stack) -> None:
    assert (await stack.http.post("/v1/echo/x", json={"genre": "GENRE_FICTION"})).json()["genre"] == "GENRE_FICTION"
    assert (await stack.http.post("/v1/echo/x", json={"genre": 2})).json()["genre"] == "GENRE_HISTORY"


async def test_well_known_types(stack: Stack) -> None:
    sent = {
        "at": "2024-01-02T03:04:05Z",
        "wait": "1.500s",
        "mask": "title,page.size",
        "maybe": 0,
        "note": "hi",
        "extra": {"k": [1, "x", None, True]},
        "anything": "str",
        "data": base64.b64encode(b"\x00\x01binary").decode(),
        "counts": {"a": 1},
        "second": 2,
    }
    echoed = (await stack.http.post("/v1/echo/x", json=sent)).json()
    assert echoed["at"] == "2024-01-02T03:04:05Z"
    assert echoed["wait"] == "1.500s"
    assert echoed["mask"] == "title,page.size"
    assert echoed["maybe"] == 0  # a wrapper distinguishes 0 from absent
    assert echoed["note"] == "hi"
    assert echoed["extra"] == {"k": [1, "x", None, True]}
    assert echoed["anything"] == "str"
    assert base64.b64decode(echoed["data"]) == b"\x00\x01binary"
    assert echoed["counts"] == {"a": 1}
    assert echoed["second"] == 2
    assert "maybe" not in (await stack.http.post("/v1/echo/x", json={})).json()


async def test_defaults_are_omitted_and_empty_message_is_braces(stack: Stack) -> None:
    assert (await stack.http.post("/v1/echo/x", json={"i32": 0, "flag": False})).json().keys() >= {"id"}
    assert "i32" not in (await stack.http.post("/v1/echo/x", json={"i32": 0})).json()
    deleted = await stack.http.delete("/v1/shelves/1")
    assert deleted.status_code == 200 and deleted.json() == {}


@pytest.mark.parametrize("content", [b"{bad", b'{"i32": 1} trailing', b'{"note": "\xff"}', b"[1, 2]", b"NaN"])
async def test_invalid_json_is_400(stack: Stack, content: bytes) -> None:
    response = await stack.http.post("/v1/echo/x", content=content, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == 3


async def test_unknown_json_fields_are_ignored(stack: Stack) -> None:
    response = await stack.http.post("/v1/echo/x", json={"nope": {"deep": 1}, "i32": 2})
    assert response.status_code == 200 and response.json()["i32"] == 2


async def test_unknown_query_parameter_is_400_naming_it(stack: Stack) -> None:
    response = await stack.http.get("/v1/shelves?nope=1")
    assert response.status_code == 400
    body = response.json()
    assert "nope" in body["message"] or "nope" in field_named(body)


async def test_repeated_message_field_cannot_be_a_query_parameter(stack: Stack) -> None:
    assert (await stack.http.get("/v1/echo/x?shelves.id=1")).status_code == 400


# ---------------------------------------------------------------------------------- size limits


async def test_body_over_the_limit_is_413(stack: Stack) -> None:
    response = await stack.http.post("/v1/echo/x", content=b"x" * (BODY_LIMIT + 1))
    assert response.status_code == 413
    assert response.json()["code"] == 8 or "exceeds" in response.json()["message"]
    assert (await stack.http.post("/v1/echo/x", json={"note": "n" * (BODY_LIMIT - 100)})).status_code == 200


async def test_413_is_answered_before_the_body_is_sent(stack: Stack) -> None:
    head = f"POST /v1/echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: {50 * 1024 * 1024}\r\n\r\n".encode()
    (response,) = await exchange(stack.port, head)  # no body sent at all
    assert response.status == 413
    assert response.headers["connection"] == "close"


async def test_413_connection_closes_once_the_rejected_body_has_arrived(stack: Stack) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", stack.port)
    try:
        size = BODY_LIMIT * 3
        writer.write(b"POST /v1/echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % size)
        response = await asyncio.wait_for(read_response(reader), 5)
        assert response.status == 413
        writer.write(b"z" * size)  # the client finishes sending; the server reads and drops it, then closes
        assert await asyncio.wait_for(reader.read(), 5) == b""
    finally:
        writer.close()


async def test_expect_100_continue(stack: Stack) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", stack.port)
    try:
        body = b'{"i32": 9}'
        writer.write(b"POST /v1/echo/x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
        assert await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5) == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(body)
        response = await asyncio.wait_for(read_response(reader), 5)
        assert response.status == 200 and response.json()["i32"] == 9
        # Too large: the final 413 comes instead of 100 Continue.
        writer.write(
            b"POST /v1/echo/x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n"
            % (BODY_LIMIT + 1)
        )
        assert (await asyncio.wait_for(read_response(reader), 5)).status == 413
    finally:
        writer.close()


async def test_chunked_body_over_the_limit_is_413(stack: Stack) -> None:
    chunk = b"%x\r\n%b\r\n" % (BODY_LIMIT, b"y" * BODY_LIMIT)
    data = b"POST /v1/echo/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk * 2 + b"0\r\n\r\n"
    (response,) = await exchange(stack.port, data)
    assert response.status == 413


async def test_chunked_request_body_is_read(stack: Stack) -> None:
    body = b'{"i32": 42, "note": "chunked"}'
    data = (
        b"POST /v1/echo/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"%x\r\n%b\r\n" % (5, body[:5])
        + b"%x\r\n%b\r\n" % (len(body) - 5, body[5:])
        + b"0\r\n\r\n"
    )
    (response,) = await exchange(stack.port, data)
    assert response.status == 200
    assert response.json()["i32"] == 42 and response.json()["note"] == "chunked"


async def test_oversized_headers_are_431_and_malformed_requests_400(stack: Stack) -> None:
    big = b"GET /v1/shelves HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n"
    assert (await exchange(stack.port, big))[0].status == 431
    # Many moderate headers adding up past the head limit (the head becomes gRPC metadata).
    wide = b"GET /v1/shelves HTTP/1.1\r\n" + b"".join(b"X-H%d: %b\r\n" % (i, b"v" * 500) for i in range(20)) + b"\r\n"
    assert (await exchange(stack.port, wide))[0].status == 431
    # Just under the limit is forwarded (and accepted upstream).
    fits = await stack.http.get("/v1/shelves", headers={"x-fits": "v" * 6000})
    assert fits.status_code == 200
    many = b"GET /v1/shelves HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n"
    assert (await exchange(stack.port, many))[0].status == 431
    long_url = b"GET /v1/files/" + b"a" * 5_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n"
    assert (await exchange(stack.port, long_url))[0].status == 414
    assert (await exchange(stack.port, b"NOT HTTP AT ALL\r\n\r\n"))[0].status == 400


# ---------------------------------------------------------------------------------- connections


async def test_pipelined_requests_are_answered_in_order(stack: Stack) -> None:
    requests = (
        b"".join(b"GET /v1/shelves/%d HTTP/1.1\r\nHost: t\r\n\r\n" % index for index in range(1, 6))
        + b'POST /v1/echo/last HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n{"i32": 1}'
    )
    responses = await exchange(stack.port, requests, responses=6)
    assert [r.json()["id"] for r in responses[:5]] == ["1", "2", "3", "4", "5"]
    assert responses[5].json()["id"] == "last"


async def test_keep_alive_reuses_one_connection(stack: Stack) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", stack.port)
    try:
        for index in range(3):
            writer.write(b"GET /v1/shelves/%d HTTP/1.1\r\nHost: t\r\n\r\n" % index)
            response = await read_response(reader)
            assert response.status == 200 and "connection" not in response.headers
        writer.write(b"GET /v1/shelves/9 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        response = await read_response(reader)
        assert response.headers["connection"] == "close"
        assert await reader.read() == b""  # the server closed it
    finally:
        writer.close()


async def test_upgrade_request_is_answered_as_http1_then_closed(stack: Stack) -> None:
    request = b"GET /v1/shelves/2 HTTP/1.1\r\nHost: t\r\nConnection: Upgrade, HTTP2-Settings\r\n"
    request += b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"
    reader, writer = await asyncio.open_connection("127.0.0.1", stack.port)
    try:
        writer.write(request)
        response = await asyncio.wait_for(read_response(reader), 5)
        assert response.status == 200 and response.json()["id"] == "2"
        assert response.headers["connection"] == "close"
        assert await asyncio.wait_for(reader.read(), 5) == b""
    finally:
        writer.close()


async def test_http10_request_is_answered(stack: Stack) -> None:
    (response,) = await exchange(stack.port, b"GET /v1/shelves/4 HTTP/1.0\r\n\r\n")
    assert response.json() == {"id": "4", "theme": "plain"}


async def test_idle_connections_are_closed(stack: Stack) -> None:
    gateway = await start_gateway(
        gateway_settings(),
        grpc_target=stack.upstream.target,
        descriptors=load_descriptor_set(stack.bookstore.descriptor_set),
        limits=HttpLimits(idle_timeout_seconds=0.2, request_timeout_seconds=0.2, sweep_interval_seconds=0.05),
    )
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        assert (await read_response(reader)).status == 200
        assert await asyncio.wait_for(reader.read(), 3) == b""  # closed while idle
        writer.close()
        # A request whose headers never finish is dropped as well.
        reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
        writer.write(b"GET /health HTTP/1.1\r\nHost: t\r\n")
        assert await asyncio.wait_for(reader.read(), 3) == b""
        writer.close()
    finally:
        await gateway.stop()


async def test_stop_drains_in_flight_requests(stack: Stack) -> None:
    gateway = await start_gateway(
        gateway_settings(),
        grpc_target=stack.upstream.target,
        descriptors=load_descriptor_set(stack.bookstore.descriptor_set),
    )
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}") as client:
        # Echo with `wait` set sleeps upstream for that long.
        in_flight = asyncio.ensure_future(client.post("/v1/echo/slow", json={"wait": "0.3s"}))
        await asyncio.sleep(0.1)
        await gateway.stop()
        response = await in_flight
        assert response.status_code == 200 and response.json()["id"] == "slow"
        with pytest.raises(httpx.ConnectError):
            await client.get("/health")


# -------------------------------------------------------------------------------------- errors

# gRPC code -> HTTP status (transcoding.md).
STATUS_MAP = {
    1: 499,
    2: 500,
    3: 400,
    4: 504,
    5: 404,
    6: 409,
    7: 403,
    8: 429,
    9: 400,
    10: 409,
    11: 400,
    12: 501,
    13: 500,
    14: 503,
    15: 500,
    16: 401,
}


@pytest.mark.parametrize(("code", "http_status"), sorted(STATUS_MAP.items()))
async def test_every_status_code_maps_with_details(stack: Stack, code: int, http_status: int) -> None:
    response = await stack.http.get(f"/v1/fail/{code}?message=boom%20{code}")
    assert response.status_code == http_status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert body["message"] == f"boom {code}"
    assert field_named(body) == {"code"}
    (info,) = details_of(body, "google.rpc.ErrorInfo")
    assert info["reason"] == "REQUESTED_FAILURE" and info["metadata"] == {"code": str(code)}


async def test_ok_status_answers_the_empty_message(stack: Stack) -> None:
    response = await stack.http.get("/v1/fail/0")
    assert response.status_code == 200 and response.json() == {}


async def test_upstream_deadline_is_504(stack: Stack) -> None:
    gateway = await start_gateway(
        gateway_settings(gateway_upstream_timeout_seconds=0.1),
        grpc_target=stack.upstream.target,
        descriptors=load_descriptor_set(stack.bookstore.descriptor_set),
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}") as client:
            response = await client.post("/v1/echo/x", json={"wait": "2s"})
        assert response.status_code == 504 and response.json()["code"] == 4
    finally:
        await gateway.stop()


async def test_unreachable_upstream_is_503(stack: Stack) -> None:
    gateway = await start_gateway(
        gateway_settings(gateway_upstream_timeout_seconds=2),
        grpc_target="127.0.0.1:1",
        descriptors=load_descriptor_set(stack.bookstore.descriptor_set),
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}") as client:
            response = await client.get("/v1/shelves/1")
            assert response.status_code == 503 and response.json()["code"] == 14
            ready = await client.get("/ready")
            assert ready.status_code == 503
            assert ready.json()["not_serving"] == [SERVICE]
    finally:
        await gateway.stop()


# ------------------------------------------------------------------------------------ metadata


async def test_headers_are_forwarded_as_metadata(stack: Stack) -> None:
    response = await stack.http.post(
        "/v1/echo/x?i32=1",
        json={},
        headers={
            "Authorization": "Bearer abc.def.ghi",
            "X-Custom": "Value",
            "X-Trace-Bin": base64.b64encode(b"\x01\x02").decode(),
            "X-Broken-Bin": "!!!not base64",
            "Grpc-Timeout": "1S",
            "X-Request-Id": "req-123",
            "Proxy-Authorization": "secret",
        },
    )
    metadata = response.json()["received_metadata"]
    assert "authorization=Bearer abc.def.ghi" in metadata
    assert "x-custom=Value" in metadata
    assert "x-trace-bin=0102" in metadata
    assert "x-envoy-original-path=/v1/echo/x?i32=1" in metadata
    assert "x-envoy-original-method=POST" in metadata
    assert "x-request-id=req-123" in metadata
    keys = {item.partition("=")[0] for item in metadata}
    assert not keys & {"host", "content-length", "content-type", "connection", "x-broken-bin", "proxy-authorization"}
    assert not any(key.startswith("grpc-") for key in keys)


async def test_request_id_is_echoed_or_generated(stack: Stack) -> None:
    echoed = await stack.http.get("/v1/shelves/1", headers={"x-request-id": "abc-1"})
    assert echoed.headers["x-request-id"] == "abc-1"
    generated = await stack.http.get("/v1/shelves/1")
    assert len(generated.headers["x-request-id"]) == 32
    assert (await stack.http.get("/nothing")).headers["x-request-id"]
    forwarded = (await stack.http.get("/v1/echo/x")).json()["received_metadata"]
    assert any(item.startswith("x-request-id=") for item in forwarded)


# ----------------------------------------------------------------------------------- streaming


async def test_server_streaming_is_a_json_array(stack: Stack) -> None:
    response = await stack.http.get("/v1/shelves/4/books:stream", params={"count": 3})
    assert response.status_code == 200
    assert response.headers["transfer-encoding"] == "chunked"
    books = response.json()
    assert [book["name"] for book in books] == [f"shelves/4/books/{i}" for i in range(3)]
    assert books[0] == {"name": "shelves/4/books/0", "shelf": "4", "title": "#0"}


async def test_empty_stream_is_an_empty_array(stack: Stack) -> None:
    response = await stack.http.get("/v1/shelves/4/books:stream")
    assert response.status_code == 200 and response.json() == []


async def test_stream_error_before_first_message_maps_status(stack: Stack) -> None:
    response = await stack.http.get("/v1/shelves/4/books:stream", params={"count": 0, "fail_code": 5})
    assert response.status_code == 404
    assert response.json()["code"] == 5


async def test_stream_error_after_first_message_keeps_200(stack: Stack) -> None:
    response = await stack.http.get("/v1/shelves/4/books:stream", params={"count": 2, "fail_code": 13})
    assert response.status_code == 200
    assert len(response.json()) == 2  # the array is closed: valid JSON


async def test_stream_to_http10_client_is_close_delimited(stack: Stack) -> None:
    (response,) = await exchange(stack.port, b"GET /v1/shelves/4/books:stream?count=2 HTTP/1.0\r\n\r\n")
    assert response.status == 200 and "transfer-encoding" not in response.headers
    assert len(response.json()) == 2


# ------------------------------------------------------------------------------------ HttpBody


async def test_http_body_response_is_raw_bytes(stack: Stack) -> None:
    response = await stack.http.get("/v1/covers/b1")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == PNG + b"b1"


async def test_http_body_request_takes_raw_bytes(stack: Stack) -> None:
    payload = bytes(range(256)) * 10
    response = await stack.http.post("/v1/covers/b1", content=payload, headers={"content-type": "image/jpeg"})
    assert response.json() == {"size": str(len(payload)), "content_type": "image/jpeg"}


# -------------------------------------------------------------------------------- gRPC clients


async def test_grpc_client_pointed_at_the_gateway_is_passed_through(stack: Stack) -> None:
    pb2, pb2_grpc = stack.bookstore.pb2, stack.bookstore.pb2_grpc
    async with grpc.aio.insecure_channel(f"127.0.0.1:{stack.port}") as channel:
        stub = pb2_grpc.BookstoreStub(channel)
        shelf = await stub.GetShelf(pb2.GetShelfRequest(shelf=5), timeout=5)
        assert shelf.id == 5
        assert await stub.Internal(pb2.InternalRequest(), timeout=5) == empty_pb2.Empty()
        books = [book async for book in stub.StreamBooks(pb2.StreamBooksRequest(shelf=1, count=3), timeout=5)]
        assert len(books) == 3
        with pytest.raises(grpc.aio.AioRpcError) as failure:
            await stub.Fail(pb2.FailRequest(code=7, message="no"), timeout=5)
        assert failure.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_grpc_over_http1_is_415_explaining_http2(stack: Stack) -> None:
    response = await stack.http.post(
        "/bookstore.v1.Bookstore/GetShelf",
        content=b"\x00\x00\x00\x00\x00",
        headers={"content-type": "application/grpc"},
    )
    assert response.status_code == 415
    assert "HTTP/2" in response.json()["message"]


# ----------------------------------------------------------------------------------------- CORS


async def test_cors_preflight_is_answered_at_the_edge(stack: Stack) -> None:
    headers = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    preflight = await stack.http.request("OPTIONS", "/v1/echo/x", headers=headers)
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "authorization, content-type"
    assert preflight.headers["vary"] == "Origin"
    # Even on the path with a custom OPTIONS rule, a preflight is the edge's.
    assert (await stack.http.request("OPTIONS", "/v1/shelves", headers=headers)).status_code == 204


async def test_cors_disallowed_origin_gets_no_allowance(stack: Stack) -> None:
    headers = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    preflight = await stack.http.request("OPTIONS", "/v1/echo/x", headers=headers)
    assert preflight.status_code == 404  # not a preflight we answer: routed, and nothing matches
    assert "access-control-allow-origin" not in preflight.headers
    actual = await stack.http.get("/v1/shelves/1", headers={"Origin": "https://evil.example"})
    assert actual.status_code == 200 and "access-control-allow-origin" not in actual.headers


async def test_cors_actual_request_headers(stack: Stack) -> None:
    response = await stack.http.get("/v1/shelves/1", headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-expose-headers"] == "x-request-id"
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in response.headers


# ---------------------------------------------------------------------------------- rate limits


async def test_rate_limits_answer_429_with_retry_after(stack: Stack) -> None:
    gateway = await start_gateway(
        gateway_settings(rate_limit_per_ip_per_minute=4, rate_limit_per_user_per_minute=2),
        grpc_target=stack.upstream.target,
        descriptors=load_descriptor_set(stack.bookstore.descriptor_set),
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}") as client:
            ava = {"authorization": unsigned_bearer({"sub": "ava"})}
            assert [(await client.get("/v1/shelves/1", headers=ava)).status_code for _ in range(2)] == [200, 200]
            limited = await client.get("/v1/shelves/1", headers=ava)
            assert limited.status_code == 429
            assert limited.headers["retry-after"] == "30"
            assert limited.json()["code"] == 8
            # Another user from the same IP is served until the IP's own budget (4) is spent.
            assert (
                await client.get("/v1/shelves/1", headers={"authorization": unsigned_bearer({"sub": "bob"})})
            ).status_code == 200
            assert (await client.get("/v1/shelves/1")).status_code == 200
            ip_limited = await client.get("/v1/shelves/1")
            assert ip_limited.status_code == 429 and int(ip_limited.headers["retry-after"]) >= 1
            # Probes are never limited.
            assert (await client.get("/health")).status_code == 200
    finally:
        await gateway.stop()


# ---------------------------------------------------------------------------- fixed endpoints


async def test_health_ready_openapi_docs(stack: Stack) -> None:
    health = await stack.http.get("/health")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = await stack.http.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "services": {SERVICE: "SERVING"}}
    spec = await stack.http.get("/openapi.json")
    assert spec.status_code == 200 and spec.json()["openapi"].startswith("3.1")
    assert "/v1/shelves" in spec.json()["paths"]
    docs = await stack.http.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("emit_defaults", [False, True])
async def test_docs_say_what_responses_do_with_default_values(stack: Stack, emit_defaults: bool) -> None:
    gateway = await start_gateway(
        gateway_settings(json_emit_defaults=emit_defaults),
        grpc_target=stack.upstream.target,
        descriptors=load_descriptor_set(stack.bookstore.descriptor_set),
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}", timeout=10) as client:
            echoed = (await client.get("/v1/echo/x")).json()
            intro = (await client.get("/openapi.json")).json()["info"]["description"]
            page = (await client.get("/docs")).text
    finally:
        await gateway.stop()
    assert ("i32" in echoed) is emit_defaults  # what the gateway does...
    omitted = "Fields holding their default value are omitted from responses."
    printed = "Fields holding their default value are printed too"
    assert (printed in intro, omitted in intro) == (emit_defaults, not emit_defaults)  # ...is what it says
    assert (printed in page, omitted in page) == (emit_defaults, not emit_defaults)


async def test_ready_reports_services_that_are_not_serving(stack: Stack) -> None:
    await stack.upstream.health.set(SERVICE, health_pb2.HealthCheckResponse.NOT_SERVING)
    try:
        ready = await stack.http.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["not_serving"] == [SERVICE]
    finally:
        await stack.upstream.health.set(SERVICE, health_pb2.HealthCheckResponse.SERVING)


async def test_access_log_line(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="hph.gateway.access"):
        await stack.http.get(
            "/v1/shelves/3", headers={"x-request-id": "log-1", "authorization": unsigned_bearer({"sub": "ava"})}
        )
    (record,) = [r for r in caplog.records if getattr(r, "request_id", "") == "log-1"]
    fields = record.__dict__
    assert fields["method"] == "GET" and fields["path"] == "/v1/shelves/3" and fields["status"] == 200
    assert fields["rpc"] == "/bookstore.v1.Bookstore/GetShelf"
    assert fields["user"] == "ava" and fields["client_ip"] == "127.0.0.1"
    assert fields["latency_ms"] >= 0 and fields["bytes_out"] > 0


# ----------------------------------------------------------------------------- start-up refusal

DUPLICATE_PROTO = """
syntax = "proto3";
package dup.v1;
import "google/api/annotations.proto";
import "google/protobuf/empty.proto";
message Req { string x = 1; }
service Dup {
  rpc First(Req) returns (google.protobuf.Empty) {
    option (google.api.http) = {get: "/v1/same/{x=*}"};
  }
  rpc Second(Req) returns (google.protobuf.Empty) {
    option (google.api.http) = {get: "/v1/same/*"};
  }
}
"""

INVALID_TEMPLATE_PROTO = """
syntax = "proto3";
package bad.v1;
import "google/api/annotations.proto";
import "google/protobuf/empty.proto";
service Bad {
  rpc Broken(google.protobuf.Empty) returns (google.protobuf.Empty) {
    option (google.api.http) = {get: "/v1//broken"};
  }
}
"""


@pytest.mark.parametrize(
    ("name", "source", "named"),
    [
        ("dup.proto", DUPLICATE_PROTO, ["/dup.v1.Dup/Second", "/v1/same/*", "/v1/same/{x=*}"]),
        ("bad.proto", INVALID_TEMPLATE_PROTO, ["/bad.v1.Bad/Broken", "/v1//broken"]),
    ],
)
async def test_start_up_refuses_bad_rules_naming_them(tmp_path: Path, name: str, source: str, named: list[str]) -> None:
    (tmp_path / name).write_text(source)
    descriptors = load_descriptor_set(compile_descriptor_set(tmp_path, name, out=tmp_path / f"{name}.binpb"))
    with pytest.raises(RouteError) as refused:
        await start_gateway(gateway_settings(), grpc_target="127.0.0.1:1", descriptors=descriptors)
    for text in named:
        assert text in str(refused.value)
