"""Opening the event log the settings name, and creating the registry's topics on it.

`HPH_EVENT_LOG=sqlite` (the default) is `events.sqlite3` in the data dir; `redis` is Redis Streams at
`HPH_REDIS_URL` (the Redis client is imported only then); `eventhubs` is Azure Event Hubs at
`HPH_EVENTHUBS_NAMESPACE` with its checkpoint store in Blob Storage, clients from
hph.runtime.azure_clients (imported only then). The platform and the `hph events` commands
open the log the same way, so they always look at the same one.
"""

from __future__ import annotations

from collections.abc import Mapping

from hph.runtime.eventlog.port import EventLog
from hph.runtime.eventlog.sqlite import LOG_FILE_NAME, SqliteEventLog
from hph.runtime.settings import Settings

SQLITE, REDIS, EVENTHUBS = "sqlite", "redis", "eventhubs"
EVENT_LOG_ADAPTERS = (SQLITE, REDIS, EVENTHUBS)


async def open_event_log(settings: Settings) -> EventLog:
    """The settings' event log; ValueError for an unknown adapter, Redis without a URL or Event Hubs
    without its namespace and checkpoint storage (AzureConfigError names the setting)."""
    if settings.event_log == SQLITE:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return await SqliteEventLog.open(settings.data_dir / LOG_FILE_NAME)
    if settings.event_log == REDIS:
        if not settings.redis_url:
            raise ValueError("HPH_EVENT_LOG=redis needs HPH_REDIS_URL (redis://host:port/db)")
        from hph.runtime.eventlog.redis_streams import RedisEventLog

        return RedisEventLog.connect(settings.redis_url, key_prefix=settings.redis_key_prefix)
    if settings.event_log == EVENTHUBS:
        return await open_eventhubs_log(settings)
    raise ValueError(f"HPH_EVENT_LOG={settings.event_log!r}: choose one of {', '.join(EVENT_LOG_ADAPTERS)}")


async def create_topics(log: EventLog, partitions: Mapping[str, int]) -> None:
    """Creates every topic of the registry (topic -> partition count), or checks it exists with that
    count: PartitionCountMismatch when a log was created with other counts (they never change)."""
    for topic, count in partitions.items():
        await log.create_topic(topic, count)


async def open_eventhubs_log(settings: Settings) -> EventLog:
    """The Event Hubs log of the settings, its topics and consumer groups from the topic registry."""
    from hph.runtime.azure_clients import AzureClients
    from hph.runtime.eventlog.eventhubs import EventHubsEventLog
    from hph.runtime.events import TOPIC_CONSUMER_GROUPS, TOPIC_PARTITIONS

    clients = AzureClients.from_settings(settings)
    container = settings.eventhubs_checkpoint_container
    try:
        namespace = clients.namespace
        checkpoint_store = clients.checkpoint_store(container)
    except BaseException:
        await clients.close()
        raise
    return EventHubsEventLog(
        namespace=namespace,
        producer=clients.producer,
        consumer=clients.consumer,
        checkpoint_store=checkpoint_store,
        container=clients.container(container),
        topics=TOPIC_PARTITIONS,
        consumer_groups=TOPIC_CONSUMER_GROUPS,
        lease_seconds=settings.consumer_lease_seconds,
        receive_wait=settings.eventhubs_receive_wait_seconds,
        on_close=clients.close,
    )
