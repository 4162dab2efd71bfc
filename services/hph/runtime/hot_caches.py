"""`HotCaches`: where the services' hot caches live, chosen by HPH_HOT_CACHE (one per process, in
`Dependencies.caches`, closed by the host).

"memory" (the embedded default) gives each cache as a TtlCache of this process; "redis" gives a
RedisCache (hph.runtime.redis_cache) over one client to HPH_REDIS_URL that every cache of the
process shares, with one outage count for them all (`redis_failures`).
"""

from __future__ import annotations

import logging
from typing import TypeVar

import redis.asyncio as aioredis

from hph.runtime.cache import HotCache, TtlCache
from hph.runtime.redis_cache import Codec, RedisCache
from hph.runtime.redis_client import RedisOutage, request_path_client
from hph.runtime.settings import Settings

V = TypeVar("V")

MEMORY, REDIS = "memory", "redis"

log = logging.getLogger("hph.runtime.redis_cache")


class HotCaches:
    def __init__(self, client: aioredis.Redis | None = None, *, key_prefix: str = "", local_seconds: float = 0.0):
        self._client = client
        self._prefix = key_prefix
        self._local_seconds = local_seconds
        self._outage = RedisOutage(
            log, "Hot cache reads going to storage", total_field="hot_cache_redis_failures_total"
        )

    @classmethod
    def embedded(cls) -> HotCaches:
        return cls()

    @classmethod
    def from_settings(cls, settings: Settings) -> HotCaches:
        if settings.hot_cache == MEMORY:
            return cls()
        if settings.hot_cache != REDIS:
            raise ValueError(f"HPH_HOT_CACHE={settings.hot_cache!r}: choose {MEMORY} or {REDIS}")
        if not settings.redis_url:
            raise ValueError("HPH_HOT_CACHE=redis needs HPH_REDIS_URL (redis://host:port/db)")
        return cls(
            request_path_client(settings.redis_url, settings.redis_call_timeout_seconds),
            key_prefix=settings.cache_redis_prefix,
            local_seconds=settings.cache_local_seconds,
        )

    @property
    def shared(self) -> bool:
        """Whether the caches are shared by hosts (in Redis) rather than this process's own."""
        return self._client is not None

    @property
    def redis_failures(self) -> int:
        """Cache operations that went on without Redis (reads served from storage, drops not made)."""
        return self._outage.count

    def open(self, name: str, codec: Codec[V], *, ttl_seconds: float, max_entries: int = 10_000) -> HotCache[V]:
        """The cache called `name` (unique in the platform: its Redis keys are `<prefix><name>:...`)."""
        if self._client is None:
            return TtlCache(ttl_seconds, max_entries)
        return RedisCache(
            self._client,
            name,
            codec,
            ttl_seconds=ttl_seconds,
            local_seconds=self._local_seconds,
            max_local_entries=max_entries,
            key_prefix=self._prefix,
            outage=self._outage,
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
