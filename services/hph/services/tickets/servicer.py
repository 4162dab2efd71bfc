"""SupportTicketService over gRPC: customers raise and follow their own tickets, staff work the queue.

Storage: container `tickets`, partition key /user_id. A customer's tickets (conversation embedded,
see `messages`), the tickets' outbox events and the idempotency records of every change to them
share the customer's partition, so each change commits its state, its events and its stored
response in ONE batch. Customers read their own partition (someone else's ticket id is simply
NOT_FOUND, as is a ticket id that does not exist); staff find a ticket through `ticket_index`
(pk /id: ticket id -> user id), written just before the ticket, so every lookup is two point reads.
The staff queue is a cross-partition query ordered by priority (most urgent first), then age.

Changes are read-decide-write with the etag read (re-decided when another writer got in between,
ABORTED when the caller pinned an etag that is stale). The lifecycle, the SLA clock and the limits
are in `rules`; a CreateTicket with an order id asks the orders service, as the caller, whether the
order is theirs (`orders_client`).

Idempotency: every mutating RPC takes an optional key (`request_id` or the `idempotency-key`
header), scoped to the RPC, the ticket and the caller; the first response is stored with the change
and replayed (without an etag) to a retry; the same key for another request is
IDEMPOTENCY_KEY_REUSED. Without a key, setting what is already set is a no-op; a message is added
once per call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from google.protobuf.message import Message

from holidaypeak.commerce.v1 import support_ticket_service_pb2 as pb
from holidaypeak.commerce.v1 import support_ticket_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import ticket_pb2
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.commerce import identifiers
from hph.runtime import clock as clocks
from hph.runtime import idempotency, validation
from hph.runtime.auth.principal import ROLE_STAFF, role_name
from hph.runtime.commit import Done, Write, commit
from hph.runtime.deps import Dependencies
from hph.runtime.errors import Aborted, NotFound, Violations
from hph.runtime.idempotency import Claim, IdempotencyRecords, Replay
from hph.runtime.rpc.call_context import (
    current_principal,
    current_request_id,
    idempotency_key,
    require_owner,
    require_user_id,
)
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import (
    And,
    Container,
    ContainerSpec,
    CreateOp,
    Document,
    Eq,
    NotFoundError,
    OrderBy,
    Query,
    ReplaceOp,
    Term,
)
from hph.services.tickets import messages, rules
from hph.services.tickets.messages import CATEGORY_FROM_PB, PRIORITY_FROM_PB, STATUS_FROM_PB
from hph.services.tickets.orders_client import CustomerOrders
from hph.services.tickets.rules import Actor, Category, Priority, Status

TICKETS, TICKET_INDEX = "tickets", "ticket_index"
# What this service keeps (the host creates these and registers the tickets' outbox with the relay);
# the index maps ticket id -> owner, so staff find a ticket with point reads.
CONTAINERS = (ContainerSpec(TICKETS, "/user_id", outbox=True), ContainerSpec(TICKET_INDEX, "/id"))
NEWEST_FIRST = (OrderBy("created_at", descending=True),)
QUEUE_ORDER = (OrderBy("priority_rank", descending=True), OrderBy("created_at"))
IDEMPOTENCY_SCOPE = "tickets"
ETAG_MAX = 256


@dataclass(frozen=True)
class Change:
    """What a decision writes: the new ticket document and the events it emits."""

    doc: Document
    events: Sequence[EventEnvelope] = ()


Decide = Callable[[Document, datetime], Change | None]
Run = Callable[[Claim | None], Awaitable[ticket_pb2.Ticket]]


def _is_staff() -> bool:
    return current_principal().has_role(ROLE_STAFF)


def _enum_filter(violations: Violations, field: str, value: int, known: Any) -> Any:
    """The stored value an enum filter selects; None for "no filter" (UNSPECIFIED)."""
    if value == 0:
        return None
    if value not in known:
        violations.add(field, f"{value} is not a known value")
        return None
    return known[value]


class TicketServicer(pb_grpc.SupportTicketServiceServicer):
    def __init__(
        self,
        deps: Dependencies,
        tickets: Container,
        index: Container,
        records: IdempotencyRecords,
        orders: CustomerOrders,
    ) -> None:
        self._deps = deps
        self._tickets = tickets
        self._index = index
        self._records = records
        self._orders = orders

    # --- customers ------------------------------------------------------------------------

    async def CreateTicket(self, request: pb.CreateTicketRequest, context: Any) -> ticket_pb2.Ticket:
        violations = Violations()
        rules.check_subject(violations, request.subject)
        rules.check_body(violations, request.body)
        if request.order_id:
            identifiers.check_order_id(violations, request.order_id)
        category = _enum_filter(violations, "category", request.category, CATEGORY_FROM_PB)
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key)
        violations.raise_if_any()
        user_id = require_user_id()

        async def run(claim: Claim | None) -> ticket_pb2.Ticket:
            if request.order_id:
                await self._orders.require_own(request.order_id, user_id)
            return await self._open(request, user_id, category, key, claim)

        return await self._idempotent(user_id, f"create\n{user_id}\n{key}" if key else "", request, run)

    async def _open(
        self, request: pb.CreateTicketRequest, user_id: str, category: Category | None, key: str, claim: Claim | None
    ) -> ticket_pb2.Ticket:
        ticket_id = rules.new_ticket_id()
        now = clocks.to_iso(self._deps.clock())
        doc = messages.new_ticket_document(
            ticket_id=ticket_id,
            user_id=user_id,
            subject=request.subject.strip(),
            body=request.body.strip(),
            order_id=request.order_id,
            category=category,
            request_id=key,
            now=now,
        )
        event = messages.created_event(doc, correlation_id=current_request_id(), clock=self._deps.clock)
        completion = None
        if claim is not None:
            stored = self._view(doc, staff_view=False, with_etag=False)
            completion = self._records.completion(claim, stored.SerializeToString(deterministic=True))
        write = Write(
            [CreateOp(doc)],
            lambda written: self._view(written[0] or doc, staff_view=False),
            events=[event],
            completion=completion,
        )

        async def plan(attempt: int) -> Write[ticket_pb2.Ticket]:
            return write  # a new id: nothing to lose a race to

        # The locator first: a locator whose ticket never committed leads nowhere (NOT_FOUND).
        await self._index.create({"id": ticket_id, "user_id": user_id, "created_at": now})
        busy = f"ticket {ticket_id!r} could not be written; retry"
        return await commit(self._tickets, user_id, plan, busy=busy, notify=self._deps.notify_relay)

    async def ListTickets(self, request: pb.ListTicketsRequest, context: Any) -> pb.ListTicketsResponse:
        violations = Violations()
        status = _enum_filter(violations, "status", request.status, STATUS_FROM_PB)
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        terms: list[Term] = [Eq("kind", messages.KIND)]
        if status is not None:
            terms.append(Eq("status", status.value))
        page = await self._tickets.query(
            Query(where=And(*terms), order_by=NEWEST_FIRST),
            partition_key=require_user_id(),
            max_items=size,
            continuation=token,
        )
        return pb.ListTicketsResponse(
            tickets=[self._view(d, staff_view=False, with_messages=False) for d in page.items],
            next_page_token=page.continuation or "",
        )

    async def GetTicket(self, request: pb.GetTicketRequest, context: Any) -> ticket_pb2.Ticket:
        _check_ticket_id(request.ticket_id)
        staff = _is_staff()
        doc = await (self._find_any(request.ticket_id) if staff else self._find_own(request.ticket_id))
        require_owner(doc["user_id"], resource="ticket", hide_existence=True)
        return self._view(doc, staff_view=staff)

    async def AddTicketMessage(self, request: pb.AddTicketMessageRequest, context: Any) -> ticket_pb2.Ticket:
        violations = Violations()
        rules.check_ticket_id(violations, request.ticket_id)
        rules.check_body(violations, request.body)
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key)
        violations.raise_if_any()
        doc = await self._find_own(request.ticket_id)
        require_owner(doc["user_id"], resource="ticket", hide_existence=True)
        author_id = current_principal().subject
        body = request.body.strip()

        def decide(current: Document, now: datetime) -> Change | None:
            status = Status(current["status"])
            target = rules.status_after_reply(status, Actor.CUSTOMER_REPLY, ticket_id=current["id"])
            rules.check_room(len(current["messages"]), current["conversation_bytes"], body, ticket_id=current["id"])
            iso = clocks.to_iso(now)
            message_id = messages.append_message(
                current, author_id=author_id, author_role="customer", body=body, internal=False, now=iso
            )
            events = [
                messages.message_added_event(
                    current,
                    message_id,
                    author_id=author_id,
                    by_staff=False,
                    internal=False,
                    first_response=False,
                    correlation_id=current_request_id(),
                    clock=self._deps.clock,
                )
            ]
            if target != status:
                events.append(self._move(current, status, target, now, actor_id=author_id, by_staff=False))
            return Change(current, events)

        return await self._change_idempotently(doc, "reply", key, request, decide, staff_view=False)

    # --- staff ----------------------------------------------------------------------------

    async def ListAllTickets(self, request: pb.ListAllTicketsRequest, context: Any) -> pb.ListAllTicketsResponse:
        violations = Violations()
        status = _enum_filter(violations, "status", request.status, STATUS_FROM_PB)
        priority = _enum_filter(violations, "priority", request.priority, PRIORITY_FROM_PB)
        category = _enum_filter(violations, "category", request.category, CATEGORY_FROM_PB)
        rules.check_user_id(violations, "assignee_id", request.assignee_id)
        rules.check_user_id(violations, "user_id", request.user_id)
        if request.unassigned:
            violations.check(not request.assignee_id, "unassigned", "cannot be combined with assignee_id")
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        terms: list[Term] = [Eq("kind", messages.KIND)]
        if status is not None:
            terms.append(Eq("status", status.value))
        if priority is not None:
            terms.append(Eq("priority", priority.value))
        if category is not None:
            terms.append(Eq("category", category.value))
        if request.assignee_id:
            terms.append(Eq("assignee_id", request.assignee_id))
        elif request.unassigned:
            terms.append(Eq("assignee_id", ""))
        page = await self._tickets.query(
            Query(where=And(*terms), order_by=QUEUE_ORDER),
            partition_key=request.user_id or None,
            max_items=size,
            continuation=token,
        )
        return pb.ListAllTicketsResponse(
            tickets=[self._view(d, staff_view=True, with_messages=False) for d in page.items],
            next_page_token=page.continuation or "",
        )

    async def GetAnyTicket(self, request: pb.GetAnyTicketRequest, context: Any) -> ticket_pb2.Ticket:
        _check_ticket_id(request.ticket_id)
        return self._view(await self._find_any(request.ticket_id), staff_view=True)

    async def UpdateTicket(self, request: pb.UpdateTicketRequest, context: Any) -> ticket_pb2.Ticket:
        violations = Violations()
        rules.check_ticket_id(violations, request.ticket_id)
        status = priority = category = None
        if request.HasField("status"):
            status = STATUS_FROM_PB.get(request.status)
            violations.check(status is not None, "status", "must be a ticket status (not UNSPECIFIED)")
        if request.HasField("priority"):
            priority = PRIORITY_FROM_PB.get(request.priority)
            violations.check(priority is not None, "priority", "must be a ticket priority (not UNSPECIFIED)")
        if request.HasField("category"):
            category = _enum_filter(violations, "category", request.category, CATEGORY_FROM_PB)
        if request.HasField("assignee_id"):
            rules.check_user_id(violations, "assignee_id", request.assignee_id)
        if not any(request.HasField(f) for f in ("status", "priority", "category", "assignee_id")):
            violations.add("status", "set at least one of status, priority, category or assignee_id")
        violations.check(len(request.etag) <= ETAG_MAX and request.etag.isascii(), "etag", "is not an etag we issued")
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key)
        violations.raise_if_any()
        doc = await self._find_any(request.ticket_id)
        actor_id = current_principal().subject

        def decide(current: Document, now: datetime) -> Change | None:
            events: list[EventEnvelope] = []
            was = Status(current["status"])
            if status is not None and status != was:
                rules.check_transition(was, status, Actor.STAFF, ticket_id=current["id"])
            changes_triage = (priority is not None and priority.value != current["priority"]) or (
                request.HasField("category") and (category.value if category else "") != current.get("category", "")
            )
            changes_assignee = request.HasField("assignee_id") and request.assignee_id != current.get("assignee_id", "")
            if changes_triage or changes_assignee:
                rules.require_changeable(was, ticket_id=current["id"])
            iso = clocks.to_iso(now)
            if changes_triage:
                previous_priority, previous_category = Priority(current["priority"]), messages.category_of(current)
                if priority is not None:
                    current["priority"] = priority.value
                    current["priority_rank"] = rules.PRIORITY_RANK[priority]
                    messages.set_due_times(current)
                if request.HasField("category"):
                    current["category"] = category.value if category else ""
                events.append(
                    messages.triaged_event(
                        current,
                        previous_priority,
                        previous_category,
                        actor_id=actor_id,
                        correlation_id=current_request_id(),
                        clock=self._deps.clock,
                    )
                )
            if changes_assignee:
                previous_assignee = current.get("assignee_id", "")
                current["assignee_id"] = request.assignee_id
                events.append(
                    messages.assigned_event(
                        current,
                        previous_assignee,
                        actor_id=actor_id,
                        correlation_id=current_request_id(),
                        clock=self._deps.clock,
                    )
                )
            if status is not None and status != was:
                events.append(self._move(current, was, status, now, actor_id=actor_id, by_staff=True))
            if not events:
                return None
            current["updated_at"] = iso
            return Change(current, events)

        return await self._change_idempotently(
            doc, "update", key, request, decide, staff_view=True, expected_etag=request.etag
        )

    async def AddStaffTicketMessage(self, request: pb.AddStaffTicketMessageRequest, context: Any) -> ticket_pb2.Ticket:
        violations = Violations()
        rules.check_ticket_id(violations, request.ticket_id)
        rules.check_body(violations, request.body)
        requested = None
        if request.HasField("status"):
            requested = STATUS_FROM_PB.get(request.status)
            violations.check(requested is not None, "status", "must be a ticket status (not UNSPECIFIED)")
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key)
        violations.raise_if_any()
        doc = await self._find_any(request.ticket_id)
        principal = current_principal()
        body = request.body.strip()

        def decide(current: Document, now: datetime) -> Change | None:
            was = Status(current["status"])
            actor = Actor.STAFF if request.internal else Actor.STAFF_REPLY
            after = rules.status_after_reply(was, actor, ticket_id=current["id"])
            if requested is not None and requested != after:
                rules.check_transition(after, requested, Actor.STAFF, ticket_id=current["id"])
            rules.check_room(len(current["messages"]), current["conversation_bytes"], body, ticket_id=current["id"])
            iso = clocks.to_iso(now)
            message_id = messages.append_message(
                current,
                author_id=principal.subject,
                author_role=role_name(principal.role),
                body=body,
                internal=request.internal,
                now=iso,
            )
            first_response = not request.internal and not current.get("first_response_at")
            if first_response:
                current["first_response_at"] = iso
            events = [
                messages.message_added_event(
                    current,
                    message_id,
                    author_id=principal.subject,
                    by_staff=True,
                    internal=request.internal,
                    first_response=first_response,
                    correlation_id=current_request_id(),
                    clock=self._deps.clock,
                )
            ]
            if after != was:
                events.append(self._move(current, was, after, now, actor_id=principal.subject, by_staff=True))
            if requested is not None and requested != after:
                events.append(self._move(current, after, requested, now, actor_id=principal.subject, by_staff=True))
            return Change(current, events)

        return await self._change_idempotently(doc, "staff-reply", key, request, decide, staff_view=True)

    # --- lifecycle ------------------------------------------------------------------------

    def _move(
        self, doc: Document, previous: Status, target: Status, now: datetime, *, actor_id: str, by_staff: bool
    ) -> EventEnvelope:
        """Moves `doc` (in place) to `target` with the status's timestamps and SLA clock; returns
        the TicketStatusChanged event (the edge was checked by the caller)."""
        iso = clocks.to_iso(now)
        if previous == Status.PENDING_CUSTOMER and doc.get("pending_since"):
            since = clocks.from_iso(doc.pop("pending_since"))
            doc["paused_us"] = rules.paused_after_leaving(messages.paused(doc), since, now) // _MICROSECOND
            messages.set_due_times(doc)
        if target == Status.PENDING_CUSTOMER:
            doc["pending_since"] = iso
        if target == Status.RESOLVED:
            doc["resolved_at"] = iso
        elif previous == Status.RESOLVED and target != Status.CLOSED:
            doc.pop("resolved_at", None)  # reopened
        if target == Status.CLOSED:
            doc["closed_at"] = iso
        doc["status"] = target.value
        doc["updated_at"] = iso
        return messages.status_changed_event(
            doc,
            previous,
            target,
            actor_id=actor_id,
            by_staff=by_staff,
            now=now,
            correlation_id=current_request_id(),
            clock=self._deps.clock,
        )

    # --- helpers --------------------------------------------------------------------------

    def _view(
        self, doc: Document, *, staff_view: bool, with_messages: bool = True, with_etag: bool = True
    ) -> ticket_pb2.Ticket:
        return messages.ticket_message(
            doc, staff_view=staff_view, now=self._deps.clock(), with_messages=with_messages, with_etag=with_etag
        )

    async def _find_own(self, ticket_id: str) -> Document:
        """One of the caller's tickets (read from their own partition); NOT_FOUND otherwise."""
        try:
            doc = await self._tickets.read(ticket_id, require_user_id())
        except NotFoundError:
            doc = None
        if doc is None or doc.get("kind") != messages.KIND:
            raise NotFound(f"ticket {ticket_id!r} not found")
        return doc

    async def _find_any(self, ticket_id: str) -> Document:
        """Any ticket, through its locator (staff)."""
        try:
            locator = await self._index.read(ticket_id, ticket_id)
            doc = await self._tickets.read(ticket_id, locator["user_id"])
        except NotFoundError:
            doc = None
        if doc is None or doc.get("kind") != messages.KIND:
            raise NotFound(f"ticket {ticket_id!r} not found")
        return doc

    async def _idempotent(self, owner: str, scoped_key: str, request: Message, run: Run) -> ticket_pb2.Ticket:
        """Runs `run` once per key (see the module docstring); without a key, just runs it."""
        if not scoped_key:
            return await run(None)
        claimed = await self._records.claim(owner, scoped_key, idempotency.keyed_request_fingerprint(request))
        if isinstance(claimed, Replay):
            return ticket_pb2.Ticket.FromString(claimed.response)
        try:
            return await run(claimed)
        except BaseException:
            # Nothing was changed (or it was, and the record is completed so this is a no-op).
            await asyncio.shield(self._records.release(claimed))
            raise

    async def _change_idempotently(
        self,
        located: Document,
        operation: str,
        key: str,
        request: Message,
        decide: Decide,
        *,
        staff_view: bool,
        expected_etag: str = "",
    ) -> ticket_pb2.Ticket:
        owner = located["user_id"]
        caller = current_principal().subject
        scoped = f"{operation}\n{located['id']}\n{caller}\n{key}" if key else ""

        async def run(claim: Claim | None) -> ticket_pb2.Ticket:
            return await self._change(located, decide, claim, staff_view=staff_view, expected_etag=expected_etag)

        return await self._idempotent(owner, scoped, request, run)

    async def _change(
        self, located: Document, decide: Decide, claim: Claim | None, *, staff_view: bool, expected_etag: str
    ) -> ticket_pb2.Ticket:
        """Read, decide, write with the etag read (state + events + stored response in one batch);
        re-decides when another writer got in between, unless the caller pinned an etag (ABORTED)."""
        user_id = located["user_id"]

        async def plan(attempt: int) -> Write[ticket_pb2.Ticket] | Done[ticket_pb2.Ticket]:
            doc = located
            if attempt:
                try:
                    doc = await self._tickets.read(located["id"], user_id)
                except NotFoundError:
                    raise NotFound(f"ticket {located['id']!r} not found") from None
            if expected_etag and doc.get("_etag") != expected_etag:
                raise Aborted(f"ticket {doc['id']!r} changed since etag {expected_etag!r}; read it again")
            change = decide(dict(doc), self._deps.clock())
            if change is None:
                if claim is not None:
                    stored = self._view(doc, staff_view=staff_view, with_etag=False)
                    await self._records.complete(claim, stored.SerializeToString(deterministic=True))
                return Done(self._view(doc, staff_view=staff_view))
            completion = None
            if claim is not None:
                stored = self._view(change.doc, staff_view=staff_view, with_etag=False)
                completion = self._records.completion(claim, stored.SerializeToString(deterministic=True))
            return Write(
                [ReplaceOp(change.doc, if_match=doc["_etag"])],
                lambda written: self._view(written[0] or change.doc, staff_view=staff_view),
                events=change.events,
                completion=completion,
            )

        return await commit(
            self._tickets,
            user_id,
            plan,
            busy="the ticket is being changed by others; retry",
            pinned=f"ticket {located['id']!r} changed meanwhile; read it again" if expected_etag else "",
            notify=self._deps.notify_relay,
        )


_MICROSECOND = timedelta(microseconds=1)


def _check_ticket_id(ticket_id: str) -> None:
    violations = Violations()
    rules.check_ticket_id(violations, ticket_id)
    violations.raise_if_any()


async def create_binding(deps: Dependencies) -> ServiceBinding:
    tickets = await deps.store.container(TICKETS, "/user_id")
    index = await deps.store.container(TICKET_INDEX, "/id")
    records = IdempotencyRecords(tickets, scope=IDEMPOTENCY_SCOPE, clock=deps.clock)
    servicer = TicketServicer(deps, tickets, index, records, CustomerOrders(deps.channels))
    deps.background.append(records.expiry())
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["SupportTicketService"].full_name,
        add_to_server=lambda server: pb_grpc.add_SupportTicketServiceServicer_to_server(servicer, server),
    )
