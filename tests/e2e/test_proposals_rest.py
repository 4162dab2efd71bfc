"""The product-truth review queue over REST through the gateway, as the staff console uses it:
agents' drafts in, the queue listed and filtered, one approved (the product and search show the
value), one rejected (the value nowhere), both audit trails, the figures, a changed product's
conflict as 409, and a customer refused."""

from __future__ import annotations

import pytest

from tests.support.rest_harness import RestHub
from tests.support.rest_json import answer
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def test_review_queue_journey(rest: RestHub) -> None:
    http = rest.http
    sam = rest.bearer("staff", "staff-sam")
    agent = rest.bearer("staff", "platform-agent")
    ava = rest.bearer("customer", "ava")
    first, second = answer(await http.get("/api/products", params={"limit": 2}), 200)["products"]

    def draft(item: dict[str, str], field: str, value: str, source: str) -> dict[str, object]:
        return {
            "product_id": item["id"],
            "field": field,
            "current_value": item.get(field, ""),
            "proposed_value": value,
            "source_agent": source,
            "confidence": 0.8,
            "product_etag": item["etag"],
            "evidence": [{"name": "brand_table", "value": 1, "reason": "listed brand spelling"}],
        }

    submitted = answer(
        await http.post(
            "/api/staff/proposals:submit",
            json={
                "drafts": [
                    draft(first, "brand", "Zephyr Toyworks", "normalization-classification"),
                    draft(second, "description", "Plain words.", "consistency-validation"),
                ]
            },
            headers=agent,
        ),
        200,
    )
    brand_id, description_id = (r["proposal_id"] for r in submitted["results"])
    assert [r["outcome"] for r in submitted["results"]] == ["SUBMIT_OUTCOME_CREATED"] * 2

    answer(await http.get("/api/staff/proposals", headers=ava), 403)
    answer(await http.get("/api/staff/proposals"), 401)
    pending = answer(
        await http.get("/api/staff/proposals", params={"status": "PROPOSAL_STATUS_PENDING"}, headers=sam), 200
    )
    assert {brand_id, description_id} <= {x["id"] for x in pending["proposals"]}
    row = next(x for x in pending["proposals"] if x["id"] == brand_id)
    assert {"product_id", "field", "current_value", "proposed_value", "source_agent", "confidence", "etag"} <= set(row)

    approved = answer(
        await http.post(f"/api/staff/proposals/{brand_id}:approve", json={"etag": row["etag"]}, headers=sam), 200
    )
    assert approved["status"] == "PROPOSAL_STATUS_APPROVED"
    assert answer(await http.get(f"/api/products/{first['id']}"), 200)["brand"] == "Zephyr Toyworks"

    async def searchable() -> bool:
        found = answer(await http.get("/api/products", params={"search": "zephyr toyworks"}), 200)
        return first["id"] in {p["id"] for p in found.get("products", [])}

    await eventually(searchable, within=10)

    no_reason = answer(await http.post(f"/api/staff/proposals/{description_id}:reject", json={}, headers=sam), 400)
    assert "reason" in no_reason["message"]
    rejected = answer(
        await http.post(
            f"/api/staff/proposals/{description_id}:reject", json={"reason": "keeps the old copy"}, headers=sam
        ),
        200,
    )
    assert rejected["status"] == "PROPOSAL_STATUS_REJECTED"
    assert answer(await http.get(f"/api/products/{second['id']}"), 200).get("description", "") == second.get(
        "description", ""
    )
    answer(await http.post(f"/api/staff/proposals/{description_id}:approve", json={}, headers=sam), 400)

    for proposal_id, action, actor in ((brand_id, "approved", "staff-sam"), (description_id, "rejected", "staff-sam")):
        trail = answer(await http.get(f"/api/staff/proposals/{proposal_id}", headers=sam), 200)["audit"]
        assert trail[0]["action"] == "submitted" and trail[-1]["action"] == action
        assert trail[-1]["actor_id"] == actor and trail[-1]["at"]

    stats = answer(await http.get("/api/staff/proposals/stats", headers=sam), 200)
    by = {(r["source_agent"], r["field"]): r for r in stats["rows"]}
    assert by[("normalization-classification", "brand")]["approved"] == "1"  # int64 as a JSON string
    assert by[("consistency-validation", "description")]["rejection_rate"] == 1

    # The agent read `first` before staff renamed it: approving finds the conflict, writes nothing.
    fresh = answer(await http.get(f"/api/products/{first['id']}"), 200)
    stale = draft(fresh, "name", "Agent Title", "normalization-classification")
    answer(
        await http.patch(f"/api/staff/products/{first['id']}", json={"name": "Staff Title"}, headers=sam),
        200,
    )
    late = answer(await http.post("/api/staff/proposals:submit", json={"drafts": [stale]}, headers=agent), 200)
    late_id = late["results"][0]["proposal_id"]
    conflict = answer(await http.post(f"/api/staff/proposals/{late_id}:approve", json={}, headers=sam), 409)
    assert "back in review" in conflict["message"]
    assert answer(await http.get(f"/api/products/{first['id']}"), 200)["name"] == "Staff Title"
    review = answer(await http.get(f"/api/staff/proposals/{late_id}", headers=sam), 200)
    assert review["status"] in ("PROPOSAL_STATUS_NEEDS_REVIEW", "PROPOSAL_STATUS_SUPERSEDED")
