"""Checkout support through REST and MCP: a burst of orders on one card is placed but flagged for
staff review (`GET /api/staff/orders?review=true`), checkout validation shows the assessment, the
agent's blockers route serves the shopper, and its AssessRisk route and MCP tool are staff-only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hph.host.app import SERVICE_NAMES
from tests.support.mcp_clients import http_mcp, tool_names
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.rest_json import ADDRESS, ok
from tests.support.tokens import signed_bearer
from tests.support.waiting import read_until

pytestmark = pytest.mark.integration

AGENT = "checkout-support"
ASSESS = f"/api/staff/agents/{AGENT}/assess"
TOOL = "checkout_support_assess_risk"


@pytest.fixture
async def rest_with_agent(tmp_path: Path) -> AsyncIterator[RestHub]:
    running = await start_rest_hub(
        tmp_path / "data",
        services=(*SERVICE_NAMES, AGENT),
        settings_overrides={"risk_check_deadline_seconds": 5.0},  # a busy machine never turns it into a skip
    )
    try:
        yield running
    finally:
        await stop_rest_hub(running)


async def test_ten_orders_in_a_minute_on_one_card_go_to_staff_review(rest_with_agent: RestHub) -> None:
    rest = rest_with_agent
    kai = rest.bearer("customer", "kai", email="kai@example.com", name="Kai Moss")
    staff = rest.bearer("staff", "staff-sam")
    ok(await rest.http.post("/api/auth/register", json={}, headers=kai))
    address = ok(await rest.http.post("/api/users/me/addresses", json=ADDRESS, headers=kai))
    card = ok(await rest.http.post("/api/users/me/payment-methods", json={"token": "pm_card_visa"}, headers=kai))
    sku = ok(await rest.http.get("/api/products", params={"limit": 1}))["products"][0]["id"]
    ok(
        await rest.http.patch(
            f"/api/staff/inventory/{sku}", json={"quantity_on_hand": 1000, "reason": "stock take"}, headers=staff
        )
    )
    checkout = {"shipping_address_id": address["id"], "payment_method_id": card["id"]}

    async def place() -> dict:  # type: ignore[type-arg]
        ok(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": 1}, headers=kai))
        order: dict = ok(  # type: ignore[type-arg]
            await rest.http.post("/api/orders", json={**checkout, "request_id": str(uuid.uuid4())}, headers=kai)
        )
        return order

    first = [await place() for _ in range(9)]
    assert not any(order.get("review_required") for order in first)

    async def assess() -> dict:  # type: ignore[type-arg]
        body = {"user_id": "kai", "amount": {"currency_code": "USD", "amount_minor": 1000}, **checkout}
        answer: dict = ok(await rest.http.post(ASSESS, json=body, headers=staff))  # type: ignore[type-arg]
        return answer

    def card_count(answer: dict) -> float:  # type: ignore[type-arg]
        return next(d for d in answer["explanation"]["drivers"] if d["name"] == "card_orders_last_minute")["value"]

    caught_up = await read_until(assess, lambda answer: card_count(answer) == 10)
    assert card_count(caught_up) == 10 and caught_up["decision"] == "RISK_DECISION_REVIEW"
    assert (await rest.http.post(ASSESS, json={"user_id": "kai"}, headers=kai)).status_code == 403

    ok(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": 1}, headers=kai))
    validated = ok(await rest.http.post("/api/checkout/validate", json=checkout, headers=kai))
    assert validated["risk_assessment"]["decision"] == "review"
    assert any(d.startswith("card_orders_last_minute=10") for d in validated["risk_assessment"]["drivers"])
    blockers = ok(await rest.http.post("/api/checkout/insights", json={}, headers=kai))
    assert blockers["can_proceed"] is True

    tenth = ok(await rest.http.post("/api/orders", json={**checkout, "request_id": str(uuid.uuid4())}, headers=kai))
    assert tenth["review_required"] is True and "10 orders on this card" in tenth["review_reason"]
    flagged = ok(await rest.http.get("/api/staff/orders", params={"review": "true", "user_id": "kai"}, headers=staff))
    assert [order["id"] for order in flagged["orders"]] == [tenth["id"]]
    everything = ok(await rest.http.get("/api/staff/orders", params={"user_id": "kai"}, headers=staff))
    assert len(everything["orders"]) == 10


async def test_the_assess_tool_is_listed_for_staff_and_not_for_customers(rest_with_agent: RestHub) -> None:
    rest = rest_with_agent
    url = f"http://127.0.0.1:{rest.gateway.port}/mcp"
    async with http_mcp(url, signed_bearer(rest.hub.issuer, "staff", "staff-sam")) as staff:
        assert TOOL in await tool_names(staff)
    async with http_mcp(url, signed_bearer(rest.hub.issuer, "customer", "customer-ava")) as customer:
        names = await tool_names(customer)
        assert TOOL not in names
        assert "checkout_support_validate_checkout" in names
