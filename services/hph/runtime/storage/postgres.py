"""PostgreSQL adapter of the storage port: the store several hosts share (`HPH_STORAGE=postgres`).

Owns the schema, the statements of point operations and batches, and the connection pool; queries
are rendered by `postgres_query`. Semantics follow `port` (Cosmos DB rules); how they map:

- One table of documents (`documents`: container id, partition key, id, row version, JSONB body)
  in a schema of its own (`HPH_POSTGRES_SCHEMA`, so several platforms can share one database).
- The ETag is the row version: every write takes the next value of one sequence, so an ETag is
  never reused, not even after a delete and re-create. The body holds `_etag` and `_ts` as well, so
  queries may use them like any field.
- Conditional writes are single statements (`UPDATE ... WHERE version = $n`,
  `INSERT ... ON CONFLICT DO UPDATE ... WHERE version = $n`): under READ COMMITTED a concurrent
  writer waits for the row and then re-checks the version, so compare-and-swap holds across hosts.
  A batch is one transaction that first takes its partition's advisory lock, so batches of one
  partition take turns and never deadlock (a single write locks one row and cannot close a cycle).
- Indexes: the primary key (container, pk, id) serves point operations and single-partition scans
  in id order; (container, id, pk) serves cross-partition scans; a GIN `jsonb_path_ops` index on the
  body answers the equalities the services filter by (kind, status, user, sku...), which the
  renderer adds as containment conditions.
- Every failure of the server or the connection becomes a StorageError naming the server by host,
  port and database, never by the DSN (which may hold a password).
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar
from urllib.parse import urlsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from hph.runtime.storage.codec import decode_document, encode_document
from hph.runtime.storage.port import (
    MAX_BATCH_OPERATIONS,
    BatchError,
    BatchOperation,
    CommitListener,
    ConflictError,
    Container,
    CreateOp,
    DeleteOp,
    Document,
    NotFoundError,
    Page,
    PartitionKeyPathMismatch,
    PreconditionFailedError,
    Query,
    ReadOp,
    ReplaceOp,
    StorageError,
    UpsertOp,
    check_count_request,
    encode_continuation,
    partition_key_of,
    start_page,
    validate_container_name,
    validate_id,
    validate_partition_key,
    validate_partition_key_path,
    without_system_fields,
)
from hph.runtime.storage.postgres_query import CASEFOLD_FUNCTION, QueryRenderer, casefold_function_sql, position_of

T = TypeVar("T")
_Connection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"

DEFAULT_SCHEMA = "hph"
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def describe_dsn(dsn: str) -> str:
    """The server a DSN names, for messages: host, port and database, never user or password."""
    try:
        parts = urlsplit(dsn)
        host = parts.hostname or "localhost"
        port = parts.port or 5432
    except ValueError:
        return "the configured PostgreSQL server"
    if parts.scheme not in {"postgres", "postgresql"}:
        return "the configured PostgreSQL server"
    return f"postgresql://{host}:{port}{parts.path or '/'}"


def _schema_sql(schema: str) -> list[str]:
    s = f'"{schema}"'
    return [
        f"CREATE SCHEMA IF NOT EXISTS {s}",
        f"CREATE SEQUENCE IF NOT EXISTS {s}.document_versions",
        f"""CREATE TABLE IF NOT EXISTS {s}.containers (
            container_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text NOT NULL UNIQUE,
            partition_key_path text NOT NULL
        )""",
        f"""CREATE TABLE IF NOT EXISTS {s}.documents (
            container_id integer NOT NULL,
            pk text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            version bigint NOT NULL,
            body jsonb NOT NULL,
            PRIMARY KEY (container_id, pk, id)
        )""",
        f"CREATE INDEX IF NOT EXISTS documents_by_id ON {s}.documents (container_id, id, pk)",
        f"CREATE INDEX IF NOT EXISTS documents_body ON {s}.documents USING gin (body jsonb_path_ops)",
        casefold_function_sql(f"{s}.{CASEFOLD_FUNCTION}"),
    ]


@dataclass(frozen=True)
class _Statements:
    """The point statements of one schema ($1 container, $2 pk, $3 id, $4 body, $5 ts, $6 version)."""

    read: str
    exists: str
    create: str
    replace: str
    replace_if: str
    upsert: str
    upsert_if: str
    delete: str
    delete_if: str
    lock_partition: str

    @classmethod
    def of(cls, schema: str) -> _Statements:
        table = f'"{schema}".documents'
        key = "container_id = $1 AND pk = $2 AND id = $3"
        next_version = f"nextval('\"{schema}\".document_versions')"

        def stamped(version: str) -> str:
            return f"$4::jsonb || jsonb_build_object('_etag', {version}::text, '_ts', $5::bigint)"

        insert = (
            f"INSERT INTO {table} AS d (container_id, pk, id, version, body)"
            f" SELECT $1::integer, $2::text, $3::text, v, {stamped('v')} FROM {next_version} AS v"
        )
        update = (
            f"UPDATE {table} SET version = n.v, body = {stamped('n.v')}"
            f" FROM (SELECT {next_version} AS v) AS n WHERE {key}"
        )
        upsert = (
            f"{insert} ON CONFLICT (container_id, pk, id)"
            " DO UPDATE SET version = excluded.version, body = excluded.body"
        )
        return cls(
            read=f"SELECT body::text FROM {table} WHERE {key}",
            exists=f"SELECT 1 FROM {table} WHERE {key}",
            create=insert + " ON CONFLICT (container_id, pk, id) DO NOTHING RETURNING version",
            replace=update + " RETURNING n.v",
            replace_if=update + " AND version = $6 RETURNING n.v",
            upsert=upsert + " RETURNING d.version",
            upsert_if=upsert + " WHERE d.version = $6 RETURNING d.version",
            delete=f"DELETE FROM {table} WHERE {key} RETURNING 1",
            delete_if=f"DELETE FROM {table} WHERE {key} AND version = $4 RETURNING 1",
            lock_partition="SELECT pg_advisory_xact_lock($1::integer, hashtext($2::text))",
        )


@dataclass(frozen=True)
class _Write:
    """A validated document ready to store: the JSON text without system fields, and its keys."""

    id: str
    pk: str
    body: str
    ts: int

    def stored(self, version: int) -> Document:
        """The document as the write stored it (what a read returns until the next write)."""
        doc = decode_document(self.body)
        doc["_etag"] = str(version)
        doc["_ts"] = self.ts
        return doc


@dataclass(frozen=True)
class _PlannedOp:
    kind: type
    doc_id: str
    write: _Write | None
    if_match: str | None


def _version_of(if_match: str | None) -> int | None:
    """The row version an ETag names; -1 (matches no row) for a string no write of ours issued."""
    if if_match is None:
        return None
    if not isinstance(if_match, str):
        raise ValueError("if_match must be an etag string")
    return int(if_match) if if_match.isascii() and if_match.isdigit() and len(if_match) <= 18 else -1


class PostgresDocumentStore:
    """A `DocumentStore` in one PostgreSQL schema; open with `await PostgresDocumentStore.open(dsn)`."""

    def __init__(self, pool: asyncpg.Pool, schema: str, server: str) -> None:
        self._pool = pool
        self.schema = schema
        self._server = server
        self.statements = _Statements.of(schema)
        self.renderer = QueryRenderer(f'"{schema}".documents', f'"{schema}".{CASEFOLD_FUNCTION}')
        self._containers: dict[str, PostgresContainer] = {}
        self._commit_listeners: list[CommitListener] = []
        self._closed = False

    @classmethod
    async def open(
        cls, dsn: str, *, schema: str = DEFAULT_SCHEMA, max_connections: int = 10, connect_timeout: float = 10.0
    ) -> PostgresDocumentStore:
        """Connects a pool (at most `max_connections`) and creates the schema if absent."""
        if not _SCHEMA_NAME.fullmatch(schema):
            raise ValueError(f"invalid PostgreSQL schema name {schema!r}: expected [a-z_][a-z0-9_]*")
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        server = describe_dsn(dsn)
        try:
            pool = await asyncpg.create_pool(
                dsn, min_size=1, max_size=max_connections, timeout=connect_timeout, command_timeout=60
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise StorageError(f"cannot connect to PostgreSQL at {server}: {type(exc).__name__}: {exc}") from exc
        except ValueError:
            # The parser's own words may quote the DSN, password included: say only what is wrong.
            raise ValueError(
                "the PostgreSQL DSN is not a valid postgresql://user:password@host:port/database URL"
            ) from None
        store = cls(pool, schema, server)
        try:
            await store._in_transaction(store._create_schema)
        except BaseException:
            await pool.close()
            raise
        return store

    async def _create_schema(self, connection: _Connection) -> None:
        # The last object created; when it exists, so does everything before it (an open of an
        # existing schema, the usual case, then takes no lock and runs no DDL).
        exists = await connection.fetchval(
            "SELECT to_regprocedure($1) IS NOT NULL", f'"{self.schema}".{CASEFOLD_FUNCTION}(text)'
        )
        if exists:
            return
        # Hosts starting together would race on CREATE ... IF NOT EXISTS (it is not atomic in the
        # catalog); a transaction-scoped advisory lock makes them take turns.
        await connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"hph-storage-schema:{self.schema}")
        # Idempotent DDL that a crash may lose is simply redone by the next open: no need to wait
        # for the WAL flush.
        await connection.execute("SET LOCAL synchronous_commit = off")
        for statement in _schema_sql(self.schema):
            await connection.execute(statement)

    async def container(self, name: str, partition_key_path: str) -> Container:
        validate_container_name(name)
        pk_segments = validate_partition_key_path(partition_key_path)
        known = self._containers.get(name)
        if known is None:
            container_id, stored_path = await self._register(name, partition_key_path)
            if stored_path != partition_key_path:
                raise PartitionKeyPathMismatch(name, stored_path, partition_key_path)
            known = self._containers.setdefault(
                name, PostgresContainer(self, container_id, name, partition_key_path, pk_segments)
            )
        if known.partition_key_path != partition_key_path:
            raise PartitionKeyPathMismatch(name, known.partition_key_path, partition_key_path)
        return known

    async def _register(self, name: str, partition_key_path: str) -> tuple[int, str]:
        table = f'"{self.schema}".containers'
        row = await self.fetchrow(
            f"WITH added AS (INSERT INTO {table} (name, partition_key_path) VALUES ($1, $2)"
            f" ON CONFLICT (name) DO NOTHING RETURNING container_id, partition_key_path)"
            f" SELECT container_id, partition_key_path FROM added"
            f" UNION ALL SELECT container_id, partition_key_path FROM {table} WHERE name = $1",
            name,
            partition_key_path,
        )
        if row is None:  # another host registered it after this statement's snapshot was taken
            row = await self.fetchrow(f"SELECT container_id, partition_key_path FROM {table} WHERE name = $1", name)
        if row is None:
            raise StorageError(f"container {name!r} could not be registered")
        return int(row[0]), str(row[1])

    def add_commit_listener(self, listener: CommitListener) -> None:
        self._commit_listeners.append(listener)

    @property
    def listened(self) -> bool:
        return bool(self._commit_listeners)

    def committed(self, container: PostgresContainer, pk: str, docs: Sequence[Document]) -> None:
        for listener in self._commit_listeners:
            listener(container, pk, docs)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._pool.close()

    # --- running statements -----------------------------------------------------------------

    async def _call(self, work: Callable[[], Awaitable[T]]) -> T:
        if self._closed:
            raise StorageError("the document store is closed")
        try:
            return await work()
        except StorageError:
            raise
        except asyncpg.UntranslatableCharacterError as exc:
            raise ValueError(f"PostgreSQL cannot store this document: {exc}") from exc
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:  # TimeoutError is an OSError
            raise StorageError(f"postgres ({self._server}): {type(exc).__name__}: {exc}") from exc

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        return await self._call(lambda: self._pool.fetchrow(sql, *args))

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._call(lambda: self._pool.fetchval(sql, *args))

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await self._call(lambda: self._pool.fetch(sql, *args))

    async def _in_transaction(self, work: Callable[[_Connection], Awaitable[T]]) -> T:
        async def run() -> T:
            async with self._pool.acquire() as connection, connection.transaction():
                return await work(connection)

        return await self._call(run)

    async def transaction(self, work: Callable[[_Connection], Awaitable[T]]) -> T:
        """Runs `work(connection)` in one transaction; any failure rolls all of it back."""
        return await self._in_transaction(work)


# --- the container -----------------------------------------------------------------------------


class PostgresContainer:
    """A `Container` whose documents are rows of the store's `documents` table."""

    def __init__(
        self,
        store: PostgresDocumentStore,
        container_id: int,
        name: str,
        partition_key_path: str,
        pk_segments: tuple[str, ...],
    ) -> None:
        self._store = store
        self._sql = store.statements
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
        clean = without_system_fields(doc)
        doc_id = validate_id(clean.get("id"))
        pk = partition_key_of(clean, self._pk_segments)
        body = encode_document(clean)
        if "\\u0000" in body:
            raise ValueError("PostgreSQL cannot store the character U+0000 in a document")
        return _Write(doc_id, pk, body, int(time.time()))

    def _written(self, write: _Write, version: int) -> Document:
        if self._store.listened:
            self._store.committed(self, write.pk, (write.stored(version),))
        return write.stored(version)

    async def read(self, id: str, partition_key: str) -> Document:
        doc_id, pk = validate_id(id), validate_partition_key(partition_key)
        body = await self._store.fetchval(self._sql.read, self._id, pk, doc_id)
        if body is None:
            raise NotFoundError(f"document {doc_id!r} not found in partition {pk!r}")
        return decode_document(body)

    async def create(self, doc: Document) -> Document:
        write = self._prepare(doc)
        version = await self._store.fetchval(self._sql.create, self._id, write.pk, write.id, write.body, write.ts)
        if version is None:
            raise ConflictError(f"document {write.id!r} already exists in partition {write.pk!r}")
        return self._written(write, version)

    async def replace(self, doc: Document, *, if_match: str | None = None) -> Document:
        write = self._prepare(doc)
        expected = _version_of(if_match)
        version = await _replace(self._store.fetchval, self._sql, self._id, write, expected)
        return self._written(write, version)

    async def upsert(self, doc: Document, *, if_match: str | None = None) -> Document:
        write = self._prepare(doc)
        expected = _version_of(if_match)
        version = await _upsert(self._store.fetchval, self._sql, self._id, write, expected)
        return self._written(write, version)

    async def delete(self, id: str, partition_key: str, *, if_match: str | None = None) -> None:
        doc_id, pk = validate_id(id), validate_partition_key(partition_key)
        await _delete(self._store.fetchval, self._sql, self._id, pk, doc_id, _version_of(if_match))

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
        sql, sort_columns = self._store.renderer.page(self._id, query, partition_key, position, max_items + 1)
        rows = await self._store.fetch(sql.text, *sql.params)
        more = len(rows) > max_items
        del rows[max_items:]
        token = encode_continuation(fingerprint, position_of(tuple(rows[-1]), sort_columns)) if more else None
        return Page([decode_document(row[0]) for row in rows], token)

    async def count(self, query: Query, *, partition_key: str | None = None) -> int:
        check_count_request(query, partition_key)
        sql = self._store.renderer.count(self._id, query, partition_key)
        return int(await self._store.fetchval(sql.text, *sql.params))

    async def batch(self, partition_key: str, operations: Sequence[BatchOperation]) -> list[Document | None]:
        pk = validate_partition_key(partition_key)
        operations = list(operations)
        if not 1 <= len(operations) <= MAX_BATCH_OPERATIONS:
            raise ValueError(f"a batch holds 1..{MAX_BATCH_OPERATIONS} operations")
        plan = [self._plan(pk, index, op) for index, op in enumerate(operations)]

        async def run(connection: _Connection) -> list[Document | None]:
            # Batches of one partition take turns (as in Cosmos DB): two batches locking the same
            # rows in opposite orders would otherwise deadlock, and PostgreSQL would abort one.
            await connection.execute(self._sql.lock_partition, self._id, pk)
            results: list[Document | None] = []
            for index, op in enumerate(plan):
                try:
                    results.append(await self._apply(connection, pk, op))
                except (NotFoundError, ConflictError, PreconditionFailedError) as exc:
                    raise BatchError(index, exc) from exc
            return results

        results = await self._store.transaction(run)
        if self._store.listened:
            # Creates, replaces and upserts are reported in operation order; reads and deletes not.
            written = [
                result for op, result in zip(plan, results, strict=True) if op.write is not None and result is not None
            ]
            if written:
                self._store.committed(self, pk, [decode_document(encode_document(doc)) for doc in written])
        return results

    async def _apply(self, connection: _Connection, pk: str, op: _PlannedOp) -> Document | None:
        fetchval = connection.fetchval
        if op.kind is ReadOp:
            body = await fetchval(self._sql.read, self._id, pk, op.doc_id)
            if body is None:
                raise NotFoundError(f"document {op.doc_id!r} not found in partition {pk!r}")
            return decode_document(body)
        expected = _version_of(op.if_match)
        if op.kind is DeleteOp:
            await _delete(fetchval, self._sql, self._id, pk, op.doc_id, expected)
            return None
        write = op.write
        assert write is not None
        if op.kind is CreateOp:
            version = await fetchval(self._sql.create, self._id, write.pk, write.id, write.body, write.ts)
            if version is None:
                raise ConflictError(f"document {write.id!r} already exists in partition {write.pk!r}")
        elif op.kind is ReplaceOp:
            version = await _replace(fetchval, self._sql, self._id, write, expected)
        else:
            version = await _upsert(fetchval, self._sql, self._id, write, expected)
        return write.stored(version)

    def _plan(self, pk: str, index: int, op: BatchOperation) -> _PlannedOp:
        if isinstance(op, ReadOp | DeleteOp):
            if_match = op.if_match if isinstance(op, DeleteOp) else None
            _version_of(if_match)  # a malformed precondition fails before anything runs
            return _PlannedOp(type(op), validate_id(op.id), None, if_match)
        if not isinstance(op, CreateOp | ReplaceOp | UpsertOp):
            raise TypeError(f"batch operation {index} is not a batch operation: {op!r}")
        write = self._prepare(op.doc)
        if write.pk != pk:
            raise ValueError(f"batch operation {index} targets partition {write.pk!r}, not {pk!r}")
        if_match = None if isinstance(op, CreateOp) else op.if_match
        _version_of(if_match)
        return _PlannedOp(type(op), write.id, write, if_match)


# --- statements shared by single operations and batches ----------------------------------------

_FetchVal = Callable[..., Awaitable[Any]]


async def _missing_or_stale(fetchval: _FetchVal, sql: _Statements, container_id: int, pk: str, doc_id: str) -> None:
    """Why a guarded write touched no row: the document is absent, or its version moved on."""
    if await fetchval(sql.exists, container_id, pk, doc_id) is None:
        raise NotFoundError(f"document {doc_id!r} not found in partition {pk!r}")
    raise PreconditionFailedError(f"document {doc_id!r} was modified (etag mismatch)")


async def _replace(
    fetchval: _FetchVal, sql: _Statements, container_id: int, write: _Write, expected: int | None
) -> int:
    args = (container_id, write.pk, write.id, write.body, write.ts)
    if expected is None:
        version = await fetchval(sql.replace, *args)
    else:
        version = await fetchval(sql.replace_if, *args, expected)
    if version is None:
        await _missing_or_stale(fetchval, sql, container_id, write.pk, write.id)
    return int(version)


async def _upsert(fetchval: _FetchVal, sql: _Statements, container_id: int, write: _Write, expected: int | None) -> int:
    args = (container_id, write.pk, write.id, write.body, write.ts)
    if expected is None:
        return int(await fetchval(sql.upsert, *args))
    # Inserts when absent; when present, updates only if the version matches (no row otherwise).
    version = await fetchval(sql.upsert_if, *args, expected)
    if version is None:
        raise PreconditionFailedError(f"document {write.id!r} was modified (etag mismatch)")
    return int(version)


async def _delete(
    fetchval: _FetchVal, sql: _Statements, container_id: int, pk: str, doc_id: str, expected: int | None
) -> None:
    if expected is None:
        deleted = await fetchval(sql.delete, container_id, pk, doc_id)
    else:
        deleted = await fetchval(sql.delete_if, container_id, pk, doc_id, expected)
    if deleted is None:
        await _missing_or_stale(fetchval, sql, container_id, pk, doc_id)
