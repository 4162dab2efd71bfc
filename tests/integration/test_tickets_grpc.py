"""Support tickets over real gRPC, with the real orders service behind the order-ownership check:
customers open and follow their own tickets, staff work the queue, the lifecycle, SLA timestamps,
idempotency, ownership (no other customer's tickets, never internal notes) and the ticket events."""

from __future__ import annotations

import itertools
from datetime import timedelta

import grpc
import pytest

from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import support_ticket_service_pb2 as pb
from holidaypeak.commerce.v1 import support_ticket_service_pb2_grpc as tickets_grpc
from holidaypeak.commerce.v1 import ticket_pb2 as t
from holidaypeak.common.v1 import access_pb2
from holidaypeak.events.v1 import ticket_events_pb2 as ev
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from tests.support.events import published
from tests.support.platform_harness import Hub, Metadata
from tests.support.rich_status import expect_error, reason, violated_fields
from tests.support.shoppers import a_shopper, staff
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

HUB_SERVICES = ("catalog", "users", "inventory", "cart", "checkout", "orders", "tickets")
_customers = itertools.count(1)


def stub(hub: Hub) -> tickets_grpc.SupportTicketServiceStub:
    return tickets_grpc.SupportTicketServiceStub(hub.channel)


def customer(hub: Hub) -> tuple[str, Metadata]:
    user_id = f"customer-{next(_customers)}"
    return user_id, hub.auth("customer", user_id)


async def open_ticket(hub: Hub, auth: Metadata, subject: str = "Where is my parcel?", **fields: object) -> t.Ticket:
    request = pb.CreateTicketRequest(subject=subject, body="It has not arrived yet.", **fields)  # type: ignore[arg-type]
    return await stub(hub).CreateTicket(request, metadata=auth)


async def place_order(hub: Hub, user_id: str) -> str:
    """A real order of `user_id`'s (address, card, one line in the cart)."""
    shopper = await a_shopper(hub, user_id, register=False)
    items = await inventory_grpc.InventoryServiceStub(hub.channel).ListInventoryItems(
        inventory_pb.ListInventoryItemsRequest(page_size=100), metadata=staff(hub)
    )
    await shopper.add(next(item.sku for item in items.inventory_items if item.quantity_available >= 5), 1)
    order = await shopper.place(f"order-{shopper.address_id}")
    return order.id


# --- customers -------------------------------------------------------------------------------


async def test_a_customer_opens_a_ticket_and_follows_only_their_own(hub: Hub) -> None:
    ava_id, ava = customer(hub)
    _, eve = customer(hub)
    ticket = await open_ticket(hub, ava, category=t.TICKET_CATEGORY_SHIPPING)
    assert ticket.id.startswith("TKT-") and ticket.user_id == ava_id and ticket.etag
    assert (ticket.status, ticket.priority) == (t.TICKET_STATUS_OPEN, t.TICKET_PRIORITY_NORMAL)
    assert ticket.category == t.TICKET_CATEGORY_SHIPPING
    assert [m.body for m in ticket.messages] == ["It has not arrived yet."]
    assert ticket.messages[0].author_role == access_pb2.ROLE_CUSTOMER and ticket.message_count == 1
    created = ticket.created_at.ToDatetime()
    assert ticket.first_response_due_at.ToDatetime() - created == timedelta(hours=8)
    assert ticket.resolution_due_at.ToDatetime() - created == timedelta(hours=72)
    assert not ticket.HasField("first_response_at") and not ticket.sla_breached

    second = await open_ticket(hub, ava, subject="Gift wrap?")
    listed = await stub(hub).ListTickets(pb.ListTicketsRequest(), metadata=ava)
    assert [x.id for x in listed.tickets] == [second.id, ticket.id]  # newest first
    assert all(not x.messages and x.message_count == 1 for x in listed.tickets)
    first_page = await stub(hub).ListTickets(pb.ListTicketsRequest(page_size=1), metadata=ava)
    rest = await stub(hub).ListTickets(
        pb.ListTicketsRequest(page_size=1, page_token=first_page.next_page_token), metadata=ava
    )
    assert [x.id for x in [*first_page.tickets, *rest.tickets]] == [second.id, ticket.id]

    # Eve sees none of it and cannot touch it; not even whether it exists.
    assert not (await stub(hub).ListTickets(pb.ListTicketsRequest(), metadata=eve)).tickets
    await expect_error(
        stub(hub).GetTicket(pb.GetTicketRequest(ticket_id=ticket.id), metadata=eve), grpc.StatusCode.NOT_FOUND
    )
    await expect_error(
        stub(hub).AddTicketMessage(pb.AddTicketMessageRequest(ticket_id=ticket.id, body="mine now"), metadata=eve),
        grpc.StatusCode.NOT_FOUND,
    )
    for call in (
        stub(hub).ListAllTickets(pb.ListAllTicketsRequest(), metadata=ava),
        stub(hub).GetAnyTicket(pb.GetAnyTicketRequest(ticket_id=ticket.id), metadata=ava),
        stub(hub).UpdateTicket(
            pb.UpdateTicketRequest(ticket_id=ticket.id, status=t.TICKET_STATUS_CLOSED), metadata=ava
        ),
        stub(hub).AddStaffTicketMessage(pb.AddStaffTicketMessageRequest(ticket_id=ticket.id, body="hi"), metadata=ava),
    ):
        await expect_error(call, grpc.StatusCode.PERMISSION_DENIED)
    await expect_error(stub(hub).ListTickets(pb.ListTicketsRequest()), grpc.StatusCode.UNAUTHENTICATED)


async def test_requests_are_validated(hub: Hub) -> None:
    _, ava = customer(hub)
    bad = await expect_error(
        stub(hub).CreateTicket(
            pb.CreateTicketRequest(subject=" ", body="x" * 5001, order_id="nope", category=99), metadata=ava
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) == {"subject", "body", "order_id", "category"}
    bad_id = await expect_error(
        stub(hub).GetTicket(pb.GetTicketRequest(ticket_id="ORD-1"), metadata=ava), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert "ticket_id" in violated_fields(bad_id)
    await expect_error(
        stub(hub).GetTicket(pb.GetTicketRequest(ticket_id="TKT-0000000000000000"), metadata=ava),
        grpc.StatusCode.NOT_FOUND,
    )
    ticket = await open_ticket(hub, ava)
    sam = staff(hub)
    filters = await expect_error(
        stub(hub).ListAllTickets(
            pb.ListAllTicketsRequest(assignee_id="sam", unassigned=True, status=42, page_size=500), metadata=sam
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(filters)) == {"unassigned", "status", "page_size"}
    empty = await expect_error(
        stub(hub).UpdateTicket(pb.UpdateTicketRequest(ticket_id=ticket.id), metadata=sam),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "status" in violated_fields(empty)
    unspecified = await expect_error(
        stub(hub).UpdateTicket(
            pb.UpdateTicketRequest(
                ticket_id=ticket.id,
                status=t.TICKET_STATUS_UNSPECIFIED,
                priority=t.TICKET_PRIORITY_UNSPECIFIED,
                assignee_id="a/b",
            ),
            metadata=sam,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(unspecified)) == {"status", "priority", "assignee_id"}


async def test_a_ticket_about_an_order_must_be_about_one_of_the_callers_orders(hub: Hub) -> None:
    ava_id, ava = customer(hub)
    _, eve = customer(hub)
    order_id = await place_order(hub, ava_id)
    ticket = await open_ticket(hub, ava, order_id=order_id, category=t.TICKET_CATEGORY_ORDER)
    assert ticket.order_id == order_id

    for auth, unknown in ((eve, order_id), (ava, "ORD-0000000000000000")):
        refused = await expect_error(
            stub(hub).CreateTicket(
                pb.CreateTicketRequest(subject="About this order", body="?", order_id=unknown), metadata=auth
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        assert violated_fields(refused) == {"order_id": "is not one of your orders"}
    assert not (await stub(hub).ListTickets(pb.ListTicketsRequest(), metadata=eve)).tickets


async def test_creates_and_replies_are_idempotent_per_key(hub: Hub) -> None:
    _, ava = customer(hub)
    first = await open_ticket(hub, ava, request_id="open-1")
    again = await open_ticket(hub, ava, request_id="open-1")
    assert again.id == first.id
    reused = await expect_error(
        open_ticket(hub, ava, subject="Another thing", request_id="open-1"), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert reason(reused) == "IDEMPOTENCY_KEY_REUSED"
    assert len((await stub(hub).ListTickets(pb.ListTicketsRequest(), metadata=ava)).tickets) == 1

    reply = pb.AddTicketMessageRequest(ticket_id=first.id, body="Any news?", request_id="reply-1")
    await stub(hub).AddTicketMessage(reply, metadata=ava)
    await stub(hub).AddTicketMessage(reply, metadata=ava)
    note = pb.AddStaffTicketMessageRequest(ticket_id=first.id, body="checking", internal=True, request_id="n-1")
    await stub(hub).AddStaffTicketMessage(note, metadata=staff(hub))
    replayed = await stub(hub).AddStaffTicketMessage(note, metadata=staff(hub))
    assert [m.body for m in replayed.messages] == ["It has not arrived yet.", "Any news?", "checking"]


# --- staff -----------------------------------------------------------------------------------


async def test_staff_work_a_ticket_through_its_lifecycle(hub: Hub) -> None:
    events = published(hub, "ticket-events")
    ava_id, ava = customer(hub)
    sam = staff(hub)
    ticket = await open_ticket(hub, ava)

    # An internal note: staff see it, the customer never does, and it is no first response.
    noted = await stub(hub).AddStaffTicketMessage(
        pb.AddStaffTicketMessageRequest(ticket_id=ticket.id, body="Carrier says lost.", internal=True), metadata=sam
    )
    assert noted.status == t.TICKET_STATUS_OPEN and noted.message_count == 2 and noted.messages[1].internal
    assert not noted.HasField("first_response_at")
    seen = await stub(hub).GetTicket(pb.GetTicketRequest(ticket_id=ticket.id), metadata=ava)
    assert [m.body for m in seen.messages] == ["It has not arrived yet."] and seen.message_count == 1
    staff_read = await stub(hub).GetTicket(pb.GetTicketRequest(ticket_id=ticket.id), metadata=sam)
    assert staff_read.message_count == 2

    # The first public reply picks the ticket up and is the first response; with a status it also
    # waits for the customer.
    replied = await stub(hub).AddStaffTicketMessage(
        pb.AddStaffTicketMessageRequest(
            ticket_id=ticket.id, body="Sorry! Can you confirm the address?", status=t.TICKET_STATUS_PENDING_CUSTOMER
        ),
        metadata=sam,
    )
    assert replied.status == t.TICKET_STATUS_PENDING_CUSTOMER and replied.HasField("first_response_at")
    assert replied.messages[2].author_role == access_pb2.ROLE_STAFF and replied.messages[2].author_id == "staff-sam"
    seen = await stub(hub).GetTicket(pb.GetTicketRequest(ticket_id=ticket.id), metadata=ava)
    assert [m.body for m in seen.messages] == ["It has not arrived yet.", "Sorry! Can you confirm the address?"]
    assert all(not m.internal for m in seen.messages)

    # The customer's answer brings it back to in_progress.
    answered = await stub(hub).AddTicketMessage(
        pb.AddTicketMessageRequest(ticket_id=ticket.id, body="Yes, 1450 Market St."), metadata=ava
    )
    assert answered.status == t.TICKET_STATUS_IN_PROGRESS and answered.message_count == 3

    update = stub(hub).UpdateTicket
    escalated = await update(
        pb.UpdateTicketRequest(ticket_id=ticket.id, status=t.TICKET_STATUS_ESCALATED), metadata=sam
    )
    again = await update(pb.UpdateTicketRequest(ticket_id=ticket.id, status=t.TICKET_STATUS_ESCALATED), metadata=sam)
    assert again.etag == escalated.etag  # same state: nothing written
    resolved = await update(pb.UpdateTicketRequest(ticket_id=ticket.id, status=t.TICKET_STATUS_RESOLVED), metadata=sam)
    assert resolved.HasField("resolved_at")

    # Resolved reopens on a customer reply (resolved_at cleared), and resolves again.
    reopened = await stub(hub).AddTicketMessage(
        pb.AddTicketMessageRequest(ticket_id=ticket.id, body="Still nothing."), metadata=ava
    )
    assert reopened.status == t.TICKET_STATUS_IN_PROGRESS and not reopened.HasField("resolved_at")
    illegal = await expect_error(
        update(pb.UpdateTicketRequest(ticket_id=ticket.id, status=t.TICKET_STATUS_CLOSED), metadata=sam),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(illegal) == "ILLEGAL_TRANSITION"
    await update(pb.UpdateTicketRequest(ticket_id=ticket.id, status=t.TICKET_STATUS_RESOLVED), metadata=sam)
    stale = await expect_error(
        update(
            pb.UpdateTicketRequest(ticket_id=ticket.id, status=t.TICKET_STATUS_CLOSED, etag=resolved.etag), metadata=sam
        ),
        grpc.StatusCode.ABORTED,
    )
    assert "etag" in stale.details()
    closed = await update(pb.UpdateTicketRequest(ticket_id=ticket.id, status=t.TICKET_STATUS_CLOSED), metadata=sam)
    assert closed.status == t.TICKET_STATUS_CLOSED and closed.HasField("closed_at") and closed.HasField("resolved_at")

    # Closed is final: no replies, no notes, no triage, no reopening.
    for call in (
        stub(hub).AddTicketMessage(pb.AddTicketMessageRequest(ticket_id=ticket.id, body="hello?"), metadata=ava),
        stub(hub).AddStaffTicketMessage(
            pb.AddStaffTicketMessageRequest(ticket_id=ticket.id, body="x", internal=True), metadata=sam
        ),
        update(pb.UpdateTicketRequest(ticket_id=ticket.id, status=t.TICKET_STATUS_IN_PROGRESS), metadata=sam),
        update(pb.UpdateTicketRequest(ticket_id=ticket.id, priority=t.TICKET_PRIORITY_HIGH), metadata=sam),
    ):
        refused = await expect_error(call, grpc.StatusCode.FAILED_PRECONDITION)
        assert reason(refused) == "ILLEGAL_TRANSITION"

    def kinds() -> list[str]:
        return [e.WhichOneof("payload") or "" for e in events if e.subject == f"tickets/{ticket.id}"]

    expected = [
        "ticket_created",
        "ticket_message_added",  # the internal note
        "ticket_message_added",  # the first reply...
        "ticket_status_changed",  # ...picks it up: open -> in_progress
        "ticket_status_changed",  # -> pending_customer
        "ticket_message_added",  # the customer's answer...
        "ticket_status_changed",  # ...-> in_progress
        "ticket_status_changed",  # -> escalated
        "ticket_status_changed",  # -> resolved
        "ticket_message_added",  # the customer's reply...
        "ticket_status_changed",  # ...reopens it
        "ticket_status_changed",  # -> resolved
        "ticket_status_changed",  # -> closed
    ]
    await eventually(lambda: len(kinds()) >= len(expected))
    assert kinds() == expected
    statuses = [
        (e.ticket_status_changed.previous_status, e.ticket_status_changed.new_status)
        for e in events
        if e.HasField("ticket_status_changed") and e.subject == f"tickets/{ticket.id}"
    ]
    assert statuses[0] == (ev.TICKET_STATUS_OPEN, ev.TICKET_STATUS_IN_PROGRESS)
    assert statuses[-1] == (ev.TICKET_STATUS_RESOLVED, ev.TICKET_STATUS_CLOSED)
    first = next(
        e.ticket_message_added
        for e in events
        if e.HasField("ticket_message_added") and e.ticket_message_added.first_response
    )
    assert first.by_staff and not first.internal and first.user_id == ava_id
    assert all(
        e.partition_key == ticket.id and e.source == "tickets" for e in events if e.subject == f"tickets/{ticket.id}"
    )


async def test_staff_triage_assign_filter_and_page_the_queue(hub: Hub) -> None:
    events = published(hub, "ticket-events")
    ava_id, ava = customer(hub)
    bob_id, bob = customer(hub)
    sam = staff(hub)
    oldest = await open_ticket(hub, ava, subject="Oldest")
    urgent = await open_ticket(hub, bob, subject="Charged twice")
    newest = await open_ticket(hub, ava, subject="Newest")

    triaged = await stub(hub).UpdateTicket(
        pb.UpdateTicketRequest(
            ticket_id=urgent.id,
            priority=t.TICKET_PRIORITY_URGENT,
            category=t.TICKET_CATEGORY_PAYMENT,
            assignee_id="staff-kim",
        ),
        metadata=sam,
    )
    assert (triaged.priority, triaged.category, triaged.assignee_id) == (
        t.TICKET_PRIORITY_URGENT,
        t.TICKET_CATEGORY_PAYMENT,
        "staff-kim",
    )
    created = triaged.created_at.ToDatetime()
    assert triaged.first_response_due_at.ToDatetime() - created == timedelta(hours=1)
    assert triaged.resolution_due_at.ToDatetime() - created == timedelta(hours=8)
    assert triaged.status == t.TICKET_STATUS_OPEN

    queue = await stub(hub).ListAllTickets(pb.ListAllTicketsRequest(page_size=100), metadata=sam)
    ids = [x.id for x in queue.tickets]
    assert ids.index(urgent.id) < ids.index(oldest.id) < ids.index(newest.id)  # most urgent, then oldest
    mine = await stub(hub).ListAllTickets(pb.ListAllTicketsRequest(assignee_id="staff-kim"), metadata=sam)
    assert [x.id for x in mine.tickets] == [urgent.id]
    unassigned = await stub(hub).ListAllTickets(pb.ListAllTicketsRequest(unassigned=True), metadata=sam)
    assert urgent.id not in {x.id for x in unassigned.tickets} and oldest.id in {x.id for x in unassigned.tickets}
    by_priority = await stub(hub).ListAllTickets(
        pb.ListAllTicketsRequest(priority=t.TICKET_PRIORITY_URGENT), metadata=sam
    )
    assert [x.id for x in by_priority.tickets] == [urgent.id]
    by_category = await stub(hub).ListAllTickets(
        pb.ListAllTicketsRequest(category=t.TICKET_CATEGORY_PAYMENT), metadata=sam
    )
    assert [x.id for x in by_category.tickets] == [urgent.id]
    by_user = await stub(hub).ListAllTickets(pb.ListAllTicketsRequest(user_id=ava_id), metadata=sam)
    assert [x.id for x in by_user.tickets] == [oldest.id, newest.id]
    await stub(hub).UpdateTicket(
        pb.UpdateTicketRequest(ticket_id=oldest.id, status=t.TICKET_STATUS_IN_PROGRESS), metadata=sam
    )
    in_progress = await stub(hub).ListAllTickets(
        pb.ListAllTicketsRequest(status=t.TICKET_STATUS_IN_PROGRESS), metadata=sam
    )
    assert [x.id for x in in_progress.tickets] == [oldest.id]

    paged: list[str] = []
    token = ""
    while True:
        page = await stub(hub).ListAllTickets(pb.ListAllTicketsRequest(page_size=1, page_token=token), metadata=sam)
        paged += [x.id for x in page.tickets]
        token = page.next_page_token
        if not token:
            break
    assert paged == ids

    unassign = await stub(hub).UpdateTicket(pb.UpdateTicketRequest(ticket_id=urgent.id, assignee_id=""), metadata=sam)
    assert unassign.assignee_id == ""
    any_ticket = await stub(hub).GetAnyTicket(pb.GetAnyTicketRequest(ticket_id=urgent.id), metadata=sam)
    assert any_ticket.user_id == bob_id and any_ticket.priority == t.TICKET_PRIORITY_URGENT

    def of(kind: str) -> list[EventEnvelope]:
        return [e for e in events if e.HasField(kind) and e.subject == f"tickets/{urgent.id}"]

    await eventually(lambda: len(of("ticket_assigned")) == 2)
    assert [e.ticket_assigned.assignee_id for e in of("ticket_assigned")] == ["staff-kim", ""]
    (triage,) = of("ticket_triaged")
    assert triage.ticket_triaged.previous_priority == ev.TICKET_PRIORITY_NORMAL
    assert triage.ticket_triaged.priority == ev.TICKET_PRIORITY_URGENT and triage.ticket_triaged.actor_id == "staff-sam"
