"""MCP over stdio (`hph mcp`): the same tools as `/mcp`, for a client that starts a local process.

The process speaks JSON-RPC on stdin/stdout (logs go to stderr) and calls a running platform's gRPC
address, sending the one bearer token it was given (`--token` / HPH_TOKEN) with every call: the
platform authorises each call as it would a REST call with that token. The tools are those of the
descriptor set this installation ships, so the platform should run the same version; a tool whose
service the platform does not host answers UNIMPLEMENTED.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from mcp.server import ServerRequestContext
from mcp.server.stdio import stdio_server

from hph.gateway.descriptors import load_descriptor_set
from hph.gateway.mcp_server import PlatformTools, build_server
from hph.gateway.mcp_tools import build_tool_catalog
from hph.gateway.upstream import UpstreamPool
from hph.runtime.settings import Settings

log = logging.getLogger("hph.gateway.mcp")


def bearer(token: str) -> str | None:
    """The `authorization` value of a token given with or without its "Bearer " scheme; None if empty."""
    token = token.strip()
    if not token:
        return None
    scheme, _, rest = token.partition(" ")
    return f"Bearer {rest.strip()}" if scheme.lower() == "bearer" and rest else f"Bearer {token}"


async def serve_stdio(settings: Settings, *, grpc_target: str, token: str) -> None:
    """Serves MCP on this process's stdin/stdout until the client closes stdin."""
    descriptors = load_descriptor_set()
    pool = UpstreamPool(timeout_seconds=settings.gateway_upstream_timeout_seconds)
    authorization = bearer(token)
    tools = PlatformTools(
        build_tool_catalog(descriptors),
        descriptors,
        pool,
        grpc_target,
        identity_cache_seconds=settings.revocation_cache_seconds,
    )

    def caller(_: ServerRequestContext[Any, Any]) -> str | None:
        return authorization

    def request_id(_: ServerRequestContext[Any, Any]) -> str:
        return os.urandom(16).hex()

    server = build_server(tools, caller, request_id)
    log.info(
        "MCP on stdio",
        extra={
            "grpc_target": grpc_target,
            "tools": len(tools.catalog.tools),
            "authenticated": authorization is not None,
        },
    )
    try:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        await pool.close()
