"""Answers: proto3 JSON of responses, gRPC status -> HTTP status, error bodies with google.rpc details."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Iterator
from concurrent import futures
from types import ModuleType
from typing import Any, Protocol

import grpc
import pytest
from google.protobuf import (
    any_pb2,
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    json_format,
    message_factory,
    struct_pb2,
    timestamp_pb2,
)
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.gateway import codec
from hph.gateway.binding import BindingError
from hph.gateway.descriptors import load_descriptor_set
from hph.runtime.errors import ERROR_DOMAIN


class Bookstore(Protocol):
    """What this module uses of conftest's `bookstore` fixture."""

    pb2: ModuleType
    descriptor_set: bytes


def packed(message: Message) -> any_pb2.Any:
    detail = any_pb2.Any()
    detail.Pack(message)
    return detail


def decoded(data: bytes) -> Any:
    return json.loads(data.decode("utf-8"))


# ------------------------------------------------------------------------------ encode_message


def rich_echo(pb2: ModuleType) -> Any:
    """An EchoMessage with every field type set to a non-default value."""
    message = pb2.EchoMessage(
        id="caf\u00e9 \u2603",
        i32=-5,
        i64=-9007199254740993,
        u64=18446744073709551615,
        dbl=0.1,
        flt=0.1,
        flag=True,
        data=b"\x00\xffbin",
        genre=pb2.GENRE_HISTORY,
        tags=["a", "b"],
        numbers=[1, -2],
        page=pb2.Page(size=3, token="t"),
        shelves=[pb2.Shelf(id=1, theme="x"), pb2.Shelf()],
        counts={"a": 1, "b": 0},
        received_metadata=["k=v"],
        second=7,
    )
    message.at.FromJsonString("2024-01-02T03:04:05.123456Z")
    message.wait.FromJsonString("-1.5s")
    message.mask.FromJsonString("title,page.size")
    message.maybe.value = 0
    message.note.value = "n"
    message.extra.update({"k": [1, "x", None, True], "o": {"p": 2.5}})
    message.anything.string_value = "s"
    return message


def test_encode_message_matches_proto3_json_with_proto_field_names(bookstore: Bookstore) -> None:
    message = rich_echo(bookstore.pb2)
    assert decoded(codec.encode_message(message)) == {
        "id": "caf\u00e9 \u2603",
        "i32": -5,
        "i64": "-9007199254740993",
        "u64": "18446744073709551615",
        "dbl": 0.1,
        "flt": 0.1,
        "flag": True,
        "data": base64.b64encode(b"\x00\xffbin").decode(),
        "genre": "GENRE_HISTORY",
        "tags": ["a", "b"],
        "numbers": [1, -2],
        "page": {"size": 3, "token": "t"},
        "shelves": [{"id": "1", "theme": "x"}, {}],
        "counts": {"a": 1, "b": 0},
        "at": "2024-01-02T03:04:05.123456Z",
        "wait": "-1.500s",
        "mask": "title,page.size",
        "maybe": 0,
        "note": "n",
        "extra": {"k": [1, "x", None, True], "o": {"p": 2.5}},
        "anything": "s",
        "received_metadata": ["k=v"],
        "second": 7,
    }


def test_encode_message_agrees_with_json_format_and_round_trips(bookstore: Bookstore) -> None:
    message = rich_echo(bookstore.pb2)
    encoded = codec.encode_message(message)
    assert decoded(encoded) == json_format.MessageToDict(message, preserving_proto_field_name=True)
    assert json_format.Parse(encoded, type(message)()) == message


def test_encode_message_is_compact_utf8_and_empty_message_is_braces(bookstore: Bookstore) -> None:
    pb2 = bookstore.pb2
    assert codec.encode_message(pb2.EchoMessage()) == b"{}"
    assert codec.encode_message(pb2.EchoMessage(id="x", i32=1)) == b'{"id":"x","i32":1}'
    assert codec.encode_message(pb2.EchoMessage(id="\u00e9")) == '{"id":"\u00e9"}'.encode()
    assert codec.encode_message(pb2.EchoMessage(id='q"\\\n')) == b'{"id":"q\\"\\\\\\n"}'


def _echo(**fields: Any) -> Callable[[ModuleType], Message]:
    return lambda pb2: pb2.EchoMessage(**fields)


def _present(name: str) -> Callable[[ModuleType], Message]:
    def build(pb2: ModuleType) -> Message:
        message: Message = pb2.EchoMessage()
        getattr(message, name).SetInParent()
        return message

    return build


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (_echo(i32=0, flag=False, id="", dbl=0.0, tags=[]), b"{}"),  # defaults omitted
        (_present("page"), b'{"page":{}}'),  # a present empty message is printed
        (_echo(second=0), b'{"second":0}'),  # a set oneof member is printed even when default
        (_present("maybe"), b'{"maybe":0}'),  # a present wrapper prints its value
        (_present("extra"), b'{"extra":{}}'),
        (_echo(dbl=19.0), b'{"dbl":19}'),  # integral doubles print like Envoy's printer
        (_echo(dbl=-2.0), b'{"dbl":-2}'),
        (_echo(dbl=1e300), b'{"dbl":1e+300}'),
        (_echo(dbl=0.1), b'{"dbl":0.1}'),
        (_echo(flt=0.1), b'{"flt":0.1}'),  # shortest decimal of the float32
        (_echo(flt=3.4028234663852886e38), b'{"flt":3.4028235e+38}'),
        (_echo(dbl=math.nan), b'{"dbl":"NaN"}'),
        (_echo(dbl=math.inf), b'{"dbl":"Infinity"}'),
        (_echo(flt=-math.inf), b'{"flt":"-Infinity"}'),
        (_echo(i64=1), b'{"i64":"1"}'),
        (_echo(u64=2**64 - 1), b'{"u64":"18446744073709551615"}'),
        (_echo(genre=1), b'{"genre":"GENRE_FICTION"}'),
        (_echo(genre=42), b'{"genre":42}'),  # unknown enum numbers print as numbers
        (_echo(data=b"\xfb\xff"), b'{"data":"+/8="}'),  # standard base64 with padding
        (_echo(anything=struct_pb2.Value(null_value=struct_pb2.NULL_VALUE)), b'{"anything":null}'),
        (_echo(counts={"z": 0}), b'{"counts":{"z":0}}'),  # map values print even when default
    ],
)
def test_encode_message_field_forms(
    bookstore: Bookstore, build: Callable[[ModuleType], Message], expected: bytes
) -> None:
    assert codec.encode_message(build(bookstore.pb2)) == expected


_FIELD = descriptor_pb2.FieldDescriptorProto
MAPS_PROTO = descriptor_pb2.FileDescriptorProto(
    name="codec_maps_test.proto",
    package="codectest",
    syntax="proto3",
    message_type=[
        descriptor_pb2.DescriptorProto(
            name="Maps",
            field=[
                _FIELD(name=name, number=number, label=_FIELD.LABEL_REPEATED, type=_FIELD.TYPE_MESSAGE, type_name=entry)
                for name, number, entry in (
                    ("by_int", 1, ".codectest.Maps.ByIntEntry"),
                    ("by_bool", 2, ".codectest.Maps.ByBoolEntry"),
                    ("by_u64", 3, ".codectest.Maps.ByU64Entry"),
                )
            ],
            nested_type=[
                descriptor_pb2.DescriptorProto(
                    name=entry,
                    options=descriptor_pb2.MessageOptions(map_entry=True),
                    field=[
                        _FIELD(name="key", number=1, label=_FIELD.LABEL_OPTIONAL, type=key_type),
                        _FIELD(name="value", number=2, label=_FIELD.LABEL_OPTIONAL, type=value_type),
                    ],
                )
                for entry, key_type, value_type in (
                    ("ByIntEntry", _FIELD.TYPE_INT32, _FIELD.TYPE_STRING),
                    ("ByBoolEntry", _FIELD.TYPE_BOOL, _FIELD.TYPE_INT64),
                    ("ByU64Entry", _FIELD.TYPE_UINT64, _FIELD.TYPE_BYTES),
                )
            ],
        )
    ],
)


def test_encode_message_map_keys_are_strings_and_values_use_their_json_form() -> None:
    pool = descriptor_pool.DescriptorPool()
    pool.Add(MAPS_PROTO)
    maps: Any = message_factory.GetMessageClass(pool.FindMessageTypeByName("codectest.Maps"))()
    maps.by_int[-3] = "minus three"
    maps.by_bool[True] = 2**40
    maps.by_bool[False] = 0
    maps.by_u64[2**64 - 1] = b"\x01"
    assert decoded(codec.encode_message(maps)) == {
        "by_int": {"-3": "minus three"},
        "by_bool": {"true": str(2**40), "false": "0"},
        "by_u64": {"18446744073709551615": "AQ=="},
    }
    assert decoded(codec.encode_message(maps)) == json_format.MessageToDict(maps, preserving_proto_field_name=True)


def test_encode_message_struct_and_string_maps() -> None:
    struct = struct_pb2.Struct()
    struct.update({"b": {"c": [1, 2]}, "a": "x"})
    assert decoded(codec.encode_message(struct)) == {"b": {"c": [1, 2]}, "a": "x"}
    info = error_details_pb2.ErrorInfo(reason="R", metadata={"k": "v"})
    assert codec.encode_message(info) == b'{"reason":"R","metadata":{"k":"v"}}'


def test_encode_message_top_level_well_known_types() -> None:
    assert codec.encode_message(timestamp_pb2.Timestamp(seconds=0, nanos=5_000_000)) == b'"1970-01-01T00:00:00.005Z"'
    assert codec.encode_message(duration_pb2.Duration(seconds=3)) == b'"3s"'
    assert codec.encode_message(struct_pb2.Value(number_value=2.5)) == b"2.5"


def test_encode_message_renders_any_with_its_type(bookstore: Bookstore) -> None:
    status = status_pb2.Status(code=3, message="m", details=[packed(error_details_pb2.ErrorInfo(reason="R"))])
    assert decoded(codec.encode_message(status)) == {
        "code": 3,
        "message": "m",
        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "R"}],
    }


def test_encode_message_works_for_classes_of_a_loaded_descriptor_set(bookstore: Bookstore) -> None:
    descriptors = load_descriptor_set(bookstore.descriptor_set)
    book_class = descriptors.message_class(descriptors.pool.FindMessageTypeByName("bookstore.v1.Book"))
    book = book_class(name="shelves/1/books/2", shelf=1, genre=1)
    book.published_at.FromJsonString("2020-01-01T00:00:00Z")
    assert decoded(codec.encode_message(book)) == {
        "name": "shelves/1/books/2",
        "shelf": "1",
        "genre": "GENRE_FICTION",
        "published_at": "2020-01-01T00:00:00Z",
    }


# --------------------------------------------------------------------------- status mapping

# transcoding.md, "Answering".
DOC_TABLE = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
    grpc.StatusCode.UNAUTHENTICATED: 401,
}


@pytest.mark.parametrize(("code", "status"), DOC_TABLE.items(), ids=[code.name for code in DOC_TABLE])
def test_grpc_code_maps_to_the_documented_http_status(code: grpc.StatusCode, status: int) -> None:
    number = code.value[0]
    assert codec.HTTP_STATUS[number] == status
    assert codec.http_status(number) == status


def test_status_table_has_exactly_the_grpc_codes_and_missing_status_is_503() -> None:
    assert set(codec.HTTP_STATUS) == {code.value[0] for code in grpc.StatusCode}
    assert codec.http_status(None) == codec.MISSING_STATUS_HTTP == 503
    assert codec.http_status(99) == 500


# ----------------------------------------------------------------------- status details


def rich_status(code: int, message: str) -> status_pb2.Status:
    details = [
        error_details_pb2.ErrorInfo(reason="OUT_OF_STOCK", domain=ERROR_DOMAIN, metadata={"sku": "TOY-1"}),
        error_details_pb2.BadRequest(
            field_violations=[error_details_pb2.BadRequest.FieldViolation(field="items[0].quantity", description="d")]
        ),
        error_details_pb2.PreconditionFailure(
            violations=[error_details_pb2.PreconditionFailure.Violation(type="STOCK", subject="TOY-1")]
        ),
        error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=2, nanos=500_000_000)),
    ]
    return status_pb2.Status(code=code, message=message, details=[packed(d) for d in details])


EXPECTED_DETAILS = [
    {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": "OUT_OF_STOCK",
        "domain": ERROR_DOMAIN,
        "metadata": {"sku": "TOY-1"},
    },
    {
        "@type": "type.googleapis.com/google.rpc.BadRequest",
        "field_violations": [{"field": "items[0].quantity", "description": "d"}],
    },
    {
        "@type": "type.googleapis.com/google.rpc.PreconditionFailure",
        "violations": [{"type": "STOCK", "subject": "TOY-1"}],
    },
    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retry_delay": "2.500s"},
]


def test_status_details_decodes_the_trailer() -> None:
    status = rich_status(9, "not now")
    metadata = [("x-other", "1"), (codec.STATUS_DETAILS_KEY, status.SerializeToString())]
    assert codec.status_details(metadata) == (9, "not now", list(status.details))
    aio_metadata = grpc.aio.Metadata(*metadata)
    assert codec.status_details(aio_metadata) == (9, "not now", list(status.details))


@pytest.mark.parametrize(
    "metadata",
    [None, (), [("x-other", "1")], [(codec.STATUS_DETAILS_KEY, b"\xff\xff\xff")], [(codec.STATUS_DETAILS_KEY, "text")]],
    ids=["none", "empty", "no-trailer", "undecodable", "not-bytes"],
)
def test_status_details_without_a_usable_trailer_keeps_what_the_caller_knows(metadata: Any) -> None:
    assert codec.status_details(metadata) == (0, "", [])
    assert codec.status_details(metadata, 14, "down") == (14, "down", [])


def test_error_body_renders_details_as_json_any_with_proto_field_names() -> None:
    status = rich_status(9, "Out of stock")
    body = decoded(codec.error_body(status.code, status.message, status.details, None))
    assert body == {"code": 9, "message": "Out of stock", "details": EXPECTED_DETAILS}
    for rendered, original in zip(body["details"], status.details, strict=True):
        assert json_format.ParseDict(rendered, any_pb2.Any()) == original


def test_error_body_without_details_keeps_the_shape() -> None:
    assert decoded(codec.error_body(5, "gone", [])) == {"code": 5, "message": "gone", "details": []}


def test_error_body_resolves_types_from_the_given_pool_then_the_default_one(bookstore: Bookstore) -> None:
    descriptors = load_descriptor_set(bookstore.descriptor_set)
    shelf_class = descriptors.message_class(descriptors.pool.FindMessageTypeByName("bookstore.v1.Shelf"))
    shelf = any_pb2.Any(type_url="type.googleapis.com/bookstore.v1.Shelf", value=shelf_class(id=3).SerializeToString())
    info = packed(error_details_pb2.ErrorInfo(reason="R"))  # not in the bookstore pool: the default pool has it
    unknown = any_pb2.Any(type_url="type.googleapis.com/nowhere.Thing", value=b"\x08\x01")
    isolated = descriptor_pool.DescriptorPool()  # knows nothing
    body = decoded(codec.error_body(3, "m", [shelf, info, unknown], descriptors.pool))
    assert body["details"] == [
        {"@type": "type.googleapis.com/bookstore.v1.Shelf", "id": "3"},
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "R"},
        {"@type": "type.googleapis.com/nowhere.Thing", "value": base64.b64encode(b"\x08\x01").decode()},
    ]
    assert decoded(codec.error_body(3, "m", [info], isolated))["details"][0]["reason"] == "R"


# A real gRPC server failing with each code and rich details, read back the way the gateway does.


def _fail(request: bytes, context: grpc.ServicerContext) -> bytes:
    code = int(request.decode())
    context.abort_with_status(rpc_status.to_status(rich_status(code, f"boom {code}")))
    raise AssertionError("abort_with_status returns only by raising")


@pytest.fixture(scope="module")
def failing_channel() -> Iterator[grpc.Channel]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    handler = grpc.unary_unary_rpc_method_handler(_fail)
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler("test.Fail", {"Fail": handler})])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield channel
    finally:
        channel.close()
        server.stop(None)


@pytest.mark.integration  # a real gRPC server
@pytest.mark.parametrize(
    ("code", "status"), [(c.value[0], s) for c, s in DOC_TABLE.items() if c is not grpc.StatusCode.OK]
)
def test_every_grpc_error_round_trips_to_http_status_and_body(
    failing_channel: grpc.Channel, code: int, status: int
) -> None:
    call = failing_channel.unary_unary("/test.Fail/Fail")
    with pytest.raises(grpc.RpcError) as raised:
        call(str(code).encode(), timeout=10)
    error = raised.value
    assert error.code().value[0] == code
    found_code, message, details = codec.status_details(error.trailing_metadata())
    assert (found_code, message) == (code, f"boom {code}")
    assert codec.HTTP_STATUS[found_code] == status
    assert decoded(codec.error_body(found_code, message, details)) == {
        "code": code,
        "message": f"boom {code}",
        "details": EXPECTED_DETAILS,
    }


# --------------------------------------------------------------------- gateway-made errors


@pytest.mark.parametrize(
    ("http_status", "grpc_code", "default_reason"),
    [
        (400, code_pb2.INVALID_ARGUMENT, "INVALID_REQUEST"),
        (404, code_pb2.NOT_FOUND, "NOT_FOUND"),
        (405, code_pb2.UNIMPLEMENTED, "METHOD_NOT_ALLOWED"),
        (413, code_pb2.RESOURCE_EXHAUSTED, "BODY_TOO_LARGE"),
        (415, code_pb2.INVALID_ARGUMENT, "UNSUPPORTED_MEDIA_TYPE"),
        (429, code_pb2.RESOURCE_EXHAUSTED, "RATE_LIMITED"),
        (431, code_pb2.RESOURCE_EXHAUSTED, "HEADERS_TOO_LARGE"),
        (500, code_pb2.INTERNAL, "INTERNAL"),
        (503, code_pb2.UNAVAILABLE, "UNAVAILABLE"),
        (504, code_pb2.DEADLINE_EXCEEDED, "UPSTREAM_TIMEOUT"),
        (418, code_pb2.UNKNOWN, "GATEWAY_ERROR"),
    ],
)
def test_client_error_body_carries_the_matching_grpc_code_and_error_info(
    http_status: int, grpc_code: int, default_reason: str
) -> None:
    body = decoded(codec.client_error_body(http_status, "what happened"))
    assert body == {
        "code": grpc_code,
        "message": "what happened",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": default_reason, "domain": ERROR_DOMAIN}
        ],
    }


def test_client_error_body_names_the_field_and_reason() -> None:
    body = decoded(
        codec.client_error_body(400, "nope: unknown", "nope", reason=ErrorReason.ERROR_REASON_UNKNOWN_QUERY_PARAMETER)
    )
    assert body == {
        "code": 3,
        "message": "nope: unknown",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "UNKNOWN_QUERY_PARAMETER",
                "domain": ERROR_DOMAIN,
            },
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "field_violations": [{"field": "nope", "description": "nope: unknown"}],
            },
        ],
    }


def test_client_error_body_for_rate_limits_adds_retry_info() -> None:
    body = decoded(codec.client_error_body(429, "slow down", retry_after_seconds=1.5))
    assert body["code"] == 8
    assert body["details"][-1] == {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retry_delay": "1.500s"}


@pytest.mark.parametrize(
    "body",
    [
        codec.client_error_body(400, "m", "a.b", reason=ErrorReason.ERROR_REASON_INVALID_JSON),
        codec.client_error_body(429, "m", retry_after_seconds=3),
        codec.client_error_body(413, "m"),
    ],
)
def test_client_error_details_are_valid_json_any(body: bytes) -> None:
    for detail in decoded(body)["details"]:
        parsed = json_format.ParseDict(detail, any_pb2.Any())
        assert parsed.type_url == detail["@type"]
        # Printed again through json_format, the detail is the same JSON.
        assert json_format.MessageToDict(parsed, preserving_proto_field_name=True) == detail


def test_binding_error_becomes_a_400_body_naming_the_field() -> None:
    error = BindingError("page.size", 'page.size: invalid value "x" for type int32')
    body = decoded(codec.client_error_body(error.status, error.message, error.field, reason=error.reason))
    assert body["code"] == 3
    assert body["details"][0]["reason"] == "INVALID_ARGUMENT"
    assert body["details"][1]["field_violations"] == [{"field": "page.size", "description": error.message}]


def test_emit_defaults_prints_every_field_without_presence(bookstore: Any) -> None:
    # Envoy's always_print_primitive_fields: scalars, enums, repeated and maps appear with their
    # defaults; message fields, oneof members and wrappers stay absent until set.
    message = bookstore.pb2.EchoMessage(id="x")
    printed = json.loads(codec.encode_message(message, emit_defaults=True))
    assert printed["id"] == "x" and printed["i32"] == 0 and printed["i64"] == "0" and printed["flag"] is False
    assert printed["genre"] == "GENRE_UNSPECIFIED" and printed["tags"] == [] and printed["counts"] == {}
    assert printed["data"] == "" and printed["dbl"] == 0
    assert "page" not in printed and "first" not in printed and "maybe" not in printed and "at" not in printed
    nested = json.loads(codec.encode_message(bookstore.pb2.EchoMessage(page={}), emit_defaults=True))
    assert nested["page"] == {"size": 0, "token": ""}
    assert json.loads(codec.encode_message(message)) == {"id": "x"}
