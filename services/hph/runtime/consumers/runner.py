"""Running a consumer group: one task per owned partition, each handling its events strictly in order.

`TopicConsumer` runs one group on one topic: it asks its `Ownership` which partitions are its own
(all of them on the embedded log; its share, by lease, on Redis), starts a `PartitionWorker` per
owned partition and stops those it no longer owns. Partitions run concurrently; within one, events
are handled one after another.

A worker's loop, per batch of at most `batch_size` events:

1. Re-deliver the dead letters an operator asked to replay in this partition (queued by the group's
   poll of the dead-letter store).
2. Follow a reset if one was recorded since the worker last looked (before every batch on Redis;
   reading the log from its own position, once the consumers' watch or this process's `reset`
   told it of a new generation; see below).
3. Read the next batch (`PartitionSource`). Ask the group's ledger once which of the batch's events
   it already has, then for each event: pass it over when no subscription of the group handles its
   type; skip it when the ledger has it; else run the handler with bounded retries
   (hph.runtime.consumers.retry), or, when every attempt failed, park it in the dead-letter store
   (durable before the next event).
4. Write the ledger marks of the batch's handled events (one write), then acknowledge the batch to
   the source (Redis: XACK).
5. Checkpoint the batch's last event at most every `checkpoint_interval` (a worker gone idle writes
   it when that falls due), at once when a waiter for `caught_up` asks, before stopping, and never
   past an event not yet marked.
6. A batch smaller than `batch_size` reached the partition's end: wait to be woken (this process's
   appends wake the worker at once; the consumers' watch wakes it for other processes' appends and
   resets), rather than read again.

So a checkpoint never covers an event whose effect, ledger mark or dead letter is not stored, and a
consumer stopped anywhere gets back at most the events after its checkpoint, which the ledger skips
(hph.runtime.consumers.ledger says what each idempotency path guarantees). The cost of a batch is
paid per batch, not per event: one read of the log, one of the ledger, one write of marks, and a
checkpoint now and then, and no read that finds nothing. While a partition is busy, a worker
lingers `linger` seconds after a wake-up that follows a batch, so that the next one gathers what
arrives meanwhile (a single event on an idle partition is read at once). With a dozen groups
following one topic in one process, this keeps the consumers' storage work from growing with
every event each group reads.

Resets. `EventAdmin.reset` (any process) records a new generation for the group and topic, then
moves the checkpoints and forgets the ledger marks. A worker compares the generation with its own
before each batch; when it changed, it applies the reset again to its own partition only
(`EventLog.reset(..., partitions=[p])` and `HandledLedger.forget(..., partition=p)`), which undoes a
checkpoint or marks that a batch in flight when the reset landed wrote after it, and reads on from
the reset checkpoint. What remains: events that batch handled after the reset landed, and on Redis
events delivered between the worker's check and its read, are handled again in the replay; a
projection rebuilt while its consumer runs must absorb that (or be rebuilt with it stopped).

A worker whose storage or log calls fail (an outage) logs it and starts over from its checkpoint
after `restart_pause`; the events after the checkpoint come again and the ledger skips those done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from hph.runtime.clock import Clock
from hph.runtime.consumers.dead_letters import DeadLetter, DeadLetterStore, dead_letter_id
from hph.runtime.consumers.groups import GroupRegistry
from hph.runtime.consumers.ledger import HandledLedger
from hph.runtime.consumers.ownership import Ownership
from hph.runtime.consumers.retry import Outcome, RetryPolicy, with_retries
from hph.runtime.consumers.sources import CheckpointReader, DeliveringLog, PartitionSource, RedisDelivery
from hph.runtime.consumers.subscriptions import ConsumerGroup, Delivery, DeliveryHandler
from hph.runtime.eventlog import EventLog, LoggedEvent
from hph.runtime.periodic import PeriodicJob
from hph.runtime.settings import Settings

log = logging.getLogger("hph.consumers")
# Longest a batch's handlers run before the worker lets the event loop answer calls in between.
_TURN_SECONDS = 0.005


@dataclass(frozen=True)
class ConsumerSettings:
    """How consumers run (the host builds it from HPH_CONSUMER_* settings)."""

    batch_size: int = 100
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Seconds between two looks of the consumers' watch for other processes' appends (one call per
    # topic, waking the workers of partitions that moved); this process's own appends wake them at once.
    poll_interval: float = 0.25
    # Seconds an idle worker waits for a wake-up before it reads again by itself (in case the watch
    # is failing); at least poll_interval.
    idle_timeout: float = 5.0
    # Lease time with several consumers per group (Redis); renewed every third of it.
    lease_seconds: float = 10.0
    # Seconds a worker waits before starting over after its storage or log calls failed.
    restart_pause: float = 1.0
    # Seconds between two looks for dead letters an operator asked to replay.
    replay_poll_interval: float = 1.0
    # Seconds a busy worker waits after a partial batch before reading again (0: read at once).
    linger: float = 0.05
    # Most seconds between two checkpoint writes (a worker gone idle writes when it falls due).
    checkpoint_interval: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings) -> ConsumerSettings:
        return cls(
            batch_size=settings.consumer_batch_size,
            retry=RetryPolicy(
                max_attempts=settings.consumer_max_attempts, first_backoff=settings.consumer_backoff_seconds
            ),
            poll_interval=settings.consumer_poll_seconds,
            lease_seconds=settings.consumer_lease_seconds,
            replay_poll_interval=max(1.0, settings.consumer_poll_seconds),
            linger=settings.consumer_linger_seconds,
            checkpoint_interval=settings.consumer_checkpoint_seconds,
        )

    def __post_init__(self) -> None:
        if self.idle_timeout < self.poll_interval:
            object.__setattr__(self, "idle_timeout", self.poll_interval)
        if min(self.poll_interval, self.lease_seconds, self.replay_poll_interval) <= 0 or self.batch_size < 1:
            raise ValueError("batch_size >= 1, and poll_interval, lease_seconds and replay_poll_interval > 0")
        if min(self.restart_pause, self.linger, self.checkpoint_interval) < 0:
            raise ValueError("restart_pause, linger and checkpoint_interval >= 0")


@dataclass(frozen=True)
class ConsumerState:
    """The durable state every worker reads and writes."""

    log: EventLog
    ledger: HandledLedger
    dead_letters: DeadLetterStore
    registry: GroupRegistry
    clock: Clock


class Ledger(Protocol):
    """What a worker asks of a group's ledger (HandledLedger durably; RecentEvents in memory)."""

    async def handled(self, group: str, event_id: str) -> bool: ...

    async def handled_among(self, group: str, event_ids: Sequence[str]) -> set[str]: ...

    async def mark(self, group: str, events: Sequence[LoggedEvent], *, at: datetime) -> None: ...

    async def forget(self, group: str, topic: str, *, since: datetime | None, partition: int | None = None) -> int: ...


class Parked(Protocol):
    @property
    def id(self) -> str: ...


class Parking(Protocol):
    """Where an event that failed every attempt goes (DeadLetterStore; SkippedEvents logs it)."""

    async def park(
        self, group: str, event: LoggedEvent, *, reason: str, error_type: str, attempts: int, at: datetime
    ) -> Parked: ...


class RecentEvents:
    """The ledger of per-replica and of idempotent groups: the ids of the last `capacity` events
    handled, in memory. It absorbs what the relay appended twice (its duplicates follow closely);
    a per-replica group's projection lives in memory too, and an idempotent group's handlers absorb
    whatever this forgot, so nothing here needs to outlive the process."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        # (group, event id) -> (topic, partition, enqueued_at): what `forget` selects by.
        self._seen: OrderedDict[tuple[str, str], tuple[str, int, datetime]] = OrderedDict()

    async def handled(self, group: str, event_id: str) -> bool:
        return (group, event_id) in self._seen

    async def handled_among(self, group: str, event_ids: Sequence[str]) -> set[str]:
        return {event_id for event_id in event_ids if (group, event_id) in self._seen}

    async def mark(self, group: str, events: Sequence[LoggedEvent], *, at: datetime) -> None:
        for event in events:
            self._seen[group, event.envelope.event_id] = (event.topic, event.partition, event.enqueued_at)
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)

    async def forget(self, group: str, topic: str, *, since: datetime | None, partition: int | None = None) -> int:
        """Forgets what a reset of an idempotent group will deliver again (a per-replica group's
        per-process name is never reset)."""
        forgotten = [
            key
            for key, (seen_topic, seen_partition, enqueued_at) in self._seen.items()
            if key[0] == group
            and seen_topic == topic
            and (partition is None or seen_partition == partition)
            and (since is None or enqueued_at >= since)
        ]
        for key in forgotten:
            del self._seen[key]
        return len(forgotten)


@dataclass(frozen=True)
class SkippedEvent:
    id: str


class SkippedEvents:
    """A per-replica group's parking: the event is logged (by the worker) and counted, not stored.
    A dead letter of a per-process name could never be replayed by an operator (the name dies with
    the process); the projection is rebuilt from the services' state at its next start instead."""

    def __init__(self) -> None:
        self.count = 0

    async def park(
        self, group: str, event: LoggedEvent, *, reason: str, error_type: str, attempts: int, at: datetime
    ) -> SkippedEvent:
        self.count += 1
        return SkippedEvent(dead_letter_id(event.topic, event.partition, event.sequence))


class PartitionWorker:
    """Handles one partition of one topic for one group (see the module docstring)."""

    def __init__(
        self,
        declaration: Callable[[], ConsumerGroup],
        topic: str,
        partition: int,
        source: PartitionSource,
        state: ConsumerState,
        settings: ConsumerSettings,
        generation: int,
        ledger: Ledger | None = None,
        parking: Parking | None = None,
    ) -> None:
        self._declaration = declaration
        self.topic = topic
        self.partition = partition
        self._source = source
        self._state = state
        self._settings = settings
        self._generation = generation
        self._ledger: Ledger = ledger if ledger is not None else state.ledger
        self._parking: Parking = parking if parking is not None else state.dead_letters
        self.wake = asyncio.Event()
        # Set whenever `progress`, `empty_reads` or the replays change (what `caught_up` reads).
        self.progressed = asyncio.Event()
        # Dead letters to replay here, by id (including the one being replayed, until it is settled).
        self._replays: dict[str, DeadLetter] = {}
        self._replaying: set[str] = set()
        # The highest sequence number checkpointed (None: none yet), and how many reads found
        # nothing new: what `caught_up` compares with.
        self.progress: int | None = None
        self.empty_reads = 0
        # The highest sequence read (None: nothing yet, from no checkpoint): the group's watch wakes
        # the worker when the partition's last sequence is past it (another process appended).
        self.seen: int | None = None
        # A reset generation a waiter knows of; until the worker has followed it, it is not caught up
        # (and its reads before following it say nothing about the replay).
        self._expected_generation = generation
        self._empty_reads_at_reset = 0
        # The last event handled and marked but not yet checkpointed, and when the checkpoint and
        # the reset generation were last written / looked at (event loop time).
        self._unsaved: int | None = None
        self._checkpointed_at = 0.0
        self._flush_requested = False
        # A log read from the worker's own position (CheckpointReader) is not moved by a reset until
        # the worker follows it, so the consumers' watch of the registry, which tells the worker of a
        # new generation (`expect_generation`), is enough; a Redis group's delivery position moves at
        # once (XGROUP SETID), so there the worker looks itself before every batch.
        self._looks_before_each_batch = not isinstance(source, CheckpointReader)
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    @property
    def group(self) -> str:
        return self._declaration().name

    def _context(self, event: LoggedEvent) -> dict[str, object]:
        return {
            "group": self.group,
            "topic": self.topic,
            "partition": self.partition,
            "sequence": event.sequence,
            "event_id": event.envelope.event_id,
            "event_type": event.envelope.event_type,
        }

    def start(self) -> None:
        self._task = asyncio.create_task(
            self._supervise(), name=f"hph-consumer:{self.group}:{self.topic}:{self.partition}"
        )

    async def stop(self) -> None:
        """Finishes the event in hand, checkpoints what is handled, and ends."""
        self._stopping = True
        self.wake.set()
        if self._task is not None:
            await self._task

    async def abandon(self) -> None:
        """Ends at once, wherever it is, checkpointing nothing (what a crash does)."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def queue_replay(self, letter: DeadLetter) -> None:
        if letter.id not in self._replays and letter.id not in self._replaying:
            self._replays[letter.id] = letter
            self.wake.set()

    def expect_generation(self, generation: int) -> bool:
        """A reset of this generation was recorded: not caught up before following it. True when
        the worker has yet to follow it."""
        self._expected_generation = max(self._expected_generation, generation)
        return self._generation < self._expected_generation

    def caught_up(self, last_sequence: int | None, empty_reads: int) -> bool:
        """Whether this worker handled the partition up to `last_sequence` (or found nothing more to
        read since it had made `empty_reads` empty reads, and since it last followed a reset), has
        followed every reset it was told of, and has no replay waiting."""
        if self._generation < self._expected_generation or self._replays or self._replaying:
            return False
        empty_since = self.empty_reads > max(empty_reads, self._empty_reads_at_reset)
        return last_sequence is None or (self.progress or 0) >= last_sequence or empty_since

    # --- the loop ---------------------------------------------------------------------------

    async def _supervise(self) -> None:
        while not self._stopping:
            try:
                await self._run()
            except Exception:
                log.exception(
                    "consumer worker failed; starting over from its checkpoint",
                    extra={"group": self.group, "topic": self.topic, "partition": self.partition},
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped(), self._settings.restart_pause)

    async def _stopped(self) -> None:
        while not self._stopping:
            await self.wake.wait()
            self.wake.clear()

    async def _run(self) -> None:
        self._unsaved = None
        self.progress = self.seen = await self._source.open()
        self._checkpointed_at = asyncio.get_running_loop().time()
        while not self._stopping:
            self.wake.clear()  # before reading: a wake-up during the read is not lost
            await self._replay_requested()
            if await self._followed_reset():
                continue
            events = await self._source.next_batch(self._settings.batch_size)
            if events:
                self.seen = max(self.seen or 0, events[-1].sequence)
                handled = await self._handle_batch(events)
                if handled:
                    await self._source.done(handled)
                    self._unsaved = handled[-1].sequence
                if len(events) == self._settings.batch_size:  # more is waiting: read on at once
                    if self._checkpoint_due():
                        await self._save_checkpoint()
                    continue
            # The partition held nothing more when read: no need to read again until woken (by this
            # process's appends, or by the watch for other processes' appends and resets).
            if self._flush_requested or self._checkpoint_due():
                await self._save_checkpoint()
            if not events:
                # Counted once the checkpoint asked for is written: a waiter that takes an empty read
                # for "caught up" (`caught_up`) must not return while that write is still under way.
                self.empty_reads += 1
            self.progressed.set()
            await self._wait_for_wake()
            if events and self._settings.linger and not self._stopping:
                # Busy: let what arrives meanwhile join the next batch.
                await asyncio.sleep(self._settings.linger)
        await self._save_checkpoint()

    def flush_checkpoint(self) -> None:
        """Asks for the checkpoint to be written at the next read that finds the partition's end
        (a waiter for `caught_up`, which counts checkpointed progress only)."""
        self._flush_requested = True
        self.wake.set()

    def _checkpoint_due(self) -> bool:
        elapsed = asyncio.get_running_loop().time() - self._checkpointed_at
        return self._unsaved is not None and elapsed >= self._settings.checkpoint_interval

    async def _wait_for_wake(self) -> None:
        """Waits for a wake-up, writing a pending checkpoint when it falls due meanwhile; returns
        after `idle_timeout` without one (a fallback should the watch be failing)."""
        loop = asyncio.get_running_loop()
        while not self.wake.is_set() and not self._stopping:
            timeout = self._settings.idle_timeout
            if self._unsaved is not None:
                due_in = self._checkpointed_at + self._settings.checkpoint_interval - loop.time()
                timeout = min(timeout, max(0.0, due_in))
            try:
                await asyncio.wait_for(self.wake.wait(), timeout)
            except TimeoutError:
                if self._unsaved is None:
                    return
                await self._save_checkpoint()

    async def _save_checkpoint(self) -> None:
        """Checkpoints the last event handled and marked, if there is one not yet checkpointed."""
        sequence = self._unsaved
        if sequence is None:
            self._flush_requested = False
            return
        self._flush_requested = False
        await self._state.log.checkpoint(self.group, self.topic, self.partition, sequence)
        self._unsaved = None
        self._checkpointed_at = asyncio.get_running_loop().time()
        self.progress = max(self.progress or 0, sequence)
        self.progressed.set()

    async def _followed_reset(self) -> bool:
        """Applies a reset recorded since this worker last looked to its own partition; True if so."""
        if self._generation >= self._expected_generation and not self._looks_before_each_batch:
            return False
        request = await self._state.registry.reset_request(self.group, self.topic)
        if request.generation == self._generation:
            return False
        # The reset moved the checkpoint; what this worker handled before it is not to be saved.
        self._unsaved = None
        await self._state.log.reset(self.group, self.topic, request.to, partitions=[self.partition])
        await self._ledger.forget(self.group, self.topic, since=request.to, partition=self.partition)
        checkpoint = await self._source.open()
        # Together, with no await between: a waiter must never see the new generation with the old
        # progress (it would think the replay done).
        self._generation, self.progress, self._empty_reads_at_reset = request.generation, checkpoint, self.empty_reads
        self.seen = checkpoint
        log.info(
            "consumer follows a reset",
            extra={
                "group": self.group,
                "topic": self.topic,
                "partition": self.partition,
                "generation": request.generation,
                "to": request.to.isoformat() if request.to else "earliest",
            },
        )
        return True

    # --- one event ------------------------------------------------------------------------------

    async def _handle_batch(self, events: Sequence[LoggedEvent]) -> list[LoggedEvent]:
        """Handles `events` in order (until asked to stop) and marks those whose handler succeeded;
        returns the events dealt with, in order."""
        declaration = self._declaration()
        handlers = [declaration.handler_for(self.topic, event.envelope.event_type) for event in events]
        wanted = [event.envelope.event_id for event, handler in zip(events, handlers, strict=True) if handler]
        done = await self._ledger.handled_among(self.group, wanted) if wanted else set()
        dealt_with: list[LoggedEvent] = []
        succeeded: list[LoggedEvent] = []
        turn_began = time.perf_counter()
        for event, handler in zip(events, handlers, strict=True):
            if self._stopping:
                break
            if time.perf_counter() - turn_began > _TURN_SECONDS:
                # Handlers whose storage calls complete inline never give the loop back: a long batch
                # would hold up the calls this process answers (an agent's deadline is 0.5 s).
                await asyncio.sleep(0)
                turn_began = time.perf_counter()
            dealt_with.append(event)
            if handler is None:
                continue  # no subscription of the group takes this type
            if event.envelope.event_id in done:
                log.debug("event handled before; skipped", extra=self._context(event))
                continue
            if await self._handle(handler, event):
                succeeded.append(event)
            # The log may hold an event twice (a relay retry): the second copy in this batch is skipped.
            done.add(event.envelope.event_id)
        if succeeded:
            await self._ledger.mark(self.group, succeeded, at=self._state.clock())
        return dealt_with

    async def _handle(self, handler: DeliveryHandler, event: LoggedEvent) -> bool:
        """Runs the handler with its retries; parks the event when every attempt failed. True if it
        succeeded."""
        outcome = await self._attempt(handler, event)
        if outcome.succeeded:
            return True
        letter = await self._parking.park(
            self.group,
            event,
            reason=outcome.reason,
            error_type=outcome.error_type,
            attempts=outcome.attempts,
            at=self._state.clock(),
        )
        log.error(
            "event dead-lettered" if isinstance(self._parking, DeadLetterStore) else "event skipped after its attempts",
            extra={**self._context(event), "attempts": outcome.attempts, "reason": outcome.reason, "id": letter.id},
        )
        return False

    async def _attempt(self, handler: DeliveryHandler, event: LoggedEvent) -> Outcome:
        async def attempt(number: int) -> None:
            await handler(Delivery(self.group, event, number))

        return await with_retries(self._settings.retry, attempt, context=self._context(event))

    async def _replay_requested(self) -> None:
        while self._replays and not self._stopping:
            letter_id, letter = next(iter(self._replays.items()))
            self._replaying.add(letter_id)
            del self._replays[letter_id]
            try:
                await self._replay(letter)
            finally:
                self._replaying.discard(letter_id)
                self.progressed.set()

    async def _replay(self, letter: DeadLetter) -> None:
        now = self._state.clock
        event = letter.logged_event()
        handler = self._declaration().handler_for(letter.topic, letter.event_type)
        if handler is None:
            reason = f"consumer group {self.group!r} no longer handles {letter.event_type}"
            await self._state.dead_letters.failed_again(letter, reason=reason, error_type="", attempts=0, at=now())
            return
        if await self._state.ledger.handled(self.group, letter.event_id):
            await self._state.dead_letters.replayed(letter, at=now())
            return
        outcome = await self._attempt(handler, event)
        if outcome.succeeded:
            await self._state.ledger.mark(self.group, [event], at=now())
            await self._state.dead_letters.replayed(letter, at=now())
            log.info("dead letter replayed", extra={**self._context(event), "id": letter.id})
        else:
            await self._state.dead_letters.failed_again(
                letter, reason=outcome.reason, error_type=outcome.error_type, attempts=outcome.attempts, at=now()
            )
            log.error("dead letter failed again", extra={**self._context(event), "reason": outcome.reason})


class TopicConsumer:
    """One group on one topic: a worker per owned partition, rebalanced every `ownership.interval`."""

    def __init__(
        self,
        declaration: Callable[[], ConsumerGroup],
        topic: str,
        state: ConsumerState,
        settings: ConsumerSettings,
        ownership: Ownership,
        consumer: str,
        replica: tuple[Ledger, Parking] | None = None,
        ledger: Ledger | None = None,
    ) -> None:
        self._declaration = declaration
        self.topic = topic
        self._state = state
        self._settings = settings
        self._ownership = ownership
        self._consumer = consumer
        # A per-replica group's in-memory ledger and parking; it reads with CheckpointReader on
        # every log (no Redis consumer group: that would be state in the stream per process).
        self._replica = replica
        # The ledger when not the state's durable one (a per-replica or an idempotent group's).
        self._ledger = replica[0] if replica is not None else ledger
        self.workers: dict[int, PartitionWorker] = {}
        self._partitions = 0
        self._generation = 0
        self._rebalancer: PeriodicJob | None = None
        self._handovers: dict[int, asyncio.Task[None]] = {}
        self._lock = asyncio.Lock()

    @property
    def group(self) -> str:
        return self._declaration().name

    async def start(self) -> None:
        log_ = self._state.log
        self._partitions = (await log_.topics()).get(self.topic, 0)
        if not self._partitions:
            raise ValueError(f"consumer group {self.group!r} subscribes to {self.topic!r}, which the log does not have")
        if isinstance(log_, DeliveringLog) and self._replica is None:
            await log_.ensure_delivery_group(self.group, self.topic)
        self._generation = (await self._state.registry.reset_request(self.group, self.topic)).generation
        await self.rebalance()
        if self._ownership.interval != float("inf"):
            self._rebalancer = PeriodicJob(
                self.rebalance,
                interval=self._ownership.interval,
                name=f"hph-consumer-balance:{self.group}:{self.topic}",
                log=log,
                failure="consumer rebalancing failed; the leases are renewed on the next pass",
                stop="after_pass",
            )
            await self._rebalancer.start()

    async def rebalance(self) -> None:
        """Claims (or renews) this consumer's share and starts or stops workers to match."""
        async with self._lock:
            before = set(self.workers)
            wanted = await self._ownership.owned(self.group, self.topic, self._partitions)
            for partition in [partition for partition in self.workers if partition not in wanted]:
                # In the background: a worker finishing a slow event must not hold up the renewal
                # of the leases this consumer keeps.
                self._handovers[partition] = asyncio.create_task(self._hand_over(self.workers.pop(partition)))
            # A partition still being handed over gets its new worker on the next pass.
            for partition in sorted(wanted - set(self.workers) - set(self._handovers)):
                worker = PartitionWorker(
                    self._declaration,
                    self.topic,
                    partition,
                    self._source(partition),
                    self._state,
                    self._settings,
                    self._generation,
                    self._ledger,
                    self._replica[1] if self._replica is not None else None,
                )
                self.workers[partition] = worker
                worker.start()
            if set(self.workers) != before:
                log.info(
                    "consumer partitions",
                    extra={"group": self.group, "topic": self.topic, "owned": sorted(self.workers)},
                )

    async def _hand_over(self, worker: PartitionWorker) -> None:
        """Stops a worker of a partition this consumer no longer owns, then gives the lease up."""
        try:
            await worker.stop()
            await self._ownership.release(self.group, self.topic, [worker.partition])
        finally:
            self._handovers.pop(worker.partition, None)

    def _source(self, partition: int) -> PartitionSource:
        log_ = self._state.log
        if isinstance(log_, DeliveringLog) and self._replica is None:
            return RedisDelivery(log_, self.group, self.topic, partition, self._consumer)
        return CheckpointReader(log_, self.group, self.topic, partition)

    async def stop(self) -> None:
        """Stops every worker (each checkpoints what it handled) and gives the partitions up."""
        if self._rebalancer is not None:
            await self._rebalancer.stop()
        async with self._lock:
            workers, self.workers = self.workers, {}
            for worker in workers.values():
                await worker.stop()
            await self._ownership.release(self.group, self.topic, list(workers))
        await asyncio.gather(*list(self._handovers.values()))

    async def abandon(self) -> None:
        """Ends every worker at once, checkpointing and releasing nothing (what a crash does)."""
        if self._rebalancer is not None:
            await self._rebalancer.stop()
        workers, self.workers = self.workers, {}
        for task in list(self._handovers.values()):
            task.cancel()
        for worker in workers.values():
            await worker.abandon()
