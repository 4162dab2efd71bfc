"""The payments container: payment documents, their outbox records and per-order claims.

Container "payments", partition key "/user_id": everything about one customer's payments is one
partition, which is what lets a state change and its events (and an order's claim) commit in one
transactional batch, and makes "my payments" a single-partition query. (A "/id" key cannot hold an
outbox: records have their own ids, hence their own partitions.) Lookups by payment id alone
(staff, refunds, webhooks) are a cross-partition query on the id. Three kinds of documents:

- payments (`kind` "payment"): one per charge attempt or intent, with its refunds inside
  (`refunds[]`), so "never refund more than was captured" is one document's compare-and-swap;
- outbox records, in the partition of the payment they report (written in the same batch);
- order claims (`kind` "order_claim", id `claim_<hash of order id>`): which payment may currently
  charge an order, so two charges with different idempotency keys cannot run for one order at once.

Every state change is a `replace` with the ETag read, together with its events in one transactional
batch: an optimistic commit (hph.runtime.commit) whose plan re-reads and re-decides when someone else
wrote first (`commit`), or a single attempt with a fallback of its own (`write` returns None then).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.clock import Clock
from hph.runtime.commit import Plan, Write, commit, stored, write_once
from hph.runtime.storage import (
    And,
    BatchOperation,
    Container,
    CreateOp,
    Document,
    Eq,
    In,
    NotFoundError,
    OrderBy,
    Page,
    PreconditionFailedError,
    Query,
    ReplaceOp,
    Term,
)
from hph.services.payments import rules

CONTAINER = "payments"
PARTITION_KEY_PATH = "/user_id"
T = TypeVar("T")
KIND_PAYMENT = "payment"
KIND_CLAIM = "order_claim"
NEWEST_FIRST = (OrderBy("created_at", descending=True),)
IS_PAYMENT: Term = Eq("kind", KIND_PAYMENT)


class PaymentLedger:
    def __init__(self, container: Container, *, clock: Clock, notify: Callable[[], None]) -> None:
        self._container = container
        self._clock = clock
        self._notify = notify

    @property
    def container(self) -> Container:
        return self._container

    # --- payments ---------------------------------------------------------------------------------

    async def get(self, payment_id: str, user_id: str) -> Document | None:
        """Point read in the owner's partition; None when absent (or not a payment)."""
        try:
            doc = await self._container.read(payment_id, user_id)
        except (NotFoundError, ValueError):
            return None
        return doc if doc.get("kind") == KIND_PAYMENT else None

    async def find(self, payment_id: str) -> Document | None:
        """The payment with this id, whoever owns it (a cross-partition query)."""
        page = await self._container.query(Query(where=And(IS_PAYMENT, Eq("id", payment_id))), max_items=1)
        return page.items[0] if page.items else None

    async def reread(self, doc: Document) -> Document | None:
        return await self.get(doc["id"], doc["user_id"])

    async def create(self, doc: Document) -> Document:
        """Stores a new payment; ConflictError when its (derived) id exists: a retry or a duplicate."""
        return await self._container.create(self.creation(doc).doc)

    def creation(self, doc: Document) -> CreateOp:
        """The operation storing a new payment; it fails when its (derived) id exists: a retry or a duplicate."""
        return CreateOp({**doc, "kind": KIND_PAYMENT})

    async def commit(self, user_id: str, plan: Plan[T], *, busy: str | Callable[[], Exception]) -> T:
        """An optimistic commit in the partition of `user_id` (hph.runtime.commit)."""
        return await commit(self._container, user_id, plan, busy=busy, notify=self._notify)

    async def write(
        self, current: Document, updated: Document, events: Sequence[EventEnvelope] = ()
    ) -> Document | None:
        """Replaces `current` by `updated` with its events, atomically; None when `current` is stale."""
        change = Write([ReplaceOp(updated, if_match=current["_etag"])], stored(0), events=events)
        return await write_once(self._container, current["user_id"], change, notify=self._notify)

    async def delete(self, current: Document) -> None:
        """Removes a payment that never reached the provider (its slot is free for a retry)."""
        try:
            await self._container.delete(current["id"], current["user_id"], if_match=current["_etag"])
        except (NotFoundError, PreconditionFailedError):
            return

    async def find_by_transaction(self, transaction_id: str) -> Document | None:
        page = await self._container.query(
            Query(where=And(IS_PAYMENT, Eq("transaction_id", transaction_id))), max_items=1
        )
        return page.items[0] if page.items else None

    async def captured_for_order(self, user_id: str, order_id: str) -> Document | None:
        """The payment that captured the order's money (the first one, should there be several)."""
        where = And(IS_PAYMENT, Eq("order_id", order_id), In("status", sorted(rules.CAPTURED_STATUSES)))
        page = await self._container.query(
            Query(where=where, order_by=(OrderBy("created_at"),)), partition_key=user_id, max_items=1
        )
        return page.items[0] if page.items else None

    async def page(self, where: Term, *, user_id: str | None, page_size: int, continuation: str | None) -> Page:
        """Payments matching `where`, newest first: one user's (a partition) or everyone's."""
        return await self._container.query(
            Query(where=And(IS_PAYMENT, where), order_by=NEWEST_FIRST),
            partition_key=user_id,
            max_items=page_size,
            continuation=continuation,
        )

    # --- order claims -----------------------------------------------------------------------------

    async def read_claim(self, user_id: str, order_id: str) -> Document | None:
        try:
            return await self._container.read(rules.claim_id_for(order_id), user_id)
        except NotFoundError:
            return None

    def claim_op(self, user_id: str, order_id: str, payment_id: str, *, current: Document | None) -> BatchOperation:
        """Points the order's claim at `payment_id`; fails when someone changed it since `current` was read."""
        doc: Document = {
            "id": rules.claim_id_for(order_id),
            "kind": KIND_CLAIM,
            "user_id": user_id,
            "order_id": order_id,
            "payment_id": payment_id,
        }
        return CreateOp(doc) if current is None else ReplaceOp(doc, if_match=current["_etag"])
