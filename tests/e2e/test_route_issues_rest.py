"""Route issues through REST, as a new staff member would see them: a parcel whose estimate passed
shows at the agent's staff route with its severity and numbers and becomes one ticket in the staff
queue; customers are refused the route."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hph.host.app import SERVICE_NAMES
from tests.e2e.test_shipments_rest import paid_order
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.rest_json import ok
from tests.support.waiting import read_until

pytestmark = pytest.mark.integration

AGENT = "logistics-route-issue-detection"
ROUTE = f"/api/staff/agents/{AGENT}/issues"


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.fixture
async def rest_with_agent(tmp_path: Path) -> AsyncIterator[RestHub]:
    running = await start_rest_hub(tmp_path / "data", services=(*SERVICE_NAMES, AGENT))
    try:
        yield running
    finally:
        await stop_rest_hub(running)


async def test_a_late_parcel_is_an_issue_and_one_ticket_in_the_staff_queue(rest_with_agent: RestHub) -> None:
    rest = rest_with_agent
    rae = rest.bearer("customer", "rae", email="rae@example.com", name="Rae Lind")
    staff = rest.bearer("staff", "staff-sam")
    order = await paid_order(rest, rae, staff)
    create = {"order_id": order["id"], "carrier": "ups", "package_weight_grams": 900, "request_id": str(uuid.uuid4())}
    shipment = ok(await rest.http.post("/api/staff/shipments", json=create, headers=staff))
    now = datetime.now(UTC)
    scan = {
        "status": "SHIPMENT_STATUS_IN_TRANSIT",
        "location": "Denver, CO, US",
        "occurred_at": iso(now),
        "estimated_delivery_at": iso(now - timedelta(hours=3)),
        "request_id": str(uuid.uuid4()),
    }
    ok(await rest.http.post(f"/api/staff/shipments/{shipment['id']}/events", json=scan, headers=staff))

    async def issues() -> list[dict]:  # type: ignore[type-arg]
        answer = await rest.http.get(ROUTE, params={"shipment_id": shipment["id"]}, headers=staff)
        return list(answer.json().get("issues", [])) if answer.status_code == 200 else []

    found = await read_until(issues, lambda got: bool(got and got[0].get("ticket_id")))
    assert [(i["kind"], i["severity"]) for i in found] == [("ROUTE_ISSUE_KIND_ETA_PASSED", "SEVERITY_HIGH")]
    assert found[0]["action"]["code"] == "notify_customer" and found[0]["drivers"][0]["unit"] == "h"
    queue = ok(await rest.http.get("/api/staff/tickets", params={"page_size": 100}, headers=staff))["tickets"]
    ours = [t for t in queue if shipment["id"] in t["subject"]]
    assert [t["id"] for t in ours] == [found[0]["ticket_id"]]
    assert ours[0]["priority"] == "TICKET_PRIORITY_HIGH"
    assert (await rest.http.get(ROUTE, headers=rae)).status_code == 403
