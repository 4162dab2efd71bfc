"""The durable event log: topics with fixed partitions, per-partition sequence numbers, retention and
consumer-group checkpoints, with Event Hubs semantics (`port`), an embedded SQLite adapter (`sqlite`)
a Redis Streams adapter shared by several processes (`redis_streams`, imported on its own so the
embedded platform does not load the Redis client) and an Azure Event Hubs adapter (`eventhubs`, with
checkpoints and leases in Blob Storage, imported only when chosen). `open_event_log(settings)` opens the one the
settings name; the outbox relay appends to it and hph.runtime.consumers reads it."""

from hph.runtime.eventlog.opening import create_topics, open_event_log
from hph.runtime.eventlog.port import (
    MAX_PARTITIONS,
    MAX_READ_EVENTS,
    UNKNOWN_SEQUENCE,
    EventLog,
    EventLogError,
    LoggedEvent,
    OwnershipStore,
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
    "UNKNOWN_SEQUENCE",
    "EventLog",
    "EventLogError",
    "LoggedEvent",
    "OwnershipStore",
    "PartitionCountMismatch",
    "PartitionInfo",
    "PartitionLag",
    "Position",
    "ReadBatch",
    "SqliteEventLog",
    "StartAt",
    "UnknownTopicError",
    "create_topics",
    "open_event_log",
    "partition_for",
]
