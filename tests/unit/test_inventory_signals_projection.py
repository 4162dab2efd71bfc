"""The stock signals projection's handler on the real SQLite store: each event folds once; a
redelivery (same position) and a relay's duplicate (same event id at a later sequence) change
nothing; events of other kinds (the agents' own alert events) are passed over."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from holidaypeak.events.v1 import inventory_events_pb2 as ev
from hph.agents.inventory_signals.projection import TOPIC, StockSignals
from hph.runtime.consumers import Delivery
from hph.runtime.eventlog.port import LoggedEvent
from hph.runtime.events import resource_event
from hph.runtime.storage import SqliteDocumentStore
from tests.support.clocks import ManualClock

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)


def delivered(payload: object, sequence: int, *, event_id: str = "") -> Delivery:
    envelope = resource_event(
        payload,  # type: ignore[arg-type]
        source="inventory",
        collection="inventory",
        resource_id="A-001",
        clock=ManualClock(NOW),
    )
    if event_id:
        envelope.event_id = event_id
    return Delivery("inventory-signals", LoggedEvent(TOPIC, 3, sequence, NOW, envelope), 1)


def reserved(units: int, on_hand: int, reserved_units: int) -> ev.InventoryReserved:
    level = ev.StockLevel(on_hand=on_hand, reserved=reserved_units, available=on_hand - reserved_units)
    return ev.InventoryReserved(sku="A-001", quantity=units, reservation_id=f"r{units}", order_id="o", level=level)


async def test_each_event_folds_once(store: SqliteDocumentStore) -> None:
    signals = await StockSignals.open(store)
    first = delivered(reserved(2, 10, 2), 5, event_id="e1")
    await signals.handle(first)
    await signals.handle(first)  # redelivered
    await signals.handle(delivered(reserved(2, 10, 2), 9, event_id="e1"))  # the relay appended it twice
    doc = await signals.one("A-001")
    assert doc is not None and doc["days"][NOW.date().isoformat()][:2] == [2, 1]
    await signals.handle(delivered(reserved(3, 10, 5), 10, event_id="e2"))
    await signals.handle(delivered(reserved(3, 10, 5), 7, event_id="e0"))  # behind the last applied: a replay
    doc = await signals.one("A-001")
    assert doc is not None and doc["days"][NOW.date().isoformat()][:2] == [5, 2]
    assert set(doc["holds"]) == {"r2", "r3"} and doc["applied"]["position"] == [3, 10]


async def test_alert_events_are_passed_over(store: SqliteDocumentStore) -> None:
    signals = await StockSignals.open(store)
    alert = ev.InventoryAlertRaised(alert_id="A-001.low_stock.1", sku="A-001", kind=ev.INVENTORY_ALERT_KIND_LOW_STOCK)
    await signals.handle(delivered(alert, 1))
    assert await signals.one("A-001") is None
    assert [doc async for doc in signals.every()] == []
