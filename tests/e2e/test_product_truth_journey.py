"""Issue #15's acceptance, as a new user would walk it over REST: a platform seeded with the demo's
messy products; the consistency audit finds the injected problems and the normalisation agent
finds a badly written title; their proposals wait in the review queue; a staff member approves one
(it reaches the product, search and the ACP feed within seconds) and rejects one (its value is
nowhere); both audit trails show who decided what; a customer is refused the queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hph.agents.product_catalog.shared import catalog_models
from hph.commerce.demo_data import generate_catalog
from hph.commerce.demo_messy import messy_products
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.rest_json import answer
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVICES = (
    "catalog",
    "users",
    "inventory",
    "proposals",
    "normalization-classification",
    "consistency-validation",
    "acp-transformation",
)
AUDIT = "/api/staff/agents/consistency-validation/audit"
NORMALIZE = "/api/staff/agents/normalization-classification/normalize"
FEED = "/api/staff/agents/acp-transformation/feed"
Json = dict[str, Any]


@pytest.fixture
async def rest(tmp_path: Path) -> AsyncIterator[RestHub]:
    hub = await start_rest_hub(
        tmp_path / "data",
        services=SERVICES,
        settings_overrides={"seed_messy_products": True, "classifier_retrain_debounce_seconds": 0.1},
    )
    try:
        yield hub
    finally:
        await stop_rest_hub(hub)


async def feed_item(rest: RestHub, headers: Json, product_id: str) -> Json | None:
    """The product's item in the exported feed (the projection kept from events), or None."""
    token = ""
    while True:
        params: dict[str, str | int | bool] = {"page_size": 200, "include_invalid": True}
        if token:
            params["page_token"] = token
        page = answer(await rest.http.get(FEED, params=params, headers=headers), 200)
        for entry in page.get("entries", []):
            if entry["item"]["item_id"] == product_id:
                found: Json = entry["item"]
                return found
        token = page.get("next_page_token", "")
        if not token:
            return None


async def test_agents_propose_staff_decide_and_only_the_approved_value_goes_live(rest: RestHub) -> None:
    http = rest.http
    sam = rest.bearer("staff", "staff-sam")
    ava = rest.bearer("customer", "ava")
    trainer = catalog_models(rest.hub.platform.deps).trainer

    async def trained() -> bool:
        return trainer.model is not None and trainer.current

    await eventually(trained, within=60)
    messy = messy_products(generate_catalog())

    # The audit finds the injected problems, and hands its fixes to the queue.
    expected = {(m.product.id, code) for m in messy for code in m.expected_findings}
    found: set[tuple[str, str]] = set()
    token = ""
    while True:
        params: dict[str, str | int] = {"page_size": 100}
        if token:
            params["page_token"] = token
        page = answer(await http.get(AUDIT, params=params, headers=sam), 200)
        found |= {
            (audit["product"]["product_id"], finding["code"].removeprefix("FINDING_CODE_"))
            for audit in page["products"]
            for finding in audit["findings"]
        }
        token = page.get("next_page_token", "")
        if not token:
            break
    assert expected <= found, expected - found

    # A title written carelessly: the normalisation agent proposes the clean one.
    [careless, *_] = [m for m in messy if m.expected_name]
    normalized = answer(await http.post(NORMALIZE, json={"product_id": careless.product.id}, headers=sam), 200)
    [name] = [f for f in normalized["fields"] if f["field"] == "title"]
    assert name["changed"] and name["normalized"] == careless.expected_name

    # Both wait in the queue; a customer cannot see it.
    answer(await http.get("/api/staff/proposals", headers=ava), 403)
    queue = answer(
        await http.get(
            "/api/staff/proposals", params={"status": "PROPOSAL_STATUS_PENDING", "page_size": 100}, headers=sam
        ),
        200,
    )["proposals"]
    titles = [p for p in queue if p["product_id"] == careless.product.id and p["field"] == "name"]
    assert len(titles) == 1, queue
    [title] = titles
    assert (title["source_agent"], title["proposed_value"]) == ("normalization-classification", careless.expected_name)
    miscategorised = {m.product.id for m in messy if "CATEGORY_MISMATCH" in m.expected_findings}
    categories = [p for p in queue if p["product_id"] in miscategorised and p["field"] == "category_id"]
    assert categories, queue
    category = categories[0]
    assert category["source_agent"] == "consistency-validation"

    # Approve the title, reject the category with a reason.
    approved = answer(
        await http.post(f"/api/staff/proposals/{title['id']}:approve", json={"etag": title["etag"]}, headers=sam),
        200,
    )
    assert approved["status"] == "PROPOSAL_STATUS_APPROVED"
    rejected = answer(
        await http.post(
            f"/api/staff/proposals/{category['id']}:reject",
            json={"reason": "the seasonal range belongs where it is"},
            headers=sam,
        ),
        200,
    )
    assert rejected["status"] == "PROPOSAL_STATUS_REJECTED"

    # The approved value is live in the product, in search and in the feed within seconds.
    product = answer(await http.get(f"/api/products/{careless.product.id}"), 200)
    assert product["name"] == careless.expected_name

    async def searchable() -> bool:
        hits = answer(await http.get("/api/products", params={"search": careless.expected_name}), 200)
        return careless.product.id in {p["id"] for p in hits.get("products", [])}

    async def in_the_feed() -> bool:
        item = await feed_item(rest, sam, careless.product.id)
        return item is not None and item["title"] == careless.expected_name

    await eventually(searchable, within=5, pause=0.1)
    await eventually(in_the_feed, within=5, pause=0.1)

    # The rejected value is nowhere: not on the product, not in the feed.
    kept = answer(await http.get(f"/api/products/{category['product_id']}"), 200)
    assert kept["category_id"] == category["current_value"] != category["proposed_value"]
    item = await feed_item(rest, sam, category["product_id"])
    assert item is not None and category["proposed_value"] not in item.get("product_category", "").lower()

    # Both audit trails say who decided what, with the values before and after.
    trails = {
        p["id"]: answer(await http.get(f"/api/staff/proposals/{p['id']}", headers=sam), 200)["audit"]
        for p in (title, category)
    }

    def trail_of(proposal: Json) -> list[Json]:
        return list(trails[proposal["id"]])

    approval = [step for step in trail_of(title) if step.get("actor_id") == "staff-sam"]
    assert approval and approval[-1]["action"] == "approved", approval
    assert (approval[-1]["before_value"], approval[-1]["after_value"]) == (
        title["current_value"],
        careless.expected_name,
    )
    refusal = [step for step in trail_of(category) if step.get("actor_id") == "staff-sam"]
    assert refusal and refusal[-1]["action"] == "rejected", refusal
    assert refusal[-1].get("after_value", "") != category["proposed_value"]
    assert refusal[-1]["reason"] == "the seasonal range belongs where it is"
    assert rejected["decision_reason"] == "the seasonal range belongs where it is"
