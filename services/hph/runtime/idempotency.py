"""Idempotency records: the first response per idempotency key is stored and replayed to retries.

A record is a document in the caller's own container, next to the state it protects, so a service
can complete the record in the SAME transactional batch as its state change (`completion_op`): a
crash can then never leave "order written" without "response stored", and no takeover of an
abandoned claim can write the state twice.

Life of a key (per scope and owner, e.g. ("orders.create", user id)):

1. `claim` creates the record `in_flight` with the SHA-256 of the canonical request. Exactly one of
   any number of concurrent callers wins the create; the others read the record and get
   - the stored response to replay (`Replay`) when it is completed and the request is the same;
   - INVALID_ARGUMENT (reason IDEMPOTENCY_KEY_REUSED, field request_id) when the request differs;
   - ABORTED (reason REQUEST_IN_FLIGHT) while the first is still running, unless its claim is older
     than `stale_after`: then the claim is taken over with an etag compare-and-swap (the holder died).
2. The winner does its work and commits `completion_op(claim, response)` with its state change (or
   calls `complete`). If the claim was taken over meanwhile, that op's if_match fails the batch.
3. When the work fails, `release` deletes the claim (if it is still ours) so a corrected retry with
   the same key can run; a completed record is never released.

Records live for `retention` (24 hours by default), the same on every engine: they carry `ttl`
(seconds) so Cosmos DB expires them (the container needs a default TTL of -1 to honour it), and
`expires_at`, which the other engines honour twice: a record past it counts as absent when a key
is claimed (as Cosmos DB hides an expired item at once), and `RecordExpiry`, a sweeper each service
runs, deletes them (as Cosmos DB does in the background). Queries over the container must exclude
them (filter on the kind of the state documents: records have `kind == "idempotency"`).
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from google.protobuf.message import Message

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.commit import Completion, Done, Write, Written, commit, stored
from hph.runtime.errors import Aborted, FieldViolation, InvalidArgument
from hph.runtime.periodic import PeriodicJob, Sweeper
from hph.runtime.storage import (
    And,
    Container,
    CreateOp,
    Document,
    Eq,
    Lt,
    NotFoundError,
    PreconditionFailedError,
    Query,
    ReplaceOp,
    StorageError,
)
from hph.runtime.storage.port import validate_partition_key_path

log = logging.getLogger("hph.idempotency")

KIND = "idempotency"
ID_PREFIX = "idem-"
IN_FLIGHT, COMPLETED = "in_flight", "completed"
KEY_REUSED = ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED
IN_FLIGHT_REASON = ErrorReason.ERROR_REASON_REQUEST_IN_FLIGHT
DEFAULT_STALE_AFTER = timedelta(seconds=60)
DEFAULT_RETENTION = timedelta(hours=24)
EXPIRY_INTERVAL_SECONDS = 600.0
PURGE_BATCH = 500


def request_fingerprint(request: Message) -> str:
    """SHA-256 of the request's deterministic serialization; clear the key fields first so the
    `request_id` field and the `idempotency-key` header name the same request."""
    return hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()


def keyed_request_fingerprint(request: Message, key_field: str = "request_id") -> str:
    """`request_fingerprint` of everything but the key field, so the field and the
    `idempotency-key` header name the same request."""
    canonical = type(request)()
    canonical.CopyFrom(request)
    canonical.ClearField(key_field)
    return request_fingerprint(canonical)


@dataclass(frozen=True)
class Claim:
    """The caller holds the key: do the work, then complete or release."""

    record: Document
    partition_key: str

    @property
    def etag(self) -> str:
        return str(self.record["_etag"])


@dataclass(frozen=True)
class Replay:
    """The key was used before for the same request: answer with its stored response."""

    response: bytes


class IdempotencyRecords:
    """Records of one operation (`scope`) in `container`, partitioned by the owner (or by id)."""

    def __init__(
        self,
        container: Container,
        *,
        scope: str,
        clock: Clock,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        retention: timedelta = DEFAULT_RETENTION,
    ) -> None:
        self._container = container
        self._pk_segments = validate_partition_key_path(container.partition_key_path)
        self._scope = scope
        self._clock = clock
        self._stale_after = stale_after
        self._retention = retention

    def record_id(self, owner: str, key: str) -> str:
        # Hashed: keys are client text (any characters, up to 128) and ids forbid / \ ? #.
        digest = hashlib.sha256(f"{self._scope}\n{owner}\n{key}".encode()).hexdigest()
        return f"{ID_PREFIX}{digest[:40]}"

    async def claim(self, owner: str, key: str, fingerprint: str) -> Claim | Replay:
        """Claims `key` for `owner`, or says why not (see the module docstring)."""
        fresh = self._new_record(owner, key, fingerprint)
        partition_key = self._partition_key(fresh)
        claimed = Write([CreateOp(fresh)], self._claimed(partition_key))

        async def plan(attempt: int) -> Write[Claim] | Done[Claim | Replay]:
            if attempt == 0:
                return claimed  # most keys are new: try the create before reading anything
            try:
                existing = await self._container.read(fresh["id"], partition_key)
            except NotFoundError:
                return claimed  # released between our create and read: try to claim again
            outcome = self._judge(existing, fingerprint)
            if outcome is not None:
                return Done(outcome)
            # A stale claim (its holder died): take it over, unless someone else does first.
            return Write([ReplaceOp(fresh, if_match=existing["_etag"])], self._claimed(partition_key, taken=True))

        return await commit(self._container, partition_key, plan, busy=_in_flight)

    def _claimed(self, partition_key: str, *, taken: bool = False) -> Callable[[Written], Claim]:
        def claim(written: Written) -> Claim:
            record = stored(0)(written)
            if taken:
                log.warning("idempotency claim taken over", extra={"scope": self._scope, "record": record["id"]})
            return Claim(record, partition_key)

        return claim

    def completion_op(self, claim: Claim, response: bytes) -> ReplaceOp:
        """The batch operation storing `response` on the claim; fails the batch if it is no longer ours."""
        now = clocks.to_iso(self._clock())
        completed = {
            **claim.record,
            "status": COMPLETED,
            "response_b64": base64.b64encode(response).decode("ascii"),
            "completed_at": now,
        }
        return ReplaceOp(completed, if_match=claim.etag)

    def completion(self, claim: Claim, response: bytes) -> Completion:
        """`completion_op` for an optimistic commit (hph.runtime.commit): when it fails, a retry of
        the request took the claim over, and the request is ABORTED (`taken_over`)."""
        return Completion(self.completion_op(claim, response), taken_over)

    async def complete(self, claim: Claim, response: bytes) -> None:
        """Stores `response` on its own, for work whose state lives elsewhere."""
        op = self.completion_op(claim, response)
        await self._container.replace(op.doc, if_match=op.if_match)

    async def release(self, claim: Claim) -> None:
        """Gives the key back after a failure; a no-op when it was completed or taken over."""
        try:
            await self._container.delete(claim.record["id"], claim.partition_key, if_match=claim.etag)
        except (NotFoundError, PreconditionFailedError):
            pass
        except StorageError:
            # The claim then lapses after stale_after; the retry waits that long at most.
            log.exception("idempotency claim could not be released", extra={"scope": self._scope})

    # --- helpers --------------------------------------------------------------------------

    def _judge(self, existing: Document, fingerprint: str) -> Replay | None:
        """Replay, refusal (raised), or None when a stale claim or an expired record may be taken over."""
        if self._expired(existing, self._clock()):
            return None  # past its retention: the key is free again, as if the record were gone
        if existing.get("request_hash") != fingerprint:
            raise InvalidArgument(
                "this idempotency key was already used for a different request; use a new key",
                reason=KEY_REUSED,
                violations=(FieldViolation("request_id", "was already used for a different request"),),
            )
        if existing.get("status") == COMPLETED:
            return Replay(base64.b64decode(existing["response_b64"]))
        claimed_at = clocks.from_iso(existing["claimed_at"])
        if self._clock() - claimed_at < self._stale_after:
            raise _in_flight()
        return None

    @staticmethod
    def _expired(record: Document, now: datetime) -> bool:
        expires_at = record.get("expires_at") or ""
        return bool(expires_at) and clocks.from_iso(expires_at) <= now

    async def purge_expired(self, *, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
        """Deletes up to `batch` of this scope's records past their retention; returns how many.
        Each delete is guarded by the etag read, so a record claimed again meanwhile stays."""
        cutoff = clocks.to_iso(now or self._clock())
        page = await self._container.query(
            Query(where=And(Eq("kind", KIND), Eq("scope", self._scope), Lt("expires_at", cutoff))), max_items=batch
        )
        purged = 0
        for record in page.items:
            try:
                await self._container.delete(record["id"], self._partition_key(record), if_match=record["_etag"])
            except (NotFoundError, PreconditionFailedError):
                continue
            purged += 1
        return purged

    def expiry(self, *, interval: float = EXPIRY_INTERVAL_SECONDS) -> RecordExpiry:
        """The sweeper deleting this scope's expired records (a host's `BackgroundTask`)."""
        return RecordExpiry(self, interval=interval)

    def _new_record(self, owner: str, key: str, fingerprint: str) -> Document:
        now = self._clock()
        record: Document = {
            "id": self.record_id(owner, key),
            "kind": KIND,
            "scope": self._scope,
            "owner": owner,
            "status": IN_FLIGHT,
            "request_hash": fingerprint,
            "claimed_at": clocks.to_iso(now),
            "expires_at": clocks.to_iso(now + self._retention),
            "ttl": int(self._retention.total_seconds()),
        }
        if self._pk_segments != ("id",):
            node = record
            for segment in self._pk_segments[:-1]:
                node = node.setdefault(segment, {})
            node[self._pk_segments[-1]] = owner
        return record

    def _partition_key(self, record: Document) -> str:
        node = record
        for segment in self._pk_segments:
            node = node[segment]
        return str(node)


def taken_over() -> Aborted:
    """The answer to a request whose claim a retry took over while it ran (it took too long)."""
    return Aborted(
        "this request took too long and a retry took it over; its result is the one that counts",
        reason=IN_FLIGHT_REASON,
    )


def _in_flight() -> Aborted:
    return Aborted(
        "a request with this idempotency key is still being processed; retry shortly",
        reason=IN_FLIGHT_REASON,
    )


class RecordExpiry(Sweeper):
    """Deletes one scope's expired records every `interval` seconds, a batch at a time until none
    is left (engines without a TTL of their own keep them otherwise; on Cosmos DB it finds little)."""

    def __init__(self, records: IdempotencyRecords, *, interval: float) -> None:
        self._records = records
        self._job = PeriodicJob(
            self.sweep_once,
            interval=interval,
            name="hph-idempotency-expiry",
            log=log,
            failure="idempotency record expiry failed",
            first_pass="now",
        )

    async def sweep_once(self, *, now: datetime | None = None) -> int:
        total = 0
        while purged := await self._records.purge_expired(now=now):
            total += purged
            if purged < PURGE_BATCH:
                break
        return total
