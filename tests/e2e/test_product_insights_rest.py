"""Product insights through the REST gateway as an anonymous shopper sees them:
`GET /api/products/{id}/insights` after real orders ("frequently bought together" names what
co-occurred, with support/confidence/lift), `/similar`, the 404 and 400 answers, and the agent's
tools listed and callable over MCP without a token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hph.host.app import SERVICE_NAMES
from tests.support.events import settle
from tests.support.mcp_clients import http_mcp, structured, tool_names, visible_tools
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.shoppers import APPROVED_CARD, HOME, a_shopper, stocked_products

AGENT = "product-detail-enrichment"
TOOLS = {"product_detail_enrichment_enrich_product", "product_detail_enrichment_similar_products"}


@pytest.fixture
async def rest(tmp_path: Path) -> AsyncIterator[RestHub]:
    running = await start_rest_hub(tmp_path / "data", services=(*SERVICE_NAMES, AGENT))
    try:
        yield running
    finally:
        await stop_rest_hub(running)


async def test_a_product_page_shows_what_is_really_bought_with_it(rest: RestHub) -> None:
    lamp, bulb, mug, tea = await stocked_products(rest.hub, 4, on_hand=500)
    for number, basket in enumerate([(lamp, bulb), (lamp, bulb, tea), (mug,), (mug, tea), (lamp,)]):
        shopper = await a_shopper(rest.hub, f"page-shopper-{number}", cards=(APPROVED_CARD,), address=HOME)
        for sku in basket:
            await shopper.add(sku, 1)
        await shopper.place(f"page-order-{number}")
    await settle(rest.hub)

    answer = await rest.http.get(f"/api/products/{lamp}/insights")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    (together,) = body["frequently_bought_together"]
    assert together["product"]["product_id"] == bulb
    assert together["association"]["co_occurrences"] == 2
    assert together["association"]["orders_considered"] == 5
    assert together["association"]["confidence"] == pytest.approx(2 / 3)
    assert together["association"]["lift"] == pytest.approx((2 / 3) / (2 / 5))
    assert [bucket["stars"] for bucket in body["rating"]["histogram"]] == [5, 4, 3, 2, 1]
    assert body["availability"]["in_stock"] is True
    assert 0 < body["completeness"]["score"] <= 1
    assert "projection:copurchases" in body["explanation"]["freshness"]["sources"]

    similar = await rest.http.get(f"/api/products/{lamp}/similar", params={"limit": 3})
    assert similar.status_code == 200, similar.text
    products = similar.json()["products"]
    assert products and len(products) <= 3
    assert all(s["product"]["product_id"] != lamp for s in products)


async def test_unknown_and_malformed_products_are_client_errors(rest: RestHub) -> None:
    missing = await rest.http.get("/api/products/NOPE-0000/insights")
    assert missing.status_code == 404, missing.text
    bad = await rest.http.get("/api/products/no%20such%20id/insights")
    assert bad.status_code == 400, bad.text
    assert "product_id" in bad.text
    too_many = await rest.http.get("/api/products/NOPE-0000/similar", params={"limit": 99})
    assert too_many.status_code == 400, too_many.text


async def test_anonymous_callers_get_the_agent_as_mcp_tools(rest: RestHub) -> None:
    (sku,) = await stocked_products(rest.hub, 1)
    async with http_mcp(f"http://127.0.0.1:{rest.gateway.port}/mcp") as anonymous:
        names = await tool_names(anonymous)
        assert set(names) >= TOOLS
        assert set(visible_tools("anonymous")) >= TOOLS
        found = structured(await anonymous.call_tool("product_detail_enrichment_enrich_product", {"productId": sku}))
        assert found["product_id"] == sku and len(found["rating"]["histogram"]) == 5
