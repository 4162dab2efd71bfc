"""Recent orders per shopper and per card: the durable projection of order events the risk drivers
read (velocity, amount history, distinct cards).

Consumer group "checkout-support" of "order-events". Container `checkout_support_recent`, partition
key /key: ONE document per shopper ("shopper:<user id>") and per saved card ("card:<payment method
id>"), id "recent", holding that key's orders of the look-back window by order id. A risk check is
two point reads however many orders a shopper or a card has placed (a query over one document per
order cost a scan of the partition and a decode per order on every checkout, and grew with the
shopper's history). Each event is one point read and one conditional write (hph.runtime.commit).

A reader keeps the orders it last turned out of each document, with the document's etag (unique
per write on every engine), and reuses them while the etag is unchanged: a checkout assesses risk
twice (ValidateCheckout, then CreateOrder) over the same documents, and a busy card's holds up to
`MAX_ORDERS` entries, whose conversion cost more than the rest of the assessment.

The merge is monotone, so redelivery, replay (`hph events replay --group checkout-support`) and
events of one shopper arriving out of order over several log partitions all end in the same
document: OrderCreated gives the placing time, total and card; OrderPaid marks the order paid with
the paid amount (and stands in for the placing time with the payment's when the OrderCreated was
never seen). Kept: the orders within `LOOKBACK` of the newest one, at most `MAX_ORDERS` of them
(newest first, ties by order id); the risk thresholds count far fewer.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, timedelta
from typing import Any

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.checkout_support.risk import CARD_WINDOW, PastOrder
from hph.agents.runtime import FreshnessTracker
from hph.runtime import clock as clocks
from hph.runtime.cache import TtlCache
from hph.runtime.documents import merge_document
from hph.runtime.storage import Container, ContainerSpec, Document, NotFoundError

RECENT, RECENT_KEY = "checkout_support_recent", "/key"
CONTAINER = ContainerSpec(RECENT, RECENT_KEY)
TOPIC, GROUP = "order-events", "checkout-support"
SOURCE = "projection:checkout-support-orders"
DOC_ID = "recent"
# How far back the drivers look (the distinct-cards window is the longest).
LOOKBACK: timedelta = CARD_WINDOW
# Orders kept per shopper or card: far above every count threshold of the risk policy, and a bound
# on the document a checkout reads.
MAX_ORDERS = 200
# Documents whose converted orders a reader keeps (least recently read dropped first), and for how
# long one unread is kept (an entry is only ever used while its etag matches the document's).
PARSED_KEYS = 4096
PARSED_SECONDS = 300.0
# Documents the projection keeps as it last wrote them, to merge the next event into without a read
# (a busy shopper's or card's document is rewritten for each of its orders). A full one is ~100 KB
# in memory: this bounds the lot to tens of MB, and one not written for a minute is dropped.
WRITTEN_KEYS = 256
WRITTEN_SECONDS = 60.0


def shopper_key(user_id: str) -> str:
    return f"shopper:{user_id}"


def card_key(payment_method_id: str) -> str:
    return f"card:{payment_method_id}"


class RecentOrders:
    """The projection (its event handler) and the reads of the risk drivers."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self.freshness = FreshnessTracker()
        # key -> (etag, every order of that document version).
        self._parsed: TtlCache[tuple[str, list[PastOrder]]] = TtlCache(PARSED_SECONDS, max_entries=PARSED_KEYS)
        # key -> the document as this instance last stored it (merge_document's `known`).
        self._written: TtlCache[Document] = TtlCache(WRITTEN_SECONDS, max_entries=WRITTEN_KEYS)

    @property
    def data_as_of(self) -> datetime | None:
        return self.freshness.data_as_of

    async def handle(self, envelope: EventEnvelope) -> None:
        kind = envelope.WhichOneof("payload")
        occurred = envelope.occurred_at.ToDatetime(tzinfo=UTC)
        if kind == "order_created":
            created = envelope.order_created
            entry = {
                "placed_at": clocks.to_iso(occurred),
                "amount_minor": created.total_minor,
                "currency_code": created.currency_code,
                "card": created.payment_method_id,
                "created": True,
            }
            await self._merge(shopper_key(created.user_id), created.order_id, entry)
            if created.payment_method_id:
                await self._merge(card_key(created.payment_method_id), created.order_id, entry)
        elif kind == "order_paid":
            paid = envelope.order_paid
            paid_at = paid.paid_at.ToDatetime(tzinfo=UTC) if paid.HasField("paid_at") else occurred
            entry = {
                "placed_at": clocks.to_iso(paid_at),
                "amount_minor": paid.amount_minor,
                "currency_code": paid.currency_code,
                "paid": True,
            }
            await self._merge(shopper_key(paid.user_id), paid.order_id, entry)
        else:
            return
        self.freshness.observed(occurred)

    async def of_shopper(self, user_id: str, now: datetime) -> list[PastOrder]:
        return await self._recent(shopper_key(user_id), now)

    async def of_card(self, payment_method_id: str, now: datetime) -> list[PastOrder]:
        return await self._recent(card_key(payment_method_id), now) if payment_method_id else []

    async def _recent(self, key: str, now: datetime) -> list[PastOrder]:
        try:
            doc = await self._container.read(DOC_ID, key)
        except NotFoundError:
            return []
        since = now - LOOKBACK
        return [order for order in self._converted(key, doc) if order.placed_at >= since]

    def _converted(self, key: str, doc: Document) -> list[PastOrder]:
        etag = str(doc.get("_etag", ""))
        known = self._parsed.get(key)
        if known is not None and etag and known[0] == etag:
            return known[1]
        orders = [_past(order_id, entry) for order_id, entry in _orders(doc).items()]
        self._parsed.put(key, (etag, orders))
        return orders

    async def _merge(self, key: str, order_id: str, entry: dict[str, object]) -> None:
        """Read, merge, conditional write; a lost race reads and merges again (the merge is idempotent)."""

        def merge(current: Document | None) -> Document:
            orders = _orders(current) if current is not None else {}
            merged = _kept({**orders, order_id: merge_entry(orders.get(order_id), entry)})
            return {**(current or {}), "id": DOC_ID, "key": key, "recent_orders": merged}

        written = await merge_document(
            self._container,
            DOC_ID,
            key,
            merge,
            busy=f"checkout-support: recent orders of {key} kept changing under every attempt",
            known=self._written.get(key),
        )
        if written is not None:
            self._written.put(key, written)


def merge_entry(known: dict[str, Any] | None, seen: dict[str, Any]) -> dict[str, Any]:
    """One order as both events tell it, whichever came first: the OrderCreated's placing time and
    card win over the OrderPaid's stand-ins, the paid amount over the total."""
    if known is None:
        return {"card": "", "paid": False, "created": False, **seen}
    merged = dict(known)
    if seen.get("created") and not known.get("created"):
        merged.update(placed_at=seen["placed_at"], card=seen["card"], currency_code=seen["currency_code"], created=True)
        if not known.get("paid"):
            merged["amount_minor"] = seen["amount_minor"]
    if seen.get("paid") and not known.get("paid"):
        merged.update(paid=True, amount_minor=seen["amount_minor"], currency_code=seen["currency_code"])
        if not known.get("created"):
            merged["placed_at"] = seen["placed_at"]
    return merged


def _kept(orders: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The orders within LOOKBACK of the newest, at most MAX_ORDERS of them (newest first, ties by
    order id), by order id: the same document whatever order the events came in. The usual merge
    adds one order to a document already kept, so the work is one pass over the placing times and,
    at the cap, finding the one order to drop, rather than ranking them all by time."""
    if not orders:
        return orders
    placed = [entry["placed_at"] for entry in orders.values()]
    horizon = clocks.to_iso(clocks.from_iso(max(placed)) - LOOKBACK)
    if min(placed) < horizon:
        orders = {order_id: entry for order_id, entry in orders.items() if entry["placed_at"] >= horizon}
    excess = len(orders) - MAX_ORDERS
    if excess > 0:
        # The placing time of the last order to drop, then those at or before it ranked by (time,
        # order id): a handful, where a key function over them all cost more than the rest.
        cutoff = heapq.nsmallest(excess, (entry["placed_at"] for entry in orders.values()))[-1]
        candidates = sorted(
            (entry["placed_at"], order_id) for order_id, entry in orders.items() if entry["placed_at"] <= cutoff
        )
        dropped = {order_id for _, order_id in candidates[:excess]}
        orders = {order_id: entry for order_id, entry in orders.items() if order_id not in dropped}
    return dict(sorted(orders.items()))


def _orders(doc: Document) -> dict[str, dict[str, Any]]:
    found = doc.get("recent_orders")
    return dict(found) if isinstance(found, dict) else {}


def _past(order_id: str, entry: dict[str, Any]) -> PastOrder:
    # Positional, and the fields as the projection wrote them: this runs for every entry of a
    # document read anew (up to MAX_ORDERS), where keyword arguments and conversions doubled the cost.
    return PastOrder(
        order_id,
        clocks.from_iso(entry["placed_at"]),
        entry.get("amount_minor", 0),
        entry.get("currency_code", ""),
        entry.get("card", ""),
        entry.get("paid") is True,
    )
