"""The product-truth review queue over real gRPC, with the real catalog behind it: agents' drafts are
stored, deduplicated and superseded; staff approve (as proposed or edited) and reject; approval
writes through CatalogService with the proposal's product etag, and a changed product sends the
proposal back to review instead of overwriting; the product watcher supersedes and rebases; every
decision is audited and published with its values; guardrails, auto-approval, concurrency, restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import grpc
import pytest

from holidaypeak.commerce.v1 import catalog_service_pb2 as cat
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as cat_grpc
from holidaypeak.commerce.v1 import product_pb2
from holidaypeak.commerce.v1 import product_proposal_pb2 as p
from holidaypeak.commerce.v1 import product_proposal_service_pb2 as pb
from holidaypeak.commerce.v1 import product_proposal_service_pb2_grpc as pb_grpc
from hph.commerce.product_truth import Evidence, ProposalDraft, ProposalSink
from hph.commerce.proposal_sink import QueueSink
from hph.runtime.auth.service_identity import ServiceCredentials
from hph.runtime.channels import ChannelPool
from tests.support.events import Recorder, settle
from tests.support.platform_harness import Hub, running_hub
from tests.support.rich_status import expect_error, reason, violated_fields
from tests.support.shoppers import staff
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

HUB_SERVICES = ("catalog", "inventory", "proposals", "catalog-search")
NORMALIZER = "normalization-classification"
VALIDATOR = "consistency-validation"


def queue(hub: Hub) -> pb_grpc.ProductProposalServiceStub:
    return pb_grpc.ProductProposalServiceStub(hub.channel)


def catalog(hub: Hub) -> cat_grpc.CatalogServiceStub:
    return cat_grpc.CatalogServiceStub(hub.channel)


async def products(hub: Hub, count: int) -> list[product_pb2.Product]:
    page = await catalog(hub).ListProducts(cat.ListProductsRequest(limit=count))
    assert len(page.products) == count
    return list(page.products)


async def product(hub: Hub, product_id: str) -> product_pb2.Product:
    found: product_pb2.Product = await catalog(hub).GetProduct(cat.GetProductRequest(product_id=product_id))
    return found


def draft(
    item: product_pb2.Product,
    field: str,
    value: str,
    *,
    agent: str = NORMALIZER,
    confidence: float = 0.8,
    current: str = "",
) -> p.ProposalDraft:
    now = current or (getattr(item, field) if not field.startswith("attributes.") else "")
    return p.ProposalDraft(
        product_id=item.id,
        field=field,
        current_value=now,
        proposed_value=value,
        source_agent=agent,
        confidence=confidence,
        product_etag=item.etag,
        evidence=[p.ProposalEvidence(name="rule", value=1.0, reason="brand table match")],
    )


async def submit(hub: Hub, drafts: Sequence[p.ProposalDraft]) -> list[pb.SubmittedProposal]:
    answer = await queue(hub).SubmitProposals(
        pb.SubmitProposalsRequest(drafts=drafts), metadata=staff(hub, "platform-agent")
    )
    return list(answer.results)


async def get(hub: Hub, proposal_id: str) -> p.ProductProposal:
    found: p.ProductProposal = await queue(hub).GetProposal(
        pb.GetProposalRequest(proposal_id=proposal_id), metadata=staff(hub)
    )
    return found


async def test_submit_list_approve_reject_with_audit_and_events(hub: Hub) -> None:
    item = (await products(hub, 1))[0]
    recorder = await Recorder.subscribe(hub, "proposal-events")
    brand, description = await submit(
        hub, [draft(item, "brand", "Acme Toys"), draft(item, "description", "A sturdy wooden toy.", agent=VALIDATOR)]
    )
    assert brand.outcome == description.outcome == pb.SUBMIT_OUTCOME_CREATED
    assert brand.proposal_id.startswith(f"{item.id}.") and brand.status == p.PROPOSAL_STATUS_PENDING
    # A retry of the same drafts is the same proposals.
    again = await submit(hub, [draft(item, "brand", "Acme Toys")])
    assert (again[0].proposal_id, again[0].outcome) == (brand.proposal_id, pb.SUBMIT_OUTCOME_DUPLICATE)

    listed = await queue(hub).ListProposals(
        pb.ListProposalsRequest(status=p.PROPOSAL_STATUS_PENDING, product_id=item.id), metadata=staff(hub)
    )
    assert {x.id for x in listed.proposals} == {brand.proposal_id, description.proposal_id}
    assert all(not x.audit for x in listed.proposals)
    by_agent = await queue(hub).ListProposals(
        pb.ListProposalsRequest(source_agent=VALIDATOR, field="description"), metadata=staff(hub)
    )
    assert [x.id for x in by_agent.proposals] == [description.proposal_id]

    approved = await queue(hub).ApproveProposal(
        pb.ApproveProposalRequest(proposal_id=brand.proposal_id, note="matches the label"), metadata=staff(hub)
    )
    assert approved.status == p.PROPOSAL_STATUS_APPROVED and approved.applied_value == "Acme Toys"
    assert approved.decided_by == "staff-sam"
    changed = await product(hub, item.id)
    assert changed.brand == "Acme Toys"

    async def found_by_search() -> bool:
        page = await catalog(hub).ListProducts(cat.ListProductsRequest(search="Acme", limit=50))
        return item.id in {x.id for x in page.products}

    await eventually(found_by_search, within=10)

    rejected = await queue(hub).RejectProposal(
        pb.RejectProposalRequest(proposal_id=description.proposal_id, reason="marketing owns descriptions"),
        metadata=staff(hub, "staff-rita"),
    )
    assert rejected.status == p.PROPOSAL_STATUS_REJECTED and rejected.decision_reason == "marketing owns descriptions"
    assert (await product(hub, item.id)).description == item.description  # the value is nowhere

    trail = await get(hub, brand.proposal_id)
    assert [(a.action, a.actor_id, a.before_value, a.after_value) for a in trail.audit] == [
        ("submitted", NORMALIZER, item.brand, "Acme Toys"),
        ("approved", "staff-sam", item.brand, "Acme Toys"),
    ]
    assert trail.audit[1].reason == "matches the label" and trail.audit[1].at.seconds > 0
    other = await get(hub, description.proposal_id)
    # The approval moved the product on; the description proposal followed the new version.
    assert [a.action for a in other.audit] == ["submitted", "rebased", "rejected"]
    assert other.product_etag == changed.etag
    assert other.audit[-1].actor_id == "staff-rita" and other.audit[-1].reason == "marketing owns descriptions"

    # Decided is decided.
    twice = await expect_error(
        queue(hub).ApproveProposal(pb.ApproveProposalRequest(proposal_id=description.proposal_id), metadata=staff(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(twice) == "ILLEGAL_TRANSITION"

    await recorder.settle()
    kinds = [e.WhichOneof("payload") for e in recorder.about(item.id)]
    assert kinds == ["proposal_submitted", "proposal_submitted", "proposal_approved", "proposal_rejected"]
    approved_event = recorder.of("proposal_approved", item.id)[0].proposal_approved
    assert (approved_event.before_value, approved_event.after_value, approved_event.actor_id) == (
        item.brand,
        "Acme Toys",
        "staff-sam",
    )
    assert not approved_event.edited and not approved_event.auto_approved
    rejected_event = recorder.of("proposal_rejected", item.id)[0].proposal_rejected
    assert rejected_event.reason == "marketing owns descriptions" and rejected_event.proposal.proposed_value

    stats = await queue(hub).GetProposalStats(pb.GetProposalStatsRequest(), metadata=staff(hub))
    rows = {(r.source_agent, r.field): r for r in stats.rows}
    assert rows[(NORMALIZER, "brand")].approved == 1 and rows[(NORMALIZER, "brand")].approval_rate == 1.0
    assert rows[(VALIDATOR, "description")].rejected == 1 and rows[(VALIDATOR, "description")].rejection_rate == 1.0
    assert stats.queue_size == 0 and stats.median_seconds_to_decision >= 0


async def test_edit_then_approve_writes_an_attribute_and_a_new_value_replaces_the_agents_older_one(hub: Hub) -> None:
    item = (await products(hub, 2))[1]
    first = (await submit(hub, [draft(item, "attributes.colour", "redd")]))[0]
    second = (await submit(hub, [draft(item, "attributes.colour", "red")]))[0]
    assert (await get(hub, first.proposal_id)).status == p.PROPOSAL_STATUS_SUPERSEDED
    assert (await get(hub, first.proposal_id)).audit[-1].reason == f"replaced by {second.proposal_id}"

    approved = await queue(hub).ApproveProposal(
        pb.ApproveProposalRequest(proposal_id=second.proposal_id, value="crimson"), metadata=staff(hub)
    )
    assert approved.applied_value == "crimson" and approved.proposed_value == "red"
    assert dict((await product(hub, item.id)).attributes) == {"colour": "crimson"}
    # An edit the catalog refuses is the reviewer's value that is wrong; nothing is decided.
    tags = (await submit(hub, [draft(item, "tags", "wooden,toy", current=",".join(item.tags))]))[0]
    bad = await expect_error(
        queue(hub).ApproveProposal(
            pb.ApproveProposalRequest(proposal_id=tags.proposal_id, value="x" * 41), metadata=staff(hub)
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "value" in violated_fields(bad)
    assert (await get(hub, tags.proposal_id)).status == p.PROPOSAL_STATUS_PENDING


async def test_an_etag_conflict_sends_the_proposal_back_to_review_and_never_overwrites(hub: Hub) -> None:
    item = (await products(hub, 3))[2]
    # The agent read the product; a person renames it before the proposal arrives.
    stale = draft(item, "name", "Agent Name")
    renamed = await catalog(hub).UpdateProduct(
        cat.UpdateProductRequest(product_id=item.id, name="Person Name"), metadata=staff(hub)
    )
    await settle(hub)
    submitted = (await submit(hub, [stale]))[0]
    conflict = await expect_error(
        queue(hub).ApproveProposal(pb.ApproveProposalRequest(proposal_id=submitted.proposal_id), metadata=staff(hub)),
        grpc.StatusCode.ABORTED,
    )
    assert "back in review" in (conflict.details() or "")
    assert (await product(hub, item.id)).name == "Person Name"  # never overwritten
    review = await get(hub, submitted.proposal_id)
    assert review.status == p.PROPOSAL_STATUS_NEEDS_REVIEW
    assert (review.current_value, review.product_etag) == ("Person Name", renamed.etag)
    assert review.audit[-1].action == "returned_to_review"
    # Decided again against the product as it is, it applies.
    approved = await queue(hub).ApproveProposal(
        pb.ApproveProposalRequest(proposal_id=submitted.proposal_id), metadata=staff(hub)
    )
    assert approved.status == p.PROPOSAL_STATUS_APPROVED
    assert (await product(hub, item.id)).name == "Agent Name"


async def test_product_changes_supersede_open_proposals(hub: Hub) -> None:
    item = (await products(hub, 4))[3]
    name, brand = await submit(hub, [draft(item, "name", "Better Name"), draft(item, "brand", "Better Brand")])
    await catalog(hub).UpdateProduct(
        cat.UpdateProductRequest(product_id=item.id, name="Staff Name"), metadata=staff(hub)
    )
    await settle(hub)
    gone = await get(hub, name.proposal_id)
    assert gone.status == p.PROPOSAL_STATUS_SUPERSEDED and gone.decision_reason == "field_changed"
    kept = await get(hub, brand.proposal_id)
    assert kept.status == p.PROPOSAL_STATUS_PENDING and kept.product_etag != item.etag  # rebased
    await catalog(hub).ArchiveProduct(cat.ArchiveProductRequest(product_id=item.id), metadata=staff(hub))
    await settle(hub)
    archived = await get(hub, brand.proposal_id)
    assert archived.status == p.PROPOSAL_STATUS_SUPERSEDED and archived.decision_reason == "product_archived"


async def test_guardrails_and_validation(hub: Hub) -> None:
    item = (await products(hub, 1))[0]
    outside = await expect_error(
        queue(hub).SubmitProposals(
            pb.SubmitProposalsRequest(
                drafts=[
                    draft(item, "brand", "X", agent=VALIDATOR),
                    draft(item, "name", "Y", agent="rogue-agent"),
                    draft(item, "name", "Z", confidence=1.5),
                    draft(item, "price", "1.00", current="9.99"),
                ]
            ),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    fields = violated_fields(outside)
    assert "allow-list" in fields["drafts[0].field"]
    assert "drafts[1].field" in fields and "drafts[2].confidence" in fields and "drafts[3].field" in fields
    missing = await expect_error(
        queue(hub).SubmitProposals(
            pb.SubmitProposalsRequest(
                drafts=[
                    p.ProposalDraft(
                        product_id="NO-SUCH-1",
                        field="brand",
                        proposed_value="A",
                        source_agent=NORMALIZER,
                        product_etag="e",
                    )
                ]
            ),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "drafts[0].product_id" in violated_fields(missing)
    misread = await expect_error(
        queue(hub).SubmitProposals(
            pb.SubmitProposalsRequest(drafts=[draft(item, "brand", "New", current="not what it says")]),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "drafts[0].current_value" in violated_fields(misread)
    for call in (
        queue(hub).GetProposal(pb.GetProposalRequest(proposal_id="nope"), metadata=staff(hub)),
        queue(hub).RejectProposal(
            pb.RejectProposalRequest(proposal_id=f"{item.id}.0123456789abcdef"), metadata=staff(hub)
        ),
    ):
        await expect_error(call, grpc.StatusCode.INVALID_ARGUMENT)
    await expect_error(
        queue(hub).GetProposal(pb.GetProposalRequest(proposal_id=f"{item.id}.0123456789abcdef"), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )
    customer = hub.auth("customer", "cust-1")
    await expect_error(
        queue(hub).ListProposals(pb.ListProposalsRequest(), metadata=customer), grpc.StatusCode.PERMISSION_DENIED
    )
    await expect_error(
        queue(hub).SubmitProposals(pb.SubmitProposalsRequest(drafts=[draft(item, "brand", "Q")]), metadata=customer),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    await expect_error(queue(hub).ListProposals(pb.ListProposalsRequest()), grpc.StatusCode.UNAUTHENTICATED)


async def test_two_reviewers_approving_at_once_one_wins(hub: Hub) -> None:
    item = (await products(hub, 5))[4]
    submitted = (await submit(hub, [draft(item, "brand", "Raced Brand")]))[0]
    recorder = await Recorder.subscribe(hub, "product-events", group="test-race")
    outcomes = await asyncio.gather(
        *(
            queue(hub).ApproveProposal(
                pb.ApproveProposalRequest(proposal_id=submitted.proposal_id), metadata=staff(hub, f"staff-{i}")
            )
            for i in range(2)
        ),
        return_exceptions=True,
    )
    wins = [o for o in outcomes if isinstance(o, p.ProductProposal)]
    losses = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert len(wins) == 1 and len(losses) == 1
    assert losses[0].code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ABORTED)
    await recorder.settle()
    assert len(recorder.of("product_updated", item.id)) == 1  # written once
    assert [a.action for a in (await get(hub, submitted.proposal_id)).audit] == ["submitted", "approved"]


async def test_the_sink_agents_use_over_grpc(hub: Hub) -> None:
    item = (await products(hub, 6))[5]
    channels = ChannelPool(addresses={"proposals": hub.address})
    sink = QueueSink(channels, ServiceCredentials(hub.issuer))
    as_protocol: ProposalSink = sink  # what the product-management agents code against
    try:
        drafts = [
            ProposalDraft(
                item.id,
                "tags",
                ",".join(item.tags),
                "toy,gift",
                NORMALIZER,
                0.7,
                item.etag,
                (Evidence("tokens", 2, "two tag words found"),),
            ),
        ]
        await as_protocol.submit(drafts)
        results = await sink.submit_with_results(drafts)
        assert results[0].outcome == pb.SUBMIT_OUTCOME_DUPLICATE
        stored = await get(hub, results[0].proposal_id)
        assert stored.evidence[0].name == "tokens" and stored.proposed_value == "toy,gift"
    finally:
        await channels.close()


async def test_auto_approval_only_for_configured_fields_at_or_above_the_floor(tmp_path: Path) -> None:
    settings = {"proposals_auto_approve": True}
    async with running_hub(tmp_path / "data", services=HUB_SERVICES, seed=True, settings_overrides=settings) as hub:
        one, two, three = await products(hub, 3)
        results = await submit(
            hub,
            [
                draft(one, "brand", "Sure Brand", confidence=0.97),  # a rule covers it, above both floors
                draft(two, "brand", "Unsure Brand", confidence=0.85),  # below the floor: never
                draft(three, "name", "Sure Name", confidence=0.99),  # no rule for names
            ],
        )
        assert [r.outcome for r in results] == [
            pb.SUBMIT_OUTCOME_AUTO_APPROVED,
            pb.SUBMIT_OUTCOME_CREATED,
            pb.SUBMIT_OUTCOME_CREATED,
        ]
        assert (await product(hub, one.id)).brand == "Sure Brand"
        assert (await product(hub, two.id)).brand == two.brand
        auto = await get(hub, results[0].proposal_id)
        assert auto.decided_by == "auto-approval" and auto.audit[-1].action == "auto_approved"
        # A value the catalog refuses is left for a person; the submission itself succeeds.
        refused = await submit(hub, [draft(three, "brand", "B" * 101, confidence=0.99)])
        assert refused[0].outcome == pb.SUBMIT_OUTCOME_CREATED
        assert (await get(hub, refused[0].proposal_id)).status == p.PROPOSAL_STATUS_PENDING
        stats = await queue(hub).GetProposalStats(pb.GetProposalStatsRequest(), metadata=staff(hub))
        assert {r.field: r.auto_approved for r in stats.rows if r.source_agent == NORMALIZER}["brand"] == 1
        assert stats.queue_size == 3


async def test_proposals_survive_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    async with running_hub(data_dir, services=HUB_SERVICES, seed=True) as hub:
        item = (await products(hub, 1))[0]
        submitted = (await submit(hub, [draft(item, "brand", "Durable Brand")]))[0]
    async with running_hub(data_dir, services=HUB_SERVICES, seed=False) as again:
        kept = await get(again, submitted.proposal_id)
        assert kept.status == p.PROPOSAL_STATUS_PENDING and kept.proposed_value == "Durable Brand"
        await queue(again).ApproveProposal(
            pb.ApproveProposalRequest(proposal_id=submitted.proposal_id), metadata=staff(again)
        )
        assert (await product(again, item.id)).brand == "Durable Brand"
