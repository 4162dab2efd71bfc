"""Issue #5's shipping journey, through REST only: a customer buys and pays, staff ship the order
and record each carrier scan, the customer follows every step on /api/orders/{id}/tracking and sees
the order delivered; nobody else sees that tracking."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.rest_harness import RestHub
from tests.support.rest_json import ADDRESS, ok

pytestmark = pytest.mark.integration


async def paid_order(rest: RestHub, shopper: dict[str, str], staff: dict[str, str]) -> dict:  # type: ignore[type-arg]
    ok(await rest.http.post("/api/auth/register", json={}, headers=shopper))
    address = ok(await rest.http.post("/api/users/me/addresses", json=ADDRESS, headers=shopper))
    card = ok(await rest.http.post("/api/users/me/payment-methods", json={"token": "pm_card_visa"}, headers=shopper))
    for product in ok(await rest.http.get("/api/products", params={"limit": 50}))["products"]:
        item = ok(await rest.http.get(f"/api/staff/inventory/{product['id']}", headers=staff))
        if item.get("quantity_available", 0) >= 10:
            sku = product["id"]
            break
    else:
        raise AssertionError("the demo catalog has no well-stocked product")
    ok(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": 2}, headers=shopper))
    checkout = {"shipping_address_id": address["id"], "payment_method_id": card["id"]}
    order = ok(await rest.http.post("/api/orders", json={**checkout, "request_id": str(uuid.uuid4())}, headers=shopper))
    payment = {
        "order_id": order["id"],
        "payment_method_id": card["id"],
        "amount": order["total"],
        "request_id": str(uuid.uuid4()),
    }
    ok(await rest.http.post("/api/payments", json=payment, headers=shopper))
    paid = ok(await rest.http.get(f"/api/orders/{order['id']}", headers=shopper))
    assert paid["status"] == "ORDER_STATUS_PAID"
    return paid


async def test_staff_ship_an_order_and_the_customer_tracks_it_to_delivery(rest: RestHub) -> None:
    lena = rest.bearer("customer", "lena", email="lena@example.com", name="Lena Park")
    staff = rest.bearer("staff", "staff-sam")
    order = await paid_order(rest, lena, staff)
    tracking_path = f"/api/orders/{order['id']}/tracking"

    nothing_yet = ok(await rest.http.get(tracking_path, headers=lena))
    assert nothing_yet["order_id"] == order["id"] and nothing_yet["shipments"] == []
    assert nothing_yet["status"] == "SHIPMENT_STATUS_UNSPECIFIED"

    create = {
        "order_id": order["id"],
        "carrier": "fedex",
        "service_level": "SERVICE_LEVEL_STANDARD",
        "tracking_number": "1234 5678 9012",
        "package_weight_grams": 900,
        "request_id": str(uuid.uuid4()),
    }
    shipment = ok(await rest.http.post("/api/staff/shipments", json=create, headers=staff))
    assert shipment["status"] == "SHIPMENT_STATUS_LABEL_CREATED" and shipment["tracking_number"] == "123456789012"
    assert ok(await rest.http.post("/api/staff/shipments", json=create, headers=staff))["id"] == shipment["id"]
    assert ok(await rest.http.get(f"/api/orders/{order['id']}", headers=lena))["status"] == "ORDER_STATUS_FULFILLING"
    listed = ok(
        await rest.http.get("/api/staff/shipments", params={"status": "SHIPMENT_STATUS_LABEL_CREATED"}, headers=staff)
    )
    assert shipment["id"] in {s["id"] for s in listed["shipments"]}
    assert (await rest.http.post("/api/staff/shipments", json=create, headers=lena)).status_code == 403

    start = datetime.now(UTC)
    scans = [
        ("SHIPMENT_STATUS_PICKED_UP", "Oakland, CA, US", "Picked up", "ORDER_STATUS_SHIPPED"),
        ("SHIPMENT_STATUS_IN_TRANSIT", "Memphis, TN, US", "Arrived at FedEx hub", "ORDER_STATUS_SHIPPED"),
        ("SHIPMENT_STATUS_EXCEPTION", "Memphis, TN, US", "Weather delay", "ORDER_STATUS_SHIPPED"),
        ("SHIPMENT_STATUS_OUT_FOR_DELIVERY", "San Francisco, CA, US", "On FedEx vehicle", "ORDER_STATUS_SHIPPED"),
        ("SHIPMENT_STATUS_DELIVERED", "San Francisco, CA, US", "Left at front door", "ORDER_STATUS_DELIVERED"),
    ]
    for index, (status, location, description, order_status) in enumerate(scans):
        scan = {
            "status": status,
            "location": location,
            "description": description,
            "occurred_at": (start + timedelta(seconds=index + 1)).isoformat().replace("+00:00", "Z"),
            "request_id": f"fedex-{index}",
        }
        recorded = ok(await rest.http.post(f"/api/staff/shipments/{shipment['id']}/events", json=scan, headers=staff))
        assert recorded["status"] == status
        tracking = ok(await rest.http.get(tracking_path, headers=lena))
        assert tracking["status"] == status
        seen = tracking["shipments"][0]["events"][-1]
        assert (seen["status"], seen["location"], seen["description"]) == (status, location, description)
        assert ok(await rest.http.get(f"/api/orders/{order['id']}", headers=lena))["status"] == order_status

    backwards = await rest.http.post(
        f"/api/staff/shipments/{shipment['id']}/events",
        json={"status": "SHIPMENT_STATUS_IN_TRANSIT"},
        headers=staff,
    )
    assert backwards.status_code == 400 and backwards.json()["code"] == 9  # FAILED_PRECONDITION

    delivered = ok(await rest.http.get(f"/api/orders/{order['id']}", headers=lena))
    assert delivered["delivered_at"] and delivered["shipped_at"]
    detail = ok(await rest.http.get(f"/api/staff/shipments/{shipment['id']}", headers=staff))
    assert [e["status"] for e in detail["events"]][-1] == "SHIPMENT_STATUS_DELIVERED" and detail["delivered_at"]

    other = rest.bearer("customer", "mallory")
    assert (await rest.http.get(tracking_path, headers=other)).status_code == 404
    assert (await rest.http.get(tracking_path)).status_code == 401
