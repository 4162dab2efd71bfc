"""A hot cache every host shares, in Redis (HPH_HOT_CACHE=redis), with a short-lived local copy.

Two levels. L2 is one copy per key in Redis, for every host: a miss on one host after another host
loaded the key costs a Redis read, not a storage query, and a write drops the key for all hosts at
once. L1 is this process's own TtlCache of what it read from Redis, kept `local_seconds` (0 = none):
a hit there costs no round trip (measured in docs/benchmarks.md: a Redis read is tens of
microseconds plus an event-loop turn per key, against about one for a local hit).

Staleness, per level:
- L2 never serves what a completed write replaced: the writer drops the key (`drop`) before its
  call returns. A load racing the write cannot store what it read before the commit: each key has a
  generation (and the cache a namespace generation, bumped by `drop_all`) that a drop increments; a
  load reads the generations with the value, and stores only if they have not moved since (one Lua
  script each, so the check and the store are atomic). An entry stored with older generations is
  a miss. Without Redis reachable for the drop (a partition), L2 entries live at most `ttl_seconds`.
- L1 of other hosts: dropped by the product events (each host's per-replica group; see the catalog),
  so typically within the event path's latency (the relay publishes on commit, consumers poll every
  HPH_CONSUMER_POLL_SECONDS), and never later than `local_seconds` after it was read from Redis,
  which also bounds changes that emit no event (a stock flip written by another host's listener).

Redis down: reads go to storage (the cache fails open to the source of truth), counted in
`redis_failures` and warned about once a minute (hph.runtime.redis_client); for a second after a
failure Redis is not asked at all.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import redis.asyncio as aioredis
from google.protobuf.message import Message
from redis.exceptions import RedisError

from hph.runtime.cache import TtlCache
from hph.runtime.redis_client import RedisOutage

V = TypeVar("V")

log = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "hph:cache:"
# How long a key's generation outlives its last drop, milliseconds: far longer than any entry's TTL,
# so an expired generation (read as 0) can only meet entries stored after it expired.
_GENERATION_LIFETIME_MS = 86_400_000

# KEYS: namespace generation, key generation, value. Returns both generations and the stored value.
_READ = """
return {redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or '0', redis.call('GET', KEYS[3])}
"""

# KEYS as _READ. ARGV: the generations the load began with, the encoded value, the TTL in ms.
_STORE = """
if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] or (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[3], ARGV[1] .. ':' .. ARGV[2] .. '|' .. ARGV[3], 'PX', ARGV[4])
return 1
"""

# KEYS: key generation, value. ARGV: the generation's lifetime in ms.
_DROP = """
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
return 1
"""


@dataclass(frozen=True)
class Codec(Generic[V]):
    """How values become bytes in Redis and back."""

    encode: Callable[[V], bytes]
    decode: Callable[[bytes], V]


class RedisCache(Generic[V]):
    """A HotCache over Redis (L2) with an in-process TtlCache in front (L1); see the module docstring."""

    def __init__(
        self,
        client: aioredis.Redis,
        name: str,
        codec: Codec[V],
        *,
        ttl_seconds: float,
        local_seconds: float,
        max_local_entries: int = 10_000,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        outage: RedisOutage,
    ) -> None:
        self._client = client
        self._codec = codec
        self._ttl_ms = max(1, round(ttl_seconds * 1000))
        self.enabled = ttl_seconds > 0
        self._local: TtlCache[V] = TtlCache(min(local_seconds, ttl_seconds), max_local_entries)
        self._flights: dict[bytes, asyncio.Task[V]] = {}
        self._base = f"{key_prefix}{name}:".encode()
        self._namespace_generation = self._base + b"gen"
        self._outage = outage
        self._read = client.register_script(_READ)
        self._store = client.register_script(_STORE)
        self._drop = client.register_script(_DROP)

    async def get_or_load(self, key: str | bytes, load: Callable[[], Awaitable[V]]) -> V:
        if not self.enabled:
            return await load()
        if self._local.enabled:
            return await self._local.get_or_load(key, lambda: self._shared_load(key, load))
        ident = self._id(key)
        flight = self._flights.get(ident)
        if flight is None:
            flight = asyncio.ensure_future(self._shared_load(key, load))
            self._flights[ident] = flight
            flight.add_done_callback(functools.partial(self._landed, ident))
        # A caller that gives up must not cancel the load the others await.
        return await asyncio.shield(flight)

    def fresh(self, key: str | bytes, load: Callable[[], Awaitable[V]]) -> V | None:
        if not (self.enabled and self._local.enabled):
            return None
        return self._local.fresh(key, lambda: self._shared_load(key, load))

    async def drop(self, key: str | bytes) -> None:
        self._local.invalidate(key)
        if self._outage.skipping:
            self._outage.failed(None)
            return
        ident = self._id(key)
        try:
            await self._drop(keys=[self._generation_key(ident), self._value_key(ident)], args=[_GENERATION_LIFETIME_MS])
        except (RedisError, OSError) as error:
            self._outage.failed(error)

    async def drop_all(self) -> None:
        self._local.clear()
        if self._outage.skipping:
            self._outage.failed(None)
            return
        try:
            await self._client.incr(self._namespace_generation)
        except (RedisError, OSError) as error:
            self._outage.failed(error)

    def drop_local(self, key: str | bytes) -> None:
        """Forgets this process's copy only (another host's write already dropped the shared one)."""
        self._local.invalidate(key)

    def drop_all_local(self) -> None:
        self._local.clear()

    async def _shared_load(self, key: str | bytes, load: Callable[[], Awaitable[V]]) -> V:
        """The value in Redis when it is current, else `load()`'s, stored unless a drop came between."""
        if self._outage.skipping:
            self._outage.failed(None)
            return await load()
        ident = self._id(key)
        keys = [self._namespace_generation, self._generation_key(ident), self._value_key(ident)]
        try:
            namespace_generation, key_generation, stored = await self._read(keys=keys)
        except (RedisError, OSError) as error:
            self._outage.failed(error)
            return await load()
        stamp = bytes(namespace_generation) + b":" + bytes(key_generation) + b"|"
        if stored is not None and stored.startswith(stamp):
            try:
                return self._codec.decode(stored[len(stamp) :])
            except Exception:  # written by another version of the code: a miss, overwritten below
                log.warning("a cached entry could not be decoded; loading it afresh", extra={"key": repr(key)[:100]})
        value = await load()
        try:
            await self._store(
                keys=keys, args=[namespace_generation, key_generation, self._codec.encode(value), self._ttl_ms]
            )
        except (RedisError, OSError) as error:
            self._outage.failed(error)
        return value

    def _landed(self, ident: bytes, flight: asyncio.Task[V]) -> None:
        if self._flights.get(ident) is flight:
            del self._flights[ident]
        if not flight.cancelled():
            flight.exception()  # its callers got it; the loop need not report it again

    @staticmethod
    def _id(key: str | bytes) -> bytes:
        raw = key.encode() if isinstance(key, str) else key
        # Long keys (a serialised page request) are hashed; short ones stay readable in redis-cli.
        return raw if len(raw) <= 64 and raw.isascii() else b"#" + hashlib.blake2b(raw, digest_size=16).digest()

    def _value_key(self, ident: bytes) -> bytes:
        return self._base + b"v:" + ident

    def _generation_key(self, ident: bytes) -> bytes:
        return self._base + b"g:" + ident


M = TypeVar("M", bound=Message)


def proto_codec(message_type: type[M]) -> Codec[M]:
    """Values that are protobuf messages of one type, in their binary encoding."""
    return Codec(lambda message: message.SerializeToString(), message_type.FromString)
