"""The review queue's rules without I/O: the policy table (allow-lists, auto-approval floor), draft
checks, ids, deduplication and supersession, decidable statuses, staleness against the product,
each step's document and event, the figures, and the catalog request an approval sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from holidaypeak.commerce.v1 import product_pb2
from holidaypeak.commerce.v1 import product_proposal_pb2 as p
from hph.runtime import clock as clocks
from hph.runtime.errors import FailedPrecondition, Violations
from hph.services.proposals import documents, rules, transitions
from hph.services.proposals.catalog import update_request
from hph.services.proposals.policy import load_policy, parse_policy
from hph.services.proposals.rules import Cause, Status
from hph.services.proposals.stats import queue_stats

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = load_policy()


def fixed() -> datetime:
    return NOW


def a_draft(**fields: Any) -> p.ProposalDraft:
    base: dict[str, Any] = {
        "product_id": "TOY-0001",
        "field": "brand",
        "current_value": "acme",
        "proposed_value": "Acme",
        "source_agent": "normalization-classification",
        "confidence": 0.8,
        "product_etag": "e1",
    }
    base.update(fields)
    return p.ProposalDraft(**base)


def a_doc(draft: p.ProposalDraft | None = None, *, status: Status = Status.PENDING, **fields: Any) -> dict[str, Any]:
    draft = draft or a_draft()
    pid = rules.proposal_id(draft.product_id, draft.field, draft.proposed_value, draft.source_agent, draft.product_etag)
    doc = documents.new_document(draft, pid, category_id="toys", now=clocks.to_iso(NOW))
    doc.update(status=status.value, _etag="d1", **fields)
    return doc


# --- policy ---------------------------------------------------------------------------------


def test_the_shipped_allow_lists_are_per_agent() -> None:
    assert POLICY.allows("normalization-classification", "brand")
    assert POLICY.allows("normalization-classification", "attributes.colour")
    assert not POLICY.allows("normalization-classification", "description")
    assert POLICY.allows("consistency-validation", "image_url")
    assert not POLICY.allows("consistency-validation", "attributes.colour")
    assert "allow-list" in POLICY.refusal("consistency-validation", "brand")
    assert "not an agent" in POLICY.refusal("rogue", "brand")
    assert POLICY.refusal("consistency-validation", "category_id") == ""


def test_auto_approval_never_below_the_floor_and_only_where_a_rule_says() -> None:
    policy = parse_policy(
        {
            "agents": {"normalization-classification": ["brand", "attributes.*", "name"]},
            "auto_approval": {
                "confidence_floor": 0.9,
                "rules": [
                    {
                        "agent": "normalization-classification",
                        "fields": ["brand"],
                        "categories": ["toys"],
                        "min_confidence": 0.5,
                    },
                    {"agent": "normalization-classification", "fields": ["attributes.*"], "min_confidence": 0.95},
                ],
            },
        }
    )
    agent = "normalization-classification"
    # A rule's own lower minimum never lowers the floor.
    assert not policy.auto_approves(agent, "brand", "toys", 0.89)
    assert policy.auto_approves(agent, "brand", "toys", 0.9)
    assert not policy.auto_approves(agent, "brand", "books", 0.99)  # category not named
    assert not policy.auto_approves(agent, "attributes.size", "toys", 0.94)  # the rule's minimum
    assert policy.auto_approves(agent, "attributes.size", "books", 0.95)
    assert not policy.auto_approves(agent, "name", "toys", 1.0)  # no rule


def test_a_malformed_policy_fails_at_load() -> None:
    with pytest.raises(ValueError, match="unknown fields"):
        parse_policy({"agents": {"a": ["price"]}, "auto_approval": {"confidence_floor": 0.9, "rules": []}})
    with pytest.raises(ValueError, match="allow-list"):
        parse_policy(
            {
                "agents": {"a": ["brand"]},
                "auto_approval": {"confidence_floor": 0.9, "rules": [{"agent": "a", "fields": ["name"]}]},
            }
        )
    with pytest.raises(ValueError, match=r"0\.\.1"):
        parse_policy({"agents": {}, "auto_approval": {"confidence_floor": 2, "rules": []}})


# --- drafts and ids -------------------------------------------------------------------------


def test_draft_checks_name_each_bad_field() -> None:
    violations = Violations()
    bad = a_draft(product_id="x", field="price", confidence=1.2, product_etag="", source_agent="Bad Agent")
    rules.check_draft_values(violations, "drafts[0]", bad)
    assert {v.field for v in violations.items} == {
        "drafts[0].product_id",
        "drafts[0].field",
        "drafts[0].confidence",
        "drafts[0].product_etag",
        "drafts[0].source_agent",
    }
    same = Violations()
    rules.check_draft_values(same, "d", a_draft(proposed_value="acme"))
    assert [v.field for v in same.items] == ["d.proposed_value"]  # nothing to change
    empty_name = Violations()
    rules.check_draft_values(empty_name, "d", a_draft(field="name", proposed_value=" "))
    assert "d.proposed_value" in {v.field for v in empty_name.items}
    removal = Violations()
    rules.check_draft_values(removal, "d", a_draft(field="attributes.colour", current_value="red", proposed_value=""))
    assert not removal


def test_ids_are_stable_per_draft_and_name_their_product() -> None:
    one = rules.proposal_id("TOY-0001", "brand", "Acme", "agent", "e1")
    assert one == rules.proposal_id("TOY-0001", "brand", "Acme", "agent", "e1")
    assert one != rules.proposal_id("TOY-0001", "brand", "Acme", "agent", "e2")
    violations = Violations()
    assert rules.product_of(violations, "proposal_id", one) == "TOY-0001" and not violations
    assert rules.product_of(violations, "proposal_id", "TOY-0001") == "" and violations


# --- placement ------------------------------------------------------------------------------


def test_a_retried_draft_is_its_own_proposal_and_an_equal_value_is_a_duplicate() -> None:
    draft = a_draft()
    existing = a_doc(draft)
    assert rules.place(draft, existing["id"], [existing]).existing is existing
    # Another agent, or a newer etag, with the same value: the same proposal.
    other = a_draft(source_agent="consistency-validation", product_etag="e2")
    placement = rules.place(other, "TOY-0001.ffffffffffffffff", [existing])
    assert placement.existing is existing
    # A rejected value is not proposed again; a superseded one may be.
    rejected = a_doc(draft, status=Status.REJECTED)
    assert rules.place(a_draft(product_etag="e2"), "new", [rejected]).existing is rejected
    superseded = a_doc(draft, status=Status.SUPERSEDED)
    assert rules.place(a_draft(product_etag="e2"), "new", [superseded]).existing is None


def test_a_new_value_supersedes_only_the_same_agents_open_proposal_on_the_field() -> None:
    mine = a_doc(a_draft(proposed_value="ACME"))
    theirs = a_doc(a_draft(proposed_value="Acme Inc", source_agent="consistency-validation"))
    decided = a_doc(a_draft(proposed_value="Acme Co"), status=Status.APPROVED)
    other_field = a_doc(a_draft(field="name", current_value="n", proposed_value="N"))
    placement = rules.place(a_draft(proposed_value="Acme"), "new", [mine, theirs, decided, other_field])
    assert placement.existing is None and placement.replaced == (mine,)


# --- status transitions ---------------------------------------------------------------------


def test_only_open_proposals_are_decided_and_a_fresh_claim_blocks_another_reviewer() -> None:
    assert rules.require_decidable(a_doc(), NOW, Status.APPROVED) == Status.PENDING
    assert rules.require_decidable(a_doc(status=Status.NEEDS_REVIEW), NOW, Status.REJECTED) == Status.NEEDS_REVIEW
    for status in (Status.APPROVED, Status.REJECTED, Status.SUPERSEDED):
        with pytest.raises(FailedPrecondition) as refused:
            rules.require_decidable(a_doc(status=status), NOW, Status.APPROVED)
        assert dict(refused.value.metadata) == {"from": status.value, "to": "approved"}
    claimed = transitions.claim(a_doc(), actor="sam", claim_id="c1", start=Status.NEEDS_REVIEW, now=clocks.to_iso(NOW))
    with pytest.raises(FailedPrecondition, match="being approved by sam"):
        rules.require_decidable(claimed, NOW + timedelta(seconds=5), Status.APPROVED)
    # An abandoned claim (its holder died) is taken over from where it started.
    later = NOW + timedelta(seconds=rules.CLAIM_SECONDS + 1)
    assert rules.require_decidable(claimed, later, Status.APPROVED) == Status.NEEDS_REVIEW
    released = transitions.release(claimed, now=clocks.to_iso(NOW))
    assert released["status"] == "needs_review" and "claim_id" not in released


def test_staleness_against_the_product_now() -> None:
    doc = a_doc()
    assert rules.staleness(doc, archived=True, value_now="acme", etag_now="e1").cause == Cause.PRODUCT_ARCHIVED
    assert rules.staleness(doc, archived=False, value_now="ACME CO", etag_now="e2").cause == Cause.FIELD_CHANGED
    moved = rules.staleness(doc, archived=False, value_now="acme", etag_now="e2")
    assert moved.cause is None and moved.rebase
    assert not rules.staleness(doc, archived=False, value_now="acme", etag_now="e1").rebase


def test_tags_compare_as_lists() -> None:
    assert rules.same_value("tags", "toy, gift", "toy,gift")
    assert not rules.same_value("tags", "toy,gift", "gift,toy")
    assert not rules.same_value("name", "Toy", "toy")
    violations = Violations()
    rules.check_draft_values(violations, "d", a_draft(field="tags", current_value="a,b", proposed_value="a, b"))
    assert [v.field for v in violations.items] == ["d.proposed_value"]


def test_field_values_as_proposals_state_them() -> None:
    product = product_pb2.Product(brand="Acme", tags=["toy", "gift"], attributes={"colour": "red"})
    assert rules.field_value(product, "brand") == "Acme"
    assert rules.field_value(product, "tags") == "toy,gift"
    assert rules.field_value(product, "attributes.colour") == "red"
    assert rules.field_value(product, "attributes.size") == ""


# --- steps and events -----------------------------------------------------------------------


def test_each_decision_is_audited_and_emits_its_values() -> None:
    doc = a_doc()
    approved = transitions.approve(
        doc, value="ACME", actor="sam", auto=False, note="ok", correlation_id="r", clock=fixed
    )
    assert approved.doc["status"] == "approved" and approved.doc["applied_value"] == "ACME"
    assert approved.doc["audit"][-1] == documents.audit_entry(
        "approved", "sam", clocks.to_iso(NOW), "acme", "ACME", "ok"
    )
    assert approved.event is not None and approved.event.partition_key == "TOY-0001"
    event = approved.event.proposal_approved
    assert (event.before_value, event.after_value, event.edited) == ("acme", "ACME", True)
    assert len(doc["audit"]) == 1  # the document read is left as it was

    rejected = transitions.reject(doc, actor="rita", reason="no", correlation_id="r", clock=fixed)
    assert rejected.event is not None and rejected.event.proposal_rejected.reason == "no"
    back = transitions.return_to_review(
        doc, value_now="Acme Co", etag_now="e9", category_now="toys", actor="sam", correlation_id="r", clock=fixed
    )
    assert (back.doc["status"], back.doc["current_value"], back.doc["product_etag"]) == (
        "needs_review",
        "Acme Co",
        "e9",
    )
    assert back.event is not None and back.event.proposal_returned_to_review.after_value == "Acme Co"
    gone = transitions.supersede(
        doc, Cause.FIELD_CHANGED, value_now="X", actor="platform", reason="", correlation_id="", clock=fixed
    )
    assert gone.doc["decision_reason"] == "field_changed" and gone.event is not None
    assert gone.event.proposal_superseded.cause == "field_changed"
    view = documents.proposal_message(approved.doc)
    assert view.status == p.PROPOSAL_STATUS_APPROVED and [a.action for a in view.audit] == ["submitted", "approved"]


def test_figures_per_agent_and_field() -> None:
    def decided(
        status: Status, seconds: int, agent: str = "normalization-classification", **extra: Any
    ) -> dict[str, Any]:
        doc = a_doc(a_draft(source_agent=agent), status=status, **extra)
        doc["decided_at"] = clocks.to_iso(NOW + timedelta(seconds=seconds))
        return doc

    docs = [
        decided(Status.APPROVED, 10),
        decided(Status.APPROVED, 30, auto_approved=True),
        decided(Status.REJECTED, 50),
        a_doc(status=Status.SUPERSEDED),
        a_doc(),
        a_doc(a_draft(source_agent="consistency-validation"), status=Status.NEEDS_REVIEW),
    ]
    stats = queue_stats(docs, NOW + timedelta(seconds=100))
    assert stats.queue_size == 2 and stats.oldest_open_seconds == 100
    row = {(r.source_agent, r.field): r for r in stats.rows}[("normalization-classification", "brand")]
    assert (row.open, row.approved, row.auto_approved, row.rejected, row.superseded) == (1, 2, 1, 1, 1)
    assert row.approval_rate == pytest.approx(2 / 3) and row.rejection_rate == pytest.approx(1 / 3)
    assert row.mean_seconds_to_decision == 30 and stats.median_seconds_to_decision == 30


def test_an_approval_writes_exactly_its_field_onto_the_proposals_version() -> None:
    brand = update_request("TOY-0001", "brand", "Acme", "e1")
    assert brand.HasField("brand") and not brand.HasField("name") and brand.etag == "e1"
    tags = update_request("TOY-0001", "tags", "toy, gift,", "e1")
    assert list(tags.tags) == ["toy", "gift"]
    attribute = update_request("TOY-0001", "attributes.colour", "", "e1")
    assert dict(attribute.attributes) == {"colour": ""}  # empty removes it
