"""`hph mcp`: the MCP tools over stdio, a real process started by the MCP SDK's own client, calling a
running platform's gRPC address with the token it was given."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from mcp.shared.exceptions import MCPError

from tests.support.mcp_clients import refusal, stdio_mcp, structured, tool_names, visible_tools
from tests.support.platform_harness import Hub, running_hub
from tests.support.tokens import signed_bearer


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    async with running_hub(tmp_path / "data", seed=True) as running:
        yield running


def token(hub: Hub, role: str, sub: str) -> str:
    return signed_bearer(hub.issuer, role, sub).removeprefix("Bearer ")


async def test_a_customer_lists_their_tools_and_searches(hub: Hub) -> None:
    async with stdio_mcp(hub.address, token(hub, "customer", "customer-ava")) as client:
        names = await tool_names(client)
        assert names == visible_tools("customer")
        assert names[:3] == ["search_products", "get_product", "get_order_status"]
        found = structured(await client.call_tool("search_products", {"search": "lights", "limit": 2}))
        assert len(found["products"]) == 2
        status, text = refusal(await client.call_tool("list_inventory", {"health": ["INVENTORY_HEALTH_LOW_STOCK"]}))
    assert status == "PERMISSION_DENIED" and "reason: ROLE_REQUIRED" in text


async def test_without_a_token_only_the_open_tools_are_listed(hub: Hub) -> None:
    async with stdio_mcp(hub.address) as client:
        names = await tool_names(client)
        assert names == visible_tools("anonymous")
        assert names[:2] == ["search_products", "get_product"] and "get_order_status" not in names
        product = structured(await client.call_tool("get_product", {"product_id": "LGT-7734"}))
    assert product["id"] == "LGT-7734"


async def test_staff_see_and_call_the_staff_reads(hub: Hub) -> None:
    async with stdio_mcp(hub.address, token(hub, "staff", "staff-sam")) as client:
        assert {"list_inventory", "get_sales_summary"} <= set(await tool_names(client))
        page = structured(await client.call_tool("list_inventory", {"page_size": 3}))
    assert len(page["inventory_items"]) == 3


async def test_a_token_the_platform_refuses_says_so(hub: Hub) -> None:
    async with stdio_mcp(hub.address, "not-a-jwt") as client:
        with pytest.raises(MCPError, match="the bearer token was refused"):
            await client.list_tools()
        status, _ = refusal(await client.call_tool("search_products", {}))
    # A bad token is refused even where no token is needed, as on the REST surface.
    assert status == "UNAUTHENTICATED"
