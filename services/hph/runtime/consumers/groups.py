"""The consumer-group registry: which groups exist, what they read, and the resets asked of them.

Container `consumer_groups` of the storage port, partition key `/group`:

- `group`: the group's subscriptions as last declared (topic -> event types, empty = all), written
  when a consumer of the group starts, so `hph events lag` and `reset` know every group and its
  topics without a running platform.
- `reset.<topic>`: the last reset of the group on that topic (target time or earliest) and its
  generation, a counter. `EventAdmin.reset` bumps it before it moves the checkpoints; a running
  consumer compares it with the generation it started from before every batch and before every
  checkpoint, so one that was in the middle of a batch re-applies the reset to its own partition
  instead of checkpointing past it (see hph.runtime.consumers.runner).
- `replica.<member>`: a live process of a per-replica group (its per-process name `member`, the
  consumer, and `expires_at`), renewed by its heartbeat and deleted when it stops; one whose
  heartbeat expired (a crash) is swept, with its checkpoints, by the next live replica.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from hph.runtime.clock import from_iso, to_iso
from hph.runtime.commit import Done, Write, commit, stored
from hph.runtime.storage import (
    Container,
    ContainerSpec,
    CreateOp,
    Document,
    DocumentStore,
    Eq,
    NotFoundError,
    Query,
    ReplaceOp,
)

CONTAINER = "consumer_groups"
GROUPS = ContainerSpec(CONTAINER, "/group")
_GROUP_DOC = "group"
_RESET_PREFIX = "reset."
_REPLICA_PREFIX = "replica."
_KIND_GROUP, _KIND_RESET, _KIND_REPLICA = "group", "reset", "replica"
MAX_GROUPS = 1000


@dataclass(frozen=True)
class GroupRecord:
    """A consumer group as last declared: topic -> the event types it handles (empty: all)."""

    group: str
    topics: Mapping[str, tuple[str, ...]]
    declared_at: datetime
    # Every process reads every partition under its own name (ConsumerGroup.per_replica).
    per_replica: bool = False


@dataclass(frozen=True)
class ReplicaRecord:
    """One process's reader of a per-replica group: its per-process group name and who it is."""

    group: str
    member: str
    consumer: str
    expires_at: datetime


@dataclass(frozen=True)
class ResetRequest:
    """The latest reset of a group on a topic: back to the earliest event (`to` None) or to the
    first enqueued at or after `to`; `generation` counts the resets (0: never reset)."""

    group: str
    topic: str
    generation: int
    to: datetime | None
    requested_at: datetime | None


def _record_from(doc: Document) -> GroupRecord:
    topics = {topic: tuple(types) for topic, types in doc["topics"].items()}
    return GroupRecord(doc["group"], topics, from_iso(doc["declared_at"]), bool(doc.get("per_replica", False)))


def _replica_from(doc: Document) -> ReplicaRecord:
    return ReplicaRecord(doc["group"], doc["member"], doc["consumer"], from_iso(doc["expires_at"]))


def _reset_from(group: str, topic: str, doc: Document | None) -> ResetRequest:
    if doc is None:
        return ResetRequest(group, topic, 0, None, None)
    return ResetRequest(
        group,
        topic,
        int(doc["generation"]),
        from_iso(doc["to"]) if doc.get("to") else None,
        from_iso(doc["requested_at"]),
    )


class GroupRegistry:
    """The registry in the storage port (see the module docstring)."""

    def __init__(self, container: Container) -> None:
        self._container = container

    @classmethod
    async def open(cls, store: DocumentStore) -> GroupRegistry:
        return cls(await GROUPS.open(store))

    async def record(
        self, group: str, topics: Mapping[str, Sequence[str]], *, at: datetime, per_replica: bool = False
    ) -> frozenset[str]:
        """Stores the group's declaration; returns the topics it reads for the first time ever
        (their partitions start where the declaration says, not at the earliest event)."""
        wanted = {topic: sorted(types) for topic, types in topics.items()}

        async def plan(attempt: int) -> Write[frozenset[str]] | Done[frozenset[str]]:
            try:
                current: Document | None = await self._container.read(_GROUP_DOC, group)
            except NotFoundError:
                current = None
            # Topics the group read before stay listed (under "history") even when no longer declared,
            # so a topic dropped and declared again does not count as new.
            known = set(current.get("history", [])) if current else set()
            new = frozenset(set(wanted) - known)
            doc: Document = {
                "id": _GROUP_DOC,
                "group": group,
                "kind": _KIND_GROUP,
                "topics": wanted,
                "history": sorted(known | set(wanted)),
                "declared_at": to_iso(at),
                "per_replica": per_replica,
            }
            unchanged = current is not None and current.get("per_replica", False) == per_replica
            if unchanged and current is not None and current.get("topics") == wanted and not new:
                return Done(new)
            operation = ReplaceOp(doc, if_match=current["_etag"]) if current else CreateOp(doc)
            return Write([operation], lambda written: new)

        return await commit(self._container, group, plan, busy=f"consumer group {group!r} is being declared by others")

    async def groups(self) -> list[GroupRecord]:
        """Every group ever declared, by name."""
        page = await self._container.query(Query(Eq("kind", _KIND_GROUP)), max_items=MAX_GROUPS)
        return sorted((_record_from(doc) for doc in page.items), key=lambda record: record.group)

    async def group(self, group: str) -> GroupRecord | None:
        try:
            doc = await self._container.read(_GROUP_DOC, group)
        except (NotFoundError, ValueError):
            return None
        return _record_from(doc)

    async def reset_request(self, group: str, topic: str) -> ResetRequest:
        """The latest reset of `group` on `topic` (generation 0 when there was none)."""
        try:
            doc: Document | None = await self._container.read(_RESET_PREFIX + topic, group)
        except NotFoundError:
            doc = None
        return _reset_from(group, topic, doc)

    async def request_reset(self, group: str, topic: str, to: datetime | None, *, at: datetime) -> ResetRequest:
        """Records a reset of `group` on `topic` to `to` (None: earliest) as the next generation."""
        doc_id = _RESET_PREFIX + topic

        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            try:
                current: Document | None = await self._container.read(doc_id, group)
            except NotFoundError:
                current = None
            generation = int(current["generation"]) + 1 if current else 1
            doc: Document = {
                "id": doc_id,
                "group": group,
                "kind": _KIND_RESET,
                "topic": topic,
                "generation": generation,
                "to": to_iso(to) if to is not None else "",
                "requested_at": to_iso(at),
            }
            return Write([ReplaceOp(doc, if_match=current["_etag"]) if current else CreateOp(doc)], stored(0))

        written = await commit(self._container, group, plan, busy=f"group {group!r} is being reset by others")
        return _reset_from(group, topic, written)

    # --- per-replica groups: the live processes reading them ------------------------------------

    async def join_replica(self, group: str, member: str, consumer: str, *, expires_at: datetime) -> None:
        """Records (or renews) `member`, this process's reader of per-replica group `group`."""
        doc: Document = {
            "id": _REPLICA_PREFIX + member,
            "group": group,
            "kind": _KIND_REPLICA,
            "member": member,
            "consumer": consumer,
            "expires_at": to_iso(expires_at),
        }
        await self._container.upsert(doc)

    async def leave_replica(self, group: str, member: str) -> None:
        with contextlib.suppress(NotFoundError):
            await self._container.delete(_REPLICA_PREFIX + member, group)

    async def replicas(self, group: str) -> list[ReplicaRecord]:
        """Every recorded reader of the per-replica group, live or expired, by member name."""
        page = await self._container.query(Query(Eq("kind", _KIND_REPLICA)), partition_key=group, max_items=MAX_GROUPS)
        return sorted((_replica_from(doc) for doc in page.items), key=lambda record: record.member)
