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
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from azure.cosmos.aio import CosmosClient

from hph.runtime.storage import DocumentStore, OrderBy, SqliteDocumentStore
from hph.runtime.storage.cosmos import CosmosDocumentStore
from hph.runtime.storage.postgres import PostgresDocumentStore
from tests.support.cosmos_emulator import EMULATOR_KEY

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


def _both_ways(field: str) -> list[tuple[OrderBy, ...]]:
    return [(OrderBy(field),), (OrderBy(field, descending=True),)]


# The orderings the contract suite's queries use, per container: on Cosmos DB every ordered page
# is served from a composite index, declared when the container is created (as
# hph/runtime/storage/containers.json declares the services').
CONTRACT_ORDERINGS: dict[str, list[tuple[OrderBy, ...]]] = {
    "ranked": _both_ways("rank"),
    "scores": [(OrderBy("stats.group"), OrderBy("stats.score", descending=True))],
    "board": _both_ways("score"),
    "products": _both_ways("price"),
    "words": _both_ways("word"),
    "numbers": _both_ways("v"),
}


@asynccontextmanager
async def cosmos_stores(request: pytest.FixtureRequest, _tmp_path: Path) -> AsyncIterator[StoreOpener]:
    """A database of the test's own on the test process's Cosmos DB emulator (`cosmos_endpoint`)."""
    endpoint: str = request.getfixturevalue("cosmos_endpoint")
    database = f"t_{uuid.uuid4().hex[:16]}"

    async def open_store() -> DocumentStore:
        return await CosmosDocumentStore.open(
            endpoint,
            database,
            key=EMULATOR_KEY,
            verify_tls=False,
            manage_containers=True,
            orderings=CONTRACT_ORDERINGS,
        )

    try:
        yield open_store
    finally:
        async with CosmosClient(endpoint, EMULATOR_KEY, connection_verify=False) as client:
            await client.delete_database(database)


@dataclass(frozen=True)
class Gap:
    """A contract test an adapter's test engine cannot run (`skip`), or a documented difference of
    the adapter's semantics (`xfail`, strict: it must keep failing, or the entry goes). `params`
    narrows it to test ids containing one of them."""

    reason: str
    xfail: bool = False
    params: tuple[str, ...] = ()


_COSMOS_BATCH = Gap(
    "the npm Cosmos DB emulator has no transactional batch (it rejects the SDK's batch request and"
    " would not roll back); batches are tested at the SDK boundary in tests/contract/test_cosmos_sdk_boundary.py"
)
ADAPTER_GAPS: dict[str, dict[str, Gap]] = {
    "cosmos_stores": {
        "test_batch_applies_all_operations_and_returns_results": _COSMOS_BATCH,
        "test_batch_failure_rolls_back_earlier_operations": _COSMOS_BATCH,
        "test_store_keeps_working_after_a_failed_batch": _COSMOS_BATCH,
        "test_no_oversell_when_two_store_objects_race_read_modify_write": _COSMOS_BATCH,
        "test_listeners_get_each_committed_write_as_stored": _COSMOS_BATCH,
        "test_batches_without_writes_are_not_reported": _COSMOS_BATCH,
        "test_listener_copies_are_independent_of_the_returned_documents": _COSMOS_BATCH,
        "test_failed_writes_notify_nothing": _COSMOS_BATCH,
        "test_batch_size_limits": _COSMOS_BATCH,
        "test_batches_writing_the_same_documents_in_opposite_orders_all_complete": _COSMOS_BATCH,
        "test_contains_folds_case_by_unicode_case_folding": Gap(
            "Cosmos DB lowers case (LOWER) rather than folding it: ß does not match SS", xfail=True, params=("STRASSE",)
        ),
        "test_documents_round_trip_unicode_nesting_and_big_integers": Gap(
            "the emulator keeps numbers as JavaScript doubles: integers beyond 2**53 lose digits", xfail=True
        ),
    },
}


STORAGE_ADAPTERS = [
    pytest.param(sqlite_stores, id="sqlite"),
    pytest.param(postgres_stores, id="postgres", marks=pytest.mark.integration),
    pytest.param(cosmos_stores, id="cosmos", marks=pytest.mark.integration),
]
