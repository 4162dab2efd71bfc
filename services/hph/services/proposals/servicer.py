"""ProductProposalService over gRPC: the product-truth review queue.

Storage: container `product_proposals`, partition key /product_id. Every proposal of a product, and
the outbox records of its events, share the product's partition, so a submission (new proposals
plus the same agent's older ones it supersedes), a decision, and the watcher's supersessions each
commit the documents and their events in ONE batch (`hph.runtime.commit`). A proposal id is
"<product_id>.<digest of the draft>", so every lookup is a point read and a retried submission lands
on the same proposal.

Approval is a claim, a catalog write, and a record: the claim (status `applying`, guarded by the
proposal's etag) lets exactly one of two concurrent reviewers through; the catalog's UpdateProduct
with the proposal's product etag writes the value (as the reviewer) or refuses a changed product
(ABORTED), which sends the proposal back to review with the product's current value; then the
decision and its event are committed. A claim whose holder died expires (`rules.CLAIM_SECONDS`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from holidaypeak.commerce.v1 import product_pb2
from holidaypeak.commerce.v1 import product_proposal_pb2 as ppb
from holidaypeak.commerce.v1 import product_proposal_service_pb2 as pb
from holidaypeak.commerce.v1 import product_proposal_service_pb2_grpc as pb_grpc
from hph.commerce import identifiers
from hph.runtime import clock as clocks
from hph.runtime import validation
from hph.runtime.commit import Done, Write, commit
from hph.runtime.deps import Dependencies
from hph.runtime.errors import Aborted, DomainError, FailedPrecondition, NotFound, Violations
from hph.runtime.rpc.call_context import current_principal, current_request_id
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import (
    And,
    BatchOperation,
    Container,
    ContainerSpec,
    CreateOp,
    Document,
    Eq,
    In,
    NotFoundError,
    OrderBy,
    Query,
    ReplaceOp,
    Term,
)
from hph.services.proposals import documents, rules, transitions
from hph.services.proposals.catalog import Conflict, Missing, ProductCatalog
from hph.services.proposals.policy import ProposalPolicy, load_policy
from hph.services.proposals.rules import Cause, Status
from hph.services.proposals.stats import queue_stats
from hph.services.proposals.watcher import ProductWatcher

log = logging.getLogger("hph.services.proposals")

PROPOSALS = "product_proposals"
PARTITION_KEY = "/product_id"
# What this service keeps (the host creates it and registers its outbox with the relay).
CONTAINERS = (ContainerSpec(PROPOSALS, PARTITION_KEY, outbox=True),)
NEWEST_FIRST = (OrderBy("created_at", descending=True),)
# A product's proposals read at once when deciding a submission (each is a field x value x agent).
MAX_PER_PRODUCT = 1000
STATS_PAGE = 1000


class Outcome(Enum):
    APPROVED = "approved"
    RETURNED = "returned_to_review"


@dataclass(frozen=True)
class Decided:
    doc: Document
    outcome: Outcome
    reason: str = ""


def _status_filter(violations: Violations, value: int) -> list[str] | None:
    if value == ppb.PROPOSAL_STATUS_UNSPECIFIED:
        return None
    status = documents.STATUS_FROM_PB.get(value)  # type: ignore[call-overload]
    if status is None:
        violations.add("status", f"{value} is not a known proposal status")
        return None
    # An approval in flight still reads as pending.
    return [status.value, Status.APPLYING.value] if status == Status.PENDING else [status.value]


class ProposalServicer(pb_grpc.ProductProposalServiceServicer):
    def __init__(
        self, deps: Dependencies, proposals: Container, catalog: ProductCatalog, policy: ProposalPolicy
    ) -> None:
        self._deps = deps
        self._proposals = proposals
        self._catalog = catalog
        self._policy = policy

    # --- agents ---------------------------------------------------------------------------

    async def SubmitProposals(self, request: pb.SubmitProposalsRequest, context: Any) -> pb.SubmitProposalsResponse:
        violations = Violations()
        drafts = list(request.drafts)
        violations.check(0 < len(drafts) <= rules.MAX_DRAFTS, "drafts", f"send 1..{rules.MAX_DRAFTS} drafts")
        seen: dict[tuple[str, str, str], int] = {}
        for i, draft in enumerate(drafts):
            path = f"drafts[{i}]"
            rules.check_draft_values(violations, path, draft)
            refusal = self._policy.refusal(draft.source_agent, draft.field)
            if refusal:
                violations.add(f"{path}.field", refusal)
            key = (draft.product_id, draft.field, draft.source_agent)
            if key in seen and not rules.same_value(
                draft.field, drafts[seen[key]].proposed_value, draft.proposed_value
            ):
                violations.add(path, f"drafts[{seen[key]}] already proposes this agent's value for this field")
            seen.setdefault(key, i)
        violations.raise_if_any()

        by_product: dict[str, list[int]] = {}
        for i, draft in enumerate(drafts):
            by_product.setdefault(draft.product_id, []).append(i)
        products = dict(
            zip(by_product, await asyncio.gather(*(self._catalog.product(pid) for pid in by_product)), strict=True)
        )
        for product_id, indexes in by_product.items():
            found = products[product_id]
            for i in indexes:
                if found is None:
                    violations.add(f"drafts[{i}].product_id", f"no product {product_id!r}")
                elif drafts[i].product_etag == found.etag:
                    # Read from this very version, the value the audit trail starts from must be its value.
                    actual = rules.field_value(found, drafts[i].field)
                    violations.check(
                        rules.same_value(drafts[i].field, drafts[i].current_value, actual),
                        f"drafts[{i}].current_value",
                        f"is not the product's {drafts[i].field} at etag {found.etag!r} ({actual!r})",
                    )
        violations.raise_if_any()

        results: list[pb.SubmittedProposal] = [pb.SubmittedProposal() for _ in drafts]
        created: list[tuple[int, Document]] = []
        for product_id, indexes in by_product.items():
            product = products[product_id]
            assert product is not None
            placed = await self._place(product_id, [(i, drafts[i]) for i in indexes], product.category_id)
            for i, doc, is_new in placed:
                outcome = pb.SUBMIT_OUTCOME_CREATED if is_new else pb.SUBMIT_OUTCOME_DUPLICATE
                results[i] = pb.SubmittedProposal(
                    proposal_id=doc["id"], outcome=outcome, status=documents.STATUS_TO_PB[Status(doc["status"])]
                )
                if is_new:
                    created.append((i, doc))
        if self._deps.settings.proposals_auto_approve:
            for i, doc in created:
                if self._policy.auto_approves(doc["source_agent"], doc["field"], doc["category_id"], doc["confidence"]):
                    results[i] = await self._auto_approve(doc, results[i])
        return pb.SubmitProposalsResponse(results=results)

    async def _place(
        self, product_id: str, drafts: Sequence[tuple[int, ppb.ProposalDraft]], category_id: str
    ) -> list[tuple[int, Document, bool]]:
        """Stores a product's drafts: duplicates answer the proposal they equal, new ones are created
        with the same agent's open proposals on the field superseded, all in one batch."""
        correlation = current_request_id()

        async def plan(
            attempt: int,
        ) -> Write[list[tuple[int, Document, bool]]] | Done[list[tuple[int, Document, bool]]]:
            queue = await self._queue(product_id)
            etags = {doc["id"]: doc["_etag"] for doc in queue}
            working = list(queue)
            now = clocks.to_iso(self._deps.clock())
            placed: list[tuple[int, Document, bool]] = []
            creates: list[Document] = []
            replaced: dict[str, Document] = {}
            events = []
            for i, draft in drafts:
                new_id = rules.proposal_id(
                    product_id, draft.field, draft.proposed_value.strip(), draft.source_agent, draft.product_etag
                )
                placement = rules.place(draft, new_id, working)
                if placement.existing is not None:
                    placed.append((i, dict(placement.existing), False))
                    continue
                doc = documents.new_document(draft, new_id, category_id=category_id, now=now)
                for old in placement.replaced:
                    step = transitions.supersede(
                        old,
                        Cause.REPLACED,
                        value_now=old["current_value"],
                        actor=draft.source_agent,
                        reason=f"replaced by {new_id}",
                        correlation_id=correlation,
                        clock=self._deps.clock,
                    )
                    replaced[old["id"]] = step.doc
                    working = [step.doc if d["id"] == old["id"] else d for d in working]
                    if step.event is not None:
                        events.append(step.event)
                supersedes = placement.replaced[0]["id"] if placement.replaced else ""
                events.append(
                    transitions.submitted(
                        doc, supersedes=supersedes, correlation_id=correlation, clock=self._deps.clock
                    )
                )
                working.append(doc)
                creates.append(doc)
                placed.append((i, doc, True))
            if not creates:
                return Done(placed)
            operations: list[BatchOperation] = [CreateOp(doc) for doc in creates]
            operations += [ReplaceOp(doc, if_match=etags[doc_id]) for doc_id, doc in replaced.items()]
            return Write(operations, lambda written: placed, events=events)

        return await commit(
            self._proposals,
            product_id,
            plan,
            busy=f"the proposals of product {product_id!r} are being changed by others; retry",
            notify=self._deps.notify_relay,
        )

    async def _auto_approve(self, doc: Document, submitted: pb.SubmittedProposal) -> pb.SubmittedProposal:
        try:
            decided = await self._approve(
                doc["id"], doc["product_id"], value=None, pinned="", note="", actor=documents.AUTO_APPROVER, auto=True
            )
        except DomainError as refused:
            # Decided meanwhile, the product gone, the catalog refusing the value or out of reach:
            # the proposal stays for a person (the submission itself succeeded).
            log.warning("auto-approval of %s left it for review: %s", doc["id"], refused.message)
            return submitted
        outcome = (
            pb.SUBMIT_OUTCOME_AUTO_APPROVED if decided.outcome == Outcome.APPROVED else pb.SUBMIT_OUTCOME_NEEDS_REVIEW
        )
        return pb.SubmittedProposal(
            proposal_id=doc["id"], outcome=outcome, status=documents.STATUS_TO_PB[Status(decided.doc["status"])]
        )

    # --- staff ----------------------------------------------------------------------------

    async def ListProposals(self, request: pb.ListProposalsRequest, context: Any) -> pb.ListProposalsResponse:
        violations = Violations()
        statuses = _status_filter(violations, request.status)
        if request.product_id:
            validation.identifier(
                violations,
                "product_id",
                request.product_id,
                identifiers.PRODUCT_ID,
                identifiers.PRODUCT_ID_HINT,
            )
        if request.field:
            rules.check_field_name(violations, "field", request.field)
        if request.source_agent:
            rules.check_agent(violations, "source_agent", request.source_agent)
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        terms: list[Term] = [Eq("kind", rules.KIND)]
        if statuses is not None:
            terms.append(In("status", statuses))
        if request.field:
            terms.append(Eq("field", request.field))
        if request.source_agent:
            terms.append(Eq("source_agent", request.source_agent))
        page = await self._proposals.query(
            Query(where=And(*terms), order_by=NEWEST_FIRST),
            partition_key=request.product_id or None,
            max_items=size,
            continuation=token,
        )
        return pb.ListProposalsResponse(
            proposals=[documents.proposal_message(doc, with_audit=False) for doc in page.items],
            next_page_token=page.continuation or "",
        )

    async def GetProposal(self, request: pb.GetProposalRequest, context: Any) -> ppb.ProductProposal:
        violations = Violations()
        product_id = rules.product_of(violations, "proposal_id", request.proposal_id)
        violations.raise_if_any()
        return documents.proposal_message(await self._read(request.proposal_id, product_id))

    async def ApproveProposal(self, request: pb.ApproveProposalRequest, context: Any) -> ppb.ProductProposal:
        violations = Violations()
        product_id = rules.product_of(violations, "proposal_id", request.proposal_id)
        if request.HasField("value"):
            violations.check(len(request.value) <= rules.MAX_VALUE, "value", f"at most {rules.MAX_VALUE} characters")
        validation.text(violations, "note", request.note, max_length=rules.MAX_REASON)
        _check_etag(violations, request.etag)
        violations.raise_if_any()
        value = request.value.strip() if request.HasField("value") else None
        decided = await self._approve(
            request.proposal_id,
            product_id,
            value=value,
            pinned=request.etag,
            note=request.note.strip(),
            actor=current_principal().subject,
            auto=False,
        )
        if decided.outcome == Outcome.RETURNED:
            raise Aborted(
                f"product {product_id!r} changed since proposal {request.proposal_id!r} was made; nothing was "
                f"written and the proposal is back in review ({decided.reason}); read it and decide again",
                metadata={"proposal_id": request.proposal_id, "status": Status.NEEDS_REVIEW.value},
            )
        return documents.proposal_message(decided.doc)

    async def RejectProposal(self, request: pb.RejectProposalRequest, context: Any) -> ppb.ProductProposal:
        violations = Violations()
        product_id = rules.product_of(violations, "proposal_id", request.proposal_id)
        validation.text(violations, "reason", request.reason, required=True, max_length=rules.MAX_REASON)
        _check_etag(violations, request.etag)
        violations.raise_if_any()
        actor = current_principal().subject
        correlation = current_request_id()

        async def plan(attempt: int) -> Write[Document]:
            doc = await self._read(request.proposal_id, product_id)
            if request.etag and doc["_etag"] != request.etag:
                raise Aborted(f"proposal {request.proposal_id!r} changed since etag {request.etag!r}; read it again")
            rules.require_decidable(doc, self._deps.clock(), Status.REJECTED)
            step = transitions.reject(
                doc, actor=actor, reason=request.reason.strip(), correlation_id=correlation, clock=self._deps.clock
            )
            return Write([ReplaceOp(step.doc, if_match=doc["_etag"])], _stored(step.doc), events=_events(step))

        doc = await commit(
            self._proposals,
            product_id,
            plan,
            busy=f"proposal {request.proposal_id!r} is being changed by others; retry",
            pinned=f"proposal {request.proposal_id!r} changed meanwhile; read it again" if request.etag else "",
            notify=self._deps.notify_relay,
        )
        return documents.proposal_message(doc)

    async def GetProposalStats(self, request: pb.GetProposalStatsRequest, context: Any) -> pb.ProposalStats:
        docs: list[Document] = []
        token: str | None = None
        while True:  # the whole queue, a page at a time (decided proposals stay: they are the rates)
            page = await self._proposals.query(
                Query(where=Eq("kind", rules.KIND)), max_items=STATS_PAGE, continuation=token
            )
            docs.extend(page.items)
            token = page.continuation
            if not token:
                return queue_stats(docs, self._deps.clock())

    # --- approval -------------------------------------------------------------------------

    async def _approve(
        self, proposal_id: str, product_id: str, *, value: str | None, pinned: str, note: str, actor: str, auto: bool
    ) -> Decided:
        claim_id = uuid.uuid4().hex

        async def take(attempt: int) -> Write[Document]:
            doc = await self._read(proposal_id, product_id)
            if pinned and doc["_etag"] != pinned:
                raise Aborted(f"proposal {proposal_id!r} changed since etag {pinned!r}; read it again")
            now = self._deps.clock()
            start = rules.require_decidable(doc, now, Status.APPROVED)
            claimed = transitions.claim(doc, actor=actor, claim_id=claim_id, start=start, now=clocks.to_iso(now))
            return Write([ReplaceOp(claimed, if_match=doc["_etag"])], _stored(claimed))

        claimed = await commit(
            self._proposals,
            product_id,
            take,
            busy=f"proposal {proposal_id!r} is being changed by others; retry",
            pinned=f"proposal {proposal_id!r} changed meanwhile; read it again" if pinned else "",
        )
        applied = claimed["proposed_value"] if value is None else value
        try:
            written = await self._catalog.write(
                product_id, claimed["field"], applied, claimed["product_etag"], as_caller=not auto
            )
        except BaseException:
            await asyncio.shield(self._release(claimed, claim_id))
            raise
        if isinstance(written, product_pb2.Product):
            return await self._record_approval(claimed, claim_id, applied, written.etag, actor, auto, note)
        product = None if isinstance(written, Missing) else await self._catalog.product(product_id)
        if product is None or product.status == product_pb2.PRODUCT_STATUS_ARCHIVED:
            cause = Cause.PRODUCT_MISSING if product is None else Cause.PRODUCT_ARCHIVED
            await self._supersede_claimed(claimed, claim_id, cause)
            raise FailedPrecondition(
                f"product {product_id!r} is {'gone' if product is None else 'archived'}; the proposal is superseded",
                subject=f"proposals/{proposal_id}",
            )
        assert isinstance(written, Conflict)
        value_now = rules.field_value(product, claimed["field"])
        if rules.same_value(claimed["field"], value_now, applied):
            # Already so in the catalog (e.g. our own write whose record was lost): nothing overwritten.
            return await self._record_approval(claimed, claim_id, applied, product.etag, actor, auto, note)
        return await self._return_to_review(claimed, claim_id, product, value_now, actor)

    async def _record_approval(
        self, claimed: Document, claim_id: str, applied: str, etag_now: str, actor: str, auto: bool, note: str
    ) -> Decided:
        """Approved, and the product's other open proposals follow its new version: those on the same
        field are superseded (their basis changed), the others apply to the new etag."""
        correlation = current_request_id()
        product_id = claimed["product_id"]

        async def plan(attempt: int) -> Write[Decided]:
            doc = await self._read(claimed["id"], product_id)
            if doc.get("claim_id") != claim_id:
                raise Aborted(f"proposal {claimed['id']!r} was taken over by another approval; read it again")
            step = transitions.approve(
                doc,
                value=applied,
                actor=actor,
                auto=auto,
                note=note,
                correlation_id=correlation,
                clock=self._deps.clock,
            )
            operations = [ReplaceOp(step.doc, if_match=doc["_etag"])]
            events = _events(step)
            now = clocks.to_iso(self._deps.clock())
            for other in rules.open_ones(await self._queue(product_id)):
                if other["field"] == doc["field"]:
                    follow = transitions.supersede(
                        other,
                        Cause.FIELD_CHANGED,
                        value_now=applied,
                        actor=actor,
                        reason=f"{doc['field']} set to {applied!r} by {doc['id']}",
                        correlation_id=correlation,
                        clock=self._deps.clock,
                    )
                    operations.append(ReplaceOp(follow.doc, if_match=other["_etag"]))
                    events += _events(follow)
                elif other["product_etag"] != etag_now:
                    operations.append(
                        ReplaceOp(transitions.rebase(other, etag_now=etag_now, now=now), if_match=other["_etag"])
                    )
            return Write(
                operations, lambda written: Decided(dict(written[0] or step.doc), Outcome.APPROVED), events=events
            )

        return await commit(
            self._proposals,
            product_id,
            plan,
            busy=f"proposal {claimed['id']!r} could not be recorded; retry",
            notify=self._deps.notify_relay,
        )

    async def _return_to_review(
        self, claimed: Document, claim_id: str, product: product_pb2.Product, value_now: str, actor: str
    ) -> Decided:
        correlation = current_request_id()

        async def plan(attempt: int) -> Write[Decided]:
            doc = await self._read(claimed["id"], claimed["product_id"])
            if doc.get("claim_id") != claim_id:
                raise Aborted(f"proposal {claimed['id']!r} was taken over by another approval; read it again")
            step = transitions.return_to_review(
                doc,
                value_now=value_now,
                etag_now=product.etag,
                category_now=product.category_id,
                actor=actor,
                correlation_id=correlation,
                clock=self._deps.clock,
            )
            reason = step.doc["decision_reason"]
            return Write(
                [ReplaceOp(step.doc, if_match=doc["_etag"])],
                lambda written: Decided(dict(written[0] or step.doc), Outcome.RETURNED, reason),
                events=_events(step),
            )

        return await commit(
            self._proposals,
            claimed["product_id"],
            plan,
            busy=f"proposal {claimed['id']!r} could not be recorded; retry",
            notify=self._deps.notify_relay,
        )

    async def _supersede_claimed(self, claimed: Document, claim_id: str, cause: Cause) -> None:
        correlation = current_request_id()

        async def plan(attempt: int) -> Write[None] | Done[None]:
            doc = await self._read(claimed["id"], claimed["product_id"])
            if doc.get("claim_id") != claim_id:
                return Done(None)
            step = transitions.supersede(
                doc,
                cause,
                value_now="",
                actor=documents.PLATFORM_ACTOR,
                reason=cause.value,
                correlation_id=correlation,
                clock=self._deps.clock,
            )
            return Write([ReplaceOp(step.doc, if_match=doc["_etag"])], lambda written: None, events=_events(step))

        await commit(self._proposals, claimed["product_id"], plan, busy="retry", notify=self._deps.notify_relay)

    async def _release(self, claimed: Document, claim_id: str) -> None:
        """Gives the proposal back (the catalog wrote nothing); a failure leaves the claim to expire."""

        async def plan(attempt: int) -> Write[None] | Done[None]:
            doc = await self._read(claimed["id"], claimed["product_id"])
            if doc.get("claim_id") != claim_id:
                return Done(None)
            released = transitions.release(doc, now=clocks.to_iso(self._deps.clock()))
            return Write([ReplaceOp(released, if_match=doc["_etag"])], lambda written: None)

        await commit(self._proposals, claimed["product_id"], plan, busy="retry")

    # --- helpers --------------------------------------------------------------------------

    async def _read(self, proposal_id: str, product_id: str) -> Document:
        try:
            doc = await self._proposals.read(proposal_id, product_id)
        except NotFoundError:
            doc = None
        if doc is None or doc.get("kind") != rules.KIND:
            raise NotFound(f"proposal {proposal_id!r} not found")
        return doc

    async def _queue(self, product_id: str) -> list[Document]:
        """Every proposal kept for one product (one partition)."""
        page = await self._proposals.query(
            Query(where=Eq("kind", rules.KIND)), partition_key=product_id, max_items=MAX_PER_PRODUCT
        )
        return page.items


def _stored(doc: Document) -> Any:
    return lambda written: dict(written[0] or doc)


def _events(step: transitions.Step) -> list[Any]:
    return [step.event] if step.event is not None else []


def _check_etag(violations: Violations, etag: str) -> None:
    violations.check(len(etag) <= 256 and etag.isascii(), "etag", "is not an etag we issued")


async def create_binding(deps: Dependencies) -> ServiceBinding:
    proposals = await deps.store.container(PROPOSALS, PARTITION_KEY)
    catalog = ProductCatalog(deps.channels, deps.service_credentials)
    servicer = ProposalServicer(deps, proposals, catalog, load_policy(deps.settings.proposal_policy_path))
    if deps.bus is not None:  # proposals follow their products (supersede, rebase)
        deps.bus.declare(ProductWatcher(deps, proposals, catalog).consumer_group())
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["ProductProposalService"].full_name,
        add_to_server=lambda server: pb_grpc.add_ProductProposalServiceServicer_to_server(servicer, server),
    )
