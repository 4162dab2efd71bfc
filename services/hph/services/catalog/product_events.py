"""The events a product write emits (ProductCreated, ProductUpdated, ProductArchived), built from
the product documents before and after the change.

The topic partition key and the storage partition key are both the product id, so a product's
events stay in commit order on product-events.
"""

from __future__ import annotations

from google.protobuf.message import Message

from holidaypeak.events.v1 import product_events_pb2 as ev
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.clock import Clock
from hph.runtime.events import resource_event
from hph.runtime.storage import Document
from hph.services.catalog import rules

SOURCE = "catalog"
_STATUS = {rules.ACTIVE: ev.PRODUCT_STATUS_ACTIVE, rules.ARCHIVED: ev.PRODUCT_STATUS_ARCHIVED}
# ProductSnapshot fields, each read from the document field of the same name except the id.
# Fields older documents may lack, and the value their absence means.
_ABSENT: dict[str, object] = {"attributes": {}}
SNAPSHOT_FIELDS = (
    "name",
    "description",
    "brand",
    "category_id",
    "price_minor",
    "currency_code",
    "image_url",
    "tags",
    "status",
    "attributes",
)


def snapshot(doc: Document) -> ev.ProductSnapshot:
    return ev.ProductSnapshot(
        product_id=doc["id"],
        name=doc["name"],
        description=doc.get("description", ""),
        brand=doc.get("brand", ""),
        category_id=doc["category_id"],
        price_minor=doc["price_minor"],
        currency_code=doc["currency_code"],
        image_url=doc.get("image_url", ""),
        tags=doc.get("tags", []),
        status=_STATUS[doc["status"]],
        attributes=doc.get("attributes", {}),
    )


def changed_fields(before: Document, after: Document) -> list[str]:
    """The snapshot fields whose value differs, in snapshot order."""
    return [
        name for name in SNAPSHOT_FIELDS if before.get(name, _ABSENT.get(name)) != after.get(name, _ABSENT.get(name))
    ]


def _envelope(payload: Message, product_id: str, *, correlation_id: str, clock: Clock) -> EventEnvelope:
    return resource_event(
        payload,
        source=SOURCE,
        collection="products",
        resource_id=product_id,
        correlation_id=correlation_id,
        clock=clock,
    )


def created(doc: Document, *, actor_id: str, correlation_id: str, clock: Clock) -> EventEnvelope:
    payload = ev.ProductCreated(product=snapshot(doc), actor_id=actor_id)
    return _envelope(payload, doc["id"], correlation_id=correlation_id, clock=clock)


def changed(
    before: Document, after: Document, *, actor_id: str, correlation_id: str, clock: Clock
) -> list[EventEnvelope]:
    """ProductArchived when the change withdrew the product from sale (whatever else changed with
    it); else ProductUpdated naming what changed (putting it back on sale included); else nothing,
    e.g. for an update that set every field to the value it already had."""
    product_id = after["id"]
    if after["status"] == rules.ARCHIVED and before["status"] != rules.ARCHIVED:
        archived = ev.ProductArchived(product_id=product_id, category_id=after["category_id"], actor_id=actor_id)
        return [_envelope(archived, product_id, correlation_id=correlation_id, clock=clock)]
    fields = changed_fields(before, after)
    if not fields:
        return []
    updated = ev.ProductUpdated(product=snapshot(after), changed_fields=fields, actor_id=actor_id)
    if "price_minor" in fields:
        updated.previous_price_minor = before["price_minor"]
    return [_envelope(updated, product_id, correlation_id=correlation_id, clock=clock)]
