"""The hand-off of proposals to the review queue (hph.commerce.product_truth).

The sink is the review queue's (`QueueSink`, over gRPC as the platform). An answer never fails
because the queue did: a refused or unreachable submission is logged and the answer says how many
were submitted (a later call submits them again; the queue deduplicates). Without a sink (tests of
the cores) proposals are computed and returned in the answer's drivers only.

A proposal must carry the etag of the product it was computed from; a view built from events knows
no etag, so the missing ones are read from the catalog just before submitting (a product gone since
is dropped, as its proposals would be moot).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence

from hph.commerce.product_truth import ProposalDraft, ProposalSink
from hph.commerce.proposal_sink import QueueSink
from hph.runtime.deps import Dependencies
from hph.runtime.errors import DomainError

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
    if not ready:
        return 0
    try:
        await sink.submit(ready)
    except DomainError as exc:
        log.warning(
            "proposals not submitted to the review queue: %s",
            exc.message,
            extra={"drafts": len(ready), "code": exc.code.name},
        )
        return 0
    return len(ready)


def review_queue(deps: Dependencies) -> ProposalSink:
    """The review queue's sink for this platform (the one place that wires it)."""
    return QueueSink(deps.channels, deps.service_credentials)
