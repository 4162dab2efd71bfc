"""The hot tier: TTL expiry, LRU eviction, invalidation, and off when the TTL is zero."""

from __future__ import annotations

import asyncio

import pytest

from hph.runtime.cache import TtlCache
from tests.support.clocks import ManualClock


def test_entries_expire_after_the_ttl() -> None:
    clock = ManualClock(100.0)
    cache: TtlCache[str] = TtlCache(2.0, clock=clock)
    cache.put("a", "x")
    clock.now += 1.9
    assert cache.get("a") == "x"
    clock.now += 0.2
    assert cache.get("a") is None and len(cache) == 0


def test_an_entry_may_expire_sooner_than_the_ttl_never_later() -> None:
    clock = ManualClock(100.0)
    cache: TtlCache[str] = TtlCache(2.0, clock=clock)
    cache.put("soon", "x", expires_at=101.0)
    cache.put("late", "y", expires_at=500.0)
    clock.now = 100.9
    assert cache.get("soon") == "x" and cache.get("late") == "y"
    clock.now = 101.0
    assert cache.get("soon") is None
    clock.now = 102.0
    assert cache.get("late") is None, "the TTL caps what the entry says"


def test_least_recently_used_entries_are_evicted() -> None:
    cache: TtlCache[int] = TtlCache(60, max_entries=2, clock=ManualClock(100.0))
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3


def test_invalidate_and_clear() -> None:
    cache: TtlCache[int] = TtlCache(60, clock=ManualClock(100.0))
    cache.put("a", 1)
    cache.put("b", 2)
    cache.invalidate("a")
    assert cache.get("a") is None and cache.get("b") == 2
    cache.clear()
    assert cache.get("b") is None


def test_zero_ttl_disables_the_cache() -> None:
    cache: TtlCache[int] = TtlCache(0)
    cache.put("a", 1)
    assert not cache.enabled and cache.get("a") is None


# --- get_or_load: single flight and refresh-ahead ---------------------------------------------


class CountingLoader:
    """A load that waits for `release` (so callers can pile up behind it) and counts its calls."""

    def __init__(self, value: str = "v") -> None:
        self.calls = 0
        self.value = value
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self) -> str:
        self.calls += 1
        await self.release.wait()
        return f"{self.value}{self.calls}"


async def test_concurrent_misses_share_one_load() -> None:
    cache: TtlCache[str] = TtlCache(60, clock=ManualClock(100.0))
    load = CountingLoader()
    load.release.clear()
    waiting = [asyncio.ensure_future(cache.get_or_load("k", load)) for _ in range(32)]
    await asyncio.sleep(0)
    load.release.set()
    assert await asyncio.gather(*waiting) == ["v1"] * 32
    assert load.calls == 1 and cache.get("k") == "v1"


async def test_a_hit_late_in_its_life_is_served_and_refreshed_once_in_the_background() -> None:
    clock = ManualClock(100.0)
    cache: TtlCache[str] = TtlCache(4.0, clock=clock)
    load = CountingLoader()
    assert await cache.get_or_load("k", load) == "v1"
    clock.now += 2.9  # not yet in the refresh window (the last quarter)
    assert await cache.get_or_load("k", load) == "v1" and load.calls == 1
    clock.now += 0.2
    load.release.clear()
    assert [await cache.get_or_load("k", load) for _ in range(5)] == ["v1"] * 5  # served, not awaited
    await asyncio.sleep(0)
    assert load.calls == 2  # one refresh for the five hits
    load.release.set()
    await asyncio.sleep(0.01)
    assert cache.get("k") == "v2"
    clock.now += 3.9  # the refreshed entry lives a whole TTL from its refresh
    assert cache.get("k") == "v2"


async def test_fresh_serves_hits_without_loading_and_refreshes_late_ones_like_get_or_load() -> None:
    clock = ManualClock(100.0)
    cache: TtlCache[str] = TtlCache(4.0, clock=clock)
    load = CountingLoader()
    assert cache.fresh("k", load) is None and load.calls == 0  # a miss loads nothing
    assert await cache.get_or_load("k", load) == "v1"
    assert cache.fresh("k", load) == "v1" and load.calls == 1
    clock.now += 3.1  # in the refresh window: served, and refreshed once in the background
    assert [cache.fresh("k", load) for _ in range(3)] == ["v1"] * 3
    await asyncio.sleep(0.01)
    assert load.calls == 2 and cache.fresh("k", load) == "v2"
    clock.now += 4.1
    assert cache.fresh("k", load) is None  # expired


async def test_a_failed_load_reaches_every_waiter_and_stores_nothing() -> None:
    cache: TtlCache[str] = TtlCache(60, clock=ManualClock(100.0))
    calls = 0

    async def failing() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.001)
        raise LookupError("storage down")

    results = await asyncio.gather(*(cache.get_or_load("k", failing) for _ in range(3)), return_exceptions=True)
    assert calls == 1 and all(isinstance(r, LookupError) for r in results)
    assert cache.get("k") is None
    assert await cache.get_or_load("k", CountingLoader()) == "v1"  # the next caller loads afresh


async def test_a_failed_background_refresh_keeps_serving_the_entry(caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock(100.0)
    cache: TtlCache[str] = TtlCache(4.0, clock=clock)
    assert await cache.get_or_load("k", CountingLoader()) == "v1"
    clock.now += 3.5

    async def failing() -> str:
        raise LookupError("storage down")

    assert await cache.get_or_load("k", failing) == "v1"
    await asyncio.sleep(0.01)
    assert cache.get("k") == "v1" and "background refresh" in caplog.text


async def test_a_load_that_began_before_an_invalidation_does_not_store_what_it_read() -> None:
    cache: TtlCache[str] = TtlCache(60, clock=ManualClock(100.0))
    stale = CountingLoader("stale")
    stale.release.clear()
    first = asyncio.ensure_future(cache.get_or_load("k", stale))
    await asyncio.sleep(0)
    cache.invalidate("k")  # a write lands while the read is under way
    fresh = CountingLoader("fresh")
    assert await cache.get_or_load("k", fresh) == "fresh1"  # a new load, not the stale flight
    stale.release.set()
    assert await first == "stale1"
    assert cache.get("k") == "fresh1"


async def test_a_caller_that_gives_up_does_not_cancel_the_shared_load() -> None:
    cache: TtlCache[str] = TtlCache(60, clock=ManualClock(100.0))
    load = CountingLoader()
    load.release.clear()
    impatient = asyncio.ensure_future(cache.get_or_load("k", load))
    patient = asyncio.ensure_future(cache.get_or_load("k", load))
    await asyncio.sleep(0)
    impatient.cancel()
    load.release.set()
    assert await patient == "v1" and load.calls == 1 and cache.get("k") == "v1"


async def test_a_disabled_cache_loads_every_time() -> None:
    cache: TtlCache[str] = TtlCache(0)
    load = CountingLoader()
    assert [await cache.get_or_load("k", load) for _ in range(3)] == ["v1", "v2", "v3"]
