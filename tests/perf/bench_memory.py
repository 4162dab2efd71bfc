"""Memory tiers side by side: the cost of a read answered by each tier, and of a put written
through or behind, with the in-process hot tier and with Redis (a private redis-server).

For each hot tier: `--keys` JSON values of about 300 bytes are put, then each key is read once from
each tier: hot (right after the put), warm (another memory over the same store: an empty hot tier,
each read then promoted), cold (after the archive pass moved every key to the cold files). Figures
are microseconds per operation (mean of one pass over all keys) and ratios to the in-process hot
read, all from one run.

    .venv/bin/python tests/perf/bench_memory.py --keys 2000

Not a test: a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

from hph.runtime.memory import HotTier, LocalHotTier, Memory, Policy, RedisHotTier
from hph.runtime.storage import SqliteDocumentStore
from tests.support.clocks import ManualClock
from tests.support.memory_tiers import ARCHIVE_AFTER_SECONDS, HOT_SECONDS, clock_at_start, tiered_memory
from tests.support.redis_server import running_redis_server

VALUE = {"ids": [f"TOY-{n:04d}" for n in range(20)], "total": 20, "explanation": "x" * 80}


async def per_op_us(keys: list[str], operation: Callable[[str], Awaitable[object]]) -> float:
    started = time.perf_counter()
    for key in keys:
        await operation(key)
    return (time.perf_counter() - started) / len(keys) * 1e6


async def measure(name: str, make_hot: Callable[[], HotTier], folder: Path, count: int) -> dict[str, float]:
    clock: ManualClock[datetime] = clock_at_start()
    store = await SqliteDocumentStore.open(folder / "hub.sqlite")
    keys = [f"q:{n}" for n in range(count)]
    figures: dict[str, float] = {}
    try:
        memory = await tiered_memory(store, folder / "cold", clock, hot=make_hot())
        through = memory.namespace("bench", "through")
        behind = memory.namespace("bench", "behind", Policy(write_behind=True))
        figures["put write-through"] = await per_op_us(keys, lambda key: through.put(key, VALUE))
        figures["put write-behind"] = await per_op_us(keys, lambda key: behind.put(key, VALUE))
        figures["get hot"] = await per_op_us(keys, through.get)

        reader: Memory = await tiered_memory(store, folder / "cold", clock, hot=make_hot())
        if name == "redis":
            clock.advance(HOT_SECONDS)  # Redis is shared: let the hot copies age out first
        figures["get warm (+promote)"] = await per_op_us(keys, reader.namespace("bench", "through").get)

        clock.advance(ARCHIVE_AFTER_SECONDS + HOT_SECONDS)
        started = time.perf_counter()
        report = await reader.archive_once()
        figures["archive per record"] = (time.perf_counter() - started) / max(1, report.archived) * 1e6
        cold_reader = await tiered_memory(store, folder / "cold", clock, hot=make_hot())
        figures["get cold (+promote)"] = await per_op_us(keys, cold_reader.namespace("bench", "through").get)
        await memory.hot.close()
        await reader.hot.close()
        await cold_reader.hot.close()
    finally:
        await store.close()
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keys", type=int, default=2000, help="keys put and read per tier (default 2000)")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        url = stack.enter_context(running_redis_server(root / "redis-server"))
        for name, make_hot in (
            ("local", lambda: LocalHotTier(256 * 1024 * 1024)),
            ("redis", lambda: RedisHotTier.connect(url, "bench:memory:")),
        ):
            folder = root / name
            folder.mkdir()
            results[name] = await measure(name, make_hot, folder, args.keys)
    baseline = results["local"]["get hot"]
    print(f"{'operation':24} {'local us':>10} {'redis us':>10} {'local x':>8} {'redis x':>8}  (x = / local hot get)")
    for operation in results["local"]:
        local, redis = results["local"][operation], results["redis"][operation]
        print(f"{operation:24} {local:10.1f} {redis:10.1f} {local / baseline:8.1f} {redis / baseline:8.1f}")


if __name__ == "__main__":
    asyncio.run(main())
