"""The sales projection: facts and daily rollups maintained from order and payment events.

Consumer group "analytics" of "order-events" (OrderPaid) and "payment-events" (RefundIssued)
(`SalesProjection.consumer_group`); the framework passes every other event over. Delivery is at
least once, and the group's ledger leaves a window in which a handled event comes again (a crash
between the effect and the mark), so every step is idempotent by itself:

- Container `analytics_sales`, partition key /day (the UTC day, "2024-12-01"). A day's partition
  holds one fact per paid order (`sale.<order id>`), one per refund (`refund.<refund id>`) and one
  rollup per currency (`rollup.<currency>`, a `rules.Tally`). A fact and the rollup change it makes
  are written in ONE batch: the fact is a create, so a redelivered event fails on it and changes
  nothing; a concurrent rollup writer fails the rollup's etag and the event is re-applied.
- Container `analytics_orders`, partition key /id: per order, the paid moment and item names the
  projection settled on (`claim`). OrderPaid carries the order's exact paid_at and the line names;
  an event of an older version without them makes the first delivery read the order from the
  orders service (if that fails too, the event's occurred_at stands in). A redelivery reuses the
  claim, so the same order always lands on the same day and is counted once.
- Refunds count at the RefundIssued's occurred_at: the moment the payments service recorded the
  refund as succeeded (the same commit as the refund's settlement).

Categories: the line's category (as the order recorded it; from the catalog when missing) is
folded into its top-level ancestor here, so an order counts once per top-level category.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from holidaypeak.events.v1 import order_events_pb2, payment_events_pb2
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.clock import Clock, from_iso, system_clock, to_iso
from hph.runtime.commit import Done, Write, Written, commit
from hph.runtime.consumers import ConsumerGroup, Delivery, Subscription
from hph.runtime.storage import (
    ConflictError,
    Container,
    CreateOp,
    Document,
    NotFoundError,
    ReplaceOp,
)
from hph.services.analytics import rules
from hph.services.analytics.clients import CatalogLookup, OrderReader

log = logging.getLogger("hph.analytics")

SALES, SALES_KEY = "analytics_sales", "/day"
CLAIMS, CLAIMS_KEY = "analytics_orders", "/id"
ORDER_TOPIC, PAYMENT_TOPIC = "order-events", "payment-events"
GROUP = "analytics"
SALE, REFUND, ROLLUP = "sale", "refund", "rollup"


def _recorded(written: Written) -> bool:
    return True


def rollup_id(currency: str) -> str:
    return f"{ROLLUP}.{currency}"


def sale_id(order_id: str) -> str:
    return f"{SALE}.{order_id}"


def refund_id(refund: str) -> str:
    return f"{REFUND}.{refund}"


# --- fact documents --------------------------------------------------------------------------


def sale_document(sale: rules.Sale, *, user_id: str, payment_id: str, source: str) -> Document:
    return {
        "id": sale_id(sale.order_id),
        "day": rules.day_key(sale.paid_at),
        "kind": SALE,
        "at": to_iso(sale.paid_at),
        "currency": sale.currency,
        "order_id": sale.order_id,
        "user_id": user_id,
        "payment_id": payment_id,
        "total_minor": sale.total_minor,
        "paid_at_source": source,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "category_id": line.category_id,
                "quantity": line.quantity,
                "revenue_minor": line.revenue_minor,
            }
            for line in sale.lines
        ],
    }


def sale_from_document(doc: Document) -> rules.Sale:
    return rules.Sale(
        order_id=doc["order_id"],
        paid_at=from_iso(doc["at"]),
        currency=doc["currency"],
        total_minor=int(doc["total_minor"]),
        lines=tuple(
            rules.SaleLine(
                sku=line["sku"],
                name=line.get("name", ""),
                category_id=line["category_id"],
                quantity=int(line["quantity"]),
                revenue_minor=int(line["revenue_minor"]),
            )
            for line in doc["lines"]
        ),
    )


def refund_document(refund: payment_events_pb2.RefundIssued, issued_at: datetime) -> Document:
    return {
        "id": refund_id(refund.refund_id),
        "day": rules.day_key(issued_at),
        "kind": REFUND,
        "at": to_iso(issued_at),
        "currency": refund.currency_code,
        "order_id": refund.order_id,
        "payment_id": refund.payment_id,
        "refund_id": refund.refund_id,
        "return_id": refund.return_id,
        "amount_minor": refund.amount_minor,
    }


def tally_fact(tally: rules.Tally, doc: Document) -> None:
    """Adds one stored fact to a tally (what the rollup did when the fact was written)."""
    if doc.get("kind") == SALE:
        tally.add_sale(sale_from_document(doc))
    elif doc.get("kind") == REFUND:
        tally.add_refund(int(doc["amount_minor"]))


# --- the consumer ----------------------------------------------------------------------------


class SalesProjection:
    def __init__(
        self,
        sales: Container,
        claims: Container,
        orders: OrderReader,
        catalog: CatalogLookup,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self._sales = sales
        self._claims = claims
        self._orders = orders
        self._catalog = catalog
        self._clock = clock

    def consumer_group(self) -> ConsumerGroup:
        return ConsumerGroup(
            GROUP,
            (
                Subscription.to(ORDER_TOPIC, self._on_order_paid, order_events_pb2.OrderPaid),
                Subscription.to(PAYMENT_TOPIC, self._on_refund_issued, payment_events_pb2.RefundIssued),
            ),
        )

    async def _on_order_paid(self, delivery: Delivery) -> None:
        await self.handle_order_event(delivery.envelope)

    async def _on_refund_issued(self, delivery: Delivery) -> None:
        await self.handle_payment_event(delivery.envelope)

    async def handle_order_event(self, envelope: EventEnvelope) -> None:
        if envelope.WhichOneof("payload") == "order_paid":
            await self.record_sale(envelope.order_paid, envelope.occurred_at.ToDatetime(tzinfo=UTC))

    async def handle_payment_event(self, envelope: EventEnvelope) -> None:
        if envelope.WhichOneof("payload") == "refund_issued":
            await self.record_refund(envelope.refund_issued, envelope.occurred_at.ToDatetime(tzinfo=UTC))

    async def record_sale(self, paid: order_events_pb2.OrderPaid, occurred_at: datetime) -> bool:
        """Projects an OrderPaid; False when it was already recorded."""
        claim = await self._claim(paid, occurred_at)
        names: dict[str, str] = claim.get("names", {})
        lines = []
        for line in paid.lines:
            category = line.category_id or await self._catalog.category_of(line.sku)
            lines.append(
                rules.LineInput(
                    sku=line.sku,
                    name=names.get(line.sku, ""),
                    category_id=await self._catalog.top_level(category) if category else rules.UNCATEGORIZED,
                    quantity=line.quantity,
                    line_total_minor=line.line_total_minor,
                )
            )
        sale = rules.new_sale(paid.order_id, from_iso(claim["paid_at"]), paid.currency_code, paid.amount_minor, lines)
        doc = sale_document(sale, user_id=paid.user_id, payment_id=paid.payment_id, source=claim.get("source", ""))
        return await self._apply(doc)

    async def record_refund(self, refund: payment_events_pb2.RefundIssued, issued_at: datetime) -> bool:
        """Projects a RefundIssued; False when it was already recorded."""
        if refund.amount_minor <= 0:
            return False
        return await self._apply(refund_document(refund, issued_at))

    async def _claim(self, paid: order_events_pb2.OrderPaid, occurred_at: datetime) -> Document:
        """The paid moment and names this order is (or was already) recorded with: the event's own
        paid_at and line names when it carries them, else (events of older versions) the order's."""
        order_id = paid.order_id
        try:
            return await self._claims.read(order_id, order_id)
        except NotFoundError:
            pass
        claim: Document = {"id": order_id, "claimed_at": to_iso(self._clock())}
        if paid.HasField("paid_at"):
            claim.update(
                paid_at=to_iso(paid.paid_at.ToDatetime(tzinfo=UTC)),
                source="order",  # the order's own paid_at, as OrderPaid carries it
                names={line.sku: line.name for line in paid.lines},
            )
        else:
            order = await self._orders.paid_order(order_id)
            claim.update(
                paid_at=to_iso(order.paid_at if order else occurred_at),
                source="order" if order else "event",
                names=order.names if order else {},
            )
        try:
            return await self._claims.create(claim)
        except ConflictError:  # a concurrent delivery claimed it first: its choice stands
            return await self._claims.read(order_id, order_id)

    async def _apply(self, fact: Document) -> bool:
        """Writes the fact and its day's rollup in one batch; False when the fact already exists."""
        day, currency = fact["day"], fact["currency"]

        async def plan(attempt: int) -> Write[bool] | Done[bool]:
            # A lost batch may have lost on the fact itself (a redelivery recorded it first).
            if attempt and await self._exists(fact["id"], day):
                log.debug("analytics fact %s already recorded", fact["id"])
                return Done(False)
            rollup = await self._read_rollup(day, currency)
            tally = rules.Tally.from_doc(rollup) if rollup is not None else rules.Tally()
            tally_fact(tally, fact)
            updated: dict[str, Any] = {
                "id": rollup_id(currency),
                "day": day,
                "kind": ROLLUP,
                "currency": currency,
                **tally.to_doc(),
                "updated_at": to_iso(self._clock()),
            }
            write = ReplaceOp(updated, if_match=rollup["_etag"]) if rollup is not None else CreateOp(updated)
            return Write([CreateOp(fact), write], _recorded)

        return await commit(
            self._sales,
            day,
            plan,
            busy=lambda: RuntimeError(f"the {day} rollup kept changing under fact {fact['id']}; the bus will retry"),
        )

    async def _exists(self, doc_id: str, day: str) -> bool:
        try:
            await self._sales.read(doc_id, day)
        except NotFoundError:
            return False
        return True

    async def _read_rollup(self, day: str, currency: str) -> Document | None:
        try:
            return await self._sales.read(rollup_id(currency), day)
        except NotFoundError:
            return None
