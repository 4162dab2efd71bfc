"""Ticket documents and what they become on the wire and on the bus.

Owns the stored shape of a ticket (container `tickets`, partition key /user_id, `kind == "ticket"`,
statuses, priorities and categories as lower-case names, see `rules`), with its conversation
embedded (`messages`, oldest first); the `Ticket` message as a customer or as staff sees it (a
customer never receives internal notes, nor counts or times derived from them); and the ticket
events (TicketCreated, TicketStatusChanged, TicketMessageAdded, TicketAssigned, TicketTriaged),
topic partition key = ticket id.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from google.protobuf.message import Message

from holidaypeak.commerce.v1 import ticket_pb2
from holidaypeak.events.v1 import ticket_events_pb2 as events_pb
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime import clock as clocks
from hph.runtime.auth.principal import role_from_name
from hph.runtime.clock import Clock
from hph.runtime.events import resource_event
from hph.runtime.storage import Document
from hph.services.tickets import rules
from hph.services.tickets.rules import Category, Priority, Status

KIND = "ticket"
SOURCE = "tickets"
COLLECTION = "tickets"

STATUS_TO_PB: Mapping[Status, int] = {s: ticket_pb2.TicketStatus.Value(f"TICKET_STATUS_{s.name}") for s in Status}
STATUS_FROM_PB: Mapping[int, Status] = {v: k for k, v in STATUS_TO_PB.items()}
PRIORITY_TO_PB: Mapping[Priority, int] = {
    p: ticket_pb2.TicketPriority.Value(f"TICKET_PRIORITY_{p.name}") for p in Priority
}
PRIORITY_FROM_PB: Mapping[int, Priority] = {v: k for k, v in PRIORITY_TO_PB.items()}
CATEGORY_TO_PB: Mapping[Category, int] = {
    c: ticket_pb2.TicketCategory.Value(f"TICKET_CATEGORY_{c.name}") for c in Category
}
CATEGORY_FROM_PB: Mapping[int, Category] = {v: k for k, v in CATEGORY_TO_PB.items()}
_EVENT_STATUS: Mapping[Status, int] = {s: events_pb.TicketStatus.Value(f"TICKET_STATUS_{s.name}") for s in Status}
_EVENT_PRIORITY: Mapping[Priority, int] = {
    p: events_pb.TicketPriority.Value(f"TICKET_PRIORITY_{p.name}") for p in Priority
}
_EVENT_CATEGORY: Mapping[Category, int] = {
    c: events_pb.TicketCategory.Value(f"TICKET_CATEGORY_{c.name}") for c in Category
}


def category_of(doc: Document) -> Category | None:
    return Category(doc["category"]) if doc.get("category") else None


def _moment(doc: Document, field: str) -> datetime | None:
    value = doc.get(field)
    return clocks.from_iso(value) if value else None


def paused(doc: Document) -> timedelta:
    return timedelta(microseconds=int(doc.get("paused_us", 0)))


def set_due_times(doc: Document) -> None:
    """(Re)computes the SLA due times from created_at, the priority and the paused time."""
    first, resolution = rules.due_times(clocks.from_iso(doc["created_at"]), Priority(doc["priority"]), paused(doc))
    doc["first_response_due_at"] = clocks.to_iso(first)
    doc["resolution_due_at"] = clocks.to_iso(resolution)


def new_ticket_document(
    *,
    ticket_id: str,
    user_id: str,
    subject: str,
    body: str,
    order_id: str,
    category: Category | None,
    request_id: str,
    now: str,
) -> Document:
    """An open ticket of normal priority whose first message is the customer's description."""
    priority = rules.DEFAULT_PRIORITY
    doc: Document = {
        "id": ticket_id,
        "kind": KIND,
        "user_id": user_id,
        "subject": subject,
        "category": category.value if category else "",
        "order_id": order_id,
        "status": Status.OPEN.value,
        "priority": priority.value,
        "priority_rank": rules.PRIORITY_RANK[priority],
        "assignee_id": "",
        "messages": [],
        "message_seq": 0,
        "conversation_bytes": 0,
        "paused_us": 0,
        "created_at": now,
        "updated_at": now,
        "request_id": request_id,
    }
    set_due_times(doc)
    append_message(doc, author_id=user_id, author_role="customer", body=body, internal=False, now=now)
    return doc


def append_message(doc: Document, *, author_id: str, author_role: str, body: str, internal: bool, now: str) -> str:
    """Adds a message to the conversation; returns its id."""
    sequence = int(doc.get("message_seq", 0)) + 1
    message = {
        "id": rules.message_id(sequence),
        "author_id": author_id,
        "author_role": author_role,
        "body": body,
        "internal": internal,
        "created_at": now,
    }
    doc["messages"] = [*doc.get("messages", []), message]
    doc["message_seq"] = sequence
    doc["conversation_bytes"] = int(doc.get("conversation_bytes", 0)) + len(body.encode())
    doc["updated_at"] = now
    return str(message["id"])


def sla_clock(doc: Document) -> rules.SlaClock:
    return rules.SlaClock(
        first_response_due_at=clocks.from_iso(doc["first_response_due_at"]),
        resolution_due_at=clocks.from_iso(doc["resolution_due_at"]),
        first_response_at=_moment(doc, "first_response_at"),
        resolved_at=_moment(doc, "resolved_at"),
        closed_at=_moment(doc, "closed_at"),
        pending_since=_moment(doc, "pending_since"),
    )


# Stored author roles (lower-case role names) -> the Role the wire carries.
_AUTHOR_ROLES: Mapping[str, int] = {
    name: role for name in ("customer", "staff", "admin") if (role := role_from_name(name))
}


def ticket_message(
    doc: Document, *, staff_view: bool, now: datetime, with_messages: bool = True, with_etag: bool = True
) -> ticket_pb2.Ticket:
    """The ticket as the viewer sees it: staff everything; the customer no internal notes (neither
    in the conversation nor in message_count / last_message_at)."""
    visible = [m for m in doc.get("messages", []) if staff_view or not m.get("internal")]
    category = category_of(doc)
    return ticket_pb2.Ticket(
        id=doc["id"],
        user_id=doc["user_id"],
        subject=doc["subject"],
        category=CATEGORY_TO_PB[category] if category else ticket_pb2.TICKET_CATEGORY_UNSPECIFIED,  # type: ignore[arg-type]
        order_id=doc.get("order_id", ""),
        status=STATUS_TO_PB[Status(doc["status"])],  # type: ignore[arg-type]
        priority=PRIORITY_TO_PB[Priority(doc["priority"])],  # type: ignore[arg-type]
        assignee_id=doc.get("assignee_id", ""),
        messages=[
            ticket_pb2.TicketMessage(
                id=m["id"],
                author_id=m["author_id"],
                author_role=_AUTHOR_ROLES.get(m["author_role"], 0),  # type: ignore[arg-type]
                body=m["body"],
                internal=bool(m.get("internal")),
                created_at=clocks.to_timestamp(m["created_at"]),
            )
            for m in visible
        ]
        if with_messages
        else [],
        message_count=len(visible),
        last_message_at=clocks.to_timestamp(visible[-1]["created_at"] if visible else None),
        created_at=clocks.to_timestamp(doc["created_at"]),
        updated_at=clocks.to_timestamp(doc["updated_at"]),
        first_response_at=clocks.to_timestamp(doc.get("first_response_at")),
        first_response_due_at=clocks.to_timestamp(doc["first_response_due_at"]),
        resolution_due_at=clocks.to_timestamp(doc["resolution_due_at"]),
        resolved_at=clocks.to_timestamp(doc.get("resolved_at")),
        closed_at=clocks.to_timestamp(doc.get("closed_at")),
        sla_breached=rules.sla_breached(sla_clock(doc), now),
        etag=doc.get("_etag", "") if with_etag else "",
    )


# --- events ----------------------------------------------------------------------------------


def _envelope(payload: Message, doc: Document, correlation_id: str, clock: Clock) -> EventEnvelope:
    return resource_event(
        payload,
        source=SOURCE,
        collection=COLLECTION,
        resource_id=doc["id"],
        correlation_id=correlation_id,
        clock=clock,
    )


def _event_category(doc: Document) -> int:
    category = category_of(doc)
    return _EVENT_CATEGORY[category] if category else events_pb.TICKET_CATEGORY_UNSPECIFIED


def created_event(doc: Document, *, correlation_id: str, clock: Clock) -> EventEnvelope:
    created = events_pb.TicketCreated(
        ticket_id=doc["id"],
        user_id=doc["user_id"],
        order_id=doc.get("order_id", ""),
        category=_event_category(doc),  # type: ignore[arg-type]
        priority=_EVENT_PRIORITY[Priority(doc["priority"])],  # type: ignore[arg-type]
        first_response_due_at=clocks.to_timestamp(doc["first_response_due_at"]),
        resolution_due_at=clocks.to_timestamp(doc["resolution_due_at"]),
    )
    return _envelope(created, doc, correlation_id, clock)


def status_changed_event(
    doc: Document,
    previous: Status,
    new: Status,
    *,
    actor_id: str,
    by_staff: bool,
    now: datetime,
    correlation_id: str,
    clock: Clock,
) -> EventEnvelope:
    changed = events_pb.TicketStatusChanged(
        ticket_id=doc["id"],
        user_id=doc["user_id"],
        previous_status=_EVENT_STATUS[previous],  # type: ignore[arg-type]
        new_status=_EVENT_STATUS[new],  # type: ignore[arg-type]
        actor_id=actor_id,
        by_staff=by_staff,
        resolved_at=clocks.to_timestamp(doc.get("resolved_at") if new == Status.RESOLVED else None),
        sla_breached=rules.sla_breached(sla_clock(doc), now),
    )
    return _envelope(changed, doc, correlation_id, clock)


def message_added_event(
    doc: Document,
    message_id: str,
    *,
    author_id: str,
    by_staff: bool,
    internal: bool,
    first_response: bool,
    correlation_id: str,
    clock: Clock,
) -> EventEnvelope:
    added = events_pb.TicketMessageAdded(
        ticket_id=doc["id"],
        user_id=doc["user_id"],
        message_id=message_id,
        author_id=author_id,
        by_staff=by_staff,
        internal=internal,
        first_response=first_response,
    )
    return _envelope(added, doc, correlation_id, clock)


def assigned_event(
    doc: Document, previous_assignee_id: str, *, actor_id: str, correlation_id: str, clock: Clock
) -> EventEnvelope:
    assigned = events_pb.TicketAssigned(
        ticket_id=doc["id"],
        user_id=doc["user_id"],
        previous_assignee_id=previous_assignee_id,
        assignee_id=doc.get("assignee_id", ""),
        actor_id=actor_id,
    )
    return _envelope(assigned, doc, correlation_id, clock)


def triaged_event(
    doc: Document,
    previous_priority: Priority,
    previous_category: Category | None,
    *,
    actor_id: str,
    correlation_id: str,
    clock: Clock,
) -> EventEnvelope:
    triaged = events_pb.TicketTriaged(
        ticket_id=doc["id"],
        user_id=doc["user_id"],
        previous_priority=_EVENT_PRIORITY[previous_priority],  # type: ignore[arg-type]
        priority=_EVENT_PRIORITY[Priority(doc["priority"])],  # type: ignore[arg-type]
        previous_category=(
            _EVENT_CATEGORY[previous_category] if previous_category else events_pb.TICKET_CATEGORY_UNSPECIFIED  # type: ignore[arg-type]
        ),
        category=_event_category(doc),  # type: ignore[arg-type]
        first_response_due_at=clocks.to_timestamp(doc["first_response_due_at"]),
        resolution_due_at=clocks.to_timestamp(doc["resolution_due_at"]),
        actor_id=actor_id,
    )
    return _envelope(triaged, doc, correlation_id, clock)
