"""Event log throughput, SQLite and Redis Streams side by side: appended and consumed events per second.

For each adapter: a fresh log (a temp SQLite file; a private redis-server on a free port), one topic
of `--partitions` partitions, `--events` OrderCreated envelopes over 1,000 order keys appended in
batches of `--batch` by one appender, then consumed by one group (every partition read in pages of
`--page` events, a checkpoint after each page), with the group's lag before and after.

    .venv/bin/python tests/perf/bench_event_log.py --events 50000 --batch 100

The target (issue #11): at least 5,000 events/s appended and consumed on each adapter. Not a test: a
measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from holidaypeak.events.v1.order_events_pb2 import OrderCreated, OrderLine
from hph.runtime.eventlog import EventLog, Position, SqliteEventLog
from hph.runtime.eventlog.redis_streams import RedisEventLog
from hph.runtime.events import new_event
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
    await log.close()
    return Figures(name, len(events) / appended, consumed / consuming, lag_before, lag_after)


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
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=100, help="events per append call")
    parser.add_argument("--page", type=int, default=1000, help="events per read (max_events)")
    parser.add_argument("--partitions", type=int, default=8)
    args = parser.parse_args()
    figures = asyncio.run(run(args))
    print(f"{args.events} events, batches of {args.batch}, pages of {args.page}, {args.partitions} partitions")
    print(f"{'adapter':<14} {'appended/s':>11} {'consumed/s':>11} {'lag before':>11} {'lag after':>10}")
    for row in figures:
        print(
            f"{row.adapter:<14} {row.appended_per_s:>11,.0f} {row.consumed_per_s:>11,.0f}"
            f" {row.lag_before:>11} {row.lag_after:>10}"
        )


if __name__ == "__main__":
    main()
