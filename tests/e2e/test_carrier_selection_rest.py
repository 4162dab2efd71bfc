"""Carrier selection through REST and MCP: staff create a shipment without a carrier and see the
agent's choice and reason; without the agent hosted the shipment gets the default carrier marked
skipped; the agent's route and MCP tool are staff-only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hph.host.app import SERVICE_NAMES
from tests.e2e.test_shipments_rest import paid_order
from tests.support.mcp_clients import http_mcp, tool_names
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.rest_json import ok
from tests.support.tokens import signed_bearer

pytestmark = pytest.mark.integration

AGENT = "logistics-carrier-selection"
ROUTE = f"/api/staff/agents/{AGENT}/select"
TOOL = "logistics_carrier_selection_select_carrier"


@pytest.fixture
async def rest_with_agent(tmp_path: Path) -> AsyncIterator[RestHub]:
    running = await start_rest_hub(tmp_path / "data", services=(*SERVICE_NAMES, AGENT))
    try:
        yield running
    finally:
        await stop_rest_hub(running)


async def test_a_shipment_without_a_carrier_shows_the_agents_choice_and_why(rest_with_agent: RestHub) -> None:
    rest = rest_with_agent
    mia = rest.bearer("customer", "mia", email="mia@example.com", name="Mia Chen")
    staff = rest.bearer("staff", "staff-sam")
    order = await paid_order(rest, mia, staff)
    advice = ok(
        await rest.http.post(
            ROUTE,
            json={"order_id": order["id"]},
            headers=staff,
        )
    )
    assert advice["selected"]["reason"] and advice["explanation"]["drivers"]
    assert (await rest.http.post(ROUTE, json={"order_id": order["id"]}, headers=mia)).status_code == 403

    create = {"order_id": order["id"], "package_weight_grams": 1000, "request_id": str(uuid.uuid4())}
    shipment = ok(await rest.http.post("/api/staff/shipments", json=create, headers=staff))
    choice = shipment["carrier_choice"]
    assert choice["method"] == "agent" and not choice.get("selection_skipped", False)
    # Two units at the agent's 500 g per unit weigh what the staff declared: the same choice.
    assert shipment["carrier"] == advice["selected"]["carrier"]
    assert choice["reason"] == advice["selected"]["reason"]
    tracking = ok(await rest.http.get(f"/api/orders/{order['id']}/tracking", headers=mia))
    assert tracking["shipments"][0]["carrier"] == shipment["carrier"]


async def test_without_the_agent_the_shipment_says_selection_was_skipped(rest: RestHub) -> None:
    mia = rest.bearer("customer", "mia", email="mia@example.com", name="Mia Chen")
    staff = rest.bearer("staff", "staff-sam")
    order = await paid_order(rest, mia, staff)
    create = {"order_id": order["id"], "package_weight_grams": 1000, "request_id": str(uuid.uuid4())}
    shipment = ok(await rest.http.post("/api/staff/shipments", json=create, headers=staff))
    assert shipment["carrier"] == "ups"
    assert shipment["carrier_choice"]["method"] == "default"
    assert shipment["carrier_choice"]["selection_skipped"] is True


async def test_the_mcp_tool_is_listed_for_staff_and_not_for_customers(rest_with_agent: RestHub) -> None:
    rest = rest_with_agent
    url = f"http://127.0.0.1:{rest.gateway.port}/mcp"
    async with http_mcp(url, signed_bearer(rest.hub.issuer, "staff", "staff-sam")) as staff:
        assert TOOL in await tool_names(staff)
    async with http_mcp(url, signed_bearer(rest.hub.issuer, "customer", "customer-ava")) as customer:
        assert TOOL not in await tool_names(customer)
