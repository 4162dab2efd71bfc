"""The operator's side of the event backbone: topics, lag, dead letters and replays, from any process.

`EventAdmin` works on the event log and the storage port directly, so `hph events` (or a test) uses
it whether or not a platform is running; a running consumer picks up what it asks for (a replay
request on its next poll, a reset before its next batch).

    log = await open_event_log(settings)
    store = await open_store(settings)              # hph.host.app
    admin = await EventAdmin.open(log, store)
    for lag in await admin.lag():                   # every declared group, every partition
        print(lag.group, lag.topic, lag.partition, lag.events)
    letters = await admin.dead_letters("analytics")             # parked and replayed ones
    await admin.replay_dead_letter("analytics", letters[0].id)  # the consumer re-delivers it
    await admin.reset("analytics", to=None)                     # replay from the earliest event

Names and signatures here are stable: the CLI builds on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hph.runtime.clock import Clock, system_clock
from hph.runtime.consumers.dead_letters import DeadLetter, DeadLetterStatus, DeadLetterStore, UnknownDeadLetter
from hph.runtime.consumers.groups import GroupRecord, GroupRegistry, ReplicaRecord, ResetRequest
from hph.runtime.consumers.ledger import HandledLedger
from hph.runtime.eventlog import EventLog
from hph.runtime.storage import DocumentStore


class UnknownGroup(LookupError):
    """No consumer group of that name was ever declared (or it never read that topic)."""


class PerReplicaGroup(ValueError):
    """The group is per replica: it has no shared position to reset (each process rebuilds its
    projection from the services' state when it starts)."""


@dataclass(frozen=True)
class GroupLag:
    """How far `group` is behind in one partition of `topic`: `events` still to handle."""

    group: str
    topic: str
    partition: int
    last_sequence: int | None
    checkpoint: int | None
    events: int


async def group_lag(log: EventLog, group: str, topics: Sequence[str]) -> list[GroupLag]:
    """The log's lag of `group` in every partition of `topics` (the figure autoscaling reads)."""
    return [
        GroupLag(group, topic, lag.partition, lag.last_sequence, lag.checkpoint, lag.events)
        for topic in topics
        for lag in await log.lag(group, topic)
    ]


async def reset_group(
    log: EventLog,
    registry: GroupRegistry,
    ledger: HandledLedger,
    group: str,
    topic: str,
    to: datetime | None,
    *,
    at: datetime,
) -> ResetRequest:
    """Replays `group` on `topic` from the earliest retained event (`to` None) or from the first
    enqueued at or after `to`: records the reset (a new generation, first, so a running consumer
    in the middle of a batch re-applies it rather than checkpoint past it), moves the checkpoints
    and forgets the ledger marks of the events the group will see again."""
    request = await registry.request_reset(group, topic, to, at=at)
    await log.reset(group, topic, to)
    await ledger.forget(group, topic, since=to)
    return request


class EventAdmin:
    """Lag, dead letters, replay and reset over an event log and a document store."""

    def __init__(
        self,
        log: EventLog,
        dead_letter_store: DeadLetterStore,
        registry: GroupRegistry,
        ledger: HandledLedger,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self._log = log
        self._dead_letters = dead_letter_store
        self._registry = registry
        self._ledger = ledger
        self._clock = clock

    @classmethod
    async def open(cls, log: EventLog, store: DocumentStore, *, clock: Clock = system_clock) -> EventAdmin:
        """An admin over `log` and the consumer containers of `store` (created when missing)."""
        return cls(
            log,
            await DeadLetterStore.open(store),
            await GroupRegistry.open(store),
            await HandledLedger.open(store),
            clock=clock,
        )

    async def topics(self) -> dict[str, int]:
        """Every topic of the log and its partition count."""
        return dict(await self._log.topics())

    async def groups(self) -> list[GroupRecord]:
        """Every consumer group ever declared, with the topics (and event types) it reads."""
        return await self._registry.groups()

    async def _group(self, group: str) -> GroupRecord:
        record = await self._registry.group(group)
        if record is None:
            raise UnknownGroup(f"no consumer group {group!r} was ever declared")
        return record

    async def lag(self, group: str | None = None) -> list[GroupLag]:
        """Lag per partition of every topic of one group, or of every declared group."""
        records = [await self._group(group)] if group is not None else await self.groups()
        lags: list[GroupLag] = []
        for record in records:
            lags += await self.record_lag(record, sorted(record.topics))
        return lags

    async def record_lag(self, record: GroupRecord, topics: Sequence[str]) -> list[GroupLag]:
        """The group's lag on `topics`; a per-replica group's is one set of rows per live process,
        under its per-process name (`<group>.r-<random>`); none when no process runs it."""
        if not record.per_replica:
            return await group_lag(self._log, record.group, topics)
        lags: list[GroupLag] = []
        for member in await self.replicas(record.group):
            lags += await group_lag(self._log, member.member, topics)
        return lags

    async def replicas(self, group: str) -> list[ReplicaRecord]:
        """The live processes reading per-replica group `group` (expired records are left out;
        a live reader sweeps them)."""
        now = self._clock()
        return [record for record in await self._registry.replicas(group) if record.expires_at >= now]

    async def dead_letters(
        self,
        group: str | None = None,
        *,
        status: DeadLetterStatus | None = None,
        topic: str | None = None,
        limit: int = 100,
    ) -> list[DeadLetter]:
        """Dead letters, most recently failed first (of one group, status and topic if given)."""
        return await self._dead_letters.find(group, status=status, topic=topic, limit=limit)

    async def dead_letter(self, group: str, dead_letter_id: str) -> DeadLetter:
        """One dead letter; UnknownDeadLetter if the group has none with that id."""
        return await self._dead_letters.get(group, dead_letter_id)

    async def replay_dead_letter(self, group: str, dead_letter_id: str) -> DeadLetter:
        """Marks the dead letter for redelivery; the group's consumer that owns its partition hands
        it to the group's handler again on its next poll (HPH_CONSUMER_POLL_SECONDS) and marks it
        REPLAYED, or parks it again with the new failure. UnknownDeadLetter if there is none."""
        return await self._dead_letters.request_replay(group, dead_letter_id, at=self._clock())

    async def replay_dead_letters(self, group: str, *, topic: str | None = None) -> list[DeadLetter]:
        """Marks every PARKED dead letter of the group (of one topic if given) for redelivery."""
        parked = await self._dead_letters.find(group, status=DeadLetterStatus.PARKED, topic=topic, limit=10_000)
        return [await self.replay_dead_letter(group, letter.id) for letter in parked]

    async def reset(
        self, group: str, *, to: datetime | None = None, topics: Sequence[str] | None = None
    ) -> list[ResetRequest]:
        """Replays the group from the earliest retained event (`to` None) or from `to`, on every
        topic it reads (or those of `topics`), e.g. to rebuild a projection; a running consumer of
        the group follows within one batch. UnknownGroup for a group (or topic of it) never
        declared. Clear the projection first, or reset with its consumer stopped, if events it
        handles between the clear and the reset must not count twice."""
        record = await self._group(group)
        if record.per_replica:
            raise PerReplicaGroup(
                f"consumer group {group!r} is per replica: each process keeps its projection in memory, built from "
                "the services' state when it starts; restart the processes to rebuild it"
            )
        chosen = sorted(record.topics) if topics is None else list(topics)
        unknown = [topic for topic in chosen if topic not in record.topics]
        if unknown:
            raise UnknownGroup(f"consumer group {group!r} does not read {', '.join(unknown)}")
        return [
            await reset_group(self._log, self._registry, self._ledger, group, topic, to, at=self._clock())
            for topic in chosen
        ]


__all__ = [
    "EventAdmin",
    "GroupLag",
    "PerReplicaGroup",
    "UnknownDeadLetter",
    "UnknownGroup",
    "group_lag",
    "reset_group",
]
