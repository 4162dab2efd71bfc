"""What every memory tier stores: namespaces, keys, per-namespace policies and the versioned record.

A record is the same in every tier (the hot tier keeps it as an object, Redis as a hash, warm
storage as a document, the cold tier as a file), so moving it between tiers never re-encodes the
value. Its `version` orders writes of one key: a tier keeps the highest version it was given, which
is how concurrent writers, promotions and demotions of one key converge instead of overwriting a
newer value with an older one.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeAlias

import orjson

from hph.runtime.clock import Clock, from_iso, to_iso

Json: TypeAlias = dict[str, Any] | list[Any] | str | int | float | bool | None
Value: TypeAlias = bytes | Json
Encoding = Literal["json", "bytes"]
Tier = Literal["hot", "warm", "cold"]
TIERS: tuple[Tier, ...] = ("hot", "warm", "cold")

# Largest encoded value: the warm document holds bytes base64-encoded (4/3) under storage's 2 MiB.
MAX_VALUE_BYTES = 1024 * 1024
# Keys and namespace parts are usable as they are in a document id, a Redis key and a file name:
# no "/", no "%", and a first character that is not "." (so no "..").
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:=@+-]{0,199}")
_NAME_PART = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


class MemoryTierError(Exception):
    """Base of the failures memory reports (a tier that cannot be reached, a corrupt record)."""


def validate_key(key: object) -> str:
    """A key: 1-200 characters of [A-Za-z0-9_.:=@+-], starting with a letter or digit; else ValueError."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(
            f"invalid memory key {key!r}: 1-200 characters of A-Z a-z 0-9 _ . : = @ + -, "
            "starting with a letter or digit"
        )
    return key


@dataclass(frozen=True, order=True)
class Namespace:
    """Whose memory and what kind: an agent's name and a kind of thing it remembers, e.g.
    Namespace("catalog-search", "answers"). Each part is [a-z0-9-], 1-63 characters."""

    owner: str
    kind: str

    def __post_init__(self) -> None:
        for part in (self.owner, self.kind):
            if not isinstance(part, str) or not _NAME_PART.fullmatch(part):
                raise ValueError(f"invalid memory namespace part {part!r}: 1-63 characters of a-z 0-9 -")

    @property
    def name(self) -> str:
        """ "owner.kind": the partition key in warm storage, a folder in the cold tier."""
        return f"{self.owner}.{self.kind}"

    @classmethod
    def parse(cls, name: str) -> Namespace:
        owner, dot, kind = name.partition(".")
        if not dot:
            raise ValueError(f"invalid memory namespace {name!r}: expected owner.kind")
        return cls(owner, kind)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Policy:
    """How long a namespace's entries live in each place (None = the platform default from Settings).

    - `ttl`: lifetime after the last write (timedelta(0) = until deleted); past it an entry is gone
      from every tier.
    - `hot_ttl`: how long an entry stays in the hot tier after it is written or promoted.
    - `archive_after`: age in warm storage after which the archive pass moves it to the cold tier.
    - `write_behind`: a put writes the hot tier only; the entry reaches warm storage when it leaves
      the hot tier (evicted or past hot_ttl) or when memory is flushed (stop). Otherwise a put
      writes warm storage first, then the hot tier (write-through).
    """

    ttl: timedelta | None = None
    hot_ttl: timedelta | None = None
    archive_after: timedelta | None = None
    write_behind: bool = False


@dataclass(frozen=True)
class ResolvedPolicy:
    ttl: timedelta | None  # None = until deleted
    hot_ttl: timedelta
    archive_after: timedelta
    write_behind: bool


def resolve(policy: Policy, defaults: ResolvedPolicy) -> ResolvedPolicy:
    ttl = defaults.ttl if policy.ttl is None else (policy.ttl if policy.ttl > timedelta(0) else None)
    return ResolvedPolicy(
        ttl=ttl,
        hot_ttl=defaults.hot_ttl if policy.hot_ttl is None else policy.hot_ttl,
        archive_after=defaults.archive_after if policy.archive_after is None else policy.archive_after,
        write_behind=policy.write_behind,
    )


@dataclass(frozen=True)
class Record:
    """One version of one key's value. `payload` is the encoded value (JSON text or the raw bytes);
    a tombstone (`deleted`) remembers a delete so an older version in flight cannot revive the key."""

    namespace: str
    key: str
    version: int
    encoding: Encoding
    payload: bytes
    written_at: datetime
    expires_at: datetime | None
    deleted: bool = False

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def value(self) -> Value:
        """The value as it was put (a fresh object each call, so callers may mutate it)."""
        if self.encoding == "bytes":
            return self.payload
        try:
            decoded: Json = orjson.loads(self.payload)
        except orjson.JSONDecodeError as exc:
            raise MemoryTierError(f"memory record {self.namespace}/{self.key} holds invalid JSON") from exc
        return decoded

    @property
    def size(self) -> int:
        """What the record weighs against the hot tier's bound (value, key and bookkeeping)."""
        return len(self.payload) + len(self.key) + len(self.namespace) + 96

    def to_fields(self) -> dict[str, Any]:
        """The JSON form shared by warm documents and cold files (payload as text or base64)."""
        return {
            "ns": self.namespace,
            "key": self.key,
            # Text, zero-padded: versions exceed the 53 bits a JSON number keeps exactly in Cosmos DB.
            "v": version_text(self.version),
            "enc": self.encoding,
            "p": self.payload.decode() if self.encoding == "json" else base64.b64encode(self.payload).decode(),
            "written_at": to_iso(self.written_at),
            "expires_at": to_iso(self.expires_at) if self.expires_at is not None else None,
            "deleted": self.deleted,
        }

    @classmethod
    def from_fields(cls, doc: dict[str, Any]) -> Record:
        try:
            encoding: Encoding = "bytes" if doc["enc"] == "bytes" else "json"
            text = doc["p"]
            return cls(
                namespace=doc["ns"],
                key=doc["key"],
                version=int(doc["v"]),
                encoding=encoding,
                payload=base64.b64decode(text, validate=True) if encoding == "bytes" else str(text).encode(),
                written_at=from_iso(doc["written_at"]),
                expires_at=from_iso(doc["expires_at"]) if doc.get("expires_at") else None,
                deleted=bool(doc.get("deleted", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MemoryTierError(f"corrupt memory record: {exc}") from exc


VERSION_WIDTH = 24


def version_text(version: int) -> str:
    """A version as fixed-width text, so text order is version order (Redis scripts, documents)."""
    return str(version).zfill(VERSION_WIDTH)


def encode_value(value: object) -> tuple[Encoding, bytes]:
    """bytes stay bytes; anything else must be JSON-able (str keys, finite numbers); else ValueError."""
    if isinstance(value, bytes | bytearray | memoryview):
        payload: bytes = bytes(value)
        encoding: Encoding = "bytes"
    else:
        try:
            payload = orjson.dumps(value)
        except TypeError as exc:
            raise ValueError(f"memory values are bytes or JSON-able: {exc}") from exc
        encoding = "json"
    if len(payload) > MAX_VALUE_BYTES:
        raise ValueError(f"memory value of {len(payload)} bytes exceeds {MAX_VALUE_BYTES}")
    return encoding, payload


WRITER_BITS = 16


class Versions:
    """Issues this process's record versions: the clock's microseconds shifted left by WRITER_BITS,
    plus a random writer id in the low bits. Microseconds are bumped past the last ones issued, so
    two writes of one process are always ordered even when the clock stands still (or steps back);
    across processes the later clock wins (last writer wins), and at the same microsecond the
    writer ids still order the two writes the same way in every tier."""

    def __init__(self, clock: Clock, writer: int | None = None) -> None:
        self._clock = clock
        self._writer = secrets.randbits(WRITER_BITS) if writer is None else writer
        if not 0 <= self._writer < 1 << WRITER_BITS:
            raise ValueError(f"writer id must fit in {WRITER_BITS} bits")
        self._last_micros = 0

    def next(self) -> int:
        micros = int(self._clock().astimezone(UTC).timestamp() * 1_000_000)
        self._last_micros = max(micros, self._last_micros + 1)
        return self._last_micros << WRITER_BITS | self._writer
