"""OrderService over gRPC: placing orders from the cart, their lifecycle, and who sees them.

Storage: container `orders`, partition key /user_id. A customer's orders, their idempotency records
and the orders' outbox events share the customer's partition, so every change commits its state,
its events and (on creation) its stored response in ONE batch. Customers read their own partition
(someone else's order id is simply NOT_FOUND); staff (and the payments service) find an order
through `order_index` (pk /id: order id -> user id), written just before the order, so every
lookup is two point reads rather than a cross-partition query. A locator whose order was never
committed leads nowhere, which reads as NOT_FOUND.

Placing an order (CreateOrder) is a short saga around that one batch:
1. claim the idempotency key (replay / IDEMPOTENCY_KEY_REUSED / REQUEST_IN_FLIGHT, see
   hph.runtime.idempotency); the key is required;
2. gather and price the cart with checkout's rules (the same math as ValidateCheckout); every
   checkout error refuses the order with FAILED_PRECONDITION and that issue's reason (CART_EMPTY,
   PRODUCT_INACTIVE, SHIPPING_ADDRESS_INVALID for an address id that is not the caller's, ...);
3. consult the reservation policy agent (`reservation_check`: effective availability, per-shopper
   peak limits) with a short deadline: a held-back line refuses the order here (PURCHASE_LIMIT_EXCEEDED
   or OUT_OF_STOCK, a field violation per line); an agent that cannot answer is recorded on the order
   (`skipped_checks`) and the order goes on; at the same time, the fraud risk assessment
   (`risk_check`, agent checkout-support; a reservation refusal wins over a deny): deny refuses
   the order (ORDER_RISK_DENIED, drivers in the metadata), review places it flagged for staff
   (`review_required`, `ListAllOrders(review=true)`), and an agent that cannot answer is recorded
   in `skipped_checks` too;
4. reserve stock for every line at once (InventoryService.ReserveStock; OUT_OF_STOCK passes through
   with the short SKUs): the authority on stock, whatever the policy said;
5. commit order (pending, prices/address/totals frozen) + OrderCreated + OrderStatusChanged + the
   stored response in one batch; if that fails the reservation is released (and a hold left by a
   crash expires by its TTL);
6. clear the cart, only if it is unchanged since step 2 (its etag): a line added meanwhile stays.
The response (stored and replayed) carries no etag: it is fixed before the write assigns one.

Who confirms stock on payment: the payments service (ConfirmReservation, then RecordOrderPayment);
RecordOrderPayment itself only records the outcome. Cancelling releases the reservation (held or
confirmed) before the order is marked cancelled; a paid order's OrderCancelled carries
refund_minor > 0, which the payments service acts on (then reports the refund through
RecordOrderPayment). Pending orders whose payment is overdue are cancelled by `expiry`.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from holidaypeak.commerce.v1 import order_pb2
from holidaypeak.commerce.v1 import order_service_pb2 as pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as pb_grpc
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.commerce import identifiers
from hph.commerce.clients import CartClient, InventoryClient, best_effort
from hph.commerce.pricing import rules as checkout_rules
from hph.commerce.pricing.sources import (
    CheckoutSources,
    GatherRequest,
    check_request_fields,
    checkout_sources,
    postal_address,
)
from hph.commerce.pricing.tables import ShippingTable, TaxTable, default_shipping_table, default_tax_table
from hph.runtime import clock as clocks
from hph.runtime import money, validation
from hph.runtime.auth.principal import ROLE_STAFF
from hph.runtime.commit import Done, Write, commit, stored
from hph.runtime.deps import Dependencies
from hph.runtime.errors import Aborted, FailedPrecondition, NotFound, Violations
from hph.runtime.events import outbox_ops
from hph.runtime.idempotency import Claim, IdempotencyRecords, Replay
from hph.runtime.rpc.call_context import (
    current_principal,
    current_request_id,
    idempotency_key,
    require_owner,
    require_subject,
)
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import (
    And,
    BatchError,
    BatchOperation,
    Container,
    ContainerSpec,
    CreateOp,
    Document,
    Eq,
    Ge,
    In,
    Lt,
    NotFoundError,
    OrderBy,
    Query,
    ReplaceOp,
    Term,
)
from hph.runtime.storage.port import MAX_ID_LENGTH
from hph.services.orders import idempotency, messages, rules
from hph.services.orders.expiry import OverdueOrderSweeper
from hph.services.orders.reservation_check import ReservationCheck
from hph.services.orders.risk_check import RiskCheck
from hph.services.orders.rules import Actor, PaymentStatus, Status

ORDERS, ORDER_INDEX = "orders", "order_index"
# What this service keeps (the host creates these and registers the orders' outbox with the relay);
# the index maps order id -> owner, so staff find an order with point reads.
CONTAINERS = (ContainerSpec(ORDERS, "/user_id", outbox=True), ContainerSpec(ORDER_INDEX, "/id"))
NEWEST_FIRST = (OrderBy("created_at", descending=True),)
AMOUNT_MISMATCH = ErrorReason.ERROR_REASON_AMOUNT_MISMATCH
ORDER_ALREADY_PAID = ErrorReason.ERROR_REASON_ORDER_ALREADY_PAID
ORDER_NOT_PAID = ErrorReason.ERROR_REASON_ORDER_NOT_PAID
PAYMENT_ID_MAX = 128


@dataclass(frozen=True)
class Change:
    """What a decision writes: the new order document and the events it emits."""

    doc: Document
    events: Sequence[EventEnvelope] = ()


Decide = Callable[[Document], Awaitable[Change | None]]


def _status_filter(violations: Violations, field: str, values: Sequence[int], known: Any) -> list[str] | None:
    """Stored names for a repeated enum filter; None for "no filter". UNSPECIFIED matches nothing."""
    if not values:
        return None
    names = []
    for value in values:
        if value not in known and value != 0:
            violations.add(field, f"{value} is not a known status")
        elif value in known:
            names.append(known[value].value)
    return names


class OrderServicer(pb_grpc.OrderServiceServicer):
    def __init__(
        self,
        deps: Dependencies,
        orders: Container,
        index: Container,
        records: IdempotencyRecords,
        sources: CheckoutSources,
        cart: CartClient,
        inventory: InventoryClient,
        shipping: ShippingTable,
        taxes: TaxTable,
        reservation_check: ReservationCheck,
        risk_check: RiskCheck,
    ) -> None:
        self._deps = deps
        self._orders = orders
        self._index = index
        self._records = records
        self._sources = sources
        self._cart = cart
        self._inventory = inventory
        self._shipping = shipping
        self._taxes = taxes
        self._reservation_check = reservation_check
        self._risk_check = risk_check
        # Compensations still running after their request ended (kept so they are not collected).
        self._compensations: set[asyncio.Future[None]] = set()

    # --- reading --------------------------------------------------------------------------

    async def ListOrders(self, request: pb.ListOrdersRequest, context: Any) -> pb.ListOrdersResponse:
        violations = Violations()
        statuses = _status_filter(violations, "status", request.status, messages.STATUS_FROM_PB)
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        terms: list[Term] = [Eq("kind", messages.KIND)]
        if statuses is not None:
            terms.append(In("status", statuses))
        page = await self._orders.query(
            Query(where=And(*terms), order_by=NEWEST_FIRST),
            partition_key=require_subject(),
            max_items=size,
            continuation=token,
        )
        return pb.ListOrdersResponse(
            orders=[messages.order_message(d) for d in page.items], next_page_token=page.continuation or ""
        )

    async def GetOrder(self, request: pb.GetOrderRequest, context: Any) -> order_pb2.Order:
        _check_order_id(request.order_id)
        return messages.order_message(await self._find(request.order_id))

    async def ListAllOrders(self, request: pb.ListAllOrdersRequest, context: Any) -> pb.ListAllOrdersResponse:
        violations = Violations()
        statuses = _status_filter(violations, "status", request.status, messages.STATUS_FROM_PB)
        payments = _status_filter(violations, "payment_status", request.payment_status, messages.PAYMENT_FROM_PB)
        validation.text(violations, "user_id", request.user_id, max_length=MAX_ID_LENGTH)
        after = request.created_after.ToDatetime(tzinfo=UTC) if request.HasField("created_after") else None
        before = request.created_before.ToDatetime(tzinfo=UTC) if request.HasField("created_before") else None
        if after and before:
            violations.check(after < before, "created_before", "must be later than created_after")
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()

        terms: list[Term] = [Eq("kind", messages.KIND)]
        if statuses is not None:
            terms.append(In("status", statuses))
        if payments is not None:
            terms.append(In("payment_status", payments))
        if after:
            terms.append(Ge("created_at", clocks.to_iso(after)))
        if before:
            terms.append(Lt("created_at", clocks.to_iso(before)))
        if request.review:
            terms.append(Eq("review_required", True))
        page = await self._orders.query(
            Query(where=And(*terms), order_by=NEWEST_FIRST),
            partition_key=request.user_id or None,
            max_items=size,
            continuation=token,
        )
        return pb.ListAllOrdersResponse(
            orders=[messages.order_message(d) for d in page.items], next_page_token=page.continuation or ""
        )

    # --- placing --------------------------------------------------------------------------

    async def CreateOrder(self, request: pb.CreateOrderRequest, context: Any) -> order_pb2.Order:
        violations = Violations()
        violations.check(bool(request.shipping_address_id.strip()), "shipping_address_id", "is required")
        check_request_fields(
            violations,
            address_id=request.shipping_address_id,
            payment_method_id=request.payment_method_id,
            shipping_option=request.shipping_option,
        )
        if request.shipping_option:
            known = sorted(self._shipping.option_ids)
            violations.check(request.shipping_option in known, "shipping_option", f"must be one of {', '.join(known)}")
        if request.HasField("expected_total"):
            violations.check(
                math.isfinite(request.expected_total) and request.expected_total >= 0,
                "expected_total",
                "must be a non-negative amount",
            )
        validation.minor_amount(violations, "expected_total_minor", _expected_total_minor(request))
        rules.campaign_code(violations, request.campaign_code)
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key, required=True)  # a retried POST never places a second order
        violations.raise_if_any()
        user_id = require_subject()

        claimed = await self._records.claim(user_id, key, idempotency.create_fingerprint(request))
        if isinstance(claimed, Replay):
            return order_pb2.Order.FromString(claimed.response)
        try:
            return await self._place(request, user_id, key, claimed)
        except BaseException:
            # Nothing was placed (or it was, and the record is completed so this is a no-op).
            await asyncio.shield(self._records.release(claimed))
            raise

    async def _place(self, request: pb.CreateOrderRequest, user_id: str, key: str, claim: Claim) -> order_pb2.Order:
        gathered = await self._sources.gather(
            GatherRequest(
                address_id=request.shipping_address_id,
                payment_method_id=request.payment_method_id,
                shipping_option=request.shipping_option,
                # Empty means paying through a payment intent, so there is nothing to check.
                check_payment=bool(request.payment_method_id),
                # The reservation below is the authority on stock.
                check_stock=False,
                strict=True,
            )
        )
        priced = checkout_rules.assess(gathered.checkout, self._shipping, self._taxes)
        if priced.errors:
            raise checkout_rules.refusal(priced.errors)
        if gathered.address is None:  # pragma: no cover - strict assessment reports it as an error
            raise FailedPrecondition("no shipping address", reason=ErrorReason.ERROR_REASON_SHIPPING_ADDRESS_REQUIRED)
        _require_expected_total(request, priced)

        order_id = rules.new_order_id()
        # Both agents at once (the order waits for the slower, not the sum); when both refuse, the
        # reservation's refusal wins whichever answered first: it names lines the shopper can change.
        reservation_checked, risk_checked = await asyncio.gather(
            self._reservation_check.check(user_id=user_id, order_id=order_id, lines=priced.lines),
            self._risk_check.check(
                user_id=user_id,
                amount_minor=priced.total_minor,
                currency_code=priced.currency_code,
                payment_method_id=request.payment_method_id,
                shipping_address_id=request.shipping_address_id,
            ),
            return_exceptions=True,
        )
        if isinstance(reservation_checked, BaseException):
            raise reservation_checked
        if isinstance(risk_checked, BaseException):
            raise risk_checked
        skipped_checks = [*reservation_checked, *risk_checked.skipped]
        risk = risk_checked
        reservation = await self._inventory.reserve(
            order_id=order_id, user_id=user_id, lines=[(line.product_id, line.quantity) for line in priced.lines]
        )
        now = clocks.to_iso(self._deps.clock())
        doc = messages.new_order_document(
            order_id=order_id,
            user_id=user_id,
            assessment=priced,
            address=postal_address(gathered.address),
            address_id=request.shipping_address_id,
            payment_method_id=request.payment_method_id,
            reservation_id=reservation.id,
            payment_due_at=(
                clocks.to_iso(reservation.expires_at.ToDatetime(tzinfo=UTC))
                if reservation.HasField("expires_at")
                else ""
            ),
            request_id=key,
            now=now,
            skipped_checks=skipped_checks,
            review_reason=risk.review_reason,
            campaign_code=rules.campaign_code(Violations(), request.campaign_code),
        )
        response = messages.order_message(doc, with_etag=False)
        events = messages.created_events(doc, correlation_id=current_request_id(), clock=self._deps.clock)
        operations: list[BatchOperation] = [
            CreateOp(doc),
            *outbox_ops(self._orders, events, user_id),
            self._records.completion_op(claim, response.SerializeToString(deterministic=True)),
        ]
        await self._index.create({"id": order_id, "user_id": user_id, "created_at": now})
        await self._commit_placement(user_id, operations, reservation.id)
        self._deps.notify_relay()
        await best_effort(
            f"clearing the cart after order {order_id}",
            lambda: self._cart.clear(user_id="", etag=gathered.cart.etag, request_id=f"{order_id}.clear"),
        )
        return response

    async def _commit_placement(self, user_id: str, operations: list[BatchOperation], reservation_id: str) -> None:
        """Commits the new order; whenever it is not committed, its stock goes back.

        The commit runs to its end even if the caller goes away meanwhile (the store may already be
        applying it), and the stock is released only once the commit is known to have failed."""
        commit = asyncio.ensure_future(self._orders.batch(user_id, operations))
        try:
            await asyncio.shield(commit)
        except asyncio.CancelledError:
            commit.add_done_callback(lambda done: self._release_if_failed(done, reservation_id))
            raise
        except Exception as exc:
            await self._release_unplaced(reservation_id)
            if isinstance(exc, BatchError) and exc.index == len(operations) - 1:
                raise Aborted(
                    "this request took too long and a retry took it over; its result is the one that counts",
                    reason=ErrorReason.ERROR_REASON_REQUEST_IN_FLIGHT,
                ) from None
            raise

    def _release_if_failed(self, commit: asyncio.Future[Any], reservation_id: str) -> None:
        if commit.cancelled() or commit.exception() is not None:
            task = asyncio.ensure_future(self._release_unplaced(reservation_id))
            self._compensations.add(task)
            task.add_done_callback(self._compensations.discard)

    async def _release_unplaced(self, reservation_id: str) -> None:
        await best_effort(
            f"releasing reservation {reservation_id} of an order that was not placed",
            lambda: self._inventory.release(reservation_id, reason="order not placed"),
        )

    # --- lifecycle ------------------------------------------------------------------------

    async def CancelOrder(self, request: pb.CancelOrderRequest, context: Any) -> order_pb2.Order:
        violations = Violations()
        identifiers.check_order_id(violations, request.order_id)
        rules.check_reason(violations, request.reason)
        validation.request_id(violations, idempotency_key(request.request_id))
        violations.raise_if_any()
        principal = current_principal()
        default_reason = "cancelled by staff" if principal.has_role(ROLE_STAFF) else "cancelled by the customer"
        reason = request.reason.strip() or default_reason
        decide = self._cancellation(reason, principal.subject)
        doc = await self._change(await self._find(request.order_id), decide, expected_etag=request.etag)
        return messages.order_message(doc)

    async def cancel_overdue(self, doc: Document) -> None:
        """Cancels a pending order whose payment did not arrive in time (the expiry sweeper's job)."""

        async def decide(current: Document) -> Change | None:
            if current.get("status") != Status.PENDING.value:
                return None  # paid or cancelled meanwhile
            return await self._cancellation("payment not received", "")(current)

        await self._change(await self._reread(doc), decide)

    def _cancellation(self, reason: str, actor_id: str) -> Decide:
        async def decide(doc: Document) -> Change | None:
            previous = Status(doc["status"])
            if previous == Status.CANCELLED:
                return None  # idempotent
            rules.check_transition(previous, Status.CANCELLED, Actor.CANCELLATION, order_id=doc["id"])
            if doc.get("reservation_id"):
                # Before the write: a cancelled order never keeps stock; a failed write re-decides.
                await self._inventory.release(doc["reservation_id"], reason="order cancelled")
            now = clocks.to_iso(self._deps.clock())
            updated = {**doc, "status": Status.CANCELLED.value, "cancel_reason": reason, "cancelled_at": now}
            updated["updated_at"] = now
            updated.pop("payment_due_at", None)
            captured = PaymentStatus(doc["payment_status"]) in rules.CAPTURED_STATUSES
            refund = doc["total_minor"] - doc.get("amount_refunded_minor", 0) if captured else 0
            events = messages.cancelled_events(
                updated,
                previous,
                actor_id=actor_id,
                refund_minor=refund,
                correlation_id=current_request_id(),
                clock=self._deps.clock,
            )
            return Change(updated, events)

        return decide

    async def UpdateOrderStatus(self, request: pb.UpdateOrderStatusRequest, context: Any) -> order_pb2.Order:
        violations = Violations()
        identifiers.check_order_id(violations, request.order_id)
        target = messages.STATUS_FROM_PB.get(request.status)
        violations.check(target is not None, "status", "is required: the status to move the order to")
        rules.check_reason(violations, request.reason)
        validation.request_id(violations, idempotency_key(request.request_id))
        returned = [(item.product_id, item.quantity) for item in request.returned_items]
        given = rules.check_returned_items(violations, returned, target)
        violations.raise_if_any()
        assert target is not None

        async def decide(doc: Document) -> Change | None:
            current = Status(doc["status"])
            if returned:
                against_order = Violations()
                ordered = {line["product_id"]: line["quantity"] for line in doc["items"]}
                rules.check_returned_against_order(against_order, returned, ordered, order_id=doc["id"])
                against_order.raise_if_any()
            lines = rules.merge_returned(doc["items"], given) if given else None
            now = clocks.to_iso(self._deps.clock())
            if rules.is_no_change(current, target):
                if lines is None:
                    return None
                # Only more units returned (e.g. a second partial return): stored, no status event.
                return Change({**doc, "items": lines, "updated_at": now})
            rules.check_transition(current, target, Actor.STAFF, order_id=doc["id"])
            updated = {**doc, "status": target.value, "updated_at": now}
            if lines is not None:
                updated["items"] = lines
            if target in rules.REACHED_AT:
                updated[rules.REACHED_AT[target]] = now
            event = messages.status_changed_event(
                updated,
                current,
                reason=request.reason.strip(),
                correlation_id=current_request_id(),
                clock=self._deps.clock,
            )
            return Change(updated, [event])

        doc = await self._change(await self._find(request.order_id), decide, expected_etag=request.etag)
        return messages.order_message(doc)

    async def RecordOrderPayment(self, request: pb.RecordOrderPaymentRequest, context: Any) -> order_pb2.Order:
        violations = Violations()
        identifiers.check_order_id(violations, request.order_id)
        validation.text(violations, "payment_id", request.payment_id, required=True, max_length=PAYMENT_ID_MAX)
        target = messages.PAYMENT_FROM_PB.get(request.payment_status)
        violations.check(
            target is not None and target != PaymentStatus.UNPAID,
            "payment_status",
            "must be PENDING, PAID, FAILED, PARTIALLY_REFUNDED or REFUNDED",
        )
        refunded_minor = request.amount_refunded_minor if request.HasField("amount_refunded_minor") else None
        if target in rules.REFUNDED_STATUSES and (request.amount_refunded or refunded_minor is None):
            violations.check(
                math.isfinite(request.amount_refunded) and request.amount_refunded > 0,
                "amount_refunded",
                "is required with a refunded status: the cumulative amount refunded",
            )
        validation.minor_amount(violations, "amount_refunded_minor", refunded_minor, minimum=1)
        validation.request_id(violations, idempotency_key(request.request_id))
        violations.raise_if_any()
        assert target is not None
        decide = self._payment_outcome(request, target)
        doc = await self._change(await self._find(request.order_id), decide)
        return messages.order_message(doc)

    def _payment_outcome(self, request: pb.RecordOrderPaymentRequest, target: PaymentStatus) -> Decide:
        async def decide(doc: Document) -> Change | None:
            status, paid = Status(doc["status"]), PaymentStatus(doc["payment_status"])
            now = clocks.to_iso(self._deps.clock())
            if target == PaymentStatus.PAID:
                if paid in rules.CAPTURED_STATUSES:
                    if doc.get("payment_id") == request.payment_id:
                        return None  # a retry of the payment already recorded
                    raise FailedPrecondition(
                        f"order {doc['id']} was already paid by payment {doc.get('payment_id')}",
                        reason=ORDER_ALREADY_PAID,
                        subject=f"orders/{doc['id']}",
                    )
                rules.check_transition(status, Status.PAID, Actor.PAYMENT, order_id=doc["id"])
                updated = {
                    **doc,
                    "status": Status.PAID.value,
                    "payment_status": PaymentStatus.PAID.value,
                    "payment_id": request.payment_id,
                    "paid_at": now,
                    "updated_at": now,
                }
                updated.pop("payment_due_at", None)
                return Change(
                    updated, messages.paid_events(updated, correlation_id=current_request_id(), clock=self._deps.clock)
                )
            if target in rules.REFUNDED_STATUSES:
                return _refund_change(doc, request, now)
            # An attempt in progress or failed: informational, only while nothing was captured.
            if status != Status.PENDING or not rules.attempt_status_applies(paid):
                return None
            if paid == target and doc.get("last_payment_attempt_id") == request.payment_id:
                return None
            updated = {**doc, "payment_status": target.value, "last_payment_attempt_id": request.payment_id}
            updated["updated_at"] = now
            return Change(updated)

        return decide

    # --- helpers --------------------------------------------------------------------------

    async def _find(self, order_id: str) -> Document:
        """The order as the caller may see it: staff any, a customer only their own (else NOT_FOUND)."""
        principal = current_principal()
        doc: Document | None = None
        try:
            if principal.has_role(ROLE_STAFF):
                locator = await self._index.read(order_id, order_id)
                doc = await self._orders.read(order_id, locator["user_id"])
            else:
                doc = await self._orders.read(order_id, require_subject())
        except NotFoundError:
            pass
        if doc is None or doc.get("kind") != messages.KIND:
            raise NotFound(f"order {order_id!r} not found")
        require_owner(doc["user_id"], resource="order", hide_existence=True)
        return doc

    async def _reread(self, doc: Document) -> Document:
        """The order's current version (its owner, so its partition, never changes)."""
        return await self._orders.read(doc["id"], doc["user_id"])

    async def _change(self, doc: Document, decide: Decide, *, expected_etag: str = "") -> Document:
        """Decide on `doc` (just read), write with its etag (state + events in one batch); re-reads and
        re-decides when another writer got in between, unless the caller pinned an etag (then ABORTED)."""

        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            current = await self._reread(doc) if attempt else doc
            if expected_etag and current.get("_etag") != expected_etag:
                raise Aborted(f"order {current['id']!r} changed since etag {expected_etag!r}; read it again")
            change = await decide(dict(current))
            if change is None:
                return Done(current)
            return Write([ReplaceOp(change.doc, if_match=current["_etag"])], stored(0), events=change.events)

        return await commit(
            self._orders,
            doc["user_id"],
            plan,
            busy="the order is being changed by others; retry",
            pinned=f"order {doc['id']!r} changed meanwhile; read it again" if expected_etag else "",
            notify=self._deps.notify_relay,
        )


def _check_order_id(order_id: str) -> None:
    violations = Violations()
    identifiers.check_order_id(violations, order_id)
    violations.raise_if_any()


def _expected_total_minor(request: pb.CreateOrderRequest) -> int | None:
    return request.expected_total_minor if request.HasField("expected_total_minor") else None


def _require_expected_total(request: pb.CreateOrderRequest, priced: checkout_rules.Assessment) -> None:
    """Refuses the order when the caller sent the total they were shown and it is not the total now."""
    currency = priced.currency_code
    expected = validation.exact_amount(
        currency,
        major=request.expected_total if request.HasField("expected_total") else None,
        major_field="expected_total",
        minor=_expected_total_minor(request),
        minor_field="expected_total_minor",
    )
    if expected is not None and expected != priced.total_minor:
        shown = checkout_rules.format_money(expected, currency)
        total = checkout_rules.format_money(priced.total_minor, currency)
        raise FailedPrecondition(
            f"the order now comes to {total}, not the {shown} shown; review it and order again",
            reason=AMOUNT_MISMATCH,
            subject="expected_total",
            metadata={
                "expected_total": str(money.to_major(expected, currency)),
                "total": str(money.to_major(priced.total_minor, currency)),
            },
        )


def _refund_change(doc: Document, request: pb.RecordOrderPaymentRequest, now: str) -> Change | None:
    if PaymentStatus(doc["payment_status"]) not in rules.CAPTURED_STATUSES:
        raise FailedPrecondition(
            f"order {doc['id']} was not paid, so nothing can be refunded",
            reason=ORDER_NOT_PAID,
            subject=f"orders/{doc['id']}",
        )
    # RecordOrderPayment refuses a refunded status with neither amount, so `or 0` only satisfies the type.
    amount = (
        validation.exact_amount(
            doc["currency_code"],
            major=request.amount_refunded or None,
            major_field="amount_refunded",
            minor=request.amount_refunded_minor if request.HasField("amount_refunded_minor") else None,
            minor_field="amount_refunded_minor",
        )
        or 0
    )
    violations = Violations()
    rules.check_refund(violations, amount, doc["total_minor"])
    violations.raise_if_any()
    if amount <= doc.get("amount_refunded_minor", 0):
        return None  # a retry, or an older report arriving late
    updated = {
        **doc,
        "amount_refunded_minor": amount,
        "payment_status": rules.refund_status(amount, doc["total_minor"]).value,
        "updated_at": now,
    }
    return Change(updated)


async def create_binding(deps: Dependencies) -> ServiceBinding:
    orders = await deps.store.container(ORDERS, "/user_id")
    index = await deps.store.container(ORDER_INDEX, "/id")
    records = idempotency.create_records(orders, deps.clock)
    servicer = OrderServicer(
        deps,
        orders,
        index,
        records,
        checkout_sources(deps),
        CartClient(deps.channels),
        InventoryClient(deps.channels, deps.service_credentials),
        default_shipping_table(),
        default_tax_table(),
        ReservationCheck(deps),
        RiskCheck(deps),
    )
    deps.background.append(OverdueOrderSweeper(orders, servicer.cancel_overdue, clock=deps.clock))
    deps.background.append(records.expiry())
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["OrderService"].full_name,
        add_to_server=lambda server: pb_grpc.add_OrderServiceServicer_to_server(servicer, server),
    )
