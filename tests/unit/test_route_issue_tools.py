"""The route-issue agent is an MCP tool for staff only: customers and anonymous callers never see it."""

from __future__ import annotations

import pytest

from tests.support.mcp_clients import visible_tools

pytestmark = pytest.mark.unit

TOOL = "logistics_route_issue_detection_detect_issues"


def test_staff_and_admins_see_the_detect_issues_tool() -> None:
    assert TOOL in visible_tools("staff") and TOOL in visible_tools("admin")


def test_customers_and_anonymous_callers_do_not() -> None:
    assert TOOL not in visible_tools("customer") and TOOL not in visible_tools("anonymous")
