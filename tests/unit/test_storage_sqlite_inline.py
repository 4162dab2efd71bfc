"""The SQLite adapter's inline path: statements bounded by a key run on the event loop's own
connection, fall back to the worker thread when another connection or process holds the write lock,
and report every commit of this store to its commit listeners.

Everything runs on real SQLite files in tmp_path; the "other process" is a second sqlite3
connection of this process or a real child process holding `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import test_storage_sqlite as storage_suite
from test_storage_sqlite import ids

from hph.runtime.storage import (
    BatchError,
    ConflictError,
    Container,
    CreateOp,
    DeleteOp,
    Document,
    NotFoundError,
    PreconditionFailedError,
    Query,
    ReadOp,
    ReplaceOp,
    SqliteDocumentStore,
    UpsertOp,
)
from hph.runtime.storage.sqlite import _CHECKPOINT_EVERY

# The storage suite's carts container (the store is tests/support/fixtures.py)
carts = storage_suite.carts

# How long a test lets a blocked statement sit before deciding it really is blocked.
SETTLE_SECONDS = 0.5


Commit = tuple[str, str, list[Document]]


class CommitLog:
    """A commit listener that keeps what it was told (container name, partition key, documents)."""

    def __init__(self) -> None:
        self.commits: list[Commit] = []
        self.threads: set[int] = set()

    def __call__(self, container: Container, partition_key: str, docs: Sequence[Document]) -> None:
        self.commits.append((container.name, partition_key, list(docs)))
        self.threads.add(threading.get_ident())


@contextmanager
def foreign_write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection to the file holds the write lock (`BEGIN IMMEDIATE`) until the block ends,
    then commits what it wrote meanwhile."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        finally:
            connection.execute("COMMIT")
    finally:
        connection.close()


@asynccontextmanager
async def busy_worker(store: SqliteDocumentStore) -> AsyncIterator[threading.Event]:
    """Keeps the store's worker thread busy until the returned event is set (or the block ends):
    whatever still completes meanwhile did not need the worker."""
    release = threading.Event()
    entered = threading.Event()

    def hold(_connection: sqlite3.Connection) -> None:
        entered.set()
        release.wait(30)

    held = asyncio.create_task(store.run(hold))
    async with asyncio.timeout(5):
        while not entered.is_set():  # noqa: ASYNC110 - a threading.Event, set on the worker
            await asyncio.sleep(0.005)
    try:
        yield release
    finally:
        release.set()
        await held


class Ticker:
    """A coroutine that counts event-loop turns: the loop is responsive while it keeps counting."""

    def __init__(self) -> None:
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self.ticks += 1
            await asyncio.sleep(0.01)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Ticker]:
        self._task = asyncio.create_task(self._run())
        try:
            yield self
        finally:
            self._task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await self._task


# --- the same answers as on the worker ---------------------------------------------------------


async def test_inline_point_operations_keep_the_ports_errors(carts: Container) -> None:
    created = await carts.create({"id": "c1", "user_id": "u1", "v": 1})

    with pytest.raises(ConflictError):
        await carts.create({"id": "c1", "user_id": "u1"})
    with pytest.raises(NotFoundError):
        await carts.read("c1", "u2")
    with pytest.raises(NotFoundError):
        await carts.replace({"id": "missing", "user_id": "u1"})
    with pytest.raises(PreconditionFailedError):
        await carts.replace({**created, "v": 2}, if_match="stale")
    with pytest.raises(PreconditionFailedError):
        await carts.upsert({**created, "v": 2}, if_match="stale")
    with pytest.raises(NotFoundError):
        await carts.delete("missing", "u1")
    with pytest.raises(PreconditionFailedError):
        await carts.delete("c1", "u1", if_match="stale")

    assert await carts.read("c1", "u1") == created  # nothing above changed it
    replaced = await carts.replace({**created, "v": 2}, if_match=created["_etag"])
    assert replaced["_etag"] != created["_etag"]
    assert await carts.read("c1", "u1") == replaced
    await carts.delete("c1", "u1", if_match=replaced["_etag"])
    with pytest.raises(NotFoundError):
        await carts.read("c1", "u1")


async def test_inline_batch_error_names_the_failing_operation_and_rolls_back(carts: Container) -> None:
    before = await carts.create({"id": "a", "user_id": "u1", "v": 1})

    with pytest.raises(BatchError) as caught:
        await carts.batch(
            "u1",
            [
                UpsertOp({"id": "a", "user_id": "u1", "v": 2}),
                CreateOp({"id": "b", "user_id": "u1"}),
                ReplaceOp({"id": "a", "user_id": "u1", "v": 3}, if_match=before["_etag"]),  # stale by now
            ],
        )

    assert caught.value.index == 2
    assert isinstance(caught.value.cause, PreconditionFailedError)
    assert await carts.read("a", "u1") == before
    with pytest.raises(NotFoundError):
        await carts.read("b", "u1")
    # The inline connection is not left inside the rolled-back transaction.
    assert (await carts.batch("u1", [CreateOp({"id": "b", "user_id": "u1"})]))[0] is not None
    assert ids((await carts.query(Query(), max_items=10)).items) == ["a", "b"]


async def test_inline_writes_are_visible_to_queries_on_the_worker_and_to_other_connections(
    store: SqliteDocumentStore, carts: Container
) -> None:
    await carts.create({"id": "c1", "user_id": "u1"})
    await carts.batch("u2", [CreateOp({"id": "c2", "user_id": "u2"}), CreateOp({"id": "c3", "user_id": "u2"})])

    assert ids((await carts.query(Query(), max_items=10)).items) == ["c1", "c2", "c3"]
    assert await carts.count(Query()) == 3
    with sqlite3.connect(store.path) as other:
        assert other.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 3


async def test_point_operations_do_not_need_the_worker_but_queries_do(
    store: SqliteDocumentStore, carts: Container
) -> None:
    created = await carts.create({"id": "c1", "user_id": "u1"})

    async with busy_worker(store) as release:
        # Bounded by a key: done on the loop's connection while the worker is occupied.
        async with asyncio.timeout(5):
            assert await carts.read("c1", "u1") == created
            await carts.upsert({"id": "c2", "user_id": "u1"})
            await carts.batch("u1", [ReadOp("c1"), DeleteOp("c2")])
        # A query's cost grows with the data: it waits for the worker.
        query = asyncio.ensure_future(carts.query(Query(), max_items=10))
        await asyncio.sleep(SETTLE_SECONDS)
        assert not query.done()
        release.set()
        assert ids((await asyncio.wait_for(query, 5)).items) == ["c1"]


# --- another connection or process holds the write lock ----------------------------------------


@pytest.mark.parametrize("operation", ["create", "replace", "upsert", "delete", "batch"])
async def test_inline_write_waits_on_the_worker_while_another_connection_holds_the_lock(
    store: SqliteDocumentStore, carts: Container, operation: str
) -> None:
    existing = await carts.create({"id": "x", "user_id": "u1", "v": 1})
    writes: dict[str, Any] = {
        "create": lambda: carts.create({"id": "new", "user_id": "u1"}),
        "replace": lambda: carts.replace({**existing, "v": 2}, if_match=existing["_etag"]),
        "upsert": lambda: carts.upsert({**existing, "v": 2}, if_match=existing["_etag"]),
        "delete": lambda: carts.delete("x", "u1", if_match=existing["_etag"]),
        "batch": lambda: carts.batch("u1", [CreateOp({"id": "new", "user_id": "u1"}), DeleteOp("x")]),
    }

    async with Ticker().running() as ticker:
        with foreign_write_lock(store.path):
            write = asyncio.ensure_future(writes[operation]())
            await asyncio.sleep(SETTLE_SECONDS)
            # Not failed (busy_timeout 0 inline) but waiting on the worker, and the loop keeps turning.
            assert not write.done()
            assert ticker.ticks >= 3
        await asyncio.wait_for(write, 5)  # the lock is gone: the worker's retry commits

    remaining = {doc["id"]: doc for doc in (await carts.query(Query(), max_items=10)).items}
    if operation == "create":
        assert set(remaining) == {"x", "new"}
    elif operation in ("replace", "upsert"):
        assert remaining["x"]["v"] == 2
    elif operation == "delete":
        assert remaining == {}
    else:
        assert set(remaining) == {"new"}


@pytest.mark.integration  # a child process
async def test_inline_write_waits_while_a_child_process_holds_the_lock(
    store: SqliteDocumentStore, carts: Container
) -> None:
    script = (
        "import sqlite3, sys\n"
        "connection = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "connection.execute('BEGIN IMMEDIATE')\n"
        "connection.execute(\"UPDATE documents SET body = json_set(body, '$.by', 'child')\")\n"
        "print('locked', flush=True)\n"
        "sys.stdin.readline()\n"
        "connection.execute('COMMIT')\n"
        "print('committed', flush=True)\n"
    )
    await carts.create({"id": "x", "user_id": "u1", "v": 1})
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        str(store.path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        async with asyncio.timeout(30):
            assert (await child.stdout.readline()).decode().strip() == "locked"
        async with Ticker().running() as ticker:
            write = asyncio.ensure_future(carts.create({"id": "y", "user_id": "u1"}))
            # WAL: reads go on while the child holds the lock, and see the last committed state.
            async with asyncio.timeout(5):
                seen = await carts.read("x", "u1")
            assert "by" not in seen
            await asyncio.sleep(SETTLE_SECONDS)
            assert not write.done()
            assert ticker.ticks >= 3

            child.stdin.write(b"go\n")
            await child.stdin.drain()
            created = await asyncio.wait_for(write, 5)
        assert created["id"] == "y"
        assert (await child.stdout.readline()).decode().strip() == "committed"
        assert await child.wait() == 0
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    assert (await carts.read("x", "u1"))["by"] == "child"
    assert (await carts.read("y", "u1"))["id"] == "y"


async def test_reads_proceed_inline_during_a_foreign_write_lock(store: SqliteDocumentStore, carts: Container) -> None:
    created = await carts.create({"id": "x", "user_id": "u1", "v": 1})

    with foreign_write_lock(store.path) as other:
        async with busy_worker(store):
            other.execute("UPDATE documents SET body = json_set(body, '$.v', 99)")  # not committed yet
            # Neither the lock nor the occupied worker holds a point read back.
            async with asyncio.timeout(5):
                assert await carts.read("x", "u1") == created

    assert (await carts.read("x", "u1"))["v"] == 99


async def test_write_fails_as_before_when_the_lock_outlives_the_workers_wait(
    store: SqliteDocumentStore, carts: Container
) -> None:
    """The fallback waits busy_timeout (5 s) on the worker, then reports the lock like any SQLite
    error (StorageError) rather than hanging or half-writing."""
    from hph.runtime.storage import StorageError

    with foreign_write_lock(store.path), pytest.raises(StorageError, match="locked"):
        await asyncio.wait_for(carts.create({"id": "late", "user_id": "u1"}), 20)
    with pytest.raises(NotFoundError):
        await carts.read("late", "u1")
    await carts.create({"id": "late", "user_id": "u1"})  # and the store works afterwards


# --- another thread ----------------------------------------------------------------------------


async def test_calls_from_another_thread_go_to_the_worker_and_work(
    store: SqliteDocumentStore, carts: Container
) -> None:
    log = CommitLog()
    store.add_commit_listener(log)
    await carts.create({"id": "a", "user_id": "u1", "v": 1})

    def in_another_thread() -> tuple[Document, Document, list[Document | None], str]:
        async def work() -> tuple[Document, Document, list[Document | None], str]:
            read = await carts.read("a", "u1")
            replaced = await carts.replace({**read, "v": 2}, if_match=read["_etag"])
            batch = await carts.batch("u2", [CreateOp({"id": "b", "user_id": "u2"}), ReadOp("b")])
            with pytest.raises(ConflictError):
                await carts.create({"id": "a", "user_id": "u1"})
            return read, replaced, batch, threading.current_thread().name

        return asyncio.run(work())

    read, replaced, batch, thread = await asyncio.to_thread(in_another_thread)

    assert thread != threading.current_thread().name
    assert read["v"] == 1 and replaced["v"] == 2
    assert [doc["id"] if doc else None for doc in batch] == ["b", "b"]
    assert await carts.read("a", "u1") == replaced
    assert await carts.read("b", "u2") == batch[0]
    # Listeners hear of those commits too, on the store's own loop (they may touch loop objects).
    await asyncio.sleep(0)
    assert log.threads == {threading.get_ident()}
    assert [(name, pk, [d["id"] for d in docs]) for name, pk, docs in log.commits] == [
        ("carts", "u1", ["a"]),
        ("carts", "u1", ["a"]),
        ("carts", "u2", ["b"]),
    ]


# --- commit listeners (their contract: tests/contract/test_storage_contract.py) ------------------


async def test_a_write_that_fell_back_to_the_worker_is_reported_once_it_commits(
    store: SqliteDocumentStore, carts: Container
) -> None:
    log = CommitLog()
    store.add_commit_listener(log)

    with foreign_write_lock(store.path):
        write = asyncio.ensure_future(carts.create({"id": "a", "user_id": "u1"}))
        await asyncio.sleep(SETTLE_SECONDS)
        assert log.commits == []  # not committed yet, so not reported
    created = await asyncio.wait_for(write, 5)

    assert log.commits == [("carts", "u1", [created])]


# --- WAL checkpoints ---------------------------------------------------------------------------


def documents_in_the_database_file(path: Path, scratch: Path) -> int:
    """Documents in the main database file alone, i.e. what has been checkpointed out of the WAL
    (read from a copy of the file, so nothing here checkpoints)."""
    shutil.copyfile(path, scratch)
    with contextlib.closing(sqlite3.connect(scratch)) as copy:
        try:
            return int(copy.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
        except sqlite3.OperationalError:  # not even the schema is checkpointed yet
            return 0


async def test_the_worker_checkpoints_the_wal_every_so_many_inline_commits(
    store: SqliteDocumentStore, carts: Container, tmp_path: Path
) -> None:
    scratch = tmp_path / "copy.sqlite"
    payload = "x" * 2000  # enough pages that SQLite's own 1000-page autocheckpoint would have run
    for n in range(_CHECKPOINT_EVERY - 1):
        await carts.upsert({"id": f"d{n % 50:02d}", "user_id": "u1", "p": payload})
    await store.run(lambda _connection: None)  # whatever the worker had queued has run
    # Inline commits never checkpoint themselves (wal_autocheckpoint 0): all of it is still in the WAL.
    assert documents_in_the_database_file(store.path, scratch) == 0

    await carts.upsert({"id": "d00", "user_id": "u1", "p": payload})  # the _CHECKPOINT_EVERY-th
    await store.run(lambda _connection: None)  # the checkpoint was queued on the worker before this
    assert documents_in_the_database_file(store.path, scratch) == 50


async def test_the_wal_starts_over_while_other_connections_keep_reading(
    store: SqliteDocumentStore, carts: Container
) -> None:
    """SQLite starts the WAL over only when a writer finds no reader in it; with readers always
    there (other processes, the worker's queries) it grew without end. The checkpoint waits a moment
    for them after copying the WAL, so it starts over and stays the size of one checkpoint's writes."""
    stop = threading.Event()

    def keep_reading() -> None:
        with contextlib.closing(sqlite3.connect(store.path)) as reader:
            while not stop.is_set():
                reader.execute("SELECT COUNT(*), MAX(length(body)) FROM documents").fetchone()

    payload = "x" * 3000  # a page or more per commit
    readers = [threading.Thread(target=keep_reading) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for n in range(_CHECKPOINT_EVERY * 12):
            await carts.upsert({"id": f"d{n % 50:02d}", "user_id": "u1", "p": payload})
            if n % 50 == 0:
                await asyncio.sleep(0.001)  # the worker's checkpoint runs beside the writes
        await store.run(lambda _connection: None)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    wal = store.path.with_name(store.path.name + "-wal").stat().st_size
    one_checkpoint = _CHECKPOINT_EVERY * 2 * 4096  # two pages a commit (document and index), 4 KiB each
    # Room for a start-over missed now and then (a reader slower than the wait); without them all,
    # the WAL holds all twelve checkpoints' writes.
    assert wal < 3 * one_checkpoint, f"the WAL grew to {wal / 2**20:.1f} MiB over twelve checkpoints"
