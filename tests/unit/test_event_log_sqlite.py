"""What the SQLite event log adds to the contract suite (tests/integration/test_event_log_contract.py):
enqueued times that never go back when the clock does, which reads from a time and trim rely on;
events decoded once for every group that reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from holidaypeak.events.v1.order_events_pb2 import OrderCreated
from hph.runtime.eventlog import Position, SqliteEventLog
from hph.runtime.eventlog import sqlite as sqlite_log
from hph.runtime.events import new_event

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


async def test_enqueued_times_never_go_back_with_the_clock(tmp_path: Path) -> None:
    now = [NOON]
    log = await SqliteEventLog.open(tmp_path / "events.sqlite3", clock=lambda: now[0])
    try:
        await log.create_topic("order-events", 1)

        def event(n: int) -> EventEnvelope:
            return new_event(OrderCreated(order_id=f"o{n}"), source="orders", subject="orders/o", partition_key="o")

        [first] = await log.append("order-events", event(1))
        now[0] = NOON - timedelta(minutes=5)  # the wall clock steps back
        [second] = await log.append("order-events", event(2))
        now[0] = NOON + timedelta(seconds=1)
        [third] = await log.append("order-events", event(3))

        assert (first.enqueued_at, second.enqueued_at, third.enqueued_at) == (NOON, NOON, NOON + timedelta(seconds=1))
        since_noon = await log.read("order-events", 0, Position.since(NOON))
        assert [logged.sequence for logged in since_noon.events] == [1, 2, 3]
        assert await log.trim("order-events", older_than=NOON) == 0  # nothing stamped before noon
    finally:
        await log.close()


async def test_groups_reading_the_same_events_share_one_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dozen groups read each new event of order-events within moments: the first read decodes
    it, the others get the same object, until the log has decoded DECODED_EVENTS newer ones."""
    monkeypatch.setattr(sqlite_log, "DECODED_EVENTS", 4)
    log = await SqliteEventLog.open(tmp_path / "events.sqlite3")
    try:
        await log.create_topic("order-events", 1)
        envelopes = [
            new_event(OrderCreated(order_id=f"o{n}"), source="orders", subject="orders/o", partition_key="o")
            for n in range(6)
        ]
        await log.append("order-events", envelopes)
        first = (await log.read("order-events", 0, Position.earliest(), 2)).events
        again = (await log.read("order-events", 0, Position.earliest(), 2)).events
        assert [a is b for a, b in zip(first, again, strict=True)] == [True, True]
        assert [event.envelope for event in again] == envelopes[:2]

        rest = (await log.read("order-events", 0, Position.after(2), 10)).events  # 4 newer ones decoded
        assert [event.sequence for event in rest] == [3, 4, 5, 6]
        oldest = (await log.read("order-events", 0, Position.earliest(), 1)).events
        assert oldest[0] is not first[0] and oldest[0] == first[0], "pushed out, decoded anew, the same event"
    finally:
        await log.close()
