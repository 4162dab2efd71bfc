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
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from hph.runtime.clock import Clock, system_clock
from hph.runtime.consumers.admin import EventAdmin, GroupLag, group_lag
from hph.runtime.consumers.dead_letters import DeadLetter, DeadLetterStore
from hph.runtime.consumers.groups import GroupRegistry, ResetRequest
from hph.runtime.consumers.ledger import HandledLedger
from hph.runtime.consumers.ownership import LeasedOwnership, Ownership, SoleOwnership
from hph.runtime.consumers.runner import (
    ConsumerSettings,
    ConsumerState,
    PartitionWorker,
    RecentEvents,
    SkippedEvents,
    TopicConsumer,
)
from hph.runtime.consumers.subscriptions import ConsumerGroup, Handler, Subscription, envelope_handler
from hph.runtime.eventlog import EventLog, LoggedEvent, OwnershipStore, Position, StartAt
from hph.runtime.periodic import PeriodicJob
from hph.runtime.storage import DocumentStore

log = logging.getLogger("hph.consumers")

# How often running groups' lag is logged (a metric can be derived from the "consumer lag" lines).
LAG_LOG_SECONDS = 60.0
# A per-replica reader's record expires this many lease times after its last heartbeat.
REPLICA_TTL_LEASES = 3


def consumer_name() -> str:
    """A name for this process's consumer, unique among the group's: host, pid and a random part."""
    host = re.sub(r"[^a-z0-9.-]+", "-", socket.gethostname().lower()).strip(".-")[:30] or "host"
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def replica_member(group: str) -> str:
    """A per-replica group's name in one process: the declared name, ".r-" and a random part."""
    return f"{group}.r-{uuid.uuid4().hex[:8]}"


class GroupRunner:
    """A declared group and the topic consumers running it in this process."""

    def __init__(self, declaration: ConsumerGroup) -> None:
        # A per-replica group reads under this process's own name (see ConsumerGroup.per_replica).
        self.member = replica_member(declaration.name) if declaration.per_replica else None
        self.declaration = declaration
        self.topics: dict[str, TopicConsumer] = {}
        # Per replica: the topics whose start positions this process placed, and its heartbeat.
        self.captured: set[str] = set()
        self.heartbeat: PeriodicJob | None = None

    async def stop_heartbeat(self) -> None:
        if self.heartbeat is not None:
            await self.heartbeat.stop()
            self.heartbeat = None

    @property
    def declaration(self) -> ConsumerGroup:
        return self._declaration

    @declaration.setter
    def declaration(self, group: ConsumerGroup) -> None:
        self._declaration = group
        # Built once per declaration: workers ask for it on every event.
        self._current = group.renamed(self.member) if self.member is not None else group

    @property
    def name(self) -> str:
        """The group name workers checkpoint under (the per-process name of a per-replica group)."""
        return self._current.name

    def current(self) -> ConsumerGroup:
        return self._current


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
        # Which shared groups this process runs (see `start`), and whether it runs per-replica ones.
        self._runs_shared: Callable[[str], bool] = _every_group
        self._replicas = True
        # Per-replica groups' ledger and parking, in memory (see ConsumerGroup.per_replica); the
        # ledger of idempotent groups too (ConsumerGroup.idempotent).
        self._recent = RecentEvents()
        self.skipped = SkippedEvents()
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

    def subscribe(
        self, topic: str, group: str, handler: Handler, *, start: Position | None = None, idempotent: bool = False
    ) -> None:
        """Consumer group `group` handles every event of `topic` with `handler(envelope)`, at least
        once and deduplicated by event id (the bus API, kept for services and agents written
        against it). Several calls with one group make one group over several topics. `start`
        (earliest when not given) says where a group begins on a topic it never read;
        `idempotent`, that the handler absorbs a repeat itself (ConsumerGroup.idempotent)."""
        subscription = Subscription(topic, envelope_handler(handler))
        runner = self._groups.get(group)
        if runner is None:
            self.declare(ConsumerGroup(group, (subscription,), start or Position.earliest(), idempotent=idempotent))
        elif runner.declaration.idempotent != idempotent:
            raise ValueError(f"consumer group {group!r} is subscribed both as idempotent and not")
        else:
            self.declare(runner.declaration.with_subscription(subscription))

    def declare(self, group: ConsumerGroup) -> None:
        """Declares (or re-declares, with more subscriptions) a consumer group. Declare before
        `start`; a declaration made while running starts at once in the background (`add` waits)."""
        runner = self._groups.get(group.name)
        if runner is None:
            runner = self._groups[group.name] = GroupRunner(group)
        else:
            if runner.declaration.per_replica != group.per_replica:
                raise ValueError(f"consumer group {group.name!r} is declared both shared and per replica")
            if runner.declaration.idempotent != group.idempotent:
                raise ValueError(f"consumer group {group.name!r} is declared both idempotent and not")
            runner.declaration = group
        if self._running and self._runs(group):
            task = asyncio.create_task(self._start_group(runner), name=f"hph-consumer-start:{group.name}")
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    async def add(self, group: ConsumerGroup) -> None:
        """Declares a group and, when the framework is running, returns once it has started.

        A per-replica group's start positions (the end of each partition) are placed before this
        returns, running or not: a projection adds its group, then reads its snapshot, and misses
        nothing appended in between (what the snapshot already holds comes again, which a
        projection of current states absorbs)."""
        self.declare(group)
        if group.per_replica and not self._running:
            await self._capture(self._groups[group.name])
        await self._started()

    @property
    def groups(self) -> dict[str, ConsumerGroup]:
        """Every declared group, by name."""
        return {name: runner.declaration for name, runner in self._groups.items()}

    # --- running ----------------------------------------------------------------------------

    async def start(self, *, shared: bool | Callable[[str], bool] = True, replicas: bool = True) -> None:
        """Starts the declared groups, and the periodic lag log. `shared` says which shared groups
        this process runs: all (True), none (False: the host's other worker processes, whose shared
        groups run in the process with the background jobs), or those a predicate of the group's
        name accepts (the agents' groups in a process of their own, the services' in the first
        worker). `replicas=False` leaves out the per-replica groups, whose in-memory projections
        only a process that answers calls needs."""
        if self._running:
            return
        self._running = True
        self._runs_shared = (_every_group if shared else _no_group) if isinstance(shared, bool) else shared
        self._replicas = replicas
        for runner in list(self._groups.values()):
            if self._runs(runner.declaration):
                await self._start_group(runner)
        self._jobs = [
            PeriodicJob(
                self.log_lag, interval=LAG_LOG_SECONDS, name="hph-consumer-lag", log=log, failure="logging lag failed"
            ),
            PeriodicJob(
                self._watch_appends,
                interval=self._settings.poll_interval,
                name="hph-consumer-watch",
                log=log,
                failure="watching the log for other processes' appends failed",
            ),
        ]
        if shared is not False:
            self._jobs.append(
                PeriodicJob(
                    self._poll_replays_and_resets,
                    interval=self._settings.replay_poll_interval,
                    name="hph-consumer-replays",
                    log=log,
                    failure="looking for dead letters to replay and resets to follow failed",
                )
            )
        for job in self._jobs:
            await job.start()

    def _runs(self, group: ConsumerGroup) -> bool:
        return self._replicas if group.per_replica else self._runs_shared(group.name)

    async def _start_group(self, runner: GroupRunner) -> None:
        declaration = runner.declaration
        if runner.member is not None:
            await self._start_replica(runner)
            return
        new_topics = await self.state.registry.record(
            declaration.name, _event_types(declaration), at=self.state.clock()
        )
        for topic in declaration.topics:
            if topic in runner.topics:
                continue
            if topic in new_topics:  # the group's first start on this topic: its checkpoints begin where it says
                await self._begin(declaration.name, topic, declaration.start)
            consumer = TopicConsumer(
                runner.current,
                topic,
                self.state,
                self._settings,
                self._ownership,
                self.consumer,
                # An idempotent group's ledger is the in-memory one of per-replica groups.
                ledger=self._recent if runner.declaration.idempotent else None,
            )
            runner.topics[topic] = consumer
            await consumer.start()

    # --- per-replica groups -------------------------------------------------------------------

    async def _start_replica(self, runner: GroupRunner) -> None:
        declaration = runner.declaration
        await self.state.registry.record(
            declaration.name, _event_types(declaration), at=self.state.clock(), per_replica=True
        )
        await self._capture(runner)
        for topic in declaration.topics:
            if topic in runner.topics:
                continue
            consumer = TopicConsumer(
                runner.current,
                topic,
                self.state,
                self._settings,
                SoleOwnership(),  # every partition, in every process
                self.consumer,
                replica=(self._recent, self.skipped),
            )
            runner.topics[topic] = consumer
            await consumer.start()
        if runner.heartbeat is None:
            runner.heartbeat = PeriodicJob(
                lambda: self._heartbeat(runner),
                interval=self._settings.lease_seconds / 3,
                name=f"hph-consumer-replica:{declaration.name}",
                log=log,
                failure="renewing a per-replica group's heartbeat failed",
            )
            await runner.heartbeat.start()

    async def _capture(self, runner: GroupRunner) -> None:
        """Records this process as a reader of the per-replica group (first, so a crash leaves
        nothing the sweep cannot find), then places its start at the end of each partition of the
        topics not placed yet."""
        assert runner.member is not None
        topics = [topic for topic in runner.declaration.topics if topic not in runner.captured]
        if not topics:
            return
        await self._renew(runner)
        for topic in topics:
            await self._begin(runner.member, topic, Position.latest())
            runner.captured.add(topic)

    async def _renew(self, runner: GroupRunner) -> None:
        assert runner.member is not None
        expires_at = self.state.clock() + timedelta(seconds=self._settings.lease_seconds * REPLICA_TTL_LEASES)
        await self.state.registry.join_replica(
            runner.declaration.name, runner.member, self.consumer, expires_at=expires_at
        )

    async def _heartbeat(self, runner: GroupRunner) -> None:
        """Renews this reader's record and sweeps the readers whose heartbeat expired (crashed
        processes): their checkpoints and records go, so nothing piles up across restarts."""
        await self._renew(runner)
        now = self.state.clock()
        for record in await self.state.registry.replicas(runner.declaration.name):
            if record.member != runner.member and record.expires_at < now:
                await self._forget_replica(runner.declaration.name, record.member, runner.declaration.topics)
                log.info("swept an expired per-replica reader", extra={"group": record.group, "member": record.member})

    async def _forget_replica(self, group: str, member: str, topics: Sequence[str]) -> None:
        for topic in topics:
            await self.log.reset(member, topic)  # no checkpoint left: the rows (or hash fields) go
        await self.state.registry.leave_replica(group, member)

    async def _begin(self, group: str, topic: str, start: Position) -> None:
        """Places a new group's checkpoints: after each partition's last event (latest), or before
        the first event enqueued at or after a time; none for earliest."""
        if start.start is StartAt.TIME:
            assert start.time is not None
            await self.log.reset(group, topic, start.time)
        elif start.start is StartAt.LATEST:
            for partition in range(await _partition_count(self.log, topic)):
                last = (await self.log.partition_info(topic, partition)).last_sequence
                if last is not None:
                    await self.log.checkpoint(group, topic, partition, last)

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
            await runner.stop_heartbeat()
            for consumer in runner.topics.values():
                await consumer.stop()
            runner.topics.clear()
            if runner.member is None:
                await self._ownership.leave(runner.declaration.name)
            elif runner.captured:
                await self._forget_replica(runner.declaration.name, runner.member, sorted(runner.captured))
                runner.captured.clear()

    async def abandon(self) -> None:
        """Ends every worker at once without checkpointing, acknowledging or releasing anything:
        what a crash leaves behind (for tests of redelivery and takeover)."""
        self._running = False
        for task in list(self._starting):
            task.cancel()
        for job in self._jobs:
            await job.stop()
        for runner in self._groups.values():
            await runner.stop_heartbeat()
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
                # A reset recorded before the call (here or by another process) must be followed first.
                generation = (await self.state.registry.reset_request(runner.name, topic)).generation
                for partition, worker in consumer.workers.items():
                    worker.expect_generation(generation)
                    worker.flush_checkpoint()
                    last = (await self.log.partition_info(topic, partition)).last_sequence
                    waits.append((worker, last, worker.empty_reads))
        for worker, last, reads in waits:
            while not worker.caught_up(last, reads):
                worker.progressed.clear()
                if worker.caught_up(last, reads):
                    break
                await worker.progressed.wait()

    # --- the watch: other processes' appends and resets -------------------------------------

    async def _watch_appends(self) -> None:
        """Wakes the workers of partitions another process appended to: one look at the log per topic
        for all the groups here, instead of every idle worker reading its partition on a timer (with a
        dozen groups on eight partitions, that polling cost more than the events themselves)."""
        by_topic: dict[str, list[PartitionWorker]] = {}
        for runner in self._groups.values():
            for topic, consumer in runner.topics.items():
                by_topic.setdefault(topic, []).extend(consumer.workers.values())
        for topic, workers in by_topic.items():
            heads = await self.log.last_sequences(topic)
            for worker in workers:
                head = heads.get(worker.partition)
                if head is not None and head > (worker.seen or 0):
                    worker.wake.set()

    async def _watch_resets(self) -> None:
        """Tells the workers of a shared group of a reset recorded by another process (`hph events
        replay`), so they follow it before their next batch."""
        for runner in self._groups.values():
            if runner.member is not None:
                continue  # nobody resets a per-process name
            for topic, consumer in runner.topics.items():
                generation = (await self.state.registry.reset_request(runner.name, topic)).generation
                for worker in consumer.workers.values():
                    if worker.expect_generation(generation):
                        worker.wake.set()

    async def _poll_replays_and_resets(self) -> None:
        await self._poll_replays()
        await self._watch_resets()

    # --- dead letters, replay, lag ------------------------------------------------------------

    async def _poll_replays(self) -> None:
        """Queues the replay requests of the groups running here with the workers that own their
        partitions (every `replay_poll_interval`, and at once after `replay_dead_letter`)."""
        for name, runner in self._groups.items():
            if not runner.topics or runner.member is not None:
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
        generations = {request.topic: request.generation for request in requests}
        for runner in self._groups.values():
            for topic, consumer in runner.topics.items():
                for worker in consumer.workers.values():
                    if runner.name == group and topic in generations:
                        worker.expect_generation(generations[topic])
                    worker.wake.set()
        return requests

    async def lag(self, group: str | None = None) -> list[GroupLag]:
        """Lag per partition of every topic of the declared groups (or of one); a per-replica
        group's is this process's, under its per-process name."""
        names = [group] if group is not None else sorted(self._groups)
        lags: list[GroupLag] = []
        for name in names:
            runner = self._groups[name]
            lags += await group_lag(self.log, runner.name, list(runner.declaration.topics))
        return lags

    def member(self, group: str) -> str | None:
        """This process's name for per-replica group `group` (None for a shared group)."""
        runner = self._groups.get(group)
        return runner.member if runner else None

    def owned(self, group: str, topic: str) -> frozenset[int]:
        """The partitions of `topic` this process's consumer of `group` handles now."""
        runner = self._groups.get(group)
        consumer = runner.topics.get(topic) if runner else None
        return frozenset(consumer.workers) if consumer else frozenset()

    async def log_lag(self) -> None:
        """Logs each running group's lag per topic ("consumer lag": group, topic, lag, partitions)."""
        for runner in self._groups.values():
            if not runner.topics:
                continue
            name = runner.name
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


def _every_group(name: str) -> bool:
    return True


def _no_group(name: str) -> bool:
    return False


def _event_types(group: ConsumerGroup) -> dict[str, list[str]]:
    """Per topic, the event types the group handles (empty: all of them), for the registry."""
    types: dict[str, list[str]] = {}
    for topic in group.topics:
        subscriptions = [s for s in group.subscriptions if s.topic == topic]
        every = any(not s.event_types for s in subscriptions)
        types[topic] = [] if every else sorted({t for s in subscriptions for t in s.event_types})
    return types


async def _partition_count(log: EventLog, topic: str) -> int:
    counts = await log.topics()
    if topic not in counts:
        raise ValueError(f"the log has no topic {topic!r}")
    return counts[topic]
