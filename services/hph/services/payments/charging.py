"""Charging orders: CreatePayment and CreatePaymentIntent, and settling what the provider reports.

How "a retry charges once" holds, even across crashes and races:

1. The payment id is derived from (user, idempotency key) and the payment document is created
   (status pending, with a lease) BEFORE the provider is called. The store's create-if-absent picks
   one winner; a concurrent duplicate finds the document in flight and is ABORTED
   (REQUEST_IN_FLIGHT); a later retry replays the stored payment; the same key with a different
   request is INVALID_ARGUMENT (IDEMPOTENCY_KEY_REUSED).
2. The provider gets an idempotency key derived from the payment id. If the process dies after the
   provider charged and before the outcome was stored, the lease runs out and the next retry takes
   the payment over and calls the provider again with the same key: the provider replays the first
   charge instead of charging again.
3. Different keys for one order: before charging, the payment takes the order's claim (a document
   naming the one payment that may charge it). A second charge while the first is in flight is
   ABORTED (PAYMENT_IN_PROGRESS); after a success it is FAILED_PRECONDITION (ORDER_NOT_PAYABLE);
   a holder abandoned by a crash is first driven to its outcome (same provider key, so no new charge).
4. Anything that still captures twice (an intent confirmed in Stripe.js while a saved card was
   charged, or an order cancelled while it was being paid) is refunded automatically when the order
   refuses the payment (`complete`).

After a capture, `complete` confirms the order's stock reservation (InventoryService.
ConfirmReservation) and then records the payment on the order (OrderService.RecordOrderPayment),
both idempotent; `order_recorded` on the payment says they are done, so a replay or a webhook that
finds it false runs them again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from holidaypeak.commerce.v1 import order_pb2
from hph.runtime.clock import Clock, to_iso
from hph.runtime.commit import STALE, Done, Stale, Write, Written, stored
from hph.runtime.errors import Aborted, DomainError, FailedPrecondition, InvalidArgument, NotFound
from hph.runtime.money import to_major
from hph.runtime.rpc.call_context import current_request_id, require_owner
from hph.runtime.storage import Document, ReplaceOp
from hph.runtime.validation import exact_amount
from hph.services.payments import rules
from hph.services.payments.ledger import PaymentLedger
from hph.services.payments.messages import outcome_event
from hph.services.payments.orders_client import OrdersClient, OrderView, ReservationsClient
from hph.services.payments.payment_methods_client import PaymentMethodsClient
from hph.services.payments.providers import IdempotencyMismatch, PaymentProvider, ProviderPayment
from hph.services.payments.refunds import Refunder

log = logging.getLogger("hph.payments")

PLATFORM_ACTOR = "platform"


@dataclass(frozen=True)
class _Next:
    """A payment as a commit left it, and the work that follows outside the commit."""

    payment: Document
    charge: bool = False  # ours to charge through the provider
    complete: bool = False  # an outcome is stored: run its follow-ups
    open: bool = False  # ours to open as an intent with the provider


def _charge_it(written: Written) -> _Next:
    return _Next(stored(0)(written), charge=True)


def _completing(written: Written) -> _Next:
    return _Next(stored(0)(written), complete=True)


def _opening(written: Written) -> _Next:
    return _Next(stored(0)(written), open=True)


def _as_is(written: Written) -> _Next:
    return _Next(stored(0)(written))


def _nothing(written: Written) -> None:
    return None


@dataclass(frozen=True)
class ChargeRequest:
    """A validated CreatePayment, with what the service needs to act for the caller."""

    user_id: str
    order_id: str
    payment_method_id: str
    amount: float  # 0 = not sent
    amount_minor: int | None  # None = not sent
    currency_code: str  # "" = the order's
    idempotency_key: str


class Charger:
    def __init__(
        self,
        ledger: PaymentLedger,
        provider: PaymentProvider,
        orders: OrdersClient,
        reservations: ReservationsClient,
        methods: PaymentMethodsClient,
        refunder: Refunder,
        *,
        clock: Clock,
    ) -> None:
        self._ledger = ledger
        self._provider = provider
        self._orders = orders
        self._reservations = reservations
        self._methods = methods
        self._refunder = refunder
        self._clock = clock

    # --- CreatePayment ----------------------------------------------------------------------------

    async def charge(self, request: ChargeRequest) -> Document:
        payment_id = rules.payment_id_for_charge(request.user_id, request.idempotency_key)
        fingerprint = rules.charge_fingerprint(
            request.order_id, request.payment_method_id, request.amount, request.currency_code, request.amount_minor
        )

        async def plan(attempt: int) -> Write[_Next] | Done[_Next]:
            existing = await self._ledger.get(payment_id, request.user_id)
            if existing is None:
                doc = await self._new_charge(payment_id, fingerprint, request)
                # A duplicate with the same key winning the create fails it: judge its document.
                return Write([self._ledger.creation(doc)], _charge_it)
            if not rules.same_charge_request(existing["request"], fingerprint, existing["currency"]):
                raise IdempotencyMismatch.for_field(
                    "request_id", "this idempotency key was already used for a different payment request"
                )
            now = self._clock()
            if rules.in_flight(existing, now):
                raise Aborted(
                    f"payment {payment_id} for this idempotency key is still being processed; retry shortly",
                    reason=rules.REQUEST_IN_FLIGHT,
                )
            if rules.abandoned(existing, now):
                return Write([self._take_over(existing)], _charge_it)
            return Done(_Next(existing, complete=True))

        step = await self._ledger.commit(
            request.user_id,
            plan,
            busy=lambda: Aborted("this payment is being changed concurrently; retry", reason=rules.REQUEST_IN_FLIGHT),
        )
        return await (self._run_charge(step.payment) if step.charge else self.complete(step.payment))

    async def _new_charge(self, payment_id: str, fingerprint: dict[str, Any], request: ChargeRequest) -> Document:
        order = await self._payable_order(request.order_id)
        currency = request.currency_code or order.currency
        # CreatePayment refuses a request with neither amount, so `or 0` only satisfies the type.
        amount_minor = (
            exact_amount(
                order.currency,
                major=request.amount or None,
                major_field="amount",
                minor=request.amount_minor,
                minor_field="amount_minor",
            )
            or 0
        )
        given = to_major(amount_minor, order.currency)
        if currency != order.currency or amount_minor != order.total_minor:
            raise FailedPrecondition(
                f"the amount must equal the order total: {order.total_minor} {order.currency} minor units were "
                f"expected, {given} {currency} was sent",
                subject=f"orders/{order.id}",
                reason=rules.AMOUNT_MISMATCH,
                metadata={
                    "expected_amount_minor": str(order.total_minor),
                    "expected_currency_code": order.currency,
                    "given_amount": repr(given),
                    "given_currency_code": currency,
                },
            )
        method = await self._methods.get_callers(request.payment_method_id)
        doc = self._new_payment(payment_id, order, rules.SOURCE_CHARGE)
        doc.update(
            request=fingerprint,
            payment_method_id=method.id,
            provider_payment_method_id=method.provider_payment_method_id,
            card_brand=method.brand,
            card_last4=method.last4,
        )
        return doc

    async def _payable_order(self, order_id: str) -> OrderView:
        """The caller's order, read as the platform; NOT_FOUND for someone else's; refused unless payable."""
        order = await self._orders.get_order(order_id)
        require_owner(order.user_id, resource="order", hide_existence=True)
        if not order.payable:
            raise FailedPrecondition(
                f"order {order_id} is not awaiting payment (status {order_pb2.OrderStatus.Name(order.status)}, "
                f"payment {order_pb2.OrderPaymentStatus.Name(order.payment_status)})",
                subject=f"orders/{order_id}",
                reason=rules.ORDER_NOT_PAYABLE,
            )
        return order

    def _new_payment(self, payment_id: str, order: OrderView, source: str) -> Document:
        now = self._clock()
        return {
            "id": payment_id,
            "source": source,
            "order_id": order.id,
            "user_id": order.user_id,
            "reservation_id": order.reservation_id,
            "amount_minor": order.total_minor,
            "currency": order.currency,
            "status": rules.PENDING,
            "provider": self._provider.name,
            "payment_method_id": "",
            "provider_payment_method_id": "",
            "card_brand": "",
            "card_last4": "",
            "transaction_id": "",
            "client_secret": "",
            "failure_code": "",
            "failure_message": "",
            "amount_refunded_minor": 0,
            "refunds": [],
            "lease_until": rules.lease_until(now),
            "attempt": 1,
            "awaiting_provider": False,
            "order_recorded": False,
            "created_at": to_iso(now),
            "updated_at": to_iso(now),
            "succeeded_at": "",
        }

    def _take_over(self, doc: Document) -> ReplaceOp:
        """Leases an abandoned attempt to this call; the write fails when another call got there first."""
        now = self._clock()
        updated = {
            **doc,
            "lease_until": rules.lease_until(now),
            "attempt": doc["attempt"] + 1,
            "updated_at": to_iso(now),
        }
        return ReplaceOp(updated, if_match=doc["_etag"])

    async def resume_abandoned(self, doc: Document) -> Document | None:
        """Takes over a charge whose attempt stopped after claiming its order (its host died, or the
        provider's answer was lost) and drives it to its outcome with the same provider key: the
        provider replays a charge it already made, or makes the one the customer asked for. Returns
        the payment as completed, or None when someone else took it over first."""
        taken = await self._ledger.write(doc, self._take_over(doc).doc)
        if taken is None:
            return None
        return await self._run_charge(taken)

    async def _release(self, doc: Document) -> None:
        """Ends our lease early so an immediate retry can take the payment over."""
        await self._ledger.write(doc, {**doc, "lease_until": ""})

    async def _run_charge(self, doc: Document) -> Document:
        """Claims the order, charges through the provider and stores the outcome (doc is ours, leased)."""
        try:
            await self._claim_order(doc)
        except BaseException:
            # A first attempt never reached the provider: free the key. A taken-over one may have (its
            # claim is then ours and this cannot happen); should it anyway, keep it for the next retry.
            await (self._ledger.delete(doc) if doc["attempt"] == 1 else self._release(doc))
            raise
        try:
            result = await self._provider.create_payment(
                amount_minor=doc["amount_minor"],
                currency=doc["currency"],
                payment_method=doc["provider_payment_method_id"],
                customer_ref=doc["user_id"],
                idempotency_key=rules.provider_key(doc["id"]),
                metadata={"payment_id": doc["id"], "order_id": doc["order_id"], "user_id": doc["user_id"]},
            )
        except InvalidArgument:
            await self._ledger.delete(doc)  # the provider refused the request itself: nothing charged
            raise
        except BaseException:
            await self._release(doc)  # outcome unknown: the next retry asks the provider again, same key
            raise
        return await self._store_outcome(doc, self._with_outcome(doc, result))

    async def _claim_order(self, doc: Document) -> None:
        order_id, user_id = doc["order_id"], doc["user_id"]

        async def plan(attempt: int) -> Write[None] | Done[None] | Stale:
            claim = await self._ledger.read_claim(user_id, order_id)
            if claim is not None and claim["payment_id"] == doc["id"]:
                return Done(None)
            holder = await self._ledger.get(claim["payment_id"], user_id) if claim is not None else None
            if holder is not None:
                now = self._clock()
                if holder["status"] in rules.CAPTURED_STATUSES:
                    raise FailedPrecondition(
                        f"order {order_id} is already paid by payment {holder['id']}",
                        subject=f"orders/{order_id}",
                        reason=rules.ORDER_NOT_PAYABLE,
                    )
                if rules.in_flight(holder, now) or (holder["status"] == rules.PENDING and holder["awaiting_provider"]):
                    raise Aborted(
                        f"payment {holder['id']} of order {order_id} is in progress; wait for its outcome",
                        reason=rules.PAYMENT_IN_PROGRESS,
                    )
                if rules.abandoned(holder, now):
                    taken = await self._ledger.write(holder, self._take_over(holder).doc)
                    if taken is not None:
                        await self._run_charge(taken)  # its outcome decides whether we may charge
                    return STALE
            return Write([self._ledger.claim_op(user_id, order_id, doc["id"], current=claim)], _nothing)

        await self._ledger.commit(
            user_id,
            plan,
            busy=lambda: Aborted(
                f"order {order_id} is being paid concurrently; retry", reason=rules.PAYMENT_IN_PROGRESS
            ),
        )

    def _with_outcome(self, doc: Document, result: ProviderPayment) -> Document:
        now = to_iso(self._clock())
        updated: Document = {
            **doc,
            "transaction_id": result.id or doc["transaction_id"],
            "lease_until": "",
            "awaiting_provider": False,
            "order_recorded": False,  # a new outcome has its own follow-ups
            "updated_at": now,
        }
        if result.status == "succeeded":
            updated.update(
                status=rules.SUCCEEDED, succeeded_at=now, failure_code="", failure_message="", client_secret=""
            )
        elif result.status == "failed":
            updated.update(
                status=rules.FAILED,
                failure_code=result.failure_code or "card_declined",
                failure_message=result.failure_message,
                client_secret="",
            )
        elif result.status == "requires_action":
            updated.update(status=rules.REQUIRES_ACTION, client_secret=result.client_secret or doc["client_secret"])
        else:  # the provider settles it later, through a webhook
            updated.update(status=rules.PENDING, awaiting_provider=True)
        return updated

    async def _store_outcome(self, current: Document, updated: Document) -> Document:
        event = outcome_event(updated, clock=self._clock, correlation_id=current_request_id())
        written = await self._ledger.write(current, updated, [event] if event is not None else [])
        if written is None:
            # Someone else stored an outcome first (a webhook, or a retry that took over): use theirs.
            fresh = await self._ledger.reread(current)
            if fresh is None or rules.in_flight(fresh, self._clock()):
                raise Aborted(
                    f"payment {current['id']} is being processed concurrently", reason=rules.REQUEST_IN_FLIGHT
                )
            written = fresh
        return await self.complete(written)

    # --- settling ---------------------------------------------------------------------------------

    async def settle(self, located: Document, result: ProviderPayment) -> Document:
        """Applies an outcome the provider reported later (webhook) to a payment; idempotent. Decides
        first on `located` (a version just read); its etag guards the write."""
        payment_id = located["id"]

        async def plan(attempt: int) -> Write[_Next] | Done[_Next]:
            doc = await self._ledger.reread(located) if attempt else located
            if doc is None:
                raise NotFound(f"payment {payment_id!r} not found")
            if doc["status"] in rules.CAPTURED_STATUSES or doc["status"] == result.status:
                return Done(_Next(doc, complete=True))  # already known; make sure the follow-ups ran
            if result.status not in ("succeeded", "failed"):
                return Done(_Next(doc))
            updated = self._with_outcome(doc, result)
            event = outcome_event(updated, clock=self._clock, correlation_id=current_request_id())
            return Write(
                [ReplaceOp(updated, if_match=doc["_etag"])],
                _completing,
                events=[event] if event is not None else [],
            )

        step = await self._ledger.commit(
            located["user_id"],
            plan,
            busy=lambda: Aborted(
                f"payment {payment_id} is being changed concurrently; retry", reason=rules.REQUEST_IN_FLIGHT
            ),
        )
        return await self.complete(step.payment) if step.complete else step.payment

    async def complete(self, doc: Document) -> Document:
        """Runs the follow-ups of a stored outcome once (see module docstring); returns the payment."""
        if doc.get("order_recorded") or (doc["status"] == rules.PENDING):
            return doc
        if doc["status"] in rules.CAPTURED_STATUSES:
            try:
                if doc["reservation_id"]:
                    await self._reservations.confirm(doc["reservation_id"], request_id=f"{doc['id']}.confirm")
                order = await self._orders.record_payment(
                    doc["order_id"], doc["id"], order_pb2.ORDER_PAYMENT_STATUS_PAID, request_id=f"{doc['id']}.paid"
                )
                if order.payment_id and order.payment_id != doc["id"]:
                    raise FailedPrecondition(
                        f"order {doc['order_id']} was paid by payment {order.payment_id}",
                        subject=f"orders/{doc['order_id']}",
                        reason=rules.ORDER_NOT_PAYABLE,
                    )
            except FailedPrecondition as refusal:
                await self._refund_unusable(doc, refusal)
        else:
            status = (
                order_pb2.ORDER_PAYMENT_STATUS_PENDING
                if doc["status"] == rules.REQUIRES_ACTION
                else order_pb2.ORDER_PAYMENT_STATUS_FAILED
            )
            try:
                await self._orders.record_payment(
                    doc["order_id"], doc["id"], status, request_id=f"{doc['id']}.{doc['status']}"
                )
            except DomainError as exc:
                # Informational only: the payment is the record of the failure, the order stays pending.
                log.warning("order %s did not take payment status %s: %s", doc["order_id"], doc["status"], exc.message)
        return await self._mark_recorded(doc)

    async def _refund_unusable(self, doc: Document, refusal: FailedPrecondition) -> None:
        """Gives the money back for a capture the order cannot take (cancelled, expired, paid twice)."""
        log.warning("refunding payment %s: %s", doc["id"], refusal.message)
        try:
            await self._refunder.refund(
                doc,
                amount_minor=0,
                reason=f"automatic refund, the order could not take the payment: {refusal.message}"[: rules.REASON_MAX],
                return_id="",
                idempotency_key=f"unusable.{doc['id']}",
                requested_by=PLATFORM_ACTOR,
                sync_order=False,
            )
        except FailedPrecondition:
            return  # nothing left to refund: someone already did

    async def _mark_recorded(self, located: Document) -> Document:
        # Usually `located` is the version just written: try it first, read again only if it moved on.
        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            doc = await self._ledger.reread(located) if attempt else located
            if doc is None:
                raise NotFound(f"payment {located['id']!r} not found")
            if doc.get("order_recorded"):
                return Done(doc)
            return Write([ReplaceOp({**doc, "order_recorded": True}, if_match=doc["_etag"])], stored(0))

        busy = f"payment {located['id']} is being changed concurrently; retry"
        return await self._ledger.commit(located["user_id"], plan, busy=busy)

    # --- CreatePaymentIntent ----------------------------------------------------------------------

    async def open_intent(self, order_id: str) -> Document:
        """The order's one open intent (created on first use); the webhook settles it."""
        payment_id = rules.payment_id_for_intent(order_id)
        order = await self._orders.get_order(order_id)
        require_owner(order.user_id, resource="order", hide_existence=True)

        async def plan(attempt: int) -> Write[_Next] | Done[_Next]:
            existing = await self._ledger.get(payment_id, order.user_id)
            if existing is not None and existing["status"] in rules.CAPTURED_STATUSES:
                return Done(_Next(existing))
            if not order.payable:
                await self._payable_order(order_id)  # raises with the order's current state
            if existing is None:
                creation = self._ledger.creation(self._new_payment(payment_id, order, rules.SOURCE_INTENT))
                return Write([creation], _opening)
            if existing["transaction_id"]:
                if existing["status"] != rules.FAILED:
                    return Done(_Next(existing))
                # A failed attempt leaves the intent usable with another card (Stripe's model): reopen it.
                reopened = {
                    **existing,
                    "status": rules.PENDING,
                    "awaiting_provider": True,
                    "failure_code": "",
                    "failure_message": "",
                    "order_recorded": False,
                    "updated_at": to_iso(self._clock()),
                }
                return Write([ReplaceOp(reopened, if_match=existing["_etag"])], _as_is)
            if rules.in_flight(existing, self._clock()):
                raise Aborted(
                    f"the intent of order {order_id} is being opened; retry shortly", reason=rules.REQUEST_IN_FLIGHT
                )
            return Write([self._take_over(existing)], _opening)

        busy = f"the intent of order {order_id} is being changed concurrently; retry"
        step = await self._ledger.commit(order.user_id, plan, busy=busy)
        return await self._open(step.payment) if step.open else step.payment

    async def _open(self, doc: Document) -> Document:
        try:
            intent = await self._provider.create_intent(
                amount_minor=doc["amount_minor"],
                currency=doc["currency"],
                customer_ref=doc["user_id"],
                idempotency_key=rules.provider_key(doc["id"]),
                metadata={"payment_id": doc["id"], "order_id": doc["order_id"], "user_id": doc["user_id"]},
            )
        except BaseException:
            await self._release(doc)
            raise
        updated = {
            **doc,
            "transaction_id": intent.id,
            "client_secret": intent.client_secret,
            "awaiting_provider": True,
            "lease_until": "",
            "updated_at": to_iso(self._clock()),
        }
        written = await self._ledger.write(doc, updated)
        if written is None:
            fresh = await self._ledger.reread(doc)
            if fresh is None:
                raise Aborted("the intent changed concurrently; retry")
            return fresh
        return written
