"""`Memory`: one interface over the hot, warm and cold tiers, and `MemoryNamespace`, an agent's handle.

Reads fall through hot -> warm -> cold and copy what they find up (a warm record to hot; a cold one
to warm and hot). Writes are write-through by default (warm storage, then hot: a put that returned
is durable) or write-behind per namespace (hot only; the record reaches warm storage when it leaves
the hot tier). Deletes write a tombstone through every tier so that an older version still in
flight (a demotion, a promotion) cannot bring the key back.

Guarantee of write-behind: a record leaves the hot tier only through warm storage. The in-process
LRU keeps an evicted dirty record readable in a leaving set until the demotion pass (started at once
by the eviction, and every `demote_interval`) has written it; a dirty record past its hot time is
demoted by the same pass; `stop()` demotes every dirty record. What a crash of the process loses is
the write-behind records of the in-process hot tier not yet demoted: at most `hot_ttl` worth of
writes of write-behind namespaces (none with Redis as the hot tier, which keeps dirty records
without a TTL until a process demotes them). Write-through namespaces lose nothing.

Concurrency: every write carries a version from `records.Versions`, and every tier keeps the highest
version of a key it was given (the hot tier by comparison, Redis in a Lua script, warm storage by an
etag-guarded commit), so two tasks writing one key leave the later write in every tier, never a mix.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hph.runtime.clock import Clock, system_clock
from hph.runtime.memory.cold import ColdStore
from hph.runtime.memory.hot import HotEntry, HotTier, LocalHotTier
from hph.runtime.memory.records import (
    Namespace,
    Policy,
    Record,
    ResolvedPolicy,
    Tier,
    Value,
    Versions,
    encode_value,
    resolve,
    validate_key,
)
from hph.runtime.memory.stats import Counters, MemoryStats, log_stats
from hph.runtime.memory.warm import WarmRecord, WarmTier
from hph.runtime.periodic import PeriodicJob
from hph.runtime.storage import StorageError

log = logging.getLogger("hph.memory")

# Records handled per call of the hot tier's `leaving` in a demotion pass.
DEMOTION_BATCH = 200
# Records one demotion pass writes at most (the next pass goes on), so a pass always ends.
MAX_DEMOTIONS_PER_PASS = 20 * DEMOTION_BATCH
# Evicted dirty records this process may hold before a put waits for their demotion.
MAX_BACKLOG = 1000


@dataclass(frozen=True)
class Recalled:
    """A value read back, and where it came from."""

    value: Value
    tier: Tier
    version: int
    written_at: datetime


@dataclass(frozen=True)
class ArchiveReport:
    archived: int = 0
    removed: int = 0  # expired records and tombstones removed from warm storage
    purged: int = 0  # expired records removed from the cold tier


@dataclass(frozen=True)
class Intervals:
    """Seconds between the background passes (0 = never)."""

    demote: float = 1.0
    archive: float = 300.0
    stats_log: float = 300.0


class Memory:
    """The tiered memory of one process. Open it with `open_memory`; agents use `namespace()`."""

    def __init__(
        self,
        hot: HotTier,
        warm: WarmTier,
        cold: ColdStore,
        *,
        defaults: ResolvedPolicy,
        clock: Clock = system_clock,
        intervals: Intervals = Intervals(),
    ) -> None:
        self._hot = hot
        self._warm = warm
        self._cold = cold
        self._defaults = defaults
        self._clock = clock
        self._versions = Versions(clock)
        self._policies: dict[str, ResolvedPolicy] = {}
        self._handles: dict[str, MemoryNamespace] = {}
        self._counters = Counters()
        self._demotion_lock = asyncio.Lock()
        self._demotion_task: asyncio.Task[int] | None = None
        self._jobs: list[PeriodicJob] = []
        self._intervals = intervals
        if isinstance(hot, LocalHotTier):
            hot.on_evicted = self._evicted

    @property
    def hot(self) -> HotTier:
        return self._hot

    @property
    def defaults(self) -> ResolvedPolicy:
        return self._defaults

    # --- namespaces ---------------------------------------------------------------------------

    def namespace(self, owner: str, kind: str, policy: Policy | None = None) -> MemoryNamespace:
        """The handle of namespace owner.kind (an agent's name and what it remembers), with its
        policy; asking again with the same policy returns the same handle, with another a ValueError."""
        namespace = Namespace(owner, kind)
        resolved = resolve(policy or Policy(), self._defaults)
        known = self._policies.get(namespace.name)
        if known is not None and known != resolved:
            raise ValueError(f"memory namespace {namespace} is already open with another policy ({known})")
        if known is None:
            self._policies[namespace.name] = resolved
            self._handles[namespace.name] = MemoryNamespace(self, namespace, resolved)
        return self._handles[namespace.name]

    def policy_of(self, namespace: str) -> ResolvedPolicy:
        return self._policies.get(namespace, self._defaults)

    # --- reads ---------------------------------------------------------------------------------

    async def get(self, namespace: Namespace, key: str) -> Recalled | None:
        """The key's value from the highest tier holding it (copied up to the tiers above), or None."""
        name = namespace.name
        validate_key(key)
        stats = self._counters[name]
        stats.reads += 1
        now = self._clock()
        policy = self.policy_of(name)

        entry = await self._hot.get(name, key)
        if entry is not None:
            if entry.record.expired(now):
                await self._hot.discard(entry)
                return self._expired(name, "hot")
            if entry.dirty or entry.hot_until > now:
                return self._answer(name, "hot", entry.record)
            await self._hot.discard(entry)  # clean and past its hot time: warm storage holds it
        self._counters.miss(name, "hot")

        warm = await self._warm.get(name, key)
        if warm is not None:
            if warm.record.expired(now):
                return self._expired(name, "warm")  # the archive pass removes it
            await self._promote_to_hot(warm.record, now, policy)
            return self._answer(name, "warm", warm.record)
        self._counters.miss(name, "warm")

        cold = await self._cold.get(name, key)
        if cold is None:
            self._counters.miss(name, "cold")
            return None
        if cold.expired(now):
            await self._cold.delete(name, key)
            return self._expired(name, "cold")
        if await self._warm.put(cold, now + policy.archive_after):
            stats.promotions += 1
            await self._promote_to_hot(cold, now, policy)
        return self._answer(name, "cold", cold)

    def _answer(self, namespace: str, tier: Tier, record: Record) -> Recalled | None:
        if record.deleted:
            self._counters.miss(namespace, tier)
            return None
        self._counters.hit(namespace, tier)
        self._counters[namespace].hits += 1
        return Recalled(record.value(), tier, record.version, record.written_at)

    def _expired(self, namespace: str, tier: Tier) -> Recalled | None:
        self._counters.miss(namespace, tier)
        self._counters[namespace].expired += 1
        return None

    async def _promote_to_hot(self, record: Record, now: datetime, policy: ResolvedPolicy) -> None:
        if await self._hot.put(HotEntry(record, now + policy.hot_ttl, dirty=False), now):
            self._counters[record.namespace].promotions += 1

    # --- writes --------------------------------------------------------------------------------

    async def put(self, namespace: Namespace, key: str, value: object) -> int:
        """Stores `value` (bytes, or anything JSON-able) under `key`; returns the version written."""
        validate_key(key)
        encoding, payload = encode_value(value)
        name = namespace.name
        policy = self.policy_of(name)
        now = self._clock()
        record = Record(
            namespace=name,
            key=key,
            version=self._versions.next(),
            encoding=encoding,
            payload=payload,
            written_at=now,
            expires_at=now + policy.ttl if policy.ttl is not None else None,
        )
        self._counters[name].writes += 1
        await self._store(record, now, policy)
        return record.version

    async def delete(self, namespace: Namespace, key: str) -> None:
        """Forgets `key` in every tier (a tombstone in hot and warm shadows older versions)."""
        validate_key(key)
        name = namespace.name
        policy = self.policy_of(name)
        now = self._clock()
        tombstone = Record(name, key, self._versions.next(), "json", b"null", now, None, deleted=True)
        self._counters[name].deletes += 1
        await self._warm.put(tombstone, now + policy.archive_after)
        await self._hot.put(HotEntry(tombstone, now + policy.hot_ttl, dirty=False), now)
        await self._cold.delete(name, key)

    async def _store(self, record: Record, now: datetime, policy: ResolvedPolicy) -> None:
        hot_until = now + policy.hot_ttl
        if policy.write_behind:
            await self._hot.put(HotEntry(record, hot_until, dirty=True), now)
            if self._hot.backlog() > MAX_BACKLOG:
                await self.demote_due()
            return
        if await self._warm.put(record, now + policy.archive_after):
            await self._hot.put(HotEntry(record, hot_until, dirty=False), now)

    # --- demotion (hot -> warm) ----------------------------------------------------------------

    def _evicted(self, entry: HotEntry) -> None:
        self._counters[entry.record.namespace].evictions += 1
        if entry.dirty and (self._demotion_task is None or self._demotion_task.done()):
            self._demotion_task = asyncio.get_running_loop().create_task(self._demote_logged())

    async def _demote_logged(self) -> int:
        try:
            return await self.demote_due()
        except Exception:
            log.exception("memory demotion pass failed; the next one retries")
            return 0

    async def demote_due(self) -> int:
        """Writes to warm storage the write-behind records that left the hot tier (evicted, or past
        their hot time); returns how many. Runs every `demote_interval` and after an eviction."""
        return await self._demote(everything=False)

    async def flush(self) -> int:
        """Writes every write-behind record still only in the hot tier to warm storage (at stop)."""
        return await self._demote(everything=True)

    async def _demote(self, *, everything: bool) -> int:
        async with self._demotion_lock:
            handled = written = 0
            while batch := await self._hot.leaving(self._clock(), everything=everything, limit=DEMOTION_BATCH):
                done, stored = await self._demote_batch(batch)
                handled += done
                written += stored
                if done < len(batch) or (not everything and handled >= MAX_DEMOTIONS_PER_PASS):
                    break  # some could not be written, or enough for one pass: the next goes on
            return written

    async def _demote_batch(self, batch: list[HotEntry]) -> tuple[int, int]:
        """Handles `batch`; returns how many entries left the dirty state and how many of them were
        written to warm storage (the others had expired, or warm storage held a newer version)."""
        done = written = 0
        for entry in batch:
            record = entry.record
            now = self._clock()
            if record.expired(now):
                self._counters[record.namespace].expired += 1
            else:
                try:
                    if await self._warm.put(record, now + self.policy_of(record.namespace).archive_after):
                        self._counters[record.namespace].demotions += 1
                        written += 1
                except StorageError:
                    log.exception("memory demotion failed", extra={"namespace": record.namespace, "key": record.key})
                    continue
            await self._hot.demoted(entry, now)
            done += 1
        return done, written

    # --- archive (warm -> cold) ----------------------------------------------------------------

    async def archive_once(self) -> ArchiveReport:
        """Moves warm records past their archive time to the cold tier, and removes expired records
        and old tombstones from warm storage and expired ones from the cold tier."""
        now = self._clock()
        archived = removed = 0
        continuation: str | None = None
        while True:
            page, continuation = await self._warm.due(now, continuation)
            moved, dropped = await self._archive_page(page, now)
            archived += moved
            removed += dropped
            if continuation is None:
                break
        purged = await self._cold.purge_expired(now)
        report = ArchiveReport(archived=archived, removed=removed, purged=purged)
        if archived or removed or purged:
            log.info("memory archive pass", extra={"archived": archived, "removed": removed, "purged": purged})
        return report

    async def _archive_page(self, page: Sequence[WarmRecord], now: datetime) -> tuple[int, int]:
        moved = dropped = 0
        for warm in page:
            record = warm.record
            if record.expired(now) or record.deleted:
                # Cold holds at most an older version; it goes too, unless a newer write won meanwhile.
                if await self._warm.remove(warm):
                    await self._cold.delete(record.namespace, record.key)
                    dropped += 1
                    if record.expired(now):
                        self._counters[record.namespace].expired += 1
                continue
            await self._cold.put(record)
            # A newer write since the read keeps its warm document; the cold copy is older and is
            # shadowed by it (and replaced when that one is archived in turn).
            if await self._warm.remove(warm):
                moved += 1
                self._counters[record.namespace].archived += 1
        return moved, dropped

    # --- observability -------------------------------------------------------------------------

    def stats(self) -> MemoryStats:
        """A snapshot of the counters of every namespace used since the memory opened."""
        return self._counters.snapshot(self._hot.kind)

    def log_stats(self) -> None:
        log_stats(self.stats(), log)

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self, *, archive: bool = True) -> None:
        """Starts the demotion pass and the statistics log, and with `archive` the archive pass
        (one process of a platform runs it: the one running the background jobs)."""
        if self._jobs:
            return
        intervals = self._intervals

        async def log_pass() -> None:
            self.log_stats()

        planned: list[tuple[float, Any, str]] = [(intervals.demote, self.demote_due, "memory-demotion")]
        if archive:
            planned.append((intervals.archive, self.archive_once, "memory-archive"))
        planned.append((intervals.stats_log, log_pass, "memory-stats"))
        for interval, run_pass, name in planned:
            if interval > 0:
                job = PeriodicJob(run_pass, interval=interval, name=name, log=log, failure=f"{name} pass failed")
                self._jobs.append(job)
                await job.start()

    async def stop(self) -> None:
        """Stops the passes and demotes every write-behind record (so none is lost at shutdown)."""
        jobs, self._jobs = self._jobs, []
        for job in jobs:
            await job.stop()
        if self._demotion_task is not None:
            await self._demotion_task
        await self.flush()
        stranded = await self._hot.leaving(self._clock(), everything=True, limit=DEMOTION_BATCH)
        if stranded and self._hot.kind == "local":
            log.error(
                "write-behind memory entries could not be written to warm storage at stop",
                extra={"entries": len(stranded), "first_key": stranded[0].record.key},
            )

    async def close(self) -> None:
        """`stop()`, then releases the hot tier (its Redis connections) and the cold one (its Blob
        Storage client)."""
        await self.stop()
        try:
            await self._hot.close()
        finally:
            await self._cold.close()


class MemoryNamespace:
    """One namespace's memory: what an agent holds and uses."""

    def __init__(self, memory: Memory, namespace: Namespace, policy: ResolvedPolicy) -> None:
        self._memory = memory
        self.namespace = namespace
        self.policy = policy

    async def get(self, key: str) -> Recalled | None:
        """The value and the tier it came from, or None."""
        return await self._memory.get(self.namespace, key)

    async def value(self, key: str, default: Value = None) -> Value:
        """Just the value (`default` when absent)."""
        found = await self._memory.get(self.namespace, key)
        return default if found is None else found.value

    async def put(self, key: str, value: object) -> int:
        """Stores bytes or a JSON-able value; returns its version."""
        return await self._memory.put(self.namespace, key, value)

    async def delete(self, key: str) -> None:
        await self._memory.delete(self.namespace, key)


def default_policy(
    *, ttl_seconds: float, hot_seconds: float, archive_after_seconds: float, write_behind: bool = False
) -> ResolvedPolicy:
    return ResolvedPolicy(
        ttl=timedelta(seconds=ttl_seconds) if ttl_seconds > 0 else None,
        hot_ttl=timedelta(seconds=hot_seconds),
        archive_after=timedelta(seconds=archive_after_seconds),
        write_behind=write_behind,
    )
