"""MCP over Streamable HTTP at `/mcp` on the REST port, driven by the MCP SDK's own client against the
real platform and gateway: tools per role, structured answers, refusals as tool errors, schemas equal
to the OpenAPI document's."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp.shared.exceptions import MCPError

from hph.gateway.mcp_server import RPC_META_KEY
from hph.gateway.server import start_gateway
from tests.support.mcp_clients import Era, curated, http_mcp, refusal, structured, tool_names, visible_tools
from tests.support.platform_harness import start_hub, stop_hub
from tests.support.rest_harness import RestHub
from tests.support.rest_json import ok
from tests.support.shoppers import a_shopper, stocked_products
from tests.support.tokens import signed_bearer

ANONYMOUS_TOOLS = ["search_products", "get_product"]
CUSTOMER_TOOLS = [*ANONYMOUS_TOOLS, "get_order_status"]
STAFF_TOOLS = [
    *CUSTOMER_TOOLS,
    "list_inventory",
    "get_sales_summary",
    "list_product_proposals",
    "get_product_proposal",
    "approve_product_proposal",
    "reject_product_proposal",
    "get_product_proposal_stats",
]


def url(rest: RestHub) -> str:
    return f"http://127.0.0.1:{rest.gateway.port}/mcp"


def bearer(rest: RestHub, role: str, sub: str) -> str:
    return signed_bearer(rest.hub.issuer, role, sub)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_each_role_lists_the_tools_it_may_call(rest_either: RestHub, mode: Era) -> None:
    rest = rest_either
    listed: dict[str, list[str]] = {}
    async with http_mcp(url(rest), mode=mode) as anonymous:
        listed["anonymous"] = await tool_names(anonymous)
    for role, sub in (("customer", "customer-ava"), ("staff", "staff-sam")):
        async with http_mcp(url(rest), bearer(rest, role, sub), mode=mode) as client:
            listed[role] = await tool_names(client)
    assert curated(listed["anonymous"]) == ANONYMOUS_TOOLS
    assert curated(listed["customer"]) == CUSTOMER_TOOLS
    assert curated(listed["staff"]) == STAFF_TOOLS
    # Agent tools, when agent contracts exist, follow their access rules the same way.
    assert all(listed[role] == visible_tools(role) for role in listed), listed


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_search_products_answers_what_the_rest_api_answers(rest_either: RestHub, mode: Era) -> None:
    rest = rest_either
    async with http_mcp(url(rest), bearer(rest, "customer", "customer-ava"), mode=mode) as client:
        # The SDK client also checks the answer against the tool's output schema.
        found = structured(await client.call_tool("search_products", {"search": "lights", "limit": 3}))
    assert len(found["products"]) == 3
    assert all("light" in json.dumps(product).lower() for product in found["products"])
    assert found == ok(await rest.http.get("/api/products", params={"search": "lights", "limit": 3}))


async def test_a_staff_tool_is_refused_to_a_customer_who_calls_it_unlisted(rest: RestHub) -> None:
    async with http_mcp(url(rest), bearer(rest, "customer", "customer-ava")) as customer:
        status, text = refusal(await customer.call_tool("get_sales_summary", {}))
    assert status == "PERMISSION_DENIED"
    assert text.startswith("PERMISSION_DENIED (gRPC 7): ")
    assert "reason: ROLE_REQUIRED" in text
    async with http_mcp(url(rest), bearer(rest, "staff", "staff-sam")) as staff:
        summary = structured(await staff.call_tool("get_sales_summary", {"top_products_limit": 3}))
    assert "total_revenue" in summary


async def test_staff_list_and_decide_proposals_as_tools_and_a_customer_cannot(rest: RestHub) -> None:
    item = ok(await rest.http.get("/api/products", params={"limit": 1}))["products"][0]
    draft = {
        "product_id": item["id"],
        "field": "brand",
        "current_value": item.get("brand", ""),
        "proposed_value": "Mcp Brand",
        "source_agent": "normalization-classification",
        "confidence": 0.7,
        "product_etag": item["etag"],
    }
    submitted = ok(
        await rest.http.post(
            "/api/staff/proposals:submit",
            json={"drafts": [draft]},
            headers={"authorization": bearer(rest, "staff", "a")},
        )
    )
    proposal_id = submitted["results"][0]["proposal_id"]
    async with http_mcp(url(rest), bearer(rest, "customer", "customer-ava")) as customer:
        status, _ = refusal(await customer.call_tool("list_product_proposals", {}))
    assert status == "PERMISSION_DENIED"
    async with http_mcp(url(rest), bearer(rest, "staff", "staff-sam")) as staff:
        listed = structured(await staff.call_tool("list_product_proposals", {"product_id": item["id"]}))
        assert [x["id"] for x in listed["proposals"]] == [proposal_id]
        rejected = structured(
            await staff.call_tool("reject_product_proposal", {"proposal_id": proposal_id, "reason": "not our spelling"})
        )
    assert rejected["status"] == "PROPOSAL_STATUS_REJECTED" and rejected["audit"][-1]["actor_id"] == "staff-sam"


async def test_a_shopper_tool_called_anonymously_is_unauthenticated(rest: RestHub) -> None:
    async with http_mcp(url(rest)) as anonymous:
        status, _ = refusal(await anonymous.call_tool("get_order_status", {"order_id": "ord-1"}))
    assert status == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("tool", "arguments", "field", "reason"),
    [
        ("search_products", {"limit": 1000}, "limit", "VALIDATION_FAILED"),  # the catalog's own check
        ("search_products", {"limit": "many"}, "limit", "INVALID_ARGUMENT"),  # not an int32 at all
        ("get_product", {}, "product_id", "VALIDATION_FAILED"),  # a required field missing
    ],
)
async def test_bad_arguments_are_invalid_argument_naming_the_field(
    rest: RestHub, tool: str, arguments: dict[str, Any], field: str, reason: str
) -> None:
    async with http_mcp(url(rest)) as client:
        result = await client.call_tool(tool, arguments)
    status, text = refusal(result)
    assert status == "INVALID_ARGUMENT"
    assert f"reason: {reason}" in text
    assert any(line.startswith(f"field {field}: ") for line in text.splitlines()), text
    assert isinstance(result.structured_content, dict)
    violations = [
        violation["field"]
        for detail in result.structured_content["details"]
        for violation in detail.get("field_violations", [])
    ]
    assert violations == [field]


async def test_order_status_is_the_owners_and_staffs(rest: RestHub) -> None:
    [sku] = await stocked_products(rest.hub, 1)
    ava = await a_shopper(rest.hub, "customer-ava")
    await ava.add(sku, 2)
    order = await ava.place("mcp-order-1")
    async with http_mcp(url(rest), bearer(rest, "customer", "customer-ava")) as owner:
        seen = structured(await owner.call_tool("get_order_status", {"order_id": order.id}))
    assert (seen["id"], seen["user_id"], seen["items"][0]["product_id"]) == (order.id, "customer-ava", sku)
    async with http_mcp(url(rest), bearer(rest, "customer", "customer-ben")) as stranger:
        # The order's existence is not revealed to another shopper.
        assert refusal(await stranger.call_tool("get_order_status", {"order_id": order.id}))[0] == "NOT_FOUND"
    async with http_mcp(url(rest), bearer(rest, "staff", "staff-sam")) as staff:
        assert structured(await staff.call_tool("get_order_status", {"order_id": order.id}))["status"] == seen["status"]


async def test_every_tool_input_schema_is_the_openapi_schema_of_its_request(rest: RestHub) -> None:
    spec = ok(await rest.http.get("/openapi.json"))
    request_of = {op["x-hph-rpc"]: op["x-hph-request"] for item in spec["paths"].values() for op in item.values()}
    components = spec["components"]["schemas"]
    async with http_mcp(url(rest), bearer(rest, "admin", "admin-ada")) as admin:
        tools = (await admin.list_tools()).tools
    assert curated([tool.name for tool in tools]) == STAFF_TOOLS
    compared = []
    for tool in tools:
        assert tool.meta is not None
        if tool.meta[RPC_META_KEY] not in request_of:
            continue  # an RPC without an HTTP rule has no operation to compare with
        compared.append(tool.name)
        component = request_of[tool.meta[RPC_META_KEY]]["$ref"].rpartition("/")[2]
        schema = json.loads(json.dumps(tool.input_schema).replace('"#/$defs/', '"#/components/schemas/'))
        definitions = schema.pop("$defs", {})
        assert schema == components[component], tool.name
        assert all(components[name] == definition for name, definition in definitions.items()), tool.name
    assert set(STAFF_TOOLS) <= set(compared)


async def test_an_unknown_tool_is_a_protocol_error(rest: RestHub) -> None:
    async with http_mcp(url(rest)) as client:
        with pytest.raises(MCPError, match="unknown tool 'drop_tables'"):
            await client.call_tool("drop_tables", {})


async def test_a_refused_token_is_401_before_any_tool_runs(rest: RestHub) -> None:
    token = rest.hub.issuer.issue("staff-sam", "staff", extra_claims={"exp": int(time.time()) - 600})
    expired = f"Bearer {token}"
    response = await rest.http.post(
        "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"authorization": expired, "accept": "application/json, text/event-stream"},
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert response.json()["code"] == 16  # UNAUTHENTICATED, as the REST surface answers


async def test_stateless_mcp_serves_no_event_stream(rest: RestHub) -> None:
    response = await rest.http.get("/mcp", headers={"accept": "text/event-stream"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_mcp_off_is_a_missing_route(tmp_path: Path) -> None:
    hub = await start_hub(tmp_path / "data", services=["catalog"], seed=False)
    gateway = await start_gateway(replace(hub.settings, http_port=0, mcp_enabled=False), grpc_target=hub.address)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.port}") as http:
            response = await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert response.status_code == 404
    finally:
        await gateway.stop()
        await stop_hub(hub)


async def test_a_local_platform_refuses_a_foreign_host_or_origin(rest: RestHub) -> None:
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    accept = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25"}
    rebound = await rest.http.post("/mcp", json=call, headers={**accept, "host": "attacker.example"})
    assert rebound.status_code == 421
    foreign = await rest.http.post("/mcp", json=call, headers={**accept, "origin": "https://attacker.example"})
    assert foreign.status_code == 403
    local = await rest.http.post("/mcp", json=call, headers={**accept, "origin": "http://localhost:3000"})
    assert local.status_code == 200
    assert curated([tool["name"] for tool in local.json()["result"]["tools"]]) == ANONYMOUS_TOOLS
