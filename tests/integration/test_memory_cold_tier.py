"""The cold memory tier's contract, run against every adapter: local files in a temp dir, and Blob
Storage on a private azurite (a real Blob emulator, `azurite` fixture) in a container of the
test's own. The tiered memory's archive (warm to cold and back up) runs over each."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hph.runtime.azure_clients import AzureClients
from hph.runtime.memory import ColdStore, LocalFileColdStore, Memory, Record, WarmTier
from hph.runtime.memory.blob_cold import BlobColdStore
from hph.runtime.memory.factory import open_cold_store
from hph.runtime.memory.hot import HotEntry
from hph.runtime.memory.warm import MEMORY
from hph.runtime.settings import Settings
from hph.runtime.storage import SqliteDocumentStore
from tests.support.azurite import Azurite
from tests.support.clocks import ManualClock
from tests.support.memory_tiers import ARCHIVE_AFTER_SECONDS, HOT_SECONDS, START, clock_at_start, tiered_memory

ANSWERS = ("catalog-search", "answers")


def emulator_settings(azurite: Azurite, container: str) -> Settings:
    return Settings(
        memory_cold="blob",
        memory_cold_container=container,
        azure_emulator=True,
        azure_storage_connection_string=azurite.connection_string,
    )


@pytest.fixture(params=["files", "blob"])
async def cold(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ColdStore]:
    """A fresh cold tier: files under a temp dir, or a new container on azurite (not created yet,
    as on a first start), opened the way the platform opens it (`open_cold_store`)."""
    if request.param == "files":
        opened = open_cold_store(Settings(data_dir=tmp_path, memory_cold="files"))
    else:
        azurite: Azurite = request.getfixturevalue("azurite")
        opened = open_cold_store(emulator_settings(azurite, f"cold-{uuid.uuid4().hex[:12]}"))
        assert isinstance(opened, BlobColdStore)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def clock() -> ManualClock[datetime]:
    return clock_at_start()


@pytest.fixture
async def memory(store: SqliteDocumentStore, cold: ColdStore, tmp_path: Path, clock: ManualClock[datetime]) -> Memory:
    return await tiered_memory(store, tmp_path / "unused", clock, cold=cold)


async def warm_of(store: SqliteDocumentStore) -> WarmTier:
    return WarmTier(await MEMORY.open(store))


def a_record(key: str, version: int = 1, expires_at: datetime | None = None, body: bytes = b'{"n":1}') -> Record:
    return Record("a.b", key, version, "json", body, START, expires_at)


async def test_records_are_stored_replaced_read_and_deleted(cold: ColdStore) -> None:
    assert await cold.get("a.b", "user:1") is None  # nothing yet (no folder, no container)
    await cold.delete("a.b", "user:1")  # deleting what is not there is fine
    first = a_record("user:1")
    await cold.put(first)
    assert await cold.get("a.b", "user:1") == first
    newer = a_record("user:1", version=2, body=b'{"n":2}')
    await cold.put(newer)
    assert await cold.get("a.b", "user:1") == newer
    other_namespace = Record("a.c", "user:1", 1, "bytes", b"\x00\xff", START, None)
    await cold.put(other_namespace)
    assert await cold.get("a.c", "user:1") == other_namespace
    await cold.delete("a.b", "user:1")
    assert await cold.get("a.b", "user:1") is None
    assert await cold.get("a.c", "user:1") == other_namespace


async def test_expired_records_are_purged_and_the_others_kept(cold: ColdStore) -> None:
    keep = a_record("user:1")
    later = a_record("user:3", expires_at=START + timedelta(hours=1))
    drop = a_record("user:2", expires_at=START + timedelta(seconds=1))
    for record in (keep, later, drop):
        await cold.put(record)
    assert await cold.purge_expired(START) == 0
    assert await cold.purge_expired(START + timedelta(seconds=2)) == 1
    assert await cold.get("a.b", "user:1") == keep
    assert await cold.get("a.b", "user:3") == later
    assert await cold.get("a.b", "user:2") is None
    assert await cold.purge_expired(START + timedelta(seconds=2)) == 0


async def test_warm_records_past_their_age_move_to_cold_and_a_read_brings_them_back_up(
    memory: Memory, cold: ColdStore, store: SqliteDocumentStore, clock: ManualClock[datetime]
) -> None:
    answers = memory.namespace(*ANSWERS)
    await answers.put("old", {"n": 1})
    clock.advance(ARCHIVE_AFTER_SECONDS / 2)
    await answers.put("recent", {"n": 2})
    clock.advance(ARCHIVE_AFTER_SECONDS / 2)

    report = await memory.archive_once()

    assert report.archived == 1
    warm = await warm_of(store)
    assert await warm.get("catalog-search.answers", "old") is None
    assert await warm.get("catalog-search.answers", "recent") is not None
    archived = await cold.get("catalog-search.answers", "old")
    assert archived is not None and archived.value() == {"n": 1}

    clock.advance(HOT_SECONDS)  # the hot copy is gone too
    found = await answers.get("old")
    assert found is not None and found.tier == "cold" and found.value == {"n": 1}
    assert await warm.get("catalog-search.answers", "old") is not None  # promoted to warm
    again = await answers.get("old")
    assert again is not None and again.tier == "hot"


async def test_a_delete_forgets_the_key_in_every_tier_and_an_older_version_in_flight_cannot_revive_it(
    memory: Memory, cold: ColdStore, store: SqliteDocumentStore, clock: ManualClock[datetime]
) -> None:
    answers = memory.namespace(*ANSWERS)
    await answers.put("k", "v1")
    clock.advance(ARCHIVE_AFTER_SECONDS)
    await memory.archive_once()  # now in cold
    assert await cold.get("catalog-search.answers", "k") is not None
    await answers.put("k", "v2")
    warm = await warm_of(store)
    before = await warm.get("catalog-search.answers", "k")
    assert before is not None

    await answers.delete("k")

    assert await answers.get("k") is None
    assert await cold.get("catalog-search.answers", "k") is None
    # A demotion or promotion of v2 that was under way when the delete ran loses to the tombstone.
    assert not await warm.put(before.record, clock())
    assert not await memory.hot.put(HotEntry(before.record, clock() + timedelta(minutes=1), dirty=False), clock())
    clock.advance(HOT_SECONDS)
    assert await answers.get("k") is None
    clock.advance(ARCHIVE_AFTER_SECONDS)
    assert (await memory.archive_once()).removed == 1
    assert await warm.get("catalog-search.answers", "k") is None


async def test_expired_cold_records_are_purged_by_the_archive_pass(
    memory: Memory, cold: ColdStore, clock: ManualClock[datetime]
) -> None:
    from hph.runtime.memory import Policy

    short = memory.namespace("cart-intelligence", "sessions", Policy(ttl=timedelta(seconds=ARCHIVE_AFTER_SECONDS * 2)))
    await short.put("s1", 1)
    clock.advance(ARCHIVE_AFTER_SECONDS)
    assert (await memory.archive_once()).archived == 1
    assert await cold.get("cart-intelligence.sessions", "s1") is not None
    clock.advance(ARCHIVE_AFTER_SECONDS * 2)
    assert (await memory.archive_once()).purged == 1
    assert await cold.get("cart-intelligence.sessions", "s1") is None


# --- Blob only ----------------------------------------------------------------------------------


async def test_blob_records_are_one_blob_each_with_their_expiry_in_metadata(azurite: Azurite) -> None:
    container = f"cold-{uuid.uuid4().hex[:12]}"
    clients = AzureClients.from_settings(emulator_settings(azurite, container))
    blob_cold = BlobColdStore(clients.container(container))
    inspect = clients.container(container)
    try:
        await blob_cold.put(a_record("user:1", expires_at=START + timedelta(seconds=5)))
        await blob_cold.put(a_record("user:2"))
        listed = {blob.name: dict(blob.metadata or {}) async for blob in inspect.list_blobs(include=["metadata"])}
        assert listed == {"a.b/user:1": {"expires_at": "2026-11-27T09:00:05.000000Z"}, "a.b/user:2": {}}
    finally:
        await inspect.close()
        await blob_cold.close()


async def test_a_purge_spares_a_record_rewritten_since_it_expired(azurite: Azurite) -> None:
    """The listing saw an expired record, a writer replaced it before the delete: the new one stays."""
    container = f"cold-{uuid.uuid4().hex[:12]}"
    clients = AzureClients.from_settings(emulator_settings(azurite, container))
    blob_cold = BlobColdStore(clients.container(container))
    fresh = a_record("user:1", version=2)
    try:
        await blob_cold.put(a_record("user:1", expires_at=START))
        listing = blob_cold._container.list_blobs

        def rewrite_after_listing(**kwargs: object) -> object:
            async def listed() -> AsyncIterator[object]:
                async for blob in listing(**kwargs):  # type: ignore[arg-type]
                    await blob_cold.put(fresh)
                    yield blob

            return listed()

        blob_cold._container.list_blobs = rewrite_after_listing  # type: ignore[method-assign,assignment]
        assert await blob_cold.purge_expired(START + timedelta(seconds=1)) == 0
        assert await blob_cold.get("a.b", "user:1") == fresh
    finally:
        await blob_cold.close()


async def test_a_cold_file_store_is_what_the_default_settings_open(tmp_path: Path) -> None:
    opened = open_cold_store(Settings(data_dir=tmp_path))
    assert isinstance(opened, LocalFileColdStore) and opened.root == tmp_path / "memory-cold"
    with pytest.raises(ValueError, match="HPH_MEMORY_COLD"):
        open_cold_store(Settings(data_dir=tmp_path, memory_cold="tape"))
