"""Cart insights through the REST gateway and MCP: `GET /api/cart/insights` and `/api/cart/cross-sell`
served by the cart-intelligence agent, a shopper's cart turning risky when a line's stock runs low
and its price rises, another customer refused, staff reading anyone's, and the agent's tools listed
for customers and called over MCP as the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hph.agents.cart_intelligence import risk
from hph.host.app import SERVICE_NAMES
from tests.support.mcp_clients import http_mcp, refusal, structured, tool_names
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.rest_json import ok
from tests.support.shoppers import stocked_products
from tests.support.tokens import signed_bearer

AGENT = "cart-intelligence"
TOOLS = {"cart_intelligence_analyze_cart", "cart_intelligence_cross_sell"}


@pytest.fixture
async def rest(tmp_path: Path) -> AsyncIterator[RestHub]:
    # Every answer computed afresh, so each read sees the stock and prices just set.
    settings = {"cart_insights_cache_seconds": 0.0}
    running = await start_rest_hub(tmp_path / "data", services=(*SERVICE_NAMES, AGENT), settings_overrides=settings)
    try:
        yield running
    finally:
        await stop_rest_hub(running)


async def test_a_cart_with_low_stock_and_a_price_rise_reads_riskier(rest: RestHub) -> None:
    first, second = await stocked_products(rest.hub, 2, on_hand=500)
    me = rest.bearer("customer", "cart-ava")
    staff = rest.bearer("staff", "staff-sam")
    ok(await rest.http.post("/api/auth/register", json={}, headers=me))
    for sku, quantity in ((first, 2), (second, 1)):
        ok(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": quantity}, headers=me))

    calm = ok(await rest.http.get("/api/cart/insights", headers=me))
    assert calm["user_id"] == "cart-ava" and calm["risk_level"] == "RISK_LEVEL_LOW"
    assert [line["product_id"] for line in calm["lines"]] == [first, second]

    product = ok(await rest.http.get(f"/api/products/{first}"))
    ok(await rest.http.patch(f"/api/staff/products/{first}", json={"price": product["price"] * 2}, headers=staff))
    ok(
        await rest.http.patch(
            f"/api/staff/inventory/{first}", json={"quantity_on_hand": 2, "reason": "drill"}, headers=staff
        )
    )
    risky = ok(await rest.http.get("/api/cart/insights", headers=me))
    assert risky["abandonment_risk"] > calm["abandonment_risk"]
    assert risky["risk_level"] in ("RISK_LEVEL_MEDIUM", "RISK_LEVEL_HIGH")
    drivers = risky["explanation"]["drivers"]
    assert [d["name"] for d in drivers[:2]] == ["stock_risk", "price_increase"]
    assert drivers[0]["weight"] == risk.WEIGHTS["stock_risk"] and drivers[0]["contribution"] > 0
    assert risky["lines"][0]["quantity_available"] == 2 and risky["lines"][0]["stock_risk"] > 0
    assert risky["actions"][0]["code"] == "notify_low_stock"
    assert risky["explanation"]["freshness"]["sources"][0] == "rpc:CartService.GetCart"

    # Another customer never sees it; staff may.
    stranger = rest.bearer("customer", "cart-ben")
    refused = await rest.http.get("/api/cart/insights", params={"user_id": "cart-ava"}, headers=stranger)
    assert refused.status_code == 403, refused.text
    refused = await rest.http.get("/api/cart/cross-sell", params={"user_id": "cart-ava"}, headers=stranger)
    assert refused.status_code == 403, refused.text
    assert (await rest.http.get("/api/cart/insights")).status_code == 401
    seen = ok(await rest.http.get("/api/cart/insights", params={"user_id": "cart-ava"}, headers=staff))
    assert seen["abandonment_risk"] == risky["abandonment_risk"]

    cross = ok(await rest.http.get("/api/cart/cross-sell", params={"limit": 3}, headers=me))
    assert cross["user_id"] == "cart-ava" and cross["explanation"]["method"]
    assert (await rest.http.get("/api/cart/cross-sell", params={"limit": 99}, headers=me)).status_code == 400


async def test_the_agent_is_an_mcp_tool_for_customers_on_their_own_cart(rest: RestHub) -> None:
    (sku,) = await stocked_products(rest.hub, 1)
    me = rest.bearer("customer", "cart-cam")
    ok(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": 1}, headers=me))
    url = f"http://127.0.0.1:{rest.gateway.port}/mcp"

    async with http_mcp(url) as anonymous:
        assert TOOLS.isdisjoint(await tool_names(anonymous))
    async with http_mcp(url, signed_bearer(rest.hub.issuer, "customer", "cart-cam")) as customer:
        assert set(await tool_names(customer)) >= TOOLS
        answer = structured(await customer.call_tool("cart_intelligence_analyze_cart", {}))
        assert answer["user_id"] == "cart-cam" and [line["product_id"] for line in answer["lines"]] == [sku]
        # The cart's age (and the risk its driver adds) and computed_at move between the two calls.
        moving = ("explanation", "cart_age", "abandonment_risk")
        over_rest = ok(await rest.http.get("/api/cart/insights", headers=me))
        assert {k: v for k, v in answer.items() if k not in moving} == {
            k: v for k, v in over_rest.items() if k not in moving
        }
        assert abs(answer["abandonment_risk"] - over_rest["abandonment_risk"]) < 0.05
    async with http_mcp(url, signed_bearer(rest.hub.issuer, "customer", "cart-dan")) as stranger:
        status, _ = refusal(await stranger.call_tool("cart_intelligence_analyze_cart", {"user_id": "cart-cam"}))
    assert status == "PERMISSION_DENIED"
