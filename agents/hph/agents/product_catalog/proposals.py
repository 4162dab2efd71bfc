"""The hand-off of proposals to the review queue (hph.commerce.product_truth).

An agent's sink is optional: without one (the queue not hosted) proposals are computed and returned
in the answer's drivers but not submitted. A proposal must carry the etag of the product it was
computed from; a view built from events knows no etag, so the missing ones are read from the
catalog just before submitting (a product gone since is dropped, as its proposals would be moot).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence

from hph.commerce.product_truth import ProposalDraft, ProposalSink
from hph.runtime.deps import Dependencies

log = logging.getLogger("hph.agents.product_catalog")

# Reads a product's current etag; None when the product is gone.
EtagReader = Callable[[str], Awaitable[str | None]]


async def submit(sink: ProposalSink | None, drafts: Sequence[ProposalDraft], etag_of: EtagReader) -> int:
    """Gives the drafts to the sink with their etags filled in; how many were submitted (0 without a sink)."""
    if sink is None or not drafts:
        return 0
    etags: dict[str, str | None] = {}
    ready: list[ProposalDraft] = []
    for draft in drafts:
        if draft.product_etag:
            ready.append(draft)
            continue
        if draft.product_id not in etags:
            etags[draft.product_id] = await etag_of(draft.product_id)
        etag = etags[draft.product_id]
        if etag:
            ready.append(dataclasses.replace(draft, product_etag=etag))
    if ready:
        await sink.submit(ready)
    return len(ready)


def review_queue(deps: Dependencies) -> ProposalSink | None:
    """The review queue's sink for this platform; None until the queue is hosted (the one place
    that wires it: the agents take whatever this returns)."""
    del deps
    return None
