"""Memory counters per namespace and tier, and the snapshot `Memory.stats()` returns.

A read asks the tiers in order and stops at the first that answers, so each tier counts a hit when
it answered and a miss when the read went on past it; a tier a read never reached counts nothing.
A tier's hit ratio is therefore hits / reads that reached it, and a namespace's overall hit ratio
is reads answered by any tier / reads. A tombstone (a deleted key) or an expired record ends the
read as a miss of the tier that held it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from hph.runtime.memory.records import TIERS, Tier


@dataclass
class TierCounts:
    hits: int = 0
    misses: int = 0

    @property
    def reads(self) -> int:
        return self.hits + self.misses

    @property
    def hit_ratio(self) -> float:
        """hits / reads that reached this tier (0.0 before any)."""
        return self.hits / self.reads if self.reads else 0.0


@dataclass
class NamespaceStats:
    """What happened in one namespace since the memory was opened."""

    reads: int = 0
    hits: int = 0  # reads answered by some tier
    writes: int = 0
    deletes: int = 0
    tiers: dict[Tier, TierCounts] = field(default_factory=lambda: {tier: TierCounts() for tier in TIERS})
    promotions: int = 0  # records copied up to a higher tier by a read
    demotions: int = 0  # write-behind records written to warm storage when they left the hot tier
    evictions: int = 0  # hot entries evicted by the size bound (in-process hot tier only)
    archived: int = 0  # records moved from warm storage to the cold tier
    expired: int = 0  # records found or removed past their TTL

    @property
    def hit_ratio(self) -> float:
        return self.hits / self.reads if self.reads else 0.0

    def copy(self) -> NamespaceStats:
        return NamespaceStats(
            reads=self.reads,
            hits=self.hits,
            writes=self.writes,
            deletes=self.deletes,
            tiers={tier: TierCounts(c.hits, c.misses) for tier, c in self.tiers.items()},
            promotions=self.promotions,
            demotions=self.demotions,
            evictions=self.evictions,
            archived=self.archived,
            expired=self.expired,
        )

    def log_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "reads": self.reads,
            "hit_ratio": round(self.hit_ratio, 4),
            "writes": self.writes,
            "deletes": self.deletes,
            "promotions": self.promotions,
            "demotions": self.demotions,
            "evictions": self.evictions,
            "archived": self.archived,
            "expired": self.expired,
        }
        for tier, counts in self.tiers.items():
            fields[f"{tier}_hits"] = counts.hits
            fields[f"{tier}_misses"] = counts.misses
            fields[f"{tier}_hit_ratio"] = round(counts.hit_ratio, 4)
        return fields


@dataclass(frozen=True)
class MemoryStats:
    """A snapshot: per namespace name ("owner.kind"), its counters."""

    namespaces: dict[str, NamespaceStats]
    hot_kind: str

    def of(self, namespace: str) -> NamespaceStats:
        return self.namespaces.get(namespace) or NamespaceStats()


class Counters:
    def __init__(self) -> None:
        self._by_namespace: defaultdict[str, NamespaceStats] = defaultdict(NamespaceStats)

    def __getitem__(self, namespace: str) -> NamespaceStats:
        return self._by_namespace[namespace]

    def hit(self, namespace: str, tier: Tier) -> None:
        stats = self._by_namespace[namespace]
        stats.tiers[tier].hits += 1

    def miss(self, namespace: str, tier: Tier) -> None:
        self._by_namespace[namespace].tiers[tier].misses += 1

    def snapshot(self, hot_kind: str) -> MemoryStats:
        return MemoryStats({name: stats.copy() for name, stats in sorted(self._by_namespace.items())}, hot_kind)


def log_stats(stats: MemoryStats, log: logging.Logger) -> None:
    """One structured line per namespace."""
    for name, counts in stats.namespaces.items():
        log.info("memory stats", extra={"namespace": name, "hot_tier": stats.hot_kind, **counts.log_fields()})
