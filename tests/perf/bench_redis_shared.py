"""What a request pays for the state hosts share in Redis, per operation, in one process: a rate-limit
check (in-process buckets vs one Lua script in Redis) and a hot cache hit (in-process TtlCache vs
RedisCache's local copy vs a read from Redis), each driven one at a time (latency) and 32 at a time
(CPU per operation on the event loop, what bounds a worker's throughput). Rate-limit checks made
while one is out go to Redis together (redis_limits `_send_batches`), so at 32 at once their cost
is shared; cache reads from Redis are one call each.

    .venv/bin/python tests/perf/bench_redis_shared.py [--operations 20000]

Starts a private redis-server (tests/support/redis_server). Not a test: a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from holidaypeak.commerce.v1 import product_pb2
from hph.gateway.edge import RateLimiter
from hph.gateway.redis_limits import RedisRateLimiter
from hph.runtime.cache import TtlCache
from hph.runtime.redis_cache import RedisCache, proto_codec
from hph.runtime.redis_client import RedisOutage, request_path_client
from tests.support.redis_server import running_redis_server

CONCURRENCY = 32
PRODUCT = product_pb2.Product(id="P-1", name="Glass ornament set", description="x" * 400, tags=["gift", "glass"])


async def timed(operation: Callable[[], Awaitable[object]], count: int, concurrency: int) -> tuple[float, float]:
    """(median latency µs, event-loop CPU µs per operation) of `count` operations, `concurrency` at once."""
    latencies: list[float] = []

    async def worker(share: int) -> None:
        for _ in range(share):
            began = time.perf_counter()
            await operation()
            latencies.append((time.perf_counter() - began) * 1e6)

    cpu_began = time.process_time()
    await asyncio.gather(*(worker(count // concurrency) for _ in range(concurrency)))
    cpu = (time.process_time() - cpu_began) * 1e6 / len(latencies)
    return statistics.median(latencies), cpu


async def run(url: str, count: int) -> list[tuple[str, float, float, float]]:
    rows: list[tuple[str, float, float, float]] = []

    async def measure(name: str, operation: Callable[[], Awaitable[object]]) -> None:
        await timed(operation, 1000, CONCURRENCY)  # warm-up: connections, scripts loaded
        alone, _ = await timed(operation, count // 4, 1)
        _, cpu = await timed(operation, count, CONCURRENCY)
        rows.append((name, alone, cpu, 1e6 / cpu))

    local = RateLimiter(per_ip_per_minute=10**9, per_user_per_minute=10**9, clock=time.monotonic)

    async def local_check() -> int:
        return local.check("10.0.0.1", "shopper-1")

    await measure("rate limit: in-process buckets", local_check)
    shared = RedisRateLimiter.connect(url, per_ip_per_minute=10**9, per_user_per_minute=10**9, timeout_seconds=5.0)
    await measure("rate limit: Redis (Lua, IP + user)", lambda: shared.check("10.0.0.1", "shopper-1"))
    await shared.aclose()
    if shared.fail_open_checks:
        raise SystemExit(f"{shared.fail_open_checks} checks failed open: the figure is not Redis's")

    async def load() -> product_pb2.Product:
        return PRODUCT

    memory: TtlCache[product_pb2.Product] = TtlCache(3600)
    await measure("cache hit: in-process TtlCache", lambda: memory.get_or_load("P-1", load))
    client = request_path_client(url, 5.0)  # a measurement of cost, not of patience
    outage = RedisOutage(logging.getLogger("bench"), "bench", total_field="bench_total")
    codec = proto_codec(product_pb2.Product)
    with_local = RedisCache(client, "l1", codec, ttl_seconds=3600, local_seconds=3600, outage=outage)
    await measure("cache hit: RedisCache local copy (L1)", lambda: with_local.get_or_load("P-1", load))
    redis_only = RedisCache(client, "l2", codec, ttl_seconds=3600, local_seconds=0, outage=outage)
    # Distinct keys, so concurrent reads are not merged into one (single flight) as they are for one key.
    keys = itertools.cycle([f"P-{n}" for n in range(1000)])
    await measure("cache hit: RedisCache from Redis (L2)", lambda: redis_only.get_or_load(next(keys), load))
    await client.aclose()
    if outage.count:
        raise SystemExit(f"{outage.count} cache operations went without Redis: the figures are not Redis's")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operations", type=int, default=20_000, help="operations per figure (default 20000)")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="hph-bench-redis-") as directory,
        running_redis_server(Path(directory)) as url,
    ):
        rows = asyncio.run(run(url, args.operations))
    print(f"\n{args.operations} operations per figure; CPU per operation at {CONCURRENCY} at once\n")
    print("| operation | latency alone, µs (median) | CPU per operation, µs | operations/s per core |")
    print("|---|---|---|---|")
    for name, alone, cpu, rate in rows:
        print(f"| {name} | {alone:.1f} | {cpu:.1f} | {rate:,.0f} |")


if __name__ == "__main__":
    main()
