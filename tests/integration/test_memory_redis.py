"""The tiered memory with Redis as its hot tier (a private redis-server, the `redis_url` fixture, each
test under its own key prefix), the real SQLite store as warm tier and local files as cold tier:
promotion on read, demotion of write-behind entries by any process, archive to cold, per-namespace
TTLs, hit ratios, concurrent writers of one key, and the host handing memory to its services."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from hph.runtime.memory import LocalFileColdStore, Memory, Policy, RedisHotTier, WarmTier, open_memory
from hph.runtime.memory.warm import MEMORY
from hph.runtime.settings import Settings
from hph.runtime.storage import SqliteDocumentStore
from tests.support.clocks import ManualClock
from tests.support.memory_tiers import ARCHIVE_AFTER_SECONDS, HOT_SECONDS, clock_at_start, tiered_memory
from tests.support.platform_harness import running_hub

pytestmark = pytest.mark.integration

ANSWERS = ("catalog-search", "answers")
SESSIONS = ("cart-intelligence", "sessions")

OpenMemory = Callable[[], Awaitable[Memory]]


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid.uuid4().hex}:"


@pytest.fixture
async def redis_client(redis_url: str, prefix: str) -> AsyncIterator[aioredis.Redis]:
    """A client to look at the test's keys; removes them afterwards."""
    client = aioredis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture
def clock() -> ManualClock[datetime]:
    return clock_at_start()


@pytest.fixture
async def open_process(
    redis_url: str, prefix: str, store: SqliteDocumentStore, tmp_path: Path, clock: ManualClock[datetime]
) -> AsyncIterator[OpenMemory]:
    """Opens the memory of another "process": its own Redis client and versions, the same Redis
    prefix, store, cold folder and clock."""
    opened: list[Memory] = []

    async def open_one() -> Memory:
        memory = await tiered_memory(store, tmp_path / "cold", clock, hot=RedisHotTier.connect(redis_url, prefix))
        opened.append(memory)
        return memory

    yield open_one
    for memory in opened:
        await memory.hot.close()


async def warm_of(store: SqliteDocumentStore) -> WarmTier:
    return WarmTier(await MEMORY.open(store))


def entry_key(prefix: str, namespace: str, key: str) -> str:
    return f"{prefix}e:{namespace}/{key}"


async def test_a_read_past_the_hot_time_is_answered_by_warm_and_promoted_back_into_redis(
    open_process: OpenMemory, redis_client: aioredis.Redis, prefix: str, clock: ManualClock[datetime]
) -> None:
    memory = await open_process()
    answers = memory.namespace(*ANSWERS)
    await answers.put("q1", {"ids": ["p1"]})
    hot_key = entry_key(prefix, "catalog-search.answers", "q1")
    assert await redis_client.pttl(hot_key) > 0  # a clean entry carries a Redis TTL: warm holds it

    clock.advance(HOT_SECONDS)
    first = await answers.get("q1")
    second = await answers.get("q1")

    assert first is not None and first.tier == "warm" and first.value == {"ids": ["p1"]}
    assert second is not None and second.tier == "hot"
    assert await redis_client.exists(hot_key) == 1
    assert memory.stats().of("catalog-search.answers").promotions == 1


async def test_processes_share_the_redis_hot_tier(open_process: OpenMemory) -> None:
    writer, reader = await open_process(), await open_process()
    await writer.namespace(*SESSIONS, Policy(write_behind=True)).put("s1", {"turn": 3})
    found = await reader.namespace(*SESSIONS, Policy(write_behind=True)).get("s1")
    assert found is not None and found.tier == "hot" and found.value == {"turn": 3}


async def test_a_write_behind_entry_lives_in_redis_without_a_ttl_until_any_process_demotes_it(
    open_process: OpenMemory,
    redis_client: aioredis.Redis,
    prefix: str,
    store: SqliteDocumentStore,
    clock: ManualClock[datetime],
) -> None:
    writer, other = await open_process(), await open_process()
    sessions = writer.namespace(*SESSIONS, Policy(write_behind=True))
    await sessions.put("s1", {"turn": 1})
    await sessions.put("s1", {"turn": 2})
    hot_key = entry_key(prefix, "cart-intelligence.sessions", "s1")
    warm = await warm_of(store)

    assert await redis_client.pttl(hot_key) == -1  # never evicted by a volatile-* policy, never expires
    assert await redis_client.zrange(f"{prefix}dirty", 0, -1) == [b"cart-intelligence.sessions/s1"]
    assert await warm.get("cart-intelligence.sessions", "s1") is None
    assert await other.demote_due() == 0  # not due yet

    clock.advance(HOT_SECONDS)
    assert await other.demote_due() == 1  # the writer need not be alive

    stored = await warm.get("cart-intelligence.sessions", "s1")
    assert stored is not None and stored.record.value() == {"turn": 2}
    assert await redis_client.exists(hot_key) == 0
    assert await redis_client.zcard(f"{prefix}dirty") == 0
    found = await sessions.get("s1")
    assert found is not None and found.tier == "warm" and found.value == {"turn": 2}


async def test_stop_flushes_dirty_redis_entries_that_are_not_due_yet(
    open_process: OpenMemory, redis_client: aioredis.Redis, prefix: str, store: SqliteDocumentStore
) -> None:
    memory = await open_process()
    sessions = memory.namespace(*SESSIONS, Policy(write_behind=True))
    for n in range(3):
        await sessions.put(f"s{n}", n)
    await memory.stop()
    warm = await warm_of(store)
    assert [(await warm.get("cart-intelligence.sessions", f"s{n}")) is not None for n in range(3)] == [True] * 3
    assert await redis_client.zcard(f"{prefix}dirty") == 0
    assert await redis_client.pttl(entry_key(prefix, "cart-intelligence.sessions", "s0")) > 0  # clean now


async def test_archive_to_cold_and_back_up_through_redis(
    open_process: OpenMemory, store: SqliteDocumentStore, tmp_path: Path, clock: ManualClock[datetime]
) -> None:
    memory = await open_process()
    answers = memory.namespace(*ANSWERS)
    await answers.put("old", "archived soon")
    clock.advance(ARCHIVE_AFTER_SECONDS)

    report = await memory.archive_once()

    assert report.archived == 1
    cold = await LocalFileColdStore(tmp_path / "cold").get("catalog-search.answers", "old")
    assert cold is not None and cold.value() == "archived soon"
    assert await (await warm_of(store)).get("catalog-search.answers", "old") is None
    found = await answers.get("old")
    assert found is not None and found.tier == "cold"
    again = await answers.get("old")
    assert again is not None and again.tier == "hot"


async def test_ttls_are_per_namespace_on_redis_too(open_process: OpenMemory, clock: ManualClock[datetime]) -> None:
    memory = await open_process()
    short = memory.namespace("checkout-support", "risk", Policy(ttl=timedelta(seconds=5)))
    long = memory.namespace("checkout-support", "profiles", Policy(ttl=timedelta(seconds=50)))
    await short.put("k", 1)
    await long.put("k", 2)
    clock.advance(6)
    assert await short.get("k") is None
    assert await long.value("k") == 2
    clock.advance(50)
    assert await long.get("k") is None
    assert memory.stats().of("checkout-support.risk").expired == 1
    assert memory.stats().of("checkout-support.profiles").expired == 1


async def test_hit_ratios_with_redis(open_process: OpenMemory, clock: ManualClock[datetime]) -> None:
    memory = await open_process()
    answers = memory.namespace(*ANSWERS)
    await answers.put("a", 1)
    await answers.get("a")  # hot hit
    clock.advance(HOT_SECONDS)
    await answers.get("a")  # hot miss (past its hot time), warm hit, promoted
    await answers.get("a")  # hot hit
    await answers.get("nothing")  # misses everywhere

    stats = memory.stats()
    assert stats.hot_kind == "redis"
    counts = stats.of("catalog-search.answers")
    assert (counts.tiers["hot"].hits, counts.tiers["hot"].misses) == (2, 2)
    assert (counts.tiers["warm"].hits, counts.tiers["warm"].misses) == (1, 1)
    assert (counts.tiers["cold"].hits, counts.tiers["cold"].misses) == (0, 1)
    assert counts.hit_ratio == 0.75 and counts.tiers["hot"].hit_ratio == 0.5


async def test_concurrent_writers_in_two_processes_leave_one_version_in_every_tier(
    open_process: OpenMemory, store: SqliteDocumentStore
) -> None:
    first, second = await open_process(), await open_process()  # same clock: versions differ by writer id
    handles = [m.namespace(*ANSWERS) for m in (first, second)]
    versions = await asyncio.gather(*(handles[n % 2].put("shared", {"writer": n}) for n in range(30)))
    newest = max(versions)

    hot = await first.hot.get("catalog-search.answers", "shared")
    warm = await (await warm_of(store)).get("catalog-search.answers", "shared")
    assert hot is not None and warm is not None
    assert hot.record.version == warm.record.version == newest
    assert hot.record.value() == warm.record.value() == {"writer": versions.index(newest)}


async def test_open_memory_uses_redis_when_a_url_is_configured(
    redis_url: str, prefix: str, redis_client: aioredis.Redis, store: SqliteDocumentStore, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", redis_url=redis_url, memory_redis_prefix=prefix)
    memory = await open_memory(settings, store)
    try:
        assert isinstance(memory.hot, RedisHotTier)
        assert await memory.hot.check_eviction_policy() == "noeviction"  # redis-server's default
        await memory.namespace(*ANSWERS).put("k", "v")
        assert await redis_client.exists(entry_key(prefix, "catalog-search.answers", "k")) == 1
    finally:
        await memory.close()


async def test_the_host_gives_services_a_memory_and_flushes_it_at_stop(tmp_path: Path) -> None:
    async with running_hub(tmp_path / "data", seed=False) as hub:
        memory = hub.platform.deps.memory
        assert memory is not None and memory.hot.kind == "local"
        await memory.namespace(*SESSIONS, Policy(write_behind=True)).put("s1", {"turn": 1})
    store = await SqliteDocumentStore.open(tmp_path / "data" / "hph.sqlite3")
    try:
        stored = await (await warm_of(store)).get("cart-intelligence.sessions", "s1")
        assert stored is not None and stored.record.value() == {"turn": 1}
    finally:
        await store.close()
