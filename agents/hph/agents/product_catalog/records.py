"""The product as the product-management cores read it: plain data, from a catalog product, a
product event's snapshot or a draft, so the cores never touch protos."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.commerce.v1 import product_pb2
from holidaypeak.events.v1 import product_events_pb2
from hph.runtime import money


@dataclass(frozen=True)
class ProductRecord:
    """One product's content; `etag` is empty when unknown (a record from an event or a draft)."""

    id: str
    name: str
    brand: str = ""
    description: str = ""
    category_id: str = ""
    tags: tuple[str, ...] = ()
    price: float | None = None
    currency_code: str = "USD"
    image_url: str = ""
    etag: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)
    # As the catalog last said (a product event does not carry it: the view keeps the last known).
    in_stock: bool = False

    def text(self) -> str:
        """Everything the classifier reads of the product, one string."""
        return " ".join(part for part in (self.name, self.brand, " ".join(self.tags), self.description) if part)


def current_attributes(product: Any) -> dict[str, str]:
    """The attributes a catalog product has now (its `attributes` map)."""
    return dict(product.attributes)


def record_from_product(product: product_pb2.Product) -> ProductRecord:
    return ProductRecord(
        id=product.id,
        name=product.name,
        brand=product.brand,
        description=product.description,
        category_id=product.category_id,
        tags=tuple(product.tags),
        price=product.price,
        currency_code=product.currency_code or "USD",
        image_url=product.image_url,
        etag=product.etag,
        attributes=current_attributes(product),
        in_stock=product.in_stock,
    )


def record_from_snapshot(snapshot: product_events_pb2.ProductSnapshot) -> ProductRecord:
    """A product as an event carries it: no etag (the proposal hand-off reads it when needed)."""
    currency = snapshot.currency_code or "USD"
    return ProductRecord(
        id=snapshot.product_id,
        name=snapshot.name,
        brand=snapshot.brand,
        description=snapshot.description,
        category_id=snapshot.category_id,
        tags=tuple(snapshot.tags),
        price=money.to_major(snapshot.price_minor, currency),
        currency_code=currency,
        image_url=snapshot.image_url,
        attributes=current_attributes(snapshot),
    )


def record_from_draft(draft: agent_types_pb2.ProductDraft) -> ProductRecord:
    price = draft.price.amount if draft.HasField("price") else None
    if draft.HasField("price") and draft.price.amount_minor and draft.price.currency_code:
        price = money.to_major(draft.price.amount_minor, draft.price.currency_code)
    return ProductRecord(
        id="",
        name=draft.title,
        brand=draft.brand,
        description=draft.description,
        category_id=draft.category_id,
        tags=tuple(draft.tags),
        price=price,
        currency_code=draft.price.currency_code or "USD",
        image_url=draft.image_url,
        attributes=dict(draft.attributes),
    )
