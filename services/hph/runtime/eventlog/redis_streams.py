"""Redis Streams adapter of the event log: one log shared by several processes or hosts.

Keys, all under a configurable prefix (default "hph:eventlog:"):

- `<prefix>topics`: a hash, topic -> partition count (HSETNX, so the first creator fixes it).
- `<prefix>stream:<topic>:<partition>`: one stream per partition; an entry holds the serialized
  envelope (`e`) and the event's ordinal in the partition (`n`, 1, 2, 3...).
- `<prefix>ordinal:<topic>:<partition>`: the partition's ordinal counter.
- `<prefix>published:<topic>:<event id>`: the entry id an event was appended as, kept for
  `dedupe_window` (see "Appending an event once" below).
- `<prefix>checkpoints:<group>:<topic>`: a hash per group and topic, partition -> sequence number
  (an Event Hubs-style checkpoint store).
- `<prefix>lease:<group>:<topic>:<partition>`: the ownership record, the consumer holding the
  partition, expiring (PX) unless renewed; `<prefix>members:<group>`: a sorted set of the group's
  live consumers scored by when their membership expires (`OwnershipStore`).

Sequence numbers are the entry ids Redis assigns (`<ms>-<n>`: never decreasing even when the clock
steps back, and strictly increasing per stream), packed into one int64 as `ms * 2**20 + n`: the low
20 bits hold the per-millisecond counter (a million entries per millisecond and stream, far beyond
Redis's own rate) and 43 bits of milliseconds last until the year 2248. The packing is monotone and
`entry_id_of(sequence_of(id)) == id`. The enqueued time is the id's milliseconds. These numbers are
not dense, so lag is counted with the ordinals: an append is a Lua script that bumps the counter and
adds the entries, atomically, so concurrent appenders get gap-free ordinals in entry order.

Appending an event once. Several hosts relay one shared store's outbox (hph.runtime.events.relay),
and a record can be appended twice: its host stalls or dies between the append and marking the
record sent, and another host's scan appends it again. So an append is idempotent by event id: the
script that adds a partition's entries first looks up each event's `published` key and, when it is
there, answers with the entry the event was first appended as instead of adding another; a new
entry sets the key (`PX dedupe_window`). The log then holds each event once, whoever relays it,
without the relays having to claim records (a claim would cost every commit a write, and a claimer
that stalls past its lease appends twice all the same). The window (default an hour) bounds the
keys' memory: a duplicate appended later than that (a record left unmarked for an hour) is still
skipped by every consumer group's ledger, which dedupes by event id (hph.runtime.consumers.ledger).

Retention is `XTRIM MINID <ms>` per partition (exact: removes the entries enqueued before the time).
Checkpoints live in the adapter's own hashes, as in Event Hubs' checkpoint store, and `read` uses
XRANGE. Beyond the port, Redis consumer groups share a group's events among processes
(`ensure_delivery_group`, `deliver`, `acknowledge`, `pending`, `reclaim`: XREADGROUP, XACK, XPENDING,
XAUTOCLAIM), and the ownership records by which they share a group's partitions (`join`, `claim`,
`release`, `owners`, `leave`: the port's `OwnershipStore`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError
from redis.typing import EncodableT, FieldT

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.eventlog.port import (
    EventLogError,
    LoggedEvent,
    PartitionCountMismatch,
    PartitionCounts,
    PartitionInfo,
    PartitionLag,
    Position,
    ReadBatch,
    StartAt,
    by_partition,
    envelopes_of,
    from_millis,
    to_millis,
    validate_max_events,
    validate_name,
    validate_partition_count,
    validate_sequence,
)

DEFAULT_KEY_PREFIX = "hph:eventlog:"
# How long an appended event's id is remembered, so another relay's append of it adds nothing.
DEFAULT_DEDUPE_WINDOW = timedelta(hours=1)
_COUNTER_BITS = 20
_COUNTER_MASK = (1 << _COUNTER_BITS) - 1
# Checkpoints are stored zero-padded to the width of 2**63, so the Lua script compares them as text
# (Lua numbers are doubles and would round a 63-bit sequence number).
_CHECKPOINT_WIDTH = 19

# How Redis words "no such group" and "no such stream" in XGROUP SETID's error replies.
_NO_GROUP_SIGNS = ("NOGROUP", "requires the key to exist", "no such key")

# KEYS = stream, ordinal counter, then each event's `published` key; ARGV = the window (ms), then
# each serialized envelope. An event already published answers with its first entry id.
_APPEND = """
local ids = {}
for i = 2, #ARGV do
  local published = KEYS[i + 1]
  local first = redis.call('GET', published)
  if first then
    ids[i - 1] = first
  else
    local id = redis.call('XADD', KEYS[1], '*', 'n', redis.call('INCR', KEYS[2]), 'e', ARGV[i])
    redis.call('SET', published, id, 'PX', ARGV[1])
    ids[i - 1] = id
  end
end
return ids
"""

_CHECKPOINT = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and current >= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""

# The events a group still has to read in one partition: the ordinals after the checkpoint's (or
# after the one before the first retained event), up to the counter.
_LAG = """
local function ordinal(entry)
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 'n' then return tonumber(fields[i + 1]) end
  end
  return 0
end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
if #first == 0 then return 0 end
local done = ordinal(first[1]) - 1
if ARGV[1] ~= '' then
  local upto = redis.call('XREVRANGE', KEYS[1], ARGV[1], '-', 'COUNT', 1)
  if #upto > 0 then done = ordinal(upto[1]) end
end
return tonumber(redis.call('GET', KEYS[2]) or '0') - done
"""


# Leases and membership are timed by the Redis server's clock (TIME), so the hosts' clocks never
# have to agree. KEYS[1] = the lease key; ARGV = consumer, ttl ms.
_CLAIM = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS[1] = the group's member set (score: expiry ms); ARGV = consumer, ttl ms.
_JOIN = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 10)
return redis.call('ZRANGE', KEYS[1], 0, -1)
"""


def sequence_of(entry_id: bytes | str) -> int:
    """The sequence number of a stream entry id (`<ms>-<n>`)."""
    text = entry_id.decode("ascii") if isinstance(entry_id, bytes) else entry_id
    millis, _, counter = text.partition("-")
    number = int(counter)
    if number > _COUNTER_MASK:
        raise EventLogError(f"entry id {text} exceeds {_COUNTER_MASK} entries in one millisecond")
    return (int(millis) << _COUNTER_BITS) | number


def entry_id_of(sequence: int) -> str:
    """The stream entry id of a sequence number (inverse of `sequence_of`)."""
    return f"{sequence >> _COUNTER_BITS}-{sequence & _COUNTER_MASK}"


def _enqueued_at(sequence: int) -> datetime:
    return from_millis(sequence >> _COUNTER_BITS)


def _logged(topic: str, partition: int, entries: Sequence[tuple[bytes, dict[bytes, bytes]]]) -> list[LoggedEvent]:
    """Stream entries (id, fields) as logged events."""
    events = []
    for entry_id, fields in entries:
        sequence = sequence_of(entry_id)
        envelope = EventEnvelope.FromString(fields[b"e"])
        events.append(LoggedEvent(topic, partition, sequence, _enqueued_at(sequence), envelope))
    return events


class RedisEventLog:
    """An `EventLog` in Redis Streams (Redis 6.2 or later: XTRIM MINID, exclusive XRANGE bounds)."""

    def __init__(
        self,
        client: aioredis.Redis,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        *,
        dedupe_window: timedelta = DEFAULT_DEDUPE_WINDOW,
    ) -> None:
        self._client = client
        self._prefix = key_prefix
        self._dedupe_ms = _millis(dedupe_window)
        self._partitions = PartitionCounts(self._stored_partitions)
        self._append_script = client.register_script(_APPEND)
        self._checkpoint_script = client.register_script(_CHECKPOINT)
        self._lag_script = client.register_script(_LAG)
        self._claim_script = client.register_script(_CLAIM)
        self._release_script = client.register_script(_RELEASE)
        self._join_script = client.register_script(_JOIN)

    @classmethod
    def connect(
        cls, url: str, key_prefix: str = DEFAULT_KEY_PREFIX, *, dedupe_window: timedelta = DEFAULT_DEDUPE_WINDOW
    ) -> RedisEventLog:
        """A log over the Redis at `url` (redis://host:port/db); connections open on first use."""
        return cls(aioredis.Redis.from_url(url, decode_responses=False), key_prefix, dedupe_window=dedupe_window)

    async def close(self) -> None:
        await self._client.aclose()

    def _stream(self, topic: str, partition: int) -> str:
        return f"{self._prefix}stream:{topic}:{partition}"

    def _ordinals(self, topic: str, partition: int) -> str:
        return f"{self._prefix}ordinal:{topic}:{partition}"

    def _published(self, topic: str, event_id: str) -> str:
        return f"{self._prefix}published:{topic}:{event_id}"

    def _checkpoint_hash(self, group: str, topic: str) -> str:
        return f"{self._prefix}checkpoints:{group}:{topic}"

    def _lease(self, group: str, topic: str, partition: int) -> str:
        return f"{self._prefix}lease:{group}:{topic}:{partition}"

    def _members(self, group: str) -> str:
        return f"{self._prefix}members:{group}"

    async def _call(self, awaitable: Any) -> Any:
        try:
            return await awaitable
        except RedisError as exc:
            raise EventLogError(f"redis: {exc}") from exc

    async def create_topic(self, topic: str, partitions: int) -> None:
        validate_name("topic", topic)
        validate_partition_count(partitions)
        key = self._prefix + "topics"
        await self._call(self._client.hsetnx(key, topic, partitions))
        existing = int(await self._call(self._client.hget(key, topic)))
        if existing != partitions:
            raise PartitionCountMismatch(topic, existing, partitions)
        self._partitions.created(topic, partitions)

    async def topics(self) -> Mapping[str, int]:
        stored = await self._call(self._client.hgetall(self._prefix + "topics"))
        return {name.decode(): int(count) for name, count in stored.items()}

    async def _stored_partitions(self, topic: str) -> int | None:
        found = await self._call(self._client.hget(self._prefix + "topics", topic))
        return None if found is None else int(found)

    async def append(self, topic: str, envelopes: EventEnvelope | Sequence[EventEnvelope]) -> list[LoggedEvent]:
        batch = envelopes_of(envelopes)
        partitions = await self._partitions.of(topic)
        if not batch:
            return []
        groups = by_partition(batch, partitions)
        # One round trip for all partitions; each partition's script runs atomically on its own.
        async with self._client.pipeline(transaction=False) as pipeline:
            for partition, indexes in groups.items():
                keys = [self._stream(topic, partition), self._ordinals(topic, partition)]
                keys += [self._published(topic, batch[index].event_id) for index in indexes]
                args: list[EncodableT] = [self._dedupe_ms]
                args += [batch[index].SerializeToString() for index in indexes]
                await self._append_script(keys=keys, args=args, client=pipeline)
            replies = await self._call(pipeline.execute())
        logged: list[LoggedEvent | None] = [None] * len(batch)
        for (partition, indexes), ids in zip(groups.items(), replies, strict=True):
            for index, entry_id in zip(indexes, ids, strict=True):
                sequence = sequence_of(entry_id)
                logged[index] = LoggedEvent(topic, partition, sequence, _enqueued_at(sequence), batch[index])
        return [event for event in logged if event is not None]

    async def _last_sequence(self, topic: str, partition: int) -> int | None:
        """The last sequence number the partition ever gave out (kept by Redis after trimming)."""
        try:
            info = await self._client.xinfo_stream(self._stream(topic, partition))
        except ResponseError:
            return None  # no such key: never appended to
        except RedisError as exc:
            raise EventLogError(f"redis: {exc}") from exc
        last = sequence_of(info["last-generated-id"])
        return last or None

    async def read(self, topic: str, partition: int, start: Position, max_events: int = 100) -> ReadBatch:
        await self._partitions.check(topic, partition)
        validate_max_events(max_events)
        if start.start is StartAt.LATEST:
            last = await self._last_sequence(topic, partition)
            return ReadBatch([], Position.following(last))
        if start.start is StartAt.EARLIEST:
            low = "-"
        elif start.start is StartAt.SEQUENCE:
            low = entry_id_of(start.sequence) if start.inclusive else "(" + entry_id_of(start.sequence)
        else:
            assert start.time is not None
            low = f"{to_millis(start.time)}-0"
        entries = await self._call(self._client.xrange(self._stream(topic, partition), low, "+", count=max_events))
        return ReadBatch.read_from(start, _logged(topic, partition, entries))

    async def partition_info(self, topic: str, partition: int) -> PartitionInfo:
        await self._partitions.check(topic, partition)
        try:
            info = await self._client.xinfo_stream(self._stream(topic, partition))
        except ResponseError:
            return PartitionInfo(partition, None, None, None)
        except RedisError as exc:
            raise EventLogError(f"redis: {exc}") from exc
        last = sequence_of(info["last-generated-id"])
        first_entry = info.get("first-entry")
        first = None if not first_entry else sequence_of(first_entry[0])
        if not last:
            return PartitionInfo(partition, None, None, None)
        return PartitionInfo(partition, first, last, _enqueued_at(last))

    async def last_sequences(self, topic: str) -> dict[int, int]:
        partitions = await self._partitions.of(topic)
        lasts = await asyncio.gather(*(self._last_sequence(topic, partition) for partition in range(partitions)))
        return {partition: last for partition, last in enumerate(lasts) if last}

    async def checkpoint(self, group: str, topic: str, partition: int, sequence: int) -> bool:
        validate_name("group", group)
        await self._partitions.check(topic, partition)
        validate_sequence(sequence)
        last = await self._last_sequence(topic, partition)
        if last is None or sequence > last:
            raise ValueError(f"{topic!r} partition {partition} holds no sequence number {sequence} yet")
        moved = await self._call(
            self._checkpoint_script(
                keys=[self._checkpoint_hash(group, topic)],
                args=[str(partition), str(sequence).zfill(_CHECKPOINT_WIDTH)],
            )
        )
        return bool(moved)

    async def checkpoints(self, group: str, topic: str) -> dict[int, int]:
        validate_name("group", group)
        await self._partitions.of(topic)
        stored = await self._call(self._client.hgetall(self._checkpoint_hash(group, topic)))
        return {int(partition): int(sequence) for partition, sequence in stored.items()}

    async def reset(
        self, group: str, topic: str, to: datetime | None = None, *, partitions: Sequence[int] | None = None
    ) -> None:
        validate_name("group", group)
        chosen = await self._partitions.chosen(topic, partitions)
        positions: dict[int, str] = {}
        if to is not None:
            # The last event before the time, so the group reads on from the first at or after it.
            before = f"({to_millis(to)}-0"
            for partition in chosen:
                entries = await self._call(self._client.xrevrange(self._stream(topic, partition), before, "-", count=1))
                if entries:
                    positions[partition] = str(sequence_of(entries[0][0])).zfill(_CHECKPOINT_WIDTH)
        key = self._checkpoint_hash(group, topic)
        async with self._client.pipeline(transaction=True) as transaction:
            transaction.hdel(key, *[str(partition) for partition in chosen])
            if positions:
                mapping: dict[FieldT, EncodableT] = {str(p): checkpoint for p, checkpoint in positions.items()}
                transaction.hset(key, mapping=mapping)
            await self._call(transaction.execute())
        for partition in chosen:
            checkpoint = positions.get(partition)
            start = "0" if checkpoint is None else entry_id_of(int(checkpoint))
            await self._move_delivery_group(group, topic, partition, start)

    async def _move_delivery_group(self, group: str, topic: str, partition: int, start: str) -> None:
        """Points the Redis consumer group (if there is one) at `start`, so delivery replays too."""
        try:
            await self._client.xgroup_setid(self._stream(topic, partition), group, start)
        except ResponseError as exc:
            # No such group, or no stream yet (a partition never appended to): nothing to move.
            if not any(sign in str(exc) for sign in _NO_GROUP_SIGNS):
                raise EventLogError(f"redis: {exc}") from exc
        except RedisError as exc:
            raise EventLogError(f"redis: {exc}") from exc

    async def lag(self, group: str, topic: str) -> list[PartitionLag]:
        checkpoints = await self.checkpoints(group, topic)
        lags = []
        for partition in range(await self._partitions.of(topic)):
            checkpoint = checkpoints.get(partition)
            keys = [self._stream(topic, partition), self._ordinals(topic, partition)]
            upto = "" if checkpoint is None else entry_id_of(checkpoint)
            behind = int(await self._call(self._lag_script(keys=keys, args=[upto])))
            last = await self._last_sequence(topic, partition)
            lags.append(PartitionLag(partition, last, checkpoint, behind))
        return lags

    async def trim(self, topic: str, older_than: datetime) -> int:
        partitions = await self._partitions.of(topic)
        minimum = f"{to_millis(older_than)}-0"
        removed = 0
        for partition in range(partitions):
            removed += int(
                await self._call(self._client.xtrim(self._stream(topic, partition), minid=minimum, approximate=False))
            )
        return removed

    # --- consumer-group delivery (Redis only: XREADGROUP, XACK, XAUTOCLAIM) -----------------------
    # Several processes share one group's partitions: each `deliver` hands out events no consumer of
    # the group has had yet, and they stay pending for that consumer until acknowledged; `reclaim`
    # takes over what a consumer that died left pending. Checkpoints stay the group's durable
    # position (the consumer framework checkpoints after handling, in order); the Redis group is
    # created from them and moved with them by `reset`. Partition leases come with the framework.

    async def ensure_delivery_group(self, group: str, topic: str) -> None:
        """Creates `group` as a Redis consumer group on each partition of the topic (kept if it
        exists), delivering from after the group's checkpoint, or from the earliest retained event."""
        checkpoints = await self.checkpoints(group, topic)
        for partition in range(await self._partitions.of(topic)):
            start = entry_id_of(checkpoints[partition]) if partition in checkpoints else "0"
            try:
                await self._client.xgroup_create(self._stream(topic, partition), group, id=start, mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise EventLogError(f"redis: {exc}") from exc
            except RedisError as exc:
                raise EventLogError(f"redis: {exc}") from exc

    async def deliver(
        self, group: str, topic: str, partition: int, consumer: str, max_events: int = 100
    ) -> list[LoggedEvent]:
        """Up to `max_events` events of the partition that no consumer of `group` has been given yet,
        now pending for `consumer` (XREADGROUP ... >); `ensure_delivery_group` first."""
        validate_name("group", group)
        validate_name("consumer", consumer)
        await self._partitions.check(topic, partition)
        validate_max_events(max_events)
        key = self._stream(topic, partition)
        response = await self._call(self._client.xreadgroup(group, consumer, {key: ">"}, count=max_events))
        return [event for _, entries in response or [] for event in _logged(topic, partition, entries)]

    async def acknowledge(self, group: str, topic: str, partition: int, sequences: Sequence[int]) -> int:
        """XACK: the events are handled and leave the group's pending list; returns how many were pending."""
        validate_name("group", group)
        await self._partitions.check(topic, partition)
        ids = [entry_id_of(validate_sequence(sequence)) for sequence in sequences]
        if not ids:
            return 0
        return int(await self._call(self._client.xack(self._stream(topic, partition), group, *ids)))

    async def pending(self, group: str, topic: str, partition: int) -> int:
        """How many events of the partition the group has delivered and not had acknowledged."""
        validate_name("group", group)
        await self._partitions.check(topic, partition)
        summary = await self._call(self._client.xpending(self._stream(topic, partition), group))
        return int(summary["pending"])

    async def reclaim(
        self, group: str, topic: str, partition: int, consumer: str, min_idle: timedelta, max_events: int = 100
    ) -> list[LoggedEvent]:
        """XAUTOCLAIM: up to `max_events` events delivered to other consumers of `group` and not
        acknowledged for `min_idle` (their consumer died), now pending for `consumer`. Entries
        trimmed meanwhile are dropped from the pending list by Redis and not returned."""
        validate_name("group", group)
        validate_name("consumer", consumer)
        await self._partitions.check(topic, partition)
        validate_max_events(max_events)
        idle_ms = int(min_idle.total_seconds() * 1000)
        response = await self._call(
            self._client.xautoclaim(self._stream(topic, partition), group, consumer, idle_ms, "0-0", count=max_events)
        )
        entries = [entry for entry in response[1] if entry and entry[1] is not None]
        return _logged(topic, partition, entries)

    # --- ownership records (the port's OwnershipStore) --------------------------------------------

    async def join(self, group: str, consumer: str, ttl: timedelta) -> list[str]:
        validate_name("group", group)
        validate_name("consumer", consumer)
        members = await self._call(self._join_script(keys=[self._members(group)], args=[consumer, _millis(ttl)]))
        return sorted(member.decode() for member in members)

    async def leave(self, group: str, consumer: str) -> None:
        validate_name("group", group)
        await self._call(self._client.zrem(self._members(group), consumer))

    async def claim(self, group: str, topic: str, partition: int, consumer: str, ttl: timedelta) -> bool:
        validate_name("group", group)
        validate_name("consumer", consumer)
        await self._partitions.check(topic, partition)
        key = self._lease(group, topic, partition)
        return bool(await self._call(self._claim_script(keys=[key], args=[consumer, _millis(ttl)])))

    async def release(self, group: str, topic: str, partition: int, consumer: str) -> None:
        validate_name("group", group)
        await self._partitions.check(topic, partition)
        await self._call(self._release_script(keys=[self._lease(group, topic, partition)], args=[consumer]))

    async def owners(self, group: str, topic: str) -> dict[int, str]:
        validate_name("group", group)
        partitions = await self._partitions.of(topic)
        holders = await self._call(self._client.mget([self._lease(group, topic, p) for p in range(partitions)]))
        return {partition: holder.decode() for partition, holder in enumerate(holders) if holder is not None}


def _millis(ttl: timedelta) -> int:
    millis = int(ttl.total_seconds() * 1000)
    if millis < 1:
        raise ValueError(f"a lease lasts at least a millisecond, not {ttl}")
    return millis
