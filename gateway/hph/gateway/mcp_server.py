"""The MCP server (the official `mcp` SDK's low-level `Server`) over the platform's RPCs.

`PlatformTools` does the work both transports share: it asks the platform who a bearer token belongs
to, lists the tools that caller's role may call, and calls a tool's RPC with the caller's token as
the gRPC `authorization` metadata, so the services apply the contract's access rules to a tool call
exactly as to a REST call (a customer calling a staff tool gets the platform's PERMISSION_DENIED).
`build_server` wraps it as an SDK `Server`; `hph.gateway.mcp_http` serves that on the REST port at
`/mcp`, `hph mcp` over stdio.

Who the caller is comes from the platform itself, `UserService.GetMe` with the caller's token: the
same verification (issuer, signature, audience, expiry, revocation) that will judge their calls,
with no keys or identity-provider settings on this side, so it works the same from a stdio process
talking to a remote platform. A listing therefore never trusts a claim the platform has not checked.

A tool's result is the proto3 JSON of the response (default values printed, so every key a model
looks for is there) as structured content, plus the same JSON as text. A refused call is a tool
error (`isError`) whose text names the gRPC status, its message and the `google.rpc` details (field
violations, the ErrorInfo reason, precondition failures), and whose structured content is the
`{"code", "status", "message", "details"}` the REST surface answers.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import grpc
import mcp_types as types
from google.protobuf.message import Message
from mcp.server import Server, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from holidaypeak.common.v1 import access_pb2
from hph.gateway import codec
from hph.gateway.binding import BindingError, message_from_json
from hph.gateway.descriptors import DescriptorSet, rpc_path
from hph.gateway.mcp_tools import ToolCatalog, ToolSpec, find_method
from hph.gateway.openapi import DEFAULT_VERSION
from hph.gateway.upstream import UpstreamPool
from hph.runtime.auth.principal import role_from_name

log = logging.getLogger("hph.gateway.mcp")

SERVER_NAME = "holiday-peak-hub"
# Asked with the caller's token: the platform's own answer to "who is this?" (roles included).
WHO_AM_I = "holidaypeak.commerce.v1.UserService.GetMe"
# The gRPC path behind a tool, in its `_meta` (a client may look the RPC up in the OpenAPI document).
RPC_META_KEY = "holidaypeak.hub/rpc"
# A JSON-RPC error code for a token the platform refused (the implementation-defined server range).
TOKEN_REFUSED = -32001
_STATUS_NAMES = {code.value[0]: code.name for code in grpc.StatusCode}
_UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED.value[0]

INSTRUCTIONS = """\
Tools of Holiday Peak Hub, a retail commerce platform: product search and detail, order status,
and the retail agents' decisions (each explains its drivers). Arguments are the JSON of the RPC's
request message (proto field names); results are the JSON of its response. Send the shopper's or
employee's bearer token: the tools listed are those its role may call, and every call is authorised
by the platform as the REST API would be."""


class CallerRefused(Exception):
    """The platform refused the caller's token (UNAUTHENTICATED): the message says why."""


@dataclass(frozen=True)
class Identity:
    """Who a token belongs to, as the platform verified it."""

    subject: str
    role: int


ANONYMOUS = Identity(subject="", role=access_pb2.ROLE_ANONYMOUS)


class PlatformTools:
    """The tools of one platform: identify a caller, list what they may call, call a tool."""

    def __init__(
        self,
        catalog: ToolCatalog,
        descriptors: DescriptorSet,
        pool: UpstreamPool,
        grpc_target: str,
        *,
        identity_cache_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.catalog = catalog
        self.descriptors = descriptors
        self._pool = pool
        self._target = grpc_target
        self._listed = {tool.name: _listed_tool(tool) for tool in catalog.tools.values()}
        self._classes: dict[str, tuple[type[Message], type[Message]]] = {
            tool.name: (
                descriptors.message_class(tool.method.input_type),
                descriptors.message_class(tool.method.output_type),
            )
            for tool in catalog.tools.values()
        }
        # Contracts without the user service (the gateway fronts others too) cannot say who calls.
        who = find_method(descriptors, WHO_AM_I)
        self._who_am_i = pool.unary(grpc_target, rpc_path(who)) if who is not None else None
        self._who_am_i_reply: type[Message] | None = descriptors.message_class(who.output_type) if who else None
        # A verdict on a token is reused this long (the platform itself trusts "not revoked" as long):
        # an HTTP request is identified before the SDK sees it and again when it lists the tools.
        self._cache_seconds = identity_cache_seconds
        self._clock = clock
        self._identities: dict[str, tuple[float, Identity | CallerRefused]] = {}

    # -- who is calling -------------------------------------------------------------------------

    async def identify(self, authorization: str | None) -> Identity:
        """The caller a bearer header belongs to (anonymous without one); CallerRefused when the
        platform refuses the token. When the platform cannot say (its user service unreachable or
        not hosted there), the caller is treated as anonymous for listing, which only hides tools:
        every call is still authorised by the platform."""
        if not authorization:
            return ANONYMOUS
        now = self._clock()
        cached = self._identities.get(authorization)
        if cached is not None and now - cached[0] < self._cache_seconds:
            verdict = cached[1]
        else:
            verdict = await self._ask_platform(authorization)
            if len(self._identities) >= 4096:
                self._identities.clear()
            self._identities[authorization] = (now, verdict)
        if isinstance(verdict, CallerRefused):
            raise verdict
        return verdict

    async def _ask_platform(self, authorization: str) -> Identity | CallerRefused:
        if self._who_am_i is None or self._who_am_i_reply is None:
            return ANONYMOUS
        try:
            reply = await self._who_am_i(b"", [("authorization", authorization)])
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.UNAUTHENTICATED:
                return CallerRefused(exc.details() or "the bearer token was refused")
            log.warning(
                "cannot ask the platform who a caller is; listing the anonymous tools",
                extra={"rpc": WHO_AM_I, "code": exc.code().name},
            )
            return ANONYMOUS
        me: Any = self._who_am_i_reply.FromString(reply)
        roles = [role for role in (role_from_name(name) for name in me.roles) if role is not None]
        return Identity(subject=me.user_id, role=max(roles, default=access_pb2.ROLE_CUSTOMER))

    # -- tools ----------------------------------------------------------------------------------

    def listed(self, role: int) -> list[types.Tool]:
        """The tools/list entries a caller holding `role` sees."""
        return [self._listed[tool.name] for tool in self.catalog.visible_to(role)]

    def input_schema(self, name: str) -> Mapping[str, Any] | None:
        tool = self.catalog.get(name)
        return tool.input_schema if tool is not None else None

    async def call(
        self, tool: ToolSpec, arguments: Mapping[str, Any] | None, authorization: str | None, request_id: str
    ) -> types.CallToolResult:
        """Calls the tool's RPC as the caller; a refusal is a tool error, never an exception."""
        input_class, output_class = self._classes[tool.name]
        try:
            request = message_from_json(dict(arguments) if arguments is not None else None, input_class)
        except BindingError as exc:
            body = codec.client_error_body(exc.status, exc.message, exc.field, reason=exc.reason)
            return tool_error(json.loads(body))
        metadata: list[tuple[str, str | bytes]] = [("x-request-id", request_id)]
        if authorization:
            metadata.append(("authorization", authorization))
        try:
            reply = await self._pool.unary(self._target, tool.rpc)(request.SerializeToString(), metadata)
        except grpc.aio.AioRpcError as exc:
            code, message, details = codec.status_details(
                exc.trailing_metadata(), exc.code().value[0], exc.details() or ""
            )
            return tool_error(json.loads(codec.error_body(code, message, details, self.descriptors.pool)))
        answer = codec.to_json_object(output_class.FromString(reply), emit_defaults=True)
        text = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)], structured_content=answer)


def _listed_tool(tool: ToolSpec) -> types.Tool:
    return types.Tool(
        name=tool.name,
        description=tool.description,
        input_schema=tool.input_schema,
        output_schema=tool.output_schema,
        annotations=types.ToolAnnotations(read_only_hint=True) if tool.read_only else None,
        _meta={RPC_META_KEY: tool.rpc},
    )


def tool_error(status: Mapping[str, Any]) -> types.CallToolResult:
    """A refused call as a tool error: `status` is the REST error body (`code`, `message`,
    `details` as JSON Any); the text says it in lines a model (or a person) reads at once."""
    code = int(status.get("code", 2))
    name = _STATUS_NAMES.get(code, "UNKNOWN")
    structured = {
        "code": code,
        "status": name,
        "message": status.get("message", ""),
        "details": status.get("details", []),
    }
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=status_text(structured))],
        structured_content=structured,
        is_error=True,
    )


def status_text(status: Mapping[str, Any]) -> str:
    """`INVALID_ARGUMENT (gRPC 3): ...`, then one line per detail: the reason, each field violation,
    each precondition failure, the retry delay; other details as their JSON."""
    lines = [f"{status['status']} (gRPC {status['code']}): {status['message']}"]
    for detail in status.get("details", []):
        kind = str(detail.get("@type", "")).rpartition("/")[2]
        if kind == "google.rpc.ErrorInfo":
            metadata = detail.get("metadata") or {}
            extra = "".join(f", {key}={value}" for key, value in sorted(metadata.items()))
            lines.append(f"reason: {detail.get('reason', '')}{extra}")
        elif kind == "google.rpc.BadRequest":
            lines.extend(
                f"field {violation.get('field', '')}: {violation.get('description', '')}"
                for violation in detail.get("field_violations", [])
            )
        elif kind == "google.rpc.PreconditionFailure":
            lines.extend(
                f"precondition {violation.get('type', '')} {violation.get('subject', '')}: "
                f"{violation.get('description', '')}"
                for violation in detail.get("violations", [])
            )
        elif kind == "google.rpc.RetryInfo":
            lines.append(f"retry after {detail.get('retry_delay', '')}")
        else:
            lines.append(json.dumps(detail, ensure_ascii=False, sort_keys=True))
    return "\n".join(lines)


Authorization = Callable[[ServerRequestContext[Any, Any]], str | None]
RequestId = Callable[[ServerRequestContext[Any, Any]], str]


def build_server(tools: PlatformTools, authorization: Authorization, request_id: RequestId) -> Server[Any]:
    """The SDK server answering tools/list and tools/call; `authorization` says which bearer header a
    request carries (the HTTP request's, or the one `hph mcp` was given), `request_id` its id."""

    async def list_tools(
        ctx: ServerRequestContext[Any, Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        try:
            identity = await tools.identify(authorization(ctx))
        except CallerRefused as refused:
            raise MCPError(TOKEN_REFUSED, f"the bearer token was refused: {refused}") from None
        # Who is asking decides the answer, so no client may share it with another caller.
        return types.ListToolsResult(tools=tools.listed(identity.role), ttl_ms=0, cache_scope="private")

    async def call_tool(
        ctx: ServerRequestContext[Any, Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        tool = tools.catalog.get(params.name)
        if tool is None:
            raise MCPError(INVALID_PARAMS, f"unknown tool {params.name!r}")
        return await tools.call(tool, params.arguments, authorization(ctx), request_id(ctx))

    return Server(
        SERVER_NAME,
        version=DEFAULT_VERSION,
        title="Holiday Peak Hub",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        get_tool_input_schema=tools.input_schema,
    )
