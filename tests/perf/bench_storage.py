"""The storage adapters side by side: the calls the services make most, each timed on SQLite (a temp
file) and on PostgreSQL (a temp database on HPH_TEST_POSTGRES_DSN, default the local server).

    .venv/bin/python tests/perf/bench_storage.py --documents 2000 --concurrency 1,16

Per adapter and concurrency: calls/s and p50/p99 of a point read, a create, an etag-guarded replace,
a two-operation batch (state + outbox record, what a commit writes), and a one-partition query page
ordered by time (a customer's orders). PostgreSQL's figures include the round trip to the server
and, with its default synchronous_commit=on, the WAL flush of every commit; the temp database keeps
that default (unlike the test suite's) so the figure is the durable one.

Not a test: a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from hph.runtime.storage import (
    Container,
    CreateOp,
    DocumentStore,
    Eq,
    OrderBy,
    Query,
    ReplaceOp,
    SqliteDocumentStore,
)
from hph.runtime.storage.postgres import PostgresDocumentStore
from tests.support import postgres

USERS = 50


@asynccontextmanager
async def sqlite_store() -> AsyncIterator[DocumentStore]:
    with tempfile.TemporaryDirectory(prefix="hph-bench-storage-") as directory:
        store = await SqliteDocumentStore.open(Path(directory) / "hph.sqlite3")
        try:
            yield store
        finally:
            await store.close()


@asynccontextmanager
async def postgres_store() -> AsyncIterator[DocumentStore]:
    name = f"hph_bench_{int(time.time())}"
    admin = await asyncpg.connect(postgres.admin_dsn())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')  # the server's own durability settings
    finally:
        await admin.close()
    try:
        store = await PostgresDocumentStore.open(postgres.dsn_for(name), max_connections=16)
        try:
            yield store
        finally:
            await store.close()
    finally:
        await postgres.drop_database(name)


def order(user: int, n: int) -> dict[str, object]:
    return {
        "id": f"o-{user}-{n}",
        "user_id": f"u{user}",
        "kind": "order",
        "status": "paid",
        "created_at": f"2026-12-{1 + n % 28:02d}T10:{n % 60:02d}:00Z",
        "lines": [{"sku": f"SKU-{n % 97}", "quantity": 1 + n % 3, "unit_price_minor": 1999}],
        "total_minor": 1999 * (1 + n % 3),
    }


async def timed(calls: int, concurrency: int, call: Callable[[int], Awaitable[object]]) -> tuple[float, float, float]:
    """calls/s, p50 ms, p99 ms of `calls` calls, `concurrency` at a time."""
    latencies: list[float] = []
    next_call = 0

    async def worker() -> None:
        nonlocal next_call
        while next_call < calls:
            n = next_call
            next_call += 1
            started = time.perf_counter()
            await call(n)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return calls / elapsed, statistics.median(latencies) * 1000, p99 * 1000


async def bench(
    store: DocumentStore, documents: int, concurrency: int, round_: int
) -> dict[str, tuple[float, float, float]]:
    orders: Container = await store.container(f"orders_{round_}", "/user_id")
    results: dict[str, tuple[float, float, float]] = {}
    results["create"] = await timed(documents, concurrency, lambda n: orders.create(order(n % USERS, n)))
    results["read"] = await timed(documents, concurrency, lambda n: orders.read(f"o-{n % USERS}-{n}", f"u{n % USERS}"))

    async def replace(n: int) -> object:
        user = n % USERS
        current = await orders.read(f"o-{user}-{n}", f"u{user}")
        return await orders.replace({**current, "status": "shipped"}, if_match=current["_etag"])

    results["read+replace"] = await timed(documents, concurrency, replace)

    async def commit(n: int) -> object:
        user = n % USERS
        current = await orders.read(f"o-{user}-{n}", f"u{user}")
        return await orders.batch(
            f"u{user}",
            [
                ReplaceOp({**current, "status": "delivered"}, if_match=current["_etag"]),
                CreateOp({"id": f"evt-{n}", "user_id": f"u{user}", "kind": "outbox", "sent": False}),
            ],
        )

    results["read+batch"] = await timed(documents, concurrency, commit)
    newest = Query(Eq("kind", "order"), order_by=(OrderBy("created_at", descending=True),))
    results["query page"] = await timed(
        documents // 4, concurrency, lambda n: orders.query(newest, partition_key=f"u{n % USERS}", max_items=20)
    )
    return results


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--concurrency", default="1,16", help="comma-separated concurrent callers")
    args = parser.parse_args()
    levels = [int(level) for level in args.concurrency.split(",")]
    reason = await postgres.unavailable_reason()
    adapters = [("sqlite", sqlite_store)] + ([] if reason else [("postgres", postgres_store)])
    if reason:
        print(f"postgres skipped: {reason}", file=sys.stderr)
    print(f"{'adapter':9} {'callers':>7} {'operation':13} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for name, opener in adapters:
        async with opener() as store:
            for round_, level in enumerate(levels):
                for operation, (rate, p50, p99) in (await bench(store, args.documents, level, round_)).items():
                    print(f"{name:9} {level:7d} {operation:13} {rate:9.0f} {p50:8.2f} {p99:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
