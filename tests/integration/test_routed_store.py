"""The embedded store over several SQLite files: each container in the file the registry names, a
commit to one file never taking another's write lock, and the outbox relay hearing every file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hph.host.app import agents_database_path, consumers_database_path, database_path, open_store
from hph.runtime.settings import Settings
from hph.runtime.storage import Container, Document

pytestmark = pytest.mark.integration


def rows_in(path: Path, container: str) -> int:
    with sqlite3.connect(path) as connection:
        found = connection.execute(
            "SELECT count(*) FROM documents d JOIN containers c ON c.container_id = d.container_id WHERE c.name = ?",
            (container,),
        ).fetchone()
    return int(found[0])


async def test_each_container_lives_in_the_file_the_registry_names(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    store = await open_store(settings)
    heard: list[str] = []
    store.add_commit_listener(lambda container, pk, docs: heard.append(container.name))
    try:
        recent: Container = await store.container("checkout_support_recent", "/key")
        orders: Container = await store.container("orders", "/user_id")
        ledger: Container = await store.container("consumer_ledger", "/group")
        await recent.create({"id": "recent", "key": "shopper:ava", "recent_orders": {}})
        await orders.create({"id": "o1", "user_id": "ava", "status": "pending"})
        await ledger.create({"id": "e1", "group": "checkout-support", "topic": "order-events"})
        read: Document = await recent.read("recent", "shopper:ava")
        assert read["key"] == "shopper:ava"
    finally:
        await store.close()

    assert rows_in(agents_database_path(settings), "checkout_support_recent") == 1
    assert rows_in(database_path(settings), "orders") == 1
    assert rows_in(database_path(settings), "checkout_support_recent") == 0
    assert rows_in(agents_database_path(settings), "orders") == 0
    assert rows_in(consumers_database_path(settings), "consumer_ledger") == 1
    assert rows_in(database_path(settings), "consumer_ledger") == 0
    assert rows_in(agents_database_path(settings), "consumer_ledger") == 0
    assert sorted(heard) == ["checkout_support_recent", "consumer_ledger", "orders"], "listeners hear every file"

    reopened = await open_store(settings)  # the same files again: the same documents
    try:
        again = await (await reopened.container("checkout_support_recent", "/key")).read("recent", "shopper:ava")
        assert again["recent_orders"] == {}
    finally:
        await reopened.close()


async def test_a_transaction_held_on_one_file_does_not_block_writes_to_the_other(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    store = await open_store(settings)
    try:
        recent = await store.container("checkout_support_recent", "/key")
        orders = await store.container("orders", "/user_id")
        await recent.create({"id": "recent", "key": "shopper:ava", "recent_orders": {}})
        # Another process (the agents') holds the agents file's write lock...
        holder = sqlite3.connect(agents_database_path(settings), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            # ...and the commerce file takes a write at once.
            await orders.create({"id": "o2", "user_id": "ava", "status": "pending"})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert (await orders.read("o2", "ava"))["status"] == "pending"
    finally:
        await store.close()
