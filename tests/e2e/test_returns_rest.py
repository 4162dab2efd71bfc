"""Issue #5's returns acceptance, through REST only: a customer returns a delivered order's items and
sees every step; staff receive and restock; an admin approves and refunds; the stock, the payment
and the order follow; nobody else sees the return."""

from __future__ import annotations

import uuid

import pytest

from tests.support.rest_harness import RestHub
from tests.support.rest_json import ADDRESS, answer

pytestmark = pytest.mark.integration


async def on_hand(rest: RestHub, sku: str, staff: dict[str, str]) -> int:
    return int(answer(await rest.http.get(f"/api/staff/inventory/{sku}", headers=staff)).get("quantity_on_hand", 0))


async def a_delivered_order(rest: RestHub, shopper: dict[str, str], staff: dict[str, str]) -> tuple[dict, str]:  # type: ignore[type-arg]
    """Registers, orders two units of a product, pays, and has staff deliver the order."""
    answer(await rest.http.post("/api/auth/register", json={}, headers=shopper))
    address = answer(await rest.http.post("/api/users/me/addresses", json=ADDRESS, headers=shopper))
    card = answer(
        await rest.http.post("/api/users/me/payment-methods", json={"token": "pm_card_visa"}, headers=shopper)
    )
    sku = answer(await rest.http.get("/api/products", params={"limit": 1}))["products"][0]["id"]
    answer(
        await rest.http.patch(
            f"/api/staff/inventory/{sku}", json={"quantity_on_hand": 500, "reason": "cycle count"}, headers=staff
        )
    )
    answer(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": 2}, headers=shopper))
    checkout = {"shipping_address_id": address["id"], "payment_method_id": card["id"]}
    order = answer(
        await rest.http.post("/api/orders", json={**checkout, "request_id": str(uuid.uuid4())}, headers=shopper)
    )
    payment = {"order_id": order["id"], "payment_method_id": card["id"], "amount": order["total"]}
    answer(await rest.http.post("/api/payments", json={**payment, "request_id": str(uuid.uuid4())}, headers=shopper))
    for status in ("ORDER_STATUS_FULFILLING", "ORDER_STATUS_SHIPPED", "ORDER_STATUS_DELIVERED"):
        order = answer(
            await rest.http.patch(f"/api/staff/orders/{order['id']}/status", json={"status": status}, headers=staff)
        )
    assert order["status"] == "ORDER_STATUS_DELIVERED"
    return order, sku


async def test_a_customer_returns_items_and_staff_refund_them_through_rest(rest: RestHub) -> None:
    ava = rest.bearer("customer", "ava-rest", email="ava@example.com", name="Ava Reyes")
    staff = rest.bearer("staff", "staff-sam")
    boss = rest.bearer("admin", "admin-ada")
    order, sku = await a_delivered_order(rest, ava, staff)

    # The customer asks to return one of the two units.
    asked = {
        "order_id": order["id"],
        "items": [{"product_id": sku, "quantity": 1}],
        "reason": "RETURN_REASON_SIZE_OR_FIT",
    }
    too_many = answer(
        await rest.http.post(
            "/api/returns", json={**asked, "items": [{"product_id": sku, "quantity": 3}]}, headers=ava
        ),
        400,
    )
    assert too_many["code"] == 9  # FAILED_PRECONDITION
    created = answer(await rest.http.post("/api/returns", json={**asked, "request_id": "ret-1"}, headers=ava))
    assert (created["status"], created["order_id"], created["user_id"]) == (
        "RETURN_STATUS_REQUESTED",
        order["id"],
        "ava-rest",
    )
    assert created["items"][0]["unit_price"] == order["items"][0]["unit_price"]
    again = answer(await rest.http.post("/api/returns", json={**asked, "request_id": "ret-1"}, headers=ava))
    assert again["id"] == created["id"]
    mine = answer(await rest.http.get("/api/returns", headers=ava))["returns"]
    assert [r["id"] for r in mine] == [created["id"]]

    # Nobody else sees it; customers and staff cannot approve it.
    eve = rest.bearer("customer", "eve-rest")
    answer(await rest.http.get(f"/api/returns/{created['id']}", headers=eve), 404)
    assert answer(await rest.http.get("/api/returns", headers=eve)).get("returns", []) == []
    answer(await rest.http.get("/api/staff/returns", headers=ava), 403)
    answer(await rest.http.patch(f"/api/staff/returns/{created['id']}/approve", json={}, headers=staff), 403)

    # Staff find it in the queue; an admin approves (twice is the same answer).
    queue = answer(
        await rest.http.get("/api/staff/returns", params={"status": "RETURN_STATUS_REQUESTED"}, headers=staff)
    )
    listed = next(r for r in queue["returns"] if r["id"] == created["id"])
    assert {"id", "order_id", "user_id", "status", "reason", "created_at"} <= set(listed)
    approved = answer(
        await rest.http.patch(f"/api/staff/returns/{created['id']}/approve", json={"note": "label sent"}, headers=boss)
    )
    assert approved["status"] == "RETURN_STATUS_APPROVED" and approved["approved_at"]
    assert (
        answer(await rest.http.patch(f"/api/staff/returns/{created['id']}/approve", json={}, headers=boss))["etag"]
        == approved["etag"]
    )
    illegal = answer(await rest.http.patch(f"/api/staff/returns/{created['id']}/refund", json={}, headers=boss), 400)
    assert any(d.get("reason") == "ILLEGAL_TRANSITION" for d in illegal.get("details", []))

    # Staff receive and restock it: the unit is back on the shelf, once, however often it is retried.
    shelf = await on_hand(rest, sku, staff)
    answer(await rest.http.patch(f"/api/staff/returns/{created['id']}/receive", json={"note": "as new"}, headers=staff))
    for _ in range(2):
        restocked = answer(await rest.http.patch(f"/api/staff/returns/{created['id']}/restock", json={}, headers=staff))
        assert restocked["status"] == "RETURN_STATUS_RESTOCKED"
    assert await on_hand(rest, sku, staff) == shelf + 1

    # An admin refunds it: the payment shows the refund and the order is partially returned.
    refunded = answer(await rest.http.patch(f"/api/staff/returns/{created['id']}/refund", json={}, headers=boss))
    assert refunded["status"] == "RETURN_STATUS_REFUNDED" and refunded["refund_id"] and refunded["refunded_at"]
    assert 0 < refunded["refund_amount"] <= order["total"]
    seen = answer(await rest.http.get(f"/api/returns/{created['id']}", headers=ava))
    assert [step["status"] for step in seen["history"]] == [
        "RETURN_STATUS_REQUESTED",
        "RETURN_STATUS_APPROVED",
        "RETURN_STATUS_RECEIVED",
        "RETURN_STATUS_RESTOCKED",
        "RETURN_STATUS_REFUNDED",
    ]
    assert all(step["changed_at"] for step in seen["history"])
    after = answer(await rest.http.get(f"/api/orders/{order['id']}", headers=ava))
    assert after["status"] == "ORDER_STATUS_PARTIALLY_RETURNED"
    assert after["amount_refunded"] == refunded["refund_amount"]
    payment = answer(await rest.http.get(f"/api/payments/{order['payment_id']}", headers=ava))
    assert payment["amount_refunded"] == refunded["refund_amount"]

    # The second unit's return is rejected with a reason the customer reads.
    second = answer(await rest.http.post("/api/returns", json=asked, headers=ava))
    no_reason = answer(await rest.http.patch(f"/api/staff/returns/{second['id']}/reject", json={}, headers=boss), 400)
    assert no_reason["code"] == 3
    answer(
        await rest.http.patch(
            f"/api/staff/returns/{second['id']}/reject", json={"reason": "worn outside"}, headers=boss
        )
    )
    rejected = answer(await rest.http.get(f"/api/returns/{second['id']}", headers=ava))
    assert (rejected["status"], rejected["rejection_reason"]) == ("RETURN_STATUS_REJECTED", "worn outside")
