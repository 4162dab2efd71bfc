"""Where a partition worker gets its events: by reading the log from the group's checkpoint, or
through Redis consumer-group delivery.

- `CheckpointReader` (any log; the SQLite default): reads on from the group's checkpoint with
  `EventLog.read`, keeping its place in memory between batches; `restart` goes back to the stored
  checkpoint (after a reset). On a log that reads per group (`GroupReadingLog`, Event Hubs: each
  group has its own receiver and consumer group) it reads with `read_as(group, ...)`.
- `RedisDelivery` (the Redis Streams log): `XREADGROUP` hands out what no consumer of the group has
  had yet (`deliver`), pending for this consumer until acknowledged (`done`, after the checkpoint).
  When it starts (a partition it just claimed, or after a reset) it first takes over the entries
  its partition's previous owner was given and never acknowledged (`reclaim`, XAUTOCLAIM), and
  handles those before anything new: the previous owner died between delivery and acknowledgement,
  and they come before what is still undelivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol, cast, runtime_checkable

from hph.runtime.eventlog import EventLog, LoggedEvent, Position, ReadBatch


@runtime_checkable
class DeliveringLog(Protocol):
    """A log with consumer-group delivery beside the port (RedisEventLog)."""

    async def checkpoints(self, group: str, topic: str) -> dict[int, int]: ...

    async def ensure_delivery_group(self, group: str, topic: str) -> None: ...

    async def deliver(
        self, group: str, topic: str, partition: int, consumer: str, max_events: int = 100
    ) -> list[LoggedEvent]: ...

    async def acknowledge(self, group: str, topic: str, partition: int, sequences: Sequence[int]) -> int: ...

    async def reclaim(
        self, group: str, topic: str, partition: int, consumer: str, min_idle: timedelta, max_events: int = 100
    ) -> list[LoggedEvent]: ...


@runtime_checkable
class GroupReadingLog(Protocol):
    """A log whose reads go through the reading group (EventHubsEventLog)."""

    async def read_as(
        self, group: str, topic: str, partition: int, start: Position, max_events: int = 100
    ) -> ReadBatch: ...


class PartitionSource(Protocol):
    async def open(self) -> int | None:
        """Prepares reading; returns the group's checkpoint in the partition (None: none yet)."""
        ...

    async def next_batch(self, max_events: int) -> list[LoggedEvent]:
        """The next events in partition order, or none when there is nothing new."""
        ...

    async def done(self, events: Sequence[LoggedEvent]) -> None:
        """These events are handled and checkpointed."""
        ...


class CheckpointReader:
    def __init__(self, log: EventLog, group: str, topic: str, partition: int) -> None:
        self._log = log
        self._group = group
        self._topic = topic
        self._partition = partition
        self._position = Position.earliest()
        # Decided once: an isinstance against a runtime-checkable Protocol inspects every member,
        # and a busy worker asks for a batch many times a second.
        self._reads_as_group = isinstance(log, GroupReadingLog)

    async def open(self) -> int | None:
        checkpoint = (await self._log.checkpoints(self._group, self._topic)).get(self._partition)
        self._position = Position.following(checkpoint)
        return checkpoint

    async def next_batch(self, max_events: int) -> list[LoggedEvent]:
        if self._reads_as_group:
            grouped = cast(GroupReadingLog, self._log)
            batch = await grouped.read_as(self._group, self._topic, self._partition, self._position, max_events)
        else:
            batch = await self._log.read(self._topic, self._partition, self._position, max_events)
        self._position = batch.next_position
        return batch.events

    async def done(self, events: Sequence[LoggedEvent]) -> None:
        return None


class RedisDelivery:
    def __init__(self, log: DeliveringLog, group: str, topic: str, partition: int, consumer: str) -> None:
        self._log = log
        self._group = group
        self._topic = topic
        self._partition = partition
        self._consumer = consumer
        self._reclaiming = True

    async def open(self) -> int | None:
        self._reclaiming = True
        return (await self._log.checkpoints(self._group, self._topic)).get(self._partition)

    async def next_batch(self, max_events: int) -> list[LoggedEvent]:
        if self._reclaiming:
            # Min idle 0: the partition is ours (we hold its lease), so whatever is pending in it was
            # given to a consumer that no longer owns it, or to this one before a restart.
            taken = await self._log.reclaim(
                self._group, self._topic, self._partition, self._consumer, timedelta(0), max_events
            )
            if taken:
                return sorted(taken, key=lambda event: event.sequence)
            self._reclaiming = False
        return await self._log.deliver(self._group, self._topic, self._partition, self._consumer, max_events)

    async def done(self, events: Sequence[LoggedEvent]) -> None:
        await self._log.acknowledge(self._group, self._topic, self._partition, [event.sequence for event in events])
