"""The hot tier: TTL expiry, LRU eviction, invalidation, and off when the TTL is zero."""

from __future__ import annotations

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
