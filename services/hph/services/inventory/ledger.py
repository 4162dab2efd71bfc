"""The stock ledger: every change to one SKU, applied atomically in that SKU's partition.

A change reads the SKU's stock record and one companion document (a reservation's hold, or an
adjustment receipt), plans the new state with `rules`, and commits stock record + companion + its
events in ONE batch, the stock record replaced `if_match` on the etag read (hph.runtime.commit). Two
writers of the same SKU therefore can never both commit on the same read: the loser's batch fails as
a whole and it re-plans on fresh state. That compare-and-swap, not any lock, is what makes
overselling impossible, across processes too.

Within a process, changes of one SKU additionally queue on an asyncio lock: it does not add safety,
it only saves the wasted reads and batches of CAS losers when hundreds of buyers want the same SKU.

The companion documents also make each change idempotent: a hold's status says whether a line was
already acquired, confirmed or released, and an adjustment receipt (created in the batch, keyed by
the request's idempotency key) answers a retried adjustment without applying it twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message

from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.commit import Done, Write, Written, commit
from hph.runtime.errors import Aborted, InvalidArgument, NotFound
from hph.runtime.events import NOT_OUTBOX
from hph.runtime.storage import (
    And,
    BatchOperation,
    Container,
    CreateOp,
    Document,
    Eq,
    Ge,
    In,
    IsDefined,
    Lt,
    NotFoundError,
    OrderBy,
    Page,
    Query,
    ReplaceOp,
    Term,
)
from hph.services.inventory import rules, stock_events

INVENTORY = "inventory"
PARTITION_KEY = "/sku"
HOLD_PREFIX = "hold-"
RECEIPT_PREFIX = "adj-"
STOCK_KIND, HOLD_KIND, RECEIPT_KIND = "stock", "hold", "receipt"

# Stock records are recognised by their quantity (demo data written before `kind` existed has none);
# holds, receipts and outbox records never have a top-level quantity_on_hand.
STOCK_RECORDS: Term = And(IsDefined("quantity_on_hand"), NOT_OUTBOX)
BY_SKU = (OrderBy("sku"),)


T = TypeVar("T")


class KeyedLocks:
    """One asyncio lock per key, forgotten once nobody waits on it."""

    @dataclass
    class _Entry:
        lock: asyncio.Lock = field(default_factory=asyncio.Lock)
        users: int = 0

    def __init__(self) -> None:
        self._entries: dict[str, KeyedLocks._Entry] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        entry = self._entries.setdefault(key, KeyedLocks._Entry())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._entries[key]


@dataclass(frozen=True)
class LineRef:
    """One line of one reservation: which hold in which SKU partition."""

    reservation_id: str
    order_id: str
    user_id: str
    sku: str
    quantity: int

    @property
    def hold_id(self) -> str:
        return hold_id(self.reservation_id)


def hold_id(reservation_id: str) -> str:
    return HOLD_PREFIX + reservation_id


@dataclass
class _Step(Generic[T]):
    """What one attempt decided: documents to write (None: untouched), events, and the answer."""

    result: T
    stock: Document | None = None
    companion: Document | None = None
    payloads: list[Message] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return self.stock is not None or self.companion is not None


@dataclass(frozen=True)
class Committed(Generic[T]):
    result: T
    stock: Document | None  # the stock record after the change (as written, or as read)


Planner = Callable[[Document | None, Document | None], _Step[T]]


class StockLedger:
    def __init__(
        self,
        container: Container,
        *,
        clock: Clock,
        notify: Callable[[], None],
        locks: KeyedLocks | None = None,
    ) -> None:
        self._container = container
        self._clock = clock
        self._notify = notify
        self._locks = locks or KeyedLocks()

    @property
    def container(self) -> Container:
        return self._container

    # --- reads -------------------------------------------------------------------------------

    async def read_stock(self, sku: str) -> Document | None:
        return await self._read(sku, sku)

    async def read_stocks(self, skus: Sequence[str]) -> dict[str, Document]:
        """Stock records of `skus` (absent SKUs are missing from the answer), by point reads: each
        SKU is its own partition, so one query would scan the container (holds and outbox too)."""
        found: dict[str, Document] = {}
        for sku in dict.fromkeys(skus):
            stock = await self.read_stock(sku)
            if stock is not None:
                found[sku] = stock
        return found

    async def page(
        self, *, health: Sequence[str] | None, sku_prefix: str, page_size: int, continuation: str | None
    ) -> Page:
        terms: list[Term] = [STOCK_RECORDS]
        if health is not None:
            terms.append(In("health", list(health)))
        if sku_prefix:
            low, high = rules.prefix_bounds(sku_prefix)
            terms += [Ge("sku", low), Lt("sku", high)]
        return await self._container.query(
            Query(And(*terms), order_by=BY_SKU), max_items=page_size, continuation=continuation
        )

    async def due_holds(self, now: str, limit: int) -> list[Document]:
        """Held holds whose expiry passed, oldest first."""
        query = Query(
            And(Eq("kind", HOLD_KIND), Eq("status", rules.HELD), Lt("expires_at", now), NOT_OUTBOX),
            order_by=(OrderBy("expires_at"),),
        )
        page = await self._container.query(query, max_items=limit)
        return page.items

    # --- reservation lines -------------------------------------------------------------------

    async def acquire(self, line: LineRef, expires_at: str, correlation_id: str) -> None:
        """Holds the line's units until `expires_at` (idempotent); rules.Shortage when short."""

        def plan(stock: Document | None, hold: Document | None) -> _Step[None]:
            before = rules.level_of(stock)
            view = _hold_view(hold)
            change = rules.plan_acquire(before, view, line.quantity)
            if change is None:
                return _Step(None)
            if change.moved == 0:
                if view is not None and view.status == rules.HELD and view.expires_at == expires_at:
                    return _Step(None)  # a retry of what already happened
                return _Step(None, companion=self._hold_doc(line, hold, rules.HELD, expires_at=expires_at))
            payload: Message
            if change.moved > 0:
                payload = stock_events.reserved(
                    line.sku, change.moved, line.reservation_id, line.order_id, line.user_id, expires_at, change.level
                )
            else:  # an older hold of this reservation held more than the line needs now
                payload = stock_events.released(
                    line.sku, -change.moved, line.reservation_id, line.order_id, "", change.level
                )
            new_hold = self._hold_doc(line, hold, rules.HELD, expires_at=expires_at)
            return self._line_step(stock, before, change, payload, new_hold, None)

        await self._change(line.sku, line.hold_id, plan, correlation_id)

    async def confirm(self, line: LineRef, correlation_id: str) -> bool:
        """Held -> confirmed (idempotent); False when the hold is not held (released or expired)."""

        def plan(stock: Document | None, hold: Document | None) -> _Step[bool]:
            before = rules.level_of(stock)
            try:
                change = rules.plan_confirm(before, _hold_view(hold))
            except ValueError:
                return _Step(False)
            if change is None:
                return _Step(True)
            payload = stock_events.confirmed(
                line.sku, change.quantity, line.reservation_id, line.order_id, change.level
            )
            now = self._now()
            new_hold = self._hold_doc(line, hold, rules.CONFIRMED, confirmed_at=now)
            return self._line_step(stock, before, change, payload, new_hold, True)

        return (await self._change(line.sku, line.hold_id, plan, correlation_id)).result

    async def release(self, line: LineRef, reason: str, correlation_id: str) -> None:
        """Gives the line's units back: held -> released, confirmed -> released (restocked)."""

        def plan(stock: Document | None, hold: Document | None) -> _Step[None]:
            before = rules.level_of(stock)
            change = rules.plan_release(before, _hold_view(hold))
            if change is None:
                return _Step(None)
            payload = stock_events.released(
                line.sku, change.quantity, line.reservation_id, line.order_id, reason, change.level
            )
            new_hold = self._hold_doc(line, hold, rules.RELEASED, released_at=self._now(), release_reason=reason)
            return self._line_step(stock, before, change, payload, new_hold, None)

        await self._change(line.sku, line.hold_id, plan, correlation_id)

    async def expire(self, sku: str, reservation_id: str, now: str, correlation_id: str = "") -> bool:
        """Held past expiry -> expired; True when units were returned."""

        def plan(stock: Document | None, hold: Document | None) -> _Step[bool]:
            before = rules.level_of(stock)
            change = rules.plan_expire(before, _hold_view(hold), now)
            if change is None or hold is None:
                return _Step(False)
            line = LineRef(reservation_id, hold.get("order_id", ""), hold.get("user_id", ""), sku, change.quantity)
            payload = stock_events.released(
                sku, change.quantity, reservation_id, line.order_id, rules.EXPIRY_REASON, change.level
            )
            new_hold = self._hold_doc(
                line, hold, rules.EXPIRED, released_at=self._now(), release_reason=rules.EXPIRY_REASON
            )
            return self._line_step(stock, before, change, payload, new_hold, True)

        return (await self._change(sku, hold_id(reservation_id), plan, correlation_id)).result

    # --- staff adjustments -------------------------------------------------------------------

    async def adjust(
        self,
        sku: str,
        change: rules.Adjustment,
        *,
        reason: str,
        actor_id: str,
        expected_etag: str,
        idempotency_key: str,
        may_create: bool,
        correlation_id: str,
    ) -> Document:
        """Applies a staff adjustment; returns the stock record after it (for a retried key: the
        first result, with the current etag only if nothing changed since)."""
        receipt_id = rules.idempotency_id(RECEIPT_PREFIX, idempotency_key) if idempotency_key else ""
        fingerprint = change.fingerprint(sku, reason)

        def plan(stock: Document | None, receipt: Document | None) -> _Step[Document | None]:
            if receipt is not None:
                return _Step(_replay(receipt, stock, fingerprint))
            if expected_etag and (stock is None or stock.get("_etag") != expected_etag):
                raise Aborted(f"stock record {sku!r} changed since etag {expected_etag!r}; read it again")
            if stock is None and not may_create:
                raise NotFound(f"product {sku!r} not found")
            before = rules.level_of(stock)
            base = stock or rules.new_stock_document(
                sku,
                on_hand=0,
                reorder_point=change.reorder_point or 0,
                safety_stock=change.safety_stock or 0,
                overstock_threshold=change.overstock_threshold,
                now=self._now(),
            )
            after = rules.apply_adjustment(rules.level_of(base), change, sku)
            new_stock = self._stock_doc(stock, sku, after)
            kind = rules.adjustment_kind(reason, change)
            payloads: list[Message] = [
                stock_events.adjusted(sku, after.on_hand - before.on_hand, kind, actor_id, reason.strip(), after)
            ]
            if rules.crossed_into_low(before, after, existed=stock is not None):
                payloads.append(stock_events.low_stock(sku, after))
            new_receipt = None
            if receipt_id:
                new_receipt = {
                    "id": receipt_id,
                    "sku": sku,
                    "kind": RECEIPT_KIND,
                    "fingerprint": fingerprint,
                    "item": _snapshot(new_stock),
                    "created_at": self._now(),
                }
            return _Step(None, stock=new_stock, companion=new_receipt, payloads=payloads)

        committed = await self._change(sku, receipt_id or sku, plan, correlation_id)
        if committed.result is not None:
            return committed.result
        assert committed.stock is not None  # an adjustment always writes the stock record
        return committed.stock

    # --- machinery ---------------------------------------------------------------------------

    async def _change(self, sku: str, companion_id: str, plan: Planner[T], correlation_id: str) -> Committed[T]:
        async def attempt(_: int) -> Write[Committed[T]] | Done[Committed[T]]:
            stock = await self._read(sku, sku)
            companion = None if companion_id == sku else await self._read(companion_id, sku)
            step = plan(stock, companion)
            if not step.writes:
                return Done(Committed(step.result, stock))
            operations: list[BatchOperation] = []
            if step.stock is not None:
                operations.append(_write(step.stock, stock))
            if step.companion is not None:
                operations.append(_write(step.companion, companion))
            envelopes = [
                stock_events.envelope(p, sku, correlation_id=correlation_id, clock=self._clock) for p in step.payloads
            ]
            after: Callable[[Written], Committed[T]] = (
                (lambda written: Committed(step.result, written[0]))
                if step.stock is not None
                else (lambda _: Committed(step.result, stock))
            )
            return Write(operations, after, events=envelopes)

        async with self._locks.hold(sku):
            busy = f"stock of {sku!r} is being changed by others; retry"
            return await commit(self._container, sku, attempt, busy=busy, notify=self._notify)

    def _line_step(
        self,
        stock: Document | None,
        before: rules.Level,
        change: rules.LineChange,
        payload: Message,
        new_hold: Document,
        result: T,
    ) -> _Step[T]:
        sku = new_hold["sku"]
        payloads = [payload]
        if rules.crossed_into_low(before, change.level, existed=stock is not None):
            payloads.append(stock_events.low_stock(sku, change.level))
        return _Step(result, stock=self._stock_doc(stock, sku, change.level), companion=new_hold, payloads=payloads)

    def _stock_doc(self, stock: Document | None, sku: str, level: rules.Level) -> Document:
        doc: Document = dict(stock) if stock is not None else {"id": sku, "sku": sku}
        doc.update(rules.level_fields(level))
        doc["kind"] = STOCK_KIND
        doc["revision"] = int(doc.get("revision", 0)) + 1
        doc["updated_at"] = self._now()
        return doc

    def _hold_doc(
        self, line: LineRef, hold: Document | None, status: str, *, expires_at: str = "", **fields: str
    ) -> Document:
        now = self._now()
        doc: Document = (
            dict(hold)
            if hold is not None
            else {
                "id": line.hold_id,
                "sku": line.sku,
                "kind": HOLD_KIND,
                "reservation_id": line.reservation_id,
                "created_at": now,
            }
        )
        doc.update(order_id=line.order_id, user_id=line.user_id, status=status, updated_at=now, **fields)
        if status == rules.HELD:
            doc.update(quantity=line.quantity, expires_at=expires_at, released_at="", release_reason="")
        return doc

    async def _read(self, doc_id: str, sku: str) -> Document | None:
        try:
            return await self._container.read(doc_id, sku)
        except NotFoundError:
            return None

    def _now(self) -> str:
        return clocks.to_iso(self._clock())


def _write(new: Document, current: Document | None) -> BatchOperation:
    return CreateOp(new) if current is None else ReplaceOp(new, if_match=current["_etag"])


def _hold_view(hold: Document | None) -> rules.HoldView | None:
    if hold is None:
        return None
    return rules.HoldView(str(hold["status"]), int(hold["quantity"]), str(hold.get("expires_at", "")))


_SNAPSHOT_FIELDS = (
    "id",
    "sku",
    "quantity_on_hand",
    "quantity_reserved",
    "reorder_point",
    "safety_stock",
    "overstock_threshold",
    "health",
    "revision",
    "updated_at",
)


def _snapshot(stock: Document) -> dict[str, Any]:
    return {name: stock[name] for name in _SNAPSHOT_FIELDS if name in stock}


def _replay(receipt: Document, current: Document | None, fingerprint: str) -> Document:
    """The first result of a retried adjustment; a key reused for another change is refused."""
    if receipt.get("fingerprint") != fingerprint:
        raise InvalidArgument.for_field("request_id", "was already used for a different update of this SKU")
    first: Document = dict(receipt["item"])
    if current is not None and current.get("revision") == first.get("revision"):
        first["_etag"] = current.get("_etag", "")
    return first
