"""What an agent hands the product-truth review queue: a proposed change to one product field.

Agents never write product data. A product-management agent (normalisation, classification,
consistency) turns what it found into `ProposalDraft`s and gives them to a `ProposalSink`; the
review queue stores them durably, deduplicates them, and only a person's approval (or an enabled
auto-approval above the confidence floor) writes the value through CatalogService with the
product's etag.

Field names are the catalog's own (`name`, `brand`, `description`, `category_id`, `tags`,
`image_url`) or `attributes.<name>` for an extracted attribute (colour, size, material, count).
Values are strings; `tags` is a comma-separated list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# Fields a proposal may name. Each agent has its own allow-list within these (the queue enforces it).
CATALOG_FIELDS = ("name", "brand", "description", "category_id", "tags", "image_url")
ATTRIBUTE_PREFIX = "attributes."


@dataclass(frozen=True)
class Evidence:
    """One reason for a proposal, with its number (mirrors agents/v1 Driver)."""

    name: str
    value: float
    reason: str
    unit: str = ""


@dataclass(frozen=True)
class ProposalDraft:
    """A change an agent wants made to one field of one product, with why and how sure it is."""

    product_id: str
    field: str
    current_value: str
    proposed_value: str
    source_agent: str
    confidence: float
    # The product's etag the agent read; a proposal made against an older etag is superseded.
    product_etag: str
    evidence: tuple[Evidence, ...] = ()


class ProposalSink(Protocol):
    """Where agents send proposals; the review queue implements it."""

    async def submit(self, drafts: Sequence[ProposalDraft]) -> None:
        """Store the drafts (idempotent: the same draft submitted twice is one proposal)."""
        ...
