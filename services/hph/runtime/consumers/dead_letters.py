"""The dead-letter store: events a consumer group gave up on, parked durably until an operator acts.

Event Hubs has no dead-letter queue, so the consumer framework keeps its own, in the storage port
(Cosmos DB in production), container `dead_letters` with partition key `/group`: one document per
(group, original position), id `<topic>.<partition>.<sequence>` (`dead_letter_id`). It holds the
envelope as it was logged, the failure (`reason`: the last error's type and message; `error_type`),
how many attempts were made in all (they add up over replays), and when.

Lifecycle (`DeadLetterStatus`):

- PARKED: the group's handler failed every attempt; the group checkpointed past the event.
- REPLAY_REQUESTED: an operator asked for it again (`request_replay`, what `hph events dlq replay`
  does). The consumer that owns the event's partition polls for these and re-delivers the event to
  the group's handler (through the idempotency ledger, so an event handled meanwhile is not handled
  twice).
- REPLAYED: re-delivered and handled; kept for the record until retention purges it. A replay that
  fails again parks it again, with the new reason and the attempts added.

Parking the same position again (a group reset replays an event that fails again) updates the one
document rather than adding another.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.clock import from_iso, to_iso
from hph.runtime.commit import Done, Write, commit, stored
from hph.runtime.eventlog import LoggedEvent
from hph.runtime.storage import (
    And,
    BatchError,
    Container,
    ContainerSpec,
    CreateOp,
    DeleteOp,
    Document,
    DocumentStore,
    Eq,
    Lt,
    NotFoundError,
    OrderBy,
    Query,
    ReplaceOp,
    Term,
)

CONTAINER = "dead_letters"
DEAD_LETTERS = ContainerSpec(CONTAINER, "/group")
# The longest reason kept (a handler's error message can be anything).
MAX_REASON = 2000
_PAGE = 100


class DeadLetterStatus(StrEnum):
    PARKED = "parked"
    REPLAY_REQUESTED = "replay-requested"
    REPLAYED = "replayed"


class UnknownDeadLetter(LookupError):
    """No dead letter with that id in that group."""


def dead_letter_id(topic: str, partition: int, sequence: int) -> str:
    """The id of the dead letter of the event at this position (one per group and position)."""
    return f"{topic}.{partition}.{sequence}"


@dataclass(frozen=True)
class DeadLetter:
    """An event a group could not handle, where it was in the log, and why."""

    group: str
    topic: str
    partition: int
    sequence: int
    enqueued_at: datetime
    envelope: EventEnvelope
    reason: str
    error_type: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    status: DeadLetterStatus
    replays: int = 0
    replay_requested_at: datetime | None = None
    replayed_at: datetime | None = None

    @property
    def id(self) -> str:
        return dead_letter_id(self.topic, self.partition, self.sequence)

    @property
    def event_id(self) -> str:
        return self.envelope.event_id

    @property
    def event_type(self) -> str:
        return self.envelope.event_type

    def logged_event(self) -> LoggedEvent:
        """The event as the log delivered it (what a replay hands the handler again)."""
        return LoggedEvent(self.topic, self.partition, self.sequence, self.enqueued_at, self.envelope)


def _optional_time(doc: Document, field: str) -> datetime | None:
    value = doc.get(field)
    return from_iso(value) if value else None


def _from_document(doc: Document) -> DeadLetter:
    return DeadLetter(
        group=doc["group"],
        topic=doc["topic"],
        partition=int(doc["partition"]),
        sequence=int(doc["sequence"]),
        enqueued_at=from_iso(doc["enqueued_at"]),
        envelope=EventEnvelope.FromString(base64.b64decode(doc["envelope_b64"])),
        reason=doc["reason"],
        error_type=doc.get("error_type", ""),
        attempts=int(doc["attempts"]),
        first_failed_at=from_iso(doc["first_failed_at"]),
        last_failed_at=from_iso(doc["last_failed_at"]),
        status=DeadLetterStatus(doc["status"]),
        replays=int(doc.get("replays", 0)),
        replay_requested_at=_optional_time(doc, "replay_requested_at"),
        replayed_at=_optional_time(doc, "replayed_at"),
    )


def _failure(reason: str, error_type: str, at: datetime) -> dict[str, Any]:
    return {
        "reason": reason[:MAX_REASON],
        "error_type": error_type,
        "last_failed_at": to_iso(at),
        "status": DeadLetterStatus.PARKED.value,
    }


class DeadLetterStore:
    """Dead letters of every group, in the storage port (see the module docstring)."""

    def __init__(self, container: Container) -> None:
        self._container = container

    @classmethod
    async def open(cls, store: DocumentStore) -> DeadLetterStore:
        return cls(await DEAD_LETTERS.open(store))

    async def park(
        self, group: str, event: LoggedEvent, *, reason: str, error_type: str, attempts: int, at: datetime
    ) -> DeadLetter:
        """Parks `event` for `group` after `attempts` failed attempts (the last failing with
        `reason`); a position parked before is updated, its attempts added up."""
        doc_id = dead_letter_id(event.topic, event.partition, event.sequence)

        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            try:
                current = await self._container.read(doc_id, group)
            except NotFoundError:
                created: Document = {
                    "id": doc_id,
                    "group": group,
                    "topic": event.topic,
                    "partition": event.partition,
                    "sequence": event.sequence,
                    "enqueued_at": to_iso(event.enqueued_at),
                    "event_id": event.envelope.event_id,
                    "event_type": event.envelope.event_type,
                    "envelope_b64": base64.b64encode(event.envelope.SerializeToString()).decode("ascii"),
                    "attempts": attempts,
                    "first_failed_at": to_iso(at),
                    "replays": 0,
                    **_failure(reason, error_type, at),
                }
                return Write([CreateOp(created)], stored(0))
            again = {**current, "attempts": int(current["attempts"]) + attempts, **_failure(reason, error_type, at)}
            return Write([ReplaceOp(again, if_match=current["_etag"])], stored(0))

        written = await commit(self._container, group, plan, busy=f"dead letter {doc_id!r} of {group!r} kept changing")
        return _from_document(written)

    async def get(self, group: str, dead_letter: str) -> DeadLetter:
        """The dead letter; UnknownDeadLetter if the group has none with that id."""
        return _from_document(await self._read(group, dead_letter))

    async def _read(self, group: str, dead_letter: str) -> Document:
        try:
            return await self._container.read(dead_letter, group)
        except (NotFoundError, ValueError) as exc:
            raise UnknownDeadLetter(f"consumer group {group!r} has no dead letter {dead_letter!r}") from exc

    async def find(
        self,
        group: str | None = None,
        *,
        status: DeadLetterStatus | None = None,
        topic: str | None = None,
        limit: int = 100,
    ) -> list[DeadLetter]:
        """Dead letters, most recently failed first: of one group or all, optionally of one status
        and topic, at most `limit`."""
        terms: list[Term] = []
        if status is not None:
            terms.append(Eq("status", status.value))
        if topic is not None:
            terms.append(Eq("topic", topic))
        query = Query(And(*terms), order_by=(OrderBy("last_failed_at", descending=True),))
        page = await self._container.query(query, partition_key=group, max_items=limit)
        return [_from_document(doc) for doc in page.items]

    async def request_replay(self, group: str, dead_letter: str, *, at: datetime) -> DeadLetter:
        """Asks the group's consumer to re-deliver the event (whatever its status: a REPLAYED one is
        re-delivered too, and skipped by the ledger unless the group was reset since)."""

        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            current = await self._read(group, dead_letter)
            if current["status"] == DeadLetterStatus.REPLAY_REQUESTED:
                return Done(current)
            requested = {
                **current,
                "status": DeadLetterStatus.REPLAY_REQUESTED.value,
                "replay_requested_at": to_iso(at),
            }
            return Write([ReplaceOp(requested, if_match=current["_etag"])], stored(0))

        written = await commit(
            self._container, group, plan, busy=f"dead letter {dead_letter!r} of {group!r} kept changing"
        )
        return _from_document(written)

    async def requested(self, group: str, *, limit: int = _PAGE) -> list[DeadLetter]:
        """The group's dead letters waiting to be replayed, oldest request first."""
        query = Query(Eq("status", DeadLetterStatus.REPLAY_REQUESTED.value), order_by=(OrderBy("replay_requested_at"),))
        page = await self._container.query(query, partition_key=group, max_items=limit)
        return [_from_document(doc) for doc in page.items]

    async def replayed(self, letter: DeadLetter, *, at: datetime) -> None:
        """Records that a requested replay was handled."""
        await self._settle(letter, {"status": DeadLetterStatus.REPLAYED.value, "replayed_at": to_iso(at)})

    async def failed_again(
        self, letter: DeadLetter, *, reason: str, error_type: str, attempts: int, at: datetime
    ) -> None:
        """Parks a replayed event again with the new failure, its attempts added."""
        await self._settle(letter, _failure(reason, error_type, at), more_attempts=attempts)

    async def _settle(self, letter: DeadLetter, changes: dict[str, Any], *, more_attempts: int = 0) -> None:
        """Ends a replay: one more replay counted, `changes` applied, `more_attempts` added."""

        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            current = await self._read(letter.group, letter.id)
            settled = {
                **current,
                **changes,
                "attempts": int(current["attempts"]) + more_attempts,
                "replays": int(current.get("replays", 0)) + 1,
            }
            return Write([ReplaceOp(settled, if_match=current["_etag"])], stored(0))

        await commit(self._container, letter.group, plan, busy=f"dead letter {letter.id!r} kept changing")

    async def purge_replayed(self, older_than: datetime) -> int:
        """Deletes dead letters replayed before `older_than` (parked ones stay until handled)."""
        query = Query(
            And(Eq("status", DeadLetterStatus.REPLAYED.value), Lt("replayed_at", to_iso(older_than))),
        )
        purged = 0
        while True:
            page = await self._container.query(query, max_items=_PAGE)
            purged += await self._discard(page.items)
            if len(page.items) < _PAGE:
                return purged

    async def _discard(self, docs: list[Document]) -> int:
        discarded = 0
        for doc in docs:
            try:
                await self._container.batch(doc["group"], [DeleteOp(doc["id"], if_match=doc["_etag"])])
                discarded += 1
            except BatchError:  # requested again meanwhile, or already gone: the next purge decides
                continue
        return discarded
