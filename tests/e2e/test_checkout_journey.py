"""Issue #4's acceptance journey, through REST only: sign in, register, add an address and a test
card, fill the cart, validate, order, pay, see the order paid; cancel a second order and see its
stock come back."""

from __future__ import annotations

import uuid

import httpx
import pytest

from hph.runtime.money import to_minor
from tests.support.rest_harness import RestHub
from tests.support.rest_json import ADDRESS, ok

pytestmark = pytest.mark.integration


async def stocked_product(rest: RestHub, staff: dict[str, str]) -> tuple[str, int]:
    """A product with plenty of stock, and its units available now."""
    for product in ok(await rest.http.get("/api/products", params={"limit": 50}))["products"]:
        item = ok(await rest.http.get(f"/api/staff/inventory/{product['id']}", headers=staff))
        if item.get("quantity_available", 0) >= 10:
            return product["id"], item["quantity_available"]
    raise AssertionError("the demo catalog has no well-stocked product")


async def available(rest: RestHub, sku: str, staff: dict[str, str]) -> int:
    return int(ok(await rest.http.get(f"/api/staff/inventory/{sku}", headers=staff)).get("quantity_available", 0))


async def test_a_shopper_orders_pays_and_cancels_through_rest(rest_either: RestHub) -> None:
    rest = rest_either  # through either gateway topology
    ava = rest.bearer("customer", "ava", email="ava@example.com", name="Ava Reyes")
    staff = rest.bearer("staff", "staff-sam")
    ok(await rest.http.post("/api/auth/register", json={}, headers=ava))
    address = ok(await rest.http.post("/api/users/me/addresses", json=ADDRESS, headers=ava))
    card = ok(await rest.http.post("/api/users/me/payment-methods", json={"token": "pm_card_visa"}, headers=ava))
    sku, before = await stocked_product(rest, staff)

    ok(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": 2}, headers=ava))
    cart = ok(await rest.http.get("/api/cart", headers=ava))
    assert cart["user_id"] == "ava" and cart["items"][0]["quantity"] == 2
    checkout = {"shipping_address_id": address["id"], "payment_method_id": card["id"]}
    validation = ok(await rest.http.post("/api/checkout/validate", json=checkout, headers=ava))
    assert validation["valid"] is True, validation
    assert validation["estimated_total"] > 0

    order = ok(await rest.http.post("/api/orders", json={**checkout, "request_id": str(uuid.uuid4())}, headers=ava))
    assert order["status"] == "ORDER_STATUS_PENDING"
    assert order["total"] == validation["estimated_total"]
    assert await available(rest, sku, staff) == before - 2  # held for the order
    assert ok(await rest.http.get("/api/cart", headers=ava)).get("items", []) == []

    payment = ok(
        await rest.http.post(
            "/api/payments",
            json={
                "order_id": order["id"],
                "payment_method_id": card["id"],
                "amount": order["total"],
                "request_id": str(uuid.uuid4()),
            },
            headers=ava,
        )
    )
    assert payment["status"] == "PAYMENT_STATUS_SUCCEEDED" and payment["transaction_id"]
    assert ok(await rest.http.get(f"/api/payments/{payment['id']}", headers=ava))["order_id"] == order["id"]
    paid = ok(await rest.http.get(f"/api/orders/{order['id']}", headers=ava))
    assert paid["status"] == "ORDER_STATUS_PAID"
    assert await available(rest, sku, staff) == before - 2  # confirmed: the units left the shelf

    ok(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": 3}, headers=ava))
    second = ok(await rest.http.post("/api/orders", json={**checkout, "request_id": str(uuid.uuid4())}, headers=ava))
    assert await available(rest, sku, staff) == before - 5
    cancelled = ok(await rest.http.patch(f"/api/orders/{second['id']}/cancel", json={}, headers=ava))
    assert cancelled["status"] == "ORDER_STATUS_CANCELLED"
    assert await available(rest, sku, staff) == before - 2  # the second order's stock is back

    mine = ok(await rest.http.get("/api/orders", headers=ava))["orders"]
    assert {o["id"] for o in mine} == {order["id"], second["id"]}
    other = rest.bearer("customer", "eve")
    assert (await rest.http.get(f"/api/orders/{order['id']}", headers=other)).status_code == 404


async def test_checkout_refusals_are_clear(rest_either: RestHub) -> None:
    rest = rest_either  # through either gateway topology
    ava = rest.bearer("customer", "ava")
    empty = ok(await rest.http.post("/api/checkout/validate", json={}, headers=ava))
    assert empty["valid"] is False and empty["errors"]
    refused = await rest.http.post(
        "/api/orders", json={"shipping_address_id": "adr_nope", "request_id": "k1"}, headers=ava
    )
    assert refused.status_code == 400 and refused.json()["code"] == 9  # FAILED_PRECONDITION
    assert (await rest.http.post("/api/payments", json={"order_id": "x", "amount": 1}, headers={})).status_code == 401


def violated(response: httpx.Response) -> set[str]:
    assert response.status_code == 400, response.text
    return {v["field"] for d in response.json().get("details", []) for v in d.get("field_violations", [])}


async def test_amounts_go_back_exactly_in_minor_units_through_rest(rest_either: RestHub) -> None:
    rest = rest_either  # through either gateway topology
    bo = rest.bearer("customer", "bo")
    admin = rest.bearer("admin", "admin-ada")
    ok(await rest.http.post("/api/auth/register", json={}, headers=bo))
    address = ok(await rest.http.post("/api/users/me/addresses", json=ADDRESS, headers=bo))
    card = ok(await rest.http.post("/api/users/me/payment-methods", json={"token": "pm_card_visa"}, headers=bo))
    sku, _ = await stocked_product(rest, rest.bearer("staff", "staff-sam"))
    ok(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": 3}, headers=bo))

    # int64 is a JSON string on the way out (the proto3 JSON mapping), beside the double.
    quote = ok(await rest.http.post("/api/checkout/quote", json={"shipping_address_id": address["id"]}, headers=bo))
    assert isinstance(quote["total_minor"], str) and int(quote["total_minor"]) == to_minor(quote["total"], "USD")
    checkout = {"shipping_address_id": address["id"], "payment_method_id": card["id"]}
    # On the way in a JSON number is as good as a string.
    order = ok(
        await rest.http.post(
            "/api/orders",
            json={**checkout, "expected_total_minor": int(quote["total_minor"]), "request_id": str(uuid.uuid4())},
            headers=bo,
        )
    )
    assert order["total_minor"] == quote["total_minor"] and order["amount_refunded_minor"] == "0"
    assert [order[f"{name}_minor"] for name in ("subtotal", "shipping", "tax")] == [
        quote[f"{name}_minor"] for name in ("subtotal", "shipping", "tax")
    ]

    pay = {"order_id": order["id"], "payment_method_id": card["id"], "request_id": str(uuid.uuid4())}
    off_by_one = str(int(order["total_minor"]) + 1)
    both = {**pay, "amount": order["total"], "amount_minor": off_by_one}
    assert violated(await rest.http.post("/api/payments", json=both, headers=bo)) == {"amount", "amount_minor"}
    negative = {**pay, "amount_minor": "-1"}
    assert violated(await rest.http.post("/api/payments", json=negative, headers=bo)) == {"amount_minor"}
    fractional = await rest.http.post("/api/payments", json={**pay, "amount_minor": 12.5}, headers=bo)
    assert fractional.status_code == 400  # the transcoder takes whole numbers only for int64
    payment = ok(await rest.http.post("/api/payments", json={**pay, "amount_minor": order["total_minor"]}, headers=bo))
    assert payment["status"] == "PAYMENT_STATUS_SUCCEEDED"
    assert (payment["amount"], payment["amount_minor"]) == (order["total"], order["total_minor"])

    refund = ok(
        await rest.http.post(
            f"/api/staff/payments/{payment['id']}/refund", json={"amount_minor": 101, "reason": "dented"}, headers=admin
        )
    )
    assert (refund["amount"], refund["amount_minor"]) == (1.01, "101")
    refunded = ok(await rest.http.get(f"/api/orders/{order['id']}", headers=bo))
    assert (refunded["amount_refunded"], refunded["amount_refunded_minor"]) == (1.01, "101")
