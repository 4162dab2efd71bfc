"""The timelines, kept durably: consumer group "order-status" of order-, payment-, shipment- and
return-events; container `order_status_timelines` (partition key /id = order id), one document per
order.

Idempotent under redelivery: `timeline.fold` skips an event id already in the document, and the
write is conditional on the etag read (hph.runtime.documents.update_document), so two deliveries of
one event, or two events of one order on different topics, never lose or double an entry. Entries are
kept sorted by occurred_at, so the order topics deliver in between does not matter; a replay of the
group (`hph events replay --group order-status`) rebuilds the same documents.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.order_status import timeline
from hph.agents.runtime import FreshnessTracker
from hph.runtime.documents import update_document
from hph.runtime.storage import ConflictError, Container, ContainerSpec, Document, NotFoundError

TIMELINES, TIMELINES_KEY = "order_status_timelines", "/id"
CONTAINER = ContainerSpec(TIMELINES, TIMELINES_KEY)
GROUP = "order-status"
TOPICS = ("order-events", "payment-events", "shipment-events", "return-events")
SOURCE = "projection:order-timelines"


class Timelines:
    def __init__(self, container: Container) -> None:
        self._container = container
        self.freshness = FreshnessTracker()

    async def read(self, order_id: str) -> Document | None:
        try:
            return await self._container.read(order_id, order_id)
        except NotFoundError:
            return None

    async def handle(self, envelope: EventEnvelope) -> None:
        if timeline.entry_of(envelope) is None:
            return
        event: Any = getattr(envelope, str(envelope.WhichOneof("payload")))
        order_id, user_id = event.order_id, event.user_id
        if await self.read(order_id) is None:
            first = timeline.fold(timeline.new_document(order_id, user_id), envelope)
            try:
                await self._container.create(first or timeline.new_document(order_id, user_id))
                self.freshness.observed(envelope.occurred_at.ToDatetime(tzinfo=UTC))
                return
            except ConflictError:
                pass  # another event of the order created it meanwhile: fold into that one

        async def mutate(doc: Document) -> Document | None:
            return timeline.fold(doc, envelope)

        await update_document(self._container, order_id, order_id, mutate, what="timeline")
        self.freshness.observed(envelope.occurred_at.ToDatetime(tzinfo=UTC))
