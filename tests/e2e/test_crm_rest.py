"""The CRM agents through REST, as staff and shoppers see them: a shopper's profile at the staff
route once their paid order is in it, refused to the shopper themselves; a support ticket's brief at
the staff ticket view's route; the segments at their staff route, and a shopper's own
recommendations (without what they bought) at `/api/recommendations`, never another shopper's; an
order placed with a campaign code carries it and counts in the campaign report."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hph.host.app import SERVICE_NAMES
from tests.e2e.test_shipments_rest import paid_order
from tests.support.events import settle
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.rest_json import ADDRESS, ok
from tests.support.waiting import read_until

pytestmark = pytest.mark.integration

AGENTS = (
    "crm-profile-aggregation",
    "crm-segmentation-personalization",
    "crm-campaign-intelligence",
    "crm-support-assistance",
)
PROFILES = "/api/staff/agents/crm-profile-aggregation/profiles"


@pytest.fixture
async def rest(tmp_path: Path) -> AsyncIterator[RestHub]:
    running = await start_rest_hub(tmp_path / "data", services=(*SERVICE_NAMES, *AGENTS))
    try:
        yield running
    finally:
        await stop_rest_hub(running)


async def test_staff_see_a_shoppers_profile_and_the_shopper_does_not(rest: RestHub) -> None:
    ivy = rest.bearer("customer", "ivy", email="ivy@example.com", name="Ivy Chen")
    staff = rest.bearer("staff", "staff-sam")
    order = await paid_order(rest, ivy, staff)

    async def profile() -> dict:  # type: ignore[type-arg]
        return ok(await rest.http.get(f"{PROFILES}/ivy", headers=staff))

    found = await read_until(
        profile, lambda got: [o.get("status") for o in got.get("recent_orders", [])] == ["ORDER_STATUS_PAID"]
    )
    assert found["name"] == "Ivy Chen" and found["email"] == "ivy@example.com"
    assert found["lifetime_value"]["amount_minor"] == order["total_minor"]
    assert found["average_order_value"]["amount_minor"] == order["total_minor"]
    assert found["days_since_last_order"] == 0
    assert [o["order_id"] for o in found["recent_orders"]] == [order["id"]]
    assert found["recent_orders"][0]["status"] == "ORDER_STATUS_PAID"
    assert found["favourite_categories"][0]["units"] == 2
    assert {d["name"] for d in found["explanation"]["drivers"]} >= {"recency", "frequency", "spend", "returns"}

    assert (await rest.http.get(f"{PROFILES}/ivy", headers=ivy)).status_code == 403
    assert (await rest.http.get(f"{PROFILES}/ivy")).status_code == 401
    assert (await rest.http.get(f"{PROFILES}/nobody-here", headers=staff)).status_code == 404
    bad = await rest.http.get(f"{PROFILES}/ivy", params={"recent_orders_limit": 99}, headers=staff)
    assert bad.status_code == 400


async def test_the_staff_ticket_view_shows_the_brief(rest: RestHub) -> None:
    noa = rest.bearer("customer", "noa", email="noa@example.com", name="Noa Berg")
    staff = rest.bearer("staff", "staff-sam")
    order = await paid_order(rest, noa, staff)
    ticket = ok(
        await rest.http.post(
            "/api/tickets",
            json={
                "subject": "Charged twice",
                "body": "I was charged twice for this order. Please fix it, I'm really upset.",
                "order_id": order["id"],
                "category": "TICKET_CATEGORY_PAYMENT",
            },
            headers=noa,
        )
    )
    route = f"/api/staff/agents/crm-support-assistance/tickets/{ticket['id']}/brief"

    async def brief() -> dict:  # type: ignore[type-arg]
        return ok(await rest.http.get(route, headers=staff))

    found = await read_until(brief, lambda got: bool(got.get("context", {}).get("orders")))
    assert found["ticket_id"] == ticket["id"] and found["user_id"] == "noa"
    assert [o["order_id"] for o in found["context"]["orders"]] == [order["id"]]
    assert found["sentiment"]["label"] == "SENTIMENT_LABEL_NEGATIVE"
    assert found["suggested_priority"] == "TICKET_PRIORITY_HIGH"  # payment 2 + tone 1
    assert "review_payment" in [a["code"] for a in found["next_best_actions"]]
    assert found["reply_draft"]["template_id"] == "payment"
    assert order["id"] in found["reply_draft"]["body"] and "Noa" in found["reply_draft"]["body"]
    assert (await rest.http.get(route, headers=noa)).status_code == 403
    assert (
        await rest.http.get("/api/staff/agents/crm-support-assistance/tickets/nope/brief", headers=staff)
    ).status_code == 404


async def test_segments_for_staff_and_a_shoppers_own_recommendations(rest: RestHub) -> None:
    eve = rest.bearer("customer", "eve", email="eve@example.com", name="Eve Lund")
    staff = rest.bearer("staff", "staff-sam")
    order = await paid_order(rest, eve, staff)
    bought = {item["product_id"] for item in order["items"]}

    async def segments() -> dict:  # type: ignore[type-arg]
        return ok(
            await rest.http.get(
                "/api/staff/agents/crm-segmentation-personalization/segments", params={"user_id": "eve"}, headers=staff
            )
        )

    await settle(rest.hub)  # the projection has the order before the first run is computed (then kept 15 min)
    found = await segments()
    assert found["customer"]["frequency"] == 1
    assert found["customers_scored"] >= 1
    assert sum(s.get("size", 0) for s in found["segments"]) == found["customers_scored"]
    assert found["customer"]["segment"] != "CUSTOMER_SEGMENT_PROSPECT"

    recommended = ok(await rest.http.get("/api/recommendations", params={"limit": 5}, headers=eve))
    assert recommended["user_id"] == "eve" and recommended["products"]
    assert not bought & {p["product"]["product_id"] for p in recommended["products"]}
    assert recommended["explanation"]["drivers"]
    assert (await rest.http.get("/api/recommendations", params={"user_id": "ivy"}, headers=eve)).status_code == 403
    assert (await rest.http.get("/api/recommendations")).status_code == 401
    assert (
        await rest.http.get("/api/staff/agents/crm-segmentation-personalization/segments", headers=eve)
    ).status_code == 403


async def test_an_order_placed_with_a_campaign_code_counts_in_the_campaign_report(rest: RestHub) -> None:
    kai = rest.bearer("customer", "kai", email="kai@example.com", name="Kai Moreau")
    staff = rest.bearer("staff", "staff-sam")
    ok(await rest.http.post("/api/auth/register", json={}, headers=kai))
    address = ok(await rest.http.post("/api/users/me/addresses", json=ADDRESS, headers=kai))
    card = ok(await rest.http.post("/api/users/me/payment-methods", json={"token": "pm_card_visa"}, headers=kai))
    products = ok(await rest.http.get("/api/products", params={"limit": 50}))["products"]
    sku = next(p["id"] for p in products if p.get("in_stock"))
    ok(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": 1}, headers=kai))
    checkout = {"shipping_address_id": address["id"], "payment_method_id": card["id"], "request_id": str(uuid.uuid4())}
    bad = await rest.http.post("/api/orders", json={**checkout, "campaign_code": "not a code!"}, headers=kai)
    assert bad.status_code == 400
    order = ok(await rest.http.post("/api/orders", json={**checkout, "campaign_code": "holiday-email"}, headers=kai))
    assert order["campaign_code"] == "HOLIDAY-EMAIL"
    pay = {
        "order_id": order["id"],
        "payment_method_id": card["id"],
        "amount": order["total"],
        "request_id": str(uuid.uuid4()),
    }
    ok(await rest.http.post("/api/payments", json=pay, headers=kai))
    await settle(rest.hub)

    route = "/api/staff/agents/crm-campaign-intelligence/campaigns"
    report = ok(await rest.http.get(route, params={"campaign_codes": "HOLIDAY-EMAIL"}, headers=staff))
    (email,) = report["campaigns"]
    assert email["campaign_code"] == "HOLIDAY-EMAIL"
    assert (email["funnel"]["carts"], email["funnel"]["orders"]) == ("1", "1")  # int64 as JSON strings
    assert email["attributed_revenue"]["amount_minor"] == order["total_minor"]
    assert email["spend"]["amount_minor"] and "roi" in email and email["advice"].startswith("BUDGET_ACTION_")
    assert (await rest.http.get(route, headers=kai)).status_code == 403
