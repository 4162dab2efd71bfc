"""Crash tests of the transactional outbox: a killed process loses no event.

A child Python process commits a state change with its outbox record in one batch and then dies,
either before any relay ran (SIGKILL from this process once the child reports "committed") or between
appending the event to the log and marking it sent (`os._exit` right after the append). This process
then opens the same SQLite files, as a restarted service would, relays what was left, and lets
consumer groups read the log: each handles the event once, however often it was appended.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.consumers import ConsumerSettings, EventConsumers
from hph.runtime.eventlog import LoggedEvent, Position, SqliteEventLog
from hph.runtime.events import PENDING, OutboxRelay, decode_envelope
from hph.runtime.storage import Container, Query, SqliteDocumentStore

pytestmark = pytest.mark.integration

# Shared by the children: commit one order and its OrderCreated event in one batch.
_COMMIT = """
import asyncio, os, sys
from pathlib import Path
from hph.runtime.eventlog import SqliteEventLog
from hph.runtime.events import OutboxRelay, new_event, outbox_op
from hph.runtime.storage import CreateOp, SqliteDocumentStore
from holidaypeak.events.v1.order_events_pb2 import OrderCreated

async def commit(path):
    store = await SqliteDocumentStore.open(Path(path))
    orders = await store.container("orders", "/user_id")
    payload = OrderCreated(order_id="ORD-1", user_id="u1", currency_code="USD", total_minor=3998)
    envelope = new_event(payload, source="orders", subject="orders/ORD-1", partition_key="ORD-1")
    state = {"id": "ORD-1", "user_id": "u1", "kind": "order", "status": "pending"}
    await orders.batch("u1", [CreateOp(state), outbox_op(orders, envelope, "u1")])
    print("committed", envelope.event_id, flush=True)
    return orders
"""

# Dies (SIGKILL from the parent) while idle after the commit: no relay ever ran.
_KILLED_AFTER_COMMIT = (
    _COMMIT
    + """
async def main(path):
    await commit(path)
    await asyncio.sleep(3600)

asyncio.run(main(sys.argv[1]))
"""
)

# Appends through a real relay to the real log, then dies before the relay can mark the record sent.
_KILLED_AFTER_APPEND = (
    _COMMIT
    + """
class DieAfterAppend:
    def __init__(self, log):
        self.log = log

    async def append(self, topic, envelopes):
        logged = await self.log.append(topic, envelopes)
        print("appended", logged[0].envelope.event_id, flush=True)
        os._exit(1)

async def main(path):
    orders = await commit(path)
    log = await SqliteEventLog.open(Path(path).with_name("events.sqlite3"))
    await log.create_topic("order-events", 2)
    await OutboxRelay(DieAfterAppend(log), [orders]).drain_once()
    print("survived", flush=True)

asyncio.run(main(sys.argv[1]))
"""
)


class Recorder:
    def __init__(self) -> None:
        self.handled: list[str] = []

    async def __call__(self, envelope: EventEnvelope) -> None:
        self.handled.append(envelope.event_id)


class AppendThenFail:
    """A log that appends and then fails before the relay can mark the record: the crash window
    between append and mark-sent, inside one process."""

    def __init__(self, log: SqliteEventLog) -> None:
        self._log = log

    async def append(self, topic: str, envelopes: EventEnvelope | list[EventEnvelope]) -> list[LoggedEvent]:
        await self._log.append(topic, envelopes)
        raise ConnectionError("lost the acknowledgement")

    def __getattr__(self, name: str) -> object:
        return getattr(self._log, name)


async def run_child(script: str, store_path: Path, *, until: str) -> tuple[list[str], asyncio.subprocess.Process]:
    """Starts `script` and reads its lines until one starts with `until` (the child keeps running)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, str(store_path), stdout=asyncio.subprocess.PIPE
    )
    assert child.stdout is not None
    lines: list[str] = []
    async with asyncio.timeout(60):
        while not lines or not lines[-1].startswith(until):
            line = (await child.stdout.readline()).decode()
            assert line, f"child ended before {until!r}; said {lines}"
            lines.append(line.strip())
    return lines, child


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "hph.sqlite"


@pytest.fixture
async def log(store_path: Path) -> AsyncIterator[SqliteEventLog]:
    opened = await SqliteEventLog.open(store_path.with_name("events.sqlite3"))
    await opened.create_topic("order-events", 2)
    try:
        yield opened
    finally:
        await opened.close()


async def pending(orders: Container) -> list[str]:
    records = (await orders.query(Query(PENDING), max_items=100)).items
    return [decode_envelope(record).event_id for record in records]


async def logged(log: SqliteEventLog) -> list[str]:
    """Every event id in the log's order-events, however often it is there."""
    ids: list[str] = []
    for partition in range(2):
        batch = await log.read("order-events", partition, Position.earliest(), max_events=100)
        ids += [event.envelope.event_id for event in batch.events]
    return ids


async def consume(log: SqliteEventLog, store: SqliteDocumentStore, **groups: Recorder) -> EventConsumers:
    """Consumer groups (name -> recorder) on the log, started and caught up."""
    consumers = await EventConsumers.open(log, store, settings=ConsumerSettings(poll_interval=0.05))
    for group, recorder in groups.items():
        consumers.subscribe("order-events", group, recorder)
    await consumers.start()
    await consumers.wait_until_caught_up()
    return consumers


async def test_event_committed_before_a_kill_is_relayed_after_restart(store_path: Path, log: SqliteEventLog) -> None:
    lines, child = await run_child(_KILLED_AFTER_COMMIT, store_path, until="committed")
    event_id = lines[-1].split()[1]
    child.send_signal(signal.SIGKILL)
    assert await child.wait() == -signal.SIGKILL

    store = await SqliteDocumentStore.open(store_path)
    try:
        orders = await store.container("orders", "/user_id")
        assert (await orders.read("ORD-1", "u1"))["status"] == "pending"
        assert await pending(orders) == [event_id]

        relay = OutboxRelay(log, [orders], poll_interval=30.0)
        await relay.start()  # the first pass resumes what the dead process left
        await relay.stop()
        assert await logged(log) == [event_id]
        assert await pending(orders) == []
        assert await relay.drain_once() == 0

        recorder = Recorder()
        consumers = await consume(log, store, analytics=recorder)
        await consumers.stop()
        assert recorder.handled == [event_id]
    finally:
        await store.close()


async def test_event_appended_but_not_marked_before_a_kill_is_handled_once_per_group(
    store_path: Path, log: SqliteEventLog
) -> None:
    lines, child = await run_child(_KILLED_AFTER_APPEND, store_path, until="appended")
    event_id = lines[-1].split()[1]
    assert await child.wait() == 1
    assert await logged(log) == [event_id]  # the dead process had appended it

    store = await SqliteDocumentStore.open(store_path)
    try:
        orders = await store.container("orders", "/user_id")
        assert await pending(orders) == [event_id]  # never marked sent

        relay = OutboxRelay(log, [orders])
        assert await relay.drain_once() == 1
        assert await relay.drain_once() == 0
        assert await logged(log) == [event_id, event_id]  # at least once: appended again
        assert await pending(orders) == []

        analytics, fulfilment = Recorder(), Recorder()
        consumers = await consume(log, store, analytics=analytics, fulfilment=fulfilment)
        await consumers.stop()
        # Each group's ledger turns the second copy into a no-op.
        assert analytics.handled == [event_id]
        assert fulfilment.handled == [event_id]
    finally:
        await store.close()


async def test_reappended_after_a_failed_mark_each_group_handles_once(store_path: Path, log: SqliteEventLog) -> None:
    lines, child = await run_child(_KILLED_AFTER_COMMIT, store_path, until="committed")
    event_id = lines[-1].split()[1]
    child.send_signal(signal.SIGKILL)
    await child.wait()

    store = await SqliteDocumentStore.open(store_path)
    try:
        orders = await store.container("orders", "/user_id")
        analytics, fulfilment = Recorder(), Recorder()
        consumers = await consume(log, store, analytics=analytics, fulfilment=fulfilment)
        relay = OutboxRelay(log, [orders], on_appended=consumers.notify)
        assert await OutboxRelay(AppendThenFail(log), [orders]).drain_once() == 0  # type: ignore[arg-type]
        assert await pending(orders) == [event_id]  # appended, but not marked
        await consumers.wait_until_caught_up()
        assert analytics.handled == fulfilment.handled == [event_id]

        assert await relay.drain_once() == 1  # a new relay appends it again ...
        assert await pending(orders) == []
        await consumers.wait_until_caught_up()
        await consumers.stop()
        # ... and each group's ledger turns the redelivery into a no-op.
        assert analytics.handled == fulfilment.handled == [event_id]
        assert await logged(log) == [event_id, event_id]
    finally:
        await store.close()
