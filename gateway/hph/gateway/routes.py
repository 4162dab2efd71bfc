"""The route table: which RPC answers an HTTP method + path, and what the path variables hold.

Built once at start-up from the contracts' `google.api.http` rules (`HttpBinding`s). Building
validates every rule and raises `RouteError` naming the rpc and template, so a bad contract stops the
gateway instead of silently producing unreachable routes. Matching reproduces Envoy's
grpc_json_transcoder (grpc-httpjson-transcoding's PathMatcher):

- one trie per (HTTP method, custom verb); `{var}` and `*` are the same single-segment key, so two
  rules that differ only in variable names are duplicates (Envoy makes both unreachable; we refuse);
- depth-first lookup, per segment: literal, then single-segment (`{var}`/`*`), then `**`, backtracking
  when a branch dead-ends, so ties are broken left to right;
- the text after the last ":" of the last segment is a verb only if some template registers it;
- trailing "/" (any number) is ignored; empty middle segments ("a//b") are kept, as Envoy does;
- literals are compared still percent-encoded; single-segment variables are fully percent-decoded,
  multi-segment ones (`{name=shelves/*}`, `{path=**}`) keep "%2F" by default (see `UnescapeSpec`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from google.api import annotations_pb2, http_pb2
from google.protobuf import descriptor

from hph.gateway.descriptors import (
    DescriptorSet,
    HttpBinding,
    find_field,
    is_map,
    load_descriptor_set,
    rpc_path,
    rule_pattern,
    service_bindings,
)
from hph.gateway.templates import DoubleWildcard, Literal, PathTemplate, TemplateError, Wildcard, parse_template

__all__ = ["Match", "Route", "RouteError", "RouteTable", "UnescapeSpec", "percent_decode"]


class RouteError(ValueError):
    """An HTTP rule the gateway refuses to serve; names the rpc, the method + template and the reason."""

    def __init__(self, rpc: str, http_method: str, template: str, reason: str) -> None:
        super().__init__(f"{rpc}: {http_method} {template}: {reason}")
        self.rpc = rpc
        self.http_method = http_method
        self.template = template
        self.reason = reason


class UnescapeSpec(enum.Enum):
    """How multi-segment variables are percent-decoded; names match Envoy's `url_unescape_spec`.

    Single-segment variables are always fully decoded. Our contract (transcoding.md) is
    ALL_CHARACTERS_EXCEPT_SLASH, so the Envoy configuration must set it explicitly: Envoy's own default
    is ALL_CHARACTERS_EXCEPT_RESERVED.
    """

    ALL_CHARACTERS_EXCEPT_RESERVED = "ALL_CHARACTERS_EXCEPT_RESERVED"
    ALL_CHARACTERS_EXCEPT_SLASH = "ALL_CHARACTERS_EXCEPT_SLASH"
    ALL_CHARACTERS = "ALL_CHARACTERS"


# Escapes left as they are per spec (RFC 6570 reserved characters for the Envoy default).
_KEPT_ESCAPES: dict[UnescapeSpec, frozenset[int]] = {
    UnescapeSpec.ALL_CHARACTERS_EXCEPT_RESERVED: frozenset(b"!#$&'()*+,/:;=?@[]"),
    UnescapeSpec.ALL_CHARACTERS_EXCEPT_SLASH: frozenset(b"/"),
    UnescapeSpec.ALL_CHARACTERS: frozenset(),
}
_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")


def percent_decode(text: str, keep: frozenset[int] = frozenset()) -> str:
    """Decodes %XX escapes byte-wise, except bytes in `keep`; malformed escapes stay as they are.

    Decoded bytes are read as UTF-8; invalid UTF-8 becomes lone surrogates (surrogateescape) so nothing
    is lost here, and setting such a value on a proto string field raises (UnicodeEncodeError, a
    ValueError) -> the binding step answers 400, as Envoy's JSON->proto conversion does.
    """
    if "%" not in text:
        return text

    def replace(escape: re.Match[bytes]) -> bytes:
        byte = int(escape.group(1), 16)
        return escape.group(0) if byte in keep else bytes((byte,))

    raw = _ESCAPE.sub(replace, text.encode("utf-8", "surrogateescape"))
    return raw.decode("utf-8", "surrogateescape")


@dataclass(frozen=True, slots=True)
class _Capture:
    """Where one variable's value sits in the split request path, precomputed per route."""

    field_path: str  # dotted proto field names, e.g. "book.shelf"
    start: int
    end: int | None  # exclusive; None: to the end of the path ("**")
    multi_segment: bool


@dataclass(frozen=True, slots=True)
class Route:
    """One routable (HTTP method, template) of an RPC, validated against the RPC's input message.

    Construction raises `RouteError` when a variable does not name a non-repeated scalar field (through
    non-repeated messages), or `body` / `response_body` is not "", "*" / "" or a top-level field.
    Field names may be written as proto or JSON names (Envoy resolves both); `path_fields`,
    `body_field` and `response_body_field` hold the proto names.
    """

    binding: HttpBinding
    template: PathTemplate
    path_fields: tuple[str, ...] = field(init=False)
    body_field: str = field(init=False)
    response_body_field: str = field(init=False)
    captures: tuple[_Capture, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        method = self.binding.method
        path_fields = tuple(self._resolve_path_field(variable.field_path) for variable in self.template.variables)
        if len(set(path_fields)) != len(path_fields):
            self._refuse(f"a field is bound by more than one variable: {', '.join(path_fields)}")
        body = self.binding.body
        body_field = body if body in ("", "*") else self._top_level_field(method.input_type, body, "body")
        response_body = self.binding.response_body
        response_body_field = (
            "" if response_body == "" else self._top_level_field(method.output_type, response_body, "response_body")
        )
        captures = tuple(
            _Capture(name, variable.start, variable.end, variable.is_multi_segment)
            for name, variable in zip(path_fields, self.template.variables, strict=True)
        )
        object.__setattr__(self, "path_fields", path_fields)
        object.__setattr__(self, "body_field", body_field)
        object.__setattr__(self, "response_body_field", response_body_field)
        object.__setattr__(self, "captures", captures)

    @property
    def http_method(self) -> str:
        return self.binding.http_method

    @property
    def rpc(self) -> str:
        """gRPC path, e.g. "/holidaypeak.commerce.v1.CatalogService/GetProduct"."""
        return self.binding.rpc

    @property
    def method(self) -> descriptor.MethodDescriptor:
        return self.binding.method

    @property
    def input_type(self) -> descriptor.Descriptor:
        return self.binding.method.input_type

    @property
    def output_type(self) -> descriptor.Descriptor:
        return self.binding.method.output_type

    @property
    def client_streaming(self) -> bool:
        return bool(self.binding.method.client_streaming)

    @property
    def server_streaming(self) -> bool:
        return bool(self.binding.method.server_streaming)

    def _refuse(self, reason: str) -> NoReturn:
        raise RouteError(self.binding.rpc, self.binding.http_method, self.template.text, reason)

    def _resolve_path_field(self, names: tuple[str, ...]) -> str:
        message = self.binding.method.input_type
        prefix = f"path variable {'.'.join(names)!r}:"
        resolved: list[str] = []
        for index, name in enumerate(names):
            found = find_field(message, name)
            shown = ".".join((*resolved, name))
            if found is None:
                self._refuse(f"{prefix} {message.full_name} has no field {name!r}")
            if found.is_repeated:
                kind = "a map" if is_map(found) else "repeated"
                self._refuse(f"{prefix} {shown} is {kind}; path variables must name non-repeated scalar fields")
            resolved.append(found.name)
            is_last = index == len(names) - 1
            if is_last and found.message_type is not None:
                self._refuse(
                    f"{prefix} {shown} is a message ({found.message_type.full_name}); "
                    "path variables must name scalar fields"
                )
            if not is_last:
                if found.message_type is None:
                    self._refuse(f"{prefix} {shown} is not a message, it has no field {names[index + 1]!r}")
                message = found.message_type
        return ".".join(resolved)

    def _top_level_field(self, message: descriptor.Descriptor, name: str, option: str) -> str:
        if "." in name:
            self._refuse(f"{option} {name!r} must name a top-level field of {message.full_name}, not a field path")
        found = find_field(message, name)
        if found is None:
            self._refuse(f"{option} {name!r} is not a field of {message.full_name}")
        return str(found.name)


@dataclass(frozen=True, slots=True)
class Match:
    """The route that answers a request and its path variables as (dotted proto field path, value)."""

    route: Route
    path_params: tuple[tuple[str, str], ...]


class _Node:
    """A trie node: children by literal segment, one single-segment child, and the `**` route."""

    __slots__ = ("literals", "multi", "route", "single")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        self.single: _Node | None = None
        self.multi: Route | None = None  # "**" is always last, so it is a leaf: keep its route directly
        self.route: Route | None = None


def _lookup(node: _Node, parts: list[str], index: int) -> Route | None:
    """Envoy's PathMatcherNode::LookupPath: depth-first, literal before `*` before `**`."""
    if index == len(parts):
        # "**" also matches zero segments: "/v1/files" reaches "/v1/files/{path=**}".
        return node.route if node.route is not None else node.multi
    child = node.literals.get(parts[index])
    if child is not None:
        found = _lookup(child, parts, index + 1)
        if found is not None:
            return found
    if node.single is not None:
        found = _lookup(node.single, parts, index + 1)
        if found is not None:
            return found
    return node.multi


class RouteTable:
    """Every routable HTTP rule, indexed for matching. Immutable once built; safe to share."""

    def __init__(
        self, routes: Sequence[Route], unescape: UnescapeSpec = UnescapeSpec.ALL_CHARACTERS_EXCEPT_SLASH
    ) -> None:
        self.routes: tuple[Route, ...] = tuple(routes)
        self.unescape = unescape
        self._kept_escapes = _KEPT_ESCAPES[unescape]
        self._tries: dict[tuple[str, str], _Node] = {}
        for route in self.routes:
            self._insert(route)
        self.custom_verbs: frozenset[str] = frozenset(
            route.template.verb for route in self.routes if route.template.verb
        )
        self._methods_by_verb: dict[str, tuple[tuple[str, _Node], ...]] = {}
        for (http_method, verb), root in self._tries.items():
            self._methods_by_verb[verb] = (*self._methods_by_verb.get(verb, ()), (http_method, root))

    @classmethod
    def build(
        cls, bindings: Sequence[HttpBinding], *, unescape: UnescapeSpec = UnescapeSpec.ALL_CHARACTERS_EXCEPT_SLASH
    ) -> RouteTable:
        """Validates and indexes `bindings`; raises `RouteError` for the first rule we refuse."""
        for method in {binding.method.full_name: binding.method for binding in bindings}.values():
            _check_rule_shape(method)
        routes = [_route(binding) for binding in bindings]
        return cls(routes, unescape)

    @classmethod
    def from_descriptor_set(
        cls,
        descriptors: DescriptorSet | bytes | Path | None = None,
        services: Sequence[str] | None = None,
        *,
        unescape: UnescapeSpec = UnescapeSpec.ALL_CHARACTERS_EXCEPT_SLASH,
    ) -> RouteTable:
        """The table of every HTTP rule of `services` (default: all) in a descriptor set (default: ours)."""
        loaded = descriptors if isinstance(descriptors, DescriptorSet) else load_descriptor_set(descriptors)
        return cls.build(service_bindings(loaded, services), unescape=unescape)

    def match(self, http_method: str, raw_path: str) -> Match | None:
        """The route for `http_method` (compared exactly, as Envoy does) and the still-encoded path."""
        parts, verb = self._split(raw_path)
        if parts is None:
            return None
        root = self._tries.get((http_method, verb))
        if root is None:
            return None
        route = _lookup(root, parts, 0)
        if route is None:
            return None
        return Match(route, self._path_params(route, parts))

    def allowed_methods(self, raw_path: str) -> tuple[str, ...]:
        """HTTP methods some route answers at this path, sorted (empty: no route has this path)."""
        parts, verb = self._split(raw_path)
        if parts is None:
            return ()
        return tuple(
            sorted(
                method for method, root in self._methods_by_verb.get(verb, ()) if _lookup(root, parts, 0) is not None
            )
        )

    def path_exists(self, raw_path: str) -> bool:
        """Whether any method matches (lets the server choose between 404 and 405)."""
        return bool(self.allowed_methods(raw_path))

    def _split(self, raw_path: str) -> tuple[list[str] | None, str]:
        """Envoy's ExtractRequestParts: strip the query, split off a registered verb, drop trailing "/"."""
        query = raw_path.find("?")
        if query != -1:
            raw_path = raw_path[:query]
        if not raw_path.startswith("/"):
            return None, ""
        verb = ""
        colon = raw_path.rfind(":")
        if colon != -1 and colon > raw_path.rfind("/"):
            candidate = raw_path[colon + 1 :]
            if candidate in self.custom_verbs:
                verb = candidate
                raw_path = raw_path[:colon]
        parts = raw_path[1:].split("/")
        while parts and not parts[-1]:
            parts.pop()
        return parts, verb

    def _path_params(self, route: Route, parts: list[str]) -> tuple[tuple[str, str], ...]:
        params: list[tuple[str, str]] = []
        for capture in route.captures:
            if capture.multi_segment:
                end = len(parts) if capture.end is None else capture.end
                kept = self._kept_escapes
                value = "/".join([percent_decode(part, kept) for part in parts[capture.start : end]])
            else:
                value = percent_decode(parts[capture.start])
            params.append((capture.field_path, value))
        return tuple(params)

    def _insert(self, route: Route) -> None:
        key = (route.http_method, route.template.verb or "")
        node = self._tries.setdefault(key, _Node())
        for segment in route.template.segments:
            if isinstance(segment, Literal):
                node = node.literals.setdefault(segment.text, _Node())
            elif isinstance(segment, Wildcard):
                if node.single is None:
                    node.single = _Node()
                node = node.single
            elif isinstance(segment, DoubleWildcard):
                if node.multi is not None:
                    _refuse_duplicate(route, node.multi)
                node.multi = route
                return
        if node.route is not None:
            _refuse_duplicate(route, node.route)
        node.route = route


def _refuse_duplicate(route: Route, existing: Route) -> NoReturn:
    same = (
        "is already bound" if existing.template.text == route.template.text else "matches exactly the same requests as"
    )
    raise RouteError(
        route.rpc,
        route.http_method,
        route.template.text,
        f"{same} {existing.http_method} {existing.template.text} of {existing.rpc} "
        "(Envoy would make both unreachable; refusing to start)",
    )


def _route(binding: HttpBinding) -> Route:
    if not binding.http_method:
        raise RouteError(binding.rpc, binding.http_method, binding.template, "empty HTTP method (custom kind)")
    try:
        template = parse_template(binding.template)
    except TemplateError as error:
        raise RouteError(binding.rpc, binding.http_method, binding.template, error.reason) from error
    return Route(binding, template)


def _check_rule_shape(method: descriptor.MethodDescriptor) -> None:
    """Refuses what `http_bindings` silently skips: nested additional_bindings and rules without a pattern."""
    options = method.GetOptions()
    if not options.HasExtension(annotations_pb2.http):
        return
    rule: http_pb2.HttpRule = options.Extensions[annotations_pb2.http]
    rpc = rpc_path(method)
    if rule_pattern(rule) is None:
        raise RouteError(rpc, "", "", "google.api.http rule has no pattern (get, post, put, patch, delete or custom)")
    for index, additional in enumerate(rule.additional_bindings, start=1):
        pattern = rule_pattern(additional)
        if pattern is None:
            raise RouteError(rpc, "", "", f"additional binding #{index} has no pattern")
        if additional.additional_bindings:
            http_method, template = pattern
            raise RouteError(rpc, http_method, template, f"additional binding #{index} has nested additional_bindings")
