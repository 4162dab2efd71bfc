"""`open_memory`: the platform's tiered memory built from Settings (called by the composition root)."""

from __future__ import annotations

from pathlib import Path

from hph.runtime.clock import Clock, system_clock
from hph.runtime.memory.cold import ColdStore, LocalFileColdStore
from hph.runtime.memory.hot import HotTier, LocalHotTier
from hph.runtime.memory.redis_hot import RedisHotTier
from hph.runtime.memory.tiered import Intervals, Memory, default_policy
from hph.runtime.memory.warm import MEMORY, WarmTier
from hph.runtime.settings import Settings
from hph.runtime.storage import DocumentStore

COLD_FOLDER = "memory-cold"
FILES, BLOB = "files", "blob"
COLD_ADAPTERS = (FILES, BLOB)


def cold_root(settings: Settings) -> Path:
    """Where the embedded cold tier keeps its files: `<data dir>/memory-cold`."""
    return settings.data_dir / COLD_FOLDER


def open_cold_store(settings: Settings) -> ColdStore:
    """The cold tier the settings name (`HPH_MEMORY_COLD`): files under the data dir, or a Blob
    Storage container reached through hph.runtime.azure_clients (imported only then)."""
    if settings.memory_cold == FILES:
        return LocalFileColdStore(cold_root(settings))
    if settings.memory_cold == BLOB:
        from hph.runtime.azure_clients import AzureClients
        from hph.runtime.memory.blob_cold import BlobColdStore

        clients = AzureClients.from_settings(settings)
        return BlobColdStore(clients.container(settings.memory_cold_container), on_close=clients.close)
    raise ValueError(f"HPH_MEMORY_COLD={settings.memory_cold!r}: choose one of {', '.join(COLD_ADAPTERS)}")


async def open_memory(
    settings: Settings,
    store: DocumentStore,
    *,
    clock: Clock = system_clock,
    hot: HotTier | None = None,
    cold: ColdStore | None = None,
) -> Memory:
    """The tiered memory: hot in Redis when `settings.redis_url` is set (under
    `memory_redis_prefix`), else an in-process LRU of `memory_hot_max_bytes`; warm in the
    `agent_memory` container of `store`; cold as `HPH_MEMORY_COLD` says (`open_cold_store`).
    `hot` and `cold` replace the configured tiers (tests, other adapters). Start its passes with `start()`, and
    `close()` it before closing the store."""
    # The cold tier first: a settings error there must not leave a Redis connection open.
    cold = cold if cold is not None else open_cold_store(settings)
    if hot is None:
        if settings.redis_url:
            redis_hot = RedisHotTier.connect(settings.redis_url, settings.memory_redis_prefix)
            await redis_hot.check_eviction_policy()
            hot = redis_hot
        else:
            hot = LocalHotTier(settings.memory_hot_max_bytes)
    warm = WarmTier(await MEMORY.open(store))
    return Memory(
        hot,
        warm,
        cold,
        defaults=default_policy(
            ttl_seconds=settings.memory_ttl_seconds,
            hot_seconds=settings.memory_hot_seconds,
            archive_after_seconds=settings.memory_archive_after_seconds,
        ),
        clock=clock,
        intervals=Intervals(
            demote=settings.memory_demote_interval_seconds,
            archive=settings.memory_archive_interval_seconds,
            stats_log=settings.memory_stats_log_seconds,
        ),
    )
