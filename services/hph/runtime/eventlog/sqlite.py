"""SQLite adapter of the event log: the embedded default, one process (or the workers of one `hph up`).

The log has its own database file, `events.sqlite3` in the data dir, not tables in the document
store's `hph.sqlite3`: SQLite has one writer per file, and the log's append traffic should not queue
behind the services' state commits (nor theirs behind it). WAL mode, so readers never block appenders.

Every statement runs on one worker thread. An append is one `BEGIN IMMEDIATE` transaction per call
(all its partitions), so its cost is paid per batch and the hop to the thread is amortised; the
storage adapter's inline path pays off for single-document writes, which the log does not have
(the relay will append a batch per pass). Another process appending at the same time waits on
busy_timeout; the per-partition counter row, read and bumped inside the transaction, keeps sequence
numbers unique and ordered across processes.

Sequence numbers are dense per partition, from 1. Enqueued times are the wall clock in milliseconds,
raised to the partition's previous one if the clock stepped back, so time order is sequence order
(reads from a time and `trim` rely on it).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.clock import Clock, system_clock
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
from hph.runtime.storage.sqlite import connect_on_worker

T = TypeVar("T")

LOG_FILE_NAME = "events.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS log_topics (
    topic TEXT PRIMARY KEY,
    partitions INTEGER NOT NULL
) WITHOUT ROWID;
-- One row per partition: the last sequence number and enqueued time ever given out (kept when
-- retention empties the partition, so numbers are never reused).
CREATE TABLE IF NOT EXISTS log_partitions (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL,
    last_enqueued_ms INTEGER NOT NULL,
    PRIMARY KEY (topic, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_events (
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    enqueued_ms INTEGER NOT NULL,
    envelope BLOB NOT NULL,
    PRIMARY KEY (topic, partition, sequence)
);
CREATE INDEX IF NOT EXISTS log_events_by_time ON log_events (topic, partition, enqueued_ms);
CREATE TABLE IF NOT EXISTS log_checkpoints (
    consumer_group TEXT NOT NULL,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    PRIMARY KEY (consumer_group, topic, partition)
) WITHOUT ROWID;
"""

# Decoded events a log keeps for the next group that reads them (a few seconds of a busy topic).
DECODED_EVENTS = 4096
_SELECT_FROM = "SELECT sequence, enqueued_ms, envelope FROM log_events WHERE topic = ? AND partition = ?"


class SqliteEventLog:
    """An `EventLog` in one SQLite file."""

    def __init__(self, executor: ThreadPoolExecutor, connection: sqlite3.Connection, clock: Clock) -> None:
        self._executor = executor
        self._connection = connection
        self._clock = clock
        self._partitions = PartitionCounts(self._stored_partitions)
        self._closed = False
        # The events read last, decoded, by position: every consumer group of a topic reads the
        # same new events within moments of each other, and each decoded them anew (a dozen groups
        # follow order-events in one process). Positions are never reused in a log file (sequences
        # only grow; retention deletes, never renumbers), so an entry is never stale.
        self._decoded: OrderedDict[tuple[str, int, int], LoggedEvent] = OrderedDict()

    @classmethod
    async def open(cls, path: Path, *, clock: Clock = system_clock) -> SqliteEventLog:
        """Opens (creating) the log file at `path`, e.g. `data_dir / LOG_FILE_NAME`; `clock` stamps
        the enqueued times."""
        executor, connection = await connect_on_worker(Path(path), _connect, "hph-eventlog")
        return cls(executor, connection, clock)

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise EventLogError("the event log is closed")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, function, self._connection, *args)
        except sqlite3.Error as exc:
            raise EventLogError(f"sqlite: {exc}") from exc

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._connection.close)
        finally:
            self._executor.shutdown(wait=True)

    async def create_topic(self, topic: str, partitions: int) -> None:
        validate_name("topic", topic)
        validate_partition_count(partitions)
        existing = await self._run(_create_topic, topic, partitions)
        if existing != partitions:
            raise PartitionCountMismatch(topic, existing, partitions)
        self._partitions.created(topic, partitions)

    async def topics(self) -> Mapping[str, int]:
        return await self._run(_topics)

    async def _stored_partitions(self, topic: str) -> int | None:
        return (await self._run(_topics)).get(topic)

    async def append(self, topic: str, envelopes: EventEnvelope | Sequence[EventEnvelope]) -> list[LoggedEvent]:
        batch = envelopes_of(envelopes)
        partitions = await self._partitions.of(topic)
        if not batch:
            return []
        groups = by_partition(batch, partitions)
        rows = {partition: [batch[i].SerializeToString() for i in indexes] for partition, indexes in groups.items()}
        placed = await self._run(_append, topic, rows, to_millis(self._clock()))
        logged: list[LoggedEvent | None] = [None] * len(batch)
        for partition, indexes in groups.items():
            first_sequence, enqueued_ms = placed[partition]
            enqueued_at = from_millis(enqueued_ms)
            for offset, index in enumerate(indexes):
                logged[index] = LoggedEvent(topic, partition, first_sequence + offset, enqueued_at, batch[index])
        return [event for event in logged if event is not None]

    async def read(self, topic: str, partition: int, start: Position, max_events: int = 100) -> ReadBatch:
        await self._partitions.check(topic, partition)
        validate_max_events(max_events)
        if start.start is StartAt.LATEST:
            last = (await self._run(_partition_row, topic, partition))[0]
            return ReadBatch([], Position.following(last))
        rows = await self._run(_read, topic, partition, start, max_events)
        return ReadBatch.read_from(start, [self._decode(topic, partition, row) for row in rows])

    def _decode(self, topic: str, partition: int, row: tuple[int, int, bytes]) -> LoggedEvent:
        sequence, enqueued_ms, body = row
        position = (topic, partition, sequence)
        event = self._decoded.get(position)
        if event is None:
            event = LoggedEvent(topic, partition, sequence, from_millis(enqueued_ms), EventEnvelope.FromString(body))
            self._decoded[position] = event
            if len(self._decoded) > DECODED_EVENTS:
                self._decoded.popitem(last=False)
        return event

    async def partition_info(self, topic: str, partition: int) -> PartitionInfo:
        await self._partitions.check(topic, partition)
        last, last_ms, first = await self._run(_partition_row, topic, partition)
        return PartitionInfo(partition, first, last, None if last_ms is None else from_millis(last_ms))

    async def last_sequences(self, topic: str) -> dict[int, int]:
        await self._partitions.of(topic)
        return await self._run(_last_sequences, topic)

    async def checkpoint(self, group: str, topic: str, partition: int, sequence: int) -> bool:
        validate_name("group", group)
        await self._partitions.check(topic, partition)
        validate_sequence(sequence)
        return await self._run(_checkpoint, group, topic, partition, sequence)

    async def checkpoints(self, group: str, topic: str) -> dict[int, int]:
        validate_name("group", group)
        await self._partitions.of(topic)
        return await self._run(_checkpoints, group, topic)

    async def reset(
        self, group: str, topic: str, to: datetime | None = None, *, partitions: Sequence[int] | None = None
    ) -> None:
        validate_name("group", group)
        chosen = await self._partitions.chosen(topic, partitions)
        await self._run(_reset, group, topic, chosen, None if to is None else to_millis(to))

    async def lag(self, group: str, topic: str) -> list[PartitionLag]:
        validate_name("group", group)
        partitions = await self._partitions.of(topic)
        return await self._run(_lag, group, topic, partitions)

    async def trim(self, topic: str, older_than: datetime) -> int:
        await self._partitions.of(topic)
        return await self._run(_trim, topic, to_millis(older_than))


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: autocommit; appends, resets and topic creation are explicit transactions.
    connection = sqlite3.connect(path, isolation_level=None, cached_statements=64, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA busy_timeout = 5000")
    connection.executescript(_SCHEMA)
    return connection


def _in_transaction(connection: sqlite3.Connection, work: Callable[[], T]) -> T:
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = work()
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return result


def _topics(connection: sqlite3.Connection) -> dict[str, int]:
    return {str(topic): int(count) for topic, count in connection.execute("SELECT topic, partitions FROM log_topics")}


def _create_topic(connection: sqlite3.Connection, topic: str, partitions: int) -> int:
    def work() -> int:
        connection.execute(
            "INSERT INTO log_topics (topic, partitions) VALUES (?, ?) ON CONFLICT (topic) DO NOTHING",
            (topic, partitions),
        )
        existing = int(connection.execute("SELECT partitions FROM log_topics WHERE topic = ?", (topic,)).fetchone()[0])
        if existing == partitions:
            connection.executemany(
                "INSERT INTO log_partitions (topic, partition, last_sequence, last_enqueued_ms) VALUES (?, ?, 0, 0)"
                " ON CONFLICT (topic, partition) DO NOTHING",
                [(topic, partition) for partition in range(partitions)],
            )
        return existing

    return _in_transaction(connection, work)


def _append(
    connection: sqlite3.Connection, topic: str, rows: dict[int, list[bytes]], now_ms: int
) -> dict[int, tuple[int, int]]:
    """Appends each partition's bodies; returns per partition (first sequence, enqueued ms)."""

    def work() -> dict[int, tuple[int, int]]:
        placed: dict[int, tuple[int, int]] = {}
        for partition, bodies in rows.items():
            last_sequence, last_ms = connection.execute(
                "SELECT last_sequence, last_enqueued_ms FROM log_partitions WHERE topic = ? AND partition = ?",
                (topic, partition),
            ).fetchone()
            enqueued_ms = max(now_ms, int(last_ms))
            first = int(last_sequence) + 1
            connection.executemany(
                "INSERT INTO log_events (topic, partition, sequence, enqueued_ms, envelope) VALUES (?, ?, ?, ?, ?)",
                [(topic, partition, first + offset, enqueued_ms, body) for offset, body in enumerate(bodies)],
            )
            connection.execute(
                "UPDATE log_partitions SET last_sequence = ?, last_enqueued_ms = ? WHERE topic = ? AND partition = ?",
                (first + len(bodies) - 1, enqueued_ms, topic, partition),
            )
            placed[partition] = (first, enqueued_ms)
        return placed

    return _in_transaction(connection, work)


def _read(
    connection: sqlite3.Connection, topic: str, partition: int, start: Position, max_events: int
) -> list[tuple[int, int, bytes]]:
    bound: tuple[int, ...] = ()
    if start.start is StartAt.EARLIEST:
        condition = ""
    elif start.start is StartAt.SEQUENCE:
        condition, bound = (" AND sequence >= ?" if start.inclusive else " AND sequence > ?"), (start.sequence,)
    else:
        assert start.time is not None
        condition, bound = " AND enqueued_ms >= ?", (to_millis(start.time),)
    cursor = connection.execute(
        f"{_SELECT_FROM}{condition} ORDER BY sequence LIMIT ?", (topic, partition, *bound, max_events)
    )
    rows: list[tuple[int, int, bytes]] = cursor.fetchall()  # INTEGER, INTEGER, BLOB NOT NULL: no conversion
    return rows


def _partition_row(
    connection: sqlite3.Connection, topic: str, partition: int
) -> tuple[int | None, int | None, int | None]:
    """(last sequence, its enqueued ms, first retained sequence); Nones for a partition never appended to."""
    last, last_ms = connection.execute(
        "SELECT last_sequence, last_enqueued_ms FROM log_partitions WHERE topic = ? AND partition = ?",
        (topic, partition),
    ).fetchone()
    first = connection.execute(
        "SELECT MIN(sequence) FROM log_events WHERE topic = ? AND partition = ?", (topic, partition)
    ).fetchone()[0]
    if not last:
        return None, None, None
    return int(last), int(last_ms), None if first is None else int(first)


def _last_sequences(connection: sqlite3.Connection, topic: str) -> dict[int, int]:
    rows = connection.execute(
        "SELECT partition, last_sequence FROM log_partitions WHERE topic = ? AND last_sequence > 0", (topic,)
    )
    return {int(partition): int(last) for partition, last in rows}


def _checkpoint(connection: sqlite3.Connection, group: str, topic: str, partition: int, sequence: int) -> bool:
    def work() -> bool:
        last = _partition_row(connection, topic, partition)[0]
        if last is None or sequence > last:
            raise ValueError(f"{topic!r} partition {partition} holds no sequence number {sequence} yet")
        # Never backwards: the conditional upsert leaves a further checkpoint alone (rowcount 0).
        cursor = connection.execute(
            "INSERT INTO log_checkpoints (consumer_group, topic, partition, sequence) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET sequence = excluded.sequence"
            " WHERE excluded.sequence > log_checkpoints.sequence",
            (group, topic, partition, sequence),
        )
        return cursor.rowcount > 0

    return _in_transaction(connection, work)


def _checkpoints(connection: sqlite3.Connection, group: str, topic: str) -> dict[int, int]:
    cursor = connection.execute(
        "SELECT partition, sequence FROM log_checkpoints WHERE consumer_group = ? AND topic = ?", (group, topic)
    )
    return {int(partition): int(sequence) for partition, sequence in cursor}


def _reset(connection: sqlite3.Connection, group: str, topic: str, partitions: list[int], to_ms: int | None) -> None:
    def work() -> None:
        connection.executemany(
            "DELETE FROM log_checkpoints WHERE consumer_group = ? AND topic = ? AND partition = ?",
            [(group, topic, partition) for partition in partitions],
        )
        if to_ms is None:
            return  # no checkpoint: the group starts at the earliest retained event
        for partition in partitions:
            # The last event before the time, so the group reads on from the first at or after it.
            before = connection.execute(
                "SELECT MAX(sequence) FROM log_events WHERE topic = ? AND partition = ? AND enqueued_ms < ?",
                (topic, partition, to_ms),
            ).fetchone()[0]
            if before is not None:
                connection.execute(
                    "INSERT INTO log_checkpoints (consumer_group, topic, partition, sequence) VALUES (?, ?, ?, ?)",
                    (group, topic, partition, int(before)),
                )

    _in_transaction(connection, work)


def _lag(connection: sqlite3.Connection, group: str, topic: str, partitions: int) -> list[PartitionLag]:
    checkpoints = _checkpoints(connection, group, topic)
    lags = []
    for partition in range(partitions):
        last, _, first = _partition_row(connection, topic, partition)
        checkpoint = checkpoints.get(partition)
        behind = 0  # nothing retained: nothing to read
        if last is not None and first is not None:
            # Dense numbers: the retained events after the checkpoint (all of them without one).
            behind = last - (first - 1 if checkpoint is None else max(first - 1, checkpoint))
        lags.append(PartitionLag(partition, last, checkpoint, behind))
    return lags


def _trim(connection: sqlite3.Connection, topic: str, before_ms: int) -> int:
    cursor = connection.execute("DELETE FROM log_events WHERE topic = ? AND enqueued_ms < ?", (topic, before_ms))
    return int(cursor.rowcount)
