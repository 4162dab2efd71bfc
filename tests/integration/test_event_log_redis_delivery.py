"""Redis consumer-group delivery beside the event log's port (RedisEventLog.deliver / acknowledge /
reclaim): consumers of one group share its events, and a dead consumer's pending events are taken
over. On a private redis-server (the `redis_url` fixture)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from holidaypeak.events.v1.order_events_pb2 import OrderCreated
from hph.runtime.eventlog import LoggedEvent, partition_for
from hph.runtime.eventlog.redis_streams import RedisEventLog
from hph.runtime.events import new_event

TOPIC = "order-events"
GROUP = "payments"
KEY = "order-1"
PARTITION = partition_for(KEY, 2)


@pytest.fixture
async def log(redis_url: str) -> AsyncIterator[RedisEventLog]:
    opened = RedisEventLog.connect(redis_url, key_prefix=f"test:{uuid.uuid4().hex}:")
    await opened.create_topic(TOPIC, 2)
    try:
        yield opened
    finally:
        await opened.close()


async def append(log: RedisEventLog, count: int) -> list[LoggedEvent]:
    return await log.append(
        TOPIC,
        [
            new_event(OrderCreated(order_id=f"o{n}"), source="orders", subject="orders/o", partition_key=KEY)
            for n in range(count)
        ],
    )


def sequences(events: list[LoggedEvent]) -> list[int]:
    return [event.sequence for event in events]


async def test_consumers_of_a_group_share_its_events_and_groups_are_independent(log: RedisEventLog) -> None:
    appended = await append(log, 5)
    await log.ensure_delivery_group(GROUP, TOPIC)
    await log.ensure_delivery_group(GROUP, TOPIC)  # again: kept as it is
    await log.ensure_delivery_group("analytics", TOPIC)

    first = await log.deliver(GROUP, TOPIC, PARTITION, "worker-a", max_events=3)
    second = await log.deliver(GROUP, TOPIC, PARTITION, "worker-b", max_events=3)
    assert sequences(first) + sequences(second) == sequences(appended)
    assert first[0].envelope == appended[0].envelope
    assert await log.deliver(GROUP, TOPIC, PARTITION, "worker-a") == []
    assert sequences(await log.deliver("analytics", TOPIC, PARTITION, "worker-c")) == sequences(appended)

    assert await log.pending(GROUP, TOPIC, PARTITION) == 5
    assert await log.acknowledge(GROUP, TOPIC, PARTITION, sequences(first)) == 3
    assert await log.acknowledge(GROUP, TOPIC, PARTITION, sequences(first)) == 0  # already acknowledged
    assert await log.pending(GROUP, TOPIC, PARTITION) == 2


async def test_a_dead_consumers_pending_events_are_reclaimed(log: RedisEventLog) -> None:
    appended = await append(log, 4)
    await log.ensure_delivery_group(GROUP, TOPIC)
    handled = await log.deliver(GROUP, TOPIC, PARTITION, "worker-a", max_events=1)
    await log.acknowledge(GROUP, TOPIC, PARTITION, sequences(handled))
    died_with = await log.deliver(GROUP, TOPIC, PARTITION, "worker-a", max_events=2)  # never acknowledged

    assert await log.reclaim(GROUP, TOPIC, PARTITION, "worker-b", min_idle=timedelta(seconds=60)) == []
    await asyncio.sleep(0.05)
    taken = await log.reclaim(GROUP, TOPIC, PARTITION, "worker-b", min_idle=timedelta(milliseconds=20))
    assert sequences(taken) == sequences(died_with) == sequences(appended[1:3])
    assert await log.acknowledge(GROUP, TOPIC, PARTITION, sequences(taken)) == 2
    assert sequences(await log.deliver(GROUP, TOPIC, PARTITION, "worker-b")) == sequences(appended[3:])


async def test_delivery_starts_after_the_checkpoint_and_replays_after_a_reset(log: RedisEventLog) -> None:
    appended = await append(log, 4)
    await log.checkpoint(GROUP, TOPIC, PARTITION, appended[1].sequence)
    await log.ensure_delivery_group(GROUP, TOPIC)
    assert sequences(await log.deliver(GROUP, TOPIC, PARTITION, "worker-a")) == sequences(appended[2:])

    await log.reset(GROUP, TOPIC)
    assert sequences(await log.deliver(GROUP, TOPIC, PARTITION, "worker-a")) == sequences(appended)
