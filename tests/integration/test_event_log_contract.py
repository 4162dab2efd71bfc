"""The event log's contract (hph.runtime.eventlog.port), run against every adapter: SQLite in a temp
file, and Redis Streams on a private redis-server (the `redis_url` fixture, tests/support/fixtures.py)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from holidaypeak.events.v1.order_events_pb2 import OrderCreated
from hph.runtime.eventlog import (
    EventLog,
    EventLogError,
    PartitionCountMismatch,
    Position,
    SqliteEventLog,
    UnknownTopicError,
    partition_for,
)
from hph.runtime.eventlog.redis_streams import RedisEventLog, entry_id_of, sequence_of
from hph.runtime.events import new_event

TOPIC = "order-events"
PARTITIONS = 4
HASHED_32 = [29, 15, 8]
HASHED_4 = [1, 3, 0]

Opener = Callable[[], Awaitable[EventLog]]


@pytest.fixture(params=["sqlite", "redis"])
async def open_log(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Opener]:
    """Opens a new adapter instance over the same log each call (same file, same Redis and prefix),
    as another process would; every instance is closed afterwards."""
    opened: list[EventLog] = []
    if request.param == "sqlite":
        path = tmp_path / "events.sqlite3"

        async def open_sqlite() -> EventLog:
            log = await SqliteEventLog.open(path)
            opened.append(log)
            return log

        opener: Opener = open_sqlite
    else:
        url = request.getfixturevalue("redis_url")
        prefix = f"test:{uuid.uuid4().hex}:"

        async def open_redis() -> EventLog:
            log = RedisEventLog.connect(url, key_prefix=prefix)
            opened.append(log)
            return log

        opener = open_redis
    yield opener
    for log in opened:
        await log.close()


@pytest.fixture
async def log(open_log: Opener) -> EventLog:
    opened = await open_log()
    await opened.create_topic(TOPIC, PARTITIONS)
    return opened


def an_event(key: str, n: int = 0) -> EventEnvelope:
    return new_event(
        OrderCreated(order_id=f"{key}-{n}", user_id="u1"), source="orders", subject=f"orders/{key}", partition_key=key
    )


def keys_for(partition: int, count: int = 1) -> list[str]:
    """Partition keys that land on `partition` of the test topic."""
    found = [key for key in (f"order-{i}" for i in range(10_000)) if partition_for(key, PARTITIONS) == partition]
    return found[:count]


async def read_all(log: EventLog, partition: int, start: Position | None = None) -> list[tuple[int, str]]:
    """(sequence, event id) of every event from `start` on, reading in small pages."""
    position = start or Position.earliest()
    seen: list[tuple[int, str]] = []
    while True:
        batch = await log.read(TOPIC, partition, position, max_events=3)
        if not batch.events:
            return seen
        seen.extend((event.sequence, event.envelope.event_id) for event in batch.events)
        position = batch.next_position


async def pause_one_millisecond() -> None:
    """Enqueued times have millisecond precision: a pause makes the next append strictly later."""
    await asyncio.sleep(0.005)


def test_partition_hash_is_fixed() -> None:
    # Values of the documented hash (BLAKE2b-64, big-endian, modulo n): a change would move keys to
    # other partitions and break the order of everything already in the log.
    assert [partition_for(key, 32) for key in ("order-1", "sku-42", "u")] == HASHED_32
    assert [partition_for(key, 4) for key in ("order-1", "sku-42", "u")] == HASHED_4
    assert partition_for("order-1", 1) == 0
    assert {partition_for(f"k{i}", 4) for i in range(100)} == {0, 1, 2, 3}


def test_redis_sequence_round_trips_entry_ids() -> None:
    for entry_id in ("0-1", "1733200000000-0", "1733200000000-1048575", "8796093022207-7"):
        assert entry_id_of(sequence_of(entry_id)) == entry_id
    ids = ["1733200000000-5", "1733200000000-6", "1733200000001-0", "1733200000002-3"]
    assert [sequence_of(i) for i in ids] == sorted(sequence_of(i) for i in ids)
    with pytest.raises(EventLogError):
        sequence_of("1733200000000-1048576")


async def test_events_keep_their_order_and_get_increasing_sequences(log: EventLog) -> None:
    key = keys_for(1)[0]
    first = await log.append(TOPIC, [an_event(key, n) for n in range(5)])
    second = await log.append(TOPIC, an_event(key, 5))
    appended = first + second
    assert {event.partition for event in appended} == {1}
    sequences = [event.sequence for event in appended]
    assert sequences == sorted(set(sequences))
    assert await read_all(log, 1) == [(event.sequence, event.envelope.event_id) for event in appended]
    assert await read_all(log, 0) == []
    read_back = (await log.read(TOPIC, 1, Position.earliest(), max_events=1)).events[0]
    assert read_back.envelope == appended[0].envelope
    assert read_back.enqueued_at == appended[0].enqueued_at


async def test_same_key_same_partition_in_every_instance(log: EventLog, open_log: Opener) -> None:
    other = await open_log()
    for key in ("order-1", "order-2", "sku-42", "user-7"):
        [mine] = await log.append(TOPIC, an_event(key))
        [theirs] = await other.append(TOPIC, an_event(key))
        assert mine.partition == theirs.partition == partition_for(key, PARTITIONS)


async def test_a_batch_spread_over_partitions_keeps_order_within_each(log: EventLog) -> None:
    keys = keys_for(0, 2) + keys_for(2, 2)
    batch = [an_event(key, n) for n in range(3) for key in keys]
    appended = await log.append(TOPIC, batch)
    assert [event.envelope.event_id for event in appended] == [envelope.event_id for envelope in batch]
    for partition in (0, 2):
        expected = [event.envelope.event_id for event in appended if event.partition == partition]
        assert [event_id for _, event_id in await read_all(log, partition)] == expected


async def test_reading_from_earliest_latest_a_sequence_and_a_time(log: EventLog) -> None:
    key = keys_for(3)[0]
    early = await log.append(TOPIC, [an_event(key, n) for n in range(3)])
    await pause_one_millisecond()
    late = await log.append(TOPIC, [an_event(key, n) for n in range(3, 6)])
    everything = [(event.sequence, event.envelope.event_id) for event in early + late]

    assert await read_all(log, 3, Position.earliest()) == everything
    assert await read_all(log, 3, Position.at(early[1].sequence)) == everything[1:]
    assert await read_all(log, 3, Position.after(early[1].sequence)) == everything[2:]
    assert await read_all(log, 3, Position.since(late[0].enqueued_at)) == everything[3:]
    assert await read_all(log, 3, Position.since(early[0].enqueued_at - timedelta(seconds=1))) == everything

    latest = await log.read(TOPIC, 3, Position.latest())
    assert latest.events == []
    newer = await log.append(TOPIC, an_event(key, 6))
    assert await read_all(log, 3, latest.next_position) == [(newer[0].sequence, newer[0].envelope.event_id)]


async def test_partition_info_reports_the_retained_range(log: EventLog) -> None:
    key = keys_for(2)[0]
    empty = await log.partition_info(TOPIC, 2)
    assert (empty.first_sequence, empty.last_sequence, empty.last_enqueued_at) == (None, None, None)
    appended = await log.append(TOPIC, [an_event(key, n) for n in range(3)])
    info = await log.partition_info(TOPIC, 2)
    assert (info.first_sequence, info.last_sequence) == (appended[0].sequence, appended[-1].sequence)
    assert info.last_enqueued_at == appended[-1].enqueued_at


async def test_last_sequences_name_every_partition_appended_to_as_another_process_sees_it(
    log: EventLog, open_log: Opener
) -> None:
    assert await log.last_sequences(TOPIC) == {}
    first = await log.append(TOPIC, [an_event(keys_for(1)[0], n) for n in range(2)])
    other = await open_log()  # what another process's consumers watch
    assert await other.last_sequences(TOPIC) == {1: first[-1].sequence}
    more = await other.append(TOPIC, an_event(keys_for(3)[0]))
    assert await log.last_sequences(TOPIC) == {1: first[-1].sequence, 3: more[0].sequence}


async def test_groups_keep_independent_checkpoints_that_never_go_back(log: EventLog) -> None:
    key = keys_for(0)[0]
    appended = await log.append(TOPIC, [an_event(key, n) for n in range(4)])
    assert await log.checkpoint("payments", TOPIC, 0, appended[2].sequence) is True
    assert await log.checkpoint("analytics", TOPIC, 0, appended[0].sequence) is True
    assert await log.checkpoint("payments", TOPIC, 0, appended[1].sequence) is False  # backwards: kept
    assert await log.checkpoints("payments", TOPIC) == {0: appended[2].sequence}
    assert await log.checkpoints("analytics", TOPIC) == {0: appended[0].sequence}
    assert await log.checkpoints("catalog", TOPIC) == {}


async def test_checkpoints_survive_reopening(log: EventLog, open_log: Opener) -> None:
    key = keys_for(1)[0]
    appended = await log.append(TOPIC, [an_event(key, n) for n in range(3)])
    await log.checkpoint("payments", TOPIC, 1, appended[1].sequence)
    await log.close()
    reopened = await open_log()
    assert await reopened.topics() == {TOPIC: PARTITIONS}
    assert await reopened.checkpoints("payments", TOPIC) == {1: appended[1].sequence}
    assert await read_all(reopened, 1) == [(event.sequence, event.envelope.event_id) for event in appended]


async def test_lag_counts_what_each_group_still_has_to_read(log: EventLog) -> None:
    first_key, second_key = keys_for(0)[0], keys_for(3)[0]
    on_first = await log.append(TOPIC, [an_event(first_key, n) for n in range(5)])
    await log.append(TOPIC, [an_event(second_key, n) for n in range(2)])
    await log.checkpoint("payments", TOPIC, 0, on_first[1].sequence)

    lag = {entry.partition: entry for entry in await log.lag("payments", TOPIC)}
    assert sorted(lag) == list(range(PARTITIONS))
    assert (lag[0].events, lag[0].checkpoint, lag[0].last_sequence) == (3, on_first[1].sequence, on_first[-1].sequence)
    assert lag[3].events == 2  # no checkpoint: everything retained
    assert (lag[1].events, lag[1].last_sequence) == (0, None)
    await log.checkpoint("payments", TOPIC, 0, on_first[-1].sequence)
    assert (await log.lag("payments", TOPIC))[0].events == 0
    assert (await log.lag("analytics", TOPIC))[0].events == 5


async def test_reset_replays_from_earliest_or_a_time(log: EventLog) -> None:
    key = keys_for(2)[0]
    early = await log.append(TOPIC, [an_event(key, n) for n in range(2)])
    await pause_one_millisecond()
    late = await log.append(TOPIC, [an_event(key, n) for n in range(2, 5)])
    await log.checkpoint("catalog", TOPIC, 2, late[-1].sequence)
    await log.checkpoint("payments", TOPIC, 2, late[-1].sequence)

    await log.reset("catalog", TOPIC, to=late[0].enqueued_at)
    assert await log.checkpoints("catalog", TOPIC) == {2: early[-1].sequence}
    assert (await log.lag("catalog", TOPIC))[2].events == 3
    await log.reset("catalog", TOPIC)
    assert await log.checkpoints("catalog", TOPIC) == {}
    assert (await log.lag("catalog", TOPIC))[2].events == 5
    assert await log.checkpoints("payments", TOPIC) == {2: late[-1].sequence}  # other groups untouched
    # After a reset the checkpoint moves forward again from its new place.
    assert await log.checkpoint("catalog", TOPIC, 2, early[0].sequence) is True


async def test_reset_of_some_partitions_leaves_the_others(log: EventLog) -> None:
    two, three = keys_for(2)[0], keys_for(3)[0]
    early = await log.append(TOPIC, [an_event(two, 0), an_event(three, 0)])
    await pause_one_millisecond()
    late = await log.append(TOPIC, [an_event(two, 1), an_event(three, 1)])
    for event in late:
        await log.checkpoint("catalog", TOPIC, event.partition, event.sequence)

    await log.reset("catalog", TOPIC, to=late[0].enqueued_at, partitions=[3])
    assert await log.checkpoints("catalog", TOPIC) == {2: late[0].sequence, 3: early[1].sequence}
    await log.reset("catalog", TOPIC, partitions=[2])
    assert await log.checkpoints("catalog", TOPIC) == {3: early[1].sequence}
    with pytest.raises(ValueError):
        await log.reset("catalog", TOPIC, partitions=[PARTITIONS])


async def test_trim_removes_what_is_older_than_the_retention(log: EventLog) -> None:
    key = keys_for(1)[0]
    old = await log.append(TOPIC, [an_event(key, n) for n in range(3)])
    await pause_one_millisecond()
    kept = await log.append(TOPIC, [an_event(key, n) for n in range(3, 5)])
    await log.checkpoint("payments", TOPIC, 1, old[0].sequence)

    assert await log.trim(TOPIC, older_than=kept[0].enqueued_at) == 3
    assert await read_all(log, 1) == [(event.sequence, event.envelope.event_id) for event in kept]
    info = await log.partition_info(TOPIC, 1)
    assert (info.first_sequence, info.last_sequence) == (kept[0].sequence, kept[-1].sequence)
    assert (await log.lag("payments", TOPIC))[1].events == 2  # what is left to read
    assert await log.trim(TOPIC, older_than=kept[0].enqueued_at) == 0

    assert await log.trim(TOPIC, older_than=datetime.now(UTC) + timedelta(seconds=1)) == 2
    assert await read_all(log, 1) == []
    [after] = await log.append(TOPIC, an_event(key, 9))
    assert after.sequence > kept[-1].sequence  # numbers are never reused after trimming
    assert (await log.lag("payments", TOPIC))[1].events == 1


async def test_concurrent_appenders_keep_order_and_unique_sequences(log: EventLog, open_log: Opener) -> None:
    other = await open_log()
    key = keys_for(0)[0]

    async def append_many(writer: EventLog, name: str) -> list[str]:
        ids = []
        for n in range(20):
            appended = await writer.append(TOPIC, [an_event(key, n), an_event(f"{name}-{n}", n)])
            ids.append(appended[0].envelope.event_id)
        return ids

    mine, theirs = await asyncio.gather(append_many(log, "a"), append_many(other, "b"))
    seen = await read_all(log, 0)
    sequences = [sequence for sequence, _ in seen]
    assert sequences == sorted(set(sequences))
    order = [event_id for _, event_id in seen]
    assert [event_id for event_id in order if event_id in set(mine)] == mine
    assert [event_id for event_id in order if event_id in set(theirs)] == theirs
    assert sum([len(await read_all(log, partition)) for partition in range(PARTITIONS)]) == 80


async def test_bad_input_is_refused(log: EventLog, open_log: Opener) -> None:
    with pytest.raises(UnknownTopicError):
        await log.append("no-such-topic", an_event("k"))
    with pytest.raises(UnknownTopicError):
        await log.read("no-such-topic", 0, Position.earliest())
    with pytest.raises(ValueError):
        await log.read(TOPIC, PARTITIONS, Position.earliest())
    with pytest.raises(ValueError):
        await log.read(TOPIC, -1, Position.earliest())
    with pytest.raises(ValueError):
        await log.read(TOPIC, 0, Position.earliest(), max_events=0)
    with pytest.raises(PartitionCountMismatch):
        await (await open_log()).create_topic(TOPIC, PARTITIONS + 1)
    with pytest.raises(ValueError):
        await log.create_topic("Bad Name", 2)
    with pytest.raises(ValueError):
        await log.create_topic("too-many", 33)
    with pytest.raises(ValueError):
        await log.append(TOPIC, EventEnvelope(event_id="e1"))  # no partition key
    with pytest.raises(ValueError):  # a sequence the partition never gave out
        await log.checkpoint("payments", TOPIC, 0, 1)
    with pytest.raises(ValueError):
        await log.checkpoint("Bad Group", TOPIC, 0, 1)
    with pytest.raises(ValueError):
        Position.since(datetime(2026, 1, 1))  # naive time
    await log.create_topic(TOPIC, PARTITIONS)  # the same count again is fine
