"""The review queue's `ProposalSink` over gRPC: what product-management agents hand their drafts to.

    sink = QueueSink(deps.channels, deps.service_credentials)
    await sink.submit(drafts)          # ProposalSink: stored, deduplicated, idempotent

Drafts go to ProductProposalService.SubmitProposals as the platform (the queue applies each source
agent's field allow-list), at most `BATCH` per call. A refusal comes back as the domain error it is
(INVALID_ARGUMENT names the draft and field outside the allow-list); the queue unreachable is
UNAVAILABLE, so the agent's caller or its next run retries: a resubmission is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from holidaypeak.commerce.v1 import product_proposal_pb2 as ppb
from holidaypeak.commerce.v1 import product_proposal_service_pb2 as pb
from holidaypeak.commerce.v1 import product_proposal_service_pb2_grpc as pb_grpc
from hph.commerce.product_truth import ProposalDraft
from hph.runtime.errors import FieldViolation, InvalidArgument
from hph.runtime.rpc.downstream import PlatformClient, refusal_details, refusal_from

SERVICE = "proposals"
BATCH = 100
DEADLINE_SECONDS = 10.0


def draft_message(draft: ProposalDraft) -> ppb.ProposalDraft:
    return ppb.ProposalDraft(
        product_id=draft.product_id,
        field=draft.field,
        current_value=draft.current_value,
        proposed_value=draft.proposed_value,
        source_agent=draft.source_agent,
        confidence=draft.confidence,
        product_etag=draft.product_etag,
        evidence=[
            ppb.ProposalEvidence(name=e.name, value=e.value, reason=e.reason, unit=e.unit) for e in draft.evidence
        ],
    )


class QueueSink(PlatformClient):
    """A `ProposalSink` (hph.commerce.product_truth) backed by the review queue service."""

    async def submit(self, drafts: Sequence[ProposalDraft]) -> None:
        await self.submit_with_results(drafts)

    async def submit_with_results(self, drafts: Sequence[ProposalDraft]) -> list[pb.SubmittedProposal]:
        """What became of each draft (created, duplicate, auto-approved...), in the drafts' order."""
        stub = self._channels.stub(SERVICE, pb_grpc.ProductProposalServiceStub)
        results: list[pb.SubmittedProposal] = []
        for start in range(0, len(drafts), BATCH):
            chunk = drafts[start : start + BATCH]
            request = pb.SubmitProposalsRequest(drafts=[draft_message(d) for d in chunk])
            try:
                answer = await stub.SubmitProposals(request, timeout=DEADLINE_SECONDS, metadata=self._as_platform())
            except grpc.aio.AioRpcError as exc:
                if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
                    fields = refusal_details(exc).fields
                    raise InvalidArgument(
                        exc.details() or "the review queue refused the drafts",
                        violations=tuple(FieldViolation(_shift(name, start), why) for name, why in fields),
                    ) from None
                raise refusal_from(exc, SERVICE) from None
            results.extend(answer.results)
        return results


def _shift(field: str, offset: int) -> str:
    """A violation of drafts[i] in a chunk, as the index into the caller's whole sequence."""
    if not offset or not field.startswith("drafts["):
        return field
    index, _, rest = field.removeprefix("drafts[").partition("]")
    return f"drafts[{int(index) + offset}]{rest}" if index.isdigit() else field
