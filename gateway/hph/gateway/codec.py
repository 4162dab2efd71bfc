"""What the gateway answers: response messages as proto3 JSON, gRPC statuses as HTTP errors.

Matches Envoy's grpc_json_transcoder with `print_options.preserve_proto_field_names` and
`convert_grpc_status`: proto field names, defaults omitted, 64-bit integers as strings, enums as
names, well-known types in their JSON forms; an error is `{"code", "message", "details"}` with each
`google.rpc` detail as a JSON Any ("@type" first), and the HTTP status from `HTTP_STATUS`.

`encode_message` compiles one converter per message type (fields walked with `ListFields`, which
yields only the fields to print) instead of calling `json_format.MessageToDict`: about twice as
fast on a catalog product, and the response path is the hot one. Numbers match Envoy's printer:
a double with an integral value prints without ".0" (19, not 19.0), a float prints its shortest
round-tripping decimal, NaN and infinities as "NaN" / "Infinity" / "-Infinity".
"""

from __future__ import annotations

import base64
import json
import math
import struct
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any, cast

import grpc
from google.protobuf import any_pb2, descriptor, descriptor_pool, duration_pb2, json_format
from google.protobuf.message import DecodeError, Message
from google.rpc import error_details_pb2, status_pb2

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.gateway.descriptors import STRING_FORM_TYPES, WRAPPER_TYPES, is_map
from hph.gateway.http1 import CLIENT_CLOSED_REQUEST, INTERNAL_SERVER_ERROR
from hph.runtime.errors import ERROR_DOMAIN, reason_text

# gRPC status code -> HTTP status (transcoding.md, "Answering"; Envoy's Grpc::Utility::grpcToHttpStatus).
_HTTP_STATUS_OF_CODE: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: HTTPStatus.OK,
    grpc.StatusCode.CANCELLED: CLIENT_CLOSED_REQUEST,
    grpc.StatusCode.UNKNOWN: HTTPStatus.INTERNAL_SERVER_ERROR,
    grpc.StatusCode.INVALID_ARGUMENT: HTTPStatus.BAD_REQUEST,
    grpc.StatusCode.DEADLINE_EXCEEDED: HTTPStatus.GATEWAY_TIMEOUT,
    grpc.StatusCode.NOT_FOUND: HTTPStatus.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS: HTTPStatus.CONFLICT,
    grpc.StatusCode.PERMISSION_DENIED: HTTPStatus.FORBIDDEN,
    grpc.StatusCode.RESOURCE_EXHAUSTED: HTTPStatus.TOO_MANY_REQUESTS,
    grpc.StatusCode.FAILED_PRECONDITION: HTTPStatus.BAD_REQUEST,
    grpc.StatusCode.ABORTED: HTTPStatus.CONFLICT,
    grpc.StatusCode.OUT_OF_RANGE: HTTPStatus.BAD_REQUEST,
    grpc.StatusCode.UNIMPLEMENTED: HTTPStatus.NOT_IMPLEMENTED,
    grpc.StatusCode.INTERNAL: HTTPStatus.INTERNAL_SERVER_ERROR,
    grpc.StatusCode.UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    grpc.StatusCode.DATA_LOSS: HTTPStatus.INTERNAL_SERVER_ERROR,
    grpc.StatusCode.UNAUTHENTICATED: HTTPStatus.UNAUTHORIZED,
}
# The same by code number (what grpc-status and google.rpc.Status carry), as plain ints: looked up
# for every failed call.
HTTP_STATUS: dict[int, int] = {code.value[0]: int(status) for code, status in _HTTP_STATUS_OF_CODE.items()}
# The upstream answered without any grpc-status (reset, not a gRPC server...).
MISSING_STATUS_HTTP = HTTPStatus.SERVICE_UNAVAILABLE.value

# HTTP status of an error the gateway makes itself -> the gRPC code its body carries.
_CODE_OF_HTTP_STATUS: dict[int, grpc.StatusCode] = {
    HTTPStatus.BAD_REQUEST: grpc.StatusCode.INVALID_ARGUMENT,
    HTTPStatus.UNAUTHORIZED: grpc.StatusCode.UNAUTHENTICATED,
    HTTPStatus.FORBIDDEN: grpc.StatusCode.PERMISSION_DENIED,
    HTTPStatus.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    HTTPStatus.METHOD_NOT_ALLOWED: grpc.StatusCode.UNIMPLEMENTED,
    HTTPStatus.REQUEST_TIMEOUT: grpc.StatusCode.DEADLINE_EXCEEDED,
    HTTPStatus.CONFLICT: grpc.StatusCode.ABORTED,
    HTTPStatus.LENGTH_REQUIRED: grpc.StatusCode.INVALID_ARGUMENT,
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: grpc.StatusCode.RESOURCE_EXHAUSTED,
    HTTPStatus.REQUEST_URI_TOO_LONG: grpc.StatusCode.INVALID_ARGUMENT,
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: grpc.StatusCode.INVALID_ARGUMENT,
    HTTPStatus.TOO_MANY_REQUESTS: grpc.StatusCode.RESOURCE_EXHAUSTED,
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: grpc.StatusCode.RESOURCE_EXHAUSTED,
    CLIENT_CLOSED_REQUEST: grpc.StatusCode.CANCELLED,
    HTTPStatus.INTERNAL_SERVER_ERROR: grpc.StatusCode.INTERNAL,
    HTTPStatus.NOT_IMPLEMENTED: grpc.StatusCode.UNIMPLEMENTED,
    HTTPStatus.BAD_GATEWAY: grpc.StatusCode.UNAVAILABLE,
    HTTPStatus.SERVICE_UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
    HTTPStatus.GATEWAY_TIMEOUT: grpc.StatusCode.DEADLINE_EXCEEDED,
}
# The same with plain ints on both sides, as the error body carries the code number.
GRPC_CODE_FOR_HTTP: dict[int, int] = {int(status): code.value[0] for status, code in _CODE_OF_HTTP_STATUS.items()}
_UNKNOWN_CODE = grpc.StatusCode.UNKNOWN.value[0]
# ErrorInfo.reason of gateway-made errors when the caller names none.
DEFAULT_REASONS: dict[int, ErrorReason] = {
    400: ErrorReason.ERROR_REASON_INVALID_REQUEST,
    401: ErrorReason.ERROR_REASON_UNAUTHENTICATED,
    403: ErrorReason.ERROR_REASON_PERMISSION_DENIED,
    404: ErrorReason.ERROR_REASON_NOT_FOUND,
    405: ErrorReason.ERROR_REASON_METHOD_NOT_ALLOWED,
    408: ErrorReason.ERROR_REASON_REQUEST_TIMEOUT,
    411: ErrorReason.ERROR_REASON_LENGTH_REQUIRED,
    413: ErrorReason.ERROR_REASON_BODY_TOO_LARGE,
    414: ErrorReason.ERROR_REASON_URI_TOO_LONG,
    415: ErrorReason.ERROR_REASON_UNSUPPORTED_MEDIA_TYPE,
    429: ErrorReason.ERROR_REASON_RATE_LIMITED,
    431: ErrorReason.ERROR_REASON_HEADERS_TOO_LARGE,
    500: ErrorReason.ERROR_REASON_INTERNAL,
    502: ErrorReason.ERROR_REASON_BAD_GATEWAY,
    503: ErrorReason.ERROR_REASON_UNAVAILABLE,
    504: ErrorReason.ERROR_REASON_UPSTREAM_TIMEOUT,
}

STATUS_DETAILS_KEY = "grpc-status-details-bin"
_ERROR_INFO_TYPE = "type.googleapis.com/" + error_details_pb2.ErrorInfo.DESCRIPTOR.full_name
_BAD_REQUEST_TYPE = "type.googleapis.com/" + error_details_pb2.BadRequest.DESCRIPTOR.full_name
_RETRY_INFO_TYPE = "type.googleapis.com/" + error_details_pb2.RetryInfo.DESCRIPTOR.full_name

# Compact, UTF-8 as is (Envoy does not escape non-ASCII); the C encoder is used for this setup.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def http_status(code: int | None) -> int:
    """HTTP status for a gRPC code; None (no grpc-status at all) is 503, an unknown code 500."""
    if code is None:
        return MISSING_STATUS_HTTP
    return HTTP_STATUS.get(code, INTERNAL_SERVER_ERROR)


def encode_message(message: Message, *, emit_defaults: bool = False) -> bytes:
    """Proto3 JSON of `message` with proto field names; `{}` when empty.

    Fields without presence that hold their default value are omitted, unless `emit_defaults`
    (Envoy's `always_print_primitive_fields`): then scalars, enums, repeated fields and maps are
    always printed (0, false, "", the zero enum name, [], {}), so a client never meets a missing key.
    """
    return _JSON.encode(to_json_object(message, emit_defaults=emit_defaults)).encode("utf-8")


def to_json_object(message: Message, *, emit_defaults: bool = False) -> Any:
    """The JSON value (dict, or str/number for a well-known type) `encode_message` serializes."""
    return _converter(cast(descriptor.Descriptor, message.DESCRIPTOR), emit_defaults)(message)


def status_details(
    trailing_metadata: Iterable[tuple[str, str | bytes]] | None, code: int = 0, message: str = ""
) -> tuple[int, str, list[any_pb2.Any]]:
    """(code, message, details) from the `grpc-status-details-bin` trailer (a google.rpc.Status).

    Without that trailer (or with an undecodable one) `code` and `message` are returned as given,
    with no details: code 0 then tells the caller to use the RPC error's own code and details.
    """
    for key, value in trailing_metadata or ():
        if key != STATUS_DETAILS_KEY:
            continue
        if not isinstance(value, bytes):  # grpcio always hands "-bin" values over as bytes
            break
        try:
            status = status_pb2.Status.FromString(value)
        except DecodeError:
            break
        return status.code, status.message, list(status.details)
    return code, message, []


def error_body(
    code: int, message: str, details: Sequence[any_pb2.Any], pool: descriptor_pool.DescriptorPool | None = None
) -> bytes:
    """`{"code": <gRPC code>, "message": ..., "details": [JSON Any, ...]}` (details resolved with `pool`,
    then the default pool, which knows google.rpc.*; an unknown type keeps its bytes as base64)."""
    rendered = [_any_json(detail, pool) for detail in details]
    return _JSON.encode({"code": code, "message": message, "details": rendered}).encode("utf-8")


def client_error_body(
    http_status: int,
    message: str,
    field: str = "",
    *,
    reason: ErrorReason | None = None,
    retry_after_seconds: float | None = None,
) -> bytes:
    """Body of an error the gateway answers itself (bad request, no route, too large, rate limited...).

    Same shape as upstream errors: the gRPC code matching `http_status`, an ErrorInfo with `reason`
    (default from DEFAULT_REASONS), a BadRequest violation when a `field` is named, and a RetryInfo
    when `retry_after_seconds` is given.
    """
    code = GRPC_CODE_FOR_HTTP.get(http_status, _UNKNOWN_CODE)
    details: list[dict[str, Any]] = [
        {
            "@type": _ERROR_INFO_TYPE,
            "reason": reason_text(reason or DEFAULT_REASONS.get(http_status, ErrorReason.ERROR_REASON_GATEWAY_ERROR)),
            "domain": ERROR_DOMAIN,
        }
    ]
    if field:
        details.append(
            {
                "@type": _BAD_REQUEST_TYPE,
                "field_violations": [{"field": field, "description": message}],
            }
        )
    if retry_after_seconds is not None:
        delay = _duration_text(retry_after_seconds)
        details.append({"@type": _RETRY_INFO_TYPE, "retry_delay": delay})
    return _JSON.encode({"code": code, "message": message, "details": details}).encode("utf-8")


def _duration_text(seconds: float) -> str:
    duration = duration_pb2.Duration()
    duration.FromNanoseconds(round(seconds * 1e9))
    return duration.ToJsonString()


def _any_json(detail: any_pb2.Any, pool: descriptor_pool.DescriptorPool | None) -> Any:
    # The default pool knows google.rpc.* once error_details_pb2 is imported (it is, above).
    for candidate in (pool, descriptor_pool.Default()):
        if candidate is None:
            continue
        try:
            return json_format.MessageToDict(detail, preserving_proto_field_name=True, descriptor_pool=candidate)
        except (TypeError, KeyError, json_format.Error, DecodeError):
            continue
    return {"@type": detail.type_url, "value": base64.b64encode(detail.value).decode("ascii")}


# --- compiled converters --------------------------------------------------------------------------

_Convert = Callable[[Any], Any]
_FD = descriptor.FieldDescriptor
_INT64_TYPES = frozenset({_FD.TYPE_INT64, _FD.TYPE_SINT64, _FD.TYPE_SFIXED64, _FD.TYPE_UINT64, _FD.TYPE_FIXED64})
_MESSAGES: dict[tuple[descriptor.Descriptor, bool], _Convert] = {}


def _converter(message: descriptor.Descriptor, emit: bool) -> _Convert:
    found = _MESSAGES.get((message, emit))
    if found is None:
        found = _build_converter(message, emit)
    return found


def _default_json(field: descriptor.FieldDescriptor) -> Any:
    """What a field without presence prints as when it holds its default value."""
    if is_map(field):
        return {}
    if field.is_repeated:
        return []
    if field.enum_type is not None:
        return field.enum_type.values_by_number[0].name if 0 in field.enum_type.values_by_number else 0
    if field.type in _INT64_TYPES:
        return "0"
    if field.type == _FD.TYPE_BOOL:
        return False
    if field.type in (_FD.TYPE_STRING, _FD.TYPE_BYTES):
        return ""
    return 0


def _build_converter(message: descriptor.Descriptor, emit: bool) -> _Convert:
    special = _well_known(message)
    if special is not None:
        _MESSAGES[(message, emit)] = special
        return special
    # Printed when absent, with emit: fields that have no presence (not messages, oneofs or optional).
    defaults = [(f.name, _default_json(f)) for f in message.fields if emit and not f.has_presence]
    # Field -> (JSON name, value converter or None when the Python value is already the JSON one).
    plan: dict[descriptor.FieldDescriptor, tuple[str, _Convert | None]] = {}

    def convert(value: Message) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field, item in value.ListFields():
            entry = plan.get(field)
            if entry is None:  # an extension: not known when the plan was made
                entry = plan[field] = (f"[{field.full_name}]", _field_converter(field, emit))
            name, to_json = entry
            out[name] = item if to_json is None else to_json(item)
        for name, default in defaults:
            if name not in out:
                out[name] = default
        return out

    # Registered before the plan is filled so recursive message types find themselves.
    _MESSAGES[(message, emit)] = convert
    for field in message.fields:
        plan[field] = (field.name, _field_converter(field, emit))
    return convert


def _field_converter(field: descriptor.FieldDescriptor, emit: bool = False) -> _Convert | None:
    entry = field.message_type
    if entry is not None and is_map(field):
        key_field = entry.fields_by_name["key"]
        value_convert = _value_converter(entry.fields_by_name["value"], emit)
        key_is_bool = key_field.type == _FD.TYPE_BOOL
        return lambda items: {
            (("true" if key else "false") if key_is_bool else str(key)): (
                value if value_convert is None else value_convert(value)
            )
            for key, value in items.items()
        }
    single = _value_converter(field, emit)
    if field.is_repeated:
        if single is None:
            return list
        each = single
        return lambda items: [each(item) for item in items]
    return single


def _value_converter(field: descriptor.FieldDescriptor, emit: bool = False) -> _Convert | None:
    kind = field.type
    if field.message_type is not None:
        message = field.message_type
        return lambda value: _converter(message, emit)(value)
    if field.enum_type is not None:
        if field.enum_type.full_name == "google.protobuf.NullValue":
            return lambda value: None
        names = {number: value.name for number, value in field.enum_type.values_by_number.items()}
        return lambda value: names.get(value, value)
    if kind in _INT64_TYPES:
        return str
    if kind == _FD.TYPE_DOUBLE:
        return _double
    if kind == _FD.TYPE_FLOAT:
        return _float
    if kind == _FD.TYPE_BYTES:
        return lambda value: base64.b64encode(value).decode("ascii")
    return None  # int32 family, bool, string: already their JSON value


def _double(value: float) -> Any:
    if math.isfinite(value):
        # Envoy's printer writes 19.0 as 19 (shortest form); exact below 1e15.
        return int(value) if value.is_integer() and -1e15 < value < 1e15 else value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _float(value: float) -> Any:
    if math.isfinite(value):
        return _double(_shortest_float32(value))
    return _double(value)


def _shortest_float32(value: float) -> float:
    """The shortest decimal that reads back as the same float32 (9 significant digits always do)."""
    for precision in range(6, 10):
        candidate = float(f"{value:.{precision}g}")
        if struct.unpack("<f", struct.pack("<f", candidate))[0] == value:
            return candidate
    return value


def _well_known(message: descriptor.Descriptor) -> _Convert | None:
    full_name = message.full_name
    if full_name in STRING_FORM_TYPES:
        return lambda value: value.ToJsonString()
    if full_name in WRAPPER_TYPES:
        # Wrappers (Int64Value...): the wrapped value's JSON form, printed even when it is the default.
        inner = _value_converter(message.fields_by_name["value"])
        if inner is None:
            return lambda value: value.value
        wrapped = inner
        return lambda value: wrapped(value.value)
    if full_name == "google.protobuf.Empty":
        return lambda value: {}
    if full_name == "google.protobuf.Any":
        return lambda value: _any_json(value, cast(descriptor_pool.DescriptorPool, value.DESCRIPTOR.file.pool))
    if full_name in ("google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue"):
        return lambda value: json_format.MessageToDict(value, preserving_proto_field_name=True)
    return None
