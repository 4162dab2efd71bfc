"""Azure Cosmos DB for NoSQL adapter of the storage port (`HPH_STORAGE=cosmos`, `azure-cosmos` aio).

The port is modelled on Cosmos DB, so operations map one to one; what this module adds:

- One database (`HPH_COSMOS_DATABASE`); a port container is a Cosmos container of the same name and
  partition key path. With `manage_containers` (emulator, development accounts with a key) the
  adapter creates the database and containers, a registered container with the registry's
  indexing policy and default TTL (`containers.json` here, as `infra/cosmos.bicep` provisions it);
  without it (production: Entra ID data-plane roles cannot manage containers) the containers must
  exist as `infra/` provisions them, and a container with another partition key path, or (for a
  registered one) a missing composite index or another default TTL, is a clear error when it is
  opened rather than a silent fallback.
- Throttling (429): the SDK's own throttle retries are off; `_sdk_call` waits what the server asks
  (`x-ms-retry-after-ms`), at most `throttle_attempts` times and `max_throttle_wait` seconds in
  all, then reports a StorageError.
- Session consistency: the client asks for Session consistency, and each container keeps the
  session token of its last write per partition key and sends it with later reads and queries of
  that partition, so a read after a write of this process sees the write even when the account's
  default consistency is weaker.
- ETags: `if_match` becomes `If-Match` (412 -> PreconditionFailedError). A tag no write issued (empty
  or not printable ASCII, which an HTTP header cannot carry) never matches, as in the other adapters.
- Errors: SDK and transport failures become StorageError naming the account's host, never the key.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from azure.core import MatchConditions
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import AzureError
from azure.cosmos import PartitionKey, documents
from azure.cosmos._retry_options import RetryOptions
from azure.cosmos.aio import ContainerProxy, CosmosClient, DatabaseProxy
from azure.cosmos.exceptions import CosmosBatchOperationError, CosmosHttpResponseError

from hph.runtime.azure_clients import default_credential
from hph.runtime.storage.codec import decode_document, encode_document
from hph.runtime.storage.cosmos_query import CosmosQueryRenderer, composite_index
from hph.runtime.storage.port import (
    MAX_BATCH_OPERATIONS,
    BatchError,
    BatchOperation,
    CommitListener,
    ConflictError,
    Container,
    ContainerSpec,
    CreateOp,
    DeleteOp,
    Document,
    NotFoundError,
    OrderBy,
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
from hph.runtime.storage.registry import (
    CompositeIndex,
    RegisteredContainer,
    composite_policy,
    parse_composite,
    registry,
)

T = TypeVar("T")

# Properties Cosmos DB returns that no other adapter does; dropped so documents look alike.
_COSMOS_ONLY_FIELDS = ("_rid", "_self", "_attachments")
_SESSION_TOKENS_PER_CONTAINER = 10_000
# Batch operation results' status codes, as the port's errors.
_STATUS_ERRORS: dict[int, type[StorageError]] = {404: NotFoundError, 409: ConflictError, 412: PreconditionFailedError}


def describe_endpoint(endpoint: str) -> str:
    """The account an endpoint names, for messages: scheme, host and port only."""
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "the configured Cosmos DB account"
    return f"{parts.scheme or 'https'}://{host}{port}"


@dataclass(frozen=True)
class ThrottlePolicy:
    """How long to honour 429 answers before giving up: attempts and total wait, both bounded."""

    attempts: int = 10
    max_wait: float = 30.0


def _retry_after(exc: CosmosHttpResponseError) -> float | None:
    headers: Mapping[str, str] = getattr(exc, "headers", None) or {}
    raw = headers.get("x-ms-retry-after-ms")
    try:
        return max(0.0, float(raw) / 1000.0) if raw is not None else None
    except ValueError:
        return None


def _brief(exc: BaseException) -> str:
    """The first line of an SDK error (its later lines are diagnostics, long and noisy)."""
    text = str(getattr(exc, "message", None) or exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _etag_sendable(if_match: str) -> bool:
    return bool(if_match) and if_match.isascii() and if_match.isprintable()


def _copy(doc: Document) -> Document:
    return decode_document(encode_document(doc))


def _clean(doc: Mapping[str, Any]) -> Document:
    return {key: value for key, value in doc.items() if key not in _COSMOS_ONLY_FIELDS}


class CosmosDocumentStore:
    """A `DocumentStore` in one Cosmos DB database; open with `await CosmosDocumentStore.open(...)`."""

    def __init__(
        self,
        client: CosmosClient,
        database: DatabaseProxy,
        account: str,
        *,
        manage_containers: bool,
        throttle: ThrottlePolicy,
        orderings: Mapping[str, Sequence[Sequence[OrderBy]]] | None = None,
        credential: AsyncTokenCredential | None = None,
    ) -> None:
        self._client = client
        self._orderings = dict(orderings or {})
        self._database = database
        self.account = account
        self.manage_containers = manage_containers
        self.throttle = throttle
        self._credential = credential
        self._containers: dict[str, CosmosContainer] = {}
        self._commit_listeners: list[CommitListener] = []
        self._closed = False

    @classmethod
    async def open(
        cls,
        endpoint: str,
        database: str,
        *,
        key: str = "",
        verify_tls: bool = True,
        manage_containers: bool = False,
        throttle: ThrottlePolicy | None = None,
        orderings: Mapping[str, Sequence[Sequence[OrderBy]]] | None = None,
    ) -> CosmosDocumentStore:
        """Connects to the account; with a `key` (the emulator's) it signs with the key, otherwise
        with DefaultAzureCredential. `verify_tls=False` is for the local emulator's certificate.
        `orderings` (container name -> the `order_by`s its queries use) are the composite indexes a
        container this adapter creates gets from the start."""
        if not endpoint:
            raise ValueError("the Cosmos DB endpoint is empty")
        validate_container_name(database)
        account = describe_endpoint(endpoint)
        credential = None if key else default_credential()
        policy = documents.ConnectionPolicy()
        # `_sdk_call` honours 429s itself, bounded; the SDK retrying underneath would multiply waits.
        policy.RetryOptions = RetryOptions(max_retry_attempt_count=0)
        client = CosmosClient(
            endpoint,
            key or credential,  # type: ignore[arg-type]
            consistency_level="Session",
            connection_policy=policy,
            connection_verify=verify_tls,
        )
        throttle = throttle or ThrottlePolicy()
        try:
            if manage_containers:
                db = await _sdk_call(account, throttle, lambda: client.create_database_if_not_exists(database))
            else:
                db = client.get_database_client(database)
                await _sdk_call(account, throttle, db.read)
        except BaseException as exc:
            await client.close()
            if credential is not None:
                await credential.close()
            if isinstance(exc, NotFoundError):
                raise StorageError(f"cosmos ({account}): database {database!r} does not exist") from exc
            raise
        return cls(
            client,
            db,
            account,
            manage_containers=manage_containers,
            throttle=throttle,
            orderings=orderings,
            credential=credential,
        )

    async def container(self, name: str, partition_key_path: str) -> Container:
        validate_container_name(name)
        pk_segments = validate_partition_key_path(partition_key_path)
        self._check_open()
        known = self._containers.get(name)
        if known is None:
            proxy, properties = await self._open_container(name, partition_key_path)
            paths = (properties.get("partitionKey") or {}).get("paths") or []
            stored_path = paths[0] if len(paths) == 1 else ",".join(paths)
            if stored_path != partition_key_path:
                raise PartitionKeyPathMismatch(name, stored_path, partition_key_path)
            indexes = _composite_indexes(properties)
            if not self.manage_containers:
                self._check_provisioned(name, partition_key_path, indexes, properties.get("defaultTtl"))
            known = self._containers.setdefault(
                name, CosmosContainer(self, proxy, name, partition_key_path, pk_segments, indexes)
            )
        if known.partition_key_path != partition_key_path:
            raise PartitionKeyPathMismatch(name, known.partition_key_path, partition_key_path)
        return known

    async def _open_container(self, name: str, partition_key_path: str) -> tuple[ContainerProxy, dict[str, Any]]:
        if self.manage_containers:
            settings = self._creation_settings(name, partition_key_path)
            key = PartitionKey(partition_key_path)
            proxy = await self.call(lambda: self._database.create_container_if_not_exists(name, key, **settings))
        else:
            proxy = self._database.get_container_client(name)
        try:
            properties = await self.call(proxy.read)
        except NotFoundError as exc:
            raise StorageError(
                f"cosmos ({self.account}): container {name!r} does not exist; infra/ provisions it from"
                " hph/runtime/storage/containers.json (or set HPH_COSMOS_MANAGE_CONTAINERS for an emulator)"
            ) from exc
        return proxy, properties

    def _check_provisioned(
        self, name: str, partition_key_path: str, indexes: set[CompositeIndex], default_ttl: object
    ) -> None:
        """A registered container this adapter may not change must be as infra/cosmos.bicep
        provisions it from the registry: caught when the host starts, not by the first query that
        needs a missing index (or never, for a TTL that would expire documents or keep them forever)."""
        registered = registry().get(name)
        if registered is None or registered.spec.partition_key_path != partition_key_path:
            return
        problems = [
            f"the composite index ({_describe_index(index)})"
            for index in registered.composite_indexes
            if index not in indexes
        ]
        expected = registered.default_ttl
        # TTL on without a default (-1) expires nothing by itself, so it stands in for "off".
        if default_ttl != expected and not (expected is None and default_ttl == -1):
            problems.append(f"default TTL {expected} (it has {default_ttl})")
        if problems:
            raise StorageError(
                f"cosmos ({self.account}): container {name!r} lacks {'; '.join(problems)} of"
                " hph/runtime/storage/containers.json; deploy infra/cosmos.bicep"
            )

    def _creation_settings(self, name: str, partition_key_path: str) -> dict[str, Any]:
        """What a container this adapter creates gets: for a registered container (same name and
        key path) the registry's indexing policy and default TTL, as infra/cosmos.bicep provisions
        it; for any other (tests' own) every path indexed, plus the composite indexes of the
        unordered page (id, partition key) and of the orderings it was opened with."""
        pk_segments = validate_partition_key_path(partition_key_path)
        extra = tuple(
            index
            for index in dict.fromkeys(
                composite_index(tuple(order_by), pk_segments) for order_by in [(), *self._orderings.get(name, ())]
            )
            # An ORDER BY of one path is served by the range index every path has.
            if len(index) > 1
        )
        registered = registry().get(name)
        if registered is None or registered.spec.partition_key_path != partition_key_path:
            registered = RegisteredContainer(ContainerSpec(name, partition_key_path), (), (), None)
        settings: dict[str, Any] = {"indexing_policy": registered.indexing_policy(extra)}
        if registered.default_ttl is not None:
            settings["default_ttl"] = registered.default_ttl
        return settings

    async def ensure_composite_index(self, container: CosmosContainer, index: CompositeIndex) -> None:
        """Adds a composite index to a container this adapter manages (emulator, development)."""
        properties = await self.call(container.proxy.read)
        policy = dict(properties.get("indexingPolicy") or {})
        composite = list(policy.get("compositeIndexes") or [])
        composite.append(composite_policy(index))
        policy["compositeIndexes"] = composite
        await self.call(
            lambda: self._database.replace_container(
                container.proxy, PartitionKey(container.partition_key_path), indexing_policy=policy
            )
        )

    def add_commit_listener(self, listener: CommitListener) -> None:
        self._commit_listeners.append(listener)

    @property
    def listened(self) -> bool:
        return bool(self._commit_listeners)

    def committed(self, container: CosmosContainer, pk: str, docs: Sequence[Document]) -> None:
        for listener in self._commit_listeners:
            listener(container, pk, docs)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._client.close()
        if self._credential is not None:
            await self._credential.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("the document store is closed")

    async def call(self, work: Callable[[], Awaitable[T]]) -> T:
        self._check_open()
        return await _sdk_call(self.account, self.throttle, work)


async def _sdk_call(account: str, throttle: ThrottlePolicy, work: Callable[[], Awaitable[T]]) -> T:
    """Runs one SDK call: 429s retried after the server's retry-after (bounded), statuses the port
    names mapped to its errors, every other failure a StorageError naming the account only."""
    waited = 0.0
    for attempt in range(1, throttle.attempts + 1):
        try:
            return await work()
        except CosmosHttpResponseError as exc:
            status = exc.status_code
            if status == 429:
                pause = _retry_after(exc)
                pause = 0.05 * attempt if pause is None else pause
                if attempt < throttle.attempts and waited + pause <= throttle.max_wait:
                    waited += pause
                    await asyncio.sleep(pause)
                    continue
                raise StorageError(
                    f"cosmos ({account}): throttled (429) after {attempt} attempts and {waited:.2f} s of waiting"
                ) from exc
            error = _STATUS_ERRORS.get(status or 0)
            if error is not None:
                raise error(_brief(exc)) from exc
            if status == 413:
                raise ValueError(f"Cosmos DB refused the document as too large: {_brief(exc)}") from exc
            raise StorageError(f"cosmos ({account}): {status} {_brief(exc)}") from exc
        except AzureError as exc:
            raise StorageError(f"cosmos ({account}): {type(exc).__name__}: {_brief(exc)}") from exc
        except OSError as exc:  # connection failures below the SDK; TimeoutError is an OSError
            raise StorageError(f"cosmos ({account}): {type(exc).__name__}: {exc}") from exc
    raise AssertionError("unreachable")


def _describe_index(index: CompositeIndex) -> str:
    """A composite index for messages: "/created_at DESC, /id ASC"."""
    return ", ".join(f"{path} {'DESC' if descending else 'ASC'}" for path, descending in index)


def _composite_indexes(properties: Mapping[str, Any]) -> set[CompositeIndex]:
    return {parse_composite(index) for index in (properties.get("indexingPolicy") or {}).get("compositeIndexes") or []}


@dataclass(frozen=True)
class _Write:
    id: str
    pk: str
    body: Document


class CosmosContainer:
    """A `Container` that is a Cosmos DB container of the same name and partition key path."""

    def __init__(
        self,
        store: CosmosDocumentStore,
        proxy: ContainerProxy,
        name: str,
        partition_key_path: str,
        pk_segments: tuple[str, ...],
        composite_indexes: set[CompositeIndex],
    ) -> None:
        self._store = store
        self.proxy = proxy
        self._name = name
        self._partition_key_path = partition_key_path
        self._pk_segments = pk_segments
        self._renderer = CosmosQueryRenderer(pk_segments)
        self._indexes = composite_indexes
        self._index_lock = asyncio.Lock()
        self._sessions: OrderedDict[str, str] = OrderedDict()

    @property
    def name(self) -> str:
        return self._name

    @property
    def partition_key_path(self) -> str:
        return self._partition_key_path

    # --- session tokens ---------------------------------------------------------------------

    def _remember_session(self, pk: str, response: Any) -> None:
        getter = getattr(response, "get_response_headers", None)
        token = getter().get("x-ms-session-token") if getter is not None else None
        if token:
            self._sessions[pk] = token
            self._sessions.move_to_end(pk)
            if len(self._sessions) > _SESSION_TOKENS_PER_CONTAINER:
                self._sessions.popitem(last=False)

    def _session(self, pk: str | None) -> dict[str, Any]:
        token = self._sessions.get(pk) if pk is not None else None
        return {"session_token": token} if token else {}

    # --- writes -----------------------------------------------------------------------------

    def _prepare(self, doc: Document) -> _Write:
        clean = without_system_fields(doc)
        doc_id = validate_id(clean.get("id"))
        pk = partition_key_of(clean, self._pk_segments)
        encode_document(clean)  # JSON-serialisable, finite numbers, within the size limit
        return _Write(doc_id, pk, clean)

    def _written(self, write: _Write, response: Any) -> Document:
        self._remember_session(write.pk, response)
        stored = _clean(response)
        if self._store.listened:
            # A deep copy: the caller may change the document it got back.
            self._store.committed(self, write.pk, (_copy(stored),))
        return stored

    async def read(self, id: str, partition_key: str) -> Document:
        doc_id, pk = validate_id(id), validate_partition_key(partition_key)
        try:
            response = await self._store.call(
                lambda: self.proxy.read_item(doc_id, partition_key=pk, **self._session(pk))
            )
        except NotFoundError as exc:
            raise NotFoundError(f"document {doc_id!r} not found in partition {pk!r}") from exc.__cause__
        return _clean(response)

    async def create(self, doc: Document) -> Document:
        write = self._prepare(doc)
        try:
            response = await self._store.call(lambda: self.proxy.create_item(write.body))
        except ConflictError as exc:
            raise ConflictError(f"document {write.id!r} already exists in partition {write.pk!r}") from exc.__cause__
        return self._written(write, response)

    async def replace(self, doc: Document, *, if_match: str | None = None) -> Document:
        write = self._prepare(doc)
        conditions = await self._conditions(write.id, write.pk, if_match)
        try:
            response = await self._store.call(lambda: self.proxy.replace_item(write.id, write.body, **conditions))
        except NotFoundError as exc:
            raise NotFoundError(f"document {write.id!r} not found in partition {write.pk!r}") from exc.__cause__
        return self._written(write, response)

    async def upsert(self, doc: Document, *, if_match: str | None = None) -> Document:
        write = self._prepare(doc)
        if if_match is None:
            response = await self._store.call(lambda: self.proxy.upsert_item(write.body))
            return self._written(write, response)
        # The precondition applies only to a document that exists: replace under it, create when
        # there is none (and a create racing ours means the tag cannot match the new document).
        try:
            return await self.replace(doc, if_match=if_match)
        except NotFoundError:
            pass
        try:
            return await self.create(doc)
        except ConflictError as exc:
            raise PreconditionFailedError(f"document {write.id!r} was modified (etag mismatch)") from exc

    async def delete(self, id: str, partition_key: str, *, if_match: str | None = None) -> None:
        doc_id, pk = validate_id(id), validate_partition_key(partition_key)
        conditions = await self._conditions(doc_id, pk, if_match)
        try:
            await self._store.call(lambda: self.proxy.delete_item(doc_id, partition_key=pk, **conditions))
        except NotFoundError as exc:
            raise NotFoundError(f"document {doc_id!r} not found in partition {pk!r}") from exc.__cause__

    async def _conditions(self, doc_id: str, pk: str, if_match: str | None) -> dict[str, Any]:
        if if_match is None:
            return {}
        if not isinstance(if_match, str):
            raise ValueError("if_match must be an etag string")
        if not _etag_sendable(if_match):
            # No write issued such a tag: absent -> NotFoundError, present -> it does not match.
            await self.read(doc_id, pk)
            raise PreconditionFailedError(f"document {doc_id!r} was modified (etag mismatch)")
        return {"etag": if_match, "match_condition": MatchConditions.IfNotModified}

    # --- queries ----------------------------------------------------------------------------

    async def query(
        self,
        query: Query,
        *,
        partition_key: str | None = None,
        max_items: int = 100,
        continuation: str | None = None,
    ) -> Page:
        fingerprint, position = start_page(self._name, query, partition_key, max_items, continuation)
        await self._ensure_index(query)
        # One extra row tells whether another page exists.
        sql = self._renderer.page(query, partition_key, position, max_items + 1)
        rows = await self._fetch(sql.text, sql.parameters, partition_key)
        more = len(rows) > max_items
        del rows[max_items:]
        token = None
        if more:
            last = rows[-1]
            pk = partition_key_of(last, self._pk_segments)
            token = encode_continuation(fingerprint, self._renderer.position_of(last, query.order_by, pk))
        return Page([_clean(row) for row in rows], token)

    async def count(self, query: Query, *, partition_key: str | None = None) -> int:
        check_count_request(query, partition_key)
        sql = self._renderer.count(query, partition_key)
        values = await self._fetch(sql.text, sql.parameters, partition_key)
        # Across partitions the SDK may answer one partial count per partition range.
        return int(sum(values))

    async def _fetch(self, text: str, parameters: list[dict[str, Any]], partition_key: str | None) -> list[Any]:
        options: dict[str, Any] = self._session(partition_key)
        if partition_key is not None:
            options["partition_key"] = partition_key

        async def run() -> list[Any]:
            pages = self.proxy.query_items(text, parameters=parameters, **options)
            return [item async for item in pages]

        return await self._store.call(run)

    async def _ensure_index(self, query: Query) -> None:
        index = composite_index(query.order_by, self._pk_segments)
        if len(index) < 2 or index in self._indexes:
            return
        if not self._store.manage_containers:
            raise StorageError(
                f"cosmos ({self._store.account}): container {self._name!r} has no composite index"
                f" ({_describe_index(index)}) for"
                " this query's order; infra/ must provision it (or set HPH_COSMOS_MANAGE_CONTAINERS where the"
                " adapter may change containers)"
            )
        # Added online; Cosmos DB keeps serving while it builds (the npm emulator, however, drops
        # the container's documents on a replace: its tests declare their orderings up front).
        async with self._index_lock:
            if index not in self._indexes:
                await self._store.ensure_composite_index(self, index)
                self._indexes.add(index)

    # --- batches ----------------------------------------------------------------------------

    async def batch(self, partition_key: str, operations: Sequence[BatchOperation]) -> list[Document | None]:
        pk = validate_partition_key(partition_key)
        operations = list(operations)
        if not 1 <= len(operations) <= MAX_BATCH_OPERATIONS:
            raise ValueError(f"a batch holds 1..{MAX_BATCH_OPERATIONS} operations")
        sdk_operations: list[tuple[Any, ...]] = []
        early_failure: tuple[int, StorageError] | None = None
        for index, op in enumerate(operations):
            sdk_op, failure = self._batch_operation(pk, index, op)
            sdk_operations.append(sdk_op)
            if failure is not None and early_failure is None:
                early_failure = (index, failure)
        if early_failure is not None:
            # An etag no write issued: the batch could only fail at this operation (or earlier,
            # which the server would report first; running it to learn that would apply nothing).
            raise BatchError(*early_failure)
        try:
            results = await self._store.call(
                lambda: self.proxy.execute_item_batch(sdk_operations, partition_key=pk, **self._session(pk))
            )
        except StorageError as exc:
            cause = exc.__cause__
            if isinstance(cause, CosmosBatchOperationError):
                raise _batch_error(cause) from cause
            raise
        self._remember_session(pk, results)
        out: list[Document | None] = []
        for op, result in zip(operations, results, strict=True):
            body = result.get("resourceBody") if isinstance(result, Mapping) else None
            out.append(None if isinstance(op, DeleteOp) or body is None else _clean(body))
        if self._store.listened:
            written = [
                _copy(doc)
                for op, doc in zip(operations, out, strict=True)
                if isinstance(op, CreateOp | ReplaceOp | UpsertOp) and doc is not None
            ]
            if written:
                self._store.committed(self, pk, written)
        return out

    def _batch_operation(self, pk: str, index: int, op: BatchOperation) -> tuple[tuple[Any, ...], StorageError | None]:
        if isinstance(op, ReadOp):
            return ("read", (validate_id(op.id),)), None
        if isinstance(op, DeleteOp):
            doc_id = validate_id(op.id)
            options, failure = _batch_conditions(op.if_match)
            return ("delete", (doc_id,), options), failure
        if not isinstance(op, CreateOp | ReplaceOp | UpsertOp):
            raise TypeError(f"batch operation {index} is not a batch operation: {op!r}")
        write = self._prepare(op.doc)
        if write.pk != pk:
            raise ValueError(f"batch operation {index} targets partition {write.pk!r}, not {pk!r}")
        if isinstance(op, CreateOp):
            return ("create", (write.body,)), None
        options, failure = _batch_conditions(op.if_match)
        if isinstance(op, ReplaceOp):
            return ("replace", (write.id, write.body), options), failure
        return ("upsert", (write.body,), options), failure


def _batch_conditions(if_match: str | None) -> tuple[dict[str, Any], StorageError | None]:
    if if_match is None:
        return {}, None
    if not isinstance(if_match, str):
        raise ValueError("if_match must be an etag string")
    if not _etag_sendable(if_match):
        return {}, PreconditionFailedError("etag mismatch")
    return {"if_match_etag": if_match}, None


def _batch_error(exc: CosmosBatchOperationError) -> BatchError:
    index = exc.error_index if isinstance(exc.error_index, int) else 0
    responses = exc.operation_responses or []
    status = responses[index].get("statusCode") if 0 <= index < len(responses) else exc.status_code
    cause_type = _STATUS_ERRORS.get(status or 0, StorageError)
    return BatchError(index, cause_type(f"batch operation {index} failed with status {status}"))


__all__ = ["CosmosContainer", "CosmosDocumentStore", "ThrottlePolicy", "describe_endpoint"]
