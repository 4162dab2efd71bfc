"""Each shopper's finished checkouts: a durable projection of order events the history driver reads.

What "abandoned" means here, honestly: the platform records no cart events (a cart is one document
that changes in place), so an abandoned cart that never reached checkout leaves no trace beyond its
own age, which is the cart_age driver. What order events do show is a checkout abandoned at the
last step: an order placed (stock reserved) and then cancelled while still unpaid, by the shopper
or by reservation expiry. So:

- completed = orders paid (OrderPaid), whatever happened to them afterwards;
- abandoned = orders cancelled with previous_status PENDING (OrderCancelled), never paid.

Consumer group "cart-intelligence" of "order-events". Container `cart_intelligence_checkouts`,
partition key /shopper_id, one document per order (id = order id), so a shopper's counts are one
single-partition query. Each effect is idempotent under redelivery: OrderCreated is a create (a
conflict changes nothing); OrderPaid and OrderCancelled set a flag on the order's document
(creating it when the OrderCreated was never seen, e.g. a group replayed from a trimmed log).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from holidaypeak.events.v1 import order_events_pb2
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.cart_intelligence.risk import ShopperHistory
from hph.agents.runtime import FreshnessTracker
from hph.runtime.documents import update_document
from hph.runtime.storage import ConflictError, Container, ContainerSpec, Document, Eq, Query

log = logging.getLogger("hph.agents.cart_intelligence")

CHECKOUTS, CHECKOUTS_KEY = "cart_intelligence_checkouts", "/shopper_id"
CONTAINER = ContainerSpec(CHECKOUTS, CHECKOUTS_KEY)
TOPIC, GROUP = "order-events", "cart-intelligence"
SOURCE = "projection:shopper-checkouts"
KIND = "checkout"
PAGE = 200
PAID, ABANDONED = "paid", "abandoned"


class ShopperCheckouts:
    """The projection (its event handler) and the counts the history driver reads."""

    def __init__(self, container: Container) -> None:
        self._container = container
        # occurred_at of the newest order event applied by this process; None before the first.
        self.freshness = FreshnessTracker()

    @property
    def data_as_of(self) -> datetime | None:
        return self.freshness.data_as_of

    async def handle(self, envelope: EventEnvelope) -> None:
        kind = envelope.WhichOneof("payload")
        if kind == "order_created":
            await self._created(envelope.order_created)
        elif kind == "order_paid":
            await self._mark(envelope.order_paid.order_id, envelope.order_paid.user_id, PAID)
        elif kind == "order_cancelled":
            cancelled = envelope.order_cancelled
            if cancelled.previous_status != order_events_pb2.ORDER_STATUS_PENDING:
                return  # cancelled after payment: a completed checkout, refunded later
            await self._mark(cancelled.order_id, cancelled.user_id, ABANDONED)
        else:
            return
        self.freshness.observed(envelope.occurred_at.ToDatetime(tzinfo=UTC))

    async def history(self, shopper_id: str) -> ShopperHistory:
        """The shopper's paid and abandoned checkouts (an order both paid and cancelled unpaid cannot
        happen; paid wins if events ever said so)."""
        completed = abandoned = 0
        continuation: str | None = None
        while True:
            page = await self._container.query(
                Query(where=Eq("kind", KIND)), partition_key=shopper_id, max_items=PAGE, continuation=continuation
            )
            for doc in page.items:
                if doc.get(PAID):
                    completed += 1
                elif doc.get(ABANDONED):
                    abandoned += 1
            continuation = page.continuation
            if continuation is None:
                return ShopperHistory(completed=completed, abandoned=abandoned)

    async def _created(self, created: order_events_pb2.OrderCreated) -> None:
        try:
            await self._container.create(_document(created.order_id, created.user_id))
        except ConflictError:
            log.debug("order already projected", extra={"order_id": created.order_id})

    async def _mark(self, order_id: str, shopper_id: str, flag: str) -> None:
        try:
            await self._container.create({**_document(order_id, shopper_id), flag: True})
            return
        except ConflictError:
            pass

        async def set_flag(doc: Document) -> Document | None:
            return None if doc.get(flag) else {**doc, flag: True}

        await update_document(self._container, order_id, shopper_id, set_flag, what="checkout")


def _document(order_id: str, shopper_id: str) -> Document:
    return {"id": order_id, "shopper_id": shopper_id, "kind": KIND, PAID: False, ABANDONED: False}
