"""Reads the descriptor set once: message types, services, HTTP rules, access rules and comments.

The gateway, the Envoy configuration and the OpenAPI document all start from `load_descriptor_set`
and `http_bindings`, so they can never disagree about which routes exist. The questions every part
asks of a descriptor (is this field a map, which field does a JSON or proto name mean, which types
have a JSON form of their own) are answered here once.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor, descriptor_pb2, descriptor_pool, message_factory

from holidaypeak.common.v1 import access_pb2

# The platform's descriptor set, produced by `hph codegen` (imports + source info included).
PLATFORM_DESCRIPTOR_SET = Path(__file__).resolve().parents[3] / "services" / "holidaypeak" / "holidaypeak.binpb"

# Raw bytes with their own content type, in a request body or as the whole response.
HTTP_BODY = "google.api.HttpBody"
# Well-known types whose proto3 JSON form is one string (so a path or query value can carry them).
STRING_FORM_TYPES = frozenset({"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"})
# google.protobuf.*Value: the JSON form is the wrapped scalar's.
WRAPPER_TYPES = frozenset(
    f"google.protobuf.{name}Value"
    for name in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
)


def rpc_path(method: descriptor.MethodDescriptor) -> str:
    """gRPC path, e.g. "/holidaypeak.commerce.v1.CatalogService/GetProduct"."""
    return f"/{method.containing_service.full_name}/{method.name}"


def is_map(field: descriptor.FieldDescriptor) -> bool:
    """A `map<K, V>` field (a repeated field of a synthetic map-entry message)."""
    entry = field.message_type
    return bool(field.is_repeated and entry is not None and entry.GetOptions().map_entry)


@functools.cache
def fields_by_either_name(message: descriptor.Descriptor) -> dict[str, descriptor.FieldDescriptor]:
    """Fields by JSON name and by proto name (the proto name wins a clash), as Envoy accepts both."""
    names = {field.json_name: field for field in message.fields}
    names.update(message.fields_by_name)
    return names


def find_field(message: descriptor.Descriptor, name: str) -> descriptor.FieldDescriptor | None:
    """The field a proto or JSON name means (what Envoy's TypeInfo::FindField accepts)."""
    return fields_by_either_name(message).get(name)


@dataclass(frozen=True)
class HttpBinding:
    """One (method, template) an RPC is reachable at; additional_bindings yield one each."""

    http_method: str  # GET, POST, PUT, PATCH, DELETE or a custom verb such as OPTIONS
    template: str
    body: str  # "", "*" or a top-level field name
    response_body: str
    method: descriptor.MethodDescriptor
    is_additional: bool = False

    @property
    def rpc(self) -> str:
        """gRPC path, e.g. "/holidaypeak.commerce.v1.CatalogService/GetProduct"."""
        return rpc_path(self.method)

    @property
    def service(self) -> str:
        return self.method.containing_service.full_name

    @property
    def access(self) -> access_pb2.AccessRule:
        return access_rule(self.method)


def access_rule(method: descriptor.MethodDescriptor) -> access_pb2.AccessRule:
    """The RPC's `holidaypeak.common.v1.access` option; an empty rule (min_role unspecified, which
    every reader treats as admin only) when the contract declares none."""
    options = method.GetOptions()
    if options.HasExtension(access_pb2.access):  # type: ignore[arg-type]
        return options.Extensions[access_pb2.access]  # type: ignore[index]
    return access_pb2.AccessRule()


@dataclass
class DescriptorSet:
    """A pool built from a FileDescriptorSet plus what was parsed out of it."""

    files: descriptor_pb2.FileDescriptorSet
    pool: descriptor_pool.DescriptorPool

    @property
    def raw(self) -> bytes:
        return self.files.SerializeToString()

    def services(self, names: Sequence[str] | None = None) -> list[descriptor.ServiceDescriptor]:
        """Services defined in the set (not its imports' well-known ones), optionally filtered."""
        found = []
        for file in self.files.file:
            for service in file.service:
                full_name = f"{file.package}.{service.name}" if file.package else service.name
                if names is None or full_name in names:
                    found.append(self.pool.FindServiceByName(full_name))
        return found

    def message_class(self, message: descriptor.Descriptor) -> type:
        return message_factory.GetMessageClass(message)

    def comments(self, full_name: str) -> str:
        """Leading comment of a service, method, message, field or enum (from source info), as Markdown."""
        return self._comments.get(full_name, "")

    @functools.cached_property
    def _comments(self) -> dict[str, str]:
        # Built once per set and kept on it: a cache keyed by id() handed a new set the comments of
        # a collected one whose id it reused.
        return _comment_index(self.files)


def load_descriptor_set(source: bytes | Path | None = None) -> DescriptorSet:
    """Parses a FileDescriptorSet (default: the platform's) into its own descriptor pool."""
    data = source if isinstance(source, bytes) else (source or PLATFORM_DESCRIPTOR_SET).read_bytes()
    files = descriptor_pb2.FileDescriptorSet.FromString(data)
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    return DescriptorSet(files=files, pool=pool)


def rule_pattern(rule: http_pb2.HttpRule) -> tuple[str, str] | None:
    """(HTTP method, template) of a rule; a custom kind is upper-cased; None when no pattern is set."""
    kind = rule.WhichOneof("pattern")
    if kind is None:
        return None
    if kind == "custom":
        return rule.custom.kind.upper(), rule.custom.path
    return kind.upper(), getattr(rule, kind)


def http_bindings(methods: Sequence[descriptor.MethodDescriptor]) -> Iterator[HttpBinding]:
    """Every HTTP binding of the given methods, additional bindings included, in contract order."""
    for method in methods:
        options = method.GetOptions()
        if not options.HasExtension(annotations_pb2.http):
            continue
        rule: http_pb2.HttpRule = options.Extensions[annotations_pb2.http]
        for index, candidate in enumerate([rule, *rule.additional_bindings]):
            pattern = rule_pattern(candidate)
            if pattern is None:
                continue
            yield HttpBinding(
                http_method=pattern[0],
                template=pattern[1],
                body=candidate.body,
                response_body=candidate.response_body,
                method=method,
                is_additional=index > 0,
            )


def service_bindings(descriptors: DescriptorSet, names: Sequence[str] | None = None) -> list[HttpBinding]:
    methods = [m for service in descriptors.services(names) for m in service.methods]
    return list(http_bindings(methods))


def _comment_index(files: descriptor_pb2.FileDescriptorSet) -> dict[str, str]:
    """Maps full names to leading comments using source_code_info paths."""
    index: dict[str, str] = {}
    for file in files.file:
        prefix = f"{file.package}." if file.package else ""
        names: dict[tuple[int, ...], str] = {}
        for i, message in enumerate(file.message_type):
            _index_message(names, (4, i), prefix + message.name, message)
        for i, enum in enumerate(file.enum_type):
            _index_enum(names, (5, i), prefix + enum.name, enum)
        for i, service in enumerate(file.service):
            names[(6, i)] = prefix + service.name
            for j, method in enumerate(service.method):
                names[(6, i, 2, j)] = f"{prefix}{service.name}.{method.name}"
        for location in file.source_code_info.location:
            name = names.get(tuple(location.path))
            if name and location.leading_comments:
                index[name] = _comment_text(location.leading_comments)
    return index


def _comment_text(comment: str) -> str:
    """A leading comment as the Markdown it is written in: its line breaks and relative indentation
    kept (paragraphs, lists and their continuation lines), the space after `//` and blanks trimmed."""
    lines = [line.rstrip() for line in comment.splitlines()]
    return textwrap.dedent("\n".join(lines)).strip("\n")


def _index_message(
    names: dict[tuple[int, ...], str], path: tuple[int, ...], name: str, message: descriptor_pb2.DescriptorProto
) -> None:
    names[path] = name
    for i, field in enumerate(message.field):
        names[(*path, 2, i)] = f"{name}.{field.name}"
    for i, nested in enumerate(message.nested_type):
        _index_message(names, (*path, 3, i), f"{name}.{nested.name}", nested)
    for i, enum in enumerate(message.enum_type):
        _index_enum(names, (*path, 4, i), f"{name}.{enum.name}", enum)


def _index_enum(
    names: dict[tuple[int, ...], str], path: tuple[int, ...], name: str, enum: descriptor_pb2.EnumDescriptorProto
) -> None:
    names[path] = name
    for i, value in enumerate(enum.value):
        names[(*path, 2, i)] = f"{name}.{value.name}"
