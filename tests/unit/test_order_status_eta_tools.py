"""Both agents are MCP tools with their contract's roles: a customer may ask for an order's status
(their own; ownership is the RPC's), only staff may compute ETAs."""

from __future__ import annotations

import pytest

from tests.support.mcp_clients import visible_tools

pytestmark = pytest.mark.unit

STATUS_TOOL, ETA_TOOL = "order_status_get_order_status", "logistics_eta_computation_compute_eta"


def test_customers_see_the_order_status_tool_but_not_the_eta_tool() -> None:
    customer = visible_tools("customer")
    assert STATUS_TOOL in customer and ETA_TOOL not in customer


def test_staff_see_both_and_anonymous_callers_neither() -> None:
    assert {STATUS_TOOL, ETA_TOOL} <= set(visible_tools("staff"))
    assert not {STATUS_TOOL, ETA_TOOL} & set(visible_tools("anonymous"))
