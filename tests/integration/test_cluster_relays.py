"""Several hosts relaying one shared outbox (issue #13): PostgreSQL as the store, Redis Streams as the
log, each "host" with store, log and relay objects of its own, as separate processes have.

Every relay scans the whole store, so two of them find the same unsent records and both append them
(and a host that dies between its append and marking the record sent leaves it to the others). The
Redis log's append is idempotent by event id, so the log holds each event once however many relays
append it, and none is lost (hph.runtime.eventlog.redis_streams says why the relays do not claim
records instead)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import timedelta

import pytest

from holidaypeak.events.v1.order_events_pb2 import OrderCreated
from hph.runtime.eventlog import EventLog, Position
from hph.runtime.eventlog.redis_streams import RedisEventLog
from hph.runtime.events import PENDING, OutboxRelay, new_event, outbox_op
from hph.runtime.storage import Container, CreateOp, Query
from hph.runtime.storage.postgres import PostgresDocumentStore

pytestmark = pytest.mark.integration

TOPIC = "order-events"
PARTITIONS = 4


Opener = Callable[[], Awaitable[tuple[Container, EventLog]]]


@pytest.fixture
async def open_host(postgres_database: str, redis_url: str) -> AsyncIterator[Opener]:
    """Opens one more host's view of the shared engines: its own store and log objects."""
    prefix = f"test:{uuid.uuid4().hex}:"
    async with AsyncExitStack() as stack:

        async def open_one() -> tuple[Container, EventLog]:
            store = await PostgresDocumentStore.open(postgres_database)
            stack.push_async_callback(store.close)
            log = RedisEventLog.connect(redis_url, key_prefix=prefix)
            stack.push_async_callback(log.close)
            await log.create_topic(TOPIC, PARTITIONS)
            return await store.container("orders", "/user_id"), log

        yield open_one


def order_event(n: int) -> tuple[str, OrderCreated]:
    return f"ORD-{n}", OrderCreated(order_id=f"ORD-{n}", user_id=f"u{n % 7}", currency_code="USD", total_minor=n)


async def commit_orders(orders: Container, count: int) -> list[str]:
    """Commits `count` orders, each with its OrderCreated outbox record; returns the event ids."""
    ids = []
    for n in range(count):
        order_id, payload = order_event(n)
        envelope = new_event(payload, source="orders", subject=f"orders/{order_id}", partition_key=order_id)
        state = {"id": order_id, "user_id": payload.user_id, "kind": "order", "status": "pending"}
        await orders.batch(payload.user_id, [CreateOp(state), outbox_op(orders, envelope, payload.user_id)])
        ids.append(envelope.event_id)
    return ids


async def logged_ids(log: EventLog) -> list[str]:
    ids: list[str] = []
    for partition in range(PARTITIONS):
        position = Position.earliest()
        while batch := await log.read(TOPIC, partition, position, max_events=100):
            if not batch.events:
                break
            ids.extend(event.envelope.event_id for event in batch.events)
            position = batch.next_position
    return ids


async def test_an_event_appended_again_by_another_host_is_logged_once(open_host: Opener) -> None:
    (_, mine), (_, theirs) = await open_host(), await open_host()
    order_id, payload = order_event(1)
    envelope = new_event(payload, source="orders", subject=f"orders/{order_id}", partition_key=order_id)
    other = new_event(payload, source="orders", subject=f"orders/{order_id}", partition_key=order_id)

    [first] = await mine.append(TOPIC, envelope)
    [again] = await theirs.append(TOPIC, envelope)
    twice_in_one_batch = await theirs.append(TOPIC, [other, envelope, other])

    assert (again.partition, again.sequence) == (first.partition, first.sequence)
    assert [event.sequence for event in twice_in_one_batch][1] == first.sequence
    assert twice_in_one_batch[0].sequence == twice_in_one_batch[2].sequence > first.sequence
    assert sorted(await logged_ids(mine)) == sorted([envelope.event_id, other.event_id])
    # Lag counts entries, so a duplicate that added none adds no lag either.
    assert sum(lag.events for lag in await mine.lag("billing", TOPIC)) == 2


async def test_an_event_is_appended_again_once_its_window_passed(redis_url: str) -> None:
    log = RedisEventLog.connect(
        redis_url, key_prefix=f"test:{uuid.uuid4().hex}:", dedupe_window=timedelta(milliseconds=50)
    )
    try:
        await log.create_topic(TOPIC, PARTITIONS)
        order_id, payload = order_event(1)
        envelope = new_event(payload, source="orders", subject=f"orders/{order_id}", partition_key=order_id)
        [first] = await log.append(TOPIC, envelope)
        await asyncio.sleep(0.2)
        [late] = await log.append(TOPIC, envelope)
        assert late.sequence > first.sequence  # past the window the ledger of every group is the guard
    finally:
        await log.close()


async def test_three_hosts_relaying_one_store_log_every_event_once(open_host: Opener) -> None:
    hosts = [await open_host() for _ in range(3)]
    orders, log = hosts[0]
    # Scanning relays (not attached to a store): each finds every unsent record, the worst case of
    # several hosts' periodic scans and of a host resuming what a dead one left.
    relays = [OutboxRelay(host_log, [container], batch_size=7) for container, host_log in hosts]
    committed: list[str] = []

    async def write() -> None:
        committed.extend(await commit_orders(orders, 120))

    async def relay_until_done(relay: OutboxRelay) -> None:
        while not committed or await orders.count(Query(PENDING)):
            await relay.drain_once()

    await asyncio.gather(write(), *(relay_until_done(relay) for relay in relays))

    logged = await logged_ids(log)
    assert len(committed) == 120
    assert sorted(logged) == sorted(committed), "every event once: none lost, none twice"
    assert await orders.count(Query(PENDING)) == 0
