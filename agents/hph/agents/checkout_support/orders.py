"""Recent orders per shopper and per card: the durable projection of order events the risk drivers
read (velocity, amount history, distinct cards).

Consumer group "checkout-support" of "order-events". Container `checkout_support_orders`, partition
key /key: each order is one document in its shopper's partition ("shopper:<user id>") and, when it
names a saved card, one in the card's ("card:<payment method id>"), both with id = order id, so a
shopper's or a card's recent orders are one single-partition query. Idempotent under redelivery:
OrderCreated creates (a conflict changes nothing); OrderPaid sets `paid` on the shopper document
(creating it when the OrderCreated was never seen). Rebuildable: `hph events replay --group
checkout-support` re-applies the log onto the same documents.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from holidaypeak.events.v1 import order_events_pb2
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.checkout_support.risk import CARD_WINDOW, PastOrder
from hph.agents.runtime import FreshnessTracker
from hph.runtime import clock as clocks
from hph.runtime.documents import update_document
from hph.runtime.storage import And, ConflictError, Container, ContainerSpec, Document, Eq, Ge, Query

log = logging.getLogger("hph.agents.checkout_support")

ORDERS, ORDERS_KEY = "checkout_support_orders", "/key"
CONTAINER = ContainerSpec(ORDERS, ORDERS_KEY)
TOPIC, GROUP = "order-events", "checkout-support"
SOURCE = "projection:checkout-support-orders"
KIND = "order"
PAGE = 500
# How far back the drivers look (the distinct-cards window is the longest).
LOOKBACK: timedelta = CARD_WINDOW


def shopper_key(user_id: str) -> str:
    return f"shopper:{user_id}"


def card_key(payment_method_id: str) -> str:
    return f"card:{payment_method_id}"


class RecentOrders:
    """The projection (its event handler) and the reads of the risk drivers."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self.freshness = FreshnessTracker()

    @property
    def data_as_of(self) -> datetime | None:
        return self.freshness.data_as_of

    async def handle(self, envelope: EventEnvelope) -> None:
        kind = envelope.WhichOneof("payload")
        occurred = envelope.occurred_at.ToDatetime(tzinfo=UTC)
        if kind == "order_created":
            await self._created(envelope.order_created, occurred)
        elif kind == "order_paid":
            await self._paid(envelope.order_paid, occurred)
        else:
            return
        self.freshness.observed(occurred)

    async def of_shopper(self, user_id: str, now: datetime) -> list[PastOrder]:
        return await self._recent(shopper_key(user_id), now)

    async def of_card(self, payment_method_id: str, now: datetime) -> list[PastOrder]:
        return await self._recent(card_key(payment_method_id), now) if payment_method_id else []

    async def _recent(self, key: str, now: datetime) -> list[PastOrder]:
        since = clocks.to_iso(now - LOOKBACK)
        found: list[PastOrder] = []
        continuation: str | None = None
        while True:
            page = await self._container.query(
                Query(where=And(Eq("kind", KIND), Ge("placed_at", since))),
                partition_key=key,
                max_items=PAGE,
                continuation=continuation,
            )
            found.extend(_past(doc) for doc in page.items)
            continuation = page.continuation
            if continuation is None:
                return found

    async def _created(self, created: order_events_pb2.OrderCreated, occurred: datetime) -> None:
        base = {
            "id": created.order_id,
            "kind": KIND,
            "user_id": created.user_id,
            "card": created.payment_method_id,
            "amount_minor": created.total_minor,
            "currency_code": created.currency_code,
            "placed_at": clocks.to_iso(occurred),
            "paid": False,
        }
        keys = [shopper_key(created.user_id)]
        if created.payment_method_id:
            keys.append(card_key(created.payment_method_id))
        for key in keys:
            try:
                await self._container.create({**base, "key": key})
            except ConflictError:
                log.debug("order already projected", extra={"order_id": created.order_id, "key": key})

    async def _paid(self, paid: order_events_pb2.OrderPaid, occurred: datetime) -> None:
        key = shopper_key(paid.user_id)
        placed = paid.paid_at.ToDatetime(tzinfo=UTC) if paid.HasField("paid_at") else occurred
        try:
            await self._container.create(
                {
                    "id": paid.order_id,
                    "key": key,
                    "kind": KIND,
                    "user_id": paid.user_id,
                    "card": "",
                    "amount_minor": paid.amount_minor,
                    "currency_code": paid.currency_code,
                    "placed_at": clocks.to_iso(placed),
                    "paid": True,
                }
            )
            return
        except ConflictError:
            pass

        async def set_paid(doc: Document) -> Document | None:
            return None if doc.get("paid") else {**doc, "paid": True, "amount_minor": paid.amount_minor}

        await update_document(self._container, paid.order_id, key, set_paid, what="projected order")


def _past(doc: Document) -> PastOrder:
    return PastOrder(
        order_id=str(doc["id"]),
        placed_at=clocks.from_iso(str(doc["placed_at"])),
        amount_minor=int(doc.get("amount_minor", 0)),
        currency_code=str(doc.get("currency_code", "")),
        card=str(doc.get("card", "")),
        paid=bool(doc.get("paid")),
    )
