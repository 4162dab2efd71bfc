"""The co-purchase projection: per-product order counts and per-pair co-occurrence counts, kept
durably from order events, and the "frequently bought with" query over them.

Consumer group "copurchases" (shared) of "order-events": OrderCreated counts the order's distinct
products (and their pairs); OrderCancelled takes a counted order back out (a cancelled order no
longer counts). Other events are passed over. The group belongs to the projection, not to an
agent: product-detail-enrichment and cart-intelligence both read it, and each declares the same
group (a re-declaration replaces the first with an identical one), so it runs once per platform.

Container `copurchases`, partition key /scope, everything in ONE partition ("all") so an order's
effect is one transactional batch (hph.runtime.commit, guarded by etags):

- `order.<order_id>`: the order's basket and state (`counted` / `cancelled`). It is the idempotency
  key: a redelivered OrderCreated finds it and changes nothing; an OrderCancelled of a counted
  order flips it and decrements in the same batch; an OrderCancelled arriving first leaves a
  cancelled tombstone, so a late OrderCreated cannot count it.
- `totals`: orders counted (N) and the occurred_at of the newest order event applied (the answer's
  data as of, shared by every process).
- `product.<product_id>`: orders holding the product.
- `pair.<a>.<b>` (a < b): orders holding both.

Rebuild: `hph events replay --group copurchases` re-reads the log; with the documents in place it
changes nothing (every order is already recorded), and into an emptied container it recounts the
retained history exactly once. The single partition serialises the projection's writes (one
order's batch at a time per store); at peak that is a few thousand orders/s on the embedded store,
and the partition stays small (documents per product and per co-occurring pair).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from holidaypeak.events.v1.order_events_pb2 import OrderCancelled, OrderCreated, OrderLine
from hph.agents.copurchases.associations import MIN_CO_OCCURRENCES, Association, basket, pairs, rank
from hph.runtime.clock import from_iso, to_iso
from hph.runtime.commit import Done, Write, commit
from hph.runtime.consumers import ConsumerGroup, Delivery, EventConsumers, Subscription
from hph.runtime.storage import (
    And,
    BatchOperation,
    Container,
    ContainerSpec,
    CreateOp,
    Document,
    DocumentStore,
    Eq,
    Ge,
    In,
    NotFoundError,
    Or,
    Query,
    ReplaceOp,
)

log = logging.getLogger("hph.agents.copurchases")

NAME, KEY = "copurchases", "/scope"
CONTAINER: Final = ContainerSpec(NAME, KEY)
SCOPE: Final = "all"
TOPIC, GROUP = "order-events", "copurchases"
SOURCE: Final = "projection:copurchases"
TOTALS_ID: Final = "totals"
PAGE: Final = 500
COUNTED, CANCELLED = "counted", "cancelled"


def order_id_of(order_id: str) -> str:
    return f"order.{order_id}"


def product_doc_id(product_id: str) -> str:
    return f"product.{product_id}"


def pair_doc_id(a: str, b: str) -> str:
    return f"pair.{a}.{b}"


class CoPurchases:
    """The projection's event handler and its query API (one per process is enough; any number may
    read and write the same container)."""

    def __init__(self, container: Container) -> None:
        self._container = container

    @classmethod
    async def open(cls, store: DocumentStore) -> CoPurchases:
        """The projection over the platform's store (the host creates CONTAINER for an agent that
        declares it; opening it again is harmless)."""
        return cls(await CONTAINER.open(store))

    def follow(self, bus: EventConsumers | None) -> None:
        """Declares the shared consumer group that keeps the counts (no bus: queries only)."""
        if bus is not None:
            # Idempotent: an order's document is created once, in the same batch as the counts it
            # adds; a cancel subtracts only what is still counted, and its tombstone stops a later
            # copy of the OrderCreated from counting the order again.
            subscription = Subscription.to(TOPIC, self.handle, OrderCreated, OrderCancelled)
            bus.declare(ConsumerGroup(GROUP, (subscription,), idempotent=True))

    # --- the projection ----------------------------------------------------------------------

    async def handle(self, delivery: Delivery) -> None:
        payload = delivery.payload
        occurred = delivery.envelope.occurred_at.ToDatetime(tzinfo=UTC)
        if isinstance(payload, OrderCreated):
            await self.order_created(payload.order_id, _products(payload.lines), occurred)
        elif isinstance(payload, OrderCancelled):
            await self.order_cancelled(payload.order_id, _products(payload.lines), occurred)

    async def order_created(self, order_id: str, product_ids: Iterable[str], occurred_at: datetime) -> bool:
        """Counts the order once; False when it was already recorded (counted or cancelled)."""
        products = basket(product_ids)

        async def plan(attempt: int) -> Write[bool] | Done[bool]:
            docs = await self._read([order_id_of(order_id), TOTALS_ID, *self._count_ids(products)])
            if order_id_of(order_id) in docs:
                return Done(False)
            order = {
                "id": order_id_of(order_id),
                "scope": SCOPE,
                "kind": "order",
                "order_id": order_id,
                "products": products,
                "state": COUNTED,
                "placed_at": to_iso(occurred_at),
            }
            ops: list[BatchOperation] = [CreateOp(order)]
            ops.extend(self._adjust(docs, products, +1, occurred_at))
            return Write(ops, lambda _: True)

        return await commit(self._container, SCOPE, plan, busy=f"co-purchases of order {order_id!r} are contended")

    async def order_cancelled(self, order_id: str, product_ids: Iterable[str], occurred_at: datetime) -> bool:
        """Takes a counted order back out; True when counts changed."""
        listed = basket(product_ids)

        async def plan(attempt: int) -> Write[bool] | Done[bool]:
            order = (await self._read([order_id_of(order_id)])).get(order_id_of(order_id))
            if order is None:
                tombstone = {
                    "id": order_id_of(order_id),
                    "scope": SCOPE,
                    "kind": "order",
                    "order_id": order_id,
                    "products": listed,
                    "state": CANCELLED,
                    "placed_at": "",
                }
                return Write([CreateOp(tombstone)], lambda _: False)
            if order["state"] != COUNTED:
                return Done(False)
            products = list(order["products"])
            docs = await self._read([TOTALS_ID, *self._count_ids(products)])
            ops: list[BatchOperation] = [ReplaceOp({**order, "state": CANCELLED}, if_match=order["_etag"])]
            ops.extend(self._adjust(docs, products, -1, occurred_at))
            return Write(ops, lambda _: True)

        return await commit(self._container, SCOPE, plan, busy=f"co-purchases of order {order_id!r} are contended")

    @staticmethod
    def _count_ids(products: Sequence[str]) -> list[str]:
        return [*(product_doc_id(p) for p in products), *(pair_doc_id(a, b) for a, b in pairs(list(products)))]

    def _adjust(
        self, docs: dict[str, Document], products: Sequence[str], delta: int, occurred_at: datetime
    ) -> list[BatchOperation]:
        """The guarded writes that add `delta` to the totals, each product's and each pair's count."""
        ops: list[BatchOperation] = []
        totals = docs.get(TOTALS_ID)
        newest = to_iso(occurred_at)
        if totals is None:
            ops.append(
                CreateOp(
                    {"id": TOTALS_ID, "scope": SCOPE, "kind": "totals", "orders": max(delta, 0), "data_as_of": newest}
                )
            )
        else:
            ops.append(
                ReplaceOp(
                    {**totals, "orders": totals["orders"] + delta, "data_as_of": max(totals["data_as_of"], newest)},
                    if_match=totals["_etag"],
                )
            )
        counted: list[tuple[str, dict[str, Any]]] = [
            (product_doc_id(p), {"kind": "product", "product_id": p}) for p in products
        ]
        counted += [(pair_doc_id(a, b), {"kind": "pair", "a": a, "b": b}) for a, b in pairs(list(products))]
        for doc_id, fields in counted:
            held = docs.get(doc_id)
            if held is None:
                ops.append(CreateOp({"id": doc_id, "scope": SCOPE, **fields, "orders": max(delta, 0)}))
            else:
                ops.append(ReplaceOp({**held, "orders": held["orders"] + delta}, if_match=held["_etag"]))
        return ops

    async def _read(self, ids: Sequence[str]) -> dict[str, Document]:
        found: dict[str, Document] = {}
        query = Query(where=In("id", list(ids)))
        continuation: str | None = None
        while True:
            page = await self._container.query(query, partition_key=SCOPE, max_items=PAGE, continuation=continuation)
            found.update((doc["id"], doc) for doc in page.items)
            continuation = page.continuation
            if continuation is None:
                return found

    # --- the query API -----------------------------------------------------------------------

    async def orders_counted(self) -> int:
        """N: orders placed and not cancelled."""
        return int((await self._totals()).get("orders", 0))

    async def data_as_of(self) -> datetime | None:
        """The occurred_at of the newest order event applied (None before the first)."""
        stamp = (await self._totals()).get("data_as_of")
        return from_iso(stamp) if stamp else None

    async def frequently_bought_with(
        self, product_ids: Collection[str], *, exclude: Collection[str] = (), limit: int = 6
    ) -> list[Association]:
        """Products bought together with any of `product_ids`, strongest first, at most `limit`.

        For a candidate B and an antecedent A among `product_ids`, over N = orders placed and not
        cancelled:

        - support    = orders with both A and B / N
        - confidence = orders with both A and B / orders with A   (P(B | A))
        - lift       = confidence / P(B), where P(B) = orders with B / N

        Each candidate appears once, with its strongest antecedent; it is returned only when it
        clears MIN_CO_OCCURRENCES, MIN_SUPPORT, MIN_CONFIDENCE (inclusive) and lift > MIN_LIFT
        (hph.agents.copurchases.associations). The antecedents themselves and `exclude` (e.g. a
        cart's lines, archived products) never come back. Ranked by confidence, then lift, then
        co-occurrences, then product id.
        """
        sources = sorted(set(product_ids))
        if not sources or limit <= 0:
            return []
        totals = await self._totals()
        orders = int(totals.get("orders", 0))
        if orders <= 0:
            return []
        pair_counts: dict[tuple[str, str], int] = {}
        where = And(Eq("kind", "pair"), Or(In("a", sources), In("b", sources)), Ge("orders", MIN_CO_OCCURRENCES))
        async for doc in self._all(Query(where=where)):
            pair_counts[(doc["a"], doc["b"])] = int(doc["orders"])
        involved = sorted({p for pair in pair_counts for p in pair} | set(sources))
        product_counts = {
            doc["product_id"]: int(doc["orders"])
            async for doc in self._all(Query(where=In("id", [product_doc_id(p) for p in involved])))
        }
        return rank(sources, pair_counts, product_counts, orders, exclude=exclude, limit=limit)

    async def _totals(self) -> Document:
        try:
            return await self._container.read(TOTALS_ID, SCOPE)
        except NotFoundError:
            return {}

    async def _all(self, query: Query) -> AsyncIterator[Document]:
        continuation: str | None = None
        while True:
            page = await self._container.query(query, partition_key=SCOPE, max_items=PAGE, continuation=continuation)
            for doc in page.items:
                yield doc
            continuation = page.continuation
            if continuation is None:
                return


def _products(lines: Iterable[OrderLine]) -> list[str]:
    return [line.sku for line in lines if line.sku]
