"""The customer activity projection: one partition per customer, one document per order, return and
ticket, plus the customer's registration.

Consumer group "crm-activity" (shared by the CRM agents) of order-events (OrderCreated, OrderPaid,
OrderCancelled, OrderStatusChanged), payment-events (RefundIssued), return-events (every return
event), ticket-events (TicketCreated, TicketStatusChanged, TicketTriaged) and user-events
(UserRegistered). Container `crm_activity`, partition key /user_id:

- `order.<order_id>`: placed_at, total, lines with their categories, campaign code, the furthest
  stage reached, cancelled, refunded so far;
- `return.<return_id>`: order, units, reason, requested_at, the furthest stage, rejected;
- `ticket.<ticket_id>`: order, created_at, status (with the time it was set), priority, category;
- `customer`: registered_at.

Each event is one point read and one conditional write of one document: cheap enough to run
beside checkout at peak (no scan per event). Every field is set by one kind of event and merged
monotonically (a stage only moves forward, refunds keep the largest cumulative amount, a ticket's
status keeps the latest by occurred_at), so redeliveries change nothing and the topics, consumed
independently, may arrive in any order: `hph events replay --group crm-activity` over the documents
or into an emptied container ends in the same documents. Every document records `event_at`, the
occurred_at of the newest event applied to it, which is what an answer's data_as_of reads (the
consumers run in another process than the RPCs, so a tracker in memory would not do).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from google.protobuf.message import Message

from holidaypeak.events.v1 import order_events_pb2 as order_ev
from holidaypeak.events.v1 import payment_events_pb2 as payment_ev
from holidaypeak.events.v1 import return_events_pb2 as return_ev
from holidaypeak.events.v1 import ticket_events_pb2 as ticket_ev
from holidaypeak.events.v1 import user_events_pb2 as user_ev
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.crm_activity.records import (
    Activity,
    LineRecord,
    OrderRecord,
    ReturnRecord,
    ReturnStage,
    Stage,
    TicketRecord,
)
from hph.runtime.clock import from_iso, to_iso
from hph.runtime.consumers import ConsumerGroup, Delivery, EventConsumers, Subscription
from hph.runtime.documents import merge_document
from hph.runtime.events import payload_of
from hph.runtime.storage import (
    Container,
    ContainerSpec,
    Document,
    Eq,
    Query,
)

log = logging.getLogger("hph.agents.crm_activity")

NAME, KEY = "crm_activity", "/user_id"
CONTAINER: Final = ContainerSpec(NAME, KEY)
GROUP: Final = "crm-activity"
SOURCE: Final = "projection:crm-activity"
PAGE: Final = 500
ORDER, RETURN, TICKET, CUSTOMER = "order", "return", "ticket", "customer"

_ORDER_STAGE: Final = {
    order_ev.ORDER_STATUS_PENDING: Stage.PENDING,
    order_ev.ORDER_STATUS_PAID: Stage.PAID,
    order_ev.ORDER_STATUS_FULFILLING: Stage.FULFILLING,
    order_ev.ORDER_STATUS_SHIPPED: Stage.SHIPPED,
    order_ev.ORDER_STATUS_DELIVERED: Stage.DELIVERED,
    order_ev.ORDER_STATUS_PARTIALLY_RETURNED: Stage.PARTIALLY_RETURNED,
    order_ev.ORDER_STATUS_RETURNED: Stage.RETURNED,
}
_RETURN_STAGE: Final[dict[type[Message], ReturnStage]] = {
    return_ev.ReturnRequested: ReturnStage.REQUESTED,
    return_ev.ReturnApproved: ReturnStage.APPROVED,
    return_ev.ReturnReceived: ReturnStage.RECEIVED,
    return_ev.ReturnRestocked: ReturnStage.RESTOCKED,
    return_ev.ReturnRefunded: ReturnStage.REFUNDED,
}

Merge = Callable[[Document], Document]


def order_doc_id(order_id: str) -> str:
    return f"{ORDER}.{order_id}"


def return_doc_id(return_id: str) -> str:
    return f"{RETURN}.{return_id}"


def ticket_doc_id(ticket_id: str) -> str:
    return f"{TICKET}.{ticket_id}"


class CustomerActivity:
    """The projection (its handler) and the reads of the CRM agents."""

    def __init__(self, container: Container) -> None:
        self._container = container

    @classmethod
    async def open(cls, store: Any) -> CustomerActivity:
        return cls(await CONTAINER.open(store))

    def follow(self, bus: EventConsumers | None) -> None:
        """Declares the shared group that keeps the projection (no bus: reads only)."""
        if bus is None:
            return
        bus.declare(
            ConsumerGroup(
                GROUP,
                (
                    Subscription.to(
                        "order-events",
                        self.handle,
                        order_ev.OrderCreated,
                        order_ev.OrderPaid,
                        order_ev.OrderCancelled,
                        order_ev.OrderStatusChanged,
                    ),
                    Subscription.to("payment-events", self.handle, payment_ev.RefundIssued),
                    Subscription.to("return-events", self.handle, *_RETURN_STAGE, return_ev.ReturnRejected),
                    Subscription.to(
                        "ticket-events",
                        self.handle,
                        ticket_ev.TicketCreated,
                        ticket_ev.TicketStatusChanged,
                        ticket_ev.TicketTriaged,
                    ),
                    Subscription.to("user-events", self.handle, user_ev.UserRegistered),
                ),
            )
        )

    async def handle(self, delivery: Delivery) -> None:
        await self.apply(delivery.envelope)

    # --- the projection ----------------------------------------------------------------------

    async def apply(self, envelope: EventEnvelope) -> None:
        """Applies one event (idempotent, order-independent); other events are passed over."""
        payload = payload_of(envelope)
        at = envelope.occurred_at.ToDatetime(tzinfo=UTC)
        if isinstance(payload, order_ev.OrderCreated):
            await self._merge(payload.user_id, order_doc_id(payload.order_id), ORDER, at, _created(payload, at))
        elif isinstance(payload, order_ev.OrderPaid):
            await self._merge(payload.user_id, order_doc_id(payload.order_id), ORDER, at, _stage(Stage.PAID))
        elif isinstance(payload, order_ev.OrderStatusChanged):
            stage = _ORDER_STAGE.get(payload.new_status)
            if stage is not None:
                await self._merge(payload.user_id, order_doc_id(payload.order_id), ORDER, at, _stage(stage))
        elif isinstance(payload, order_ev.OrderCancelled):
            await self._merge(payload.user_id, order_doc_id(payload.order_id), ORDER, at, _flag("cancelled"))
        elif isinstance(payload, payment_ev.RefundIssued):
            refunded = payload.total_refunded_minor or payload.amount_minor
            await self._merge(payload.user_id, order_doc_id(payload.order_id), ORDER, at, _refunded(refunded))
        elif isinstance(payload, return_ev.ReturnRejected):
            await self._merge(payload.user_id, return_doc_id(payload.return_id), RETURN, at, _rejected(payload))
        elif type(payload) in _RETURN_STAGE:
            await self._merge(
                payload.user_id,  # type: ignore[attr-defined]
                return_doc_id(payload.return_id),  # type: ignore[attr-defined]
                RETURN,
                at,
                _return_step(payload, _RETURN_STAGE[type(payload)], at),
            )
        elif isinstance(payload, ticket_ev.TicketCreated):
            await self._merge(
                payload.user_id, ticket_doc_id(payload.ticket_id), TICKET, at, _ticket_created(payload, at)
            )
        elif isinstance(payload, ticket_ev.TicketStatusChanged):
            await self._merge(
                payload.user_id, ticket_doc_id(payload.ticket_id), TICKET, at, _ticket_status(payload.new_status, at)
            )
        elif isinstance(payload, ticket_ev.TicketTriaged):
            await self._merge(
                payload.user_id, ticket_doc_id(payload.ticket_id), TICKET, at, _ticket_triaged(payload, at)
            )
        elif isinstance(payload, user_ev.UserRegistered):
            await self._merge(payload.user_id, CUSTOMER, CUSTOMER, at, _registered(at))

    async def _merge(self, user_id: str, doc_id: str, kind: str, at: datetime, merge: Merge) -> None:
        """Read, merge, conditional write (hph.runtime.commit: a lost race reads and merges again;
        the merge is idempotent)."""
        if not user_id:
            log.warning("event without a user id passed over", extra={"doc_id": doc_id})
            return

        def merged(current: Document | None) -> Document:
            base = current if current is not None else {"id": doc_id, "user_id": user_id, "kind": kind}
            result = merge(dict(base))
            stamp = to_iso(at)
            if not base.get("event_at") or str(base["event_at"]) < stamp:
                result["event_at"] = stamp
            return result

        await merge_document(
            self._container,
            doc_id,
            user_id,
            merged,
            busy=f"crm-activity: {doc_id} kept changing under every attempt",
        )

    # --- reads -------------------------------------------------------------------------------

    async def of(self, user_id: str) -> Activity:
        """Everything known about one customer (one single-partition query)."""
        return _activity(user_id, await self._documents(user_id))

    async def everyone(self) -> dict[str, Activity]:
        """Every customer the projection knows, by user id (a cross-partition read: for a staff run
        over the whole base, never on a shopper's path)."""
        by_user: dict[str, list[Document]] = {}
        for doc in await self._documents(None):
            by_user.setdefault(str(doc["user_id"]), []).append(doc)
        return {user_id: _activity(user_id, docs) for user_id, docs in sorted(by_user.items())}

    async def all_orders(self) -> list[OrderRecord]:
        """Every customer's orders (a cross-partition read: for a staff report, never per event)."""
        return [_order_record(doc) for doc in await self._documents(None, Query(where=Eq("kind", ORDER)))]

    async def _documents(self, user_id: str | None, query: Query | None = None) -> list[Document]:
        found: list[Document] = []
        continuation: str | None = None
        while True:
            page = await self._container.query(
                query or Query(), partition_key=user_id, max_items=PAGE, continuation=continuation
            )
            found.extend(page.items)
            continuation = page.continuation
            if continuation is None:
                return found


# --- merges: pure functions of the document -----------------------------------------------


def _created(created: order_ev.OrderCreated, at: datetime) -> Merge:
    def merge(doc: Document) -> Document:
        if doc.get("placed_at"):
            return doc
        doc.update(
            placed_at=to_iso(at),
            total_minor=created.total_minor,
            currency_code=created.currency_code,
            campaign_code=created.campaign_code,
            lines=[
                {"sku": line.sku, "category_id": line.category_id, "quantity": line.quantity, "name": line.name}
                for line in created.lines
            ],
            stage=max(int(doc.get("stage", 0)), int(Stage.PENDING)),
        )
        return doc

    return merge


def _stage(stage: Stage) -> Merge:
    def merge(doc: Document) -> Document:
        doc["stage"] = max(int(doc.get("stage", 0)), int(stage))
        return doc

    return merge


def _flag(name: str) -> Merge:
    def merge(doc: Document) -> Document:
        doc[name] = True
        return doc

    return merge


def _refunded(total_refunded_minor: int) -> Merge:
    def merge(doc: Document) -> Document:
        doc["refunded_minor"] = max(int(doc.get("refunded_minor", 0)), total_refunded_minor)
        return doc

    return merge


def _return_step(event: Message, stage: ReturnStage, at: datetime) -> Merge:
    def merge(doc: Document) -> Document:
        doc["order_id"] = event.order_id  # type: ignore[attr-defined]
        doc["stage"] = max(int(doc.get("stage", 0)), int(stage))
        if isinstance(event, return_ev.ReturnRequested):
            doc.update(
                requested_at=to_iso(at),
                units=sum(line.quantity for line in event.lines),
                skus=sorted({line.sku for line in event.lines}),
                reason=int(event.reason),
            )
        return doc

    return merge


def _rejected(event: return_ev.ReturnRejected) -> Merge:
    def merge(doc: Document) -> Document:
        doc["order_id"] = event.order_id
        doc["rejected"] = True
        return doc

    return merge


def _ticket_created(created: ticket_ev.TicketCreated, at: datetime) -> Merge:
    def merge(doc: Document) -> Document:
        doc.update(order_id=created.order_id, created_at=to_iso(at))
        doc.setdefault("category", int(created.category))
        doc.setdefault("priority", int(created.priority))
        return _ticket_status(ticket_ev.TICKET_STATUS_OPEN, at)(doc)

    return merge


def _ticket_status(status: int, at: datetime) -> Merge:
    """The latest status by occurred_at (a ticket's events share one partition, so they are in order;
    the stamp keeps a replay of an older event from winning over a newer one already applied)."""

    def merge(doc: Document) -> Document:
        stamp = to_iso(at)
        if str(doc.get("status_at", "")) <= stamp:
            doc.update(status=int(status), status_at=stamp)
        return doc

    return merge


def _ticket_triaged(triaged: ticket_ev.TicketTriaged, at: datetime) -> Merge:
    def merge(doc: Document) -> Document:
        stamp = to_iso(at)
        if str(doc.get("triaged_at", "")) <= stamp:
            doc.update(priority=int(triaged.priority), category=int(triaged.category), triaged_at=stamp)
        return doc

    return merge


def _registered(at: datetime) -> Merge:
    def merge(doc: Document) -> Document:
        stamp = to_iso(at)
        if not doc.get("registered_at") or str(doc["registered_at"]) > stamp:
            doc["registered_at"] = stamp
        return doc

    return merge


# --- documents -> records -------------------------------------------------------------------


def _when(value: object) -> datetime | None:
    return from_iso(str(value)) if value else None


def _activity(user_id: str, docs: list[Document]) -> Activity:
    orders: list[OrderRecord] = []
    returns: list[ReturnRecord] = []
    tickets: list[TicketRecord] = []
    registered_at: datetime | None = None
    newest = ""
    for doc in docs:
        newest = max(newest, str(doc.get("event_at", "")))
        kind = doc.get("kind")
        if kind == ORDER:
            orders.append(_order_record(doc))
        elif kind == RETURN:
            returns.append(
                ReturnRecord(
                    return_id=str(doc["id"]).removeprefix(f"{RETURN}."),
                    order_id=str(doc.get("order_id", "")),
                    requested_at=_when(doc.get("requested_at")),
                    units=int(doc.get("units", 0)),
                    reason=int(doc.get("reason", 0)),
                    stage=ReturnStage(int(doc.get("stage", 0))),
                    rejected=bool(doc.get("rejected")),
                    skus=tuple(str(s) for s in doc.get("skus", [])),
                )
            )
        elif kind == TICKET:
            tickets.append(
                TicketRecord(
                    ticket_id=str(doc["id"]).removeprefix(f"{TICKET}."),
                    order_id=str(doc.get("order_id", "")),
                    created_at=_when(doc.get("created_at")),
                    status=int(doc.get("status", 0)),
                    priority=int(doc.get("priority", 0)),
                    category=int(doc.get("category", 0)),
                )
            )
        elif kind == CUSTOMER:
            registered_at = _when(doc.get("registered_at"))
    return Activity(
        user_id=user_id,
        registered_at=registered_at,
        orders=tuple(sorted(orders, key=_newest_first)),
        returns=tuple(
            sorted(
                returns, key=lambda r: (r.requested_at is None, -(r.requested_at or _EPOCH).timestamp(), r.return_id)
            )
        ),
        tickets=tuple(sorted(tickets, key=lambda t: t.ticket_id)),
        data_as_of=_when(newest),
    )


def _order_record(doc: Document) -> OrderRecord:
    return OrderRecord(
        order_id=str(doc["id"]).removeprefix(f"{ORDER}."),
        placed_at=_when(doc.get("placed_at")),
        total_minor=int(doc.get("total_minor", 0)),
        currency_code=str(doc.get("currency_code", "")),
        lines=tuple(
            LineRecord(str(x["sku"]), str(x.get("category_id", "")), int(x["quantity"]), str(x.get("name", "")))
            for x in doc.get("lines", [])
        ),
        stage=Stage(int(doc.get("stage", 0))),
        cancelled=bool(doc.get("cancelled")),
        refunded_minor=int(doc.get("refunded_minor", 0)),
        campaign_code=str(doc.get("campaign_code", "")),
    )


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _newest_first(order: OrderRecord) -> tuple[bool, float, str]:
    return (order.placed_at is None, -(order.placed_at or _EPOCH).timestamp(), order.order_id)
