"""The consumer framework's durable state, on a real SQLite store and event log in tmp_path: the
dead-letter store (park, list, show, replay requests and their outcome), the idempotency ledger
(marks, forgetting for a replay, the same-batch mark), the group registry and `EventAdmin.reset`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from holidaypeak.events.v1.order_events_pb2 import OrderCreated, OrderPaid
from hph.runtime.consumers import (
    NOT_HANDLED_MARK,
    DeadLetterStatus,
    DeadLetterStore,
    Delivery,
    EventAdmin,
    HandledLedger,
    UnknownDeadLetter,
    UnknownGroup,
)
from hph.runtime.consumers.groups import GroupRegistry
from hph.runtime.eventlog import LoggedEvent, SqliteEventLog
from hph.runtime.events import new_event
from hph.runtime.storage import Eq, Query, SqliteDocumentStore, UpsertOp

TOPIC = "order-events"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
async def log(tmp_path: Path) -> AsyncIterator[SqliteEventLog]:
    opened = await SqliteEventLog.open(tmp_path / "events.sqlite3")
    await opened.create_topic(TOPIC, 2)
    try:
        yield opened
    finally:
        await opened.close()


async def append(log: SqliteEventLog, *keys: str) -> list[LoggedEvent]:
    return await log.append(
        TOPIC,
        [
            new_event(OrderCreated(order_id=key), source="orders", subject=f"orders/{key}", partition_key=key)
            for key in keys
        ],
    )


async def test_a_parked_event_keeps_its_reason_attempts_and_position(
    store: SqliteDocumentStore, log: SqliteEventLog
) -> None:
    letters = await DeadLetterStore.open(store)
    [event] = await append(log, "o1")
    parked = await letters.park(
        "analytics", event, reason="ValueError: no such sku", error_type="ValueError", attempts=5, at=T0
    )

    shown = await letters.get("analytics", parked.id)
    assert (shown.topic, shown.partition, shown.sequence) == (TOPIC, event.partition, event.sequence)
    assert (shown.reason, shown.error_type, shown.attempts) == ("ValueError: no such sku", "ValueError", 5)
    assert shown.envelope == event.envelope and shown.event_id == event.envelope.event_id
    assert shown.status is DeadLetterStatus.PARKED and shown.first_failed_at == shown.last_failed_at == T0
    assert shown.logged_event() == event
    assert [letter.id for letter in await letters.find("analytics")] == [parked.id]
    assert await letters.find("payments") == []
    with pytest.raises(UnknownDeadLetter):
        await letters.get("analytics", "order-events.0.999")

    # Parked again (a replay after a reset failed as well): one entry, the attempts added up.
    later = T0 + timedelta(minutes=1)
    again = await letters.park("analytics", event, reason="KeyError: x", error_type="KeyError", attempts=3, at=later)
    assert (again.attempts, again.reason, again.first_failed_at, again.last_failed_at) == (8, "KeyError: x", T0, later)
    assert len(await letters.find()) == 1


async def test_a_replay_request_is_settled_as_replayed_or_parked_again(
    store: SqliteDocumentStore, log: SqliteEventLog
) -> None:
    letters = await DeadLetterStore.open(store)
    first, second = await append(log, "o1", "o2")
    one = await letters.park("analytics", first, reason="boom", error_type="RuntimeError", attempts=5, at=T0)
    two = await letters.park("analytics", second, reason="boom", error_type="RuntimeError", attempts=5, at=T0)

    requested = await letters.request_replay("analytics", one.id, at=T0 + timedelta(seconds=1))
    assert requested.status is DeadLetterStatus.REPLAY_REQUESTED
    await letters.request_replay("analytics", two.id, at=T0 + timedelta(seconds=2))
    assert [letter.id for letter in await letters.requested("analytics")] == [one.id, two.id]
    assert await letters.requested("payments") == []

    await letters.replayed(requested, at=T0 + timedelta(seconds=3))
    [pending] = await letters.requested("analytics")
    await letters.failed_again(pending, reason="still broken", error_type="RuntimeError", attempts=2, at=T0)

    settled = await letters.get("analytics", one.id)
    assert (settled.status, settled.replays, settled.replayed_at) == (
        DeadLetterStatus.REPLAYED,
        1,
        T0 + timedelta(seconds=3),
    )
    parked = await letters.get("analytics", two.id)
    assert (parked.status, parked.attempts, parked.reason, parked.replays) == (
        DeadLetterStatus.PARKED,
        7,
        "still broken",
        1,
    )
    assert [letter.id for letter in await letters.find(status=DeadLetterStatus.PARKED)] == [two.id]
    with pytest.raises(UnknownDeadLetter):
        await letters.request_replay("analytics", "order-events.1.77", at=T0)

    assert await letters.purge_replayed(older_than=T0 + timedelta(seconds=2)) == 0
    assert await letters.purge_replayed(older_than=T0 + timedelta(seconds=4)) == 1
    assert [letter.id for letter in await letters.find()] == [two.id]


async def test_the_ledger_remembers_handled_events_per_group_and_forgets_for_a_replay(
    store: SqliteDocumentStore, log: SqliteEventLog
) -> None:
    ledger = await HandledLedger.open(store)
    events = await append(log, *(f"o{n}" for n in range(150)))
    await ledger.mark("analytics", events, at=T0)
    await ledger.mark("analytics", events[:2], at=T0)  # marking again is harmless
    assert await ledger.handled("analytics", events[0].envelope.event_id)
    assert not await ledger.handled("payments", events[0].envelope.event_id)

    in_partition_0 = [event for event in events if event.partition == 0]
    assert await ledger.forget("analytics", TOPIC, since=None, partition=0) == len(in_partition_0)
    assert not await ledger.handled("analytics", in_partition_0[0].envelope.event_id)
    assert await ledger.forget("analytics", TOPIC, since=events[0].enqueued_at + timedelta(days=1)) == 0
    assert await ledger.purge(older_than=events[0].enqueued_at + timedelta(days=1)) == len(events) - len(in_partition_0)


async def test_the_same_batch_mark_makes_a_second_effect_impossible(
    store: SqliteDocumentStore, log: SqliteEventLog
) -> None:
    counters = await store.container("counters", "/owner")
    [event] = await append(log, "o1")
    delivery = Delivery("analytics", event, attempt=1)

    assert not await delivery.already_handled(counters, "c1")
    assert await delivery.commit(counters, "c1", [UpsertOp({"id": "c1", "owner": "c1", "count": 1})])
    assert await delivery.already_handled(counters, "c1")
    # The redelivery: same event, the batch fails on the mark, and the effect is not written again.
    assert not await delivery.commit(counters, "c1", [UpsertOp({"id": "c1", "owner": "c1", "count": 2})])
    assert (await counters.read("c1", "c1"))["count"] == 1
    # Another group's mark is its own.
    assert await Delivery("payments", event, attempt=1).commit(
        counters, "c1", [UpsertOp({"id": "c1", "owner": "c1", "count": 3})]
    )
    page = await counters.query(Query(NOT_HANDLED_MARK))
    assert [doc["id"] for doc in page.items] == ["c1"]
    with pytest.raises(ValueError, match="partition key /id"):
        delivery.handled_mark(await store.container("by_id", "/id"), "c1")


async def test_the_registry_knows_new_topics_of_a_group_once(store: SqliteDocumentStore) -> None:
    registry = await GroupRegistry.open(store)
    assert await registry.record("analytics", {TOPIC: [OrderPaid.DESCRIPTOR.full_name]}, at=T0) == {TOPIC}
    assert await registry.record("analytics", {TOPIC: [OrderPaid.DESCRIPTOR.full_name]}, at=T0) == frozenset()
    assert await registry.record("analytics", {"payment-events": []}, at=T0) == {"payment-events"}
    assert await registry.record("analytics", {TOPIC: [], "payment-events": []}, at=T0) == frozenset()
    [record] = await registry.groups()
    assert record.group == "analytics" and dict(record.topics) == {TOPIC: (), "payment-events": ()}
    assert (await registry.reset_request("analytics", TOPIC)).generation == 0


async def test_admin_reset_replays_a_group_and_forgets_its_marks(
    store: SqliteDocumentStore, log: SqliteEventLog
) -> None:
    admin = await EventAdmin.open(log, store, clock=lambda: T0)
    ledger = await HandledLedger.open(store)
    registry = await GroupRegistry.open(store)
    events = await append(log, "o1", "o2", "o3", "o4")
    await registry.record("analytics", {TOPIC: []}, at=T0)
    for event in events:
        await log.checkpoint("analytics", TOPIC, event.partition, event.sequence)
    await ledger.mark("analytics", events, at=T0)
    assert sum(lag.events for lag in await admin.lag("analytics")) == 0

    [request] = await admin.reset("analytics")
    assert (request.generation, request.to) == (1, None)
    assert sum(lag.events for lag in await admin.lag()) == len(events)
    assert not any([await ledger.handled("analytics", event.envelope.event_id) for event in events])
    assert (await registry.reset_request("analytics", TOPIC)).generation == 1

    with pytest.raises(UnknownGroup):
        await admin.reset("nobody")
    with pytest.raises(UnknownGroup):
        await admin.reset("analytics", topics=["payment-events"])
    assert await admin.topics() == {TOPIC: 2}
    assert await store.container("consumer_ledger", "/group") is not None
    assert (await store.container("consumer_groups", "/group")).name == "consumer_groups"
    assert await (await store.container("consumer_groups", "/group")).count(Query(Eq("kind", "group"))) == 1
