"""PostgreSQL for tests: databases of their own on the server at HPH_TEST_POSTGRES_DSN.

The DSN (a postgresql:// URL) names a server and a database the test user may connect to and
create databases from; it defaults to the local server's `postgres` user over TCP. Every database
made here is named `hph_test_<random>`, commits without waiting for the disk (synchronous_commit
off: a test kills platform processes, never the server) and is dropped (WITH FORCE) when its user
is done, so parallel test processes never share one.
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

T = TypeVar("T")

DEFAULT_TEST_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def run_sync(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Runs `work()` to completion on a loop of its own in another thread, so that a synchronous
    (e.g. session-scoped) fixture may use it even when first requested from an async one."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(lambda: asyncio.run(work())).result()


def admin_dsn() -> str:
    return os.environ.get("HPH_TEST_POSTGRES_DSN", "") or DEFAULT_TEST_DSN


def dsn_for(database: str, base: str | None = None) -> str:
    """`base` (the admin DSN by default) with its database replaced."""
    parts = urlsplit(base or admin_dsn())
    return urlunsplit(parts._replace(path=f"/{database}"))


async def unavailable_reason() -> str | None:
    """Why the test server cannot be used (None when it can): not running, or refusing us."""
    try:
        connection = await asyncpg.connect(admin_dsn(), timeout=5)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        where = urlsplit(admin_dsn())
        return (
            f"no PostgreSQL server usable at {where.hostname}:{where.port or 5432} "
            f"(set HPH_TEST_POSTGRES_DSN): {type(exc).__name__}: {exc}"
        )
    await connection.close()
    return None


async def create_database() -> str:
    """A new empty database; returns its name."""
    name = f"hph_test_{uuid.uuid4().hex[:16]}"
    connection = await asyncpg.connect(admin_dsn(), timeout=10)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        # A commit need not wait for the WAL flush in a throwaway database: what the tests kill is
        # the platform's process, never the server, and a commit is in the server once answered.
        await connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await connection.close()
    return name


async def drop_database(name: str) -> None:
    connection = await asyncpg.connect(admin_dsn(), timeout=10)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@asynccontextmanager
async def temporary_database() -> AsyncIterator[str]:
    """The DSN of a database that exists for the length of the block."""
    name = await create_database()
    try:
        yield dsn_for(name)
    finally:
        await drop_database(name)


_process_database: str | None = None
_process_database_lock = threading.Lock()


def schema_for(data_dir: Path) -> tuple[str, str]:
    """(DSN, schema) of the platform state of `data_dir` when the test process runs its platforms
    on PostgreSQL: one schema per data dir, so a platform restarted on the same data dir finds its
    state again, in one database per test process, made on first use and dropped when the process
    exits."""
    global _process_database
    with _process_database_lock:
        if _process_database is None:
            _process_database = run_sync(create_database)
            atexit.register(drop_process_database)  # outside pytest (benchmarks, scripts)
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:24]
    return dsn_for(_process_database), f"d_{digest}"


def drop_process_database() -> None:
    """Drops the database `schema_for` made, if any; pytest calls it when the session finishes (an
    xdist worker may exit without running atexit handlers)."""
    global _process_database
    with _process_database_lock:
        name, _process_database = _process_database, None
    if name is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case (session end, exit), where no thread may be started
        asyncio.run(drop_database(name))
    else:
        run_sync(lambda: drop_database(name))
