"""The idempotency ledger: which events each consumer group has handled, durably, across restarts.

Delivery is at least once (a consumer that stops between an effect and its checkpoint gets the
event again), so a group remembers the ids of the events it handled and skips them when they come
back. Two ways to keep that mark, with different guarantees:

- **The group's ledger** (`HandledLedger`, the default, every handler gets it): container
  `consumer_ledger` of the storage port, partition key `/group`, one document per handled event
  (id = event id). The framework skips an event whose mark exists (one lookup per batch), and
  writes the marks of a batch's handled events together once their handlers have returned, before
  the batch is acknowledged or checkpointed. Guarantee: an event whose mark was written is never
  handled again, whatever restarts; a crash in the window between a handler's effect and its
  batch's marks (at most one batch per partition) runs those handlers again. So handlers on this
  path must be idempotent by themselves for that window (an idempotency key for a payment
  provider, a conditional create, setting rather than toggling a flag).
- **The mark in the effect's own batch** (`handled_mark_op`; `Delivery.commit` in the framework):
  when the effect is a storage write to ONE partition of one container, the handler puts the mark
  in the same transactional batch, a create of `handled.<group>.<event id>` in that partition. A
  redelivery's batch then fails on the create and writes nothing. Guarantee: the effect happens
  exactly once, even across a crash at any point. The cost: the mark lives beside the handler's
  documents (kind "handled-event"), so the container's own queries leave marks out with
  `NOT_HANDLED_MARK` (as they leave outbox records out with `NOT_OUTBOX`), and marks are removed
  with the data they guard (rebuilding a projection clears both). Not for a container partitioned
  by `/id`, where every document is a partition of its own.

Replaying a group from an earlier point (`forget`, called by a reset) removes the ledger marks of
the events it will see again, so a rebuilt projection gets them. Marks older than the log's
retention can never be delivered again and are purged with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hph.runtime.clock import to_iso
from hph.runtime.eventlog import LoggedEvent
from hph.runtime.storage import (
    MAX_BATCH_OPERATIONS,
    And,
    BatchError,
    ConflictError,
    Container,
    ContainerSpec,
    CreateOp,
    DeleteOp,
    Document,
    DocumentStore,
    Eq,
    Ge,
    In,
    IsDefined,
    Lt,
    Not,
    NotFoundError,
    Query,
    Term,
    UpsertOp,
)
from hph.runtime.storage.port import validate_partition_key, validate_partition_key_path

CONTAINER = "consumer_ledger"
LEDGER = ContainerSpec(CONTAINER, "/group")

HANDLED_MARK_KIND = "handled-event"
HANDLED_MARK_FIELD = "handled_event_id"
NOT_HANDLED_MARK: Term = Not(IsDefined(HANDLED_MARK_FIELD))
"""Matches every document that is not a handled mark (see the module docstring)."""
_PAGE = 100


def handled_mark_id(group: str, event_id: str) -> str:
    return f"handled.{group}.{event_id}"


def handled_mark_op(container: Container, partition_key: str, group: str, event_id: str) -> CreateOp:
    """The create of `group`'s mark for `event_id` in `container`'s partition `partition_key`: put it
    in the same batch as the effect; the batch then fails on it (BatchError with a ConflictError
    cause at its index) when the event was handled before."""
    segments = validate_partition_key_path(container.partition_key_path)
    validate_partition_key(partition_key)
    mark: dict[str, Any] = {
        "id": handled_mark_id(group, event_id),
        "kind": HANDLED_MARK_KIND,
        HANDLED_MARK_FIELD: event_id,
        "consumer_group": group,
    }
    node = mark
    for segment in segments[:-1]:
        node = node.setdefault(segment, {})
    if segments[-1] in node:  # /id: every document is its own partition, so no batch can hold a mark
        raise ValueError(f"a handled mark cannot share a batch in {container.name!r} (partition key /id)")
    node[segments[-1]] = partition_key
    return CreateOp(mark)


async def has_handled_mark(container: Container, partition_key: str, group: str, event_id: str) -> bool:
    """Whether `group`'s mark for `event_id` is in that partition (a plan's first question)."""
    try:
        await container.read(handled_mark_id(group, event_id), partition_key)
    except NotFoundError:
        return False
    return True


def lost_on_mark(error: BatchError, operations: Sequence[object], mark: CreateOp) -> bool:
    """Whether a failed batch failed on the handled mark because it exists (a redelivery)."""
    failed_on_mark = 0 <= error.index < len(operations) and operations[error.index] is mark
    return failed_on_mark and isinstance(error.cause, ConflictError)


class HandledLedger:
    """The groups' ledger of handled events (see the module docstring)."""

    def __init__(self, container: Container) -> None:
        self._container = container

    @classmethod
    async def open(cls, store: DocumentStore) -> HandledLedger:
        return cls(await LEDGER.open(store))

    async def handled(self, group: str, event_id: str) -> bool:
        """Whether `group` has handled the event (one point read)."""
        try:
            await self._container.read(event_id, group)
        except NotFoundError:
            return False
        return True

    async def handled_among(self, group: str, event_ids: Sequence[str]) -> set[str]:
        """Which of `event_ids` `group` has handled (one query per hundred ids, however many)."""
        found: set[str] = set()
        unique = list(dict.fromkeys(event_ids))
        for start in range(0, len(unique), _PAGE):
            chunk = unique[start : start + _PAGE]
            page = await self._container.query(Query(In("id", chunk)), partition_key=group, max_items=_PAGE)
            found.update(doc["id"] for doc in page.items)
        return found

    async def mark(self, group: str, events: Sequence[LoggedEvent], *, at: datetime) -> None:
        """Records that `group` handled `events` (an upsert each, so marking again is harmless;
        several events share one transaction per hundred)."""
        handled_at = to_iso(at)
        marks = [UpsertOp(_mark(group, event, handled_at)) for event in events]
        for start in range(0, len(marks), MAX_BATCH_OPERATIONS):
            chunk = marks[start : start + MAX_BATCH_OPERATIONS]
            if len(chunk) == 1:
                await self._container.upsert(chunk[0].doc)
            else:
                await self._container.batch(group, chunk)

    async def forget(self, group: str, topic: str, *, since: datetime | None, partition: int | None = None) -> int:
        """Removes `group`'s marks of `topic`'s events enqueued at or after `since` (all with None),
        in one partition of the topic or all: a replay from there handles them again."""
        terms: list[Term] = [Eq("topic", topic)]
        if since is not None:
            terms.append(Ge("enqueued_at", to_iso(since)))
        if partition is not None:
            terms.append(Eq("partition", partition))
        return await self._remove(Query(And(*terms)), group)

    async def purge(self, older_than: datetime) -> int:
        """Removes the marks of events enqueued before `older_than` (trimmed from the log: they can
        never be delivered again), in every group."""
        return await self._remove(Query(Lt("enqueued_at", to_iso(older_than))), None)

    async def _remove(self, query: Query, group: str | None) -> int:
        removed = 0
        while True:
            page = await self._container.query(query, partition_key=group, max_items=_PAGE)
            removed += await self._discard(page.items)
            if len(page.items) < _PAGE:
                return removed

    async def _discard(self, docs: list[Document]) -> int:
        by_group: dict[str, list[DeleteOp]] = {}
        for doc in docs:
            by_group.setdefault(doc["group"], []).append(DeleteOp(doc["id"]))
        for group, deletes in by_group.items():
            try:
                await self._container.batch(group, deletes)
            except BatchError:  # one vanished meanwhile (a concurrent forget): one by one
                for delete in deletes:
                    await self._forget_one(group, delete)
        return len(docs)

    async def _forget_one(self, group: str, delete: DeleteOp) -> None:
        try:
            await self._container.batch(group, [delete])
        except BatchError:
            return


def _mark(group: str, event: LoggedEvent, handled_at: str) -> Document:
    return {
        "id": event.envelope.event_id,
        "group": group,
        "topic": event.topic,
        "partition": event.partition,
        "sequence": event.sequence,
        "enqueued_at": to_iso(event.enqueued_at),
        "handled_at": handled_at,
    }
