"""The hand-off of proposals to the review queue: nothing without a sink; a draft without an etag
gets the product's current one (read once per product); a product gone since is dropped."""

from __future__ import annotations

from collections.abc import Sequence

from hph.agents.product_catalog.proposals import submit
from hph.commerce.product_truth import ProposalDraft


class Sink:
    def __init__(self) -> None:
        self.batches: list[list[ProposalDraft]] = []

    async def submit(self, drafts: Sequence[ProposalDraft]) -> None:
        self.batches.append(list(drafts))


def draft(product_id: str, field: str, etag: str = "") -> ProposalDraft:
    return ProposalDraft(product_id, field, "old", "new", "consistency-validation", 0.9, etag)


async def test_etags_are_filled_once_per_product_and_gone_products_are_dropped() -> None:
    reads: list[str] = []

    async def etag_of(product_id: str) -> str | None:
        reads.append(product_id)
        return None if product_id == "GONE-0001" else f"etag-{product_id}"

    sink = Sink()
    drafts = [
        draft("A-0001", "name"),
        draft("A-0001", "brand"),
        draft("B-0001", "name", "known"),
        draft("GONE-0001", "name"),
    ]
    assert await submit(sink, drafts, etag_of) == 3
    assert [(d.product_id, d.field, d.product_etag) for d in sink.batches[0]] == [
        ("A-0001", "name", "etag-A-0001"),
        ("A-0001", "brand", "etag-A-0001"),
        ("B-0001", "name", "known"),
    ]
    assert reads == ["A-0001", "GONE-0001"]


async def test_without_a_sink_or_drafts_nothing_is_read_or_submitted() -> None:
    async def etag_of(product_id: str) -> str | None:
        raise AssertionError("no read expected")

    assert await submit(None, [draft("A-0001", "name")], etag_of) == 0
    sink = Sink()
    assert await submit(sink, [], etag_of) == 0 and sink.batches == []
