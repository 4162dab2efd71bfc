"""Fixtures any test may ask for by name (a pytest plugin, loaded by tests/conftest.py); a module's
own fixture of the same name wins."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from hph.runtime.storage import SqliteDocumentStore
from tests.support import postgres
from tests.support.azurite import Azurite, azurite_installed, running_azurite
from tests.support.cosmos_emulator import emulator_installed, running_cosmos_emulator
from tests.support.redis_server import redis_server_binary, running_redis_server


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where `store` keeps its database, for tests that open it a second time (another process)."""
    return tmp_path / "hub.sqlite"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteDocumentStore]:
    """An empty SQLite document store of the test's own."""
    opened = await SqliteDocumentStore.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a private redis-server (one per test process, started on first use, stopped at the
    end); tests share it under key prefixes of their own. Skips when redis-server is not installed."""
    if redis_server_binary() is None:
        pytest.skip("redis-server is not installed")
    with running_redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """A private azurite blob service (one per test process, started on first use, stopped at the
    end); tests share it in containers of their own. Skips when .ci/setup could not install it."""
    if not azurite_installed():
        pytest.skip("azurite is not installed (bash .ci/setup installs it with npm)")
    with running_azurite(tmp_path_factory.mktemp("azurite")) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """DSN of a database of this test process's own on the PostgreSQL test server (created on first
    use, dropped at the end; tests share it under schemas of their own). Skips, saying why, when no
    server is usable at HPH_TEST_POSTGRES_DSN (default: the local server's `postgres` user); fails
    instead with HPH_TEST_REQUIRE_POSTGRES=1, which .ci/test sets when setup found a server."""
    reason = postgres.run_sync(postgres.unavailable_reason)
    if reason is not None:
        if os.environ.get("HPH_TEST_REQUIRE_POSTGRES") == "1":  # .ci/test, where setup saw a server
            pytest.fail(reason)
        pytest.skip(reason)
    name = postgres.run_sync(postgres.create_database)
    try:
        yield postgres.dsn_for(name)
    finally:
        postgres.run_sync(lambda: postgres.drop_database(name))


@pytest.fixture(scope="session")
def cosmos_endpoint() -> Iterator[str]:
    """https endpoint of a private Cosmos DB emulator (one per test process, started on first use,
    stopped at the end); tests share it under databases of their own. Skips when .ci/setup could not
    install it; fails instead with HPH_TEST_REQUIRE_COSMOS=1, which .ci/test sets when it is."""
    if not emulator_installed():
        reason = "the Cosmos DB emulator (.ci/tools/node_modules/@vercel/cosmosdb-server, run by node) is not installed"
        if os.environ.get("HPH_TEST_REQUIRE_COSMOS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with running_cosmos_emulator() as endpoint:
        yield endpoint


@pytest.fixture
async def postgres_database(postgres_dsn: str) -> AsyncIterator[str]:
    """DSN of a new database for this test alone (a platform's whole store), dropped afterwards."""
    async with postgres.temporary_database() as dsn:
        yield dsn


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drops the database of this test process's platforms on PostgreSQL (HPH_TEST_STORAGE)."""
    postgres.drop_process_database()
