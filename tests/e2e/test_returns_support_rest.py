"""The returns-support agent and the return preview through REST (and MCP) only: a delivered order's
lines are eligible with a refund estimate at POST /api/orders/{id}/return-eligibility; the preview
(POST /api/returns/preview) shows the estimate before the customer confirms; past the window the
lines are ineligible with the reason; another customer gets 404; the agent is an MCP tool customers
see and may call on their own orders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hph.host.app import SERVICE_NAMES
from hph.runtime import clock as clocks
from tests.e2e.test_returns_rest import a_delivered_order
from tests.support.mcp_clients import http_mcp, refusal, structured, tool_names
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.rest_json import answer
from tests.support.tokens import signed_bearer

pytestmark = pytest.mark.integration

AGENT = "logistics-returns-support"
TOOL = "logistics_returns_support_check_return_eligibility"


@pytest.fixture
async def rest_with_agent(tmp_path: Path) -> AsyncIterator[RestHub]:
    running = await start_rest_hub(tmp_path / "data", services=(*SERVICE_NAMES, AGENT))
    try:
        yield running
    finally:
        await stop_rest_hub(running)


async def backdate_delivery(rest: RestHub, order: dict[str, Any], days: int) -> None:
    """Moves the stored delivery `days` back (what the window is measured from)."""
    container = await rest.hub.platform.store.container("orders", "/user_id")
    doc = await container.read(order["id"], order["user_id"])
    doc["delivered_at"] = clocks.to_iso(rest.hub.platform.deps.clock() - timedelta(days=days))
    await container.replace(doc, if_match=doc["_etag"])


async def test_a_shopper_sees_the_estimate_before_confirming_and_nobody_else_sees_it(rest_with_agent: RestHub) -> None:
    rest = rest_with_agent
    ava = rest.bearer("customer", "ava-estimate", email="ava@example.com", name="Ava Reyes")
    ben = rest.bearer("customer", "ben-estimate", email="ben@example.com", name="Ben Ode")
    staff = rest.bearer("staff", "staff-sam")
    order, sku = await a_delivered_order(rest, ava, staff)

    checked = answer(
        await rest.http.post(
            f"/api/orders/{order['id']}/return-eligibility",
            json={"condition": "ITEM_CONDITION_UNOPENED", "reason": "RETURN_REASON_SIZE_OR_FIT"},
            headers=ava,
        )
    )
    assert checked["eligible"] is True and checked["lines"][0]["product_id"] == sku
    assert checked["lines"][0]["returnable_quantity"] == 2
    refund = checked["refund"]
    assert int(refund["total"]["amount_minor"]) > 0 and refund["total"]["currency_code"] == order["currency_code"]
    assert checked["explanation"]["freshness"]["sources"][0] == "rpc:OrderService.GetOrder"
    assert answer(await rest.http.post(f"/api/orders/{order['id']}/return-eligibility", json={}, headers=ben), 404)
    assert answer(await rest.http.post(f"/api/orders/{order['id']}/return-eligibility", json={}, headers=staff))

    asked = {
        "order_id": order["id"],
        "items": [{"product_id": sku, "quantity": 1}],
        "reason": "RETURN_REASON_SIZE_OR_FIT",
    }
    preview = answer(
        await rest.http.post(
            "/api/returns/preview", json={**asked, "condition": "RETURN_ITEM_CONDITION_UNOPENED"}, headers=ava
        )
    )
    assert preview["returnable"] is True and preview.get("estimate_skipped", "") == ""
    estimate = preview["estimate"]
    assert int(estimate["total_minor"]) == int(preview["refundable_minor"]) - int(
        estimate.get("return_shipping_fee_minor", 0)
    )
    assert answer(await rest.http.post("/api/returns/preview", json=asked, headers=ben), 404)
    created = answer(await rest.http.post("/api/returns", json=asked, headers=ava))
    assert int(created["refund_amount_minor"]) == int(preview["refundable_minor"])

    # Past the window: ineligible with the reason, and the preview says CreateReturn would refuse.
    await backdate_delivery(rest, order, 31)
    late = answer(await rest.http.post(f"/api/orders/{order['id']}/return-eligibility", json={}, headers=ava))
    assert late["eligible"] is False
    assert late["lines"][0]["ineligibility_reason"] == "INELIGIBILITY_REASON_WINDOW_CLOSED"
    closed = answer(await rest.http.post("/api/returns/preview", json={"order_id": order["id"]}, headers=ava))
    assert (closed["returnable"], closed["not_returnable_reason"]) == (False, "WINDOW_CLOSED")

    # The agent is an MCP tool customers see and may call on their own orders only.
    mcp_url = f"http://127.0.0.1:{rest.gateway.port}/mcp"
    async with http_mcp(mcp_url, signed_bearer(rest.hub.issuer, "customer", "ava-estimate")) as owner:
        assert TOOL in await tool_names(owner)
        seen = structured(await owner.call_tool(TOOL, {"order_id": order["id"]}))
        assert seen["lines"][0]["ineligibility_reason"] == "INELIGIBILITY_REASON_WINDOW_CLOSED"
    async with http_mcp(mcp_url, signed_bearer(rest.hub.issuer, "customer", "ben-estimate")) as stranger:
        assert refusal(await stranger.call_tool(TOOL, {"order_id": order["id"]}))[0] == "NOT_FOUND"


async def test_without_the_agent_the_preview_still_answers_and_says_skipped(rest: RestHub) -> None:
    ava = rest.bearer("customer", "ava-skip", email="ava@example.com", name="Ava Reyes")
    staff = rest.bearer("staff", "staff-sam")
    order, sku = await a_delivered_order(rest, ava, staff)
    preview = answer(await rest.http.post("/api/returns/preview", json={"order_id": order["id"]}, headers=ava))
    assert preview["returnable"] is True and "estimate" not in preview
    assert preview["estimate_skipped"] == f"{AGENT}: unimplemented"
    assert int(preview["refundable_minor"]) == int(order["subtotal_minor"]) + int(order["tax_minor"])
    asked = {"order_id": order["id"], "items": [{"product_id": sku, "quantity": 2}], "reason": "RETURN_REASON_DAMAGED"}
    assert answer(await rest.http.post("/api/returns", json=asked, headers=ava))["status"] == "RETURN_STATUS_REQUESTED"
    agent = await rest.http.post(f"/api/orders/{order['id']}/return-eligibility", json={}, headers=ava)
    assert agent.status_code == 501
