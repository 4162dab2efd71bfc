"""The order following its shipments, safely repeatable.

Every order with parcels has a fulfilment record in the `shipments` container (the order's
partition, beside its parcels): units ordered and shipped, each parcel's status, `order_status` (what
the parcels make the order, `rules.order_target`), `order_synced` (the status the orders service last
confirmed) and `order_in_sync`. A tracking event updates the parcel, the fulfilment record and the
outbox in ONE batch; moving the order (OrderService.UpdateOrderStatus as the platform) comes after
the commit, so it can fail on its own. It is repaired by whichever comes first:

1. the same request again (same request_id, or the same scan): the event is not recorded twice, but
   `OrderSync.ensure` runs again and moves the order;
2. any later create or event on the same order (they all end with `ensure`);
3. `OrderSyncSweeper`, which every few seconds picks up fulfilment records still out of sync.

`ensure` is idempotent: each edge is a no-op on the orders side once applied (and an order already
further along counts as done), and `order_synced` only ever moves forward (etag compare-and-swap).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.documents import update_document
from hph.runtime.periodic import PeriodicJob, Sweeper
from hph.runtime.storage import And, Container, Document, Eq, Lt, NotFoundError, OrderBy, Query
from hph.services.shipments import messages, rules
from hph.services.shipments.orders_client import OrdersClient
from hph.services.shipments.rules import OrderStatus

log = logging.getLogger("hph.shipments.sync")

DEFAULT_INTERVAL_SECONDS = 10.0
# Leaves records just written to the request that wrote them.
DEFAULT_GRACE = timedelta(seconds=5)
BATCH = 100


def mark_synced(doc: Document, reached: str, now: str) -> Document | None:
    """The fulfilment record once the order reached `reached`; None when that changes nothing."""
    synced = doc.get("order_synced", "")
    if rules.order_rank(reached) > rules.order_rank(synced):
        synced = reached
    in_sync = rules.order_rank(synced) >= rules.order_rank(doc["order_status"])
    if synced == doc.get("order_synced") and in_sync == doc.get("order_in_sync"):
        return None
    return {**doc, "order_synced": synced, "order_in_sync": in_sync, "updated_at": now}


class OrderSync:
    def __init__(self, shipments: Container, orders: OrdersClient, *, clock: Clock) -> None:
        self._shipments = shipments
        self._orders = orders
        self._clock = clock

    async def fulfilment(self, order_id: str) -> Document | None:
        try:
            return await self._shipments.read(messages.fulfilment_id(order_id), order_id)
        except NotFoundError:
            return None

    async def ensure(self, order_id: str, fulfilment: Document | None = None) -> None:
        """Moves the order to what its parcels make it, unless it is known to be there already."""
        doc = fulfilment if fulfilment is not None else await self.fulfilment(order_id)
        if doc is None or doc.get("order_in_sync", True):
            return
        target = OrderStatus(doc["order_status"])
        reached = await self._orders.advance(
            order_id, doc.get("order_synced", ""), target, reason=f"shipments: the order's parcels are {target}"
        )

        async def mutate(current: Document) -> Document | None:
            return mark_synced(current, reached, clocks.to_iso(self._clock()))

        await update_document(self._shipments, doc["id"], order_id, mutate, what="fulfilment")


class OrderSyncSweeper(Sweeper):
    """A `BackgroundTask` moving orders whose fulfilment record is still out of sync (the requests
    that changed them failed to and were not retried)."""

    def __init__(
        self,
        shipments: Container,
        sync: OrderSync,
        *,
        clock: Clock,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        grace: timedelta = DEFAULT_GRACE,
    ) -> None:
        self._shipments = shipments
        self._sync = sync
        self._clock = clock
        self._grace = grace
        self._job = PeriodicJob(
            self.sweep_once,
            interval=interval,
            name="hph-shipments-order-sync",
            log=log,
            failure="shipment order sync sweep failed",
        )

    async def sweep_once(self, *, now: datetime | None = None) -> int:
        """Syncs up to one batch of out-of-sync orders last changed before `now` minus the grace;
        returns how many it tried."""
        cutoff = clocks.to_iso((now or self._clock()) - self._grace)
        page = await self._shipments.query(
            Query(
                where=And(Eq("kind", messages.FULFILMENT_KIND), Eq("order_in_sync", False), Lt("updated_at", cutoff)),
                order_by=(OrderBy("updated_at"),),
            ),
            max_items=BATCH,
        )
        for doc in page.items:
            try:
                await self._sync.ensure(doc["order_id"], doc)
            except Exception:
                log.exception("could not move order %s after its shipments; retrying next sweep", doc.get("order_id"))
        return len(page.items)
