"""The hot tier's port and its in-process adapter (a size-bounded LRU).

A hot tier stores `HotEntry`s and decides nothing about time: the tiered memory (`tiered.Memory`)
reads the entry's `hot_until` and the record's expiry against its clock. What a hot tier owes:

- `put` keeps the highest version of a key (an equal version replaces: the same version written
  clean means warm storage now holds it);
- a *dirty* entry (write-behind: warm storage does not have this version yet) is never dropped
  silently. The in-process LRU moves a dirty entry it evicts to a *leaving* set that `get` still
  reads and `leaving()` hands to the demotion pass; Redis keeps dirty entries without a Redis TTL
  and indexes them by `hot_until` (`redis_hot`);
- `demoted` is told once warm storage holds an entry's version, and only then forgets it as dirty.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from hph.runtime.memory.records import Record


@dataclass(frozen=True)
class HotEntry:
    """A record in the hot tier: readable as hot until `hot_until`; `dirty` while only here."""

    record: Record
    hot_until: datetime
    dirty: bool

    @property
    def address(self) -> tuple[str, str]:
        return (self.record.namespace, self.record.key)


class HotTier(Protocol):
    """What the tiered memory needs of a hot tier (in-process LRU, Redis)."""

    @property
    def kind(self) -> str:
        """ "local" or "redis", for logs and stats."""
        ...

    async def get(self, namespace: str, key: str) -> HotEntry | None:
        """The entry, a dirty one that was evicted but not yet demoted included."""
        ...

    async def put(self, entry: HotEntry, now: datetime) -> bool:
        """Stores `entry` unless the tier holds a higher version of its key; True when stored."""
        ...

    async def discard(self, entry: HotEntry) -> None:
        """Drops the key if it still holds exactly `entry`'s version (a clean entry past its hot
        time, or an expired one)."""
        ...

    async def leaving(self, now: datetime, *, everything: bool, limit: int) -> list[HotEntry]:
        """Dirty entries to write to warm storage: evicted ones and those past `hot_until`
        (with `everything`, every dirty entry), at most `limit`."""
        ...

    async def demoted(self, entry: HotEntry, now: datetime) -> None:
        """Warm storage holds `entry`'s version: forget it as dirty, and drop it if it was evicted
        or is past its hot time. A newer version of the key is left alone."""
        ...

    def backlog(self) -> int:
        """Dirty entries that left the tier and live only in this process until demoted."""
        ...

    async def close(self) -> None: ...


EvictionListener = Callable[[HotEntry], None]


class LocalHotTier:
    """An LRU of entries bounded by `max_bytes` (`Record.size`); the least recently used entries
    are evicted past it. `on_evicted` is told of each eviction (the memory counts them, and starts
    a demotion pass for a dirty one)."""

    kind = "local"

    def __init__(self, max_bytes: int, on_evicted: EvictionListener | None = None) -> None:
        if max_bytes <= 0:
            raise ValueError("the hot tier needs a positive size bound")
        self._max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str], HotEntry] = OrderedDict()
        self._bytes = 0
        self._dirty: set[tuple[str, str]] = set()  # keys of _entries holding a dirty entry
        self._leaving: dict[tuple[str, str], HotEntry] = {}  # evicted while dirty
        self.on_evicted = on_evicted

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, namespace: str, key: str) -> HotEntry | None:
        address = (namespace, key)
        entry = self._entries.get(address)
        if entry is not None:
            self._entries.move_to_end(address)
            return entry
        return self._leaving.get(address)

    async def put(self, entry: HotEntry, now: datetime) -> bool:
        address = entry.address
        current = self._entries.get(address) or self._leaving.get(address)
        if current is not None and current.record.version > entry.record.version:
            return False
        self._leaving.pop(address, None)  # superseded: its version need not reach warm storage
        self._remove(address)
        self._entries[address] = entry
        self._bytes += entry.record.size
        if entry.dirty:
            self._dirty.add(address)
        self._evict()
        return True

    async def discard(self, entry: HotEntry) -> None:
        address = entry.address
        current = self._entries.get(address)
        if current is not None and current.record.version == entry.record.version:
            self._remove(address)
        leaving = self._leaving.get(address)
        if leaving is not None and leaving.record.version == entry.record.version:
            del self._leaving[address]

    async def leaving(self, now: datetime, *, everything: bool, limit: int) -> list[HotEntry]:
        found = list(self._leaving.values())[:limit]
        for address in self._dirty:
            if len(found) >= limit:
                break
            entry = self._entries[address]
            if everything or entry.hot_until <= now:
                found.append(entry)
        return found

    async def demoted(self, entry: HotEntry, now: datetime) -> None:
        address = entry.address
        leaving = self._leaving.get(address)
        if leaving is not None and leaving.record.version == entry.record.version:
            del self._leaving[address]
        current = self._entries.get(address)
        if current is None or current.record.version != entry.record.version:
            return
        if current.hot_until <= now:
            self._remove(address)
        else:
            self._dirty.discard(address)
            self._entries[address] = replace(current, dirty=False)

    def backlog(self) -> int:
        return len(self._leaving)

    async def close(self) -> None:
        self._entries.clear()
        self._dirty.clear()
        self._leaving.clear()
        self._bytes = 0

    def _remove(self, address: tuple[str, str]) -> None:
        entry = self._entries.pop(address, None)
        if entry is not None:
            self._bytes -= entry.record.size
            self._dirty.discard(address)

    def _evict(self) -> None:
        while self._bytes > self._max_bytes and self._entries:
            address, entry = self._entries.popitem(last=False)
            self._bytes -= entry.record.size
            if entry.dirty:
                self._dirty.discard(address)
                self._leaving[address] = entry
            if self.on_evicted is not None:
                self.on_evicted(entry)
