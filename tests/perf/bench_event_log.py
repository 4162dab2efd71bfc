"""Event log throughput, SQLite and Redis Streams side by side: appended and consumed events per
second, through the bare log and through the platform's own paths (the outbox relay, the consumer
framework), and a consumer group's lag under load.

For each adapter: a fresh log (a temp SQLite file; a private redis-server on a free port), one topic
of `--partitions` partitions, OrderCreated envelopes over 1,000 order keys, and a SQLite store in a
temp dir for the framework's ledger (the storage `hph up` uses). Measured, in order:

- log append: `--events` envelopes appended in batches of `--batch` by one appender;
- log read: those consumed by one group by hand (every partition read in pages of `--page` events, a
  checkpoint after each page), with the group's lag before and after;
- relay: `--events` outbox records committed (a hundred per storage batch), then appended to the log
  by the relay's hot path, `OutboxRelay.drain_committed` (decode, one append per topic per batch of
  `--batch`, mark sent);
- framework: the backlog of `--events` consumed by one consumer group through `EventConsumers`
  (per-partition workers, a ledger read and mark per event, a checkpoint per batch of
  HPH_CONSUMER_BATCH_SIZE's default) with a handler that counts, until `wait_until_caught_up`;
- under load: `--rate` events/s appended for `--seconds` (batches of `--batch`, waking the workers
  as the relay does) while the group consumes; its lag sampled every 100 ms (median and largest),
  and how long it took to catch up once appending stopped.

    .venv/bin/python tests/perf/bench_event_log.py --events 20000 --rate 5000 --seconds 5

The target (issue #11): at least 5,000 events/s appended and consumed by one group on each adapter.
Not a test: a measurement (2 cores shared with the redis-server).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from holidaypeak.events.v1.order_events_pb2 import OrderCreated, OrderLine
from hph.runtime.consumers import ConsumerGroup, ConsumerSettings, Delivery, EventConsumers, Subscription
from hph.runtime.eventlog import EventLog, Position, SqliteEventLog
from hph.runtime.eventlog.redis_streams import RedisEventLog
from hph.runtime.events import OutboxRelay, new_event, outbox_ops
from hph.runtime.storage import MAX_BATCH_OPERATIONS, SqliteDocumentStore
from tests.support.redis_server import running_redis_server

TOPIC = "order-events"
GROUP = "bench"


@dataclass
class Figures:
    adapter: str
    appended_per_s: float
    consumed_per_s: float
    lag_before: int
    lag_after: int
    relay_per_s: float = 0.0
    framework_per_s: float = 0.0
    load_per_s: float = 0.0
    lag_median: float = 0.0
    lag_max: int = 0
    catch_up_s: float = 0.0


def envelopes(count: int) -> list[EventEnvelope]:
    return [
        new_event(
            OrderCreated(
                order_id=f"order-{n % 1000}",
                user_id=f"user-{n % 97}",
                lines=[OrderLine(sku=f"sku-{n % 300}", quantity=1)],
            ),
            source="orders",
            subject=f"orders/order-{n % 1000}",
            partition_key=f"order-{n % 1000}",
        )
        for n in range(count)
    ]


async def measure(name: str, log: EventLog, events: list[EventEnvelope], args: argparse.Namespace) -> Figures:
    await log.create_topic(TOPIC, args.partitions)
    started = time.perf_counter()
    for offset in range(0, len(events), args.batch):
        await log.append(TOPIC, events[offset : offset + args.batch])
    appended = time.perf_counter() - started
    lag_before = sum(entry.events for entry in await log.lag(GROUP, TOPIC))

    started = time.perf_counter()
    consumed = 0
    for partition in range(args.partitions):
        position = Position.earliest()
        while True:
            batch = await log.read(TOPIC, partition, position, max_events=args.page)
            if not batch.events:
                break
            consumed += len(batch.events)
            await log.checkpoint(GROUP, TOPIC, partition, batch.events[-1].sequence)
            position = batch.next_position
    consuming = time.perf_counter() - started
    assert consumed == len(events), (consumed, len(events))
    lag_after = sum(entry.events for entry in await log.lag(GROUP, TOPIC))
    figures = Figures(name, len(events) / appended, consumed / consuming, lag_before, lag_after)
    with tempfile.TemporaryDirectory() as scratch:
        store = await SqliteDocumentStore.open(Path(scratch) / "hph.sqlite3")
        try:
            figures.relay_per_s = await relay(log, store, args)
            await framework(log, store, args, figures)
        finally:
            await store.close()
    await log.close()
    return figures


async def relay(log: EventLog, store: SqliteDocumentStore, args: argparse.Namespace) -> float:
    """Events/s the outbox relay appends on its hot path (attached to the store, as the host runs
    it): outbox records committed beforehand, then one pass over what it was told of."""
    orders = await store.container("orders", "/user_id")
    outbox = OutboxRelay(log, [orders], batch_size=args.batch)
    outbox.attach(store)
    fresh = envelopes(args.events)
    for offset in range(0, len(fresh), MAX_BATCH_OPERATIONS):
        chunk = fresh[offset : offset + MAX_BATCH_OPERATIONS]
        await orders.batch(f"user-{offset}", outbox_ops(orders, chunk, f"user-{offset}"))
    started = time.perf_counter()
    appended = await outbox.drain_committed()
    elapsed = time.perf_counter() - started
    assert appended == len(fresh), (appended, len(fresh))
    return appended / elapsed


async def framework(log: EventLog, store: SqliteDocumentStore, args: argparse.Namespace, figures: Figures) -> None:
    """The consumer framework: a backlog consumed by one group, then consuming under a steady load."""
    handled = 0

    async def count(delivery: Delivery) -> None:
        nonlocal handled
        handled += 1

    group = f"framework-{uuid.uuid4().hex[:8]}"
    backlog = sum(entry.events for entry in await log.lag(group, TOPIC))  # every event appended so far
    consumers = await EventConsumers.open(log, store, settings=ConsumerSettings(), consumer="bench")
    consumers.declare(ConsumerGroup(group, (Subscription.to(TOPIC, count),)))
    started = time.perf_counter()
    await consumers.start()
    await consumers.wait_until_caught_up(within=600)
    figures.framework_per_s = handled / (time.perf_counter() - started)
    assert handled == backlog, (handled, backlog)

    # Under load: a steady appender, the lag sampled while it runs.
    load = envelopes(int(args.rate * args.seconds))
    samples: list[int] = []
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            samples.append(sum(entry.events for entry in await log.lag(group, TOPIC)))
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    handled = 0
    started = time.perf_counter()
    for number, offset in enumerate(range(0, len(load), args.batch)):
        consumers.notify(await log.append(TOPIC, load[offset : offset + args.batch]))
        await asyncio.sleep(max(0.0, started + (number + 1) * args.batch / args.rate - time.perf_counter()))
    appended_at = time.perf_counter()
    await consumers.wait_until_caught_up(within=600)
    finished = time.perf_counter()
    done.set()
    await sampler
    await consumers.stop()
    assert handled == len(load), (handled, len(load))
    figures.load_per_s = handled / (finished - started)
    figures.lag_median = statistics.median(samples)
    figures.lag_max = max(samples)
    figures.catch_up_s = finished - appended_at


async def run(args: argparse.Namespace) -> list[Figures]:
    events = envelopes(args.events)
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as servers:
        url = servers.enter_context(running_redis_server(Path(scratch) / "redis"))
        adapters: list[tuple[str, Callable[[], Awaitable[EventLog]]]] = [
            ("sqlite", lambda: _sqlite(Path(scratch) / "events.sqlite3")),
            ("redis-streams", lambda: _redis(url)),
        ]
        return [await measure(name, await opener(), events, args) for name, opener in adapters]


async def _sqlite(path: Path) -> EventLog:
    return await SqliteEventLog.open(path)


async def _redis(url: str) -> EventLog:
    return RedisEventLog.connect(url, key_prefix="bench:")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100, help="events per append call")
    parser.add_argument("--page", type=int, default=1000, help="events per read (max_events)")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--rate", type=float, default=5000.0, help="events/s appended under load")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long the load lasts")
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    print(f"{args.events} events, batches of {args.batch}, pages of {args.page}, {args.partitions} partitions")
    print("events/s:")
    print(
        f"{'adapter':<14} {'log append':>11} {'log read':>11} {'relay':>11} {'framework':>11}"
        f" {'lag before':>11} {'lag after':>10}"
    )
    for row in figures:
        print(
            f"{row.adapter:<14} {row.appended_per_s:>11,.0f} {row.consumed_per_s:>11,.0f} {row.relay_per_s:>11,.0f}"
            f" {row.framework_per_s:>11,.0f} {row.lag_before:>11} {row.lag_after:>10}"
        )
    print(f"under load: {args.rate:,.0f} events/s appended for {args.seconds:g} s, one group consuming (framework)")
    print(f"{'adapter':<14} {'consumed/s':>11} {'lag median':>11} {'lag max':>8} {'catch-up s':>11}")
    for row in figures:
        print(
            f"{row.adapter:<14} {row.load_per_s:>11,.0f} {row.lag_median:>11,.0f} {row.lag_max:>8}"
            f" {row.catch_up_s:>11.2f}"
        )


if __name__ == "__main__":
    main()
