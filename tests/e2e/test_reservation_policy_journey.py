"""The reservation policy through REST, against real `hph` processes (free ports, temporary data dirs):

- `hph up` as shipped (it hosts every agent) with the peak window pinned by HPH_RESERVATION_PEAK_WINDOW:
  a shopper buys a hot SKU up to its per-shopper limit, then one more is refused with a 400, reason
  PURCHASE_LIMIT_EXCEEDED and a field violation naming the cart line; staff see why on the agent's
  REST surface, a customer may not call it.
- `hph serve --services ... --rest` without the agent: the same over-limit order is placed (inventory's
  own check decides) and says the policy check was skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hph.agents.inventory_reservation_validation.policy import SkuRule, load_policy
from hph.runtime.auth.dev_issuer import DevIssuer
from hph.runtime.settings import DEFAULT_AUDIENCE
from tests.support.hph_process import hph_running, rest_port
from tests.support.rest_json import ADDRESS, Headers, Json, answer, ok
from tests.support.tokens import signed_bearer
from tests.support.waiting import read_until

pytestmark = pytest.mark.integration

AGENT_API = "/api/staff/agents/inventory-reservation-validation"
PEAK = {"HPH_RESERVATION_PEAK_WINDOW": "2000-01-01T00:00:00Z/2100-01-01T00:00:00Z"}
COMMERCE = "catalog,users,inventory,cart,checkout,orders"
HOT: SkuRule = next(rule for rule in load_policy().skus.values() if rule.hot and rule.peak_limit)
assert HOT.peak_limit is not None
LIMIT: int = HOT.peak_limit


@dataclass
class Running:
    http: httpx.AsyncClient
    issuer: DevIssuer

    def bearer(self, role: str, sub: str) -> Headers:
        return {"authorization": signed_bearer(self.issuer, role, sub, name=sub)}


async def running(tmp_path: Path, *args: str, command: str) -> AsyncIterator[Running]:
    data_dir = tmp_path / "data"
    with hph_running(data_dir, *args, command=command, env=PEAK) as (_, banner):
        assert "REST" in banner, banner
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rest_port(banner)}", timeout=15) as http:
            yield Running(http, DevIssuer(data_dir, audience=DEFAULT_AUDIENCE))


@pytest.fixture
async def up(tmp_path: Path) -> AsyncIterator[Running]:
    async for hub in running(tmp_path, command="up"):
        yield hub


@pytest.fixture
async def serve_without_agent(tmp_path: Path) -> AsyncIterator[Running]:
    async for hub in running(tmp_path, "--services", COMMERCE, "--seed", "--rest", command="serve"):
        yield hub


async def ready_shopper(hub: Running, sub: str) -> tuple[Headers, Json]:
    """A registered customer with an address and a card; their headers and the order body to send."""
    me = hub.bearer("customer", sub)
    ok(await hub.http.post("/api/auth/register", json={}, headers=me))
    address = ok(await hub.http.post("/api/users/me/addresses", json=ADDRESS, headers=me))
    card = ok(await hub.http.post("/api/users/me/payment-methods", json={"token": "pm_card_visa"}, headers=me))
    return me, {"shipping_address_id": address["id"], "payment_method_id": card["id"]}


async def order(hub: Running, me: Headers, body: Json) -> httpx.Response:
    return await hub.http.post("/api/orders", json={**body, "request_id": str(uuid.uuid4())}, headers=me)


async def add(hub: Running, me: Headers, sku: str, quantity: int) -> None:
    ok(await hub.http.post("/api/cart/items", json={"product_id": sku, "quantity": quantity}, headers=me))


async def stock_up(hub: Running, sku: str) -> None:
    staff = hub.bearer("staff", "staff-sam")
    patch = {"quantity_on_hand": 100, "reason": "peak delivery"}
    ok(await hub.http.patch(f"/api/staff/inventory/{sku}", json=patch, headers=staff))


def reservation_skips(placed: Json) -> list[str]:
    """The reservation agent's skipped checks (checkout-support's risk assessment notes its own)."""
    return [c for c in placed["skipped_checks"] if c.startswith("inventory-reservation-validation:")]


def details_of(body: Json, kind: str) -> list[Json]:
    return [detail for detail in body["details"] if detail["@type"].endswith(kind)]


async def test_a_shopper_over_a_hot_skus_peak_limit_is_refused_with_the_line_named(up: Running) -> None:
    staff = up.bearer("staff", "staff-sam")
    me, body = await ready_shopper(up, "ava")
    await stock_up(up, HOT.sku)
    await add(up, me, HOT.sku, LIMIT)
    first = ok(await order(up, me, body))
    assert first["status"] == "ORDER_STATUS_PENDING" and reservation_skips(first) == []

    check = {"shopper_id": "ava", "lines": [{"product_id": HOT.sku, "quantity": 1}]}
    seen = await read_until(
        lambda: up.http.post(f"{AGENT_API}/validate", json=check, headers=staff),
        lambda response: response.json()["lines"][0]["purchased_in_window"] == LIMIT,
    )
    verdict = ok(seen)
    assert verdict["decision"] == "RESERVATION_DECISION_REFUSE"
    assert verdict["lines"][0]["reason"].startswith(f"at most {LIMIT} per shopper until 2099-12-31 (peak)")
    assert verdict["explanation"]["drivers"][0]["name"] == "peak_limit_remaining"

    await add(up, me, HOT.sku, 1)
    refused = answer(await order(up, me, body), 400)
    assert refused["code"] == 9  # FAILED_PRECONDITION
    [info] = details_of(refused, "ErrorInfo")
    assert info["reason"] == "PURCHASE_LIMIT_EXCEEDED"
    assert info["metadata"] == {
        "skus": HOT.sku,
        "allowed": f"{HOT.sku}=0",
        "peak_window_ends_at": "2100-01-01T00:00:00Z",
    }
    [bad] = details_of(refused, "BadRequest")
    [violation] = bad["field_violations"]
    assert violation["field"] == "cart.items[0].quantity"
    assert violation["description"].startswith(f"{HOT.sku}: 0 of 1 allowed; at most {LIMIT} per shopper")
    assert len(ok(await up.http.get("/api/cart", headers=me))["items"]) == 1, "the cart stays as it was"

    answer(await up.http.post(f"{AGENT_API}/validate", json=check, headers=me), 403)
    policy = ok(await up.http.get(f"{AGENT_API}/policy", headers=staff))
    assert any(sku["sku"] == HOT.sku and sku["peak_limit_per_shopper"] == LIMIT for sku in policy["skus"])


async def test_without_the_agent_the_order_is_placed_and_says_the_check_was_skipped(
    serve_without_agent: Running,
) -> None:
    hub = serve_without_agent
    me, body = await ready_shopper(hub, "ben")
    await stock_up(hub, HOT.sku)
    await add(hub, me, HOT.sku, LIMIT + 1)  # over the limit, and nobody is there to say so
    placed = ok(await order(hub, me, body))
    assert placed["status"] == "ORDER_STATUS_PENDING"
    assert reservation_skips(placed) == ["inventory-reservation-validation: unimplemented"]
    assert placed["items"][0]["quantity"] == LIMIT + 1
