"""Every storage adapter the contract suite (tests/contract/test_storage_contract.py) runs against.

An adapter is one entry of `STORAGE_ADAPTERS`: an async context manager that, given the test's
request and tmp_path, yields an opener. Each call of the opener opens a NEW store object over the
same data (as another process or host would); the suite closes what it opened before the context
exits, and the context then removes the data. Adapters needing a server are marked `integration`
(the sqlite entry stays a unit test).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import asyncpg
import pytest

from hph.runtime.storage import DocumentStore, SqliteDocumentStore
from hph.runtime.storage.postgres import PostgresDocumentStore

StoreOpener = Callable[[], Awaitable[DocumentStore]]
StoreAdapter = Callable[[pytest.FixtureRequest, Path], AbstractAsyncContextManager[StoreOpener]]


@asynccontextmanager
async def sqlite_stores(_request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreOpener]:
    path = tmp_path / "hub.sqlite"

    async def open_store() -> DocumentStore:
        return await SqliteDocumentStore.open(path)

    yield open_store


@asynccontextmanager
async def postgres_stores(request: pytest.FixtureRequest, _tmp_path: Path) -> AsyncIterator[StoreOpener]:
    """A schema of the test's own in the test process's database (the `postgres_dsn` fixture)."""
    dsn: str = request.getfixturevalue("postgres_dsn")
    schema = f"t_{uuid.uuid4().hex[:16]}"

    async def open_store() -> DocumentStore:
        return await PostgresDocumentStore.open(dsn, schema=schema, max_connections=4)

    try:
        yield open_store
    finally:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await connection.close()


STORAGE_ADAPTERS = [
    pytest.param(sqlite_stores, id="sqlite"),
    pytest.param(postgres_stores, id="postgres", marks=pytest.mark.integration),
]
