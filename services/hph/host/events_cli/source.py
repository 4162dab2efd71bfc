"""Where `hph events` reads and changes the log: the data dir's SQLite log, or the Redis Streams log
when the platform is configured for it, opened without the data dir's lock.

Reading needs no lock: the SQLite log is in WAL mode (a reader never blocks the running platform's
appends, nor they it) and Redis serves any number of clients. The commands that change something
(`dlq replay`, `replay`) are safe beside a running platform because they only write what the
running consumers are built to pick up (see the consumer framework); they take no lock either, so
that they work while `hph up` holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hph.host.events_cli.errors import CommandFailed, UsageError
from hph.runtime.eventlog import LOG_FILE_NAME, EventLog, SqliteEventLog
from hph.runtime.settings import Settings


@dataclass
class EventsSource:
    """The opened log and a few words saying where it is (for messages)."""

    log: EventLog
    description: str

    async def topic_partitions(self, topic: str) -> int:
        """The topic's partition count; UsageError naming the topics there are when it is unknown."""
        known = await self.log.topics()
        if topic not in known:
            there = ", ".join(sorted(known)) or "none yet"
            raise UsageError(f"no topic {topic!r} in {self.description} (topics: {there})")
        return known[topic]

    async def close(self) -> None:
        await self.log.close()


async def open_source(settings: Settings) -> EventsSource:
    """The log the platform with these settings uses; CommandFailed when there is none to open."""
    path = settings.data_dir / LOG_FILE_NAME
    description = f"the event log of data dir {settings.data_dir}"
    if not path.is_file():
        # Opening would create an empty log; a wrong --data-dir deserves to be told instead.
        raise CommandFailed(
            f"no event log in {settings.data_dir} ({LOG_FILE_NAME}): run `hph up` there first, "
            "or give the platform's --data-dir (HPH_DATA_DIR)"
        )
    return EventsSource(await SqliteEventLog.open(path), description)
