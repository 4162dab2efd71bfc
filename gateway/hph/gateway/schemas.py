"""JSON Schemas of proto messages and enums, as their proto3 JSON mapping prints them.

The one derivation of a message's schema: the OpenAPI document (`openapi`) names its components with
it, and every MCP tool's input and output schema (`mcp_tools`) is made by it, so a tool's arguments
are exactly the JSON a REST body of the same message accepts. Field names are the proto names, texts
come from the proto comments, `google.api.field_behavior` gives `required`, `readOnly` and
`writeOnly`, well-known types have their own JSON form inline.

`MessageSchemas` names each message and enum it reaches by its full name and references it as
`<ref_prefix><full name>`; `message_schema` wraps one message as a self-contained document whose
`$defs` hold everything it reaches.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from google.api import field_behavior_pb2
from google.protobuf import descriptor

from hph.gateway.descriptors import DescriptorSet, is_map

JsonObject = dict[str, Any]

# Where a self-contained schema keeps the types it reaches (JSON Schema 2020-12).
DEFS_PREFIX = "#/$defs/"

_FD = descriptor.FieldDescriptor

INT32_RANGE = {"minimum": -(2**31), "maximum": 2**31 - 1}
UINT32_RANGE = {"minimum": 0, "maximum": 2**32 - 1}
# proto3 JSON prints 64-bit integers as strings and accepts a string or a number.
_INT64 = {"type": ["string", "integer"], "format": "int64"}
_UINT64 = {"type": ["string", "integer"], "format": "uint64"}

SCALAR_SCHEMAS: dict[int, JsonObject] = {
    _FD.TYPE_DOUBLE: {"type": "number", "format": "double"},
    _FD.TYPE_FLOAT: {"type": "number", "format": "float"},
    _FD.TYPE_INT64: _INT64,
    _FD.TYPE_SINT64: _INT64,
    _FD.TYPE_SFIXED64: _INT64,
    _FD.TYPE_UINT64: _UINT64,
    _FD.TYPE_FIXED64: _UINT64,
    _FD.TYPE_INT32: {"type": "integer", "format": "int32", **INT32_RANGE},
    _FD.TYPE_SINT32: {"type": "integer", "format": "int32", **INT32_RANGE},
    _FD.TYPE_SFIXED32: {"type": "integer", "format": "int32", **INT32_RANGE},
    _FD.TYPE_UINT32: {"type": "integer", "format": "uint32", **UINT32_RANGE},
    _FD.TYPE_FIXED32: {"type": "integer", "format": "uint32", **UINT32_RANGE},
    _FD.TYPE_BOOL: {"type": "boolean"},
    _FD.TYPE_STRING: {"type": "string"},
    _FD.TYPE_BYTES: {"type": "string", "contentEncoding": "base64"},
}

_DURATION = {
    "type": "string",
    "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$",
    "description": 'Duration in seconds with an "s" suffix, e.g. "1.5s".',
}

# Well-known types have their own JSON form (proto3 JSON mapping), so they are never named types.
WELL_KNOWN_SCHEMAS: dict[str, JsonObject] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": _DURATION,
    "google.protobuf.FieldMask": {
        "type": "string",
        "description": 'Comma-separated field paths, e.g. "name,price".',
    },
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array", "items": {}},
    "google.protobuf.Empty": {"type": "object"},
    "google.protobuf.Any": {
        "type": "object",
        "properties": {"@type": {"type": "string"}},
        "required": ["@type"],
        "additionalProperties": True,
    },
    "google.protobuf.DoubleValue": {"type": ["number", "null"], "format": "double"},
    "google.protobuf.FloatValue": {"type": ["number", "null"], "format": "float"},
    "google.protobuf.Int64Value": {"type": ["string", "integer", "null"], "format": "int64"},
    "google.protobuf.UInt64Value": {"type": ["string", "integer", "null"], "format": "uint64"},
    "google.protobuf.Int32Value": {"type": ["integer", "null"], "format": "int32", **INT32_RANGE},
    "google.protobuf.UInt32Value": {"type": ["integer", "null"], "format": "uint32", **UINT32_RANGE},
    "google.protobuf.BoolValue": {"type": ["boolean", "null"]},
    "google.protobuf.StringValue": {"type": ["string", "null"]},
    "google.protobuf.BytesValue": {"type": ["string", "null"], "contentEncoding": "base64"},
}


class MessageSchemas:
    """Schemas of messages and enums, each named once by its full name; `definitions()` holds every
    named type a schema handed out so far references (deterministic order)."""

    def __init__(self, descriptors: DescriptorSet, ref_prefix: str) -> None:
        self._descriptors = descriptors
        self._ref_prefix = ref_prefix
        self._named: dict[str, JsonObject] = {}
        self._pending: list[descriptor.Descriptor | descriptor.EnumDescriptor] = []

    def definitions(self) -> dict[str, JsonObject]:
        """Every message and enum referenced so far (and what those reach), by full name, sorted."""
        while self._pending:
            item = self._pending.pop()
            if item.full_name in self._named:
                continue
            if isinstance(item, descriptor.EnumDescriptor):
                self._named[item.full_name] = self.enum_schema(item)
            else:
                self._named[item.full_name] = self.message_schema(item)
        return {name: self._named[name] for name in sorted(self._named)}

    def ref(self, item: descriptor.Descriptor | descriptor.EnumDescriptor) -> JsonObject:
        """The schema a field of this type has: a reference to the named type, or a well-known
        type's own JSON form inline."""
        if isinstance(item, descriptor.Descriptor) and item.full_name in WELL_KNOWN_SCHEMAS:
            return copy.deepcopy(WELL_KNOWN_SCHEMAS[item.full_name])
        if item.full_name not in self._named:
            self._pending.append(item)
        return {"$ref": f"{self._ref_prefix}{item.full_name}"}

    def message_schema(self, message: descriptor.Descriptor) -> JsonObject:
        """The object schema of a message: its fields with their comments and behaviours."""
        schema: JsonObject = {"type": "object"}
        description = self._descriptors.comments(message.full_name)
        if description:
            schema["description"] = description
        properties: JsonObject = {}
        required: list[str] = []
        for field in message.fields:
            behaviors = _field_behaviors(field)
            prop = self.field_schema(field)
            # A well-known type's own hint (e.g. the Duration format) follows the field's comment.
            notes = [self._descriptors.comments(field.full_name), str(prop.get("description", ""))]
            oneof = field.containing_oneof
            if oneof is not None and not _is_synthetic_oneof(oneof, field):
                others = ", ".join(f"`{other.name}`" for other in oneof.fields)
                notes.append(f"Member of oneof `{oneof.name}`: at most one of {others} is set.")
            text = join_notes(notes)
            if text:
                prop = {**prop, "description": text}
            if field_behavior_pb2.OUTPUT_ONLY in behaviors:
                prop = {**prop, "readOnly": True}
            if field_behavior_pb2.INPUT_ONLY in behaviors:
                prop = {**prop, "writeOnly": True}
            if field_behavior_pb2.REQUIRED in behaviors:
                required.append(field.name)
            properties[field.name] = prop
        schema["properties"] = properties
        if required:
            schema["required"] = required
        return schema

    def enum_schema(self, enum: descriptor.EnumDescriptor) -> JsonObject:
        """An enum as its value names, each value's comment a list item of the description."""
        lines = [self._descriptors.comments(enum.full_name)]
        for value in enum.values:
            text = self._descriptors.comments(f"{enum.full_name}.{value.name}")
            # Lines of a value's comment continue its list item, so they are indented under it.
            text = text.replace("\n", "\n  ")
            lines.append(f"- `{value.name}`: {text}" if text else f"- `{value.name}`")
        schema: JsonObject = {"type": "string", "enum": [value.name for value in enum.values]}
        description = "\n".join(line for line in lines if line)
        if description:
            schema["description"] = description
        return schema

    def field_schema(self, field: descriptor.FieldDescriptor) -> JsonObject:
        """A field's schema: maps as objects, repeated fields as arrays, the rest as one value."""
        entry = field.message_type
        if entry is not None and is_map(field):
            key_field = entry.fields_by_name["key"]
            value_field = entry.fields_by_name["value"]
            schema: JsonObject = {"type": "object", "additionalProperties": self._single_schema(value_field)}
            if key_field.type == _FD.TYPE_BOOL:
                schema["propertyNames"] = {"enum": ["true", "false"]}
            elif key_field.type != _FD.TYPE_STRING:
                schema["propertyNames"] = {"pattern": "^-?[0-9]+$"}
            return schema
        single = self._single_schema(field)
        if field.is_repeated:
            return {"type": "array", "items": single}
        return single

    def _single_schema(self, field: descriptor.FieldDescriptor) -> JsonObject:
        if field.enum_type is not None:
            if field.enum_type.full_name == "google.protobuf.NullValue":
                return {"type": "null"}
            return self.ref(field.enum_type)
        if field.message_type is not None:
            return self.ref(field.message_type)
        return copy.deepcopy(SCALAR_SCHEMAS[field.type])


def message_schema(descriptors: DescriptorSet, message: descriptor.Descriptor) -> JsonObject:
    """A self-contained JSON Schema of `message`: its object schema at the root (a well-known type's
    own form for one of those) and, under `$defs`, every message and enum it reaches, referenced as
    `#/$defs/<full name>`. Each of those equals the OpenAPI component of the same name once the
    reference prefix is swapped."""
    schemas = MessageSchemas(descriptors, DEFS_PREFIX)
    if message.full_name in WELL_KNOWN_SCHEMAS:
        return copy.deepcopy(WELL_KNOWN_SCHEMAS[message.full_name])
    root = schemas.message_schema(message)
    definitions = schemas.definitions()
    if definitions:
        root["$defs"] = definitions
    return root


def _field_behaviors(field: descriptor.FieldDescriptor) -> set[int]:
    options = field.GetOptions()
    return set(options.Extensions[field_behavior_pb2.field_behavior])


def _is_synthetic_oneof(oneof: descriptor.OneofDescriptor, field: descriptor.FieldDescriptor) -> bool:
    """proto3 `optional` fields sit in a one-field oneof named after them; that is not a real choice."""
    return len(oneof.fields) == 1 and oneof.name.lstrip("X") == f"_{field.name}"


def join_notes(notes: Sequence[str]) -> str:
    """One description from several notes: one paragraph of sentences, or, when a note has lines of
    its own (a list, paragraphs), one paragraph per note, so no note is run into another's list."""
    present = [note for note in notes if note]
    return ("\n\n" if any("\n" in note for note in present) else " ").join(present)
