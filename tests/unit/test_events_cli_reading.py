"""`hph events tail`'s reading and printing: partitions merged into one timeline, type filters,
following new events from a pinned "latest", and the table, line and progress formats."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from holidaypeak.events.v1.ticket_events_pb2 import TicketAssigned, TicketCreated
from hph.host.events_cli.progress import ProgressBar
from hph.host.events_cli.reading import resolved_starts, topic_events
from hph.host.events_cli.render import event_json, event_line, table, timestamp
from hph.runtime.eventlog import LoggedEvent, Position, SqliteEventLog, partition_for
from hph.runtime.events import new_event
from tests.support.clocks import ManualClock

TOPIC = "ticket-events"
PARTITIONS = 4
START = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock[datetime]:
    return ManualClock(START)


@pytest.fixture
async def log(tmp_path: Path, clock: ManualClock[datetime]) -> AsyncIterator[SqliteEventLog]:
    opened = await SqliteEventLog.open(tmp_path / "events.sqlite3", clock=clock)
    await opened.create_topic(TOPIC, PARTITIONS)
    try:
        yield opened
    finally:
        await opened.close()


def _key_on(partition: int) -> str:
    """A ticket id whose events land on `partition`."""
    return next(f"t{n}" for n in range(1000) if partition_for(f"t{n}", PARTITIONS) == partition)


def _ticket(key: str, assigned: bool = False) -> EventEnvelope:
    payload = TicketAssigned(ticket_id=key) if assigned else TicketCreated(ticket_id=key)
    return new_event(payload, source="tickets", subject=f"tickets/{key}", partition_key=key)


async def _appended(
    log: SqliteEventLog, clock: ManualClock[datetime], partitions: list[int], *, assigned: bool = False
) -> list[LoggedEvent]:
    """One event per entry of `partitions`, each a second after the previous one."""
    logged = []
    for partition in partitions:
        clock.advance(1)
        logged += await log.append(TOPIC, _ticket(_key_on(partition), assigned))
    return logged


async def _all(events: AsyncIterator[LoggedEvent]) -> list[LoggedEvent]:
    return [event async for event in events]


async def test_partitions_are_merged_in_enqueued_time_order(log: SqliteEventLog, clock: ManualClock[datetime]) -> None:
    logged = await _appended(log, clock, [2, 0, 3, 0, 1, 2, 2, 0])
    starts = await resolved_starts(log, TOPIC, range(PARTITIONS), Position.earliest())
    read = await _all(topic_events(log, TOPIC, starts))
    assert [event.envelope.event_id for event in read] == [event.envelope.event_id for event in logged]
    only_two = await _all(topic_events(log, TOPIC, {2: Position.earliest()}))
    assert [event.partition for event in only_two] == [2, 2, 2]
    since = await _all(
        topic_events(log, TOPIC, dict.fromkeys(range(PARTITIONS), Position.since(logged[5].enqueued_at)))
    )
    assert [event.sequence for event in since] == [event.sequence for event in logged[5:]]


async def test_the_type_filter_keeps_only_matching_events(log: SqliteEventLog, clock: ManualClock[datetime]) -> None:
    await _appended(log, clock, [0, 1])
    assigned = await _appended(log, clock, [1], assigned=True)
    starts = dict.fromkeys(range(PARTITIONS), Position.earliest())
    kept = await _all(topic_events(log, TOPIC, starts, keep=lambda e: e.envelope.event_type.endswith("Assigned")))
    assert [event.envelope.event_id for event in kept] == [assigned[0].envelope.event_id]


async def test_following_from_latest_reads_only_what_is_appended_afterwards(
    log: SqliteEventLog, clock: ManualClock[datetime]
) -> None:
    await _appended(log, clock, [0, 1, 2, 3])
    starts = await resolved_starts(log, TOPIC, range(PARTITIONS), Position.latest())
    # Appended after the start was pinned, before the first read: still read.
    early = await _appended(log, clock, [3])
    following = topic_events(log, TOPIC, starts, follow=True, poll_seconds=0.01)
    try:
        assert (await asyncio.wait_for(anext(following), 5)).envelope.event_id == early[0].envelope.event_id
        later = await _appended(log, clock, [1])
        assert (await asyncio.wait_for(anext(following), 5)).envelope.event_id == later[0].envelope.event_id
    finally:
        await following.aclose()


async def test_an_event_prints_as_one_line_or_as_json(log: SqliteEventLog, clock: ManualClock[datetime]) -> None:
    event = (await _appended(log, clock, [1]))[0]
    key = event.envelope.partition_key
    assert event_line(event) == (
        f"1:1          2026-12-03T09:00:01.000Z  TicketCreated            key={key}  id={event.envelope.event_id}"
    )
    assert event_json(event).startswith(
        '{"topic":"ticket-events","partition":1,"sequence":1,"enqueued_at":"2026-12-03T09:00:01.000Z",'
        f'"envelope":{{"event_id":"{event.envelope.event_id}","event_type":"holidaypeak.events.v1.TicketCreated"'
    )
    assert f'"ticket_created":{{"ticket_id":"{key}"}}' in event_json(event)


def test_tables_align_numbers_right_and_keep_no_trailing_spaces() -> None:
    assert table(["GROUP", "PARTITION", "LAG", "NOTE"], [["analytics", 0, 12, ""], ["catalog", 10, "-", "x"]]) == (
        "GROUP      PARTITION  LAG  NOTE\nanalytics          0   12\ncatalog           10    -  x"
    )
    assert timestamp(None) == "-"
    assert timestamp(datetime(2026, 12, 3, 9, 0, 1, 250_999, tzinfo=UTC)) == "2026-12-03T09:00:01.250Z"


def test_progress_off_a_terminal_is_a_few_plain_lines() -> None:
    stream = io.StringIO()
    bar = ProgressBar("replaying analytics", 200, stream=stream)
    for done in range(0, 201, 5):
        bar.update(done)
    bar.finish("analytics has caught up")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "replaying analytics: 0% (0/200)" and lines[-2] == "replaying analytics: 100% (200/200)"
    assert len(lines) == 12 and lines[-1] == "analytics has caught up"
