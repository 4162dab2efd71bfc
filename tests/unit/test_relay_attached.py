"""The outbox relay attached to its store: records this process commits are published from memory,
in commit order, without scanning; scans still find what another store object (process) wrote or
what a crashed relay left.

Real SQLite stores and a real SQLite event log in tmp_path throughout. Two thin wrappers at the
boundaries: `ScanCounting` delegates every call to the real SQLite container and counts the relay's
pending-record scans, and `FlakyLog` forwards to the real log but refuses its first N appends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest
import test_events_outbox as outbox_suite
from test_events_outbox import T0, commit_order, order_created

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.eventlog import LoggedEvent, SqliteEventLog
from hph.runtime.events import PENDING, OutboxRelay, outbox_op
from hph.runtime.storage import (
    And,
    BatchOperation,
    Container,
    CreateOp,
    Document,
    Page,
    Query,
    SqliteDocumentStore,
)
from tests.support.clocks import ManualClock

# The event runtime suite's fixtures: its orders container and a log (the store is tests/support/fixtures.py)
orders = outbox_suite.orders
log = outbox_suite.log

# Far longer than any test: a record published before this elapses was not found by a periodic scan.
NEVER = 3600.0


class ScanCounting:
    """The real container, counting the relay's scans for pending records (and its purge queries)."""

    def __init__(self, inner: Container) -> None:
        self.inner = inner
        self.scans = 0
        self.other_queries = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def partition_key_path(self) -> str:
        return self.inner.partition_key_path

    async def read(self, id: str, partition_key: str) -> Document:
        return await self.inner.read(id, partition_key)

    async def create(self, doc: Document) -> Document:
        return await self.inner.create(doc)

    async def replace(self, doc: Document, *, if_match: str | None = None) -> Document:
        return await self.inner.replace(doc, if_match=if_match)

    async def upsert(self, doc: Document, *, if_match: str | None = None) -> Document:
        return await self.inner.upsert(doc, if_match=if_match)

    async def delete(self, id: str, partition_key: str, *, if_match: str | None = None) -> None:
        await self.inner.delete(id, partition_key, if_match=if_match)

    async def query(
        self,
        query: Query,
        *,
        partition_key: str | None = None,
        max_items: int = 100,
        continuation: str | None = None,
    ) -> Page:
        where = query.where
        # A scan: every pending record, or (periodic scans) those older than a cutoff.
        if where == PENDING or (isinstance(where, And) and PENDING in where.terms):
            self.scans += 1
        else:
            self.other_queries += 1
        return await self.inner.query(
            query, partition_key=partition_key, max_items=max_items, continuation=continuation
        )

    async def count(self, query: Query, *, partition_key: str | None = None) -> int:
        return await self.inner.count(query, partition_key=partition_key)

    async def batch(self, partition_key: str, operations: Sequence[BatchOperation]) -> list[Document | None]:
        return await self.inner.batch(partition_key, operations)


class FlakyLog:
    """Forwards to a real event log, but refuses the first `failures` appends; records what got in."""

    def __init__(self, inner: SqliteEventLog, failures: int = 0) -> None:
        self._inner = inner
        self.failures = failures
        self.attempts = 0
        self.published: list[str] = []

    async def append(self, topic: str, envelopes: EventEnvelope | Sequence[EventEnvelope]) -> list[LoggedEvent]:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ConnectionError(f"append {self.attempts} refused")
        logged = await self._inner.append(topic, envelopes)
        self.published += [event.envelope.event_id for event in logged]
        return logged

    def __getattr__(self, name: str) -> object:  # the rest of the port, untouched
        return getattr(self._inner, name)


async def until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Polls `condition` (the relay runs in its own task; there is no event to wait on); the bound
    only fails a stuck relay, so it leaves room for a machine busy with the rest of the suite."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def until_nothing_pending(container: Container, seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while await container.count(Query(PENDING)):  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def pending_ids(container: Container) -> list[str]:
    """The pending records' event ids (read past the counting wrapper: this is not the relay's scan)."""
    real = container.inner if isinstance(container, ScanCounting) else container
    return [record["event_id"] for record in (await real.query(Query(PENDING), max_items=1000)).items]


def attached_relay(
    to: FlakyLog | SqliteEventLog, attached_to: SqliteDocumentStore, container: ScanCounting
) -> OutboxRelay:
    """A relay attached to `attached_to`, not started: the test drives its passes by hand."""
    relay = OutboxRelay(to, [container], poll_interval=NEVER)
    relay.attach(attached_to)
    return relay


async def commit_two_orders(container: ScanCounting) -> tuple[EventEnvelope, EventEnvelope]:
    """Commits ORD-1 (u1) then ORD-2 (u2), each with its OrderCreated; returns the two events."""
    first, second = order_created("ORD-1", "u1"), order_created("ORD-2", "u2")
    await commit_order(container, "ORD-1", "u1", first)
    await commit_order(container, "ORD-2", "u2", second)
    return first, second


async def started_relay(
    to: FlakyLog | SqliteEventLog, attached_to: SqliteDocumentStore, container: ScanCounting
) -> OutboxRelay:
    """A relay attached to `attached_to` that has finished its first pass (one scan, one purge)."""
    relay = OutboxRelay(to, [container], poll_interval=NEVER, purge_interval=NEVER)
    relay.attach(attached_to)
    await relay.start()
    await until(lambda: container.other_queries >= 1)  # the purge that follows the first scan
    assert container.scans == 1
    return relay


@pytest.fixture
def counted(orders: Container) -> ScanCounting:
    return ScanCounting(orders)


async def run_stopping(relay: OutboxRelay, body: Callable[[], Awaitable[None]]) -> None:
    try:
        await body()
    finally:
        await relay.stop(drain=False)


# --- the hot path ------------------------------------------------------------------------------


async def test_a_commit_is_published_promptly_without_a_scan_or_notify(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    recorder = FlakyLog(log)
    relay = await started_relay(recorder, store, counted)

    async def body() -> None:
        envelope = order_created("ORD-1")
        started = time.monotonic()
        await commit_order(counted, "ORD-1", "u1", envelope)  # no relay.notify()
        await until(lambda: len(recorder.published) == 1)
        assert time.monotonic() - started < 3.0
        assert recorder.published == [envelope.event_id]
        await until_nothing_pending(counted)  # marked sent
        assert counted.scans == 1  # only the start-up scan ran

    await run_stopping(relay, body)


async def test_commits_are_published_in_commit_order_not_creation_order(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    recorder = FlakyLog(log)
    # Records stamped A < B < C (created_at, what a scan orders by) but committed C, A, B.
    clock = ManualClock(T0)
    envelopes = {}
    records: dict[str, CreateOp] = {}
    for name, user in [("A", "u1"), ("B", "u2"), ("C", "u3")]:
        envelopes[name] = order_created(f"ORD-{name}", user, clock)
        records[name] = outbox_op(counted, envelopes[name], user)
        clock.advance(1)
    relay = await started_relay(recorder, store, counted)

    async def body() -> None:
        for name, user in [("C", "u3"), ("A", "u1"), ("B", "u2")]:
            state = {"id": f"ORD-{name}", "user_id": user, "kind": "order"}
            await counted.batch(user, [CreateOp(state), records[name]])
        await until(lambda: len(recorder.published) == 3)
        assert recorder.published == [envelopes[name].event_id for name in "CAB"]
        assert counted.scans == 1

    await run_stopping(relay, body)


async def test_several_events_of_several_commits_keep_commit_order(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    recorder = FlakyLog(log)
    relay = await started_relay(recorder, store, counted)

    async def body() -> None:
        written: list[str] = []
        for number, user in enumerate(["u3", "u1", "u2", "u1", "u3"]):
            events = [order_created(f"ORD-{number}", user), order_created(f"ORD-{number}b", user)]
            await commit_order(counted, f"ORD-{number}", user, *events)
            written += [event.event_id for event in events]
        await until(lambda: len(recorder.published) == len(written))
        assert recorder.published == written
        assert counted.scans == 1

    await run_stopping(relay, body)


async def test_records_of_unregistered_containers_and_state_documents_are_not_queued(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    relay = attached_relay(FlakyLog(log), store, counted)
    elsewhere = await store.container("carts", "/user_id")

    await elsewhere.batch("u1", [outbox_op(elsewhere, order_created("ORD-9"), "u1")])
    await counted.create({"id": "ORD-1", "user_id": "u1", "kind": "order", "sent": False})

    assert await relay.drain_committed() == 0
    assert counted.scans == 0


# --- failures ----------------------------------------------------------------------------------


async def test_a_failed_publish_keeps_the_record_and_those_behind_it_queued(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    flaky = FlakyLog(log, failures=1)
    relay = attached_relay(flaky, store, counted)
    first, second = await commit_two_orders(counted)

    assert await relay.drain_committed() == 0
    assert flaky.attempts == 1  # nothing behind the failed record was tried ahead of it
    assert sorted(await pending_ids(counted)) == sorted([first.event_id, second.event_id])

    third = order_created("ORD-3", "u1")
    await commit_order(counted, "ORD-3", "u1", third)
    assert await relay.drain_committed() == 3  # the next pass, from memory
    assert flaky.published == [first.event_id, second.event_id, third.event_id]
    assert await pending_ids(counted) == []
    assert counted.scans == 0


async def test_a_running_relay_retries_a_failed_record_before_the_next_commit(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    flaky = FlakyLog(log, failures=1)
    relay = await started_relay(flaky, store, counted)

    async def body() -> None:
        first = order_created("ORD-1", "u1")
        await commit_order(counted, "ORD-1", "u1", first)
        await until(lambda: flaky.attempts == 1)  # refused
        assert flaky.published == []
        second = order_created("ORD-2", "u2")
        await commit_order(counted, "ORD-2", "u2", second)  # wakes the relay: the next pass
        await until(lambda: len(flaky.published) == 2)
        assert flaky.published == [first.event_id, second.event_id]
        assert counted.scans == 1

    await run_stopping(relay, body)


async def test_a_failed_record_is_retried_on_its_own_without_another_commit(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    flaky = FlakyLog(log, failures=2)
    relay = OutboxRelay(flaky, [counted], poll_interval=NEVER, purge_interval=NEVER, retry_interval=0.05)
    relay.attach(store)
    await relay.start()
    await until(lambda: counted.other_queries >= 1)

    async def body() -> None:
        event = order_created("ORD-1", "u1")
        await commit_order(counted, "ORD-1", "u1", event)
        await until(lambda: flaky.published == [event.event_id])
        assert flaky.attempts == 3 and counted.scans == 1  # two refusals, then sent; no scan needed

    await run_stopping(relay, body)


async def test_a_record_queued_and_found_by_a_scan_is_published_once(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    # The queue's attempt fails; the scan in the same drain_once publishes both records.
    flaky = FlakyLog(log, failures=1)
    relay = attached_relay(flaky, store, counted)
    first, second = await commit_two_orders(counted)

    assert await relay.drain_once() == 2
    assert counted.scans == 1
    assert flaky.published == [first.event_id, second.event_id]
    # ... and they left the queue: neither the hot path nor another scan publishes them again.
    assert await relay.drain_committed() == 0
    assert await relay.drain_once() == 0
    assert flaky.published == [first.event_id, second.event_id]
    assert await pending_ids(counted) == []


async def test_a_queued_record_published_by_drain_once_is_not_published_again(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    flaky = FlakyLog(log)
    relay = attached_relay(flaky, store, counted)
    envelope = order_created("ORD-1")
    await commit_order(counted, "ORD-1", "u1", envelope)

    assert await relay.drain_once() == 1
    assert await relay.drain_once() == 0
    assert await relay.drain_committed() == 0
    assert flaky.published == [envelope.event_id]


# --- what this store object was not told about -------------------------------------------------


async def test_commits_of_another_store_object_are_found_by_a_scan(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    flaky = FlakyLog(log)
    relay = attached_relay(flaky, store, counted)
    other = await SqliteDocumentStore.open(store.path)  # another process, as far as listeners go
    try:
        envelope = order_created("ORD-1")
        await commit_order(await other.container("orders", "/user_id"), "ORD-1", "u1", envelope)
    finally:
        await other.close()

    assert await relay.drain_committed() == 0  # never told
    assert await relay.drain_once() == 1
    assert flaky.published == [envelope.event_id]
    assert await pending_ids(counted) == []


async def test_a_running_relay_finds_another_processs_commit_on_its_poll(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    flaky = FlakyLog(log)
    relay = OutboxRelay(flaky, [counted], poll_interval=0.2, purge_interval=NEVER)
    relay.attach(store)
    await relay.start()

    async def body() -> None:
        await until(lambda: counted.other_queries >= 1)  # the first pass (scan, then purge) is over
        scans_before = counted.scans
        other = await SqliteDocumentStore.open(store.path)
        try:
            envelope = order_created("ORD-1")
            await commit_order(await other.container("orders", "/user_id"), "ORD-1", "u1", envelope)
        finally:
            await other.close()
        await until(lambda: flaky.published == [envelope.event_id])
        assert counted.scans > scans_before  # a periodic scan found it: nobody told this relay

    await run_stopping(relay, body)


async def test_a_new_relay_publishes_what_an_old_one_queued_but_never_published(
    tmp_path: Path, log: SqliteEventLog
) -> None:
    path = tmp_path / "hph.sqlite"
    first_store = await SqliteDocumentStore.open(path)
    dead = FlakyLog(log, failures=1_000_000)  # the old process never gets a publish out
    old = OutboxRelay(dead, [await first_store.container("orders", "/user_id")], poll_interval=NEVER)
    old.attach(first_store)
    envelopes = [order_created("ORD-1", "u1"), order_created("ORD-2", "u2")]
    orders_then = await first_store.container("orders", "/user_id")
    for envelope, user in zip(envelopes, ["u1", "u2"], strict=True):
        await commit_order(orders_then, envelope.partition_key, user, envelope)
    assert await old.drain_committed() == 0
    await first_store.close()  # the "crash": the old relay's queue is gone with it

    second_store = await SqliteDocumentStore.open(path)
    try:
        counted = ScanCounting(await second_store.container("orders", "/user_id"))
        alive = FlakyLog(log)
        relay = await started_relay(alive, second_store, counted)
        await until(lambda: len(alive.published) == 2)
        await relay.stop(drain=True)
        assert alive.published == [envelope.event_id for envelope in envelopes]
        assert await pending_ids(counted) == []
    finally:
        await second_store.close()


async def test_stop_with_drain_publishes_what_is_still_queued(
    store: SqliteDocumentStore, counted: ScanCounting, log: SqliteEventLog
) -> None:
    flaky = FlakyLog(log, failures=1)
    relay = await started_relay(flaky, store, counted)
    envelope = order_created("ORD-1")
    await commit_order(counted, "ORD-1", "u1", envelope)
    await until(lambda: flaky.attempts == 1)  # refused; the relay sleeps until NEVER

    await relay.stop(drain=True)

    assert flaky.published == [envelope.event_id]
    assert await pending_ids(counted) == []
