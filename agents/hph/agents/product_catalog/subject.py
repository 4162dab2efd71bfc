"""What a product agent's request is about: a catalog product by id, or a draft given inline.

One check for every RPC taking `product_id` or `draft` (exactly one, else INVALID_ARGUMENT with the
field violations), and one read: the product as the catalog has it now, with its etag (NOT_FOUND
for an unknown or archived product).
"""

from __future__ import annotations

from holidaypeak.agents.v1 import agent_types_pb2
from hph.agents.product_catalog.records import ProductRecord, record_from_draft, record_from_product
from hph.agents.runtime.catalog import CatalogReader, listed
from hph.commerce.identifiers import check_product_id
from hph.runtime import money, validation
from hph.runtime.errors import NotFound, Violations

MAX_TITLE, MAX_DESCRIPTION, MAX_ATTRIBUTES, MAX_TAGS = 300, 10_000, 50, 50


def check_subject(violations: Violations, product_id: str, draft: agent_types_pb2.ProductDraft | None) -> None:
    if product_id and draft is not None:
        violations.add("draft", "give either product_id or draft, not both")
        return
    if draft is None:
        check_product_id(violations, product_id)
        return
    validation.text(violations, "draft.title", draft.title, required=True, max_length=MAX_TITLE)
    validation.text(violations, "draft.brand", draft.brand, max_length=MAX_TITLE)
    validation.text(violations, "draft.description", draft.description, max_length=MAX_DESCRIPTION)
    violations.check(len(draft.tags) <= MAX_TAGS, "draft.tags", f"at most {MAX_TAGS} tags")
    violations.check(len(draft.attributes) <= MAX_ATTRIBUTES, "draft.attributes", f"at most {MAX_ATTRIBUTES}")
    validation.http_url(violations, "draft.image_url", draft.image_url)
    if draft.HasField("price"):
        supported = money.is_supported_currency(draft.price.currency_code)
        violations.check(supported, "draft.price.currency_code", "must be a supported ISO 4217 code")


async def load_subject(
    reader: CatalogReader, product_id: str, draft: agent_types_pb2.ProductDraft | None
) -> ProductRecord:
    if draft is not None:
        return record_from_draft(draft)
    product = await reader.product(product_id)
    if product is None or not listed(product):
        raise NotFound(f"product {product_id!r} not found")
    return record_from_product(product)
