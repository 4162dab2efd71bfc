"""Agent memory in three tiers behind one interface: hot (in-process LRU, or Redis), warm (the
storage port) and cold (local files; Blob Storage later). See docs/memory-and-narration.md.

An agent gets its namespace from the platform's memory (`Dependencies.memory`, built by the host
with `open_memory`) and uses only the handle:

    answers = deps.memory.namespace("catalog-search", "answers", Policy(ttl=timedelta(minutes=10)))
    await answers.put("q:xmas-lights", {"ids": ["p1", "p2"]})
    found = await answers.get("q:xmas-lights")  # Recalled(value, tier, version, written_at) or None
"""

from hph.runtime.memory.cold import ColdStore, LocalFileColdStore
from hph.runtime.memory.factory import cold_root, open_memory
from hph.runtime.memory.hot import HotEntry, HotTier, LocalHotTier
from hph.runtime.memory.records import (
    MAX_VALUE_BYTES,
    MemoryTierError,
    Namespace,
    Policy,
    Record,
    ResolvedPolicy,
    Tier,
    Value,
    validate_key,
)
from hph.runtime.memory.redis_hot import RedisHotTier
from hph.runtime.memory.stats import MemoryStats, NamespaceStats, TierCounts
from hph.runtime.memory.tiered import ArchiveReport, Intervals, Memory, MemoryNamespace, Recalled, default_policy
from hph.runtime.memory.warm import CONTAINER, CONTAINERS, MEMORY, WarmTier

__all__ = [
    "CONTAINER",
    "CONTAINERS",
    "MAX_VALUE_BYTES",
    "MEMORY",
    "ArchiveReport",
    "ColdStore",
    "HotEntry",
    "HotTier",
    "Intervals",
    "LocalFileColdStore",
    "LocalHotTier",
    "Memory",
    "MemoryNamespace",
    "MemoryStats",
    "MemoryTierError",
    "Namespace",
    "NamespaceStats",
    "Policy",
    "Recalled",
    "Record",
    "RedisHotTier",
    "ResolvedPolicy",
    "Tier",
    "TierCounts",
    "Value",
    "WarmTier",
    "cold_root",
    "default_policy",
    "open_memory",
    "validate_key",
]
