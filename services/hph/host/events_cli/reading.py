"""Reading a topic across its partitions for `hph events tail`: the partitions merged into one
sequence in enqueued-time order (then partition, then sequence number), to the end, and with
`follow` on from there as events arrive.

Order is only guaranteed within a partition; the merge gives a reader one timeline, which is what
someone watching a topic expects. It holds one read batch per partition, whatever the topic's size.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from hph.runtime.eventlog import EventLog, LoggedEvent, Position, StartAt

READ_BATCH = 500
FOLLOW_POLL_SECONDS = 0.2


@dataclass
class _Cursor:
    partition: int
    position: Position
    buffered: deque[LoggedEvent] = field(default_factory=deque)
    at_end: bool = False


async def resolved_starts(log: EventLog, topic: str, partitions: Sequence[int], start: Position) -> dict[int, Position]:
    """Each partition's start; "latest" is pinned to the partition's end now, so that what is
    appended after this call is read, however late the first read comes."""
    if start.start is not StartAt.LATEST:
        return dict.fromkeys(partitions, start)
    return {partition: (await log.read(topic, partition, start, 1)).next_position for partition in partitions}


async def topic_events(
    log: EventLog,
    topic: str,
    starts: Mapping[int, Position],
    *,
    follow: bool = False,
    poll_seconds: float = FOLLOW_POLL_SECONDS,
    keep: Callable[[LoggedEvent], bool] = lambda _event: True,
) -> AsyncIterator[LoggedEvent]:
    """The topic's events in the partitions of `starts`, each from its start, merged in time order;
    those `keep` accepts.

    Without `follow` it ends at the end of every partition (as they were when each was last read);
    with it, it waits for more, polling every `poll_seconds`, until the caller stops iterating."""
    cursors = [_Cursor(partition, start) for partition, start in starts.items()]
    while True:
        for cursor in cursors:
            if not cursor.buffered and not cursor.at_end:
                await _fill(log, topic, cursor)
        waiting = [cursor for cursor in cursors if cursor.buffered]
        if waiting:
            # The earliest head next; a partition whose buffer ran dry is read again before the next
            # pick so that its later events are not overtaken by other partitions' ones.
            cursor = min(waiting, key=lambda c: (c.buffered[0].enqueued_at, c.partition, c.buffered[0].sequence))
            event = cursor.buffered.popleft()
            if keep(event):
                yield event
            continue
        if not follow:
            return
        await asyncio.sleep(poll_seconds)
        for cursor in cursors:
            cursor.at_end = False


async def _fill(log: EventLog, topic: str, cursor: _Cursor) -> None:
    batch = await log.read(topic, cursor.partition, cursor.position, READ_BATCH)
    cursor.buffered.extend(batch.events)
    cursor.position = batch.next_position
    cursor.at_end = len(batch.events) < READ_BATCH
