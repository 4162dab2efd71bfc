"""The MCP SDK's own client against the platform: over Streamable HTTP (`/mcp` on the REST port) or
over stdio (a real `hph mcp` process); what the MCP tests and the journeys share."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, Literal

import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult

from hph.gateway.descriptors import load_descriptor_set
from hph.gateway.mcp_tools import CURATED_TOOLS, build_tool_catalog
from hph.runtime.auth.principal import ROLE_ANONYMOUS, role_from_name

# "auto" negotiates the newest protocol (2026-07-28, one request per exchange); "legacy" the
# initialize handshake of the 2025 revisions. The platform serves both.
Era = Literal["auto", "legacy"]


@asynccontextmanager
async def http_mcp(
    url: str, authorization: str | None = None, *, mode: Era = "auto", fresh_connections: bool = False
) -> AsyncIterator[Client]:
    """A connected client of `url` (http://host:port/mcp), sending `authorization` with every request;
    `fresh_connections` opens a connection per request (so workers sharing the port each get some)."""
    headers = {"authorization": authorization} if authorization else {}
    limits = httpx2.Limits(max_keepalive_connections=0) if fresh_connections else httpx2.Limits()
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30, limits=limits) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        yield client


@asynccontextmanager
async def stdio_mcp(grpc_target: str, token: str = "") -> AsyncIterator[Client]:
    """A client of a `hph mcp` process it starts (and ends) calling `grpc_target` with `token`."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "hph.host.cli", "mcp", "--grpc-target", grpc_target],
        env={**os.environ, "HPH_TOKEN": token, "HPH_LOG_FORMAT": "text"},
    )
    async with Client(params) as client:
        yield client


async def tool_names(client: Client) -> list[str]:
    return [tool.name for tool in (await client.list_tools()).tools]


def visible_tools(role: str) -> list[str]:
    """What tools/list should show `role` (a role name or "anonymous") when every service of the
    contracts is fronted: the curated reads and, once agent contracts exist, the agents' tools."""
    value = ROLE_ANONYMOUS if role == "anonymous" else role_from_name(role)
    assert value is not None, role
    return [tool.name for tool in build_tool_catalog(load_descriptor_set()).visible_to(value)]


def curated(names: list[str]) -> list[str]:
    """The commerce reads among listed tools, in their order (agent tools left out)."""
    reads = {tool.name for tool in CURATED_TOOLS}
    return [name for name in names if name in reads]


def structured(result: CallToolResult) -> Mapping[str, Any]:
    """A successful call's structured content, after checking the text block says the same."""
    assert not result.is_error, result.content
    assert isinstance(result.structured_content, dict)
    text = result.content[0]
    assert text.type == "text" and json.loads(text.text) == result.structured_content
    return result.structured_content


def refusal(result: CallToolResult) -> tuple[str, str]:
    """A refused call's gRPC status name and its text (status, reason, field violations)."""
    assert result.is_error, result.structured_content
    assert isinstance(result.structured_content, dict)
    text = result.content[0]
    assert text.type == "text"
    return str(result.structured_content["status"]), text.text
