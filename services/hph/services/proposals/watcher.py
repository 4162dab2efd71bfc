"""Keeps open proposals true to their products: the consumer group "product-proposals" of
product-events.

On any product event the product's open proposals are checked against the product as the catalog
has it now (read, not taken from the event: a redelivery or a late event then decides the same as
the newest state): an archived or vanished product supersedes them all; a proposal whose field no
longer holds the value it was made against is superseded; one whose field is unchanged while the
product moved on is rebased onto the new etag, so approving it does not meet a needless conflict.
"""

from __future__ import annotations

from holidaypeak.commerce.v1 import product_pb2
from holidaypeak.events.v1 import product_events_pb2 as ev
from hph.runtime import clock as clocks
from hph.runtime.commit import Done, Write, commit
from hph.runtime.consumers import ConsumerGroup, Delivery, Subscription
from hph.runtime.deps import Dependencies
from hph.runtime.storage import And, Container, Document, Eq, In, Query, ReplaceOp
from hph.services.proposals import documents, rules, transitions
from hph.services.proposals.catalog import ProductCatalog
from hph.services.proposals.rules import Cause

TOPIC = "product-events"
GROUP = "product-proposals"
PRODUCT_EVENTS = (ev.ProductCreated, ev.ProductUpdated, ev.ProductArchived)
MAX_OPEN_PER_PRODUCT = 1000


class ProductWatcher:
    def __init__(self, deps: Dependencies, proposals: Container, catalog: ProductCatalog) -> None:
        self._deps = deps
        self._proposals = proposals
        self._catalog = catalog

    def consumer_group(self) -> ConsumerGroup:
        return ConsumerGroup(GROUP, (Subscription.to(TOPIC, self.handle, *PRODUCT_EVENTS),))

    async def handle(self, delivery: Delivery) -> None:
        await self.follow(delivery.envelope.partition_key, correlation_id=delivery.envelope.correlation_id)

    async def follow(self, product_id: str, *, correlation_id: str = "") -> int:
        """Brings `product_id`'s open proposals up to date; returns how many were superseded."""
        if not await self._open(product_id):
            return 0  # the common case: a product change with nothing waiting on it
        product = await self._catalog.product(product_id)

        async def plan(attempt: int) -> Write[int] | Done[int]:
            operations = []
            events = []
            superseded = 0
            now = clocks.to_iso(self._deps.clock())
            for doc in await self._open(product_id):
                change = _judge(doc, product)
                if change.cause is not None:
                    value_now = "" if product is None else rules.field_value(product, doc["field"])
                    step = transitions.supersede(
                        doc,
                        change.cause,
                        value_now=value_now,
                        actor=documents.PLATFORM_ACTOR,
                        reason=change.cause.value,
                        correlation_id=correlation_id,
                        clock=self._deps.clock,
                    )
                    operations.append(ReplaceOp(step.doc, if_match=doc["_etag"]))
                    events += [step.event] if step.event is not None else []
                    superseded += 1
                elif change.rebase and product is not None:
                    rebased = transitions.rebase(doc, etag_now=product.etag, now=now)
                    operations.append(ReplaceOp(rebased, if_match=doc["_etag"]))
            if not operations:
                return Done(0)
            return Write(operations, lambda written: superseded, events=events)

        return await commit(
            self._proposals,
            product_id,
            plan,
            busy=f"the proposals of product {product_id!r} are being changed by others; retry",
            notify=self._deps.notify_relay,
        )

    async def _open(self, product_id: str) -> list[Document]:
        page = await self._proposals.query(
            Query(where=And(Eq("kind", rules.KIND), In("status", [s.value for s in rules.OPEN]))),
            partition_key=product_id,
            max_items=MAX_OPEN_PER_PRODUCT,
        )
        return page.items


def _judge(doc: Document, product: product_pb2.Product | None) -> rules.Staleness:
    if product is None:
        return rules.Staleness(Cause.PRODUCT_MISSING, False)
    return rules.staleness(
        doc,
        archived=product.status == product_pb2.PRODUCT_STATUS_ARCHIVED,
        value_now=rules.field_value(product, doc["field"]),
        etag_now=product.etag,
    )
