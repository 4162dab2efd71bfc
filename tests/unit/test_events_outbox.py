"""The event runtime: envelopes, the topic registry, the transactional outbox and the outbox relay.

Everything runs on a real SQLite store and a real SQLite event log in tmp_path.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from holidaypeak.events.v1.inventory_events_pb2 import InventoryReserved, LowStock
from holidaypeak.events.v1.order_events_pb2 import ORDER_STATUS_PENDING, OrderCreated, OrderLine, OrderStatusChanged
from holidaypeak.events.v1.payment_events_pb2 import PaymentSucceeded
from holidaypeak.events.v1.product_events_pb2 import ProductArchived
from holidaypeak.events.v1.return_events_pb2 import ReturnRefunded
from holidaypeak.events.v1.shipment_events_pb2 import ShipmentCreated
from holidaypeak.events.v1.user_events_pb2 import UserRegistered
from hph.runtime.clock import from_iso
from hph.runtime.eventlog import LoggedEvent, Position, SqliteEventLog, create_topics, partition_for
from hph.runtime.events import (
    EVENT_TOPICS,
    IS_OUTBOX,
    NOT_OUTBOX,
    PENDING,
    TOPIC_PARTITIONS,
    TOPICS,
    OutboxRelay,
    decode_envelope,
    is_outbox,
    new_event,
    outbox_op,
    outbox_ops,
    payload_of,
    topic_of,
)
from hph.runtime.storage import (
    BatchError,
    Container,
    CreateOp,
    Document,
    Eq,
    Not,
    Query,
    ReplaceOp,
    SqliteDocumentStore,
)
from tests.support.clocks import ManualClock

T0 = datetime(2025, 11, 28, 9, 30, tzinfo=UTC)


class Appended:
    """The relay's `on_appended`: records the events it appended, in order, and wakes waiters."""

    def __init__(self) -> None:
        self.events: list[LoggedEvent] = []
        self.arrived = asyncio.Event()

    def __call__(self, events: list[LoggedEvent]) -> None:
        self.events.extend(events)
        self.arrived.set()

    @property
    def ids(self) -> list[str]:
        return [event.envelope.event_id for event in self.events]

    async def until(self, count: int) -> None:
        while len(self.events) < count:
            self.arrived.clear()
            await self.arrived.wait()


@pytest.fixture
async def orders(store: SqliteDocumentStore) -> Container:
    return await store.container("orders", "/user_id")


@pytest.fixture
async def log(tmp_path: Path) -> AsyncIterator[SqliteEventLog]:
    """The event log the relay appends to; order-events in one partition, so order is global."""
    opened = await SqliteEventLog.open(tmp_path / "events.sqlite3")
    await create_topics(opened, {**TOPIC_PARTITIONS, "order-events": 1})
    try:
        yield opened
    finally:
        await opened.close()


async def logged_ids(log: SqliteEventLog, topic: str = "order-events") -> list[str]:
    """The event ids in the topic's first partition, in log order."""
    batch = await log.read(topic, 0, Position.earliest(), max_events=1000)
    return [event.envelope.event_id for event in batch.events]


def order_created(order_id: str, user_id: str = "u1", clock: ManualClock[datetime] | None = None) -> EventEnvelope:
    payload = OrderCreated(
        order_id=order_id,
        user_id=user_id,
        currency_code="USD",
        lines=[OrderLine(sku="TOY-0042", quantity=2, unit_price_minor=1999, line_total_minor=3998)],
        total_minor=3998,
    )
    return new_event(
        payload,
        source="orders",
        subject=f"orders/{order_id}",
        partition_key=order_id,
        clock=clock or ManualClock(T0),
    )


def status_changed(order_id: str, user_id: str = "u1", clock: ManualClock[datetime] | None = None) -> EventEnvelope:
    payload = OrderStatusChanged(order_id=order_id, user_id=user_id, new_status=ORDER_STATUS_PENDING)
    return new_event(
        payload, source="orders", subject=f"orders/{order_id}", partition_key=order_id, clock=clock or ManualClock(T0)
    )


async def commit_order(container: Container, order_id: str, user_id: str, *events: EventEnvelope) -> None:
    """A state change and its events in one transactional batch, as a service writes them."""
    state = {"id": order_id, "user_id": user_id, "kind": "order", "status": "pending"}
    await container.batch(user_id, [CreateOp(state), *outbox_ops(container, events, user_id)])


async def all_docs(container: Container, query: Query) -> list[Document]:
    return (await container.query(query, max_items=1000)).items


# --- envelopes ---------------------------------------------------------------------------------

PAYLOADS: list[tuple[Message, str]] = [
    (OrderCreated(order_id="ORD-1", user_id="u1", currency_code="USD", total_minor=1999), "order-events"),
    (PaymentSucceeded(payment_id="pay-1", order_id="ORD-1", user_id="u1"), "payment-events"),
    (InventoryReserved(sku="TOY-0042", quantity=3, reservation_id="res-1"), "inventory-events"),
    (LowStock(sku="TOY-0042", out_of_stock=True), "inventory-events"),
    (ProductArchived(product_id="TOY-0042", category_id="toys"), "product-events"),
    (UserRegistered(user_id="u1", has_phone=True), "user-events"),
    (ShipmentCreated(shipment_id="shp-1", order_id="ORD-1", user_id="u1"), "shipment-events"),
    (ReturnRefunded(return_id="ret-1", order_id="ORD-1", user_id="u1"), "return-events"),
]


@pytest.mark.parametrize(("payload", "topic"), PAYLOADS, ids=[p.DESCRIPTOR.name for p, _ in PAYLOADS])
def test_new_event_round_trips_payload_and_topic(payload: Message, topic: str) -> None:
    envelope = new_event(
        payload,
        source="orders",
        subject="orders/ORD-1",
        partition_key="ORD-1",
        correlation_id="req-7",
        causation_id="cause-1",
        clock=ManualClock(T0),
    )
    assert uuid.UUID(hex=envelope.event_id).hex == envelope.event_id
    assert envelope.event_type == payload.DESCRIPTOR.full_name
    assert envelope.schema_version == 1
    assert (envelope.source, envelope.subject, envelope.partition_key) == ("orders", "orders/ORD-1", "ORD-1")
    assert (envelope.correlation_id, envelope.causation_id) == ("req-7", "cause-1")
    assert envelope.occurred_at.ToDatetime(tzinfo=UTC) == T0

    wire = EventEnvelope.FromString(envelope.SerializeToString())
    assert topic_of(wire) == topic
    assert payload_of(wire) == payload
    assert type(payload_of(wire)) is type(payload)


def test_event_ids_are_unique() -> None:
    ids = {order_created("ORD-1").event_id for _ in range(100)}
    assert len(ids) == 100


def test_every_event_topic_agrees_with_its_proto_file() -> None:
    """The numbering rule the topic comes from gives the same answer as the file each event is in."""
    oneof = EventEnvelope.DESCRIPTOR.oneofs_by_name["payload"]
    assert len(EVENT_TOPICS) == len(oneof.fields) >= 26
    for field in oneof.fields:
        message = field.message_type
        assert message is not None
        file_stem = message.file.name.rsplit("/", 1)[-1].removesuffix(".proto")
        assert EVENT_TOPICS[message.full_name] == file_stem.replace("_", "-"), field.name
    assert set(EVENT_TOPICS.values()) == set(TOPICS)
    assert TOPICS[0] == "order-events"


def test_new_event_refuses_what_is_not_an_event() -> None:
    with pytest.raises(TypeError):
        new_event(Timestamp(), source="orders", subject="orders/1", partition_key="1")
    with pytest.raises(TypeError):
        new_event(EventEnvelope(), source="orders", subject="orders/1", partition_key="1")
    with pytest.raises(ValueError, match="source"):
        new_event(UserRegistered(user_id="u1"), source="", subject="users/u1", partition_key="u1")
    with pytest.raises(ValueError, match="subject"):
        new_event(UserRegistered(user_id="u1"), source="users", subject="", partition_key="u1")
    with pytest.raises(ValueError, match="partition_key"):
        new_event(UserRegistered(user_id="u1"), source="users", subject="users/u1", partition_key="")


def test_envelope_without_payload_has_no_topic() -> None:
    with pytest.raises(ValueError):
        topic_of(EventEnvelope(event_id="x"))
    with pytest.raises(ValueError):
        payload_of(EventEnvelope(event_id="x"))


# --- outbox records ----------------------------------------------------------------------------


async def test_outbox_op_builds_the_record(orders: Container) -> None:
    envelope = order_created("ORD-1")
    op = outbox_op(orders, envelope, "u1")
    record = op.doc
    assert isinstance(op, CreateOp)
    assert record["id"] == "outbox-" + envelope.event_id
    assert record["kind"] == "outbox"
    assert record["user_id"] == "u1"
    assert record["topic"] == "order-events"
    assert record["event_id"] == envelope.event_id
    assert record["event_type"] == "holidaypeak.events.v1.OrderCreated"
    assert record["sent"] is False
    assert from_iso(record["created_at"]) >= T0
    assert decode_envelope(record) == envelope
    assert is_outbox(record)
    assert not is_outbox({"id": "ORD-1", "kind": "order"})


async def test_outbox_op_follows_nested_partition_key_paths(store: SqliteDocumentStore) -> None:
    nested = await store.container("by_city", "/address/city")
    op = outbox_op(nested, order_created("ORD-1"), "Lisbon")
    assert op.doc["address"] == {"city": "Lisbon"}
    await nested.batch("Lisbon", [op])
    assert len(await all_docs(nested, Query(IS_OUTBOX))) == 1

    colliding = await store.container("by_topic", "/topic")
    with pytest.raises(ValueError, match="collides"):
        outbox_op(colliding, order_created("ORD-1"), "x")


async def test_state_change_and_its_events_commit_in_one_batch(orders: Container) -> None:
    created, changed = order_created("ORD-1"), status_changed("ORD-1")
    await commit_order(orders, "ORD-1", "u1", created, changed)

    assert (await orders.read("ORD-1", "u1"))["status"] == "pending"
    records = await all_docs(orders, Query(PENDING))
    assert {record["event_id"] for record in records} == {created.event_id, changed.event_id}


@pytest.mark.parametrize("failure", ["replace_missing", "create_existing"])
async def test_failing_state_op_leaves_no_outbox_record(orders: Container, failure: str) -> None:
    await orders.create({"id": "ORD-1", "user_id": "u1", "kind": "order", "status": "pending"})
    state_op: CreateOp | ReplaceOp = (
        ReplaceOp({"id": "ORD-404", "user_id": "u1", "kind": "order"})
        if failure == "replace_missing"
        else CreateOp({"id": "ORD-1", "user_id": "u1", "kind": "order"})
    )
    with pytest.raises(BatchError):
        await orders.batch("u1", [state_op, outbox_op(orders, order_created("ORD-1"), "u1")])
    assert await orders.count(Query(IS_OUTBOX)) == 0


async def test_not_outbox_keeps_state_documents_with_or_without_kind(orders: Container) -> None:
    await orders.create({"id": "with-kind", "user_id": "u1", "kind": "order"})
    await orders.create({"id": "without-kind", "user_id": "u1"})
    await orders.batch("u1", [outbox_op(orders, order_created("ORD-1"), "u1")])

    state = await all_docs(orders, Query(NOT_OUTBOX))
    assert sorted(doc["id"] for doc in state) == ["with-kind", "without-kind"]
    # The trap NOT_OUTBOX avoids: Not(Eq) never matches a document lacking the field.
    naive = await all_docs(orders, Query(Not(Eq("kind", "outbox"))))
    assert [doc["id"] for doc in naive] == ["with-kind"]
    assert all(is_outbox(doc) for doc in await all_docs(orders, Query(IS_OUTBOX)))


async def test_outbox_keeps_write_order_under_a_pinned_clock(orders: Container) -> None:
    clock = ManualClock(T0)
    events = [status_changed("ORD-1", clock=clock) for _ in range(20)]
    await orders.batch("u1", outbox_ops(orders, events, "u1"))
    stamps = [op.doc["created_at"] for op in outbox_ops(orders, events[:1], "u1")]
    records = await all_docs(orders, Query(IS_OUTBOX))
    by_time = sorted(records, key=lambda record: record["created_at"])
    assert [record["event_id"] for record in by_time] == [event.event_id for event in events]
    assert len({record["created_at"] for record in records}) == 20
    assert stamps[0] > by_time[-1]["created_at"]


def test_the_topic_registry_names_every_topic_with_its_partitions() -> None:
    assert list(TOPIC_PARTITIONS) == list(TOPICS)
    assert all(1 <= count <= 32 for count in TOPIC_PARTITIONS.values())
    assert TOPIC_PARTITIONS["order-events"] == 8


# --- the relay ---------------------------------------------------------------------------------


async def test_relay_appends_pending_records_in_order_and_marks_them_sent(
    orders: Container, log: SqliteEventLog
) -> None:
    clock = ManualClock(T0)
    written: list[str] = []
    for number, user in enumerate(["u3", "u1", "u2", "u1"]):
        order_id = f"ORD-{number}"
        events = [order_created(order_id, user, clock), status_changed(order_id, user, clock)]
        await commit_order(orders, order_id, user, *events)
        written += [event.event_id for event in events]
        clock.advance(1)

    appended = Appended()
    relay = OutboxRelay(log, [orders], batch_size=3, clock=clock, on_appended=appended)  # several pages
    assert await relay.drain_once() == 8

    assert await logged_ids(log) == written == appended.ids
    records = await all_docs(orders, Query(IS_OUTBOX))
    assert len(records) == 8
    assert all(record["sent"] is True and from_iso(record["sent_at"]) == clock.now for record in records)
    assert await orders.count(Query(PENDING)) == 0

    assert await relay.drain_once() == 0
    assert len(await logged_ids(log)) == 8


async def test_the_envelopes_partition_key_picks_the_partition(orders: Container, tmp_path: Path) -> None:
    log = await SqliteEventLog.open(tmp_path / "partitioned.sqlite3")
    try:
        await create_topics(log, TOPIC_PARTITIONS)
        appended = Appended()
        for number in range(20):
            await commit_order(orders, f"ORD-{number}", "u1", order_created(f"ORD-{number}"))
        assert await OutboxRelay(log, [orders], on_appended=appended).drain_once() == 20
        assert len({event.partition for event in appended.events}) > 1
        for event in appended.events:
            assert event.partition == partition_for(event.envelope.partition_key, TOPIC_PARTITIONS["order-events"])
    finally:
        await log.close()


async def test_new_relay_on_reopened_store_appends_what_was_pending(tmp_path: Path, log: SqliteEventLog) -> None:
    first, second = order_created("ORD-1"), order_created("ORD-2")

    store = await SqliteDocumentStore.open(tmp_path / "hph.sqlite")
    orders = await store.container("orders", "/user_id")
    await commit_order(orders, "ORD-1", "u1", first)
    assert await OutboxRelay(log, [orders]).drain_once() == 1
    await commit_order(orders, "ORD-2", "u2", second)
    await store.close()  # "crash" before any relay saw ORD-2

    reopened = await SqliteDocumentStore.open(tmp_path / "hph.sqlite")
    appended = Appended()
    try:
        relay = OutboxRelay(log, [await reopened.container("orders", "/user_id")], on_appended=appended)
        await relay.start()
        await asyncio.wait_for(appended.until(1), 5)
        await relay.stop()
    finally:
        await reopened.close()
    assert await logged_ids(log) == [first.event_id, second.event_id]


async def test_notify_appends_well_before_the_poll_interval(orders: Container, log: SqliteEventLog) -> None:
    appended = Appended()
    relay = OutboxRelay(log, [orders], poll_interval=30.0, on_appended=appended)
    await relay.start()
    try:
        await asyncio.sleep(1.0)  # the first pass has found nothing; the relay now sleeps (30 s)
        envelope = order_created("ORD-1")
        await commit_order(orders, "ORD-1", "u1", envelope)
        await asyncio.sleep(0.3)
        assert appended.ids == []  # nobody told the relay

        started = time.monotonic()
        relay.notify()
        await asyncio.wait_for(appended.until(1), 5)
        # Far below the 30 s poll interval: the wake-up, not the poll, appended it.
        assert time.monotonic() - started < 3.0
        assert appended.ids == [envelope.event_id] == await logged_ids(log)
    finally:
        await relay.stop()


async def test_failed_append_leaves_the_record_pending(orders: Container, tmp_path: Path) -> None:
    closed = await SqliteEventLog.open(tmp_path / "closed.sqlite3")
    await closed.create_topic("order-events", 1)
    await closed.close()
    await commit_order(orders, "ORD-1", "u1", order_created("ORD-1"))

    assert await OutboxRelay(closed, [orders]).drain_once() == 0
    assert await orders.count(Query(PENDING)) == 1


async def test_unreadable_record_is_set_aside_without_blocking_the_rest(orders: Container, log: SqliteEventLog) -> None:
    bad = outbox_op(orders, order_created("ORD-0"), "u1").doc | {"envelope_b64": "not base64!"}
    await orders.create(bad)
    good = order_created("ORD-1")
    await commit_order(orders, "ORD-1", "u1", good)

    assert await OutboxRelay(log, [orders]).drain_once() == 1
    assert await logged_ids(log) == [good.event_id]
    set_aside = await orders.read(bad["id"], "u1")
    assert set_aside["sent"] is True and "undeliverable" in set_aside


async def test_purge_removes_only_sent_records_past_retention(orders: Container, log: SqliteEventLog) -> None:
    clock = ManualClock(T0)
    relay = OutboxRelay(log, [orders], retention=3600, clock=clock)
    for number in range(3):
        await commit_order(orders, f"ORD-{number}", "u1", order_created(f"ORD-{number}", clock=clock))
    assert await relay.drain_once() == 3  # sent at T0

    clock.advance(3000)
    await commit_order(orders, "ORD-3", "u1", order_created("ORD-3", clock=clock))
    assert await relay.drain_once() == 1  # sent at T0 + 3000 s
    await commit_order(orders, "ORD-4", "u1", order_created("ORD-4", clock=clock))  # never sent

    assert await relay.purge_once() == 0  # nothing is an hour old yet
    clock.advance(601)
    assert await relay.purge_once() == 3

    left = await all_docs(orders, Query(IS_OUTBOX))
    assert sorted(decode_envelope(record).partition_key for record in left) == ["ORD-3", "ORD-4"]
    assert await orders.count(Query(NOT_OUTBOX)) == 5  # state is never purged


def test_a_clock_ahead_of_the_wall_clock_does_not_push_later_records_into_its_future() -> None:
    """A simulated or pinned clock ahead of the wall clock (the history generator's, a test's) stamps
    its records; records stamped by the wall clock afterwards keep their own time, so another
    process's relay finds them settled on its next scan."""
    from datetime import timedelta

    from hph.runtime.events.outbox import _CreationOrder

    order = _CreationOrder()
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert order.next(now + timedelta(days=20)) == now + timedelta(days=20)
    assert order.next(now) == now
    # Within one clock, equal or slightly earlier times still come out strictly increasing.
    assert order.next(now) == now + timedelta(microseconds=1)
    assert order.next(now - timedelta(milliseconds=5)) == now + timedelta(microseconds=2)
