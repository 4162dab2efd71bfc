"""The durable event log: topics with fixed partitions, per-partition sequence numbers, retention and
consumer-group checkpoints, with Event Hubs semantics (`port`), an embedded SQLite adapter (`sqlite`)
and a Redis Streams adapter shared by several processes (`redis_streams`, imported on its own so the
embedded platform does not load the Redis client). Not wired into the relay or the services yet."""

from hph.runtime.eventlog.port import (
    MAX_PARTITIONS,
    MAX_READ_EVENTS,
    EventLog,
    EventLogError,
    LoggedEvent,
    PartitionCountMismatch,
    PartitionInfo,
    PartitionLag,
    Position,
    ReadBatch,
    StartAt,
    UnknownTopicError,
    partition_for,
)
from hph.runtime.eventlog.sqlite import LOG_FILE_NAME, SqliteEventLog

__all__ = [
    "LOG_FILE_NAME",
    "MAX_PARTITIONS",
    "MAX_READ_EVENTS",
    "EventLog",
    "EventLogError",
    "LoggedEvent",
    "PartitionCountMismatch",
    "PartitionInfo",
    "PartitionLag",
    "Position",
    "ReadBatch",
    "SqliteEventLog",
    "StartAt",
    "UnknownTopicError",
    "partition_for",
]
