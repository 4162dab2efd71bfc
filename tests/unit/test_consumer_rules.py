"""The consumer framework's rules without a running consumer: what a declaration accepts, how a
group routes event types, the retry policy (bounded, jittered, doubling, with a deadline), and the
settings mapping. The framework running on both log adapters is tests/integration/test_consumer_framework.py."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from holidaypeak.events.v1.inventory_events_pb2 import LowStock
from holidaypeak.events.v1.order_events_pb2 import OrderCancelled, OrderCreated, OrderPaid
from hph.runtime.consumers import (
    ConsumerGroup,
    ConsumerSettings,
    Delivery,
    EventConsumers,
    RetryPolicy,
    Subscription,
)
from hph.runtime.consumers.ownership import SoleOwnership
from hph.runtime.consumers.retry import with_retries
from hph.runtime.eventlog import Position, SqliteEventLog
from hph.runtime.settings import Settings
from hph.runtime.storage import SqliteDocumentStore

PAID, CREATED = OrderPaid.DESCRIPTOR.full_name, OrderCreated.DESCRIPTOR.full_name


async def nothing(delivery: Delivery) -> None:
    return None


async def other(delivery: Delivery) -> None:
    return None


def test_a_subscription_names_events_of_its_own_topic() -> None:
    assert Subscription.to("order-events", nothing, OrderPaid, CREATED).event_types == {PAID, CREATED}
    assert Subscription.to("order-events", nothing).handles(LowStock.DESCRIPTOR.full_name)  # all of the topic
    with pytest.raises(ValueError, match="not an event of"):
        Subscription.to("inventory-events", nothing, OrderPaid)
    with pytest.raises(ValueError, match="no event"):
        Subscription.to("order-events", nothing, "holidaypeak.events.v1.Nope")
    with pytest.raises(ValueError, match="bad topic"):
        Subscription.to("Order Events", nothing)


def test_a_group_routes_each_type_to_one_handler() -> None:
    group = ConsumerGroup(
        "analytics",
        (
            Subscription.to("order-events", nothing, OrderPaid),
            Subscription.to("order-events", other, OrderCancelled),
            Subscription.to("payment-events", other),
        ),
    )
    assert group.topics == ("order-events", "payment-events")
    assert group.handler_for("order-events", PAID) is nothing
    assert group.handler_for("order-events", OrderCancelled.DESCRIPTOR.full_name) is other
    assert group.handler_for("order-events", CREATED) is None  # passed over
    assert group.handler_for("payment-events", "anything") is other
    assert group.start == Position.earliest()


def test_a_group_refuses_overlapping_handlers_an_empty_declaration_and_odd_starts() -> None:
    with pytest.raises(ValueError, match="two handlers"):
        every = Subscription.to("order-events", other)
        ConsumerGroup("g", (Subscription.to("order-events", nothing, OrderPaid), every))
    with pytest.raises(ValueError, match="two handlers"):
        ConsumerGroup(
            "g",
            (Subscription.to("order-events", nothing, OrderPaid), Subscription.to("order-events", other, OrderPaid)),
        )
    with pytest.raises(ValueError, match="subscribes to nothing"):
        ConsumerGroup("g", ())
    with pytest.raises(ValueError, match="earliest event, the latest, or a time"):
        ConsumerGroup("g", (Subscription.to("order-events", nothing),), start=Position.at(5))
    with pytest.raises(ValueError, match="bad group"):
        ConsumerGroup("Payments!", (Subscription.to("order-events", nothing),))
    ConsumerGroup("g", (Subscription.to("order-events", nothing),), start=Position.since(datetime.now(UTC)))


async def test_subscribe_builds_one_group_per_name_and_refuses_a_second_handler_for_a_topic(tmp_path: Path) -> None:
    log = await SqliteEventLog.open(tmp_path / "events.sqlite3")
    store = await SqliteDocumentStore.open(tmp_path / "hph.sqlite3")
    try:
        consumers = await EventConsumers.open(log, store)

        async def handler(envelope: EventEnvelope) -> None:
            return None

        consumers.subscribe("order-events", "analytics", handler)
        consumers.subscribe("payment-events", "analytics", handler)
        consumers.subscribe("order-events", "payments", handler)
        assert {name: group.topics for name, group in consumers.groups.items()} == {
            "analytics": ("order-events", "payment-events"),
            "payments": ("order-events",),
        }
        with pytest.raises(ValueError, match="two handlers"):
            consumers.subscribe("order-events", "analytics", handler)
        assert consumers.owned("analytics", "order-events") == frozenset()  # not started
    finally:
        await log.close()
        await store.close()


def test_retry_pauses_double_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=6, first_backoff=0.1, max_backoff=0.5)
    rng = random.Random(7)
    for attempt, ceiling in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.5), (5, 0.5)]:
        pauses = [policy.pause(attempt, rng) for _ in range(200)]
        assert all(ceiling / 2 <= pause <= ceiling for pause in pauses)
        assert max(pauses) - min(pauses) > ceiling / 4  # jittered, not in step
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


async def test_with_retries_stops_at_the_bound_and_reports_the_last_error() -> None:
    policy = RetryPolicy(max_attempts=3, first_backoff=0.1, max_backoff=1.0, timeout=0.05)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    calls: list[int] = []

    async def failing(number: int) -> None:
        calls.append(number)
        raise KeyError(f"sku-{number}")

    outcome = await with_retries(policy, failing, context={}, sleep=sleep)
    assert calls == [1, 2, 3] and len(slept) == 2 and slept[0] <= 0.1 < slept[1] <= 0.2
    assert not outcome.succeeded and outcome.attempts == 3
    assert outcome.reason == "KeyError: 'sku-3'" and outcome.error_type == "KeyError"

    async def second_time_lucky(number: int) -> None:
        if number == 1:
            await asyncio.sleep(1)  # overruns the 0.05 s deadline: a failed attempt
        calls.append(number)

    calls.clear()
    lucky = await with_retries(policy, second_time_lucky, context={}, sleep=sleep)
    assert lucky.succeeded and lucky.attempts == 2 and calls == [2]

    async def always_slow(number: int) -> None:
        await asyncio.sleep(1)

    timed_out = await with_retries(RetryPolicy(max_attempts=1, timeout=0.01), always_slow, context={}, sleep=sleep)
    assert timed_out.reason == "TimeoutError: the handler did not finish within its deadline"


async def test_a_stop_is_not_a_failure_to_retry() -> None:
    started = asyncio.Event()

    async def hangs(number: int) -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(with_retries(RetryPolicy(max_attempts=5), hangs, context={}))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_the_embedded_consumer_owns_every_partition() -> None:
    sole = SoleOwnership()
    assert await sole.owned("g", "order-events", 8) == frozenset(range(8))


def test_consumer_settings_come_from_the_platform_settings() -> None:
    settings = Settings(
        consumer_batch_size=50,
        consumer_max_attempts=7,
        consumer_backoff_seconds=0.2,
        consumer_poll_seconds=0.5,
        consumer_lease_seconds=6.0,
    )
    mapped = ConsumerSettings.from_settings(settings)
    assert (mapped.batch_size, mapped.poll_interval, mapped.lease_seconds) == (50, 0.5, 6.0)
    assert (mapped.retry.max_attempts, mapped.retry.first_backoff) == (7, 0.2)
    with pytest.raises(ValueError):
        ConsumerSettings(batch_size=0)
