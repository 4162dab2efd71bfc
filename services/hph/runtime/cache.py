"""The hot memory tier on embedded defaults: a small in-process LRU with a time-to-live.

Read-mostly services (the catalog at peak) answer repeated reads from here. Entries expire after
`ttl_seconds`, which bounds staleness across replicas; a replica's own writes invalidate at once.

`get_or_load` is the read path to use: concurrent misses on one key share one load (single
flight), and an entry read in the last quarter of its life is refreshed in the background while it
is still served, so a hot key never expires under load. Without both, every expiry of a hot page
sent each request in flight at that moment to storage at once — dozens of identical queries queued
behind each other on the storage thread — which was the p99 of the catalog's reads (ARCHITECTURE.md,
"Tail latency").
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, Protocol, TypeVar

V = TypeVar("V")

log = logging.getLogger(__name__)

# An entry read after this fraction of its TTL is refreshed in the background while still served.
REFRESH_AFTER_FRACTION = 0.75


class HotCache(Protocol[V]):
    """A hot cache as services use it: this process's TtlCache (embedded), or one copy in Redis every
    host shares (hph.runtime.redis_cache, HPH_HOT_CACHE=redis). Keys are text or bytes."""

    async def get_or_load(self, key: str | bytes, load: Callable[[], Awaitable[V]]) -> V:
        """The cached value, or `load()`'s, stored (concurrent misses share one load)."""

    def fresh(self, key: str | bytes, load: Callable[[], Awaitable[V]]) -> V | None:
        """The value this process holds, without awaiting; None when a load would be needed."""

    async def drop(self, key: str | bytes) -> None:
        """Forgets `key` wherever it is cached (a write made it stale)."""

    async def drop_all(self) -> None:
        """Forgets every entry wherever it is cached."""


class TtlCache(Generic[V]):
    """Least-recently-used entries beyond `max_entries` are dropped; ttl_seconds <= 0 disables it."""

    def __init__(self, ttl_seconds: float, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl_seconds
        self._refresh_after = ttl_seconds * REFRESH_AFTER_FRACTION
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._loading: dict[Hashable, asyncio.Task[V]] = {}
        # Bumped by every invalidation, so a load that began before a write does not store what it read.
        self._generation = 0

    @property
    def enabled(self) -> bool:
        return self._ttl > 0

    def get(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V, *, expires_at: float | None = None) -> None:
        """Stores `value` for `ttl_seconds`, or until `expires_at` (the clock's time) when that is sooner:
        for values that say themselves how long they hold."""
        if not self.enabled:
            return
        lifetime_end = self._clock() + self._ttl
        self._entries[key] = (lifetime_end if expires_at is None else min(expires_at, lifetime_end), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def get_or_load(self, key: Hashable, load: Callable[[], Awaitable[V]]) -> V:
        """The cached value, or `load()`'s, stored. Callers missing the same key at once share one
        load; a failed load is raised to each of them and stores nothing."""
        if not self.enabled:
            return await load()
        entry = self._entries.get(key)
        if entry is not None:
            expires_at, value = entry
            now = self._clock()
            if expires_at > now:
                self._entries.move_to_end(key)
                if expires_at - now < self._ttl - self._refresh_after and key not in self._loading:
                    self._start_load(key, load, background=True)
                return value
            del self._entries[key]
        return await self._load_shared(key, load)

    def fresh(self, key: Hashable, load: Callable[[], Awaitable[V]]) -> V | None:
        """The cached value without awaiting, as `get_or_load` serves it (an entry late in its life is
        refreshed in the background with `load`), or None on a miss; nothing is loaded then. For
        callers reading many keys at once: the hits cost no task, only the misses need loads."""
        if not self.enabled:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        now = self._clock()
        if expires_at <= now:
            return None
        self._entries.move_to_end(key)
        if expires_at - now < self._ttl - self._refresh_after and key not in self._loading:
            self._start_load(key, load, background=True)
        return value

    async def _load_shared(self, key: Hashable, load: Callable[[], Awaitable[V]]) -> V:
        flight = self._loading.get(key) or self._start_load(key, load, background=False)
        # A caller that gives up (deadline, cancellation) must not cancel the load the others await.
        return await asyncio.shield(flight)

    def _start_load(self, key: Hashable, load: Callable[[], Awaitable[V]], *, background: bool) -> asyncio.Task[V]:
        generation = self._generation

        async def load_and_store() -> V:
            try:
                value = await load()
            finally:
                if self._loading.get(key) is flight:
                    del self._loading[key]
            if generation == self._generation:
                self.put(key, value)
            return value

        flight = asyncio.ensure_future(load_and_store())
        flight.add_done_callback(_log_refresh_failure if background else _consume_failure)
        self._loading[key] = flight
        return flight

    def invalidate(self, key: Hashable) -> None:
        self._entries.pop(key, None)
        self._loading.pop(key, None)
        self._generation += 1

    def clear(self) -> None:
        self._entries.clear()
        self._loading.clear()
        self._generation += 1

    async def drop(self, key: Hashable) -> None:
        """`invalidate`, as a HotCache: this process's copy is the only one."""
        self.invalidate(key)

    async def drop_all(self) -> None:
        """`clear`, as a HotCache."""
        self.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _consume_failure(flight: asyncio.Task[object]) -> None:
    """A load whose every caller gave up still ends; its failure was theirs, not the loop's."""
    if not flight.cancelled():
        flight.exception()


def _log_refresh_failure(flight: asyncio.Task[object]) -> None:
    """A background refresh has no caller to raise to: its failure is logged, and the entry it
    meant to replace is served until it expires."""
    if not flight.cancelled() and (error := flight.exception()) is not None:
        log.warning("background refresh of a cached entry failed: %s", error)
