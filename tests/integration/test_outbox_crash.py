"""Crash tests of the transactional outbox: a killed process loses no event.

A child Python process commits a state change with its outbox record in one batch and then dies,
either before any relay ran (SIGKILL from this process once the child reports "committed") or between
publishing the event and marking it sent (`os._exit` right after the publish). This process then
opens the same SQLite file, as a restarted service would, and relays what was left.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.events import PENDING, EventBus, Handler, InProcessBus, OutboxRelay, decode_envelope
from hph.runtime.storage import Container, Query, SqliteDocumentStore

pytestmark = pytest.mark.integration

# Shared by the children: commit one order and its OrderCreated event in one batch.
_COMMIT = """
import asyncio, os, sys
from pathlib import Path
from hph.runtime.events import InProcessBus, OutboxRelay, new_event, outbox_op
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

# Publishes through a real relay and bus, then dies before the relay can mark the record sent.
_KILLED_AFTER_PUBLISH = (
    _COMMIT
    + """
class DieAfterPublish:
    def __init__(self, bus):
        self.bus = bus

    async def publish(self, topic, envelope):
        await self.bus.publish(topic, envelope)
        print("published", envelope.event_id, flush=True)
        os._exit(1)

async def main(path):
    orders = await commit(path)
    bus = InProcessBus()
    async def handle(envelope):
        print("handled", envelope.event_id, flush=True)
    bus.subscribe("order-events", "analytics", handle)
    await bus.start()
    await OutboxRelay(DieAfterPublish(bus), [orders]).drain_once()
    print("survived", flush=True)

asyncio.run(main(sys.argv[1]))
"""
)


class Recorder:
    def __init__(self) -> None:
        self.handled: list[str] = []
        self.arrived = asyncio.Event()

    async def __call__(self, envelope: EventEnvelope) -> None:
        self.handled.append(envelope.event_id)
        self.arrived.set()


class PublishThenFail:
    """A bus that delivers and then fails before the relay can mark the record: the crash window
    between publish and mark-sent, inside one process."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus

    async def publish(self, topic: str, envelope: EventEnvelope) -> None:
        await self._bus.publish(topic, envelope)
        raise ConnectionError("lost the acknowledgement")

    def subscribe(self, topic: str, group: str, handler: Handler) -> None:
        self._bus.subscribe(topic, group, handler)

    async def start(self) -> None:
        await self._bus.start()

    async def close(self) -> None:
        await self._bus.close()


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
async def bus() -> AsyncIterator[InProcessBus]:
    started = InProcessBus()
    yield started
    await started.close()


async def pending(orders: Container) -> list[str]:
    records = (await orders.query(Query(PENDING), max_items=100)).items
    return [decode_envelope(record).event_id for record in records]


async def test_event_committed_before_a_kill_is_relayed_after_restart(store_path: Path, bus: InProcessBus) -> None:
    lines, child = await run_child(_KILLED_AFTER_COMMIT, store_path, until="committed")
    event_id = lines[-1].split()[1]
    child.send_signal(signal.SIGKILL)
    assert await child.wait() == -signal.SIGKILL

    recorder = Recorder()
    bus.subscribe("order-events", "analytics", recorder)
    await bus.start()
    store = await SqliteDocumentStore.open(store_path)
    try:
        orders = await store.container("orders", "/user_id")
        assert (await orders.read("ORD-1", "u1"))["status"] == "pending"
        assert await pending(orders) == [event_id]

        relay = OutboxRelay(bus, [orders], poll_interval=30.0)
        await relay.start()  # the first pass resumes what the dead process left
        await asyncio.wait_for(recorder.arrived.wait(), 10)
        await relay.stop()

        assert recorder.handled == [event_id]
        assert await pending(orders) == []
        assert await relay.drain_once() == 0
        assert recorder.handled == [event_id]
    finally:
        await store.close()


async def test_event_published_but_not_marked_before_a_kill_is_delivered_again(
    store_path: Path, bus: InProcessBus
) -> None:
    lines, child = await run_child(_KILLED_AFTER_PUBLISH, store_path, until="published")
    event_id = lines[-1].split()[1]
    assert await child.wait() == 1
    assert f"handled {event_id}" in lines  # the dead process had delivered it

    analytics, fulfilment = Recorder(), Recorder()
    bus.subscribe("order-events", "analytics", analytics)
    bus.subscribe("order-events", "fulfilment", fulfilment)
    await bus.start()
    store = await SqliteDocumentStore.open(store_path)
    try:
        orders = await store.container("orders", "/user_id")
        assert await pending(orders) == [event_id]  # never marked sent

        relay = OutboxRelay(bus, [orders])
        assert await relay.drain_once() == 1
        assert await relay.drain_once() == 0
        # At least once: delivered again after the restart, once per group of this process.
        assert analytics.handled == [event_id]
        assert fulfilment.handled == [event_id]
        assert await pending(orders) == []
    finally:
        await store.close()


async def test_redelivery_after_a_failed_mark_runs_each_group_once(store_path: Path, bus: InProcessBus) -> None:
    analytics, fulfilment = Recorder(), Recorder()
    bus.subscribe("order-events", "analytics", analytics)
    bus.subscribe("order-events", "fulfilment", fulfilment)
    await bus.start()
    lines, child = await run_child(_KILLED_AFTER_COMMIT, store_path, until="committed")
    event_id = lines[-1].split()[1]
    child.send_signal(signal.SIGKILL)
    await child.wait()

    store = await SqliteDocumentStore.open(store_path)
    try:
        orders = await store.container("orders", "/user_id")
        assert await OutboxRelay(PublishThenFail(bus), [orders]).drain_once() == 0
        assert await pending(orders) == [event_id]  # delivered, but not marked
        assert analytics.handled == fulfilment.handled == [event_id]

        restarted = OutboxRelay(bus, [orders])  # a new relay publishes it again ...
        assert await restarted.drain_once() == 1
        assert await pending(orders) == []
        # ... and each group's dedupe turns the redelivery into a no-op.
        assert analytics.handled == fulfilment.handled == [event_id]
    finally:
        await store.close()
