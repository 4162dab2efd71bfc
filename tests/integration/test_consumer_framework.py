"""The consumer framework (hph.runtime.consumers) on both event log adapters: the SQLite log in a temp
file and Redis Streams on a private redis-server (the `redis_url` fixture), with the framework's
durable state in a SQLite store in the same temp dir.

A "crash" is `EventConsumers.abandon()`: every worker ends where it is, checkpointing, acknowledging
and releasing nothing; a new `EventConsumers` over a new log client then plays the restarted process.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from holidaypeak.events.v1.order_events_pb2 import OrderCancelled, OrderCreated, OrderPaid
from hph.runtime.commit import Done, Write, commit
from hph.runtime.consumers import (
    ConsumerGroup,
    ConsumerSettings,
    DeadLetterStatus,
    Delivery,
    EventAdmin,
    EventConsumers,
    GroupRegistry,
    RetryPolicy,
    Subscription,
)
from hph.runtime.eventlog import EventLog, LoggedEvent, Position, SqliteEventLog, partition_for
from hph.runtime.eventlog.redis_streams import RedisEventLog
from hph.runtime.events import new_event
from hph.runtime.storage import Container, CreateOp, NotFoundError, Query, ReplaceOp, SqliteDocumentStore
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

TOPIC = "order-events"
PARTITIONS = 4
GROUP = "projection"
SETTINGS = ConsumerSettings(
    batch_size=10,
    retry=RetryPolicy(max_attempts=3, first_backoff=0.01, max_backoff=0.05, timeout=5.0),
    poll_interval=0.05,
    lease_seconds=0.6,
    restart_pause=0.05,
    replay_poll_interval=0.1,
    # Busy consumers checkpoint rarely (an idle one at once), so a crash test sees marks without a checkpoint.
    checkpoint_interval=30.0,
    idle_timeout=10.0,
)


@dataclass
class Backbone:
    """One log (reopened as another process would) and one store, on the test's adapter."""

    adapter: str
    open_log: Callable[[], Awaitable[EventLog]]
    store: SqliteDocumentStore
    log: EventLog
    running: list[EventConsumers] = field(default_factory=list)

    async def consumers(self, *groups: ConsumerGroup, name: str | None = None) -> EventConsumers:
        """A started EventConsumers (over a log client of its own) running `groups`."""
        consumers = await EventConsumers.open(await self.open_log(), self.store, settings=SETTINGS, consumer=name)
        for group in groups:
            consumers.declare(group)
        await consumers.start()
        self.running.append(consumers)
        return consumers

    async def restarted(self, *groups: ConsumerGroup) -> EventConsumers:
        """A new process's consumers after a crash, once they own every partition (on Redis, once
        the dead consumer's leases and membership expired) and have caught up."""
        consumers = await self.consumers(*groups)
        for group in groups:
            await eventually(lambda name=group.name: consumers.owned(name, TOPIC) == set(range(PARTITIONS)), within=10)
        await consumers.wait_until_caught_up()
        return consumers

    async def append(self, *keys: str, kind: type[OrderCreated | OrderPaid] = OrderCreated) -> list[LoggedEvent]:
        envelopes = [
            new_event(kind(order_id=key), source="orders", subject=f"orders/{key}", partition_key=key) for key in keys
        ]
        return await self.log.append(TOPIC, envelopes)


@pytest.fixture(params=["sqlite", "redis"])
async def backbone(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backbone]:
    opened: list[EventLog] = []
    if request.param == "sqlite":

        async def open_log() -> EventLog:
            log = await SqliteEventLog.open(tmp_path / "events.sqlite3")
            opened.append(log)
            return log
    else:
        url, prefix = request.getfixturevalue("redis_url"), f"test:{uuid.uuid4().hex}:"

        async def open_log() -> EventLog:
            log = RedisEventLog.connect(url, key_prefix=prefix)
            opened.append(log)
            return log

    store = await SqliteDocumentStore.open(tmp_path / "hph.sqlite3")
    log = await open_log()
    await log.create_topic(TOPIC, PARTITIONS)
    subject = Backbone(request.param, open_log, store, log)
    try:
        yield subject
    finally:
        for consumers in subject.running:
            await consumers.abandon()
        for log in opened:
            await log.close()
        await store.close()


def key_in(partition: int, n: int = 0) -> str:
    """The n-th order key that lands on `partition`."""
    return [key for key in (f"order-{i}" for i in range(1000)) if partition_for(key, PARTITIONS) == partition][n]


class Effects:
    """A ledger-path handler with an in-memory effect: the event ids it handled, in order. It can
    be told to fail for some keys, or to hang after its effect on one event (so a test can "crash"
    the consumer between the effect and the checkpoint)."""

    def __init__(self) -> None:
        self.handled: list[str] = []
        self.failing: set[str] = set()
        self.hang_on: str = ""
        self.hanging = asyncio.Event()

    async def __call__(self, delivery: Delivery) -> None:
        envelope = delivery.envelope
        if envelope.partition_key in self.failing:
            raise ValueError(f"cannot project {envelope.partition_key}")
        self.handled.append(envelope.event_id)
        if envelope.event_id == self.hang_on:
            self.hanging.set()
            await asyncio.Event().wait()  # until the consumer is abandoned

    def count(self, event: LoggedEvent) -> int:
        return self.handled.count(event.envelope.event_id)


def group_of(handler: Callable[[Delivery], Awaitable[None]], *kinds: type[OrderCreated | OrderPaid]) -> ConsumerGroup:
    return ConsumerGroup(GROUP, (Subscription.to(TOPIC, handler, *kinds),))


# --- at least once, no second effect ---------------------------------------------------------------


async def test_a_crash_before_the_checkpoint_repeats_no_marked_effect(backbone: Backbone) -> None:
    key = key_in(1)
    events = await backbone.append(*[key] * 5)
    effects = Effects()
    effects.hang_on = events[2].envelope.event_id  # the effect happens, then the consumer dies
    first = await backbone.consumers(group_of(effects))
    await asyncio.wait_for(effects.hanging.wait(), 10)
    await first.abandon()  # events 1-3 handled, their batch not yet marked, nothing checkpointed
    assert await backbone.log.checkpoints(GROUP, TOPIC) == {}

    effects.hang_on = ""
    restarted = await backbone.restarted(group_of(effects))
    # The events of the batch in hand when it died come again (the ledger path's documented window:
    # marks are written per batch), and everything after them once.
    assert [effects.count(event) for event in events[:3]] == [2, 2, 2]
    assert [effects.count(event) for event in events[3:]] == [1, 1]
    assert sum(lag.events for lag in await restarted.lag(GROUP)) == 0


async def crash_in_the_second_batch(
    backbone: Backbone, group: Callable[[Callable[[Delivery], Awaitable[None]]], ConsumerGroup]
) -> list[int]:
    """Two batches of one partition; the consumer dies in the second batch's first event, the first
    batch handled (and marked, on the ledger path) but not checkpointed (checkpoints are written
    every 30 s here). How many times each event was handled once a restarted consumer caught up."""
    key = key_in(1)
    events = await backbone.append(*[key] * (SETTINGS.batch_size + 2))
    effects = Effects()
    effects.hang_on = events[SETTINGS.batch_size].envelope.event_id
    first = await backbone.consumers(group(effects))
    await asyncio.wait_for(effects.hanging.wait(), 10)
    await first.abandon()
    assert await backbone.log.checkpoints(GROUP, TOPIC) == {}

    effects.hang_on = ""
    await backbone.restarted(group(effects))
    return [effects.count(event) for event in events]


async def test_a_marked_batch_is_not_repeated_by_a_crash_before_its_checkpoint(backbone: Backbone) -> None:
    counts = await crash_in_the_second_batch(backbone, group_of)
    assert counts == [1] * SETTINGS.batch_size + [2, 1]


# --- idempotent groups: handlers that absorb a repeat, no durable marks --------------------------


def idempotent_group_of(handler: Callable[[Delivery], Awaitable[None]]) -> ConsumerGroup:
    return ConsumerGroup(GROUP, (Subscription.to(TOPIC, handler),), idempotent=True)


async def marks_of(store: SqliteDocumentStore, group: str) -> int:
    return await (await store.container("consumer_ledger", "/group")).count(Query(), partition_key=group)


async def test_an_idempotent_group_writes_no_marks_and_skips_what_the_relay_appended_twice(
    backbone: Backbone,
) -> None:
    key = key_in(1)
    events = await backbone.append(key, key)
    await backbone.log.append(TOPIC, [events[0].envelope])  # a relay retry: one event twice in the log
    effects, marked = Effects(), Effects()
    consumers = await backbone.consumers(
        idempotent_group_of(effects), ConsumerGroup("marked", (Subscription.to(TOPIC, marked),))
    )
    await consumers.wait_until_caught_up()
    assert [effects.count(event) for event in events] == [1, 1], "the copy is skipped by the ids kept in memory"
    assert [marked.count(event) for event in events] == [1, 1]
    assert await marks_of(backbone.store, GROUP) == 0
    assert await marks_of(backbone.store, "marked") == 2


async def test_a_crash_repeats_what_an_idempotent_group_handled_since_its_checkpoint(backbone: Backbone) -> None:
    """No marks: on the SQLite log everything after the checkpoint comes again, not just the batch
    in hand (the handlers make that a no-op; the trade for a write per event). Redis acknowledges
    each batch as it is done, so there only the batch in hand comes again, marks or not."""
    counts = await crash_in_the_second_batch(backbone, idempotent_group_of)
    first_batch = 2 if backbone.adapter == "sqlite" else 1
    assert counts == [first_batch] * SETTINGS.batch_size + [2, 1]


async def test_a_reset_replays_what_an_idempotent_group_remembers_handling(backbone: Backbone) -> None:
    effects = Effects()
    keys = [key_in(partition) for partition in range(PARTITIONS)]
    events = await backbone.append(*keys)
    consumers = await backbone.consumers(idempotent_group_of(effects))
    await consumers.wait_until_caught_up()
    later = await backbone.append(keys[0])
    consumers.notify(later)
    await consumers.wait_until_caught_up()

    await consumers.reset(GROUP, to=later[0].enqueued_at)
    await consumers.wait_until_caught_up()
    assert effects.count(later[0]) == 2, "forgotten from memory, so handled again"
    assert [effects.count(event) for event in events] == [1] * PARTITIONS, "before the reset point: not again"

    await consumers.reset(GROUP)
    await consumers.wait_until_caught_up()
    assert [effects.count(event) for event in events] == [2] * PARTITIONS
    assert effects.count(later[0]) == 3


async def test_a_group_is_idempotent_or_not_in_every_declaration(backbone: Backbone) -> None:
    consumers = await EventConsumers.open(await backbone.open_log(), backbone.store, settings=SETTINGS)
    consumers.subscribe(TOPIC, GROUP, lambda envelope: asyncio.sleep(0), idempotent=True)
    with pytest.raises(ValueError, match="both as idempotent and not"):
        consumers.subscribe("user-events", GROUP, lambda envelope: asyncio.sleep(0))
    with pytest.raises(ValueError, match="both idempotent and not"):
        consumers.declare(group_of(Effects()))


class Tally:
    """A same-batch handler: counts each key's events in storage, writing its handled mark in the
    batch that bumps the count, so no crash can count an event twice."""

    def __init__(self, counts: Container) -> None:
        self.counts = counts
        self.hang_on = ""
        self.hanging = asyncio.Event()

    async def __call__(self, delivery: Delivery) -> None:
        key = delivery.envelope.partition_key

        async def plan(attempt: int) -> Write[None] | Done[None]:
            if await delivery.already_handled(self.counts, key):
                return Done(None)
            try:
                current = await self.counts.read("count", key)
            except NotFoundError:
                bump = CreateOp({"id": "count", "key": key, "n": 1})
                return Write([bump, delivery.handled_mark(self.counts, key)], lambda written: None)
            bumped = ReplaceOp({**current, "n": current["n"] + 1}, if_match=current["_etag"])
            return Write([bumped, delivery.handled_mark(self.counts, key)], lambda written: None)

        await commit(self.counts, key, plan, busy="the tally kept changing")
        if delivery.envelope.event_id == self.hang_on:
            self.hanging.set()
            await asyncio.Event().wait()

    async def of(self, key: str) -> int:
        return int((await self.counts.read("count", key))["n"])


async def test_a_crash_between_a_same_batch_effect_and_the_checkpoint_counts_once(backbone: Backbone) -> None:
    key = key_in(2)
    events = await backbone.append(*[key] * 6)
    tally = Tally(await backbone.store.container("tallies", "/key"))
    tally.hang_on = events[3].envelope.event_id
    first = await backbone.consumers(group_of(tally))
    await asyncio.wait_for(tally.hanging.wait(), 10)
    await first.abandon()  # four counted with their marks; neither checkpointed nor in the ledger
    assert await tally.of(key) == 4

    tally.hang_on = ""
    await backbone.restarted(group_of(tally))
    assert await tally.of(key) == 6  # every event exactly once, the redelivered ones no-ops


# --- retries, dead letters, replay -------------------------------------------------------------------


async def test_a_handler_that_always_fails_parks_the_event_and_replay_redelivers_it_once_fixed(
    backbone: Backbone,
) -> None:
    poison, fine = key_in(3, 0), key_in(3, 1)
    effects = Effects()
    effects.failing.add(poison)
    consumers = await backbone.consumers(group_of(effects))
    [bad, after] = await backbone.append(poison, fine)
    consumers.notify([bad, after])
    await consumers.wait_until_caught_up()

    # The partition went on past it, checkpointed, and the event is parked with why and where.
    assert effects.handled == [after.envelope.event_id]
    assert sum(lag.events for lag in await consumers.lag(GROUP)) == 0
    [letter] = await consumers.admin.dead_letters(GROUP)
    assert (letter.topic, letter.partition, letter.sequence) == (TOPIC, bad.partition, bad.sequence)
    assert letter.attempts == SETTINGS.retry.max_attempts == 3
    assert letter.reason == f"ValueError: cannot project {poison}" and letter.error_type == "ValueError"
    assert letter.envelope == bad.envelope and letter.status is DeadLetterStatus.PARKED

    # Replayed while still broken: parked again, the attempts added up.
    await consumers.replay_dead_letter(GROUP, letter.id)
    await consumers.wait_until_caught_up()
    again = await consumers.admin.dead_letter(GROUP, letter.id)
    assert (again.status, again.attempts, again.replays) == (DeadLetterStatus.PARKED, 6, 1)

    # Fixed, and replayed by an operator from another process: the running consumer picks it up.
    effects.failing.clear()
    operator = await EventAdmin.open(await backbone.open_log(), backbone.store)
    await operator.replay_dead_letter(GROUP, letter.id)

    async def replayed() -> bool:
        return (await operator.dead_letter(GROUP, letter.id)).status is DeadLetterStatus.REPLAYED

    await eventually(replayed, within=10)
    assert effects.handled == [after.envelope.event_id, bad.envelope.event_id]
    # A second replay of a handled event is no second effect: the ledger has it.
    await consumers.replay_dead_letter(GROUP, letter.id)
    await consumers.wait_until_caught_up()
    assert effects.count(bad) == 1


async def test_the_watch_wakes_consumers_for_another_process_s_appends_and_resets(backbone: Backbone) -> None:
    # Within 2 s: the watch looks every 0.05 s, a worker's own fallback only every 5 s.
    assert SETTINGS.idle_timeout >= 5 * 2
    effects = Effects()
    consumers = await backbone.consumers(group_of(effects))
    await consumers.wait_until_caught_up()
    appended = await backbone.append(key_in(0), key_in(2), key_in(2, 1))  # another process; no notify
    await eventually(lambda: sorted(effects.handled) == sorted(e.envelope.event_id for e in appended), within=2)

    operator = await EventAdmin.open(await backbone.open_log(), backbone.store)
    await operator.reset(GROUP)  # `hph events replay` from another process
    await eventually(lambda: len(effects.handled) == 2 * len(appended), within=2)


async def test_a_flaky_handler_is_retried_and_nothing_is_parked(backbone: Backbone) -> None:
    calls: Counter[str] = Counter()

    async def flaky(delivery: Delivery) -> None:
        calls[delivery.envelope.event_id] += 1
        if delivery.attempt < 3:
            raise ConnectionError("downstream hiccup")

    consumers = await backbone.consumers(group_of(flaky))
    [event] = await backbone.append(key_in(0))
    consumers.notify([event])
    await consumers.wait_until_caught_up()
    assert calls == {event.envelope.event_id: 3}
    assert await consumers.admin.dead_letters(GROUP) == []


# --- replay from a point: rebuilding a projection ------------------------------------------------


async def test_reset_to_earliest_rebuilds_a_projection(backbone: Backbone) -> None:
    projection: Counter[str] = Counter()

    async def project(delivery: Delivery) -> None:
        projection[delivery.envelope.partition_key] += 1

    keys = [key_in(partition, n) for partition in range(PARTITIONS) for n in range(3)]
    await backbone.append(*keys, *keys[:4])
    consumers = await backbone.consumers(group_of(project))
    await consumers.wait_until_caught_up()
    built = dict(projection)
    assert sum(built.values()) == len(keys) + 4

    projection.clear()  # the projection is lost (or its code changed): rebuild it from the log
    await consumers.reset(GROUP)
    await consumers.wait_until_caught_up()
    assert dict(projection) == built

    # From a time: only what was enqueued since.
    await asyncio.sleep(0.01)
    later = await backbone.append(keys[0], keys[1])
    await consumers.wait_until_caught_up()
    projection.clear()
    await consumers.reset(GROUP, to=later[0].enqueued_at)
    await consumers.wait_until_caught_up()
    assert dict(projection) == {keys[0]: 1, keys[1]: 1}


async def test_a_reset_from_another_process_is_followed_by_the_running_consumer(backbone: Backbone) -> None:
    effects = Effects()
    consumers = await backbone.consumers(group_of(effects))
    events = await backbone.append(key_in(0), key_in(1))
    consumers.notify(events)
    await consumers.wait_until_caught_up()

    operator = await EventAdmin.open(await backbone.open_log(), backbone.store)
    await operator.reset(GROUP)

    await eventually(lambda: len(effects.handled) == 4, within=10)
    assert sorted(effects.handled) == sorted([event.envelope.event_id for event in events] * 2)


# --- partitions ---------------------------------------------------------------------------------------


async def test_partitions_are_handled_concurrently_each_in_order(backbone: Backbone) -> None:
    seen: dict[int, list[int]] = {}
    busy: set[int] = set()
    most_at_once = 0

    async def slow(delivery: Delivery) -> None:
        nonlocal most_at_once
        partition = delivery.event.partition
        assert partition not in busy, "two events of one partition at once"
        busy.add(partition)
        most_at_once = max(most_at_once, len(busy))
        await asyncio.sleep(0.005)
        seen.setdefault(partition, []).append(delivery.event.sequence)
        busy.discard(partition)

    appended = await backbone.append(*[key_in(partition, n % 3) for n in range(8) for partition in range(PARTITIONS)])
    consumers = await backbone.consumers(group_of(slow))
    await consumers.wait_until_caught_up()

    for partition in range(PARTITIONS):
        in_log = [event.sequence for event in appended if event.partition == partition]
        assert seen[partition] == in_log  # every event, in the log's order
    assert most_at_once > 1


async def test_a_group_handles_only_its_event_types_and_checkpoints_past_the_rest(backbone: Backbone) -> None:
    effects = Effects()
    consumers = await backbone.consumers(group_of(effects, OrderPaid))
    created = await backbone.append(key_in(0), key_in(1))
    paid = await backbone.append(key_in(0), kind=OrderPaid)
    consumers.notify([*created, *paid])
    await consumers.wait_until_caught_up()
    assert effects.handled == [paid[0].envelope.event_id]
    assert sum(lag.events for lag in await consumers.lag(GROUP)) == 0


async def test_a_group_starting_at_latest_skips_what_came_before_even_after_a_restart(backbone: Backbone) -> None:
    before = await backbone.append(key_in(0), key_in(1))
    effects = Effects()
    latest = ConsumerGroup(GROUP, (Subscription.to(TOPIC, effects),), start=Position.latest())
    first = await backbone.consumers(latest)
    await first.wait_until_caught_up()
    after = await backbone.append(key_in(0))
    first.notify(after)
    await first.wait_until_caught_up()
    await first.stop()

    restarted = await backbone.consumers(latest)
    await restarted.wait_until_caught_up()
    assert effects.handled == [after[0].envelope.event_id]
    assert all(effects.count(event) == 0 for event in before)


async def test_lag_counts_what_a_group_still_has_to_handle(backbone: Backbone) -> None:
    gate = asyncio.Event()

    async def held(delivery: Delivery) -> None:
        await gate.wait()

    await backbone.append(*[key_in(1)] * 3, key_in(2))
    consumers = await backbone.consumers(group_of(held))
    lags = {lag.partition: lag.events for lag in await consumers.lag(GROUP)}
    assert lags == {0: 0, 1: 3, 2: 1, 3: 0}
    gate.set()
    await consumers.wait_until_caught_up()
    assert {lag.partition: lag.events for lag in await consumers.lag(GROUP)} == {0: 0, 1: 0, 2: 0, 3: 0}


async def test_the_bus_api_maps_onto_a_consumer_group_of_every_event_type(backbone: Backbone) -> None:
    got: list[EventEnvelope] = []

    async def keep(envelope: EventEnvelope) -> None:
        got.append(envelope)

    consumers = await EventConsumers.open(await backbone.open_log(), backbone.store, settings=SETTINGS)
    backbone.running.append(consumers)
    consumers.subscribe(TOPIC, "recorder", keep)
    await consumers.start()
    created = await backbone.append(key_in(3))
    cancelled = await backbone.log.append(
        TOPIC, new_event(OrderCancelled(order_id="x"), source="orders", subject="orders/x", partition_key=key_in(3))
    )
    consumers.notify([*created, *cancelled])
    await consumers.wait_until_caught_up()
    assert [envelope.event_id for envelope in got] == [e.envelope.event_id for e in [*created, *cancelled]]
    [record] = await consumers.admin.groups()
    assert (record.group, dict(record.topics)) == ("recorder", {TOPIC: ()})


# --- several consumers of one group (Redis) ---------------------------------------------------------


async def test_two_consumers_split_the_partitions_and_one_takes_over_when_the_other_dies(
    backbone: Backbone,
) -> None:
    if backbone.adapter != "redis":
        pytest.skip("one process reads the embedded log; balancing needs ownership records (Redis)")
    effects = Effects()
    a = await backbone.consumers(group_of(effects), name="consumer-a")
    b = await backbone.consumers(group_of(effects), name="consumer-b")

    def split() -> bool:
        mine, theirs = a.owned(GROUP, TOPIC), b.owned(GROUP, TOPIC)
        return len(mine) == len(theirs) == PARTITIONS // 2 and mine | theirs == set(range(PARTITIONS))

    await eventually(split, within=10)

    # Both handle their own partitions' events; each event once.
    first = await backbone.append(*[key_in(partition) for partition in range(PARTITIONS)])
    await eventually(lambda: len(effects.handled) == PARTITIONS, within=10)
    assert sorted(effects.handled) == sorted(event.envelope.event_id for event in first)

    # A hangs in a handler of one of its partitions (delivered, pending, unacknowledged), then dies.
    victim = min(a.owned(GROUP, TOPIC))
    stuck, behind = await backbone.append(key_in(victim), key_in(victim))
    effects.hang_on = stuck.envelope.event_id
    await asyncio.wait_for(effects.hanging.wait(), 10)
    effects.hang_on = ""
    await a.abandon()  # no release, no acknowledgement: its leases expire

    await eventually(lambda: b.owned(GROUP, TOPIC) == set(range(PARTITIONS)), within=10)
    await b.wait_until_caught_up()
    # B reclaimed A's pending entry (XAUTOCLAIM) and handled it, then what was behind it.
    assert effects.count(stuck) == 2  # A's effect before it died, B's on redelivery
    assert effects.count(behind) == 1
    delivery = backbone.log
    assert isinstance(delivery, RedisEventLog)
    assert await delivery.pending(GROUP, TOPIC, victim) == 0


# --- per-replica groups (in-memory projections) ----------------------------------------------------


def replica_group(handler: Callable[[Delivery], Awaitable[None]], name: str = "search-index") -> ConsumerGroup:
    return ConsumerGroup(name, (Subscription.to(TOPIC, handler),), per_replica=True)


async def replica_consumers(
    backbone: Backbone, *groups: ConsumerGroup, shared: bool | Callable[[str], bool] = True, replicas: bool = True
) -> EventConsumers:
    """A process whose per-replica groups are added (start positions placed) before it starts."""
    consumers = await EventConsumers.open(await backbone.open_log(), backbone.store, settings=SETTINGS)
    for group in groups:
        await consumers.add(group)
    await consumers.start(shared=shared, replicas=replicas)
    backbone.running.append(consumers)
    return consumers


async def test_every_reader_of_a_per_replica_group_gets_every_event_while_a_shared_group_splits_them(
    backbone: Backbone,
) -> None:
    before = await backbone.append(*(key_in(p) for p in range(PARTITIONS)))
    first, second, shared = Effects(), Effects(), Effects()
    one = await replica_consumers(backbone, replica_group(first), group_of(shared))
    # The second process runs per-replica groups only (as `hph up`'s other workers do).
    two = await replica_consumers(backbone, replica_group(second), group_of(shared), shared=False)
    assert one.owned("search-index", TOPIC) == two.owned("search-index", TOPIC) == set(range(PARTITIONS))
    assert two.owned(GROUP, TOPIC) == set()

    after = await backbone.append(*(key_in(p, n) for p in range(PARTITIONS) for n in (1, 2, 3)))
    await one.wait_until_caught_up()
    await two.wait_until_caught_up()

    wanted = [event.envelope.event_id for event in after]
    # Each reader: every event appended after it was added, each once, none from before.
    assert sorted(first.handled) == sorted(wanted)
    assert sorted(second.handled) == sorted(wanted)
    # The shared group is unchanged: one process, every event including the earlier ones, once.
    assert sorted(shared.handled) == sorted(e.envelope.event_id for e in [*before, *after])
    assert one.member("search-index") != two.member("search-index")
    assert one.member(GROUP) is None


async def test_two_processes_split_the_shared_groups_by_name_and_only_the_serving_one_keeps_replicas(
    backbone: Backbone,
) -> None:
    """`hph up`'s first worker and its agents' process: each shared group runs in exactly one of
    them, chosen by name, and the agents' process, which answers no client, keeps no replica."""
    services, agents, replica = Effects(), Effects(), Effects()
    services_group = ConsumerGroup("sales", (Subscription.to(TOPIC, services),))
    agents_group = ConsumerGroup("co-purchases", (Subscription.to(TOPIC, agents),))
    first = await replica_consumers(
        backbone, services_group, agents_group, replica_group(replica), shared=lambda name: name == "sales"
    )
    apart = await replica_consumers(
        backbone,
        services_group,
        agents_group,
        replica_group(Effects()),
        shared=lambda name: name == "co-purchases",
        replicas=False,
    )
    events = await backbone.append(*(key_in(p, n) for p in range(PARTITIONS) for n in (0, 1)))
    await first.wait_until_caught_up()
    await apart.wait_until_caught_up()
    everything = sorted(e.envelope.event_id for e in events)
    assert sorted(services.handled) == sorted(agents.handled) == sorted(replica.handled) == everything
    assert first.owned("sales", TOPIC) == apart.owned("co-purchases", TOPIC) == set(range(PARTITIONS))
    assert first.owned("co-purchases", TOPIC) == apart.owned("sales", TOPIC) == set()
    assert apart.owned("search-index", TOPIC) == set()


async def test_a_per_replica_group_shows_one_lag_per_process_and_leaves_nothing_when_stopped(
    backbone: Backbone,
) -> None:
    admin = await EventAdmin.open(backbone.log, backbone.store)
    one = await replica_consumers(backbone, replica_group(Effects()))
    two = await replica_consumers(backbone, replica_group(Effects()), shared=False)
    await backbone.append(*(key_in(p) for p in range(PARTITIONS)))
    await one.wait_until_caught_up()
    await two.wait_until_caught_up()

    members = {one.member("search-index"), two.member("search-index")}
    assert {record.member for record in await admin.replicas("search-index")} == members
    lags = await admin.lag("search-index")
    assert {lag.group for lag in lags} == members
    assert len(lags) == 2 * PARTITIONS and all(lag.events == 0 for lag in lags)
    record = next(r for r in await admin.groups() if r.group == "search-index")
    assert record.per_replica
    with pytest.raises(ValueError, match="per replica"):
        await admin.reset("search-index")

    gone = one.member("search-index")
    assert gone is not None
    await one.stop()
    assert await backbone.log.checkpoints(gone, TOPIC) == {}
    assert {record.member for record in await admin.replicas("search-index")} == members - {gone}


async def test_a_crashed_readers_state_is_swept_by_a_live_one_once_its_heartbeat_expired(
    backbone: Backbone,
) -> None:
    admin = await EventAdmin.open(backbone.log, backbone.store)
    crashed = await replica_consumers(backbone, replica_group(Effects()))
    await backbone.append(key_in(0))
    await crashed.wait_until_caught_up()
    dead = crashed.member("search-index")
    assert dead is not None
    await crashed.abandon()
    assert await backbone.log.checkpoints(dead, TOPIC) != {}

    live = await replica_consumers(backbone, replica_group(Effects()))
    store_records = backbone.store  # the registry's records, expired or not

    async def swept() -> bool:
        registry = await consumers_registry(store_records)
        return dead not in {r.member for r in await registry.replicas("search-index")}

    await eventually(swept, within=10)
    assert await backbone.log.checkpoints(dead, TOPIC) == {}
    assert [record.member for record in await admin.replicas("search-index")] == [live.member("search-index")]


async def consumers_registry(store: SqliteDocumentStore) -> GroupRegistry:
    return await GroupRegistry.open(store)
