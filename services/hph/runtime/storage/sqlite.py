"""SQLite adapter of the storage port: the embedded default store, one database file.

Owns the schema, the rendering of port queries to SQL over `json_extract`, keyset pagination, and
the worker thread that runs every statement. Semantics follow `port` (Cosmos DB rules); how they map:

- Two connections. Statements whose cost is bounded by a primary-key lookup (point reads, single
  writes, one-partition batches) run inline on the event loop's own connection: they take tens of
  microseconds, several times less than the hop to a thread and back, which dominated the cost of a
  request. That connection never waits for a lock (busy_timeout 0): when another process (another
  worker) holds the write lock, the statement is tried again inline after pauses of a fraction of a
  millisecond, during which the loop runs other work, and only if the lock stays taken (~25 ms) is
  it handed to the worker connection, whose thread waits (busy_timeout). SQLite's own busy handler
  sleeps 1, 2, 5, 10... ms between attempts and so kept losing the lock to quicker writers.
  Queries and counts, whose cost grows with the data, always run on the worker thread so the event
  loop never stalls on a scan. Inline writes do not checkpoint the WAL themselves; the
  worker does that every `_CHECKPOINT_EVERY` inline commits, off the loop. WAL mode lets other
  processes read while we write.
- The WAL is started over after each checkpoint that copied all of it (`_checkpoint`). SQLite
  starts it over by itself only when a writer finds no reader in it, which under steady load (other
  processes and the worker thread reading all the time) never happened: the file grew by ~300 MB a
  minute at 100 orders/s, never shrinking until the load stopped.
- Conditional writes are single statements (`UPDATE ... WHERE etag = ?`,
  `INSERT ... ON CONFLICT DO UPDATE ... WHERE etag = ?`), so compare-and-swap is atomic even across
  processes; a batch is one `BEGIN IMMEDIATE` transaction.
- A document is stored as JSON text with its `_etag` and `_ts` inside (so queries may use them); the
  etag is also a column for the compare-and-swap.
- "Undefined" is SQL NULL: every comparison is guarded by `json_type`, so a missing field or a value
  of another JSON type yields NULL, and SQL's three-valued AND/OR/NOT then match Cosmos DB's.
- Every value, and every JSON path, is a bound parameter; paths are validated by the port as well.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from hph.runtime.storage.codec import decode_document, encode_document
from hph.runtime.storage.port import (
    MAX_BATCH_OPERATIONS,
    And,
    ArrayContains,
    BatchError,
    BatchOperation,
    CommitListener,
    ConflictError,
    Container,
    Contains,
    CreateOp,
    DeleteOp,
    Document,
    Eq,
    Ge,
    Gt,
    In,
    InvalidContinuationError,
    IsDefined,
    Le,
    Lt,
    Ne,
    Not,
    NotFoundError,
    Or,
    Page,
    PartitionKeyPathMismatch,
    PreconditionFailedError,
    Query,
    ReadOp,
    ReplaceOp,
    Scalar,
    StorageError,
    Term,
    UpsertOp,
    check_count_request,
    encode_continuation,
    partition_key_of,
    start_page,
    validate_container_name,
    validate_field_path,
    validate_id,
    validate_partition_key,
    validate_partition_key_path,
    without_system_fields,
)

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS containers (
    container_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    partition_key_path TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    container_id INTEGER NOT NULL REFERENCES containers (container_id),
    pk TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    etag TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (container_id, pk, id)
);
-- The primary key serves point reads and single-partition scans in id order; this one serves
-- cross-partition scans in (id, pk) order.
CREATE INDEX IF NOT EXISTS documents_by_id ON documents (container_id, id, pk);
"""

_READ = "SELECT body FROM documents WHERE container_id = ? AND pk = ? AND id = ?"
_EXISTS = "SELECT 1 FROM documents WHERE container_id = ? AND pk = ? AND id = ?"
_CREATE = (
    "INSERT INTO documents (container_id, pk, id, body, etag, ts) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (container_id, pk, id) DO NOTHING"
)
_REPLACE = "UPDATE documents SET body = ?, etag = ?, ts = ? WHERE container_id = ? AND pk = ? AND id = ?"
_REPLACE_IF = _REPLACE + " AND etag = ?"
_UPSERT = (
    "INSERT INTO documents (container_id, pk, id, body, etag, ts) VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (container_id, pk, id) DO UPDATE"
    " SET body = excluded.body, etag = excluded.etag, ts = excluded.ts"
)
_UPSERT_IF = _UPSERT + " WHERE documents.etag = ?"
_DELETE = "DELETE FROM documents WHERE container_id = ? AND pk = ? AND id = ?"
_DELETE_IF = _DELETE + " AND etag = ?"

# Sort rank of each JSON type (json_type() names); a missing field (NULL) ranks 0, before null.
_TYPE_RANK_SQL = (
    "CASE json_type(d.body, ?) WHEN 'null' THEN 1 WHEN 'true' THEN 2 WHEN 'false' THEN 2"
    " WHEN 'integer' THEN 3 WHEN 'real' THEN 3 WHEN 'text' THEN 4 WHEN 'array' THEN 5"
    " WHEN 'object' THEN 6 ELSE 0 END"
)
_MAX_TYPE_RANK = 6
_TYPE_GUARDS = {
    "number": "IN ('integer', 'real')",
    "text": "= 'text'",
    "bool": "IN ('true', 'false')",
}
_COMPARISON_OPERATORS: dict[type, str] = {Eq: "=", Ne: "<>", Lt: "<", Le: "<=", Gt: ">", Ge: ">="}


def _casefold_contains(haystack: object, needle: object) -> int | None:
    """SQL function: case-insensitive substring test; NULL (undefined) unless both are strings."""
    if not isinstance(haystack, str) or not isinstance(needle, str):
        return None
    return int(needle.casefold() in haystack.casefold())


# --- query rendering ---------------------------------------------------------------------------


@dataclass
class _Sql:
    """An SQL fragment and its parameters, in textual order."""

    text: str
    params: list[Any]


def _json_path(field: str) -> str:
    return "$." + ".".join(validate_field_path(field))


def _value_class(value: Scalar) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "text"


def _sql_value(value: Scalar) -> Any:
    # json_extract yields 1/0 for JSON true/false.
    return int(value) if isinstance(value, bool) else value


def _typed(field: str, value_class: str) -> _Sql:
    """The field's value when its JSON type is in value_class, else NULL (undefined)."""
    path = _json_path(field)
    guard = _TYPE_GUARDS[value_class]
    return _Sql(f"CASE WHEN json_type(d.body, ?) {guard} THEN json_extract(d.body, ?) END", [path, path])


def _render_comparison(term: Eq | Ne | Lt | Le | Gt | Ge) -> _Sql:
    operator = _COMPARISON_OPERATORS[type(term)]
    if term.value is None:
        # null = null is true and null != null false; null against any other type is undefined.
        outcome = "1" if isinstance(term, Eq) else "0"
        return _Sql(f"(CASE WHEN json_type(d.body, ?) = 'null' THEN {outcome} END)", [_json_path(term.field)])
    typed = _typed(term.field, _value_class(term.value))
    return _Sql(f"({typed.text} {operator} ?)", [*typed.params, _sql_value(term.value)])


def _render_in(term: In) -> _Sql:
    by_class: dict[str, list[Scalar]] = {}
    for value in term.values:
        by_class.setdefault(_value_class(value), []).append(value)
    parts: list[_Sql] = []
    for value_class, values in by_class.items():
        if value_class == "null":
            parts.append(_render_comparison(Eq(term.field, None)))
            continue
        if term.field == "id" and value_class == "text":
            # Every document's id is a string equal to its key column: the same answer, by index
            # (a lookup of many ids, such as a consumer's ledger check, must not scan the partition).
            marks = ", ".join("?" for _ in values)
            parts.append(_Sql(f"(d.id IN ({marks}))", list(values)))
            continue
        typed = _typed(term.field, value_class)
        marks = ", ".join("?" for _ in values)
        parts.append(_Sql(f"({typed.text} IN ({marks}))", [*typed.params, *map(_sql_value, values)]))
    return _join(parts, "OR", empty="0")


def _render_array_contains(term: ArrayContains) -> _Sql:
    path = _json_path(term.field)
    value_class = _value_class(term.value)
    params: list[Any]
    if value_class == "null":
        match, params = "e.type = 'null'", []
    elif value_class == "bool":
        match, params = "e.type = ?", ["true" if term.value else "false"]
    else:
        match, params = f"e.type {_TYPE_GUARDS[value_class]} AND e.value = ?", [term.value]
    return _Sql(
        f"(CASE WHEN json_type(d.body, ?) = 'array' THEN"
        f" EXISTS (SELECT 1 FROM json_each(d.body, ?) AS e WHERE {match}) END)",
        [path, path, *params],
    )


def _render_contains(term: Contains) -> _Sql:
    typed = _typed(term.field, "text")
    if term.ignore_case:
        return _Sql(f"hph_casefold_contains({typed.text}, ?)", [*typed.params, term.text])
    return _Sql(f"(instr({typed.text}, ?) > 0)", [*typed.params, term.text])


def _join(parts: Sequence[_Sql], operator: str, *, empty: str) -> _Sql:
    if not parts:
        return _Sql(empty, [])
    text = f" {operator} ".join(part.text for part in parts)
    return _Sql(f"({text})", [param for part in parts for param in part.params])


def _render_term(term: Term) -> _Sql:
    if isinstance(term, Eq | Ne | Lt | Le | Gt | Ge):
        return _render_comparison(term)
    if isinstance(term, In):
        return _render_in(term)
    if isinstance(term, Contains):
        return _render_contains(term)
    if isinstance(term, ArrayContains):
        return _render_array_contains(term)
    if isinstance(term, IsDefined):
        return _Sql("(json_type(d.body, ?) IS NOT NULL)", [_json_path(term.field)])
    if isinstance(term, And):
        return _join([_render_term(child) for child in term.terms], "AND", empty="1")
    if isinstance(term, Or):
        return _join([_render_term(child) for child in term.terms], "OR", empty="0")
    if isinstance(term, Not):
        inner = _render_term(term.term)
        return _Sql(f"(NOT {inner.text})", inner.params)
    raise TypeError(f"not a query term: {term!r}")


def _filter(container_id: int, query: Query, partition_key: str | None) -> _Sql:
    conditions = [_Sql("d.container_id = ?", [container_id])]
    if partition_key is not None:
        conditions.append(_Sql("d.pk = ?", [partition_key]))
    if query.where is not None:
        conditions.append(_render_term(query.where))
    return _join(conditions, "AND", empty="1")


@dataclass
class _SortColumn:
    name: str
    expression: _Sql
    descending: bool


def _sort_columns(query: Query) -> list[_SortColumn]:
    """Two columns per OrderBy: the JSON type rank, then the value, both in its direction."""
    columns: list[_SortColumn] = []
    for index, order in enumerate(query.order_by):
        path = _json_path(order.field)
        columns.append(_SortColumn(f"k{index}r", _Sql(_TYPE_RANK_SQL, [path]), order.descending))
        columns.append(_SortColumn(f"k{index}v", _Sql("json_extract(d.body, ?)", [path]), order.descending))
    return columns


def _after(columns: Sequence[_SortColumn], position: Sequence[Any]) -> _Sql:
    """Rows strictly after `position` (sort values..., id, pk) in the query's order.

    Expanded as k0 > a0 OR (k0 IS a0 AND k1 > a1) OR ...; `IS` is equality that treats two NULL
    values (undefined, null) as equal, so ties on them fall through to the next column.
    """
    *values, last_id, last_pk = position
    disjuncts: list[_Sql] = []
    equal_prefix: list[_Sql] = []
    for column, value in zip(columns, values, strict=True):
        operator = "<" if column.descending else ">"
        disjuncts.append(_join([*equal_prefix, _Sql(f"{column.name} {operator} ?", [value])], "AND", empty="1"))
        equal_prefix.append(_Sql(f"{column.name} IS ?", [value]))
    disjuncts.append(_join([*equal_prefix, _Sql("(id, pk) > (?, ?)", [last_id, last_pk])], "AND", empty="1"))
    return _join(disjuncts, "OR", empty="0")


def _check_position(position: list[Any], columns: Sequence[_SortColumn]) -> list[Any]:
    """A decoded keyset position must have the query's shape and only scalar values."""
    if len(position) != len(columns) + 2:
        raise InvalidContinuationError("continuation token does not fit the query")
    *values, last_id, last_pk = position
    if not isinstance(last_id, str) or not isinstance(last_pk, str):
        raise InvalidContinuationError("continuation token does not fit the query")
    for column, value in zip(columns, values, strict=True):
        if column.name.endswith("r"):
            ok = type(value) is int and 0 <= value <= _MAX_TYPE_RANK
        else:
            ok = value is None or type(value) in (int, float, str)
        if not ok:
            raise InvalidContinuationError("continuation token does not fit the query")
    return position


def _page_sql(
    container_id: int, query: Query, partition_key: str | None, position: list[Any] | None, limit: int
) -> _Sql:
    columns = _sort_columns(query)
    select = ", ".join(["d.body AS body", *(f"{c.expression.text} AS {c.name}" for c in columns)])
    inner_filter = _filter(container_id, query, partition_key)
    inner = _Sql(
        f"SELECT {select}, d.id AS id, d.pk AS pk FROM documents AS d WHERE {inner_filter.text}",
        [param for c in columns for param in c.expression.params] + inner_filter.params,
    )
    order = ", ".join([*(f"{c.name} {'DESC' if c.descending else 'ASC'}" for c in columns), "id", "pk"])
    outer_where = _Sql("1", []) if position is None else _after(columns, _check_position(position, columns))
    return _Sql(
        f"SELECT * FROM ({inner.text}) WHERE {outer_where.text} ORDER BY {order} LIMIT ?",
        [*inner.params, *outer_where.params, limit],
    )


# --- documents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Write:
    """A validated document ready to store: its identity and serialized body (with system fields)."""

    id: str
    pk: str
    body: str
    etag: str
    ts: int


# --- the store ---------------------------------------------------------------------------------


class SqliteDocumentStore:
    """A `DocumentStore` in one SQLite file; open with `await SqliteDocumentStore.open(path)`."""

    def __init__(
        self, executor: ThreadPoolExecutor, connection: sqlite3.Connection, inline: sqlite3.Connection, path: Path
    ) -> None:
        # Use `open`: `connection` belongs to the executor's single thread, `inline` to the thread
        # (the event loop's) that opened the store.
        self._executor = executor
        self._connection = connection
        self._inline = inline
        self._inline_thread = threading.get_ident()
        self._loop = asyncio.get_running_loop()
        self._inline_commits = 0
        self.path = path
        self._containers: dict[str, SqliteContainer] = {}
        self._commit_listeners: list[CommitListener] = []
        self._closed = False

    @classmethod
    async def open(cls, path: Path) -> SqliteDocumentStore:
        path = Path(path)
        executor, connection = await connect_on_worker(path, _connect, "hph-sqlite")
        try:
            inline = _connect_inline(path)
        except BaseException:
            await asyncio.get_running_loop().run_in_executor(executor, _disconnect, connection)
            executor.shutdown(wait=False)
            raise
        return cls(executor, connection, inline, path)

    async def container(self, name: str, partition_key_path: str) -> Container:
        validate_container_name(name)
        pk_segments = validate_partition_key_path(partition_key_path)
        known = self._containers.get(name)
        if known is None:
            container_id, stored_path = await self.run(_register_container, name, partition_key_path)
            if stored_path != partition_key_path:
                raise PartitionKeyPathMismatch(name, stored_path, partition_key_path)
            known = self._containers.setdefault(
                name, SqliteContainer(self, container_id, name, partition_key_path, pk_segments)
            )
        if known.partition_key_path != partition_key_path:
            raise PartitionKeyPathMismatch(name, known.partition_key_path, partition_key_path)
        return known

    def add_commit_listener(self, listener: CommitListener) -> None:
        self._commit_listeners.append(listener)

    @property
    def listened(self) -> bool:
        return bool(self._commit_listeners)

    def committed(self, container: SqliteContainer, pk: str, docs: Sequence[Document]) -> None:
        """Tells the commit listeners about a write that just committed (see `CommitListener`): on
        the store's event loop, also when the write was made from another thread."""
        if threading.get_ident() != self._inline_thread:
            self._loop.call_soon_threadsafe(self.committed, container, pk, docs)
            return
        for listener in self._commit_listeners:
            listener(container, pk, docs)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if threading.get_ident() == self._inline_thread:
                self._inline.close()
            await asyncio.get_running_loop().run_in_executor(self._executor, _disconnect, self._connection)
        finally:
            self._executor.shutdown(wait=True)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Runs `function(connection, *args)` on the worker thread; SQLite errors become StorageError."""
        if self._closed:
            raise StorageError("the document store is closed")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, function, self._connection, *args)
        except sqlite3.Error as exc:
            raise StorageError(f"sqlite: {exc}") from exc

    async def run_bounded(self, function: Callable[..., T], *args: Any, writes: bool) -> T:
        """Runs `function(connection, *args)`, a statement bounded by a primary-key lookup, inline
        on the loop's connection; on the worker thread when another process holds the lock (or when
        called from a thread other than the one that opened the store)."""
        if self._closed:
            raise StorageError("the document store is closed")
        if threading.get_ident() != self._inline_thread:
            return await self.run(function, *args)
        for pause in _INLINE_RETRY_PAUSES:
            try:
                result = function(self._inline, *args)
                break
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise StorageError(f"sqlite: {exc}") from exc
            except sqlite3.Error as exc:
                raise StorageError(f"sqlite: {exc}") from exc
            # Another process holds the lock, usually for a commit of well under a millisecond:
            # try again shortly without blocking the loop. SQLite's own busy handler (the worker's)
            # sleeps 1, 2, 5, 10... ms and loses the race to writers that retry sooner.
            await asyncio.sleep(pause)
        else:
            return await self.run(function, *args)  # held for long: the worker waits for it
        if writes:
            self._inline_commits += 1
            if self._inline_commits % _CHECKPOINT_EVERY == 0:
                asyncio.get_running_loop().run_in_executor(self._executor, _checkpoint, self._connection)
        return result


async def connect_on_worker(
    path: Path, connect: Callable[[Path], sqlite3.Connection], thread_name_prefix: str
) -> tuple[ThreadPoolExecutor, sqlite3.Connection]:
    """A one-thread executor and the connection `connect` opened on that thread, which then runs
    every statement of the connection (the parent dir of `path` is created first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name_prefix)
    try:
        connection = await asyncio.get_running_loop().run_in_executor(executor, connect, path)
    except BaseException:
        executor.shutdown(wait=False)
        raise
    return executor, connection


# Pauses between inline attempts while another process holds the write lock (~25 ms in all) before
# the statement is handed to the worker, which waits up to busy_timeout.
_INLINE_RETRY_PAUSES = (0.0002, 0.0005, 0.001, 0.001, 0.002, 0.002, 0.003, 0.005, 0.005, 0.005)

# Inline commits between two WAL checkpoints run by the worker (SQLite's own default is ~1000 pages).
_CHECKPOINT_EVERY = 500
# How long the worker waits for a lock (a write, or a checkpoint's), and how long a checkpoint
# waits for the readers in the WAL before leaving it to grow until the next one (writers wait too).
_BUSY_TIMEOUT_MS = 5000
_RESTART_WAIT_MS = 20
# A WAL that grew (a long reader kept it from starting over) is cut back to this when it starts over.
_WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def _checkpoint(connection: sqlite3.Connection) -> None:
    """Copies the WAL into the database without waiting for anyone (PASSIVE), then copies what is
    left and waits a moment (at most `_RESTART_WAIT_MS`, holding off writers meanwhile) for the
    readers still in the WAL to finish, so that the next commit writes at its beginning (RESTART)."""
    busy, _frames, _copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    if busy:
        return  # another connection is checkpointing this file
    connection.execute(f"PRAGMA busy_timeout = {_RESTART_WAIT_MS}")
    try:
        connection.execute("PRAGMA wal_checkpoint(RESTART)")
    finally:
        connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")


def _connect_inline(path: Path) -> sqlite3.Connection:
    """The event loop's connection: never waits for a lock and leaves checkpoints to the worker."""
    connection = sqlite3.connect(path, isolation_level=None, cached_statements=512)
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA busy_timeout = 0")
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute(f"PRAGMA journal_size_limit = {_WAL_SIZE_LIMIT_BYTES}")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: autocommit; the only explicit transactions are batches.
    connection = sqlite3.connect(path, isolation_level=None, cached_statements=512)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    connection.execute(f"PRAGMA journal_size_limit = {_WAL_SIZE_LIMIT_BYTES}")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.create_function("hph_casefold_contains", 2, _casefold_contains, deterministic=True)
    connection.executescript(_SCHEMA)
    return connection


def _disconnect(connection: sqlite3.Connection) -> None:
    try:
        connection.execute("PRAGMA optimize")
    finally:
        connection.close()


def _register_container(connection: sqlite3.Connection, name: str, partition_key_path: str) -> tuple[int, str]:
    connection.execute(
        "INSERT INTO containers (name, partition_key_path) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        (name, partition_key_path),
    )
    row = connection.execute(
        "SELECT container_id, partition_key_path FROM containers WHERE name = ?", (name,)
    ).fetchone()
    return int(row[0]), str(row[1])


# --- statements (run inline on the loop's connection or on the worker thread) ------------------


def _read_body(connection: sqlite3.Connection, container_id: int, pk: str, doc_id: str) -> str:
    row = connection.execute(_READ, (container_id, pk, doc_id)).fetchone()
    if row is None:
        raise NotFoundError(f"document {doc_id!r} not found in partition {pk!r}")
    return str(row[0])


def _missing_or_stale(connection: sqlite3.Connection, container_id: int, pk: str, doc_id: str) -> StorageError:
    """Why a guarded write touched no row: the document is absent, or its etag moved on."""
    if connection.execute(_EXISTS, (container_id, pk, doc_id)).fetchone() is None:
        return NotFoundError(f"document {doc_id!r} not found in partition {pk!r}")
    return PreconditionFailedError(f"document {doc_id!r} was modified (etag mismatch)")


def _create(connection: sqlite3.Connection, container_id: int, write: _Write) -> None:
    cursor = connection.execute(_CREATE, (container_id, write.pk, write.id, write.body, write.etag, write.ts))
    if cursor.rowcount == 0:
        raise ConflictError(f"document {write.id!r} already exists in partition {write.pk!r}")


def _replace(connection: sqlite3.Connection, container_id: int, write: _Write, if_match: str | None) -> None:
    params: tuple[Any, ...] = (write.body, write.etag, write.ts, container_id, write.pk, write.id)
    if if_match is None:
        cursor = connection.execute(_REPLACE, params)
    else:
        cursor = connection.execute(_REPLACE_IF, (*params, if_match))
    if cursor.rowcount == 0:
        raise _missing_or_stale(connection, container_id, write.pk, write.id)


def _upsert(connection: sqlite3.Connection, container_id: int, write: _Write, if_match: str | None) -> None:
    params: tuple[Any, ...] = (container_id, write.pk, write.id, write.body, write.etag, write.ts)
    if if_match is None:
        connection.execute(_UPSERT, params)
        return
    # Inserts when absent; when present, updates only if the etag matches (rowcount 0 otherwise).
    cursor = connection.execute(_UPSERT_IF, (*params, if_match))
    if cursor.rowcount == 0:
        raise PreconditionFailedError(f"document {write.id!r} was modified (etag mismatch)")


def _delete(connection: sqlite3.Connection, container_id: int, pk: str, doc_id: str, if_match: str | None) -> None:
    if if_match is None:
        cursor = connection.execute(_DELETE, (container_id, pk, doc_id))
    else:
        cursor = connection.execute(_DELETE_IF, (container_id, pk, doc_id, if_match))
    if cursor.rowcount == 0:
        raise _missing_or_stale(connection, container_id, pk, doc_id)


def _query_page(connection: sqlite3.Connection, sql: _Sql, max_items: int) -> tuple[list[Document], list[Any] | None]:
    """Up to max_items documents, and the last one's keyset position if more rows follow."""
    rows = connection.execute(sql.text, sql.params).fetchmany(max_items + 1)
    more = len(rows) > max_items
    del rows[max_items:]
    position = list(rows[-1][1:]) if more else None
    return [decode_document(row[0]) for row in rows], position


def _count(connection: sqlite3.Connection, sql: _Sql) -> int:
    return int(connection.execute(sql.text, sql.params).fetchone()[0])


@dataclass(frozen=True)
class _PlannedOp:
    """A batch operation after validation: what to run and, for writes, the prepared document."""

    kind: type
    doc_id: str
    write: _Write | None
    if_match: str | None


def _run_batch(
    connection: sqlite3.Connection, container_id: int, pk: str, plan: Sequence[_PlannedOp]
) -> list[str | None]:
    """Applies the plan in one IMMEDIATE transaction; returns per op the body read or written."""
    results: list[str | None] = []
    connection.execute("BEGIN IMMEDIATE")
    try:
        for index, op in enumerate(plan):
            try:
                results.append(_apply(connection, container_id, pk, op))
            except StorageError as exc:
                raise BatchError(index, exc) from exc
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return results


def _apply(connection: sqlite3.Connection, container_id: int, pk: str, op: _PlannedOp) -> str | None:
    if op.kind is ReadOp:
        return _read_body(connection, container_id, pk, op.doc_id)
    if op.kind is DeleteOp:
        _delete(connection, container_id, pk, op.doc_id, op.if_match)
        return None
    assert op.write is not None
    if op.kind is CreateOp:
        _create(connection, container_id, op.write)
    elif op.kind is ReplaceOp:
        _replace(connection, container_id, op.write, op.if_match)
    else:
        _upsert(connection, container_id, op.write, op.if_match)
    return op.write.body


# --- the container -----------------------------------------------------------------------------


class SqliteContainer:
    """A `Container` whose documents are rows of the store's `documents` table."""

    def __init__(
        self,
        store: SqliteDocumentStore,
        container_id: int,
        name: str,
        partition_key_path: str,
        pk_segments: tuple[str, ...],
    ) -> None:
        self._store = store
        self._id = container_id
        self._name = name
        self._partition_key_path = partition_key_path
        self._pk_segments = pk_segments

    @property
    def name(self) -> str:
        return self._name

    @property
    def partition_key_path(self) -> str:
        return self._partition_key_path

    def _prepare(self, doc: Document) -> _Write:
        """Validates and serializes a document, stamping the system fields this write will store."""
        clean = without_system_fields(doc)
        doc_id = validate_id(clean.get("id"))
        pk = partition_key_of(clean, self._pk_segments)
        etag = os.urandom(16).hex()  # as unique as a uuid4, at a fifth of the cost (every write)
        ts = int(time.time())
        clean["_etag"] = etag
        clean["_ts"] = ts
        return _Write(doc_id, pk, encode_document(clean), etag, ts)

    async def read(self, id: str, partition_key: str) -> Document:
        doc_id, pk = validate_id(id), validate_partition_key(partition_key)
        body = await self._store.run_bounded(_read_body, self._id, pk, doc_id, writes=False)
        return decode_document(body)

    async def create(self, doc: Document) -> Document:
        write = self._prepare(doc)
        await self._store.run_bounded(_create, self._id, write, writes=True)
        return self._written(write)

    async def replace(self, doc: Document, *, if_match: str | None = None) -> Document:
        write = self._prepare(doc)
        await self._store.run_bounded(_replace, self._id, write, _check_etag(if_match), writes=True)
        return self._written(write)

    async def upsert(self, doc: Document, *, if_match: str | None = None) -> Document:
        write = self._prepare(doc)
        await self._store.run_bounded(_upsert, self._id, write, _check_etag(if_match), writes=True)
        return self._written(write)

    def _written(self, write: _Write) -> Document:
        # Listeners get their own copy: callers may change the document they are handed.
        if self._store.listened:
            self._store.committed(self, write.pk, (decode_document(write.body),))
        return decode_document(write.body)

    async def delete(self, id: str, partition_key: str, *, if_match: str | None = None) -> None:
        doc_id, pk = validate_id(id), validate_partition_key(partition_key)
        await self._store.run_bounded(_delete, self._id, pk, doc_id, _check_etag(if_match), writes=True)

    async def query(
        self,
        query: Query,
        *,
        partition_key: str | None = None,
        max_items: int = 100,
        continuation: str | None = None,
    ) -> Page:
        fingerprint, position = start_page(self._name, query, partition_key, max_items, continuation)
        # One extra row tells whether another page exists without a second round trip.
        sql = _page_sql(self._id, query, partition_key, position, max_items + 1)
        items, last = await self._store.run(_query_page, sql, max_items)
        return Page(items, None if last is None else encode_continuation(fingerprint, last))

    async def count(self, query: Query, *, partition_key: str | None = None) -> int:
        check_count_request(query, partition_key)
        where = _filter(self._id, query, partition_key)
        return await self._store.run(
            _count, _Sql(f"SELECT COUNT(*) FROM documents AS d WHERE {where.text}", where.params)
        )

    async def batch(self, partition_key: str, operations: Sequence[BatchOperation]) -> list[Document | None]:
        pk = validate_partition_key(partition_key)
        operations = list(operations)
        if not 1 <= len(operations) <= MAX_BATCH_OPERATIONS:
            raise ValueError(f"a batch holds 1..{MAX_BATCH_OPERATIONS} operations")
        plan = [self._plan(pk, index, op) for index, op in enumerate(operations)]
        writes = any(op.kind is not ReadOp for op in plan)
        bodies = await self._store.run_bounded(_run_batch, self._id, pk, plan, writes=writes)
        if writes and self._store.listened:
            written = [
                decode_document(body) for op, body in zip(plan, bodies, strict=True) if op.write is not None and body
            ]
            if written:  # deletes and reads are not reported
                self._store.committed(self, pk, written)
        return [None if body is None else decode_document(body) for body in bodies]

    def _plan(self, pk: str, index: int, op: BatchOperation) -> _PlannedOp:
        if isinstance(op, ReadOp | DeleteOp):
            if_match = _check_etag(op.if_match) if isinstance(op, DeleteOp) else None
            return _PlannedOp(type(op), validate_id(op.id), None, if_match)
        if not isinstance(op, CreateOp | ReplaceOp | UpsertOp):
            raise TypeError(f"batch operation {index} is not a batch operation: {op!r}")
        write = self._prepare(op.doc)
        if write.pk != pk:
            raise ValueError(f"batch operation {index} targets partition {write.pk!r}, not {pk!r}")
        if_match = None if isinstance(op, CreateOp) else _check_etag(op.if_match)
        return _PlannedOp(type(op), write.id, write, if_match)


def _check_etag(if_match: str | None) -> str | None:
    if if_match is not None and not isinstance(if_match, str):
        raise ValueError("if_match must be an etag string")
    return if_match
