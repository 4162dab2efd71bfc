"""The review queue's rules, free of I/O: proposal ids, draft checks, deduplication, supersession,
which statuses may be decided, and a product field's value as a proposal compares it.

Statuses: pending -> approved | rejected | superseded | needs_review; needs_review -> approved |
rejected | superseded. `applying` is an approval in flight (claimed by one reviewer while the catalog
write runs); a claim older than `CLAIM_SECONDS` is abandoned (its holder died) and may be taken over.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce import identifiers
from hph.commerce.lifecycle import illegal_transition
from hph.commerce.product_truth import ATTRIBUTE_PREFIX, CATALOG_FIELDS
from hph.runtime import clock as clocks
from hph.runtime import validation
from hph.runtime.errors import FailedPrecondition, Violations

KIND = "proposal"
MAX_DRAFTS = 100
MAX_VALUE = 5000
MAX_EVIDENCE = 20
MAX_REASON = 500
MAX_AGENT = 64
CLAIM_SECONDS = 60.0
# Fields a proposal may not empty: the catalog requires them.
REQUIRED_VALUE_FIELDS = frozenset({"name", "category_id", "tags"})
_ATTRIBUTE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_AGENT_NAME = re.compile(r"[a-z][a-z0-9-]{1,63}")
_DIGEST = re.compile(r"[0-9a-f]{16}")


class Status(StrEnum):
    PENDING = "pending"
    NEEDS_REVIEW = "needs_review"
    APPLYING = "applying"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


OPEN = frozenset({Status.PENDING, Status.NEEDS_REVIEW})
# A draft equal to a proposal in one of these is a duplicate: it is waiting, or a person decided it.
DEDUPLICATING = frozenset({Status.PENDING, Status.NEEDS_REVIEW, Status.APPLYING, Status.APPROVED, Status.REJECTED})


class Cause(StrEnum):
    """Why a proposal was superseded."""

    FIELD_CHANGED = "field_changed"
    PRODUCT_ARCHIVED = "product_archived"
    REPLACED = "replaced"
    PRODUCT_MISSING = "product_missing"


def proposal_id(product_id: str, field: str, proposed_value: str, source_agent: str, product_etag: str) -> str:
    """The id of a draft: the same draft (a retried submission) always lands on the same proposal."""
    digest = hashlib.sha256("\n".join((field, proposed_value, source_agent, product_etag)).encode()).hexdigest()
    return f"{product_id}.{digest[:16]}"


def product_of(violations: Violations, field_path: str, proposal_id_value: str) -> str:
    """The product id a proposal id names ("" after recording a violation when it is malformed)."""
    product_id, _, digest = proposal_id_value.rpartition(".")
    if not (identifiers.PRODUCT_ID.fullmatch(product_id) and _DIGEST.fullmatch(digest)):
        violations.add(field_path, "must be a proposal id: <product_id>.<16 hex digits>")
        return ""
    return product_id


def check_field_name(violations: Violations, path: str, field: str) -> bool:
    if field in CATALOG_FIELDS:
        return True
    name = field.removeprefix(ATTRIBUTE_PREFIX)
    ok = field.startswith(ATTRIBUTE_PREFIX) and bool(_ATTRIBUTE_NAME.fullmatch(name))
    choices = ", ".join((*CATALOG_FIELDS, ATTRIBUTE_PREFIX + "<name>"))
    return violations.check(ok, path, f"must be one of {choices} (attribute names: a-z, 0-9, '_')")


def check_agent(violations: Violations, path: str, agent: str) -> bool:
    return violations.check(
        bool(_AGENT_NAME.fullmatch(agent)), path, "must be an agent name such as consistency-validation"
    )


def check_draft_values(violations: Violations, path: str, draft: Any) -> None:
    """Checks one draft's own values (the allow-list is the policy's)."""
    validation.identifier(
        violations, f"{path}.product_id", draft.product_id, identifiers.PRODUCT_ID, identifiers.PRODUCT_ID_HINT
    )
    check_agent(violations, f"{path}.source_agent", draft.source_agent)
    if check_field_name(violations, f"{path}.field", draft.field) and draft.field in REQUIRED_VALUE_FIELDS:
        violations.check(bool(draft.proposed_value.strip()), f"{path}.proposed_value", f"is required for {draft.field}")
    violations.check(
        len(draft.proposed_value) <= MAX_VALUE, f"{path}.proposed_value", f"at most {MAX_VALUE} characters"
    )
    violations.check(len(draft.current_value) <= MAX_VALUE, f"{path}.current_value", f"at most {MAX_VALUE} characters")
    violations.check(
        not same_value(draft.field, draft.proposed_value, draft.current_value),
        f"{path}.proposed_value",
        "equals current_value: nothing to change",
    )
    violations.check(0.0 <= draft.confidence <= 1.0, f"{path}.confidence", "must be in 0..1")
    violations.check(
        bool(draft.product_etag) and len(draft.product_etag) <= 256 and draft.product_etag.isascii(),
        f"{path}.product_etag",
        "is required: the product's etag the agent read",
    )
    violations.check(len(draft.evidence) <= MAX_EVIDENCE, f"{path}.evidence", f"at most {MAX_EVIDENCE} entries")
    for j, item in enumerate(draft.evidence):
        validation.text(violations, f"{path}.evidence[{j}].name", item.name, required=True, max_length=64)
        validation.text(violations, f"{path}.evidence[{j}].reason", item.reason, max_length=MAX_REASON)


def field_value(product: Any, field: str) -> str:
    """The value of `field` on a catalog Product, as proposals state it (tags comma-separated)."""
    if field.startswith(ATTRIBUTE_PREFIX):
        return str(product.attributes.get(field.removeprefix(ATTRIBUTE_PREFIX), ""))
    if field == "tags":
        return ",".join(product.tags)
    return str(getattr(product, field))


def tags_of(value: str) -> list[str]:
    return [tag.strip() for tag in value.split(",") if tag.strip()]


def same_value(field: str, one: str, other: str) -> bool:
    """Whether two values of `field` are the same to the catalog (tags as lists: "a, b" is "a,b")."""
    if field == "tags":
        return tags_of(one.lower()) == tags_of(other.lower())
    return one.strip() == other.strip()


@dataclass(frozen=True)
class Placement:
    """Where a draft goes in its product's queue: a duplicate of `existing`, or a new proposal that
    supersedes `replaced` (the same agent's open proposals on the same field)."""

    proposal_id: str
    existing: Mapping[str, Any] | None
    replaced: tuple[Mapping[str, Any], ...]


def place(draft: Any, new_id: str, queue: Sequence[Mapping[str, Any]]) -> Placement:
    """Decides a draft against the proposals already kept for its product (`queue`)."""
    for doc in queue:
        if doc["id"] == new_id:
            return Placement(new_id, doc, ())
    same_field = [doc for doc in queue if doc["field"] == draft.field]
    for doc in same_field:
        if (
            same_value(draft.field, doc["proposed_value"], draft.proposed_value)
            and Status(doc["status"]) in DEDUPLICATING
        ):
            return Placement(doc["id"], doc, ())
    replaced = tuple(
        doc for doc in same_field if doc["source_agent"] == draft.source_agent and Status(doc["status"]) in OPEN
    )
    return Placement(new_id, None, replaced)


def claim_expired(doc: Mapping[str, Any], now: datetime) -> bool:
    claimed_at = doc.get("claimed_at")
    return not claimed_at or now - clocks.from_iso(claimed_at) > timedelta(seconds=CLAIM_SECONDS)


def require_decidable(doc: Mapping[str, Any], now: datetime, target: Status) -> Status:
    """The status a decision starts from (open, or an abandoned claim's starting status); refuses
    a decided proposal (FAILED_PRECONDITION) and one another reviewer is approving right now."""
    status = Status(doc["status"])
    if status in OPEN:
        return status
    if status == Status.APPLYING:
        if claim_expired(doc, now):
            return Status(doc.get("claimed_from", Status.PENDING))
        raise FailedPrecondition(
            f"proposal {doc['id']!r} is being approved by {doc.get('claimed_by', 'another reviewer')}; read it again",
            subject=f"proposals/{doc['id']}",
            metadata={"from": status.value, "to": target.value},
            reason=ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION,
        )
    raise illegal_transition(
        f"proposal {doc['id']!r} is already {status.value}",
        kind="proposal",
        resource_id=doc["id"],
        current=status,
        target=target,
    )


def open_ones(docs: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [doc for doc in docs if Status(doc["status"]) in OPEN]


@dataclass(frozen=True)
class Staleness:
    """What a product's current state means for one open proposal: superseded (with the cause),
    rebased onto the new etag (its field did not change), or nothing."""

    cause: Cause | None
    rebase: bool


def staleness(doc: Mapping[str, Any], *, archived: bool, value_now: str, etag_now: str) -> Staleness:
    if archived:
        return Staleness(Cause.PRODUCT_ARCHIVED, False)
    if not same_value(doc["field"], value_now, str(doc["current_value"])):
        return Staleness(Cause.FIELD_CHANGED, False)
    return Staleness(None, etag_now != doc["product_etag"])
