"""The rules of the tiered memory (hph.runtime.memory) on the in-process hot tier, the real SQLite
store as warm tier and local files as cold tier, with a manual clock: promotion on read, demotion
when a write-behind entry leaves the hot tier, archive to cold, per-namespace TTLs, tombstones,
versions under concurrent writers, and the hit/miss counters."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hph.runtime.memory import (
    LocalFileColdStore,
    LocalHotTier,
    Memory,
    Namespace,
    Policy,
    Record,
    WarmTier,
    validate_key,
)
from hph.runtime.memory.hot import HotEntry
from hph.runtime.memory.records import Versions, encode_value
from hph.runtime.memory.warm import MEMORY
from hph.runtime.storage import SqliteDocumentStore
from tests.support.clocks import ManualClock
from tests.support.memory_tiers import ARCHIVE_AFTER_SECONDS, HOT_SECONDS, START, clock_at_start, tiered_memory
from tests.support.waiting import eventually

ANSWERS = ("catalog-search", "answers")


@pytest.fixture
def clock() -> ManualClock[datetime]:
    return clock_at_start()


@pytest.fixture
def cold_folder(tmp_path: Path) -> Path:
    return tmp_path / "cold"


@pytest.fixture
async def memory(store: SqliteDocumentStore, cold_folder: Path, clock: ManualClock[datetime]) -> Memory:
    return await tiered_memory(store, cold_folder, clock)


async def warm_of(store: SqliteDocumentStore) -> WarmTier:
    return WarmTier(await MEMORY.open(store))


# --- keys, namespaces, values -------------------------------------------------------------------


@pytest.mark.parametrize("key", ["q:xmas-lights", "user@example.com", "a", "A.b_c=d+e", "x" * 200])
def test_keys_usable_as_document_ids_redis_keys_and_file_names_are_accepted(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize("key", ["", "../etc", ".hidden", "a/b", "a\\b", "a%2F", "a b", "x" * 201, "é", 7])
def test_other_keys_are_refused(key: object) -> None:
    with pytest.raises(ValueError, match="invalid memory key"):
        validate_key(key)


@pytest.mark.parametrize(("owner", "kind"), [("Catalog", "answers"), ("catalog", ""), ("cat.alog", "a"), ("a/b", "c")])
def test_namespace_parts_are_lowercase_names(owner: str, kind: str) -> None:
    with pytest.raises(ValueError, match="namespace"):
        Namespace(owner, kind)


def test_a_namespace_is_owner_dot_kind() -> None:
    assert Namespace("catalog-search", "answers").name == "catalog-search.answers"
    assert Namespace.parse("catalog-search.answers") == Namespace("catalog-search", "answers")


def test_values_are_bytes_or_json() -> None:
    assert encode_value(b"\x00\xff") == ("bytes", b"\x00\xff")
    assert encode_value({"ids": [1, 2]}) == ("json", b'{"ids":[1,2]}')
    with pytest.raises(ValueError, match="bytes or JSON-able"):
        encode_value({1, 2})
    with pytest.raises(ValueError, match="exceeds"):
        encode_value(b"x" * (1024 * 1024 + 1))


async def test_a_value_reads_back_as_it_was_put_and_a_caller_cannot_change_the_stored_one(memory: Memory) -> None:
    answers = memory.namespace(*ANSWERS)
    await answers.put("q1", {"ids": ["p1", "p2"], "total": 2})
    await answers.put("blob", b"\x00\x01")
    first = await answers.value("q1")
    assert first == {"ids": ["p1", "p2"], "total": 2}
    assert isinstance(first, dict)
    first["ids"].append("p3")
    assert await answers.value("q1") == {"ids": ["p1", "p2"], "total": 2}
    assert await answers.value("blob") == b"\x00\x01"
    assert await answers.value("absent", default="none") == "none"


def test_one_namespace_has_one_policy(memory: Memory) -> None:
    handle = memory.namespace("cart-intelligence", "sessions", Policy(ttl=timedelta(minutes=5)))
    assert memory.namespace("cart-intelligence", "sessions", Policy(ttl=timedelta(minutes=5))) is handle
    with pytest.raises(ValueError, match="another policy"):
        memory.namespace("cart-intelligence", "sessions", Policy(ttl=timedelta(minutes=6)))


def test_versions_of_one_process_always_increase_even_when_the_clock_stands_still_or_steps_back() -> None:
    clock = clock_at_start()
    versions = Versions(clock, writer=7)
    issued = [versions.next() for _ in range(3)]
    clock.advance(-10)
    issued.append(versions.next())
    assert issued == sorted(issued) and len(set(issued)) == 4
    # Two writers at the same microsecond are still ordered, the same way everywhere.
    assert Versions(clock_at_start(), writer=1).next() < Versions(clock_at_start(), writer=2).next()


def test_a_record_survives_the_document_form_unchanged() -> None:
    record = Record("a.b", "k:1", 12345 << 16, "bytes", b"\x00\xfe", START, START + timedelta(days=1))
    assert Record.from_fields(record.to_fields()) == record
    tombstone = Record("a.b", "k:1", 7, "json", b"null", START, None, deleted=True)
    assert Record.from_fields(tombstone.to_fields()) == tombstone


# --- write-through, promotion on read -------------------------------------------------------------


async def test_a_write_through_put_is_in_warm_storage_when_it_returns(
    memory: Memory, store: SqliteDocumentStore
) -> None:
    version = await memory.namespace(*ANSWERS).put("q1", [1, 2, 3])
    stored = await (await warm_of(store)).get("catalog-search.answers", "q1")
    assert stored is not None and stored.record.version == version and stored.record.value() == [1, 2, 3]


async def test_a_read_missing_hot_is_answered_by_warm_and_promotes_the_record_to_hot(
    store: SqliteDocumentStore, cold_folder: Path, clock: ManualClock[datetime]
) -> None:
    writer = await tiered_memory(store, cold_folder, clock)
    await writer.namespace(*ANSWERS).put("q1", {"n": 1})
    reader = await tiered_memory(store, cold_folder, clock)  # another process: its hot tier is empty
    answers = reader.namespace(*ANSWERS)

    first = await answers.get("q1")
    second = await answers.get("q1")

    assert first is not None and first.tier == "warm" and first.value == {"n": 1}
    assert second is not None and second.tier == "hot" and second.value == {"n": 1}
    stats = reader.stats().of("catalog-search.answers")
    assert stats.promotions == 1
    assert (stats.tiers["hot"].hits, stats.tiers["hot"].misses) == (1, 1)
    assert (stats.tiers["warm"].hits, stats.tiers["warm"].misses) == (1, 0)


async def test_a_clean_entry_past_its_hot_time_is_read_from_warm_again(
    memory: Memory, clock: ManualClock[datetime]
) -> None:
    answers = memory.namespace(*ANSWERS)
    await answers.put("q1", "v1")
    assert (await answers.get("q1")).tier == "hot"  # type: ignore[union-attr]
    clock.advance(HOT_SECONDS)
    again = await answers.get("q1")
    assert again is not None and again.tier == "warm" and again.value == "v1"


# --- write-behind, demotion --------------------------------------------------------------------


async def test_a_write_behind_entry_reaches_warm_storage_when_it_expires_from_hot(
    memory: Memory, store: SqliteDocumentStore, clock: ManualClock[datetime]
) -> None:
    sessions = memory.namespace("cart-intelligence", "sessions", Policy(write_behind=True))
    warm = await warm_of(store)
    await sessions.put("s1", {"turn": 1})
    await sessions.put("s1", {"turn": 2})
    assert await warm.get("cart-intelligence.sessions", "s1") is None  # only hot so far
    assert await memory.demote_due() == 0  # not due yet

    clock.advance(HOT_SECONDS)
    assert (await sessions.get("s1")).tier == "hot"  # type: ignore[union-attr]  # leaving, still the newest
    assert await memory.demote_due() == 1

    stored = await warm.get("cart-intelligence.sessions", "s1")
    assert stored is not None and stored.record.value() == {"turn": 2}
    assert await memory.hot.get("cart-intelligence.sessions", "s1") is None
    assert (await sessions.get("s1")).tier == "warm"  # type: ignore[union-attr]
    assert memory.stats().of("cart-intelligence.sessions").demotions == 1


async def test_an_evicted_write_behind_entry_stays_readable_until_the_demotion_the_eviction_starts_has_written_it(
    store: SqliteDocumentStore, cold_folder: Path, clock: ManualClock[datetime]
) -> None:
    hot = LocalHotTier(max_bytes=3 * 200)  # room for two of the records below
    memory = await tiered_memory(store, cold_folder, clock, hot=hot)
    sessions = memory.namespace("cart-intelligence", "sessions", Policy(write_behind=True))
    warm = await warm_of(store)
    for n in range(3):
        await sessions.put(f"s{n}", {"n": n, "pad": "x" * 100})

    # s0 was evicted: its demotion is under way, and until it lands it is read from the leaving set.
    assert hot.backlog() == 1
    assert (await sessions.get("s0")).value == {"n": 0, "pad": "x" * 100}  # type: ignore[union-attr]

    async def s0_in_warm() -> bool:
        return await warm.get("cart-intelligence.sessions", "s0") is not None

    await eventually(s0_in_warm, within=5)
    await eventually(lambda: hot.backlog() == 0, within=5)
    stats = memory.stats().of("cart-intelligence.sessions")
    assert (stats.evictions, stats.demotions) == (1, 1)
    found = await sessions.get("s0")
    assert found is not None and found.tier == "warm"
    assert await warm.get("cart-intelligence.sessions", "s1") is None  # not evicted: still only hot


async def test_stop_demotes_every_write_behind_entry(memory: Memory, store: SqliteDocumentStore) -> None:
    sessions = memory.namespace("cart-intelligence", "sessions", Policy(write_behind=True))
    for n in range(5):
        await sessions.put(f"s{n}", n)
    await memory.stop()
    warm = await warm_of(store)
    for n in range(5):
        stored = await warm.get("cart-intelligence.sessions", f"s{n}")
        assert stored is not None and stored.record.value() == n


async def test_a_demotion_of_an_older_version_never_overwrites_a_newer_one(
    memory: Memory, store: SqliteDocumentStore
) -> None:
    warm = await warm_of(store)
    record = Record("a.b", "k", 2 << 16, "json", b'"new"', START, None)
    assert await warm.put(record, START)
    assert not await warm.put(Record("a.b", "k", 1 << 16, "json", b'"old"', START, None), START)
    assert not await warm.put(record, START)  # the same version again: already there
    stored = await warm.get("a.b", "k")
    assert stored is not None and stored.record.value() == "new"
    hot = LocalHotTier(1024)
    assert await hot.put(HotEntry(record, START, dirty=True), START)
    assert not await hot.put(HotEntry(Record("a.b", "k", 1 << 16, "json", b'"old"', START, None), START, False), START)


async def test_concurrent_writers_of_one_key_leave_the_last_version_in_every_tier(
    memory: Memory, store: SqliteDocumentStore, clock: ManualClock[datetime]
) -> None:
    answers = memory.namespace(*ANSWERS)
    versions = await asyncio.gather(*(answers.put("shared", {"writer": n}) for n in range(20)))
    last = versions.index(max(versions))

    hot = await memory.hot.get("catalog-search.answers", "shared")
    warm = await (await warm_of(store)).get("catalog-search.answers", "shared")
    assert hot is not None and warm is not None
    assert hot.record.version == warm.record.version == max(versions)
    assert hot.record.value() == warm.record.value() == {"writer": last}


# --- TTLs per namespace ---------------------------------------------------------------------------


async def test_each_namespace_expires_its_entries_after_its_own_ttl(
    memory: Memory, clock: ManualClock[datetime], store: SqliteDocumentStore
) -> None:
    short = memory.namespace("checkout-support", "risk", Policy(ttl=timedelta(seconds=30)))
    long = memory.namespace("checkout-support", "profiles", Policy(ttl=timedelta(hours=1)))
    forever = memory.namespace("checkout-support", "rules")
    for handle in (short, long, forever):
        await handle.put("k", "v")

    clock.advance(31)
    assert await short.get("k") is None
    assert await long.value("k") == "v"
    clock.advance(3600)
    assert await long.get("k") is None
    assert await forever.value("k") == "v"
    assert memory.stats().of("checkout-support.risk").expired == 1

    # The archive pass removes the expired records from warm storage, and archives the one past its age.
    report = await memory.archive_once()
    assert (report.removed, report.archived) == (2, 1)
    warm = await warm_of(store)
    assert await warm.get("checkout-support.risk", "k") is None
    assert await warm.get("checkout-support.profiles", "k") is None
    clock.advance(HOT_SECONDS)
    kept = await forever.get("k")
    assert kept is not None and kept.tier == "cold" and kept.value == "v"


async def test_a_write_behind_entry_that_expired_in_hot_is_not_demoted(
    memory: Memory, store: SqliteDocumentStore, clock: ManualClock[datetime]
) -> None:
    sessions = memory.namespace("cart-intelligence", "sessions", Policy(write_behind=True, ttl=timedelta(seconds=10)))
    await sessions.put("s1", 1)
    clock.advance(HOT_SECONDS)
    assert await memory.demote_due() == 0
    assert await (await warm_of(store)).get("cart-intelligence.sessions", "s1") is None
    assert await sessions.get("s1") is None


# --- archive to cold ----------------------------------------------------------------------------


# The archive itself (warm to cold and back) runs on every cold adapter: tests/integration/
# test_memory_cold_tier.py.


async def test_cold_files_are_named_safely_and_expired_ones_are_purged(cold_folder: Path) -> None:
    cold = LocalFileColdStore(cold_folder)
    keep = Record("a.b", "user:1", 1, "json", b"1", START, None)
    drop = Record("a.b", "user:2", 1, "json", b"2", START, START + timedelta(seconds=1))
    await cold.put(keep)
    await cold.put(drop)
    assert cold.path_of("a.b", "user:1") == cold_folder / "a.b" / "user%3A1.json"
    assert await cold.purge_expired(START + timedelta(seconds=2)) == 1
    assert await cold.get("a.b", "user:1") == keep
    assert await cold.get("a.b", "user:2") is None
    assert [path.name for path in (cold_folder / "a.b").iterdir()] == ["user%3A1.json"]


# --- observability ----------------------------------------------------------------------------


async def test_hit_ratios_per_tier_and_namespace(
    store: SqliteDocumentStore, cold_folder: Path, clock: ManualClock[datetime]
) -> None:
    writer = await tiered_memory(store, cold_folder, clock)
    await writer.namespace(*ANSWERS).put("a", 1)
    memory = await tiered_memory(store, cold_folder, clock)
    answers = memory.namespace(*ANSWERS)
    other = memory.namespace("order-status", "timelines")

    await answers.get("a")  # warm hit (hot miss), promoted
    await answers.get("a")  # hot hit
    await answers.get("a")  # hot hit
    await answers.get("missing")  # a miss in every tier
    await other.get("missing")

    stats = memory.stats()
    mine = stats.of("catalog-search.answers")
    assert (mine.reads, mine.hits) == (4, 3)
    assert mine.hit_ratio == 0.75
    assert (mine.tiers["hot"].hits, mine.tiers["hot"].misses) == (2, 2)
    assert mine.tiers["hot"].hit_ratio == 0.5
    assert (mine.tiers["warm"].hits, mine.tiers["warm"].misses) == (1, 1)
    assert (mine.tiers["cold"].hits, mine.tiers["cold"].misses) == (0, 1)
    assert mine.tiers["cold"].hit_ratio == 0.0
    theirs = stats.of("order-status.timelines")
    assert (theirs.reads, theirs.hits, theirs.hit_ratio) == (1, 0, 0.0)


async def test_the_statistics_log_line_names_the_namespace_and_each_tiers_counts(
    memory: Memory, caplog: pytest.LogCaptureFixture
) -> None:
    answers = memory.namespace(*ANSWERS)
    await answers.put("a", 1)
    await answers.get("a")
    with caplog.at_level(logging.INFO, logger="hph.memory"):
        memory.log_stats()
    [line] = [record for record in caplog.records if record.getMessage() == "memory stats"]
    assert line.namespace == "catalog-search.answers"  # type: ignore[attr-defined]
    assert line.hot_hits == 1 and line.hot_hit_ratio == 1.0  # type: ignore[attr-defined]
    assert line.hot_tier == "local"  # type: ignore[attr-defined]


async def test_the_background_passes_demote_and_archive_on_their_own(
    store: SqliteDocumentStore, cold_folder: Path, clock: ManualClock[datetime]
) -> None:
    from hph.runtime.memory import Intervals

    memory = await tiered_memory(
        store, cold_folder, clock, intervals=Intervals(demote=0.01, archive=0.01, stats_log=0.01)
    )
    sessions = memory.namespace("cart-intelligence", "sessions", Policy(write_behind=True))
    await sessions.put("s1", 1)
    await memory.start()
    try:
        warm = await warm_of(store)
        cold = LocalFileColdStore(cold_folder)

        async def demoted() -> bool:
            return await warm.get("cart-intelligence.sessions", "s1") is not None

        async def archived() -> bool:
            return await cold.get("cart-intelligence.sessions", "s1") is not None

        clock.advance(HOT_SECONDS)  # past its hot time: the demotion pass writes it to warm storage
        await eventually(demoted, within=5)
        clock.advance(ARCHIVE_AFTER_SECONDS)  # past its age in warm storage: the archive pass moves it
        await eventually(archived, within=5)
        assert await warm.get("cart-intelligence.sessions", "s1") is None
    finally:
        await memory.stop()
