"""Order status through REST, as `hph up` serves it: the owner follows a paid, shipped order on
/api/orders/{id}/status (timeline with actors, next step, ETA window); another customer gets 404,
as for the order itself; staff see it too."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hph.host.app import SERVICE_NAMES
from tests.e2e.test_shipments_rest import paid_order
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.rest_json import ok
from tests.support.waiting import read_until

pytestmark = pytest.mark.e2e
AGENTS = ("order-status", "logistics-eta-computation")


@pytest.fixture
async def rest(tmp_path: Path) -> AsyncIterator[RestHub]:
    """The gateway co-hosted with every service and the two agents."""
    running = await start_rest_hub(tmp_path / "data", services=(*SERVICE_NAMES, *AGENTS))
    try:
        yield running
    finally:
        await stop_rest_hub(running)


async def test_the_owner_sees_the_status_and_another_customer_gets_404(rest: RestHub) -> None:
    owner = rest.bearer("customer", "rosa", email="rosa@example.com", name="Rosa Diaz")
    staff = rest.bearer("staff", "staff-sam")
    order = await paid_order(rest, owner, staff)
    create = {
        "order_id": order["id"],
        "carrier": "ups",
        "service_level": "SERVICE_LEVEL_EXPEDITED",
        "tracking_number": "1Z999AA10123456784",
        "package_weight_grams": 900,
        "request_id": str(uuid.uuid4()),
    }
    shipment = ok(await rest.http.post("/api/staff/shipments", json=create, headers=staff))
    scan = {
        "status": "SHIPMENT_STATUS_PICKED_UP",
        "occurred_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "location": "Oakland, CA, US",
        "description": "Picked up",
        "request_id": "pickup-1",
    }
    ok(await rest.http.post(f"/api/staff/shipments/{shipment['id']}/events", json=scan, headers=staff))

    path = f"/api/orders/{order['id']}/status"

    async def read() -> dict:  # type: ignore[type-arg]
        response = await rest.http.get(path, headers=owner)
        return response.json() if response.status_code == 200 else {}  # type: ignore[no-any-return]

    status = await read_until(read, lambda s: s.get("status") == "ORDER_STATUS_SHIPPED" and "eta" in s)
    assert status["order_id"] == order["id"] and status["payment_status"] == "ORDER_PAYMENT_STATUS_PAID"
    actors = [(e["event_type"], e["actor"]) for e in status["timeline"]]
    assert actors[0] == ("OrderCreated", "TIMELINE_ACTOR_CUSTOMER")
    assert ("ShipmentCreated", "TIMELINE_ACTOR_STAFF") in actors
    assert ("ShipmentStatusChanged", "TIMELINE_ACTOR_CARRIER") in actors
    assert status["next_step"]["code"] == "carrier_delivers"
    window = status["eta"]["window"]
    assert window["start_time"] <= status["eta"]["estimated_delivery_at"] < window["end_time"]

    stranger = rest.bearer("customer", "mallory")
    assert (await rest.http.get(path, headers=stranger)).status_code == 404
    assert (await rest.http.get(f"/api/orders/{order['id']}", headers=stranger)).status_code == 404
    assert (await rest.http.get(path)).status_code == 401
    assert ok(await rest.http.get(path, headers=staff))["order_id"] == order["id"]
