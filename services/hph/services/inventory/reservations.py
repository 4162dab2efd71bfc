"""Reservations: all-or-nothing stock holds for an order, as a saga over SKU partitions.

A batch covers one partition, and an order's lines live in different SKU partitions, so no single
transaction can hold them all. Instead (one document per order in container "reservations"):

1. ReserveStock records the reservation as `pending` (its id derives from the order id, so a
   retried or duplicated call lands on the same document), then acquires the lines one SKU at a
   time in SKU order, each an atomic, idempotent ledger change. If a line is short, every line is
   released again (compensation) and the reservation ends `released` with OUT_OF_STOCK; otherwise
   it becomes `held`. Shoppers racing for the same SKUs may see a unit briefly held by a
   reservation that is about to fail; they never see more units held than exist.
2. ConfirmReservation marks the intent `confirm`, confirms each line (units leave on-hand stock),
   then marks the reservation `confirmed`. An expired reservation is first re-acquired, all lines
   or none. ReleaseReservation does the same with intent `release`.
3. A crash mid-way leaves either holds with an expiry (the sweeper returns them) or an intent that
   the caller's retry completes; every step is idempotent, so re-running one is always safe. While
   an intent is set the sweeper leaves the reservation alone, so a payment confirming at the last
   second is not undercut by expiry.

Within this process, calls about one reservation queue on a lock (the sweeper included): the saga
is safe without it (see above), the lock just keeps duplicates from doing the work twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.commit import Done, Write, Written, commit, stored
from hph.runtime.errors import Aborted, AlreadyExists, FailedPrecondition, NotFound
from hph.runtime.storage import (
    And,
    Container,
    CreateOp,
    Document,
    Eq,
    In,
    Le,
    NotFoundError,
    OrderBy,
    Query,
    ReplaceOp,
)
from hph.services.inventory import rules
from hph.services.inventory.ledger import KeyedLocks, LineRef, StockLedger

RESERVATIONS = "reservations"
KIND = "reservation"
LIVE = (rules.PENDING, rules.HELD)

Decide = Callable[[Document], Document | None]


class Reservations:
    def __init__(self, container: Container, ledger: StockLedger, *, clock: Clock) -> None:
        self._container = container
        self._ledger = ledger
        self._clock = clock
        self._locks = KeyedLocks()

    async def get(self, reservation_id: str) -> Document:
        doc = await self._read(reservation_id)
        if doc is None:
            raise NotFound(f"reservation {reservation_id!r} not found")
        return doc

    # --- ReserveStock ------------------------------------------------------------------------

    async def reserve(
        self,
        *,
        order_id: str,
        user_id: str,
        lines: Sequence[rules.Line],
        ttl_seconds: float,
        request_id: str,
        correlation_id: str,
    ) -> Document:
        reservation_id = rules.reservation_id_for(order_id)
        async with self._locks.hold(reservation_id):
            doc, fresh = await self._open(reservation_id, order_id, user_id, list(lines), ttl_seconds, request_id)
            if doc["status"] != rules.PENDING or doc.get("intent"):
                return doc  # already held or confirmed: a retry, answered with what it got the first time
            return await self._place(doc, fresh=fresh, correlation_id=correlation_id)

    async def _open(
        self,
        reservation_id: str,
        order_id: str,
        user_id: str,
        lines: list[rules.Line],
        ttl_seconds: float,
        request_id: str,
    ) -> tuple[Document, bool]:
        """The reservation to place and whether nothing is held for it yet: created, or a released
        or expired one started over, or a pending one (a crashed or duplicated call) resumed."""
        now = self._clock()
        fields: Document = {
            "order_id": order_id,
            "user_id": user_id,
            "lines": rules.line_fields(lines),
            "status": rules.PENDING,
            "intent": "",
            "ttl_seconds": ttl_seconds,
            "expires_at": clocks.to_iso(now + timedelta(seconds=ttl_seconds)),
            "updated_at": clocks.to_iso(now),
            "confirmed_at": "",
            "released_at": "",
            "release_reason": "",
            "request_id": request_id,
        }
        created = {"id": reservation_id, "kind": KIND, "created_at": clocks.to_iso(now), **fields}

        async def plan(attempt: int) -> Write[tuple[Document, bool]] | Done[tuple[Document, bool]]:
            if attempt == 0:
                return Write([CreateOp(created)], _opened(fresh=True))
            current = await self.get(reservation_id)
            same = current["user_id"] == user_id and rules.lines_of(current) == lines
            live = current["status"] in (*LIVE, rules.CONFIRMED) or bool(current.get("intent"))
            if live and not same:
                raise AlreadyExists(
                    f"order {order_id!r} already has a {current['status']} reservation with other lines",
                    metadata={"reservation_id": reservation_id},
                )
            if live and (current["status"] != rules.PENDING or current.get("intent")):
                return Done((current, False))  # held, confirmed, or a confirm/release is under way
            fresh = current["status"] in (rules.RELEASED, rules.EXPIRED)
            return Write([ReplaceOp({**current, **fields}, if_match=current["_etag"])], _opened(fresh=fresh))

        busy = f"reservation for order {order_id!r} is being changed concurrently; retry"
        return await commit(self._container, reservation_id, plan, busy=busy)

    async def _place(self, doc: Document, *, fresh: bool, correlation_id: str) -> Document:
        refs = _refs(doc)
        if fresh and len(refs) > 1:
            # Look before taking anything, so one short line costs the other SKUs no hold at all and
            # the refusal names every short SKU, not just the first one met.
            stocks = await self._ledger.read_stocks([ref.sku for ref in refs])
            short = [
                rules.ShortLine(ref.sku, ref.quantity, rules.level_of(stocks.get(ref.sku)).available)
                for ref in refs
                if rules.level_of(stocks.get(ref.sku)).available < ref.quantity
            ]
            if short:
                await self._fail(doc, refs, short, correlation_id)
        await self._acquire_all(doc, refs, correlation_id)

        def held(current: Document) -> Document | None:
            if current["status"] != rules.PENDING or current.get("intent"):
                return None
            return {**current, "status": rules.HELD, "updated_at": self._now()}

        placed = await self._transition(doc["id"], held, known=doc)
        if placed["status"] in (rules.HELD, rules.CONFIRMED):
            return placed
        # Released (or expired) by someone else while we were acquiring: give back what we took.
        await self._release_all(refs, placed.get("release_reason") or "released", correlation_id)
        raise Aborted(f"reservation {doc['id']!r} was {placed['status']} while being placed; retry")

    async def _acquire_all(self, doc: Document, refs: Sequence[LineRef], correlation_id: str) -> None:
        """Holds every line until the reservation's expiry, in SKU order; on a short line gives all
        back and raises OutOfStock."""
        for ref in refs:
            try:
                await self._ledger.acquire(ref, doc["expires_at"], correlation_id)
            except rules.Shortage as short:
                await self._fail(doc, refs, [rules.ShortLine(ref.sku, ref.quantity, short.available)], correlation_id)

    async def _fail(
        self, doc: Document, refs: Sequence[LineRef], short: Sequence[rules.ShortLine], correlation_id: str
    ) -> None:
        await self._release_all(refs, rules.SHORTAGE_REASON, correlation_id)
        was_expired = doc["status"] == rules.EXPIRED or doc.get("release_reason") == rules.EXPIRY_REASON

        def given_back(current: Document) -> Document:
            now = self._now()
            status = rules.EXPIRED if was_expired else rules.RELEASED
            reason = rules.EXPIRY_REASON if was_expired else rules.SHORTAGE_REASON
            return {**current, "status": status, "intent": "", "released_at": now, "release_reason": reason,
                    "updated_at": now}  # fmt: skip

        await self._transition(doc["id"], given_back)
        raise rules.OutOfStock(short)

    # --- ConfirmReservation ------------------------------------------------------------------

    async def confirm(self, reservation_id: str, correlation_id: str) -> Document:
        async with self._locks.hold(reservation_id):
            doc = await self.get(reservation_id)
            if doc["status"] == rules.CONFIRMED and not doc.get("intent"):
                return doc
            if doc.get("intent") == rules.RELEASING or doc["status"] == rules.RELEASED or doc.get("withdrawn"):
                raise FailedPrecondition(
                    f"reservation {reservation_id!r} was released ({doc.get('release_reason') or 'released'}) "
                    "and cannot be confirmed",
                    subject=f"reservations/{reservation_id}",
                    reason=rules.ILLEGAL_TRANSITION,
                )
            reacquire = doc["status"] != rules.HELD and doc.get("intent") != rules.CONFIRMING
            was_expired = doc["status"] == rules.EXPIRED

            def confirming(current: Document) -> Document | None:
                if current.get("intent") == rules.CONFIRMING:
                    return None
                if current["status"] not in (*LIVE, rules.EXPIRED) or current.get("intent"):
                    raise Aborted(f"reservation {reservation_id!r} changed meanwhile; retry")
                updated = {**current, "intent": rules.CONFIRMING, "updated_at": self._now()}
                if reacquire:  # expired (or a placement that never finished): hold it all again first
                    ttl = float(current.get("ttl_seconds", rules.MIN_TTL_SECONDS))
                    updated["expires_at"] = clocks.to_iso(self._clock() + timedelta(seconds=ttl))
                    updated["status"] = rules.PENDING
                    if was_expired:
                        updated["release_reason"] = rules.EXPIRY_REASON
                return updated

            doc = await self._transition(reservation_id, confirming, known=doc)
            refs = _refs(doc)
            if reacquire:
                await self._acquire_all(doc, refs, correlation_id)
            for ref in refs:
                if await self._ledger.confirm(ref, correlation_id):
                    continue
                # Not held (only after a crash or a writer in another process): take it again.
                try:
                    await self._ledger.acquire(ref, doc["expires_at"], correlation_id)
                except rules.Shortage as short:
                    await self._fail(doc, refs, [rules.ShortLine(ref.sku, ref.quantity, short.available)],
                                     correlation_id)  # fmt: skip
                await self._ledger.confirm(ref, correlation_id)

            def confirmed(current: Document) -> Document:
                now = self._now()
                return {**current, "status": rules.CONFIRMED, "intent": "", "confirmed_at": now, "released_at": "",
                        "release_reason": "", "updated_at": now}  # fmt: skip

            return await self._transition(reservation_id, confirmed, known=doc)

    # --- ReleaseReservation ------------------------------------------------------------------

    async def release(self, reservation_id: str, reason: str, correlation_id: str) -> Document:
        async with self._locks.hold(reservation_id):
            doc = await self.get(reservation_id)
            if (doc["status"] == rules.RELEASED or doc.get("withdrawn")) and not doc.get("intent"):
                return doc
            if doc.get("intent") == rules.CONFIRMING:
                raise Aborted(f"reservation {reservation_id!r} is being confirmed; retry once that finished")

            def releasing(current: Document) -> Document | None:
                if current.get("intent") == rules.RELEASING:
                    return None
                if current.get("intent"):
                    raise Aborted(f"reservation {reservation_id!r} changed meanwhile; retry")
                return {**current, "intent": rules.RELEASING, "updated_at": self._now()}

            doc = await self._transition(reservation_id, releasing, known=doc)
            await self._release_all(_refs(doc), reason, correlation_id)

            def released(current: Document) -> Document:
                now = self._now()
                updated = {**current, "intent": "", "updated_at": now}
                if current["status"] != rules.EXPIRED:  # an expired one stays expired: its units went back then
                    updated.update(status=rules.RELEASED, released_at=now, release_reason=reason)
                else:
                    # ...but it is withdrawn: a payment arriving later must not take its units again for an
                    # order that was cancelled meanwhile (the payment is refunded instead).
                    updated["withdrawn"] = True
                return updated

            return await self._transition(reservation_id, released, known=doc)

    async def _release_all(self, refs: Sequence[LineRef], reason: str, correlation_id: str) -> None:
        for ref in refs:
            await self._ledger.release(ref, reason, correlation_id)

    # --- expiry (the sweeper) ----------------------------------------------------------------

    async def due(self, now: str, limit: int) -> list[Document]:
        """Held or pending reservations past their expiry with no confirm/release in progress."""
        query = Query(
            And(Eq("kind", KIND), In("status", list(LIVE)), Eq("intent", ""), Le("expires_at", now)),
            order_by=(OrderBy("expires_at"),),
        )
        page = await self._container.query(query, max_items=limit)
        return page.items

    async def expire(self, reservation_id: str, now: str) -> int:
        """Expires a due reservation and returns its held units; how many lines gave units back."""
        async with self._locks.hold(reservation_id):
            return await self._expire_locked(reservation_id, now)

    async def expire_hold(self, hold: Document, now: str) -> int:
        """Settles one held hold found past its expiry, unless its reservation is still using it."""
        reservation_id = str(hold["reservation_id"])
        async with self._locks.hold(reservation_id):
            doc = await self._read(reservation_id)
            if doc is not None:
                if doc.get("intent") == rules.CONFIRMING or doc["status"] == rules.CONFIRMED:
                    return 0  # being paid for: the confirmation takes it from here
                if doc["status"] in LIVE and not doc.get("intent"):
                    if doc["expires_at"] <= now:
                        return await self._expire_locked(reservation_id, now)
                    if any(line.sku == hold["sku"] for line in rules.lines_of(doc)):
                        return 0  # the reservation was renewed and its saga is refreshing this hold
            # An orphan: the reservation ended, moved on to other lines, or never got written.
            return int(await self._ledger.expire(str(hold["sku"]), reservation_id, now))

    async def _expire_locked(self, reservation_id: str, now: str) -> int:
        def expired(current: Document) -> Document | None:
            if current["status"] not in LIVE or current.get("intent") or current["expires_at"] > now:
                return None
            stamp = self._now()
            return {**current, "status": rules.EXPIRED, "released_at": stamp, "release_reason": rules.EXPIRY_REASON,
                    "updated_at": stamp}  # fmt: skip

        doc = await self._transition(reservation_id, expired)
        if doc["status"] != rules.EXPIRED or doc.get("intent"):
            return 0
        returned = 0
        for ref in _refs(doc):
            returned += await self._ledger.expire(ref.sku, reservation_id, now)
        return returned

    # --- helpers -----------------------------------------------------------------------------

    async def _transition(self, reservation_id: str, decide: Decide, *, known: Document | None = None) -> Document:
        """Read-decide-write with the etag read; `decide` returns None for "leave it as it is".

        `known` is the version the caller just read or wrote: the first attempt decides on it without
        reading again (its etag still guards the write); a stale one costs a read, as does "leave it
        as it is", which is only believed of what storage holds now."""

        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            current = known if known is not None and attempt == 0 else await self.get(reservation_id)
            updated = decide(dict(current))
            if updated is None and current is known:
                current = await self.get(reservation_id)
                updated = decide(dict(current))
            if updated is None:
                return Done(current)
            return Write([ReplaceOp(updated, if_match=current["_etag"])], stored(0))

        busy = f"reservation {reservation_id!r} is being changed concurrently; retry"
        return await commit(self._container, reservation_id, plan, busy=busy)

    async def _read(self, reservation_id: str) -> Document | None:
        try:
            return await self._container.read(reservation_id, reservation_id)
        except NotFoundError:
            return None

    def _now(self) -> str:
        return clocks.to_iso(self._clock())


def _opened(*, fresh: bool) -> Callable[[Written], tuple[Document, bool]]:
    return lambda written: (stored(0)(written), fresh)


def _refs(doc: Document) -> list[LineRef]:
    return [
        LineRef(doc["id"], doc["order_id"], doc["user_id"], line.sku, line.quantity) for line in rules.lines_of(doc)
    ]
