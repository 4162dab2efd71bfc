"""ReturnService over gRPC: customers ask to return delivered items, staff take them through the
lifecycle in `rules` (requested -> approved | rejected; approved -> received -> restocked ->
refunded).

Storage: container `returns`, partition key /order_id. An order's returns, its tally (return
numbers, units claimed by open returns, units refunded, create idempotency keys) and their outbox
events share the order's partition, so every change commits return + tally + events in ONE batch
with etag compare-and-swap on both documents. Two concurrent requests can therefore never claim
the same unit twice, and a return id ("RET-<order hex>-<n>") names its partition, so every read is
a point read. A customer's own list is a query on user_id across partitions; staff filter by order
(one partition) or user.

Steps with effects elsewhere are staged, then applied with keys derived from the return, then
committed, so a retry (or a crash between the steps) never repeats an effect:
- restock: the chosen quantities are stored on the return first (`restock_plan`); each SKU is then
  raised through InventoryService.UpdateInventoryItem with key "<return>.restock.<sku>" (inventory
  commits the delta and its receipt in one batch and replays a retried key), then the return
  becomes restocked. A retry with other quantities while a plan is open is RESTOCK_IN_PROGRESS.
- refund: the amount is stored first (`refund_plan`, with an attempt number); RefundPayment is
  called with key "<return>.refund.<attempt>" (payments replays a retried key and resumes a pending
  refund); on success the return becomes refunded and the order's refunded units grow in the same
  batch, then the order moves to partially_returned/returned with each line's refunded units so far
  (cumulative: the order keeps the larger count, so repeats never add). A refund the provider refused
  (REFUND_FAILED) or payments refused before moving money (e.g. AMOUNT_MISMATCH) may be tried
  again, with another amount, under the next attempt's key. A pending refund answers
  UNAVAILABLE (REFUND_PENDING): retry once it settled. Retrying RefundReturn on a refunded return
  brings the order's status up to date again, which repairs an order update that failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from holidaypeak.commerce.v1 import refund_pb2, return_pb2
from holidaypeak.commerce.v1 import return_service_pb2 as pb
from holidaypeak.commerce.v1 import return_service_pb2_grpc as pb_grpc
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce import identifiers, returns_policy
from hph.runtime import clock as clocks
from hph.runtime import idempotency, validation
from hph.runtime.auth.principal import ROLE_ADMIN, ROLE_CUSTOMER, ROLE_STAFF
from hph.runtime.commit import Done, Write, commit, stored
from hph.runtime.deps import Dependencies
from hph.runtime.errors import (
    Aborted,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unavailable,
    Violations,
)
from hph.runtime.rpc.call_context import (
    current_principal,
    current_request_id,
    idempotency_key,
    require_owner,
)
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import (
    And,
    BatchOperation,
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
from hph.services.returns import messages, rules
from hph.services.returns.clients import InventoryClient, OrdersClient, OrderView, PaymentsClient
from hph.services.returns.estimate import CONDITION_TO_AGENT, ReturnEstimates
from hph.services.returns.rules import Role, Status

RETURNS = "returns"
PARTITION_KEY = "/order_id"
# What this service keeps (the host creates it and registers its outbox with the relay).
CONTAINERS = (ContainerSpec(RETURNS, PARTITION_KEY, outbox=True),)
NEWEST_FIRST = (OrderBy("created_at", descending=True), OrderBy("id", descending=True))
REFUND_PENDING = ErrorReason.ERROR_REASON_REFUND_PENDING
_ROLE_NUMBER: Mapping[Role, int] = {Role.CUSTOMER: ROLE_CUSTOMER, Role.STAFF: ROLE_STAFF, Role.ADMIN: ROLE_ADMIN}

# Extra fields a transition writes, from the document before it.
Extra = Callable[[Document], dict[str, Any]]
# The tally after a transition, from the return before it and the tally read.
TallyChange = Callable[[Document, Document], Document]


def _status_filter(violations: Violations, value: int) -> Status | None:
    if value == return_pb2.RETURN_STATUS_UNSPECIFIED:
        return None
    status = messages.STATUS_FROM_PB.get(value)
    violations.check(status is not None, "status", f"{value} is not a return status")
    return status


def _lines(doc: Document) -> dict[str, int]:
    return messages.units(doc["items"])


class ReturnServicer(pb_grpc.ReturnServiceServicer):
    def __init__(
        self,
        deps: Dependencies,
        returns: Container,
        orders: OrdersClient,
        inventory: InventoryClient,
        payments: PaymentsClient,
        estimates: ReturnEstimates,
    ) -> None:
        self._deps = deps
        self._estimates = estimates
        self._returns = returns
        self._orders = orders
        self._inventory = inventory
        self._payments = payments

    # --- customers ----------------------------------------------------------------------------

    async def CreateReturn(self, request: pb.CreateReturnRequest, context: Any) -> return_pb2.Return:
        violations = Violations()
        identifiers.check_order_id(violations, request.order_id)
        wanted = rules.check_items(violations, [(i.product_id, i.quantity) for i in request.items])
        reason = messages.REASON_FROM_PB.get(request.reason)
        rules.check_reason(violations, reason, request.reason_detail)
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key)
        violations.raise_if_any()
        assert reason is not None
        user_id = current_principal().subject

        order = await self._orders.get(request.order_id)
        if order is None or order.user_id != user_id:
            raise NotFound(f"order {request.order_id!r} not found")
        fingerprint = idempotency.keyed_request_fingerprint(request)
        tally_id = messages.tally_id(order.id)
        tally = await self._read(tally_id, order.id)
        # A retry is answered even once the order or the window no longer allow a new return.
        replayed = await self._replay_create(user_id, key, fingerprint, tally)
        if replayed is not None:
            return messages.return_message(replayed)
        rules.check_order_returnable(order.status, order_id=order.id)
        rules.check_window(order.delivered_at, self._deps.clock(), self._window_days, order_id=order.id)

        async def plan(attempt: int) -> Write[return_pb2.Return] | Done[return_pb2.Return]:
            nonlocal tally
            if attempt:  # the tally changed under the last attempt: decide again on the new one
                tally = await self._read(tally_id, order.id)
                replayed = await self._replay_create(user_id, key, fingerprint, tally)
                if replayed is not None:
                    return Done(messages.return_message(replayed))
            current = tally or messages.new_tally(order.id)
            rules.check_quantities(wanted, order.lines, current["claimed"], order_id=order.id)
            number = int(current["last_number"]) + 1
            if number > rules.MAX_RETURNS_PER_ORDER:
                raise FailedPrecondition(
                    f"order {order.id} already has {rules.MAX_RETURNS_PER_ORDER} returns",
                    reason=rules.TOO_MANY_RETURNS,
                    subject=f"orders/{order.id}",
                )
            doc = self._new_return(order, rules.return_id_for(order.id, number), wanted, request, reason, user_id)
            new_tally = {
                **current,
                "last_number": number,
                "claimed": rules.add_claims(current["claimed"], wanted),
                "updated_at": doc["created_at"],
            }
            if key:
                new_tally["requests"] = {
                    **current["requests"],
                    _request_slot(user_id, key): {"return_id": doc["id"], "fingerprint": fingerprint},
                }
            event = messages.event_for(
                doc, actor_id=user_id, note="", correlation_id=current_request_id(), clock=self._deps.clock
            )
            operations: list[BatchOperation] = [
                CreateOp(new_tally) if tally is None else ReplaceOp(new_tally, if_match=tally["_etag"]),
                CreateOp(doc),
            ]
            return Write(operations, lambda written: messages.return_message(stored(1)(written)), events=[event])

        return await commit(
            self._returns,
            order.id,
            plan,
            busy=f"the returns of order {order.id} are being changed by others; retry",
            notify=self._deps.notify_relay,
        )

    async def PreviewReturn(self, request: pb.PreviewReturnRequest, context: Any) -> pb.PreviewReturnResponse:
        violations = Violations()
        identifiers.check_order_id(violations, request.order_id)
        asked = [(i.product_id, i.quantity) for i in request.items]
        wanted = rules.check_items(violations, asked) if asked else {}
        violations.check(
            request.reason == return_pb2.RETURN_REASON_UNSPECIFIED or request.reason in messages.REASON_FROM_PB,
            "reason",
            f"{request.reason} is not a ReturnReason",
        )
        violations.check(
            request.condition in CONDITION_TO_AGENT, "condition", f"{request.condition} is not a condition"
        )
        violations.raise_if_any()
        order = await self._orders.get(request.order_id)
        if order is None or order.user_id != current_principal().subject:
            raise NotFound(f"order {request.order_id!r} not found")
        for index, product_id in enumerate(wanted):
            violations.check(product_id in order.lines, f"items[{index}].product_id", f"is not on order {order.id}")
        violations.raise_if_any()
        tally = await self._read(messages.tally_id(order.id), order.id)
        claimed: dict[str, int] = tally["claimed"] if tally else {}
        if not wanted:  # everything still returnable
            wanted = {p: n for p, line in order.lines.items() if (n := line.quantity - claimed.get(p, 0)) > 0}
        response = pb.PreviewReturnResponse(
            order_id=order.id,
            currency_code=order.currency,
            returnable=True,
            refundable_minor=rules.refund_estimate(wanted, order.lines, order.subtotal_minor, order.tax_minor),
        )
        if order.delivered_at is not None:
            closes = returns_policy.window_closes_at(order.delivered_at, self._window_days)
            response.window_closes_at.FromDatetime(closes)
        try:  # exactly CreateReturn's checks, reported instead of raised
            rules.check_order_returnable(order.status, order_id=order.id)
            rules.check_window(order.delivered_at, self._deps.clock(), self._window_days, order_id=order.id)
            if not wanted:
                raise FailedPrecondition(
                    f"every unit of order {order.id} is already in a return", reason=rules.QUANTITY_EXCEEDED
                )
            rules.check_quantities(wanted, order.lines, claimed, order_id=order.id)
        except FailedPrecondition as refused:
            response.returnable = False
            response.not_returnable_reason = ErrorReason.Name(refused.reason).removeprefix("ERROR_REASON_")
            response.not_returnable_message = refused.message
        estimate, skipped = await self._estimates.estimate(request)
        if estimate is not None:
            response.estimate.CopyFrom(estimate)
        response.estimate_skipped = skipped
        return response

    async def ListReturns(self, request: pb.ListReturnsRequest, context: Any) -> pb.ListReturnsResponse:
        violations = Violations()
        status = _status_filter(violations, request.status)
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        terms: list[Term] = [Eq("kind", messages.RETURN_KIND), Eq("user_id", current_principal().subject)]
        if status is not None:
            terms.append(Eq("status", status.value))
        page = await self._returns.query(
            Query(where=And(*terms), order_by=NEWEST_FIRST), max_items=size, continuation=token
        )
        return pb.ListReturnsResponse(
            returns=[messages.return_message(d) for d in page.items], next_page_token=page.continuation or ""
        )

    async def GetReturn(self, request: pb.GetReturnRequest, context: Any) -> return_pb2.Return:
        doc = await self._find(_checked_id(request.return_id))
        require_owner(doc["user_id"], resource="return", hide_existence=True)
        return messages.return_message(doc)

    # --- staff --------------------------------------------------------------------------------

    async def ListAllReturns(self, request: pb.ListAllReturnsRequest, context: Any) -> pb.ListAllReturnsResponse:
        violations = Violations()
        status = _status_filter(violations, request.status)
        if request.order_id:
            identifiers.check_order_id(violations, request.order_id)
        validation.text(violations, "user_id", request.user_id, max_length=rules.MAX_REQUEST_ID)
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        terms: list[Term] = [Eq("kind", messages.RETURN_KIND)]
        if status is not None:
            terms.append(Eq("status", status.value))
        if request.user_id:
            terms.append(Eq("user_id", request.user_id))
        page = await self._returns.query(
            Query(where=And(*terms), order_by=NEWEST_FIRST),
            partition_key=request.order_id or None,
            max_items=size,
            continuation=token,
        )
        return pb.ListAllReturnsResponse(
            returns=[messages.return_message(d) for d in page.items], next_page_token=page.continuation or ""
        )

    async def GetAnyReturn(self, request: pb.GetAnyReturnRequest, context: Any) -> return_pb2.Return:
        return messages.return_message(await self._find(_checked_id(request.return_id)))

    async def ApproveReturn(self, request: pb.ApproveReturnRequest, context: Any) -> return_pb2.Return:
        key = _check_step(request.return_id, request.etag, request.request_id, note=request.note)
        doc = await self._transition(
            request.return_id, Status.APPROVED, note=request.note.strip(), etag=request.etag, key=key
        )
        return messages.return_message(doc)

    async def RejectReturn(self, request: pb.RejectReturnRequest, context: Any) -> return_pb2.Return:
        violations = Violations()
        validation.text(violations, "reason", request.reason, required=True, max_length=rules.MAX_REJECTION_REASON)
        key = _check_step(request.return_id, request.etag, request.request_id, violations=violations)
        reason = request.reason.strip()

        def give_back(before: Document, tally: Document) -> Document:
            return {**tally, "claimed": rules.add_claims(tally["claimed"], _lines(before), sign=-1)}

        doc = await self._transition(
            request.return_id,
            Status.REJECTED,
            note=reason,
            etag=request.etag,
            key=key,
            extra=lambda _: {"rejection_reason": reason},
            tally_change=give_back,
        )
        return messages.return_message(doc)

    async def ReceiveReturn(self, request: pb.ReceiveReturnRequest, context: Any) -> return_pb2.Return:
        key = _check_step(request.return_id, request.etag, request.request_id, note=request.note)
        doc = await self._transition(
            request.return_id, Status.RECEIVED, note=request.note.strip(), etag=request.etag, key=key
        )
        return messages.return_message(doc)

    async def RestockReturn(self, request: pb.RestockReturnRequest, context: Any) -> return_pb2.Return:
        key = _check_step(request.return_id, request.etag, request.request_id, note=request.note)
        asked = [(i.product_id, i.quantity) for i in request.items]
        doc = await self._find(request.return_id)
        if (done := self._already(doc, Status.RESTOCKED, key)) is not None:
            return messages.return_message(done)
        _check_etag(doc, request.etag)
        self._check_edge(doc, Status.RESTOCKED)
        violations = Violations()
        chosen = rules.check_restock_items(violations, asked, _lines(doc))
        violations.raise_if_any()

        staged = await self._stage(doc, "restock_plan", chosen, in_progress=rules.RESTOCK_IN_PROGRESS)
        if Status(staged["status"]) == Status.RESTOCKED:
            return messages.return_message(staged)
        plan: dict[str, int] = staged["restock_plan"]
        for sku in sorted(plan):
            if plan[sku] > 0:
                await self._inventory.restock(
                    sku,
                    plan[sku],
                    reason=f"return {doc['id']} restocked",
                    request_id=f"{doc['id']}.restock.{sku}",
                )
        prices = {line["product_id"]: line["unit_price_minor"] for line in doc["items"]}

        def restocked(before: Document) -> dict[str, Any]:
            lines = [
                {"product_id": p, "quantity": q, "unit_price_minor": prices[p]}
                for p, q in before.get("restock_plan", plan).items()
            ]
            return {
                "restock_lines": lines,
                "restocked_items": [line for line in lines if line["quantity"] > 0],
                "restock_plan": None,
            }

        done = await self._transition(
            doc["id"], Status.RESTOCKED, note=request.note.strip(), etag="", key=key, extra=restocked, start=staged
        )
        return messages.return_message(done)

    async def RefundReturn(self, request: pb.RefundReturnRequest, context: Any) -> return_pb2.Return:
        violations = Violations()
        if request.HasField("amount"):
            violations.check(request.amount > 0, "amount", "must be more than 0")
        amount_minor = request.amount_minor if request.HasField("amount_minor") else None
        validation.minor_amount(violations, "amount_minor", amount_minor, minimum=1)
        key = _check_step(request.return_id, request.etag, request.request_id, note=request.note, violations=violations)
        doc = await self._find(request.return_id)
        if (done := self._already(doc, Status.REFUNDED, key)) is not None:
            await self._sync_order(done)  # repairs an order update that failed after the refund
            return messages.return_message(done)
        _check_etag(doc, request.etag)
        self._check_edge(doc, Status.REFUNDED)
        requested = validation.exact_amount(
            doc["currency_code"],
            major=request.amount if request.HasField("amount") else None,
            major_field="amount",
            minor=amount_minor,
            minor_field="amount_minor",
        )
        amount = rules.check_refund_amount(requested, doc["refund_estimate_minor"], return_id=doc["id"])
        order = await self._order_of(doc)
        if not order.payment_id:
            raise FailedPrecondition(
                f"order {order.id} has no payment to refund", reason=rules.ORDER_NOT_PAID, subject=f"orders/{order.id}"
            )

        staged = await self._stage_refund(doc, amount, order.payment_id)
        if Status(staged["status"]) == Status.REFUNDED:
            await self._sync_order(staged, order)
            return messages.return_message(staged)
        plan: dict[str, Any] = staged["refund_plan"]
        try:
            refund = await self._payments.refund(
                plan["payment_id"],
                amount_minor=plan["amount_minor"],
                currency_code=doc["currency_code"],
                reason=f"return {doc['id']}",
                return_id=doc["id"],
                request_id=f"{doc['id']}.refund.{plan['attempt']}",
            )
        except FailedPrecondition:
            # Payments refused before moving money (e.g. less is refundable than asked, after a refund
            # outside this return): another amount may be tried, under the next attempt's key.
            await self._stage(staged, "refund_plan", {**plan, "failed": True}, in_progress=None)
            raise
        if refund.status == refund_pb2.REFUND_STATUS_FAILED:
            await self._stage(staged, "refund_plan", {**plan, "failed": True}, in_progress=None)
            raise FailedPrecondition(
                f"the payment provider refused the refund: {refund.failure_message or 'no reason given'}; "
                "fix the cause and refund again",
                reason=rules.REFUND_FAILED,
                subject=f"returns/{doc['id']}",
            )
        if refund.status != refund_pb2.REFUND_STATUS_SUCCEEDED:
            raise Unavailable(
                f"refund {refund.id} is pending with the payment provider; retry once it settled",
                reason=REFUND_PENDING,
                metadata={"refund_id": refund.id},
            )

        def refunded(before: Document) -> dict[str, Any]:
            return {
                "refund_id": refund.id,
                "payment_id": plan["payment_id"],
                "refund_amount_minor": plan["amount_minor"],
                "refund_plan": None,
            }

        def count_refunded(before: Document, tally: Document) -> Document:
            return {**tally, "refunded": rules.add_claims(tally.get("refunded", {}), _lines(before))}

        done = await self._transition(
            doc["id"],
            Status.REFUNDED,
            note=request.note.strip(),
            etag="",
            key=key,
            extra=refunded,
            tally_change=count_refunded,
            start=staged,
        )
        await self._sync_order(done, order)
        return messages.return_message(done)

    # --- the lifecycle machinery --------------------------------------------------------------

    @property
    def _window_days(self) -> int:
        return self._deps.settings.return_window_days

    async def _transition(
        self,
        return_id: str,
        target: Status,
        *,
        note: str,
        etag: str,
        key: str,
        extra: Extra | None = None,
        tally_change: TallyChange | None = None,
        start: Document | None = None,
    ) -> Document:
        """Moves the return to `target` (no change when it is there already, or when `key` already
        made that step), committing return, tally and event in one batch. `start` is the return as
        this request last read or wrote it: the first decision is made on it (its etag still guards
        the write), so it is not read again."""
        actor = current_principal().subject

        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            doc = start if start is not None and not attempt else await self._find(return_id)
            if (done := self._already(doc, target, key)) is not None:
                return Done(done)
            _check_etag(doc, etag)
            self._check_edge(doc, target)
            now = clocks.to_iso(self._deps.clock())
            updated: Document = {**doc, "status": target.value, "updated_at": now, rules.REACHED_AT[target]: now}
            if extra is not None:
                updated.update(extra(doc))
            updated = {k: v for k, v in updated.items() if v is not None}
            step = {"status": target.value, "actor_id": actor, "note": note, "changed_at": now, "request_id": key}
            updated["history"] = [*doc.get("history", []), step]
            event = messages.event_for(
                updated, actor_id=actor, note=note, correlation_id=current_request_id(), clock=self._deps.clock
            )
            operations: list[BatchOperation] = [ReplaceOp(updated, if_match=doc["_etag"])]
            if tally_change is not None:
                tally = await self._read(messages.tally_id(doc["order_id"]), doc["order_id"])
                if tally is None:  # pragma: no cover - every return was created with its tally
                    raise NotFound(f"the returns tally of order {doc['order_id']} is missing")
                operations.append(ReplaceOp(tally_change(doc, tally), if_match=tally["_etag"]))
            return Write(operations, stored(0), events=[event])

        return await commit(
            self._returns,
            rules.order_id_of(return_id),
            plan,
            busy=f"return {return_id!r} is being changed by others; retry",
            pinned=f"return {return_id!r} changed meanwhile; read it again" if etag else "",
            notify=self._deps.notify_relay,
        )

    def _already(self, doc: Document, target: Status, key: str) -> Document | None:
        """The return as it is when the request asks for what already happened: its current status,
        or a step this idempotency key made earlier."""
        if rules.is_no_change(Status(doc["status"]), target):
            return doc
        if key and any(s.get("request_id") == key and s["status"] == target.value for s in doc.get("history", [])):
            return doc
        return None

    def _check_edge(self, doc: Document, target: Status) -> None:
        role = rules.check_transition(Status(doc["status"]), target, return_id=doc["id"])
        if not current_principal().has_role(_ROLE_NUMBER[role]):  # the contract's access rule says the same
            raise PermissionDenied(f"moving a return to {target.value} needs the {role.value} role")

    async def _stage(self, doc: Document, name: str, value: Any, *, in_progress: ErrorReason | None) -> Document:
        """Stores a plan on the return before its effects run; an open plan that differs is refused
        with `in_progress` (None: replaced). Returns the return as written."""

        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            current = doc
            if attempt:
                current = await self._find(doc["id"])
                if Status(current["status"]) != _NEXT_OF[name]:
                    self._check_edge(current, _NEXT_OF[name])
            if current.get(name) == value or Status(current["status"]) == _NEXT_OF[name]:
                return Done(current)  # staged before, or finished meanwhile by a concurrent retry
            if current.get(name) is not None and in_progress is not None:
                raise FailedPrecondition(
                    f"an earlier {name.removesuffix('_plan')} of return {doc['id']} with other values did not "
                    "finish; retry it with the same values",
                    reason=in_progress,
                    subject=f"returns/{doc['id']}",
                )
            return Write([ReplaceOp({**current, name: value}, if_match=current["_etag"])], stored(0))

        busy = f"return {doc['id']!r} is being changed by others; retry"
        return await commit(self._returns, doc["order_id"], plan, busy=busy)

    async def _stage_refund(self, doc: Document, amount: int, payment_id: str) -> Document:
        """The refund plan: the open one when it is for the same amount; a new attempt after a
        refused refund; REFUND_IN_PROGRESS for another amount while one may still move money."""
        plan = doc.get("refund_plan")
        if plan is not None and plan.get("failed"):
            fresh = {"amount_minor": amount, "payment_id": payment_id, "attempt": int(plan["attempt"]) + 1}
            return await self._stage({**doc, "refund_plan": None}, "refund_plan", fresh, in_progress=None)
        if plan is not None and plan["amount_minor"] == amount:
            return doc
        fresh = {"amount_minor": amount, "payment_id": payment_id, "attempt": 1}
        return await self._stage(doc, "refund_plan", fresh, in_progress=rules.REFUND_IN_PROGRESS)

    async def _sync_order(self, doc: Document, order: OrderView | None = None) -> None:
        """Moves the order to returned when every unit of it is refunded, else partially_returned,
        with the units refunded so far per line (cumulative, so a repeat or a late call is harmless).
        An order already returned keeps its status; only its lines' returned units may catch up."""
        order = order or await self._order_of(doc)
        tally = await self._read(messages.tally_id(order.id), order.id)
        refunded: dict[str, int] = tally.get("refunded", {}) if tally is not None else {}
        fully = order.status == "returned" or rules.fully_returned(order.lines.values(), refunded)
        returned = {p: min(q, order.lines[p].quantity) for p, q in refunded.items() if p in order.lines}

        async def mark(fully: bool) -> None:
            await self._orders.mark_returned(
                order.id,
                fully=fully,
                returned=returned,
                reason=f"return {doc['id']} refunded",
                request_id=f"{doc['id']}.order",
            )

        try:
            await mark(fully)
        except FailedPrecondition as refused:
            # Another return's refund (or staff) moved the order on to returned meanwhile: its
            # status stays; only the units refunded so far may still need recording.
            if refused.reason != rules.ILLEGAL_TRANSITION or (await self._order_of(doc)).status != "returned":
                raise
            await mark(True)

    async def _order_of(self, doc: Document) -> OrderView:
        order = await self._orders.get(doc["order_id"])
        if order is None:
            raise FailedPrecondition(
                f"order {doc['order_id']} of return {doc['id']} no longer exists",
                reason=ErrorReason.ERROR_REASON_ORDER_NOT_FOUND,
                subject=f"orders/{doc['order_id']}",
            )
        return order

    # --- creation helpers ---------------------------------------------------------------------

    def _new_return(
        self,
        order: OrderView,
        return_id: str,
        wanted: Mapping[str, int],
        request: pb.CreateReturnRequest,
        reason: rules.Reason,
        user_id: str,
    ) -> Document:
        now = clocks.to_iso(self._deps.clock())
        return {
            "id": return_id,
            "order_id": order.id,
            "user_id": user_id,
            "kind": messages.RETURN_KIND,
            "status": rules.INITIAL.value,
            "reason": reason.value,
            "reason_detail": request.reason_detail.strip(),
            "items": [
                {"product_id": p, "quantity": q, "unit_price_minor": order.lines[p].unit_price_minor}
                for p, q in wanted.items()
            ],
            "currency_code": order.currency,
            "refund_estimate_minor": rules.refund_estimate(wanted, order.lines, order.subtotal_minor, order.tax_minor),
            "refund_amount_minor": 0,
            "history": [
                {
                    "status": rules.INITIAL.value,
                    "actor_id": user_id,
                    "note": request.reason_detail.strip(),
                    "changed_at": now,
                    "request_id": idempotency_key(request.request_id),
                }
            ],
            "created_at": now,
            "updated_at": now,
        }

    async def _replay_create(self, user_id: str, key: str, fingerprint: str, tally: Document | None) -> Document | None:
        """The return a retried create with the same key made, as the order's `tally` remembers it;
        IDEMPOTENCY_KEY_REUSED for another request."""
        if not key:
            return None
        seen = (tally or {}).get("requests", {}).get(_request_slot(user_id, key))
        if seen is None:
            return None
        if seen["fingerprint"] != fingerprint:
            raise InvalidArgument(
                "this idempotency key was already used for a different return; use a new key",
                reason=idempotency.KEY_REUSED,
                violations=(FieldViolation("request_id", "was already used for a different request"),),
            )
        return await self._find(seen["return_id"])

    # --- storage ------------------------------------------------------------------------------

    async def _read(self, doc_id: str, order_id: str) -> Document | None:
        try:
            return await self._returns.read(doc_id, order_id)
        except NotFoundError:
            return None

    async def _find(self, return_id: str) -> Document:
        doc = await self._read(return_id, rules.order_id_of(return_id))
        if doc is None or doc.get("kind") != messages.RETURN_KIND:
            raise NotFound(f"return {return_id!r} not found")
        return doc


# The status a staged plan leads to.
_NEXT_OF: Mapping[str, Status] = {"restock_plan": Status.RESTOCKED, "refund_plan": Status.REFUNDED}


def _checked_id(return_id: str) -> str:
    violations = Violations()
    rules.check_return_id(violations, return_id)
    violations.raise_if_any()
    return return_id


def _check_step(
    return_id: str, etag: str, request_id: str, *, note: str = "", violations: Violations | None = None
) -> str:
    """Validates the fields every staff step has; returns the idempotency key."""
    violations = violations or Violations()
    rules.check_return_id(violations, return_id)
    rules.check_note(violations, note)
    rules.check_etag(violations, etag)
    key = idempotency_key(request_id)
    validation.request_id(violations, key)
    violations.raise_if_any()
    return key


def _check_etag(doc: Document, etag: str) -> None:
    if etag and doc.get("_etag") != etag:
        raise Aborted(f"return {doc['id']!r} changed since etag {etag!r}; read it again")


def _request_slot(user_id: str, key: str) -> str:
    """Where a create's idempotency key is remembered in the tally (keys are client text)."""
    return hashlib.sha256(f"{user_id}\n{key}".encode()).hexdigest()[:40]


async def create_binding(deps: Dependencies) -> ServiceBinding:
    returns = await deps.store.container(RETURNS, PARTITION_KEY)
    servicer = ReturnServicer(
        deps,
        returns,
        OrdersClient(deps.channels, deps.service_credentials),
        InventoryClient(deps.channels, deps.service_credentials),
        PaymentsClient(deps.channels),
        ReturnEstimates(deps),
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["ReturnService"].full_name,
        add_to_server=lambda server: pb_grpc.add_ReturnServiceServicer_to_server(servicer, server),
    )
