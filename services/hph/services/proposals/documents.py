"""Proposal documents (container `product_proposals`, pk /product_id), their wire view, the audit
entries every step appends, and the events each decision emits with the values it is about."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf.message import Message

from holidaypeak.commerce.v1 import product_proposal_pb2 as pb
from holidaypeak.events.v1 import proposal_events_pb2 as ev
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.events import resource_event
from hph.runtime.storage import Document
from hph.services.proposals.rules import KIND, Status

SOURCE = "proposals"
AUTO_APPROVER = "auto-approval"
PLATFORM_ACTOR = "platform"

STATUS_TO_PB = {
    Status.PENDING: pb.PROPOSAL_STATUS_PENDING,
    Status.NEEDS_REVIEW: pb.PROPOSAL_STATUS_NEEDS_REVIEW,
    # An approval in flight is still undecided to a reader.
    Status.APPLYING: pb.PROPOSAL_STATUS_PENDING,
    Status.APPROVED: pb.PROPOSAL_STATUS_APPROVED,
    Status.REJECTED: pb.PROPOSAL_STATUS_REJECTED,
    Status.SUPERSEDED: pb.PROPOSAL_STATUS_SUPERSEDED,
}
STATUS_FROM_PB = {
    pb.PROPOSAL_STATUS_PENDING: Status.PENDING,
    pb.PROPOSAL_STATUS_NEEDS_REVIEW: Status.NEEDS_REVIEW,
    pb.PROPOSAL_STATUS_APPROVED: Status.APPROVED,
    pb.PROPOSAL_STATUS_REJECTED: Status.REJECTED,
    pb.PROPOSAL_STATUS_SUPERSEDED: Status.SUPERSEDED,
}


def new_document(draft: pb.ProposalDraft, proposal_id: str, *, category_id: str, now: str) -> Document:
    return {
        "id": proposal_id,
        "product_id": draft.product_id,
        "kind": KIND,
        "field": draft.field,
        "current_value": draft.current_value.strip(),
        "proposed_value": draft.proposed_value.strip(),
        "source_agent": draft.source_agent,
        "confidence": float(draft.confidence),
        "product_etag": draft.product_etag,
        "evidence": [
            {"name": e.name, "value": float(e.value), "reason": e.reason, "unit": e.unit} for e in draft.evidence
        ],
        "status": Status.PENDING.value,
        "category_id": category_id,
        "created_at": now,
        "updated_at": now,
        "audit": [audit_entry("submitted", draft.source_agent, now, draft.current_value, draft.proposed_value)],
    }


def audit_entry(action: str, actor_id: str, at: str, before: str, after: str, reason: str = "") -> dict[str, str]:
    return {
        "action": action,
        "actor_id": actor_id,
        "at": at,
        "before_value": before,
        "after_value": after,
        "reason": reason,
    }


def proposal_message(doc: Mapping[str, Any], *, with_audit: bool = True, with_etag: bool = True) -> pb.ProductProposal:
    message = pb.ProductProposal(
        id=doc["id"],
        product_id=doc["product_id"],
        field=doc["field"],
        current_value=doc["current_value"],
        proposed_value=doc["proposed_value"],
        source_agent=doc["source_agent"],
        confidence=doc["confidence"],
        product_etag=doc["product_etag"],
        evidence=[pb.ProposalEvidence(**e) for e in doc.get("evidence", [])],
        status=STATUS_TO_PB[Status(doc["status"])],
        applied_value=doc.get("applied_value", ""),
        decided_by=doc.get("decided_by", ""),
        decided_at=clocks.to_timestamp(doc.get("decided_at")),
        decision_reason=doc.get("decision_reason", ""),
        category_id=doc.get("category_id", ""),
        created_at=clocks.to_timestamp(doc.get("created_at")),
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        etag=doc.get("_etag", "") if with_etag else "",
    )
    if with_audit:
        for entry in doc.get("audit", []):
            message.audit.append(
                pb.ProposalAuditEntry(
                    action=entry["action"],
                    actor_id=entry["actor_id"],
                    at=clocks.to_timestamp(entry["at"]),
                    before_value=entry["before_value"],
                    after_value=entry["after_value"],
                    reason=entry.get("reason", ""),
                )
            )
    return message


def facts(doc: Mapping[str, Any]) -> ev.ProposalFacts:
    return ev.ProposalFacts(
        proposal_id=doc["id"],
        product_id=doc["product_id"],
        field=doc["field"],
        source_agent=doc["source_agent"],
        proposed_value=doc["proposed_value"],
        confidence=doc["confidence"],
    )


def event(payload: Message, doc: Mapping[str, Any], *, correlation_id: str, clock: Clock) -> EventEnvelope:
    """The envelope of a proposal event, keyed by product so a product's proposal events keep order."""
    return resource_event(
        payload,
        source=SOURCE,
        collection="proposals",
        resource_id=doc["id"],
        partition_key=doc["product_id"],
        correlation_id=correlation_id,
        clock=clock,
    )
