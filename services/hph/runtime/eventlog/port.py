"""The durable event log port, shaped by Azure Event Hubs (the strictest engine it must map onto).

Semantics every adapter keeps (docs/events.md in the shared design says why each one exists):

- A topic has a fixed number of partitions, set when it is created (1..`MAX_PARTITIONS`, Event Hubs
  Standard's range); creating it again with another count is refused (`PartitionCountMismatch`).
- An event's partition is `partition_for(envelope.partition_key, partitions)`: the first 8 bytes of
  the BLAKE2b digest of the key's UTF-8 bytes, read big-endian, modulo the partition count. It is
  computed here, once, for every adapter and process (Python's `hash()` is salted per process and
  would scatter a key), and a later Event Hubs adapter sends to that partition id explicitly rather
  than letting the hub hash the key, so a key lands on the same partition whatever the engine.
- Order is kept within a partition only. Each event gets a position: its partition, a sequence
  number (int64, strictly increasing per partition, never reused) and the time it was enqueued
  (millisecond precision, never earlier than the partition's previous event). Sequence numbers need
  not be dense (Redis derives them from its entry ids); lag is therefore counted in events by each
  adapter rather than computed by callers as a difference.
- `append` is atomic per partition at most (an Event Hubs batch targets one partition); a caller that
  retries a failed append may append an event twice, which consumers absorb by `event_id` (the
  Redis Streams log, which several hosts' relays share, keeps one copy: its append is idempotent by
  `event_id` within a window; SQLite serves one host, Event Hubs cannot look an event up). It
  answers with each event's partition and position; an engine that does not report positions on
  send (Event Hubs) answers `UNKNOWN_SEQUENCE` and the time the send was acknowledged.
- A read starts from the earliest retained event, the latest (nothing that exists yet), a sequence
  number (inclusive, or exclusive with `Position.after`) or an enqueued time (events enqueued at or
  after it), and returns at most `max_events` events of one partition with the position to read on
  from.
- Consumer groups are independent: each keeps one checkpoint per partition (the sequence number of
  the last event it has handled), in a checkpoint store beside the log. A checkpoint never moves
  backwards (`checkpoint` returns False and leaves it) except through `reset`, the explicit replay
  (to the earliest event, or to the first event enqueued at or after a time). A group without a
  checkpoint starts at the earliest retained event.
- Lag per (group, partition) is the number of retained events after the group's checkpoint (with no
  checkpoint: every retained event), i.e. what the group still has to read; with Event Hubs' dense
  sequence numbers that is last sequence - checkpoint, what KEDA's Event Hubs scaler computes.
- Retention is explicit: `trim(topic, older_than)` removes the events enqueued before a time and the
  host runs it periodically from its retention setting (Event Hubs applies the hub's own retention,
  so its adapter's trim will remove nothing itself). Checkpoints survive trimming; a group whose
  checkpoint fell behind the retained events reads on from the earliest one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Protocol, runtime_checkable

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope

MAX_PARTITIONS = 32
# The sequence number `append` answers with on an engine that does not report the positions of what
# it was sent (Event Hubs): the event's partition is known, its position is learnt by reading it.
UNKNOWN_SEQUENCE = -1
MAX_READ_EVENTS = 10_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


class EventLogError(Exception):
    """Base of the log's refusals."""


class UnknownTopicError(EventLogError, LookupError):
    """The topic was never created."""


class PartitionCountMismatch(EventLogError, ValueError):
    """A topic was created again with a different partition count (partition counts are fixed)."""

    def __init__(self, topic: str, existing: int, requested: int) -> None:
        super().__init__(f"topic {topic!r} has {existing} partitions, not {requested}")
        self.topic = topic
        self.existing = existing
        self.requested = requested


class StartAt(Enum):
    EARLIEST = "earliest"
    LATEST = "latest"
    SEQUENCE = "sequence"
    TIME = "time"


@dataclass(frozen=True)
class Position:
    """Where a read starts in one partition (Event Hubs' EventPosition); build it with the class methods."""

    start: StartAt
    sequence: int = 0
    inclusive: bool = True
    time: datetime | None = None

    @classmethod
    def earliest(cls) -> Position:
        return cls(StartAt.EARLIEST)

    @classmethod
    def latest(cls) -> Position:
        """Only events appended after the read: the read returns none and the position to follow from."""
        return cls(StartAt.LATEST)

    @classmethod
    def at(cls, sequence: int) -> Position:
        """From the event with this sequence number (or the next one after it), inclusive."""
        return cls(StartAt.SEQUENCE, sequence=validate_sequence(sequence), inclusive=True)

    @classmethod
    def after(cls, sequence: int) -> Position:
        """From the first event after this sequence number (how a reader continues)."""
        return cls(StartAt.SEQUENCE, sequence=validate_sequence(sequence), inclusive=False)

    @classmethod
    def following(cls, last_sequence: int | None) -> Position:
        """After `last_sequence`, or the earliest event of a partition that never held one."""
        return cls.earliest() if last_sequence is None else cls.after(last_sequence)

    @classmethod
    def since(cls, moment: datetime) -> Position:
        """From the first event enqueued at or after `moment` (timezone-aware)."""
        return cls(StartAt.TIME, time=validate_time(moment))


@dataclass(frozen=True)
class LoggedEvent:
    """An event as the log holds it: its position and the envelope."""

    topic: str
    partition: int
    sequence: int
    enqueued_at: datetime
    envelope: EventEnvelope


@dataclass(frozen=True)
class ReadBatch:
    """Events of one partition in sequence order, and the position the next read starts from."""

    events: list[LoggedEvent]
    next_position: Position

    @classmethod
    def read_from(cls, start: Position, events: list[LoggedEvent]) -> ReadBatch:
        """The batch a read from `start` found: the next read continues after its last event (or
        from the same place when it found none)."""
        return cls(events, Position.after(events[-1].sequence) if events else start)


@dataclass(frozen=True)
class PartitionInfo:
    """A partition's retained range (Event Hubs' partition properties); None when it holds nothing."""

    partition: int
    first_sequence: int | None
    last_sequence: int | None
    last_enqueued_at: datetime | None


@dataclass(frozen=True)
class PartitionLag:
    """How far a group is behind in one partition: `events` retained after its checkpoint."""

    partition: int
    last_sequence: int | None
    checkpoint: int | None
    events: int


class EventLog(Protocol):
    """A durable, partitioned, retained event log with consumer-group checkpoints."""

    async def create_topic(self, topic: str, partitions: int) -> None:
        """Creates the topic, or checks that it exists with this partition count."""
        ...

    async def topics(self) -> Mapping[str, int]:
        """Every topic and its partition count."""
        ...

    async def append(self, topic: str, envelopes: EventEnvelope | Sequence[EventEnvelope]) -> list[LoggedEvent]:
        """Appends each envelope to its key's partition, in the given order within a partition."""
        ...

    async def read(self, topic: str, partition: int, start: Position, max_events: int = 100) -> ReadBatch: ...

    async def partition_info(self, topic: str, partition: int) -> PartitionInfo: ...

    async def last_sequences(self, topic: str) -> dict[int, int]:
        """The last sequence number of every partition of `topic` ever appended to, in one call (what a
        consumer's watch compares with where its workers have read, to find other processes' appends)."""
        ...

    async def checkpoint(self, group: str, topic: str, partition: int, sequence: int) -> bool:
        """Records that `group` handled `partition` up to `sequence` (an appended one); False, and
        nothing changed, when the group's checkpoint is already further on."""
        ...

    async def checkpoints(self, group: str, topic: str) -> dict[int, int]:
        """The group's checkpoint per partition (partitions without one are absent)."""
        ...

    async def reset(
        self, group: str, topic: str, to: datetime | None = None, *, partitions: Sequence[int] | None = None
    ) -> None:
        """Replay: moves every partition's checkpoint of `group` (or those of `partitions`) back (or
        forward) so the group reads again from the earliest retained event (`to` None) or from the
        first event enqueued at or after `to`."""
        ...

    async def lag(self, group: str, topic: str) -> list[PartitionLag]:
        """The group's lag in every partition of the topic, in partition order."""
        ...

    async def trim(self, topic: str, older_than: datetime) -> int:
        """Removes the events enqueued before `older_than`; returns how many."""
        ...

    async def close(self) -> None: ...


@runtime_checkable
class OwnershipStore(Protocol):
    """Ownership records beside the checkpoints (Event Hubs' checkpoint store keeps them as blobs),
    through which several consumers of one group share its partitions: a consumer lists itself as
    a live member of the group, and owns a partition by holding a lease on it that expires unless
    renewed, so a consumer that dies hands its partitions on after at most one lease time. How the
    partitions are shared out is the consumer framework's (hph.runtime.consumers.ownership); an
    adapter whose log only one process reads (SQLite) does not offer it."""

    async def join(self, group: str, consumer: str, ttl: timedelta) -> list[str]:
        """Records `consumer` as a live member of `group` for `ttl`; returns the live members, sorted."""
        ...

    async def leave(self, group: str, consumer: str) -> None:
        """Removes `consumer` from the group's live members at once (a clean stop)."""
        ...

    async def claim(self, group: str, topic: str, partition: int, consumer: str, ttl: timedelta) -> bool:
        """Takes the partition's lease for `ttl` if it is free, expired or already `consumer`'s
        (a renewal); False when another consumer holds it."""
        ...

    async def release(self, group: str, topic: str, partition: int, consumer: str) -> None:
        """Gives the lease up if `consumer` holds it (so another can claim it at once)."""
        ...

    async def owners(self, group: str, topic: str) -> dict[int, str]:
        """The consumer holding each leased partition of the topic (free ones are absent)."""
        ...


class PartitionCounts:
    """The partition counts an adapter instance has learnt, looked up once per topic (a count never
    changes, so the cache cannot go stale); `lookup` answers None for a topic never created."""

    def __init__(self, lookup: Callable[[str], Awaitable[int | None]]) -> None:
        self._lookup = lookup
        self._known: dict[str, int] = {}

    def created(self, topic: str, partitions: int) -> None:
        self._known[topic] = partitions

    async def of(self, topic: str) -> int:
        """The topic's partition count; UnknownTopicError if it was never created."""
        known = self._known.get(topic)
        if known is None:
            found = await self._lookup(validate_name("topic", topic))
            if found is None:
                raise UnknownTopicError(f"no topic {topic!r}")
            known = self._known[topic] = found
        return known

    async def check(self, topic: str, partition: int) -> int:
        """`partition` if the topic has it; UnknownTopicError or ValueError otherwise."""
        return validate_partition(topic, partition, await self.of(topic))

    async def chosen(self, topic: str, partitions: Sequence[int] | None) -> list[int]:
        """The partitions named (each checked), or every partition of the topic for None."""
        count = await self.of(topic)
        if partitions is None:
            return list(range(count))
        return sorted({validate_partition(topic, partition, count) for partition in partitions})


def partition_for(partition_key: str, partitions: int) -> int:
    """The partition of a key (see the module docstring for why this exact hash)."""
    if not isinstance(partition_key, str) or not partition_key:
        raise ValueError("an event needs a partition key")
    digest = hashlib.blake2b(partition_key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % partitions


def validate_name(kind: str, name: str) -> str:
    """Topic and group names: 1-63 of a-z 0-9 . _ - starting with a letter or digit (fits Event Hubs
    names and Redis keys alike)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"bad {kind} name {name!r}: 1-63 of a-z 0-9 . _ -, starting with a letter or digit")
    return name


def validate_partition_count(partitions: int) -> int:
    if isinstance(partitions, bool) or not isinstance(partitions, int) or not 1 <= partitions <= MAX_PARTITIONS:
        raise ValueError(f"a topic has 1..{MAX_PARTITIONS} partitions, not {partitions!r}")
    return partitions


def validate_partition(topic: str, partition: int, partitions: int) -> int:
    if isinstance(partition, bool) or not isinstance(partition, int) or not 0 <= partition < partitions:
        raise ValueError(f"topic {topic!r} has partitions 0..{partitions - 1}, not {partition!r}")
    return partition


def validate_sequence(sequence: int) -> int:
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 0 <= sequence < 2**63:
        raise ValueError(f"a sequence number is an int64 >= 0, not {sequence!r}")
    return sequence


def validate_max_events(max_events: int) -> int:
    if isinstance(max_events, bool) or not isinstance(max_events, int) or not 1 <= max_events <= MAX_READ_EVENTS:
        raise ValueError(f"max_events is 1..{MAX_READ_EVENTS}, not {max_events!r}")
    return max_events


def validate_time(moment: datetime) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError("a log time is a timezone-aware datetime")
    return moment


def envelopes_of(envelopes: EventEnvelope | Sequence[EventEnvelope]) -> list[EventEnvelope]:
    """The envelopes of an append, each checked to carry an event id and a partition key."""
    batch = [envelopes] if isinstance(envelopes, EventEnvelope) else list(envelopes)
    for envelope in batch:
        if not isinstance(envelope, EventEnvelope):
            raise TypeError(f"the log appends EventEnvelopes, not {type(envelope).__name__}")
        if not envelope.event_id:
            raise ValueError("an appended envelope needs an event_id")
        if not envelope.partition_key:
            raise ValueError(f"event {envelope.event_id!r} has no partition key")
    return batch


def by_partition(batch: Sequence[EventEnvelope], partitions: int) -> dict[int, list[int]]:
    """Indexes into `batch` grouped by partition, each group in the batch's order."""
    groups: dict[int, list[int]] = {}
    for index, envelope in enumerate(batch):
        groups.setdefault(partition_for(envelope.partition_key, partitions), []).append(index)
    return groups


def to_millis(moment: datetime) -> int:
    """Milliseconds since the epoch, rounded down (the log's time resolution)."""
    delta = validate_time(moment).astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_millis(millis: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=millis)
