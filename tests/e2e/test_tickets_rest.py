"""Support tickets over REST through the gateway, as the storefront and the staff console use them:
open, list, staff reply, the customer sees the public reply (never the internal note), resolve, close."""

from __future__ import annotations

import pytest

from tests.support.rest_harness import RestHub
from tests.support.rest_json import answer

pytestmark = pytest.mark.integration


async def test_ticket_journey_for_customer_and_staff(rest: RestHub) -> None:
    ava = rest.bearer("customer", "ava")
    eve = rest.bearer("customer", "eve")
    sam = rest.bearer("staff", "staff-sam")
    http = rest.http

    answer(await http.post("/api/tickets", json={"subject": "Late parcel", "body": "Not here yet"}), 401)
    invalid = answer(await http.post("/api/tickets", json={"subject": "", "body": "x"}, headers=ava), 400)
    assert "subject" in invalid["message"]
    opened = answer(
        await http.post(
            "/api/tickets",
            json={"subject": "Late parcel", "body": "Not here yet", "category": "TICKET_CATEGORY_SHIPPING"},
            headers=ava,
        ),
        200,
    )
    ticket_id = opened["id"]
    assert opened["status"] == "TICKET_STATUS_OPEN" and opened["priority"] == "TICKET_PRIORITY_NORMAL"
    assert opened["user_id"] == "ava" and opened["created_at"] and opened["first_response_due_at"]

    mine = answer(await http.get("/api/tickets", headers=ava), 200)
    assert [x["id"] for x in mine["tickets"]] == [ticket_id]
    assert answer(await http.get("/api/tickets", headers=eve), 200).get("tickets", []) == []
    answer(await http.get(f"/api/tickets/{ticket_id}", headers=eve), 404)
    answer(await http.get("/api/staff/tickets", headers=ava), 403)

    # The staff console: the queue (the fields the frontend reads), filtered by status, then one ticket.
    queue = answer(await http.get("/api/staff/tickets", params={"status": "TICKET_STATUS_OPEN"}, headers=sam), 200)
    row = next(x for x in queue["tickets"] if x["id"] == ticket_id)
    assert {"id", "user_id", "subject", "status", "priority", "created_at"} <= set(row)
    assert answer(await http.get(f"/api/staff/tickets/{ticket_id}", headers=sam), 200)["subject"] == "Late parcel"

    answer(
        await http.post(
            f"/api/staff/tickets/{ticket_id}/messages",
            json={"body": "Carrier lost it; reship.", "internal": True},
            headers=sam,
        ),
        200,
    )
    replied = answer(
        await http.post(
            f"/api/staff/tickets/{ticket_id}/messages", json={"body": "We are sending a new one."}, headers=sam
        ),
        200,
    )
    assert replied["status"] == "TICKET_STATUS_IN_PROGRESS" and replied["first_response_at"]
    assigned = answer(
        await http.patch(
            f"/api/staff/tickets/{ticket_id}",
            json={"assignee_id": "staff-sam", "priority": "TICKET_PRIORITY_HIGH"},
            headers=sam,
        ),
        200,
    )
    assert assigned["assignee_id"] == "staff-sam" and assigned["priority"] == "TICKET_PRIORITY_HIGH"

    seen = answer(await http.get(f"/api/tickets/{ticket_id}", headers=ava), 200)
    assert [m["body"] for m in seen["messages"]] == ["Not here yet", "We are sending a new one."]
    assert seen["message_count"] == 2

    illegal = answer(
        await http.patch(f"/api/staff/tickets/{ticket_id}", json={"status": "TICKET_STATUS_CLOSED"}, headers=sam), 400
    )
    assert illegal["code"] == 9 and "in_progress" in illegal["message"]
    resolved = answer(
        await http.patch(f"/api/staff/tickets/{ticket_id}", json={"status": "TICKET_STATUS_RESOLVED"}, headers=sam), 200
    )
    assert resolved["status"] == "TICKET_STATUS_RESOLVED" and resolved["resolved_at"]
    assert answer(await http.get(f"/api/tickets/{ticket_id}", headers=ava), 200)["status"] == "TICKET_STATUS_RESOLVED"
    closed = answer(
        await http.patch(f"/api/staff/tickets/{ticket_id}", json={"status": "TICKET_STATUS_CLOSED"}, headers=sam), 200
    )
    assert closed["status"] == "TICKET_STATUS_CLOSED" and closed["closed_at"]
    refused = answer(await http.post(f"/api/tickets/{ticket_id}/messages", json={"body": "Thanks!"}, headers=ava), 400)
    assert refused["code"] == 9
    assert answer(await http.get("/api/tickets", headers=ava), 200)["tickets"][0]["status"] == "TICKET_STATUS_CLOSED"
