"""Each step of a proposal's life as a pure function: the new document (audit entry appended) and
the event it emits, so every writer (the RPCs, auto-approval, the product watcher) records a step
the same way. Callers commit the document and the event in one batch."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from holidaypeak.events.v1 import proposal_events_pb2 as ev
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.storage import Document
from hph.services.proposals import documents
from hph.services.proposals.rules import Cause, Status

_CLAIM_FIELDS = ("claimed_by", "claimed_at", "claimed_from", "claim_id")


@dataclass(frozen=True)
class Step:
    doc: Document
    event: EventEnvelope | None = None


def _next(doc: Mapping[str, Any], now: str, **changes: Any) -> Document:
    after = {key: value for key, value in doc.items() if key not in _CLAIM_FIELDS}
    after.update(changes)
    after["updated_at"] = now
    after["audit"] = list(doc.get("audit", []))
    return after


def _decided(doc: Mapping[str, Any], now: str, status: Status, actor: str, reason: str, **changes: Any) -> Document:
    return _next(doc, now, status=status.value, decided_by=actor, decided_at=now, decision_reason=reason, **changes)


def submitted(doc: Document, *, supersedes: str, correlation_id: str, clock: Clock) -> EventEnvelope:
    payload = ev.ProposalSubmitted(
        proposal=documents.facts(doc), current_value=doc["current_value"], supersedes_proposal_id=supersedes
    )
    return documents.event(payload, doc, correlation_id=correlation_id, clock=clock)


def supersede(
    doc: Mapping[str, Any], cause: Cause, *, value_now: str, actor: str, reason: str, correlation_id: str, clock: Clock
) -> Step:
    now = clocks.to_iso(clock())
    after = _decided(doc, now, Status.SUPERSEDED, actor, reason or cause.value)
    after["audit"].append(
        documents.audit_entry("superseded", actor, now, doc["current_value"], value_now, reason or cause.value)
    )
    payload = ev.ProposalSuperseded(
        proposal=documents.facts(doc), before_value=doc["current_value"], after_value=value_now, cause=cause.value
    )
    return Step(after, documents.event(payload, after, correlation_id=correlation_id, clock=clock))


def claim(doc: Mapping[str, Any], *, actor: str, claim_id: str, start: Status, now: str) -> Document:
    """An approval in flight: one reviewer holds the proposal while the catalog write runs."""
    after = _next(doc, now, status=Status.APPLYING.value)
    after.update(claimed_by=actor, claimed_at=now, claimed_from=start.value, claim_id=claim_id)
    return after


def release(doc: Mapping[str, Any], *, now: str) -> Document:
    """An approval that wrote nothing: back to where it was before the claim."""
    return _next(doc, now, status=doc.get("claimed_from", Status.PENDING.value))


def approve(
    doc: Mapping[str, Any],
    *,
    value: str,
    actor: str,
    auto: bool,
    note: str,
    correlation_id: str,
    clock: Clock,
) -> Step:
    now = clocks.to_iso(clock())
    edited = value != doc["proposed_value"]
    after = _decided(doc, now, Status.APPROVED, actor, note, applied_value=value, auto_approved=auto)
    action = "auto_approved" if auto else "approved"
    after["audit"].append(documents.audit_entry(action, actor, now, doc["current_value"], value, note))
    payload = ev.ProposalApproved(
        proposal=documents.facts(doc),
        before_value=doc["current_value"],
        after_value=value,
        actor_id=actor,
        auto_approved=auto,
        edited=edited,
    )
    return Step(after, documents.event(payload, after, correlation_id=correlation_id, clock=clock))


def reject(doc: Mapping[str, Any], *, actor: str, reason: str, correlation_id: str, clock: Clock) -> Step:
    now = clocks.to_iso(clock())
    after = _decided(doc, now, Status.REJECTED, actor, reason)
    after["audit"].append(
        documents.audit_entry("rejected", actor, now, doc["current_value"], doc["current_value"], reason)
    )
    payload = ev.ProposalRejected(
        proposal=documents.facts(doc), current_value=doc["current_value"], actor_id=actor, reason=reason
    )
    return Step(after, documents.event(payload, after, correlation_id=correlation_id, clock=clock))


def return_to_review(
    doc: Mapping[str, Any],
    *,
    value_now: str,
    etag_now: str,
    category_now: str,
    actor: str,
    correlation_id: str,
    clock: Clock,
) -> Step:
    """Approval met a changed product: nothing was written; the proposal now states the product as
    it is (value and etag) and waits for a person."""
    now = clocks.to_iso(clock())
    reason = f"the product changed since the proposal was made: {doc['field']} is now {value_now!r}"
    after = _next(
        doc,
        now,
        status=Status.NEEDS_REVIEW.value,
        current_value=value_now,
        product_etag=etag_now,
        category_id=category_now,
        decision_reason=reason,
    )
    after["audit"].append(
        documents.audit_entry("returned_to_review", actor, now, doc["current_value"], value_now, reason)
    )
    payload = ev.ProposalReturnedToReview(
        proposal=documents.facts(doc), before_value=doc["current_value"], after_value=value_now, actor_id=actor
    )
    return Step(after, documents.event(payload, after, correlation_id=correlation_id, clock=clock))


def rebase(doc: Mapping[str, Any], *, etag_now: str, now: str) -> Document:
    """The product changed elsewhere but not this proposal's field: it now applies to the new version."""
    after = _next(doc, now, product_etag=etag_now)
    after["audit"].append(
        documents.audit_entry(
            "rebased",
            documents.PLATFORM_ACTOR,
            now,
            doc["current_value"],
            doc["current_value"],
            "another field changed",
        )
    )
    return after
