"""Analytics through REST, as the staff dashboard uses it: staff see today's sales (the fields the
frontend reads: total_revenue, total_orders, average_order_value, top_products[]), answers are
cached for a short time, customers are refused with 403 and bad windows with 400."""

from __future__ import annotations

import uuid

import pytest

from tests.support.events import settle
from tests.support.rest_harness import RestHub
from tests.support.rest_json import ADDRESS, ok

pytestmark = pytest.mark.integration


async def stocked_product(rest: RestHub, staff: dict[str, str]) -> dict:  # type: ignore[type-arg]
    for product in ok(await rest.http.get("/api/products", params={"limit": 50}))["products"]:
        item = ok(await rest.http.get(f"/api/staff/inventory/{product['id']}", headers=staff))
        if item.get("quantity_available", 0) >= 10:
            return product
    raise AssertionError("the demo catalog has no well-stocked product")


async def buy(rest: RestHub, shopper: dict[str, str], address_id: str, card_id: str, sku: str, quantity: int) -> dict:  # type: ignore[type-arg]
    ok(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": quantity}, headers=shopper))
    checkout = {"shipping_address_id": address_id, "payment_method_id": card_id}
    order = ok(await rest.http.post("/api/orders", json={**checkout, "request_id": str(uuid.uuid4())}, headers=shopper))
    ok(
        await rest.http.post(
            "/api/payments",
            json={
                "order_id": order["id"],
                "payment_method_id": card_id,
                "amount": order["total"],
                "request_id": str(uuid.uuid4()),
            },
            headers=shopper,
        )
    )
    return order


async def test_staff_see_todays_sales_and_customers_are_refused(rest: RestHub) -> None:
    staff = rest.bearer("staff", "staff-sam")
    ava = rest.bearer("customer", "ava", email="ava@example.com", name="Ava Reyes")
    ok(await rest.http.post("/api/auth/register", json={}, headers=ava))
    address = ok(await rest.http.post("/api/users/me/addresses", json=ADDRESS, headers=ava))
    card = ok(await rest.http.post("/api/users/me/payment-methods", json={"token": "pm_card_visa"}, headers=ava))
    product = await stocked_product(rest, staff)

    order = await buy(rest, ava, address["id"], card["id"], product["id"], 2)
    await settle(rest.hub)

    today = {"from": rest.hub.platform.deps.clock().date().isoformat()}
    summary = ok(await rest.http.get("/api/staff/analytics/summary", params=today, headers=staff))
    assert summary["total_orders"] == "1"  # int64: a JSON string, as proto3 JSON maps it
    assert summary["total_revenue"] == order["total"]
    assert summary["average_order_value"] == order["total"]
    assert summary["net_revenue"] == order["total"] and summary["refunds_total"] == 0
    assert summary["currency_code"] == "USD"
    top = summary["top_products"]
    assert [(p["product_id"], p["name"], int(p["units"])) for p in top] == [(product["id"], product["name"], 2)]
    assert top[0]["revenue"] == order["total"]

    # The answer is cached: a second sale shows up once the entry expires, or under other parameters.
    await buy(rest, ava, address["id"], card["id"], product["id"], 1)
    await settle(rest.hub)
    cached = ok(await rest.http.get("/api/staff/analytics/summary", params=today, headers=staff))
    assert cached["total_orders"] == "1" and cached["computed_at"] == summary["computed_at"]
    fresh = ok(
        await rest.http.get("/api/staff/analytics/summary", params={**today, "top_products_limit": 5}, headers=staff)
    )
    assert fresh["total_orders"] == "2" and int(fresh["top_products"][0]["units"]) == 3

    series = ok(
        await rest.http.get(
            "/api/staff/analytics/timeseries", params={**today, "granularity": "GRANULARITY_DAY"}, headers=staff
        )
    )
    assert len(series["points"]) == 1 and int(series["points"][0]["orders"]) == 2
    categories = ok(await rest.http.get("/api/staff/analytics/categories", params=today, headers=staff))
    assert categories["total_revenue"] == fresh["total_revenue"]
    assert [c["category_id"] for c in categories["categories"]] and categories["categories"][0]["revenue_share"] == 1.0

    for path in ("/api/staff/analytics/summary", "/api/staff/analytics/timeseries", "/api/staff/analytics/categories"):
        assert (await rest.http.get(path, headers=ava)).status_code == 403
        assert (await rest.http.get(path)).status_code == 401


async def test_bad_windows_are_400_with_the_field_named(rest: RestHub) -> None:
    staff = rest.bearer("staff", "staff-sam")
    refused = await rest.http.get(
        "/api/staff/analytics/summary", params={"from": "2024-12-05", "to": "2024-12-01"}, headers=staff
    )
    assert refused.status_code == 400
    body = refused.json()
    violations = [
        v["field"] for d in body.get("details", []) for v in d.get("field_violations", d.get("fieldViolations", []))
    ]
    assert violations == ["from_date"], body
    garbled = await rest.http.get("/api/staff/analytics/summary", params={"to": "tomorrow"}, headers=staff)
    assert garbled.status_code == 400
