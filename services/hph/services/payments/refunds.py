"""Refunds: never more than was captured, idempotent per key, safe under concurrency and crashes.

A refund is a record inside its payment document. It goes through three steps:

1. Reserve: append the refund (status pending) to the payment with a compare-and-swap on the
   payment's ETag. What is refundable is captured - refunded - pending refunds, so two concurrent
   refunds cannot both pass: the second write fails on the ETag, re-reads, and is judged against the
   amount the first one reserved. The provider is never asked for more than we reserved.
2. Submit: call the provider with a key derived from the refund id, so a retry (same idempotency
   key -> same refund id) or a resumed crash replays instead of refunding twice.
3. Settle: mark the refund succeeded (amount_refunded grows, the payment becomes partially_refunded
   or refunded, RefundIssued goes to the outbox in the same batch) or failed (its amount is
   refundable again). A provider outage leaves it pending and reserved; the same key resumes it,
   and any later refund of the payment first resumes pending refunds whose attempt stopped.

After a refund succeeded the order is told the cumulative refunded amount (RecordOrderPayment),
unless the refund returns a capture the order never took (an automatic refund of a duplicate).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from holidaypeak.commerce.v1 import order_pb2
from hph.runtime.clock import Clock, to_iso
from hph.runtime.commit import Done, Write, stored
from hph.runtime.errors import DomainError, NotFound
from hph.runtime.rpc.call_context import current_request_id
from hph.runtime.storage import Document, ReplaceOp
from hph.services.payments import rules
from hph.services.payments.ledger import PaymentLedger
from hph.services.payments.messages import refund_issued_event
from hph.services.payments.orders_client import OrdersClient
from hph.services.payments.providers import IdempotencyMismatch, PaymentProvider, RefundOutcome, RefundRefused

log = logging.getLogger("hph.payments")


@dataclass(frozen=True)
class _Settled:
    """A refund's outcome as stored, and whether this call stored it (else it was settled before)."""

    payment: Document
    refund: Document
    now: bool


class Refunder:
    def __init__(self, ledger: PaymentLedger, provider: PaymentProvider, orders: OrdersClient, *, clock: Clock) -> None:
        self._ledger = ledger
        self._provider = provider
        self._orders = orders
        self._clock = clock

    async def refund(
        self,
        located: Document,
        *,
        amount_minor: int,
        reason: str,
        return_id: str,
        idempotency_key: str,
        requested_by: str,
        sync_order: bool = True,
    ) -> tuple[Document, Document]:
        """Refunds `amount_minor` (0 = everything still refundable) of the payment `located`
        (a version just read: decided on first, its etag guards the write); returns (payment, refund)."""
        payment_id = located["id"]
        refund_id = rules.refund_id_for(payment_id, idempotency_key)
        resumed = await self._resume_stale(located, skip=refund_id)

        async def plan(attempt: int) -> Write[tuple[Document, Document]] | Done[tuple[Document, Document]]:
            # Read again only when `located` is known to have moved on (a lost write, resumed refunds).
            payment = await self._ledger.reread(located) if attempt or resumed else located
            if payment is None:
                raise NotFound(f"payment {payment_id!r} not found")
            record = rules.find_refund(payment, refund_id=refund_id)
            if record is not None:
                if amount_minor and record["amount_minor"] != amount_minor:
                    raise IdempotencyMismatch.for_field(
                        "request_id", "this idempotency key was already used for a refund of another amount"
                    )
                return Done((payment, record))
            record = self._new_refund(
                refund_id, idempotency_key, rules.refund_amount(payment, amount_minor), reason, return_id, requested_by
            )
            record["sync_order"] = sync_order
            updated = {**payment, "refunds": [*payment["refunds"], record], "updated_at": record["created_at"]}
            return Write([ReplaceOp(updated, if_match=payment["_etag"])], lambda written: (stored(0)(written), record))

        busy = f"payment {payment_id} is being refunded concurrently; retry"
        payment, record = await self._ledger.commit(located["user_id"], plan, busy=busy)
        if record["status"] == rules.REFUND_PENDING and not record["transaction_id"]:
            return await self._submit(payment, record)
        return payment, record

    def _new_refund(
        self, refund_id: str, key: str, amount_minor: int, reason: str, return_id: str, requested_by: str
    ) -> Document:
        now = to_iso(self._clock())
        return {
            "id": refund_id,
            "idempotency_key": key,
            "amount_minor": amount_minor,
            "status": rules.REFUND_PENDING,
            "reason": reason,
            "return_id": return_id,
            "requested_by": requested_by,
            "transaction_id": "",
            "failure_message": "",
            "created_at": now,
            "updated_at": now,
        }

    async def _resume_stale(self, payment: Document, *, skip: str) -> bool:
        """Submits again the payment's pending refunds whose attempt stopped; True when there were any."""
        stale = [r for r in rules.stale_pending_refunds(payment, self._clock()) if r["id"] != skip]
        for record in stale:
            try:
                payment, _ = await self._submit(payment, record)
            except DomainError as exc:
                log.warning("resuming refund %s of payment %s failed: %s", record["id"], payment["id"], exc.message)
        return bool(stale)

    async def _submit(self, payment: Document, record: Document) -> tuple[Document, Document]:
        try:
            result = await self._provider.refund(
                provider_payment_id=payment["transaction_id"],
                amount_minor=record["amount_minor"],
                idempotency_key=rules.provider_key(record["id"]),
                reason=record["reason"],
            )
        except RefundRefused as refused:
            # Our ledger allowed it but the provider did not (e.g. refunded outside the platform): the
            # refund is recorded as failed, its amount refundable again, and returned like any outcome.
            return await self.settle(payment, record["id"], "failed", failure_message=refused.message)
        return await self.settle(payment, record["id"], result.status, transaction_id=result.id)

    async def settle(
        self,
        located: Document,
        refund_id: str,
        outcome: RefundOutcome,
        *,
        transaction_id: str = "",
        failure_message: str = "",
    ) -> tuple[Document, Document]:
        """Stores a refund's outcome once (also what a refund webhook calls); returns (payment, refund).
        Decides first on `located` (a version just read or written); its etag guards the write."""
        payment_id = located["id"]

        async def plan(attempt: int) -> Write[_Settled] | Done[_Settled]:
            payment = await self._ledger.reread(located) if attempt else located
            record = rules.find_refund(payment, refund_id=refund_id) if payment is not None else None
            if payment is None or record is None:
                raise NotFound(f"refund {refund_id!r} of payment {payment_id!r} not found")
            if record["status"] != rules.REFUND_PENDING:
                # Settled before (a concurrent retry or a webhook).
                return Done(_Settled(payment, record, now=False))
            now = to_iso(self._clock())
            settled: Document = {
                **record,
                "status": _REFUND_STATUS[outcome],
                "transaction_id": transaction_id or record["transaction_id"],
                "failure_message": failure_message,
                "updated_at": now,
            }
            updated: Document = {
                **payment,
                "refunds": [settled if r["id"] == refund_id else r for r in payment["refunds"]],
                "updated_at": now,
            }
            events = []
            if settled["status"] == rules.REFUND_SUCCEEDED:
                refunded = payment["amount_refunded_minor"] + settled["amount_minor"]
                updated["amount_refunded_minor"] = refunded
                updated["status"] = rules.status_after_refunds(payment["amount_minor"], refunded)
                events.append(
                    refund_issued_event(updated, settled, clock=self._clock, correlation_id=current_request_id())
                )
            operations = [ReplaceOp(updated, if_match=payment["_etag"])]
            return Write(operations, lambda written: _Settled(stored(0)(written), settled, now=True), events=events)

        busy = f"payment {payment_id} is being refunded concurrently; retry"
        done = await self._ledger.commit(located["user_id"], plan, busy=busy)
        if done.now and done.refund["status"] == rules.REFUND_SUCCEEDED and done.refund.get("sync_order", True):
            await self._tell_order(done.payment, done.refund)
        return done.payment, done.refund

    async def _tell_order(self, payment: Document, refund: Document) -> None:
        status = (
            order_pb2.ORDER_PAYMENT_STATUS_REFUNDED
            if payment["status"] == rules.REFUNDED
            else order_pb2.ORDER_PAYMENT_STATUS_PARTIALLY_REFUNDED
        )
        try:
            await self._orders.record_payment(
                payment["order_id"],
                payment["id"],
                status,
                amount_refunded_minor=payment["amount_refunded_minor"],
                currency=payment["currency"],
                request_id=f"{refund['id']}.order",
            )
        except DomainError as exc:
            # The refund stands; the order's copy of the refunded amount catches up on the next refund.
            log.warning("order %s did not take refund %s: %s", payment["order_id"], refund["id"], exc.message)


_REFUND_STATUS: dict[str, str] = {
    "succeeded": rules.REFUND_SUCCEEDED,
    "failed": rules.REFUND_FAILED,
    "pending": rules.REFUND_PENDING,
}
