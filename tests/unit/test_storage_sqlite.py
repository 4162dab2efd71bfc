"""What only the SQLite adapter promises (its WAL file, its index, its worker thread); the storage
port's contract, which it passes like every adapter, is tests/contract/test_storage_contract.py."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from hph.runtime.storage import Container, Document, SqliteDocumentStore


@pytest.fixture
async def carts(store: SqliteDocumentStore) -> Container:
    return await store.container("carts", "/user_id")


def ids(items: list[Document]) -> list[str]:
    return [item["id"] for item in items]


async def test_store_creates_the_parent_directories_of_its_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "deeper" / "hph.sqlite"
    store = await SqliteDocumentStore.open(path)
    try:
        await (await store.container("carts", "/user_id")).create({"id": "c1", "user_id": "u1"})
    finally:
        await store.close()

    assert path.is_file()


async def test_database_uses_wal_and_a_per_container_index(tmp_path: Path) -> None:
    path = tmp_path / "hph.sqlite"
    store = await SqliteDocumentStore.open(path)
    await store.close()

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        plan = connection.execute(
            "EXPLAIN QUERY PLAN SELECT body FROM documents WHERE container_id = 1 ORDER BY id, pk"
        ).fetchall()
    assert "USING INDEX" in str(plan)
    assert "TEMP B-TREE" not in str(plan)


async def test_sqlite_work_runs_off_the_event_loop_thread(store: SqliteDocumentStore) -> None:
    def worker_thread(_connection: sqlite3.Connection) -> str:
        return threading.current_thread().name

    assert await store.run(worker_thread) != threading.current_thread().name
