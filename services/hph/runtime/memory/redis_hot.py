"""The hot tier in Redis: one hot tier shared by every process of a platform.

Keys, under a configurable prefix (Settings.memory_redis_prefix, default "hph:memory:"):

- `<prefix>e:<namespace>/<key>`: a hash holding one record (`v` version, `enc`, `p` payload, `w`
  written, `x` expires, `del` tombstone, `hu` hot until, `d` dirty); times are epoch microseconds
  of the memory's clock, so expiry follows the same clock in every tier (and a test's manual one).
- `<prefix>dirty`: a sorted set of the write-behind entries not yet in warm storage,
  member `<namespace>/<key>`, score its `hot_until` in milliseconds; the demotion pass takes the
  members due from it.

Durability of write-behind entries: a clean entry carries a Redis TTL (its remaining hot time, a
backstop for the clock check) and may be evicted by Redis at will, as warm storage holds it. A dirty
entry carries no TTL, so under a `volatile-*` maxmemory policy (volatile-lru, volatile-ttl; the one
to configure) Redis never evicts it, and any process's demotion pass writes it to warm storage; only
the loss of Redis itself (without persistence) loses dirty entries. `check_eviction_policy` warns
at start when the server would evict them (allkeys-*).

Each write is one Lua script, so the version check and the write are atomic across processes.
Versions are zero-padded text (`records.version_text`), compared as text (Lua numbers are doubles).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hph.runtime.memory.hot import HotEntry
from hph.runtime.memory.records import MemoryTierError, Record, version_text

log = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "hph:memory:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_PUT = """
local current = redis.call('HGET', KEYS[1], 'v')
if current and current > ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'enc', ARGV[2], 'p', ARGV[3], 'w', ARGV[4], 'x', ARGV[5],
  'del', ARGV[6], 'hu', ARGV[7], 'd', ARGV[8])
if ARGV[8] == '1' then
  redis.call('PERSIST', KEYS[1])
  redis.call('ZADD', KEYS[2], ARGV[10], ARGV[9])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[11])
  redis.call('ZREM', KEYS[2], ARGV[9])
end
return 1
"""

# ARGV: version, member, remaining hot milliseconds (<= 0: drop the entry).
_DEMOTED = """
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[2])
if tonumber(ARGV[3]) <= 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'd', '0')
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
"""

_DISCARD = """
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
"""


def _micros(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _moment(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


class RedisHotTier:
    """A `HotTier` in Redis (any Redis 6 or later); one client, connections opened on first use."""

    kind = "redis"

    def __init__(self, client: aioredis.Redis, key_prefix: str = DEFAULT_KEY_PREFIX) -> None:
        self._client = client
        self._prefix = key_prefix
        self._dirty = f"{key_prefix}dirty"
        self._put = client.register_script(_PUT)
        self._demoted = client.register_script(_DEMOTED)
        self._discard = client.register_script(_DISCARD)

    @classmethod
    def connect(cls, url: str, key_prefix: str = DEFAULT_KEY_PREFIX) -> RedisHotTier:
        """A hot tier over the Redis at `url` (redis://host:port/db)."""
        return cls(aioredis.Redis.from_url(url, decode_responses=False), key_prefix)

    async def check_eviction_policy(self) -> str:
        """The server's maxmemory-policy; logs a warning when it may evict dirty entries. A server
        that refuses CONFIG (managed Redis) answers "unknown"."""
        try:
            reply: dict[Any, Any] = await self._client.config_get("maxmemory-policy")
        except RedisError:
            return "unknown"
        policy = _text(reply.get(b"maxmemory-policy", reply.get("maxmemory-policy", "unknown")))
        if policy.startswith("allkeys"):
            log.warning(
                "redis may evict write-behind memory entries before they reach warm storage",
                extra={"maxmemory_policy": policy, "advice": "use volatile-lru"},
            )
        return policy

    def _key(self, namespace: str, key: str) -> str:
        return f"{self._prefix}e:{namespace}/{key}"

    async def get(self, namespace: str, key: str) -> HotEntry | None:
        fields = await self._call(self._client.hgetall(self._key(namespace, key)))
        return _entry(namespace, key, fields) if fields else None

    async def put(self, entry: HotEntry, now: datetime) -> bool:
        record = entry.record
        hot_until_ms = _micros(entry.hot_until) // 1000
        stored = await self._call(
            self._put(
                keys=[self._key(record.namespace, record.key), self._dirty],
                args=[
                    version_text(record.version),
                    record.encoding,
                    record.payload,
                    _micros(record.written_at),
                    _micros(record.expires_at) if record.expires_at is not None else "",
                    "1" if record.deleted else "0",
                    _micros(entry.hot_until),
                    "1" if entry.dirty else "0",
                    f"{record.namespace}/{record.key}",
                    hot_until_ms,
                    # A clean entry's Redis TTL (real time) only backs up the check against the clock.
                    max(1, (_micros(entry.hot_until) - _micros(now)) // 1000),
                ],
            )
        )
        return bool(stored)

    async def discard(self, entry: HotEntry) -> None:
        record = entry.record
        member = f"{record.namespace}/{record.key}"
        await self._call(
            self._discard(
                keys=[self._key(record.namespace, record.key), self._dirty],
                args=[version_text(record.version), member],
            )
        )

    async def leaving(self, now: datetime, *, everything: bool, limit: int) -> list[HotEntry]:
        upper: str | int = "+inf" if everything else _micros(now) // 1000
        members = await self._call(self._client.zrangebyscore(self._dirty, "-inf", upper, start=0, num=limit))
        if not members:
            return []
        addresses = [_text(member).partition("/")[::2] for member in members]
        async with self._client.pipeline(transaction=False) as pipe:
            for namespace, key in addresses:
                pipe.hgetall(self._key(namespace, key))
            replies = await self._call(pipe.execute())
        entries: list[HotEntry] = []
        vanished: list[bytes] = []
        for (namespace, key), fields, member in zip(addresses, replies, members, strict=True):
            entry = _entry(namespace, key, fields) if fields else None
            if entry is not None and entry.dirty:
                entries.append(entry)
            else:
                vanished.append(member)
        if vanished:  # deleted by hand or by a flush of Redis: nothing left to demote
            await self._call(self._client.zrem(self._dirty, *vanished))
        return entries

    async def demoted(self, entry: HotEntry, now: datetime) -> None:
        record = entry.record
        remaining_ms = (_micros(entry.hot_until) - _micros(now)) // 1000
        await self._call(
            self._demoted(
                keys=[self._key(record.namespace, record.key), self._dirty],
                args=[version_text(record.version), f"{record.namespace}/{record.key}", remaining_ms],
            )
        )

    def backlog(self) -> int:
        return 0  # dirty entries live in Redis, not in this process

    async def close(self) -> None:
        await self._client.aclose()

    async def _call(self, awaitable: Any) -> Any:
        try:
            return await awaitable
        except RedisError as exc:
            raise MemoryTierError(f"redis: {exc}") from exc


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _entry(namespace: str, key: str, fields: dict[bytes, bytes]) -> HotEntry:
    try:
        expires = fields[b"x"]
        record = Record(
            namespace=namespace,
            key=key,
            version=int(fields[b"v"]),
            encoding="bytes" if fields[b"enc"] == b"bytes" else "json",
            payload=fields[b"p"],
            written_at=_moment(int(fields[b"w"])),
            expires_at=_moment(int(expires)) if expires else None,
            deleted=fields[b"del"] == b"1",
        )
        return HotEntry(record, hot_until=_moment(int(fields[b"hu"])), dirty=fields[b"d"] == b"1")
    except (KeyError, ValueError) as exc:
        raise MemoryTierError(f"corrupt memory entry {namespace}/{key} in redis: {exc}") from exc
