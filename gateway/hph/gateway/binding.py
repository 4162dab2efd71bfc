"""Builds the gRPC request message from a matched route's path variables, query string and body.

Reproduces Envoy's grpc_json_transcoder (grpc-httpjson-transcoding) with strict request validation:

- Bindings are the path variables, then the query parameters, in request order; each names a dotted
  field path (proto or JSON names) and is converted from text to the field's type. A later binding of
  the same scalar field wins (so a query value overrides the path value); repeated fields append.
- Query parameters are split on "&"; a parameter without "=" (or with an empty name) is ignored, like
  Envoy; values are fully percent-decoded, and "+" is a space as browsers and HTTP clients encode it
  (Envoy's `query_param_unescape_plus`, which `hph envoy-config` turns on: a literal plus arrives
  as %2B and stays "+"); names are percent-decoded only; unknown names are an error
  (`reject_unknown_query_parameters`). Repeated message fields, maps and non well-known message
  fields cannot be bound.
- The body is JSON mapped onto the message (`body: "*"` or no body rule) or onto one top-level field
  (`body: "field"`); an HttpBody body field takes the raw bytes. Unknown JSON fields are ignored.
- A binding of a scalar field the body also sets must agree with the body's value, otherwise 400
  (`reject_binding_body_field_collisions`; Envoy's RequestWeaver::CollisionCheck). This holds for path
  variables as well as query parameters: Envoy weaves both the same way.

The JSON body is converted here rather than by `json_format.ParseDict`: with `ignore_unknown_fields`
ParseDict silently drops unknown enum names and accepts a string for a message field or invalid
base64, where Envoy answers 400, and its errors do not name nested fields reliably.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from google.protobuf import descriptor, descriptor_pool, json_format
from google.protobuf.message import Message

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.gateway.descriptors import (
    HTTP_BODY,
    STRING_FORM_TYPES,
    WRAPPER_TYPES,
    fields_by_either_name,
    find_field,
    is_map,
)

if TYPE_CHECKING:
    from hph.gateway.routes import Match

FieldPath = tuple[descriptor.FieldDescriptor, ...]

_FD = descriptor.FieldDescriptor
# Well-known types whose JSON mapping json_format implements faithfully; delegated to it.
_DELEGATED_WKTS = frozenset(
    {
        "google.protobuf.Struct",
        "google.protobuf.Value",
        "google.protobuf.ListValue",
        "google.protobuf.Any",
        "google.protobuf.Empty",
    }
)
_INT_RANGES: dict[int, tuple[int, int, str]] = {
    _FD.TYPE_INT32: (-(2**31), 2**31 - 1, "int32"),
    _FD.TYPE_SINT32: (-(2**31), 2**31 - 1, "sint32"),
    _FD.TYPE_SFIXED32: (-(2**31), 2**31 - 1, "sfixed32"),
    _FD.TYPE_INT64: (-(2**63), 2**63 - 1, "int64"),
    _FD.TYPE_SINT64: (-(2**63), 2**63 - 1, "sint64"),
    _FD.TYPE_SFIXED64: (-(2**63), 2**63 - 1, "sfixed64"),
    _FD.TYPE_UINT32: (0, 2**32 - 1, "uint32"),
    _FD.TYPE_FIXED32: (0, 2**32 - 1, "fixed32"),
    _FD.TYPE_UINT64: (0, 2**64 - 1, "uint64"),
    _FD.TYPE_FIXED64: (0, 2**64 - 1, "fixed64"),
}
_FLOAT_MAX = 3.4028234663852886e38
_FLOAT_EPSILON = 1.1920928955078125e-07
# absl::SimpleAtob, which Envoy uses to read a bool from text.
_BOOL_TEXT = {
    **dict.fromkeys(("true", "t", "yes", "y", "1"), True),
    **dict.fromkeys(("false", "f", "no", "n", "0"), False),
}
_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_INT_TEXT = re.compile(r"[+-]?[0-9]+")
_FLOAT_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/_-]*")
_PERCENT_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")
# Envoy's JSON parser and json_format both stop at 100 levels of nesting.
_MAX_DEPTH = 100
# ErrorInfo reasons of binding errors (HTTP 400).
INVALID_ARGUMENT = ErrorReason.ERROR_REASON_INVALID_ARGUMENT
INVALID_JSON = ErrorReason.ERROR_REASON_INVALID_JSON


class BindingError(ValueError):
    """The request cannot be mapped onto the message: HTTP `status` (400) naming `field` (dotted path)."""

    def __init__(self, field: str, message: str, *, reason: ErrorReason = INVALID_ARGUMENT, status: int = 400) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.reason = reason
        self.status = status


def build_request(match: Match, raw_query: str, body: bytes, content_type: str, message_class: type) -> Message:
    """The request message for `match`: body first, then path and query bindings woven in."""
    message: Message = message_class()
    desc = _descriptor(message)
    body_rule = match.route.binding.body
    body_set: set[FieldPath] = set()
    if body_rule in ("", "*"):
        if desc.full_name == HTTP_BODY:
            _set_http_body(message, body, content_type)
        elif body:
            root = _load_json(body)
            if not isinstance(root, dict):
                raise BindingError("", "the request body must be a JSON object", reason=INVALID_JSON)
            _merge_object(root, message, "", (), body_set, 0)
    else:
        _bind_body_field(message, _field_named(desc, body_rule), body, content_type, body_set)
    bindings = list(match.path_params)
    if raw_query:
        bindings.extend(_query_parameters(raw_query))
    for name, value in bindings:
        _apply_binding(message, _resolve(desc, name), name, value, body_set)
    return message


def message_from_json(js: Any, message_class: type) -> Message:
    """A request message from an already parsed JSON value (an MCP tool's arguments), converted as
    strictly as a REST body (`body: "*"`): the same BindingError, naming the field, for a wrong type,
    an unknown enum name, a bad base64 or timestamp; unknown fields ignored."""
    message: Message = message_class()
    if js is None:
        return message
    if not isinstance(js, dict):
        raise BindingError("", "the arguments must be a JSON object", reason=INVALID_JSON)
    _merge_object(js, message, "", None, set(), 0)
    return message


# --- body -----------------------------------------------------------------------------------------


class _InvalidJson(Exception):
    """Raised from json.loads hooks (which must not raise ValueError subclasses we would mistake)."""


def _reject_constant(name: str) -> Any:
    raise _InvalidJson(f"{name} is not a JSON value")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _InvalidJson(f'duplicate key "{key}"')
            seen.add(key)
    return result


def _load_json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BindingError(
            "", f"the request body is not valid UTF-8 (byte {error.start})", reason=INVALID_JSON
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        detail = f"{error.msg} at line {error.lineno} column {error.colno}"
        raise BindingError("", f"the request body is not valid JSON: {detail}", reason=INVALID_JSON) from None
    except _InvalidJson as error:
        raise BindingError("", f"the request body is not valid JSON: {error}", reason=INVALID_JSON) from None
    except RecursionError:
        raise BindingError("", "the request body is nested too deeply", reason=INVALID_JSON) from None


def _bind_body_field(
    message: Message, field: descriptor.FieldDescriptor, body: bytes, content_type: str, body_set: set[FieldPath]
) -> None:
    """`body: "field"`: the JSON value (or, for google.api.HttpBody, the raw bytes) goes to `field`."""
    target = field.message_type
    if target is not None and target.full_name == HTTP_BODY and not field.is_repeated:
        _set_http_body(getattr(message, field.name), body, content_type)
        return
    if not body:
        # Envoy translates a missing body as "{}" under the field: the message field becomes present.
        if target is not None and not field.is_repeated:
            getattr(message, field.name).SetInParent()
        return
    _merge_object({field.name: _load_json(body)}, message, "", (), body_set, 0)


def _set_http_body(http_body: Message, body: bytes, content_type: str) -> None:
    http_body.content_type = content_type  # type: ignore[attr-defined]
    http_body.data = body  # type: ignore[attr-defined]


def _merge_object(
    js: dict[str, Any], message: Message, path: str, trail: FieldPath | None, body_set: set[FieldPath], depth: int
) -> None:
    """Sets the fields of `message` from a JSON object. `trail` is the field path from the request
    root while no repeated field was crossed (only such fields can collide with bindings)."""
    if depth > _MAX_DEPTH:
        raise BindingError(path, f"{path}: the JSON is nested too deeply", reason=INVALID_JSON)
    names = fields_by_either_name(message.DESCRIPTOR)
    done: set[descriptor.FieldDescriptor] = set()
    oneofs: dict[str, str] = {}
    for key, value in js.items():
        field = names.get(key)
        if field is None:
            continue  # unknown JSON fields are ignored
        field_path = f"{path}.{field.name}" if path else field.name
        if field in done:
            raise BindingError(field_path, f"{field_path}: the field is set twice (by its proto and JSON names)")
        done.add(field)
        if value is None:
            _set_null(message, field)
            continue
        oneof = field.containing_oneof
        if oneof is not None:
            other = oneofs.get(oneof.name)
            if other is not None:
                raise BindingError(
                    field_path, f'{field_path}: oneof "{oneof.name}" is already set by "{other}" in the body'
                )
            oneofs[oneof.name] = field.name
        child_trail = None if trail is None or field.is_repeated else (*trail, field)
        _merge_field(message, field, value, field_path, child_trail, body_set, depth)


def _set_null(message: Message, field: descriptor.FieldDescriptor) -> None:
    """JSON null means "default", except for google.protobuf.Value / NullValue where it is a value."""
    if field.is_repeated:
        message.ClearField(field.name)
    elif field.message_type is not None and field.message_type.full_name == "google.protobuf.Value":
        getattr(message, field.name).null_value = 0
    elif field.enum_type is not None and field.enum_type.full_name == "google.protobuf.NullValue":
        setattr(message, field.name, 0)
    else:
        message.ClearField(field.name)


def _merge_field(
    message: Message,
    field: descriptor.FieldDescriptor,
    value: Any,
    path: str,
    trail: FieldPath | None,
    body_set: set[FieldPath],
    depth: int,
) -> None:
    if is_map(field):
        if not isinstance(value, dict):
            raise BindingError(path, f"{path}: expected a JSON object for a map field")
        _merge_map(getattr(message, field.name), _entry_type(field), value, path, body_set, depth)
    elif field.is_repeated:
        if not isinstance(value, list):
            raise BindingError(path, f"{path}: expected a JSON array for a repeated field")
        container = getattr(message, field.name)
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            if item is None:
                raise BindingError(item_path, f"{item_path}: null is not allowed in a repeated field")
            if field.message_type is not None:
                _merge_message_value(container.add(), item, item_path, None, body_set, depth + 1)
            else:
                container.append(_scalar(field, item, item_path))
    elif field.message_type is not None:
        _merge_message_value(getattr(message, field.name), value, path, trail, body_set, depth + 1)
    else:
        converted = _scalar(field, value, path)
        _assign(message, field, converted, path)
        if trail is not None:
            body_set.add(trail)


def _merge_map(
    container: Any, entry: descriptor.Descriptor, value: dict[str, Any], path: str, body_set: set[FieldPath], depth: int
) -> None:
    key_field = entry.fields_by_name["key"]
    value_field = entry.fields_by_name["value"]
    for raw_key, item in value.items():
        item_path = f"{path}[{raw_key}]"
        if item is None:
            raise BindingError(item_path, f"{item_path}: null is not allowed as a map value")
        key = _map_key(key_field, raw_key, item_path)
        if value_field.message_type is not None:
            _merge_message_value(container[key], item, item_path, None, body_set, depth + 1)
        else:
            try:
                container[key] = _scalar(value_field, item, item_path)
            except (TypeError, ValueError) as error:
                raise BindingError(item_path, f"{item_path}: {error}") from None


def _map_key(field: descriptor.FieldDescriptor, key: str, path: str) -> Any:
    if field.type == _FD.TYPE_BOOL:
        if key not in ("true", "false"):
            raise BindingError(path, f'{path}: invalid map key "{key}" for type bool')
        return key == "true"
    if field.type in _INT_RANGES:
        return _integer(field, key, path)
    return key


def _merge_message_value(
    sub: Message, value: Any, path: str, trail: FieldPath | None, body_set: set[FieldPath], depth: int
) -> None:
    """Merges a JSON value into a (present) sub-message, honouring the well-known types' JSON forms."""
    full_name = sub.DESCRIPTOR.full_name
    if full_name in STRING_FORM_TYPES:
        if not isinstance(value, str):
            raise BindingError(path, f"{path}: expected a string for {full_name}")
        _from_json_string(sub, value, path)
        if trail is not None:
            body_set.add(trail)
    elif full_name in WRAPPER_TYPES:
        _set_wrapper(sub, value, path)
        if trail is not None:
            body_set.add(trail)
    elif full_name in _DELEGATED_WKTS:
        sub.SetInParent()
        try:
            pool = cast(descriptor_pool.DescriptorPool, sub.DESCRIPTOR.file.pool)
            json_format.ParseDict(value, sub, ignore_unknown_fields=True, descriptor_pool=pool)
        except (json_format.ParseError, TypeError, ValueError, AttributeError) as error:
            raise BindingError(path, f"{path}: invalid {full_name}: {error}") from None
    else:
        if not isinstance(value, dict):
            raise BindingError(path, f"{path}: expected a JSON object for message {full_name}")
        sub.SetInParent()
        _merge_object(value, sub, path, trail, body_set, depth)


def _set_wrapper(wrapper: Message, value: Any, path: str) -> None:
    """google.protobuf.*Value: the JSON form is the wrapped scalar's."""
    wrapper.value = _scalar(_descriptor(wrapper).fields_by_name["value"], value, path)  # type: ignore[attr-defined]
    wrapper.SetInParent()


def _from_json_string(sub: Message, text: str, path: str) -> None:
    try:
        sub.FromJsonString(text)  # type: ignore[attr-defined]
    except (ValueError, TypeError) as error:
        raise BindingError(path, f'{path}: invalid {sub.DESCRIPTOR.full_name} "{text}": {error}') from None


# --- scalars --------------------------------------------------------------------------------------


def _scalar(field: descriptor.FieldDescriptor, value: Any, path: str) -> Any:
    """Converts a JSON value, or the text of a path/query binding, to the field's Python value.

    Text follows Envoy's DataPiece conversions (which its JSON parser also applies to JSON strings):
    integers in decimal, bools as absl::SimpleAtob reads them, enums by name or by known number,
    bytes as standard or URL-safe base64, floats with "NaN" / "Infinity" / "-Infinity".
    """
    kind = field.type
    if kind == _FD.TYPE_ENUM:
        return _enum(field, value, path)
    if kind in _INT_RANGES:
        return _integer(field, value, path)
    if kind in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
        return _floating(field, value, path)
    if kind == _FD.TYPE_BOOL:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in _BOOL_TEXT:
            return _BOOL_TEXT[value.lower()]
        raise _invalid(path, value, "bool")
    if kind == _FD.TYPE_BYTES:
        if isinstance(value, str):
            return _base64(value, path)
        raise _invalid(path, value, "bytes")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BindingError(path, f"{path}: the string is not valid UTF-8 (unpaired surrogate)") from None
        return value
    raise _invalid(path, value, "string")


def _invalid(path: str, value: Any, type_name: str) -> BindingError:
    shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f'"{value}"'
    return BindingError(path, f"{path}: invalid value {shown} for type {type_name}")


def _integer(field: descriptor.FieldDescriptor, value: Any, path: str) -> int:
    low, high, type_name = _INT_RANGES[field.type]
    if isinstance(value, bool):
        raise _invalid(path, value, type_name)
    if isinstance(value, int):
        number = value
    elif (isinstance(value, float) and math.isfinite(value) and value.is_integer()) or (
        isinstance(value, str) and _INT_TEXT.fullmatch(value)
    ):
        number = int(value)
    else:
        raise _invalid(path, value, type_name)
    if not low <= number <= high:
        raise BindingError(path, f"{path}: value {value} is out of range for type {type_name}")
    return number


def _floating(field: descriptor.FieldDescriptor, value: Any, path: str) -> float:
    type_name = "float" if field.type == _FD.TYPE_FLOAT else "double"
    if isinstance(value, bool):
        raise _invalid(path, value, type_name)
    if isinstance(value, str):
        special = _SPECIAL_FLOATS.get(value)
        if special is not None:
            return special
        if not _FLOAT_TEXT.fullmatch(value):
            raise _invalid(path, value, type_name)
        number = float(value)
    elif isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
    else:
        raise _invalid(path, value, type_name)
    if math.isinf(number) or (type_name == "float" and abs(number) > _FLOAT_MAX):
        raise BindingError(path, f"{path}: value {value} is out of range for type {type_name}")
    return number


def _enum(field: descriptor.FieldDescriptor, value: Any, path: str) -> int:
    enum = field.enum_type
    assert enum is not None
    if isinstance(value, str):
        by_name = enum.values_by_name.get(value)
        if by_name is not None:
            return int(by_name.number)
        if _INT_TEXT.fullmatch(value) and int(value) in enum.values_by_number:
            return int(value)
    elif (
        isinstance(value, int)
        and not isinstance(value, bool)
        and -(2**31) <= value < 2**31
        and (value in enum.values_by_number or not enum.is_closed)
    ):
        return value  # proto3 enums are open: an unknown number is kept, as Envoy does for JSON numbers
    raise _invalid(path, value, f"enum {enum.full_name}")


def _base64(text: str, path: str) -> bytes:
    stripped = text.rstrip("=")
    if len(text) - len(stripped) > 2 or len(stripped) % 4 == 1 or not _BASE64_TEXT.fullmatch(stripped):
        raise BindingError(path, f"{path}: invalid base64 value")
    standard = stripped.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except binascii.Error:
        raise BindingError(path, f"{path}: invalid base64 value") from None


def _assign(message: Message, field: descriptor.FieldDescriptor, value: Any, path: str) -> None:
    try:
        setattr(message, field.name, value)
    except (TypeError, ValueError) as error:
        raise BindingError(path, f"{path}: {error}") from None


# --- path and query bindings ----------------------------------------------------------------------


# Query values decode "+" as a space (HTML forms, browsers and most HTTP client libraries send a space
# so). The Envoy bootstrap sets `query_param_unescape_plus` from this same constant, so both edges
# read `?search=dutch+oven` alike.
QUERY_PARAM_UNESCAPE_PLUS = True


def _query_parameters(raw_query: str) -> list[tuple[str, str]]:
    """Envoy's ExtractBindingsFromQueryParameters: "&"-separated, "=" required, values unescaped."""
    found: list[tuple[str, str]] = []
    for parameter in raw_query.split("&"):
        equals = parameter.find("=")
        if equals <= 0:
            continue  # no "=" or an empty name: Envoy ignores the parameter
        name = parameter[:equals]
        found.append((name, _decode_value(name, parameter[equals + 1 :])))
    return found


def _decode_value(name: str, raw: str) -> str:
    if QUERY_PARAM_UNESCAPE_PLUS:
        raw = raw.replace("+", " ")  # before percent-decoding, so an escaped %2B stays a plus
    if "%" not in raw and raw.isascii():
        return raw
    try:
        return _percent_decode(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise BindingError(name, f"{name}: the query parameter value is not valid UTF-8") from None


def _percent_decode(text: str) -> bytes:
    """Unescapes every valid %XX (an invalid escape stays as it is, like Envoy's UrlUnescapeString).

    The server hands over the request target decoded as latin-1, so latin-1 gives back its bytes.
    """
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        raw = text.encode("utf-8")
    return _PERCENT_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), raw)


@lru_cache(maxsize=4096)  # bounded: escaped spellings of a name are many
def _resolve(message: descriptor.Descriptor, name: str) -> FieldPath:
    """The fields a binding name walks through; BindingError if it cannot be bound. Cached per message
    type and name (errors are not cached, so unknown names do not grow the cache)."""
    fields: list[descriptor.FieldDescriptor] = []
    current = message
    segments = name.split(".")
    for index, segment in enumerate(segments):
        by_name = fields_by_either_name(current)
        field = by_name.get(segment)
        if field is None and "%" in segment:
            # Envoy's TypeHelper::FindField retries a URL-escaped name unescaped.
            field = by_name.get(_percent_decode(segment).decode("utf-8", errors="replace"))
        if field is None:
            raise BindingError(
                name,
                f'unknown query parameter "{name}": {current.full_name} has no field "{segment}"',
                reason=ErrorReason.ERROR_REASON_UNKNOWN_QUERY_PARAMETER,
            )
        fields.append(field)
        shown = ".".join(f.name for f in fields)
        is_last = index == len(segments) - 1
        if is_map(field):
            raise _unbindable(name, f"{shown} is a map field; maps cannot be bound from the URL")
        if field.is_repeated and field.message_type is not None:
            raise _unbindable(name, f"{shown} is a repeated message field; it cannot be bound from the URL")
        if not is_last:
            if field.message_type is None:
                raise _unbindable(name, f"{shown} is not a message field, so it has no field {segments[index + 1]!r}")
            current = field.message_type
        elif field.message_type is not None and not _binds_from_text(field.message_type):
            example = f" (e.g. {shown}.{field.message_type.fields[0].name})" if field.message_type.fields else ""
            raise _unbindable(name, f"{shown} is a message ({field.message_type.full_name}); bind its fields{example}")
    return tuple(fields)


def _unbindable(name: str, reason: str) -> BindingError:
    return BindingError(
        name, f'query parameter "{name}": {reason}', reason=ErrorReason.ERROR_REASON_INVALID_QUERY_PARAMETER
    )


def _binds_from_text(message: descriptor.Descriptor) -> bool:
    return (
        message.full_name in STRING_FORM_TYPES
        or message.full_name in WRAPPER_TYPES
        or (message.full_name == "google.protobuf.Value")
    )


def _apply_binding(message: Message, fields: FieldPath, name: str, text: str, body_set: set[FieldPath]) -> None:
    """Weaves one binding in: appends to a repeated field, checks a body collision, or sets the field."""
    path = ".".join(field.name for field in fields)
    parent = message
    for field in fields[:-1]:
        parent = getattr(parent, field.name)
    leaf = fields[-1]
    if leaf.is_repeated:
        getattr(parent, leaf.name).append(_scalar(leaf, text, path))
        return
    if leaf.message_type is not None:
        value: Any = _text_to_message(type(getattr(parent, leaf.name)), text, path)
    else:
        value = _scalar(leaf, text, path)
    if fields in body_set:
        current = getattr(parent, leaf.name)
        if not _same_value(leaf, current, value):
            raise BindingError(
                path,
                f"The binding value {text} of the field {path} is conflicting with the value "
                f"{_display(leaf, current)} in the body.",
                reason=ErrorReason.ERROR_REASON_BINDING_BODY_CONFLICT,
            )
        return  # Envoy drops a binding that agrees with the body
    if leaf.message_type is not None:
        getattr(parent, leaf.name).CopyFrom(value)
    else:
        _assign(parent, leaf, value, path)


def _text_to_message(message_class: Callable[[], Message], text: str, path: str) -> Message:
    """A well-known type from its JSON string form (or the text of a wrapper's / Value's value)."""
    sub = message_class()
    full_name = sub.DESCRIPTOR.full_name
    if full_name in STRING_FORM_TYPES:
        _from_json_string(sub, text, path)
    elif full_name in WRAPPER_TYPES:
        _set_wrapper(sub, text, path)
    else:  # google.protobuf.Value
        sub.string_value = text  # type: ignore[attr-defined]
    return sub


def _same_value(field: descriptor.FieldDescriptor, current: Any, value: Any) -> bool:
    if field.type in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
        # Envoy's AlmostEquals: |a - b| < 32 * FLT_EPSILON.
        return bool(current == value or abs(current - value) < 32 * _FLOAT_EPSILON)
    return bool(current == value)


def _display(field: descriptor.FieldDescriptor, value: Any) -> str:
    if isinstance(value, Message):
        try:
            return json.dumps(json_format.MessageToDict(value), ensure_ascii=False)
        except (TypeError, ValueError):
            return str(value)
    if field.enum_type is not None:
        known = field.enum_type.values_by_number.get(value)
        return str(known.name) if known is not None else str(value)
    if field.type == _FD.TYPE_BYTES:
        return base64.b64encode(value).decode("ascii")
    if field.type == _FD.TYPE_BOOL:
        return "true" if value else "false"
    return str(value)


# --- descriptors ----------------------------------------------------------------------------------


def _field_named(message: descriptor.Descriptor, name: str) -> descriptor.FieldDescriptor:
    field = find_field(message, name)
    if field is None:  # routes.py refuses such rules at start-up
        raise BindingError(name, f'the body field "{name}" is not a field of {message.full_name}')
    return field


def _descriptor(message: Message) -> descriptor.Descriptor:
    return cast(descriptor.Descriptor, message.DESCRIPTOR)


def _entry_type(field: descriptor.FieldDescriptor) -> descriptor.Descriptor:
    entry = field.message_type
    assert entry is not None
    return entry
