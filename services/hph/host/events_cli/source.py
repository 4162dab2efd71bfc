"""Where `hph events` reads and changes the event backbone: the log the settings name (the data dir's
SQLite log, or Redis Streams with HPH_EVENT_LOG=redis) and the consumer framework's state in the
data dir's document store (group registry, dead letters, idempotency ledger), through the
framework's operator API (`hph.runtime.consumers.EventAdmin`).

Nothing here takes the data dir's lock, so every command works while `hph up` holds it. Reading is
safe beside the running platform: both SQLite files are in WAL mode (a reader never blocks the
platform's writes, nor they it) and Redis serves any number of clients. The two commands that change
something only write what the running consumers are built to pick up: `dlq replay` marks a dead
letter for redelivery (the consumer owning its partition re-delivers it on its next poll), and
`replay` records a reset generation before it moves the checkpoints (a consumer in the middle of a
batch re-applies it instead of checkpointing past it); both are optimistic commits of the storage
port, so they cannot overwrite what the platform writes at the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass

from hph.host.app import database_path, open_store
from hph.host.events_cli.errors import CommandFailed, UsageError
from hph.runtime.consumers import EventAdmin, GroupRecord
from hph.runtime.eventlog import LOG_FILE_NAME, EventLog, open_event_log
from hph.runtime.eventlog.opening import EVENT_LOG_ADAPTERS, EVENTHUBS, REDIS, SQLITE
from hph.runtime.settings import Settings
from hph.runtime.storage import DocumentStore


@dataclass
class EventsSource:
    """The opened log, store and operator API, and a few words saying where they are (for messages)."""

    log: EventLog
    store: DocumentStore
    admin: EventAdmin
    description: str

    async def topic_partitions(self, topic: str) -> int:
        """The topic's partition count; UsageError naming the topics there are when it is unknown."""
        known = await self.admin.topics()
        if topic not in known:
            there = ", ".join(sorted(known)) or "none yet"
            raise UsageError(f"no topic {topic!r} in {self.description} (topics: {there})")
        return known[topic]

    async def group(self, name: str) -> GroupRecord:
        """The declared group; UsageError naming the groups there are when it is unknown."""
        groups = await self.admin.groups()
        for record in groups:
            if record.group == name:
                return record
        there = ", ".join(record.group for record in groups) or "none declared yet"
        raise UsageError(f"no consumer group {name!r} (groups: {there})")

    async def close(self) -> None:
        try:
            await self.log.close()
        finally:
            await self.store.close()


async def open_source(settings: Settings) -> EventsSource:
    """The log and the consumer state of the platform with these settings; CommandFailed when the
    data dir holds none (a wrong --data-dir deserves to be told, not handed an empty log)."""
    data_dir = settings.data_dir
    if settings.event_log not in EVENT_LOG_ADAPTERS:
        raise UsageError(f"HPH_EVENT_LOG={settings.event_log!r}: choose one of {', '.join(EVENT_LOG_ADAPTERS)}")
    if settings.event_log == REDIS and not settings.redis_url:
        raise UsageError("HPH_EVENT_LOG=redis needs HPH_REDIS_URL (redis://host:port/db)")
    if settings.event_log == EVENTHUBS and not (settings.eventhubs_namespace or settings.eventhubs_connection_string):
        raise UsageError("HPH_EVENT_LOG=eventhubs needs HPH_EVENTHUBS_NAMESPACE (NAME.servicebus.windows.net)")
    # Only the embedded store lives in the data dir; a server's (HPH_STORAGE=postgres) is asked.
    if settings.storage == "sqlite" and not database_path(settings).is_file():
        raise CommandFailed(
            f"no platform state in {data_dir}: run `hph up` there first, or give its --data-dir (HPH_DATA_DIR)"
        )
    if settings.event_log == SQLITE:
        if not (data_dir / LOG_FILE_NAME).is_file():
            raise CommandFailed(f"no event log in {data_dir} ({LOG_FILE_NAME}): start the platform there once")
        description = f"the event log of {data_dir}"
    else:
        description = f"the {settings.event_log} event log"
    log = await open_event_log(settings)
    try:
        store = await open_store(settings)
    except BaseException:
        await log.close()
        raise
    try:
        admin = await EventAdmin.open(log, store)
    except BaseException:
        await log.close()
        await store.close()
        raise
    return EventsSource(log, store, admin, description)
