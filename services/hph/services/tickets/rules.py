"""Support ticket rules, free of I/O: the lifecycle as data, who drives which edge, the SLA clock,
ids and limits.

Lifecycle: open -> in_progress / pending_customer / escalated -> resolved -> closed. The whole
table (`TRANSITIONS`, edge -> the actors that may take it):

    from \\ to        in_progress        pending_customer  escalated  resolved  closed
    open              staff, staff reply  staff             staff      -         -
    in_progress       .                   staff             staff      staff     -
    pending_customer  staff, cust. reply  .                 staff      staff     -
    escalated         staff               staff             .          staff     -
    resolved          staff, cust. reply  -                 -          .         staff
    closed            -                   -                 -          -         .   (terminal)

Actors:
- staff: UpdateTicket, or the `status` of a staff reply (AddStaffTicketMessage);
- staff reply: a public staff reply picks an open ticket up (open -> in_progress) by itself;
- customer reply: the owner's reply (AddTicketMessage) on a ticket waiting for them or resolved
  reopens it (-> in_progress); on open, in_progress or escalated it leaves the status alone.

Nothing goes back to open (it means "nobody has looked yet"), a ticket is resolved only once someone
worked on it, and it is closed only once resolved. Moving to the status a ticket already has is "no
change" (retries are harmless). Every other edge is refused with FAILED_PRECONDITION, reason
ILLEGAL_TRANSITION; a closed ticket takes no more messages (same reason).

SLA (wall-clock, per priority, `SLA_TARGETS`): the first public staff reply is due
`first_response` after creation; resolution is due `resolution` after creation plus the time the
ticket spent in pending_customer (the clock pauses while waiting for the customer). A priority
change recomputes both from created_at. `first_response_at` is the first public staff reply
(internal notes do not count); `resolved_at` is when the ticket last entered resolved (cleared when
it reopens, kept when it closes). A ticket is in breach when a due time passed before it was met.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce.lifecycle import illegal_transition
from hph.runtime import validation
from hph.runtime.errors import FailedPrecondition, Violations
from hph.runtime.storage import is_valid_id


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    PENDING_CUSTOMER = "pending_customer"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Category(StrEnum):
    ORDER = "order"
    SHIPPING = "shipping"
    RETURN = "return"
    PAYMENT = "payment"
    PRODUCT = "product"
    ACCOUNT = "account"
    OTHER = "other"


class Actor(StrEnum):
    """What drives a status change."""

    STAFF = "staff"
    STAFF_REPLY = "staff_reply"
    CUSTOMER_REPLY = "customer_reply"


_S, _A = Status, Actor
TRANSITIONS: Mapping[tuple[Status, Status], frozenset[Actor]] = {
    (_S.OPEN, _S.IN_PROGRESS): frozenset({_A.STAFF, _A.STAFF_REPLY}),
    (_S.OPEN, _S.PENDING_CUSTOMER): frozenset({_A.STAFF}),
    (_S.OPEN, _S.ESCALATED): frozenset({_A.STAFF}),
    (_S.IN_PROGRESS, _S.PENDING_CUSTOMER): frozenset({_A.STAFF}),
    (_S.IN_PROGRESS, _S.ESCALATED): frozenset({_A.STAFF}),
    (_S.IN_PROGRESS, _S.RESOLVED): frozenset({_A.STAFF}),
    (_S.PENDING_CUSTOMER, _S.IN_PROGRESS): frozenset({_A.STAFF, _A.CUSTOMER_REPLY}),
    (_S.PENDING_CUSTOMER, _S.ESCALATED): frozenset({_A.STAFF}),
    (_S.PENDING_CUSTOMER, _S.RESOLVED): frozenset({_A.STAFF}),
    (_S.ESCALATED, _S.IN_PROGRESS): frozenset({_A.STAFF}),
    (_S.ESCALATED, _S.PENDING_CUSTOMER): frozenset({_A.STAFF}),
    (_S.ESCALATED, _S.RESOLVED): frozenset({_A.STAFF}),
    (_S.RESOLVED, _S.IN_PROGRESS): frozenset({_A.STAFF, _A.CUSTOMER_REPLY}),
    (_S.RESOLVED, _S.CLOSED): frozenset({_A.STAFF}),
}
# Where a reply takes a ticket by itself (statuses not listed stay as they are).
REPLY_MOVES: Mapping[tuple[Actor, Status], Status] = {
    (_A.STAFF_REPLY, _S.OPEN): _S.IN_PROGRESS,
    (_A.CUSTOMER_REPLY, _S.PENDING_CUSTOMER): _S.IN_PROGRESS,
    (_A.CUSTOMER_REPLY, _S.RESOLVED): _S.IN_PROGRESS,
}
TERMINAL = frozenset({_S.CLOSED})
ILLEGAL_TRANSITION = ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION
TICKET_FULL = ErrorReason.ERROR_REASON_TICKET_FULL


@dataclass(frozen=True)
class SlaTarget:
    """How long after creation the first public reply and the resolution are due."""

    first_response: timedelta
    resolution: timedelta


SLA_TARGETS: Mapping[Priority, SlaTarget] = {
    Priority.URGENT: SlaTarget(timedelta(hours=1), timedelta(hours=8)),
    Priority.HIGH: SlaTarget(timedelta(hours=4), timedelta(hours=24)),
    Priority.NORMAL: SlaTarget(timedelta(hours=8), timedelta(hours=72)),
    Priority.LOW: SlaTarget(timedelta(hours=24), timedelta(hours=120)),
}
# Queue order: most urgent first.
PRIORITY_RANK: Mapping[Priority, int] = {Priority.LOW: 1, Priority.NORMAL: 2, Priority.HIGH: 3, Priority.URGENT: 4}
DEFAULT_PRIORITY = Priority.NORMAL

TICKET_ID = re.compile(r"TKT-[0-9A-F]{16}")
TICKET_PREFIX = "TKT-"
SUBJECT_MAX = 200
BODY_MAX = 5000
USER_ID_MAX = 128
# A conversation stays well inside one document (Cosmos DB allows 2 MB; its stored idempotent
# response, base64, too): past either limit the customer is asked to open a new ticket.
MAX_MESSAGES = 100
MAX_CONVERSATION_BYTES = 1_000_000


def new_ticket_id() -> str:
    return f"{TICKET_PREFIX}{uuid.uuid4().hex[:16].upper()}"


def message_id(sequence: int) -> str:
    """Id of the `sequence`-th message of a ticket (1-based), unique within it."""
    return f"msg-{sequence:04d}"


# --- lifecycle ----------------------------------------------------------------------------------


def _refusal(message: str, current: Status, target: Status | None, ticket_id: str) -> FailedPrecondition:
    return illegal_transition(message, kind="ticket", resource_id=ticket_id, current=current, target=target)


def allowed_targets(current: Status, actor: Actor) -> frozenset[Status]:
    return frozenset(t for (c, t), actors in TRANSITIONS.items() if c == current and actor in actors)


def check_transition(current: Status, target: Status, actor: Actor, *, ticket_id: str = "") -> None:
    """Passes when `actor` may move a ticket from `current` to `target` (callers handle the
    no-change case first); FAILED_PRECONDITION (ILLEGAL_TRANSITION) otherwise."""
    if actor in TRANSITIONS.get((current, target), frozenset()):
        return
    if current in TERMINAL:
        why = f"a {current.value} ticket does not change any more; open a new ticket"
    else:
        allowed = sorted(t.value for t in allowed_targets(current, actor))
        why = f"from {current.value} it can go to {', '.join(allowed)}" if allowed else "no move is allowed"
    raise _refusal(f"a ticket cannot go from {current.value} to {target.value}: {why}", current, target, ticket_id)


def require_changeable(current: Status, *, ticket_id: str = "") -> None:
    """A closed ticket takes no more messages, assignments or triage (ILLEGAL_TRANSITION)."""
    if current in TERMINAL:
        raise _refusal(
            f"ticket is {current.value} and does not change any more; open a new ticket", current, None, ticket_id
        )


def status_after_reply(current: Status, actor: Actor, *, ticket_id: str = "") -> Status:
    """Where a message by `actor` takes the ticket: STAFF_REPLY (a public staff reply) and
    CUSTOMER_REPLY per REPLY_MOVES, STAFF (an internal note) never moves it; a closed ticket
    refuses every message (ILLEGAL_TRANSITION)."""
    require_changeable(current, ticket_id=ticket_id)
    return REPLY_MOVES.get((actor, current), current)


# --- SLA ----------------------------------------------------------------------------------------


def due_times(created_at: datetime, priority: Priority, paused: timedelta) -> tuple[datetime, datetime]:
    """(first response due, resolution due) for a ticket of `priority` created at `created_at` that
    spent `paused` waiting for the customer."""
    target = SLA_TARGETS[priority]
    return created_at + target.first_response, created_at + target.resolution + paused


def paused_after_leaving(paused: timedelta, pending_since: datetime, now: datetime) -> timedelta:
    """Paused time once the ticket leaves pending_customer (entered at `pending_since`) at `now`."""
    return paused + max(now - pending_since, timedelta(0))


@dataclass(frozen=True)
class SlaClock:
    """What the SLA verdict is computed from (None: not happened)."""

    first_response_due_at: datetime
    resolution_due_at: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    pending_since: datetime | None = None


def sla_breached(sla: SlaClock, now: datetime) -> bool:
    """True when the first response or the resolution came (or is still missing) after its due time.
    A ticket waiting for the customer is not late for resolution while it waits."""
    answered = sla.first_response_at or sla.resolved_at or sla.closed_at or now
    if answered > sla.first_response_due_at:
        return True
    if sla.resolved_at is not None:
        return sla.resolved_at > sla.resolution_due_at
    if sla.closed_at is not None:
        return sla.closed_at > sla.resolution_due_at
    due = sla.resolution_due_at
    if sla.pending_since is not None:
        due += max(now - sla.pending_since, timedelta(0))
    return now > due


# --- request fields -----------------------------------------------------------------------------


def check_ticket_id(violations: Violations, ticket_id: str, field: str = "ticket_id") -> None:
    if violations.check(bool(ticket_id), field, "is required"):
        violations.check(bool(TICKET_ID.fullmatch(ticket_id)), field, "must be TKT- followed by 16 hex digits")


def check_subject(violations: Violations, subject: str) -> None:
    validation.text(violations, "subject", subject, required=True, max_length=SUBJECT_MAX)


def check_body(violations: Violations, body: str) -> None:
    validation.text(violations, "body", body, required=True, max_length=BODY_MAX)


def check_user_id(violations: Violations, field: str, value: str) -> None:
    """A user id given as a filter or an assignee: empty passes (callers decide what it means)."""
    if value:
        violations.check(
            len(value) <= USER_ID_MAX and is_valid_id(value) and value == value.strip(),
            field,
            f"must be a user id of at most {USER_ID_MAX} characters without / \\ ? # or surrounding spaces",
        )


def check_room(message_count: int, conversation_bytes: int, body: str, *, ticket_id: str = "") -> None:
    """Refuses a message that would take the conversation past its limits (TICKET_FULL)."""
    if message_count + 1 > MAX_MESSAGES or conversation_bytes + len(body.encode()) > MAX_CONVERSATION_BYTES:
        raise FailedPrecondition(
            f"this ticket's conversation is full ({MAX_MESSAGES} messages or {MAX_CONVERSATION_BYTES} bytes at "
            "most); open a new ticket",
            reason=TICKET_FULL,
            subject=f"tickets/{ticket_id}" if ticket_id else "ticket",
        )
