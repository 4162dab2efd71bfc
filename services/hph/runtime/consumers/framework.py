"""`EventConsumers`: the one object services and agents declare their consumer groups on
(`deps.bus`), and the host starts, stops and watches.

See the package docstring (hph.runtime.consumers) for the two ways to declare a subscription and
what the framework guarantees.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import uuid
from collections.abc import Sequence
from datetime import datetime

from hph.runtime.clock import Clock, system_clock
from hph.runtime.consumers.admin import EventAdmin, GroupLag, group_lag
from hph.runtime.consumers.dead_letters import DeadLetter, DeadLetterStore
from hph.runtime.consumers.groups import GroupRegistry, ResetRequest
from hph.runtime.consumers.ledger import HandledLedger
from hph.runtime.consumers.ownership import LeasedOwnership, Ownership, SoleOwnership
from hph.runtime.consumers.runner import ConsumerSettings, ConsumerState, PartitionWorker, TopicConsumer
from hph.runtime.consumers.subscriptions import ConsumerGroup, Handler, Subscription, envelope_handler
from hph.runtime.eventlog import EventLog, LoggedEvent, OwnershipStore, Position, StartAt
from hph.runtime.periodic import PeriodicJob
from hph.runtime.storage import DocumentStore

log = logging.getLogger("hph.consumers")

# How often running groups' lag is logged (a metric can be derived from the "consumer lag" lines).
LAG_LOG_SECONDS = 60.0


def consumer_name() -> str:
    """A name for this process's consumer, unique among the group's: host, pid and a random part."""
    host = re.sub(r"[^a-z0-9.-]+", "-", socket.gethostname().lower()).strip(".-")[:30] or "host"
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class GroupRunner:
    """A declared group and the topic consumers running it in this process."""

    def __init__(self, declaration: ConsumerGroup) -> None:
        self.declaration = declaration
        self.topics: dict[str, TopicConsumer] = {}

    def current(self) -> ConsumerGroup:
        return self.declaration


class EventConsumers:
    """The consumer framework of one process: declarations, running groups, the operator API."""

    def __init__(
        self,
        log: EventLog,
        state: ConsumerState,
        admin: EventAdmin,
        *,
        settings: ConsumerSettings,
        ownership: Ownership,
        consumer: str,
    ) -> None:
        self.log = log
        self.state = state
        self.admin = admin
        self._settings = settings
        self._ownership = ownership
        self.consumer = consumer
        self._groups: dict[str, GroupRunner] = {}
        self._running = False
        self._starting: set[asyncio.Task[None]] = set()
        self._jobs: list[PeriodicJob] = []

    @classmethod
    async def open(
        cls,
        log: EventLog,
        store: DocumentStore,
        *,
        settings: ConsumerSettings | None = None,
        clock: Clock = system_clock,
        consumer: str | None = None,
    ) -> EventConsumers:
        """The framework over `log`, keeping its ledger, dead letters and registry in `store`.
        Consumers of a log that keeps ownership records (Redis) share each group's partitions with
        the group's other consumers; on any other log this process owns them all."""
        settings = settings or ConsumerSettings()
        name = consumer or consumer_name()
        ledger = await HandledLedger.open(store)
        dead_letters = await DeadLetterStore.open(store)
        registry = await GroupRegistry.open(store)
        state = ConsumerState(log, ledger, dead_letters, registry, clock)
        ownership: Ownership = (
            LeasedOwnership(log, name, settings.lease_seconds) if isinstance(log, OwnershipStore) else SoleOwnership()
        )
        admin = EventAdmin(log, dead_letters, registry, ledger, clock=clock)
        return cls(log, state, admin, settings=settings, ownership=ownership, consumer=name)

    # --- declaring --------------------------------------------------------------------------

    def subscribe(self, topic: str, group: str, handler: Handler, *, start: Position | None = None) -> None:
        """Consumer group `group` handles every event of `topic` with `handler(envelope)`, at least
        once and deduplicated by event id (the bus API, kept for services and agents written
        against it). Several calls with one group make one group over several topics. `start`
        (earliest when not given) says where a group begins on a topic it never read."""
        subscription = Subscription(topic, envelope_handler(handler))
        runner = self._groups.get(group)
        if runner is None:
            self.declare(ConsumerGroup(group, (subscription,), start or Position.earliest()))
        else:
            self.declare(runner.declaration.with_subscription(subscription))

    def declare(self, group: ConsumerGroup) -> None:
        """Declares (or re-declares, with more subscriptions) a consumer group. Declare before
        `start`; a declaration made while running starts at once in the background (`add` waits)."""
        runner = self._groups.get(group.name)
        if runner is None:
            runner = self._groups[group.name] = GroupRunner(group)
        else:
            runner.declaration = group
        if self._running:
            task = asyncio.create_task(self._start_group(runner), name=f"hph-consumer-start:{group.name}")
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    async def add(self, group: ConsumerGroup) -> None:
        """Declares a group and, when the framework is running, returns once it has started."""
        self.declare(group)
        await self._started()

    @property
    def groups(self) -> dict[str, ConsumerGroup]:
        """Every declared group, by name."""
        return {name: runner.declaration for name, runner in self._groups.items()}

    # --- running ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Starts every declared group, and the periodic lag log."""
        if self._running:
            return
        self._running = True
        for runner in list(self._groups.values()):
            await self._start_group(runner)
        self._jobs = [
            PeriodicJob(
                self.log_lag, interval=LAG_LOG_SECONDS, name="hph-consumer-lag", log=log, failure="logging lag failed"
            ),
            PeriodicJob(
                self._poll_replays,
                interval=self._settings.replay_poll_interval,
                name="hph-consumer-replays",
                log=log,
                failure="looking for dead letters to replay failed",
            ),
        ]
        for job in self._jobs:
            await job.start()

    async def _start_group(self, runner: GroupRunner) -> None:
        declaration = runner.declaration
        new_topics = await self.state.registry.record(
            declaration.name, _event_types(declaration), at=self.state.clock()
        )
        for topic in declaration.topics:
            if topic in runner.topics:
                continue
            if topic in new_topics and declaration.start.start is not StartAt.EARLIEST:
                # The group's first start on this topic: its checkpoints begin where it says.
                moment = declaration.start.time or self.state.clock()
                await self.log.reset(declaration.name, topic, moment)
            consumer = TopicConsumer(runner.current, topic, self.state, self._settings, self._ownership, self.consumer)
            runner.topics[topic] = consumer
            await consumer.start()

    async def _started(self) -> None:
        while self._starting:
            await asyncio.gather(*list(self._starting))

    async def stop(self) -> None:
        """Stops every group: each worker finishes the event in hand and checkpoints; leases are
        released so the group's other consumers take the partitions over at once."""
        await self._started()
        self._running = False
        for job in self._jobs:
            await job.stop()
        for runner in self._groups.values():
            for consumer in runner.topics.values():
                await consumer.stop()
            runner.topics.clear()
            await self._ownership.leave(runner.declaration.name)

    async def abandon(self) -> None:
        """Ends every worker at once without checkpointing, acknowledging or releasing anything:
        what a crash leaves behind (for tests of redelivery and takeover)."""
        self._running = False
        for task in list(self._starting):
            task.cancel()
        for job in self._jobs:
            await job.stop()
        for runner in self._groups.values():
            for consumer in runner.topics.values():
                await consumer.abandon()
            runner.topics.clear()

    def notify(self, events: Sequence[LoggedEvent]) -> None:
        """Wakes the workers of the partitions these events were appended to (the relay calls it
        after each append, so this process's own events are handled without waiting for a poll)."""
        touched = {(event.topic, event.partition) for event in events}
        for runner in self._groups.values():
            for topic, consumer in runner.topics.items():
                for partition, worker in consumer.workers.items():
                    if (topic, partition) in touched:
                        worker.wake.set()

    async def wait_until_caught_up(self, within: float = 30.0) -> None:
        """Returns once every group running here has handled everything appended to its partitions
        before the call, and the dead letters asked to be replayed before it (as far as they are this
        process's to replay); TimeoutError after `within` seconds. For tests and orderly shutdowns
        instead of sleeping."""
        await asyncio.wait_for(self._caught_up(), within)

    async def _caught_up(self) -> None:
        await self._started()
        await self._poll_replays()
        waits: list[tuple[PartitionWorker, int | None, int]] = []
        for runner in self._groups.values():
            for topic, consumer in runner.topics.items():
                for partition, worker in consumer.workers.items():
                    last = (await self.log.partition_info(topic, partition)).last_sequence
                    waits.append((worker, last, worker.empty_reads))
        for worker, last, reads in waits:
            while not worker.caught_up(last, reads):
                worker.progressed.clear()
                if worker.caught_up(last, reads):
                    break
                await worker.progressed.wait()

    # --- dead letters, replay, lag ------------------------------------------------------------

    async def _poll_replays(self) -> None:
        """Queues the replay requests of the groups running here with the workers that own their
        partitions (every `replay_poll_interval`, and at once after `replay_dead_letter`)."""
        for name, runner in self._groups.items():
            if not runner.topics:
                continue
            for letter in await self.state.dead_letters.requested(name):
                consumer = runner.topics.get(letter.topic)
                worker = consumer.workers.get(letter.partition) if consumer else None
                if worker is not None:
                    worker.queue_replay(letter)

    async def replay_dead_letter(self, group: str, dead_letter_id: str) -> DeadLetter:
        """Asks for the dead letter to be re-delivered (as `EventAdmin.replay_dead_letter`), and
        hands it to this process's worker at once when it owns the partition."""
        letter = await self.admin.replay_dead_letter(group, dead_letter_id)
        await self._poll_replays()
        return letter

    async def reset(
        self, group: str, *, to: datetime | None = None, topics: Sequence[str] | None = None
    ) -> list[ResetRequest]:
        """Replays the group from the earliest retained event or from `to` (`EventAdmin.reset`);
        this process's workers follow before their next batch."""
        requests = await self.admin.reset(group, to=to, topics=topics)
        for runner in self._groups.values():
            for consumer in runner.topics.values():
                for worker in consumer.workers.values():
                    worker.wake.set()
        return requests

    async def lag(self, group: str | None = None) -> list[GroupLag]:
        """Lag per partition of every topic of the declared groups (or of one)."""
        names = [group] if group is not None else sorted(self._groups)
        lags: list[GroupLag] = []
        for name in names:
            lags += await group_lag(self.log, name, list(self._groups[name].declaration.topics))
        return lags

    def owned(self, group: str, topic: str) -> frozenset[int]:
        """The partitions of `topic` this process's consumer of `group` handles now."""
        runner = self._groups.get(group)
        consumer = runner.topics.get(topic) if runner else None
        return frozenset(consumer.workers) if consumer else frozenset()

    async def log_lag(self) -> None:
        """Logs each running group's lag per topic ("consumer lag": group, topic, lag, partitions)."""
        for name, runner in self._groups.items():
            if not runner.topics:
                continue
            for topic in runner.topics:
                lags = await self.log.lag(name, topic)
                total = sum(lag.events for lag in lags)
                log.log(
                    logging.INFO if total else logging.DEBUG,
                    "consumer lag",
                    extra={
                        "group": name,
                        "topic": topic,
                        "lag": total,
                        "partitions": {str(lag.partition): lag.events for lag in lags},
                    },
                )


def _event_types(group: ConsumerGroup) -> dict[str, list[str]]:
    """Per topic, the event types the group handles (empty: all of them), for the registry."""
    types: dict[str, list[str]] = {}
    for topic in group.topics:
        subscriptions = [s for s in group.subscriptions if s.topic == topic]
        every = any(not s.event_types for s in subscriptions)
        types[topic] = [] if every else sorted({t for s in subscriptions for t in s.event_types})
    return types
