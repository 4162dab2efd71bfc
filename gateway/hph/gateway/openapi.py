"""Builds the OpenAPI 3.1 document of the REST surface (the /docs page is rendered from it by `docs_page`).

Everything comes from the descriptor set: paths from the google.api.http rules, parameters and
bodies from the input messages, schemas from messages (proto field names, proto3 JSON types, made by
`schemas`, as MCP tools' are), text from proto comments, security from the holidaypeak access option.
Each operation names its whole request message (`x-hph-request`), so every request message is a
component even when only query parameters carry it. The gateway serves the result at
`/openapi.json` and `/docs`, so the document always matches what is routed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from importlib import metadata

from google.protobuf import descriptor

from holidaypeak.common.v1 import access_pb2
from hph.gateway.descriptors import (
    HTTP_BODY,
    STRING_FORM_TYPES,
    WRAPPER_TYPES,
    DescriptorSet,
    HttpBinding,
    is_map,
    service_bindings,
)
from hph.gateway.schemas import SCALAR_SCHEMAS, WELL_KNOWN_SCHEMAS, JsonObject, MessageSchemas, join_notes


def _package_version() -> str:
    try:
        return metadata.version("holiday-peak-hub")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


DEFAULT_VERSION = _package_version()
STATUS_SCHEMA = "Status"
BEARER_SCHEME = "bearerAuth"
COMPONENTS_PREFIX = "#/components/schemas/"

_OPENAPI_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Well-known types a query parameter can carry (their JSON form is a single string or scalar).
_QUERY_WELL_KNOWN = WRAPPER_TYPES | STRING_FORM_TYPES

_BINARY = {"type": "string", "format": "binary"}

_ROLE_NAMES: dict[int, str] = {
    access_pb2.ROLE_ANONYMOUS: "anonymous",
    access_pb2.ROLE_CUSTOMER: "customer",
    access_pb2.ROLE_STAFF: "staff",
    access_pb2.ROLE_ADMIN: "admin",
}

# Error responses: status -> (component name, description).
_ERROR_RESPONSES = {
    HTTPStatus.BAD_REQUEST: (
        "BadRequest",
        "Invalid request: bad JSON, wrong types, unknown query parameter or a field violation.",
    ),
    HTTPStatus.UNAUTHORIZED: ("Unauthenticated", "Missing, expired, revoked or invalid bearer token."),
    HTTPStatus.FORBIDDEN: ("PermissionDenied", "The caller's role (or ownership) does not allow this operation."),
    HTTPStatus.NOT_FOUND: ("NotFound", "The resource does not exist (or is not visible to the caller)."),
    HTTPStatus.CONFLICT: ("Conflict", "Already exists, or a concurrent change (etag mismatch) aborted the operation."),
    HTTPStatus.TOO_MANY_REQUESTS: (
        "TooManyRequests",
        "Rate limit exceeded; retry after the number of seconds in Retry-After.",
    ),
}


def _key(status: HTTPStatus) -> str:
    """OpenAPI names a response by its status code as text."""
    return str(status.value)


_INFO_DESCRIPTION = """\
REST/JSON surface of Holiday Peak Hub, transcoded from the platform's gRPC services (same contracts,
same rules as Envoy's gRPC-JSON transcoder).

**JSON.** Field names are the proto field names (snake_case); lowerCamelCase names are accepted in
requests too. 64-bit integers are printed as strings (requests accept strings or numbers), enums as
their names, timestamps as RFC 3339 strings. {defaults} Unknown JSON fields in requests are ignored;
unknown query parameters are refused.

**Errors.** Every error answers a JSON `Status`: `{"code": <gRPC code>, "message": "...",
"details": [{"@type": "type.googleapis.com/google.rpc.BadRequest", ...}]}`. The HTTP status follows
the gRPC code: INVALID_ARGUMENT, FAILED_PRECONDITION and OUT_OF_RANGE give 400, UNAUTHENTICATED 401,
PERMISSION_DENIED 403, NOT_FOUND 404, ALREADY_EXISTS and ABORTED 409, RESOURCE_EXHAUSTED 429,
UNIMPLEMENTED 501, UNAVAILABLE 503, DEADLINE_EXCEEDED 504, others 500. Details use the `google.rpc`
types (BadRequest with field violations, ErrorInfo with a reason, PreconditionFailure, RetryInfo).

**Authentication and roles.** Send `Authorization: Bearer <JWT>`. Roles, each including the ones
before it: anonymous (no token needed), customer (any signed-in user, acting on their own data),
staff (sees and manages every shopper's data), admin (staff plus money-moving and destructive
operations). Each operation states its minimum role; "owner only" operations act on the caller's
own resources unless the caller holds the stated override role.
"""
# What responses do with fields holding their default value (HPH_JSON_EMIT_DEFAULTS, codec's emit_defaults).
_DEFAULTS_PRINTED = (
    'Fields holding their default value are printed too (`0`, `false`, `""`, `[]`, `{}`, an enum\'s first'
    " value), so a key a client reads is always there; message fields, `optional` fields and oneof"
    " members appear only when set."
)
_DEFAULTS_OMITTED = "Fields holding their default value are omitted from responses."


def _info_description(emit_defaults: bool) -> str:
    return _INFO_DESCRIPTION.replace("{defaults}", _DEFAULTS_PRINTED if emit_defaults else _DEFAULTS_OMITTED)


@dataclass(frozen=True)
class _PathVariable:
    field_path: str
    pattern: str | None  # None for a plain single-segment "{field}"


def build_openapi(
    descriptors: DescriptorSet,
    *,
    title: str = "Holiday Peak Hub",
    version: str = DEFAULT_VERSION,
    server_url: str | None = None,
    services: Sequence[str] | None = None,
    emit_defaults: bool = True,
) -> JsonObject:
    """The OpenAPI 3.1 document of every HTTP binding in the descriptor set, or of `services`'
    (deterministic). `emit_defaults` says how the gateway prints default values (settings'
    json_emit_defaults), which the document states."""
    builder = _DocumentBuilder(descriptors)
    bindings = service_bindings(descriptors, services)
    labels = _service_labels(bindings)
    for binding, operation_id in zip(bindings, _operation_ids(bindings, labels), strict=True):
        builder.add_operation(binding, operation_id, labels[binding.service])
    document: JsonObject = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": _info_description(emit_defaults)},
    }
    if server_url:
        document["servers"] = [{"url": server_url}]
    document["security"] = [{BEARER_SCHEME: []}]
    document["tags"] = builder.tags()
    document["paths"] = builder.paths()
    document["components"] = {
        "schemas": builder.schemas(),
        "responses": _error_responses(),
        "securitySchemes": {
            BEARER_SCHEME: {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "A JWT from the identity provider; its roles claim carries the platform roles.",
            }
        },
    }
    return document


def _service_labels(bindings: Sequence[HttpBinding]) -> dict[str, str]:
    """Tag and operation id prefix per service: its short name, or the full one when short names clash."""
    by_short: dict[str, set[str]] = {}
    for binding in bindings:
        service = binding.method.containing_service
        by_short.setdefault(service.name, set()).add(service.full_name)
    return {
        full: short if len(fulls) == 1 else full.replace(".", "_")
        for short, fulls in by_short.items()
        for full in fulls
    }


def _operation_ids(bindings: Sequence[HttpBinding], labels: dict[str, str]) -> list[str]:
    """`Service_Method`, with `_2`, `_3`... for a method's additional bindings."""
    ids: list[str] = []
    seen: dict[str, int] = {}
    for binding in bindings:
        base = f"{labels[binding.service]}_{binding.method.name}"
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return ids


class _DocumentBuilder:
    """Accumulates paths, tags and the component schemas the operations reach."""

    def __init__(self, descriptors: DescriptorSet) -> None:
        self._descriptors = descriptors
        self._paths: dict[str, JsonObject] = {}
        self._tags: dict[str, str] = {}
        self._schemas = MessageSchemas(descriptors, COMPONENTS_PREFIX)

    # -- results -------------------------------------------------------------------------------

    def paths(self) -> JsonObject:
        ordered: JsonObject = {}
        for path in sorted(self._paths):
            item = self._paths[path]
            ordered[path] = {key: item[key] for key in sorted(item, key=_path_item_order)}
        return ordered

    def tags(self) -> list[JsonObject]:
        return [
            {"name": name, "description": text} if text else {"name": name} for name, text in sorted(self._tags.items())
        ]

    def schemas(self) -> JsonObject:
        schemas = {**self._schemas.definitions(), STATUS_SCHEMA: _status_schema()}
        return {name: schemas[name] for name in sorted(schemas)}

    # -- operations ----------------------------------------------------------------------------

    def add_operation(self, binding: HttpBinding, operation_id: str, tag: str) -> None:
        self._tags.setdefault(tag, self._descriptors.comments(binding.service))
        path, variables = _openapi_path(binding.template)
        operation = self._operation(binding, operation_id, tag, variables)
        item = self._paths.setdefault(path, {})
        key = binding.http_method.lower()
        if key not in _OPENAPI_METHODS:
            # OpenAPI 3.1 has no field for other HTTP methods; keep them visible as an extension.
            item.setdefault("x-custom-operations", {})[binding.http_method] = operation
        elif key in item:
            # Two templates that differ only in a variable's pattern collapse into one OpenAPI path.
            first = item[key]
            first["description"] += (
                f"\n\nAlso routed here: {binding.http_method} `{binding.template}` calls `{binding.rpc}`"
                " (OpenAPI cannot tell the two templates apart)."
            )
            # Either template's pattern may match now, so the parameter must not promise just one.
            for parameter in first.get("parameters", []):
                if parameter["in"] == "path":
                    parameter["schema"].pop("pattern", None)
        else:
            item[key] = operation

    def _operation(
        self, binding: HttpBinding, operation_id: str, tag: str, variables: Sequence[_PathVariable]
    ) -> JsonObject:
        method = binding.method
        comment = self._descriptors.comments(method.full_name)
        access = binding.access
        secured = access.min_role != access_pb2.ROLE_ANONYMOUS
        operation: JsonObject = {
            "tags": [tag],
            "operationId": operation_id,
            "summary": first_sentence(comment) or method.name,
            "description": self._operation_description(binding, comment),
            "x-hph-rpc": binding.rpc,
            "x-hph-access": _access_extension(access),
            # The whole request message the parameters and body are bound into: the arguments of the
            # MCP tool of this RPC, and what a gRPC client sends.
            "x-hph-request": self._schemas.ref(method.input_type),
        }
        parameters = self._path_parameters(method.input_type, variables)
        if binding.body != "*":
            parameters += self._query_parameters(binding, variables)
        if parameters:
            operation["parameters"] = parameters
        request_body = self._request_body(binding, variables)
        if request_body is not None:
            operation["requestBody"] = request_body
        operation["responses"] = self._responses(binding, secured, bool(variables))
        operation["security"] = [{BEARER_SCHEME: []}] if secured else []
        return operation

    def _operation_description(self, binding: HttpBinding, comment: str) -> str:
        parts = [comment] if comment else []
        parts.append(f"**Access:** {access_text(binding.access)}")
        if binding.method.server_streaming:
            parts.append("**Streaming:** the response is a JSON array, streamed as the messages are produced.")
        parts.append(f"gRPC: `{binding.rpc}`")
        return "\n\n".join(parts)

    # -- parameters ----------------------------------------------------------------------------

    def _path_parameters(self, message: descriptor.Descriptor, variables: Sequence[_PathVariable]) -> list[JsonObject]:
        parameters = []
        for variable in variables:
            field = _resolve_field(message, variable.field_path)
            schema = self._query_schema(field) if field is not None else {"type": "string"}
            notes = [self._descriptors.comments(field.full_name)] if field is not None else []
            if variable.pattern is not None:
                schema = {**schema, "pattern": _pattern_regex(variable.pattern)}
                notes.append(f"Matches the template pattern `{variable.pattern}`; its slashes are sent as they are.")
            parameter: JsonObject = {"name": variable.field_path, "in": "path", "required": True, "schema": schema}
            description = join_notes(notes)
            if description:
                parameter["description"] = description
            parameters.append(parameter)
        return parameters

    def _query_parameters(self, binding: HttpBinding, variables: Sequence[_PathVariable]) -> list[JsonObject]:
        bound = {variable.field_path for variable in variables}
        if binding.body:
            bound.add(binding.body)
        parameters: list[JsonObject] = []
        self._flatten_query(binding.method.input_type, "", bound, (binding.method.input_type.full_name,), parameters)
        return parameters

    def _flatten_query(
        self,
        message: descriptor.Descriptor,
        prefix: str,
        bound: set[str],
        ancestors: tuple[str, ...],
        out: list[JsonObject],
    ) -> None:
        for field in message.fields:
            name = prefix + field.name
            if name in bound or is_map(field):
                continue
            nested = field.message_type
            if nested is not None and nested.full_name not in _QUERY_WELL_KNOWN:
                # Repeated messages cannot be query parameters; cyclic types would never end.
                if field.is_repeated or nested.full_name in WELL_KNOWN_SCHEMAS or nested.full_name in ancestors:
                    continue
                self._flatten_query(nested, name + ".", bound, (*ancestors, nested.full_name), out)
                continue
            parameter: JsonObject = {"name": name, "in": "query", "schema": self._query_schema(field)}
            if field.is_repeated:
                parameter["style"] = "form"
                parameter["explode"] = True
            description = self._descriptors.comments(field.full_name)
            if field.json_name != field.name:
                description = join_notes([description, f"Also accepted as `{prefix}{field.json_name}`."])
            if description:
                parameter["description"] = description
            out.append(parameter)

    def _query_schema(self, field: descriptor.FieldDescriptor) -> JsonObject:
        """A parameter's schema: enums inline with their names, wrappers without null."""
        if field.enum_type is not None:
            single: JsonObject = {"type": "string", "enum": [value.name for value in field.enum_type.values]}
        elif field.message_type is not None:
            single = copy.deepcopy(WELL_KNOWN_SCHEMAS.get(field.message_type.full_name, {"type": "string"}))
            if isinstance(single.get("type"), list):
                single["type"] = [kind for kind in single["type"] if kind != "null"]
                if len(single["type"]) == 1:
                    single["type"] = single["type"][0]
            single.pop("description", None)
        else:
            single = copy.deepcopy(SCALAR_SCHEMAS[field.type])
        if field.is_repeated:
            return {"type": "array", "items": single}
        return single

    # -- bodies --------------------------------------------------------------------------------

    def _request_body(self, binding: HttpBinding, variables: Sequence[_PathVariable]) -> JsonObject | None:
        message = binding.method.input_type
        if not binding.body:
            return None
        if binding.body == "*":
            component = self._schemas.message_schema(message)
            top_level_bound = {v.field_path for v in variables if "." not in v.field_path}
            required = [name for name in component.get("required", []) if name not in top_level_bound]
            schema = self._schemas.ref(message)
            if top_level_bound:
                # The path supplies these fields, so the body schema is the message without them.
                properties = {k: v for k, v in component["properties"].items() if k not in top_level_bound}
                schema = {key: value for key, value in component.items() if key != "required"}
                schema["properties"] = properties
                if required:
                    schema["required"] = required
            # A body is only mandatory when it must carry a required field; `{}` is implied otherwise.
            return {"required": bool(required), "content": {"application/json": {"schema": schema}}}
        field = message.fields_by_name.get(binding.body)
        if field is None:
            return None
        description = self._descriptors.comments(field.full_name)
        if field.message_type is not None and field.message_type.full_name == HTTP_BODY:
            body: JsonObject = {"required": True, "content": {"*/*": {"schema": dict(_BINARY)}}}
        else:
            body = {"required": True, "content": {"application/json": {"schema": self._schemas.field_schema(field)}}}
        if description:
            body["description"] = description
        return body

    def _responses(self, binding: HttpBinding, secured: bool, has_path_variables: bool) -> JsonObject:
        method = binding.method
        output = method.output_type
        description = self._descriptors.comments(output.full_name) or f"A {output.name}."
        field = output.fields_by_name.get(binding.response_body) if binding.response_body else None
        answered = field.message_type if field is not None else output
        if answered is not None and answered.full_name == HTTP_BODY:
            content: JsonObject = {"*/*": {"schema": dict(_BINARY)}}
            description = "Raw bytes with their own content type."
        else:
            schema = self._schemas.field_schema(field) if field is not None else self._schemas.ref(output)
            if method.server_streaming:
                schema = {"type": "array", "items": schema}
                description = f"A JSON array of {output.name} messages, streamed."
            content = {"application/json": {"schema": schema}}
        responses: JsonObject = {_key(HTTPStatus.OK): {"description": description, "content": content}}
        statuses = [HTTPStatus.BAD_REQUEST]
        if secured:
            statuses += [HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN]
        if has_path_variables:
            statuses.append(HTTPStatus.NOT_FOUND)
        if binding.http_method not in ("GET", "HEAD", "OPTIONS"):
            statuses.append(HTTPStatus.CONFLICT)
        statuses.append(HTTPStatus.TOO_MANY_REQUESTS)
        for status in statuses:
            responses[_key(status)] = {"$ref": f"#/components/responses/{_ERROR_RESPONSES[status][0]}"}
        responses["default"] = {"$ref": "#/components/responses/Error"}
        return responses


def _error_responses() -> JsonObject:
    ref = {"$ref": f"#/components/schemas/{STATUS_SCHEMA}"}
    responses: JsonObject = {}
    for status in sorted(_ERROR_RESPONSES):
        name, description = _ERROR_RESPONSES[status]
        response: JsonObject = {"description": description, "content": {"application/json": {"schema": ref}}}
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before retrying.",
                    "schema": {"type": "integer", "minimum": 0},
                }
            }
        responses[name] = response
    responses["Error"] = {
        "description": "Any other error (500 internal, 501 unimplemented, 503 unavailable, 504 timeout...).",
        "content": {"application/json": {"schema": ref}},
    }
    return dict(sorted(responses.items()))


def _status_schema() -> JsonObject:
    return {
        "type": "object",
        "description": "Error answered by every failing operation (google.rpc.Status as JSON).",
        "properties": {
            "code": {"type": "integer", "format": "int32", "description": "gRPC status code number."},
            "message": {"type": "string", "description": "Developer-facing explanation of the error."},
            "details": {
                "type": "array",
                "description": "google.rpc detail messages (BadRequest, ErrorInfo, ...) as JSON Any.",
                "items": {
                    "type": "object",
                    "properties": {"@type": {"type": "string", "description": "Type URL of the detail."}},
                    "required": ["@type"],
                    "additionalProperties": True,
                },
            },
        },
        "required": ["code", "message"],
    }


def role_name(role: int) -> str:
    """Readable name of an access role; an undeclared role is treated as admin (as the interceptor does)."""
    return _ROLE_NAMES.get(role, "admin")


def access_text(access: access_pb2.AccessRule) -> str:
    """One sentence stating who may call: minimum role, owner only and the override role."""
    if access.min_role == access_pb2.ROLE_ANONYMOUS:
        text = "anonymous (no token needed; a valid bearer token is accepted)."
    else:
        text = f"requires a bearer token with role `{role_name(access.min_role)}` or above"
        if access.min_role == access_pb2.ROLE_UNSPECIFIED:
            text += " (no access rule declared, so treated as admin)"
        text += "."
    if access.owner_only:
        text += " Owner only: acts on the caller's own resources"
        if access.owner_override_role != access_pb2.ROLE_UNSPECIFIED:
            text += f"; role `{role_name(access.owner_override_role)}` may act on anyone's"
        text += "."
    return text


def _access_extension(access: access_pb2.AccessRule) -> JsonObject:
    extension: JsonObject = {"min_role": role_name(access.min_role), "owner_only": access.owner_only}
    if access.owner_only and access.owner_override_role != access_pb2.ROLE_UNSPECIFIED:
        extension["owner_override_role"] = role_name(access.owner_override_role)
    return extension


def _path_item_order(key: str) -> tuple[int, str]:
    return (_OPENAPI_METHODS.index(key), key) if key in _OPENAPI_METHODS else (len(_OPENAPI_METHODS), key)


_VARIABLE = re.compile(r"\{([^}=]+)(?:=([^}]*))?\}")


def _openapi_path(template: str) -> tuple[str, list[_PathVariable]]:
    """`/v1/{name=shelves/*}:verb` -> (`/v1/{name}:verb`, [name with its pattern]); bare wildcards named."""
    variables: list[_PathVariable] = []

    def replace(match: re.Match[str]) -> str:
        pattern = match.group(2)
        variables.append(_PathVariable(match.group(1).strip(), None if pattern in (None, "*") else pattern))
        return "{" + match.group(1).strip() + "}"

    path = _VARIABLE.sub(replace, template)
    segments = path.split("/")
    for index, segment in enumerate(segments):
        head, colon, verb = segment.partition(":")
        if head in ("*", "**"):
            name = f"wildcard{len(variables) + 1}"
            variables.append(_PathVariable(name, None if head == "*" else "**"))
            segments[index] = "{" + name + "}" + colon + verb
    return "/".join(segments), variables


def _pattern_regex(pattern: str) -> str:
    parts = []
    for segment in pattern.split("/"):
        parts.append("[^/]+" if segment == "*" else ".*" if segment == "**" else re.escape(segment))
    return "^" + "/".join(parts) + "$"


def _resolve_field(message: descriptor.Descriptor, field_path: str) -> descriptor.FieldDescriptor | None:
    field = None
    current: descriptor.Descriptor | None = message
    for name in field_path.split("."):
        if current is None:
            return None
        field = current.fields_by_name.get(name)
        if field is None:
            return None
        current = field.message_type
    return field


def first_sentence(text: str) -> str:
    """The first sentence of a description (an operation's summary, a schema's one-liner)."""
    text = " ".join(text.split())  # the sentence may be wrapped over lines
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return (match.group(1) if match else text).strip()


def operations(spec: JsonObject) -> Iterable[tuple[str, str, JsonObject]]:
    """Every (METHOD, path, operation) of a spec, custom methods included (for the page and tests)."""
    for path, item in spec.get("paths", {}).items():
        for key, operation in item.items():
            if key in _OPENAPI_METHODS:
                yield key.upper(), path, operation
        yield from ((method, path, op) for method, op in item.get("x-custom-operations", {}).items())
