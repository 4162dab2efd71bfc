"""Opening the event log the settings name, and creating the registry's topics on it.

`HPH_EVENT_LOG=sqlite` (the default) is `events.sqlite3` in the data dir; `redis` is Redis Streams at
`HPH_REDIS_URL` (the Redis client is imported only then). The platform and the `hph events` commands
open the log the same way, so they always look at the same one.
"""

from __future__ import annotations

from collections.abc import Mapping

from hph.runtime.eventlog.port import EventLog
from hph.runtime.eventlog.sqlite import LOG_FILE_NAME, SqliteEventLog
from hph.runtime.settings import Settings

SQLITE, REDIS = "sqlite", "redis"
EVENT_LOG_ADAPTERS = (SQLITE, REDIS)


async def open_event_log(settings: Settings) -> EventLog:
    """The settings' event log; ValueError for an unknown adapter or Redis without a URL."""
    if settings.event_log == SQLITE:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return await SqliteEventLog.open(settings.data_dir / LOG_FILE_NAME)
    if settings.event_log == REDIS:
        if not settings.redis_url:
            raise ValueError("HPH_EVENT_LOG=redis needs HPH_REDIS_URL (redis://host:port/db)")
        from hph.runtime.eventlog.redis_streams import RedisEventLog

        return RedisEventLog.connect(settings.redis_url, key_prefix=settings.redis_key_prefix)
    raise ValueError(f"HPH_EVENT_LOG={settings.event_log!r}: choose one of {', '.join(EVENT_LOG_ADAPTERS)}")


async def create_topics(log: EventLog, partitions: Mapping[str, int]) -> None:
    """Creates every topic of the registry (topic -> partition count), or checks it exists with that
    count: PartitionCountMismatch when a log was created with other counts (they never change)."""
    for topic, count in partitions.items():
        await log.create_topic(topic, count)
