"""The storage port: what every document store offers, modelled on Azure Cosmos DB for NoSQL.

Owns the `Container` / `DocumentStore` protocols, the query model (terms, ordering, pages), batch
operations, the storage errors, and the validation and continuation-token helpers that every adapter
shares. Only semantics Cosmos DB offers belong here, so the adapters (SQLite embedded, PostgreSQL
shared, Cosmos DB) are interchangeable without touching callers; tests/contract holds the suite
every adapter passes.

Query semantics (every adapter implements exactly these, following Cosmos DB's rules):

- A field path is dotted (`"address.city"`); each segment is `[A-Za-z0-9_]+`. Paths are validated
  when a term is built, so no adapter ever renders caller text into a query.
- A missing field is *undefined*. Comparing undefined, or values of different JSON types (number vs
  string, bool vs number, ...), yields undefined, and a document matches only when the whole filter
  is true. So `Lt("price", "10")` never matches a numeric price, and `Ne("x", 1)` does not match a
  document without `x`.
- `And` / `Or` / `Not` use three-valued logic: `Not(undefined)` is undefined (so `Not(Eq("x", 1))`
  does not match documents lacking `x`), `false AND undefined` is false, `true OR undefined` is true.
- `Eq(f, None)` is true only for a JSON null; `Ne(f, None)` is never true (null != null is false and
  null vs any other type is undefined). `Lt`/`Le`/`Gt`/`Ge` take a number or a string.
- `In(f, values)` equals `Or(Eq(f, v) for v in values)`; an empty `In` matches nothing.
- `Contains` is a substring test on a string field (case-insensitive by default, by Unicode
  case-folding); an empty `text` matches every string. Non-strings give undefined.
- `ArrayContains(f, v)` is true when the array `f` holds a scalar equal to `v` (same JSON type);
  if `f` is not an array the result is undefined.
- `IsDefined(f)` is true when the field exists (even as null); it is never undefined.
- Strings compare by code point; integers and floats compare numerically.
- Ordering: each `OrderBy` sorts values by type first, then by value:
  undefined < null < booleans (false < true) < numbers < strings < arrays < objects (Cosmos places
  undefined first when ascending, so documents lacking the field come first ascending and last
  descending). Ties are broken by `id` ascending, then by partition key (two partitions may hold the
  same id). Ordering by arrays or objects is allowed but their relative order is adapter-defined.
- `upsert(..., if_match=...)` of a document that does not exist creates it (Cosmos applies the
  precondition only when replacing).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

Document: TypeAlias = dict[str, Any]
Scalar: TypeAlias = str | int | float | bool | None

# Properties Cosmos DB owns; callers never set them, and adapters strip them on write.
SYSTEM_FIELDS = frozenset({"_rid", "_self", "_etag", "_attachments", "_ts"})
MAX_BATCH_OPERATIONS = 100
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_ID_LENGTH = 255

_FIELD_SEGMENT = re.compile(r"[A-Za-z0-9_]+")
_PARTITION_KEY_PATH = re.compile(r"(?:/[A-Za-z0-9_]+)+")
_FORBIDDEN_NAME_CHARS = frozenset("/\\?#")


# --- errors -----------------------------------------------------------------------------------


class StorageError(Exception):
    """Base of every failure a store reports (adapter-level failures are wrapped in it too)."""


class NotFoundError(StorageError):
    """No document with that id in that partition."""


class ConflictError(StorageError):
    """Create of an id that already exists in the partition."""


class PreconditionFailedError(StorageError):
    """The document's current ETag differs from the `if_match` the caller sent."""


class InvalidContinuationError(StorageError):
    """A continuation token is malformed or was issued for a different query."""


class BatchError(StorageError):
    """Operation `index` of a transactional batch failed with `cause`; nothing was applied."""

    def __init__(self, index: int, cause: StorageError) -> None:
        super().__init__(f"batch operation {index} failed: {type(cause).__name__}: {cause}")
        self.index = index
        self.cause = cause


class PartitionKeyPathMismatch(ValueError):
    """A container was asked for with a partition key path other than the one it was created with
    (a container's path never changes; its data must be moved to a new container)."""

    def __init__(self, container: str, stored_path: str, requested_path: str) -> None:
        super().__init__(f"container {container!r} has partition key path {stored_path!r}, not {requested_path!r}")
        self.container = container
        self.stored_path = stored_path
        self.requested_path = requested_path


# --- validation shared by adapters -------------------------------------------------------------


def validate_field_path(path: str) -> tuple[str, ...]:
    """Splits a dotted field path into segments; ValueError unless every segment is [A-Za-z0-9_]+."""
    if not isinstance(path, str):
        raise ValueError(f"field path must be a string, got {type(path).__name__}")
    segments = tuple(path.split("."))
    if not all(_FIELD_SEGMENT.fullmatch(segment) for segment in segments):
        raise ValueError(f"invalid field path {path!r}: segments must match [A-Za-z0-9_]+")
    return segments


def validate_partition_key_path(path: str) -> tuple[str, ...]:
    """Splits a Cosmos partition key path ("/user_id", "/address/city") into field segments."""
    if not isinstance(path, str) or not _PARTITION_KEY_PATH.fullmatch(path):
        raise ValueError(f"invalid partition key path {path!r}: expected /segment[/segment...]")
    return tuple(path[1:].split("/"))


def validate_container_name(name: str) -> str:
    """Applies Cosmos DB's container naming rules so a name valid here is valid there."""
    if (
        not isinstance(name, str)
        or not 1 <= len(name) <= MAX_ID_LENGTH
        or name.endswith(" ")
        or _FORBIDDEN_NAME_CHARS.intersection(name)
    ):
        raise ValueError(f"invalid container name {name!r}")
    return name


def is_valid_id(value: object) -> bool:
    """Whether `value` meets Cosmos DB's id rules (1-255 chars, none of / \\ ? #)."""
    return isinstance(value, str) and 1 <= len(value) <= MAX_ID_LENGTH and not _FORBIDDEN_NAME_CHARS.intersection(value)


def validate_id(doc_id: object) -> str:
    """Applies Cosmos DB's id rules (1-255 chars, none of / \\ ? #)."""
    if not isinstance(doc_id, str) or not 1 <= len(doc_id) <= MAX_ID_LENGTH:
        raise ValueError(f"document id must be a string of 1..{MAX_ID_LENGTH} characters")
    if _FORBIDDEN_NAME_CHARS.intersection(doc_id):
        raise ValueError(f"document id {doc_id!r} contains one of / \\ ? #")
    return doc_id


def validate_partition_key(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"partition key value must be a string, got {type(value).__name__}")
    return value


def partition_key_of(doc: Document, segments: Sequence[str]) -> str:
    """Reads the partition key value from a document by its path segments; ValueError if absent."""
    node: Any = doc
    for segment in segments:
        if not isinstance(node, dict) or segment not in node:
            raise ValueError(f"document lacks partition key /{'/'.join(segments)}")
        node = node[segment]
    return validate_partition_key(node)


def without_system_fields(doc: Document) -> Document:
    """A shallow copy of `doc` minus the properties the store owns."""
    if not isinstance(doc, dict):
        raise ValueError(f"document must be a dict, got {type(doc).__name__}")
    return {key: value for key, value in doc.items() if key not in SYSTEM_FIELDS}


def _check_scalar(value: object, *, allow_null: bool = True) -> None:
    if value is None:
        if not allow_null:
            raise ValueError("null is not ordered; compare with Eq(field, None)")
        return
    if not isinstance(value, str | int | float):
        raise ValueError(f"query values must be JSON scalars, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("query values must be finite numbers")


# --- query model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Comparison:
    field: str
    value: Scalar

    def __post_init__(self) -> None:
        validate_field_path(self.field)
        _check_scalar(self.value)


class Eq(_Comparison):
    """field == value (same JSON type)."""


class Ne(_Comparison):
    """field != value (same JSON type; different types or a missing field never match)."""


@dataclass(frozen=True)
class _Ordering(_Comparison):
    value: str | int | float

    def __post_init__(self) -> None:
        validate_field_path(self.field)
        _check_scalar(self.value, allow_null=False)
        if isinstance(self.value, bool):
            raise ValueError("booleans are compared with Eq/Ne, not ordered")


class Lt(_Ordering):
    """field < value."""


class Le(_Ordering):
    """field <= value."""


class Gt(_Ordering):
    """field > value."""


class Ge(_Ordering):
    """field >= value."""


@dataclass(frozen=True, init=False)
class In:
    """field equals one of values."""

    field: str
    values: tuple[Scalar, ...]

    def __init__(self, field: str, values: Iterable[Scalar]) -> None:
        if isinstance(values, str | bytes):
            raise ValueError("In takes a collection of values, not a string")
        items = tuple(values)
        validate_field_path(field)
        for value in items:
            _check_scalar(value)
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "values", items)


@dataclass(frozen=True)
class Contains:
    """The string field contains `text` as a substring."""

    field: str
    text: str
    ignore_case: bool = True

    def __post_init__(self) -> None:
        validate_field_path(self.field)
        if not isinstance(self.text, str):
            raise ValueError("Contains text must be a string")


@dataclass(frozen=True)
class ArrayContains:
    """The array field holds an element equal to `value`."""

    field: str
    value: Scalar

    def __post_init__(self) -> None:
        validate_field_path(self.field)
        _check_scalar(self.value)


@dataclass(frozen=True)
class IsDefined:
    """The field exists (a JSON null counts as defined)."""

    field: str

    def __post_init__(self) -> None:
        validate_field_path(self.field)


@dataclass(frozen=True, init=False)
class And:
    """All terms hold; an empty And is true."""

    terms: tuple[Term, ...]

    def __init__(self, *terms: Term) -> None:
        object.__setattr__(self, "terms", _check_terms(terms))


@dataclass(frozen=True, init=False)
class Or:
    """At least one term holds; an empty Or is false."""

    terms: tuple[Term, ...]

    def __init__(self, *terms: Term) -> None:
        object.__setattr__(self, "terms", _check_terms(terms))


@dataclass(frozen=True)
class Not:
    """The term is false (undefined stays undefined)."""

    term: Term

    def __post_init__(self) -> None:
        _check_terms((self.term,))


Term: TypeAlias = Eq | Ne | Lt | Le | Gt | Ge | In | Contains | ArrayContains | IsDefined | And | Or | Not
TERM_TYPES: tuple[type, ...] = (Eq, Ne, Lt, Le, Gt, Ge, In, Contains, ArrayContains, IsDefined, And, Or, Not)


def _check_terms(terms: tuple[Any, ...]) -> tuple[Term, ...]:
    for term in terms:
        if not isinstance(term, TERM_TYPES):
            raise TypeError(f"not a query term: {term!r}")
    return terms


@dataclass(frozen=True)
class OrderBy:
    field: str
    descending: bool = False

    def __post_init__(self) -> None:
        validate_field_path(self.field)


@dataclass(frozen=True)
class Query:
    """A filter and an ordering; results are ordered by `order_by`, then id, then partition key."""

    where: Term | None = None
    order_by: tuple[OrderBy, ...] = ()

    def __post_init__(self) -> None:
        if self.where is not None:
            _check_terms((self.where,))
        order_by = tuple(self.order_by)
        if not all(isinstance(item, OrderBy) for item in order_by):
            raise TypeError("order_by must hold OrderBy items")
        fields = [item.field for item in order_by]
        if len(set(fields)) != len(fields):
            raise ValueError("order_by fields must be unique")
        object.__setattr__(self, "order_by", order_by)


@dataclass(frozen=True)
class Page:
    """One page of query results; `continuation` is None on the last page."""

    items: list[Document]
    continuation: str | None


# --- batch operations --------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateOp:
    doc: Document


@dataclass(frozen=True)
class ReplaceOp:
    doc: Document
    if_match: str | None = None


@dataclass(frozen=True)
class UpsertOp:
    doc: Document
    if_match: str | None = None


@dataclass(frozen=True)
class DeleteOp:
    id: str
    if_match: str | None = None


@dataclass(frozen=True)
class ReadOp:
    id: str


BatchOperation: TypeAlias = CreateOp | ReplaceOp | UpsertOp | DeleteOp | ReadOp


# --- protocols ---------------------------------------------------------------------------------


class Container(Protocol):
    """A set of JSON documents partitioned by the value at `partition_key_path`."""

    @property
    def name(self) -> str: ...

    @property
    def partition_key_path(self) -> str: ...

    async def read(self, id: str, partition_key: str) -> Document:
        """The document; NotFoundError if absent."""
        ...

    async def create(self, doc: Document) -> Document:
        """Inserts; ConflictError if the id exists in the partition; ValueError if pk is missing."""
        ...

    async def replace(self, doc: Document, *, if_match: str | None = None) -> Document:
        """Overwrites an existing document; NotFoundError / PreconditionFailedError."""
        ...

    async def upsert(self, doc: Document, *, if_match: str | None = None) -> Document:
        """Creates or replaces; if_match applies only when the document exists."""
        ...

    async def delete(self, id: str, partition_key: str, *, if_match: str | None = None) -> None:
        """Removes; NotFoundError / PreconditionFailedError."""
        ...

    async def query(
        self,
        query: Query,
        *,
        partition_key: str | None = None,
        max_items: int = 100,
        continuation: str | None = None,
    ) -> Page:
        """One page of matches; partition_key None queries across partitions."""
        ...

    async def count(self, query: Query, *, partition_key: str | None = None) -> int:
        """How many documents match `query.where` (order_by is ignored)."""
        ...

    async def batch(self, partition_key: str, operations: Sequence[BatchOperation]) -> list[Document | None]:
        """Applies all operations in one partition atomically (BatchError on failure, nothing
        applied); returns per operation the written or read document, None for deletes."""
        ...


CommitListener: TypeAlias = Callable[["Container", str, Sequence[Document]], None]
"""Told, on the event loop right after a write of this process commits, the container, the
partition key and the documents as stored (system fields included). Must not mutate them or block."""


@dataclass(frozen=True)
class ContainerSpec:
    """A container code uses, declared where the code lives (a service's `CONTAINERS`): the host
    creates exactly the declared containers of what it hosts, and registers those with `outbox`
    records with the outbox relay; `infra/` provisions the same names and partition keys."""

    name: str
    partition_key_path: str
    outbox: bool = False  # holds outbox records (events written with the state they describe)

    async def open(self, store: DocumentStore) -> Container:
        return await store.container(self.name, self.partition_key_path)


class DocumentStore(Protocol):
    async def container(self, name: str, partition_key_path: str) -> Container:
        """The container, created if absent; PartitionKeyPathMismatch (a ValueError) if it exists
        with another key path."""
        ...

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Calls `listener` after every write this store object commits (creates, replaces,
        upserts and batches; not deletes). Writes of other processes are not reported."""
        ...

    async def close(self) -> None: ...


# --- continuation tokens -----------------------------------------------------------------------


def _term_repr(term: Term | None) -> Any:
    """A canonical JSON form of a term; type names keep 1 and True (and 1 and "1") apart."""
    if term is None:
        return None
    if isinstance(term, And | Or):
        return [type(term).__name__, [_term_repr(child) for child in term.terms]]
    if isinstance(term, Not):
        return ["Not", _term_repr(term.term)]
    if isinstance(term, In):
        return ["In", term.field, [_value_repr(value) for value in term.values]]
    if isinstance(term, Contains):
        return ["Contains", term.field, term.text, term.ignore_case]
    if isinstance(term, IsDefined):
        return ["IsDefined", term.field]
    return [type(term).__name__, term.field, _value_repr(term.value)]


def _value_repr(value: Scalar) -> list[Any]:
    return [type(value).__name__, value]


def query_fingerprint(container: str, query: Query, partition_key: str | None) -> str:
    """Identifies what a continuation token may be used with: container, filter, order, partition."""
    canonical = json.dumps(
        [
            container,
            partition_key,
            _term_repr(query.where),
            [[item.field, item.descending] for item in query.order_by],
        ],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def encode_continuation(fingerprint: str, position: Sequence[Any]) -> str:
    """An opaque base64url token holding the query fingerprint and a keyset position."""
    payload = json.dumps({"v": 1, "f": fingerprint, "p": list(position)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_continuation(token: str, fingerprint: str) -> list[Any]:
    """The keyset position in `token`; InvalidContinuationError if malformed or for another query."""
    if not isinstance(token, str) or not token or len(token) > 16384:
        raise InvalidContinuationError("malformed continuation token")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidContinuationError("malformed continuation token") from exc
    if not isinstance(payload, dict) or payload.get("v") != 1 or not isinstance(payload.get("p"), list):
        raise InvalidContinuationError("malformed continuation token")
    if payload.get("f") != fingerprint:
        raise InvalidContinuationError("continuation token belongs to a different query")
    position: list[Any] = payload["p"]
    return position


def check_count_request(query: object, partition_key: str | None) -> None:
    """The argument checks every adapter's `count` makes (TypeError, ValueError)."""
    if not isinstance(query, Query):
        raise TypeError("query must be a Query")
    if partition_key is not None:
        validate_partition_key(partition_key)


def start_page(
    container: str, query: object, partition_key: str | None, max_items: object, continuation: str | None
) -> tuple[str, list[Any] | None]:
    """The argument checks every adapter's `query` makes, then the query's fingerprint and the
    position its continuation token resumes after (None for the first page)."""
    check_count_request(query, partition_key)
    assert isinstance(query, Query)
    if isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 1:
        raise ValueError("max_items must be a positive integer")
    fingerprint = query_fingerprint(container, query, partition_key)
    return fingerprint, None if continuation is None else decode_continuation(continuation, fingerprint)
