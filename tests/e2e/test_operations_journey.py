"""Issue #5's acceptance journey, through REST only, against `hph up` as shipped (a real subprocess,
free ports, a temporary data dir; analytics cache off through HPH_ANALYTICS_CACHE_SECONDS=0).

A customer buys and pays two orders; staff see today's sales, answer the customer's ticket, ship an
order to delivery, and take two returns through approve/receive/restock/refund; the customer sees
each step. Finally the sales summary reconciles exactly: revenue is the sum of the paid orders'
totals, and net revenue that minus the refunds."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from hph.runtime.auth.dev_issuer import DevIssuer
from hph.runtime.settings import DEFAULT_AUDIENCE
from tests.support.hph_process import hph_running, rest_port
from tests.support.rest_json import ADDRESS, Headers, Json, ok
from tests.support.tokens import signed_bearer
from tests.support.waiting import read_until

pytestmark = pytest.mark.integration

# How long the analytics projection may take to follow the events.
PROJECTION_SECONDS = 10.0


@dataclass
class Up:
    """A running `hph up`: its REST client and a token minter for its data dir (what `hph token` does)."""

    http: httpx.AsyncClient
    issuer: DevIssuer

    def bearer(self, role: str, sub: str) -> Headers:
        return {"authorization": signed_bearer(self.issuer, role, sub, name=sub)}


@pytest.fixture
def hph_up(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """`hph up` in a subprocess with the analytics cache off; yields its REST port and data dir."""
    data_dir = tmp_path / "data"
    with hph_running(data_dir, env={"HPH_ANALYTICS_CACHE_SECONDS": "0"}) as (_, banner):
        yield rest_port(banner), data_dir


@pytest.fixture
async def up(hph_up: tuple[int, Path]) -> AsyncIterator[Up]:
    port, data_dir = hph_up
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=15) as http:
        yield Up(http, DevIssuer(data_dir, audience=DEFAULT_AUDIENCE))


def money(*amounts: float) -> Decimal:
    """Exact sum of amounts in major units as the API prints them."""
    return sum((Decimal(str(a)) for a in amounts), Decimal(0))


async def test_staff_run_operations_and_the_customer_sees_each_step(up: Up) -> None:
    http = up.http
    ava = up.bearer("customer", "ava-ops")
    staff = up.bearer("staff", "staff-sam")
    admin = up.bearer("admin", "admin-ada")
    today = {"from": datetime.now(UTC).date().isoformat()}  # `to` defaults to now

    async def summary() -> Json:
        return ok(await http.get("/api/staff/analytics/summary", params=today, headers=staff))

    async def inventory(sku: str) -> Json:
        return ok(await http.get(f"/api/staff/inventory/{sku}", headers=staff))

    # --- The customer registers and buys two orders (two units of one product, one of another).
    ok(await http.post("/api/auth/register", json={}, headers=ava))
    address = ok(await http.post("/api/users/me/addresses", json=ADDRESS, headers=ava))
    card = ok(await http.post("/api/users/me/payment-methods", json={"token": "pm_card_visa"}, headers=ava))
    skus = []
    for product in ok(await http.get("/api/products", params={"limit": 50}))["products"]:
        if (await inventory(product["id"])).get("quantity_available", 0) >= 10:
            skus.append(product["id"])
        if len(skus) == 2:
            break
    assert len(skus) == 2, "the demo catalog has too few well-stocked products"
    before = await summary()

    orders: list[Json] = []
    for sku, quantity in zip(skus, (2, 1), strict=True):
        ok(await http.post("/api/cart/items", json={"product_id": sku, "quantity": quantity}, headers=ava))
        checkout = {"shipping_address_id": address["id"], "payment_method_id": card["id"]}
        order = ok(await http.post("/api/orders", json={**checkout, "request_id": str(uuid.uuid4())}, headers=ava))
        payment = {"order_id": order["id"], "payment_method_id": card["id"], "amount": order["total"]}
        paid = ok(await http.post("/api/payments", json={**payment, "request_id": str(uuid.uuid4())}, headers=ava))
        assert paid["status"] == "PAYMENT_STATUS_SUCCEEDED"
        order = ok(await http.get(f"/api/orders/{order['id']}", headers=ava))
        assert order["status"] == "ORDER_STATUS_PAID" and order["paid_at"]
        orders.append(order)
    order = orders[0]
    sold = money(*(o["total"] for o in orders))

    # --- Staff see today's sales, both orders in them.
    sales = await read_until(
        summary, lambda s: int(s["total_orders"]) == int(before["total_orders"]) + 2, within=PROJECTION_SECONDS
    )
    assert int(sales["total_orders"]) == int(before["total_orders"]) + 2, sales
    assert money(sales["total_revenue"]) == money(before["total_revenue"]) + sold
    assert {p["product_id"] for p in sales["top_products"]} >= set(skus)
    assert (await http.get("/api/staff/analytics/summary", params=today, headers=ava)).status_code == 403

    # --- The customer asks about the first order; staff answer and resolve; the customer sees it all.
    ticket = ok(
        await http.post(
            "/api/tickets",
            json={
                "subject": "When will it ship?",
                "body": "I need it before the 24th.",
                "order_id": order["id"],
                "category": "TICKET_CATEGORY_SHIPPING",
                "request_id": str(uuid.uuid4()),
            },
            headers=ava,
        )
    )
    assert (ticket["status"], ticket["order_id"]) == ("TICKET_STATUS_OPEN", order["id"])
    queue = ok(await http.get("/api/staff/tickets", params={"status": "TICKET_STATUS_OPEN"}, headers=staff))
    assert ticket["id"] in {t["id"] for t in queue["tickets"]}
    ok(
        await http.post(
            f"/api/staff/tickets/{ticket['id']}/messages",
            json={"body": "Priority pick requested.", "internal": True},
            headers=staff,
        )
    )
    answered = ok(
        await http.post(
            f"/api/staff/tickets/{ticket['id']}/messages",
            json={"body": "It ships today; you will get tracking."},
            headers=staff,
        )
    )
    assert answered["status"] == "TICKET_STATUS_IN_PROGRESS" and answered["first_response_at"]
    seen = ok(await http.get(f"/api/tickets/{ticket['id']}", headers=ava))
    assert [m["body"] for m in seen["messages"]] == [
        "I need it before the 24th.",
        "It ships today; you will get tracking.",
    ]
    assert seen["status"] == "TICKET_STATUS_IN_PROGRESS"
    resolved = ok(
        await http.patch(f"/api/staff/tickets/{ticket['id']}", json={"status": "TICKET_STATUS_RESOLVED"}, headers=staff)
    )
    assert resolved["status"] == "TICKET_STATUS_RESOLVED" and resolved["resolved_at"]
    mine = ok(await http.get("/api/tickets", headers=ava))["tickets"]
    assert [(t["id"], t["status"]) for t in mine] == [(ticket["id"], "TICKET_STATUS_RESOLVED")]

    # --- Staff ship the first order; the customer follows the tracking to delivery.
    tracking = f"/api/orders/{order['id']}/tracking"
    assert ok(await http.get(tracking, headers=ava))["shipments"] == []
    shipment = ok(
        await http.post(
            "/api/staff/shipments",
            json={
                "order_id": order["id"],
                "carrier": "ups",
                "service_level": "SERVICE_LEVEL_EXPEDITED",
                "tracking_number": "1Z999AA10123456784",
                "package_weight_grams": 1200,
                "request_id": str(uuid.uuid4()),
            },
            headers=staff,
        )
    )
    assert shipment["status"] == "SHIPMENT_STATUS_LABEL_CREATED"
    steps = [
        ("SHIPMENT_STATUS_LABEL_CREATED", None, "ORDER_STATUS_FULFILLING"),
        ("SHIPMENT_STATUS_PICKED_UP", "Oakland, CA, US", "ORDER_STATUS_SHIPPED"),
        ("SHIPMENT_STATUS_IN_TRANSIT", "Louisville, KY, US", "ORDER_STATUS_SHIPPED"),
        ("SHIPMENT_STATUS_OUT_FOR_DELIVERY", "San Francisco, CA, US", "ORDER_STATUS_SHIPPED"),
        ("SHIPMENT_STATUS_DELIVERED", "San Francisco, CA, US", "ORDER_STATUS_DELIVERED"),
    ]
    start = datetime.now(UTC) - timedelta(minutes=1)
    for index, (status, location, order_status) in enumerate(steps):
        if location is not None:
            scan = {
                "status": status,
                "location": location,
                "description": status.removeprefix("SHIPMENT_STATUS_").replace("_", " ").lower(),
                "occurred_at": (start + timedelta(seconds=index)).isoformat().replace("+00:00", "Z"),
                "request_id": f"ups-{index}",
            }
            recorded = ok(await http.post(f"/api/staff/shipments/{shipment['id']}/events", json=scan, headers=staff))
            assert recorded["status"] == status
        followed = ok(await http.get(tracking, headers=ava))
        assert (followed["order_id"], followed["status"]) == (order["id"], status)
        assert [s["id"] for s in followed["shipments"]] == [shipment["id"]]
        assert followed["shipments"][0]["events"][-1]["status"] == status
        assert ok(await http.get(f"/api/orders/{order['id']}", headers=ava))["status"] == order_status
    delivered = ok(await http.get(f"/api/orders/{order['id']}", headers=ava))
    assert delivered["shipped_at"] and delivered["delivered_at"]

    # --- Two returns of one unit each: approve (admin), receive, restock (stock goes up), refund.
    sku = skus[0]
    refunds: list[Json] = []
    for expected_order_status, units_returned in (("ORDER_STATUS_PARTIALLY_RETURNED", 1), ("ORDER_STATUS_RETURNED", 2)):
        asked = ok(
            await http.post(
                "/api/returns",
                json={
                    "order_id": order["id"],
                    "items": [{"product_id": sku, "quantity": 1}],
                    "reason": "RETURN_REASON_NO_LONGER_NEEDED",
                    "request_id": str(uuid.uuid4()),
                },
                headers=ava,
            )
        )
        path = f"/api/staff/returns/{asked['id']}"

        async def customer_sees(status: str, return_id: str = asked["id"]) -> Json:
            mine = ok(await http.get(f"/api/returns/{return_id}", headers=ava))
            assert mine["status"] == status and mine["history"][-1]["status"] == status
            assert status in {r["status"] for r in ok(await http.get("/api/returns", headers=ava))["returns"]}
            return mine

        await customer_sees("RETURN_STATUS_REQUESTED")
        assert asked["id"] in {
            r["id"]
            for r in ok(
                await http.get("/api/staff/returns", params={"status": "RETURN_STATUS_REQUESTED"}, headers=staff)
            )["returns"]
        }
        assert (await http.patch(f"{path}/approve", json={}, headers=staff)).status_code == 403  # admin only
        ok(await http.patch(f"{path}/approve", json={"note": "label emailed"}, headers=admin))
        await customer_sees("RETURN_STATUS_APPROVED")
        ok(await http.patch(f"{path}/receive", json={"note": "unopened"}, headers=staff))
        await customer_sees("RETURN_STATUS_RECEIVED")
        shelf = await inventory(sku)
        ok(await http.patch(f"{path}/restock", json={}, headers=staff))
        restocked = await inventory(sku)
        assert restocked["quantity_on_hand"] == shelf["quantity_on_hand"] + 1
        assert restocked["quantity_available"] == shelf["quantity_available"] + 1
        await customer_sees("RETURN_STATUS_RESTOCKED")
        refunded = ok(await http.patch(f"{path}/refund", json={}, headers=admin))
        assert refunded["refund_id"] and 0 < refunded["refund_amount"] <= order["total"]
        final = await customer_sees("RETURN_STATUS_REFUNDED")
        assert [step["status"] for step in final["history"]] == [
            "RETURN_STATUS_REQUESTED",
            "RETURN_STATUS_APPROVED",
            "RETURN_STATUS_RECEIVED",
            "RETURN_STATUS_RESTOCKED",
            "RETURN_STATUS_REFUNDED",
        ]
        refunds.append(refunded)
        after = ok(await http.get(f"/api/orders/{order['id']}", headers=ava))
        assert after["status"] == expected_order_status
        assert [(i["product_id"], i.get("quantity_returned", 0)) for i in after["items"]] == [(sku, units_returned)]
        assert money(after["amount_refunded"]) == money(*(r["refund_amount"] for r in refunds))

    # --- Today's sales reconcile exactly: revenue = paid orders' totals, net = that minus refunds.
    refunded_total = money(*(r["refund_amount"] for r in refunds))
    final_sales = await read_until(
        summary,
        lambda s: money(s["refunds_total"]) == money(before["refunds_total"]) + refunded_total,
        within=PROJECTION_SECONDS,
    )
    assert int(final_sales["total_orders"]) == int(before["total_orders"]) + 2
    assert money(final_sales["total_revenue"]) == money(before["total_revenue"]) + sold
    assert money(final_sales["refunds_total"]) == money(before["refunds_total"]) + refunded_total
    assert money(final_sales["net_revenue"]) == money(before["net_revenue"]) + sold - refunded_total

    # ... and with every order in the store, as staff list them.
    store: list[Json] = []
    params: dict[str, str | int] = {"page_size": 100}
    while True:
        page = ok(await http.get("/api/staff/orders", params=params, headers=staff))
        store += page.get("orders", [])
        if not page.get("next_page_token"):
            break
        params["page_token"] = page["next_page_token"]
    paid_orders = [o for o in store if o.get("paid_at")]
    assert {o["id"] for o in orders} <= {o["id"] for o in paid_orders}
    assert money(final_sales["total_revenue"]) == money(*(o["total"] for o in paid_orders))
    assert money(final_sales["refunds_total"]) == money(*(o.get("amount_refunded", 0) for o in paid_orders))
    assert money(final_sales["net_revenue"]) == money(*(o["total"] for o in paid_orders)) - money(
        *(o.get("amount_refunded", 0) for o in paid_orders)
    )
