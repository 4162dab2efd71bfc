"""inventory-alerts-triggers on hand-made cases: each condition (stock-out, low stock at the shared
reorder level, reservation pressure, demand spike by z-score against a moving seasonal baseline),
and the alert book on the real SQLite store: one alert per (SKU, kind) episode with its event,
updates raise nothing, a rise in severity raises again, resolution starts a cool-down that
suppresses, acknowledgement is recorded once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from holidaypeak.events.v1 import inventory_events_pb2 as ev
from hph.agents.inventory_alerts_triggers import core
from hph.agents.inventory_alerts_triggers.alerts import (
    ACKNOWLEDGED,
    CONTAINER,
    ESCALATED,
    OPEN,
    RAISED,
    RESOLVED,
    SUPPRESSED,
    UPDATED,
    AlertBook,
    parse_alert_id,
)
from hph.agents.inventory_alerts_triggers.rules import AlertRules, default_rules, parse_rules
from hph.agents.inventory_health_check import core as health
from hph.agents.inventory_health_check.rules import default_rules as health_rules
from hph.agents.inventory_signals import demand as dm
from hph.agents.inventory_signals.stock import Stock
from hph.agents.inventory_signals.supply import Period, RetailCalendar, Supplier, default_calendar
from hph.runtime.events import decode_envelope
from hph.runtime.storage import Eq, Query, SqliteDocumentStore
from tests.support.clocks import ManualClock

pytestmark = pytest.mark.unit

NOW = datetime(2026, 10, 19, 15, 0, tzinfo=UTC)  # a Monday afternoon, no retail period
TODAY = NOW.date()
SUPPLIER = Supplier("s", "Test Supplier", 7, 4500, 0.25)
RULES = default_rules()
FLAT = dm.Seasonality.flat(default_calendar())


def history(per_day: int, days: int = 28, today_units: int = 0) -> dict[str, list[int]]:
    found = {(TODAY - timedelta(days=i)).isoformat(): [per_day + (i % 2), per_day] for i in range(1, days + 1)}
    if today_units:
        found[TODAY.isoformat()] = [today_units, today_units]
    return found


def findings(stock: Stock, days: dict[str, list[int]], rules: AlertRules = RULES) -> dict[str, core.Finding]:
    since = min((date.fromisoformat(d) for d in days), default=None)
    found = core.evaluate(stock, {"days": days}, seasonality=FLAT, supplier=SUPPLIER, rules=rules, now=NOW, since=since)
    return {finding.kind: finding for finding in found}


def test_stock_out_is_critical_while_the_sku_sells() -> None:
    assert findings(Stock("A", 0, 0), history(2))["stock_out"].severity == "critical"
    assert findings(Stock("A", 0, 0), {})["stock_out"].severity == "high"


def test_low_stock_fires_at_the_same_reorder_level_as_the_health_check() -> None:
    days = history(2)
    for on_hand in range(0, 40):
        stock = Stock("A", on_hand, 0)
        since = min(date.fromisoformat(d) for d in days)
        judged = health.assess(
            stock, {"days": days}, seasonality=FLAT, supplier=SUPPLIER, rules=health_rules(), now=NOW, since=since
        )
        alerted = findings(stock, days)
        assert ("low_stock" in alerted) == (judged.health == health.LOW), on_hand
        assert ("stock_out" in alerted) == (judged.health == health.OUT), on_hand


def test_reservation_pressure_needs_the_share_and_enough_units() -> None:
    assert findings(Stock("A", 100, 60), {})["reservation_pressure"].severity == "medium"
    assert findings(Stock("A", 100, 85), {})["reservation_pressure"].severity == "high"
    assert "reservation_pressure" not in findings(Stock("A", 100, 40), {})
    assert "reservation_pressure" not in findings(Stock("A", 6, 4), {})  # 67% but only 4 units


def test_a_demand_spike_is_a_z_score_against_the_moving_baseline() -> None:
    stock = Stock("A", 1000, 0)
    assert "demand_spike" not in findings(stock, history(3, today_units=4))
    spike = findings(stock, history(3, today_units=12))["demand_spike"]
    z = next(d for d in spike.drivers if d.name == "demand_z")
    assert z.value >= RULES.spike_z and z.threshold == RULES.spike_z
    assert spike.severity == ("high" if z.value >= RULES.spike_high_z else "medium")
    assert "12 units today" in spike.message
    # Too little history for a baseline, or too few units: no spike.
    assert "demand_spike" not in findings(stock, history(0, days=3, today_units=40))
    assert "demand_spike" not in findings(stock, history(0, today_units=4))


def test_the_seasonal_factor_of_today_raises_the_expected_demand() -> None:
    calendar = RetailCalendar("test", (Period("one_day_sale", (10, 19), (10, 19), 4.0),), 3)
    plain = dm.Seasonality((1.0,) * 7, {"one_day_sale": 1.0}, frozenset(), calendar)
    busy = dm.Seasonality((1.0,) * 7, {"one_day_sale": 4.0}, frozenset(), calendar)
    days = history(3, today_units=14)
    flat = core.demand_spike(days, plain, rules=RULES, today=TODAY, since=None, sku="A")
    seasonal = core.demand_spike(days, busy, rules=RULES, today=TODAY, since=None, sku="A")
    assert flat is not None and seasonal is None  # 14 is no spike on a day expected to sell 4x


def test_rules_parse_strictly() -> None:
    raw = {
        "version": "v",
        "service_level": 0.95,
        "demand_window_days": 28,
        "reservation_pressure": {"share": 0.9, "high_share": 0.5, "min_reserved": 5},
        "demand_spike": {"baseline_days": 14, "min_baseline_days": 7, "z": 3, "high_z": 5, "min_units": 5,
                         "sigma_floor": 1},
        "cooldown_minutes": {"low_stock": 1, "stock_out": 1, "reservation_pressure": 1, "demand_spike": 1},
        "evaluate_every_seconds": 60,
    }  # fmt: skip
    with pytest.raises(ValueError, match="high thresholds"):
        parse_rules(raw)
    with pytest.raises(ValueError, match="cooldown_minutes"):
        parse_rules({**raw, "cooldown_minutes": {"low_stock": 1}})


def test_alert_ids_round_trip() -> None:
    assert parse_alert_id("TOY-0001.low_stock.3") == ("TOY-0001", "low_stock", 3)
    assert parse_alert_id("TOY-0001.nope.3") is None and parse_alert_id("x") is None


# --- the book on the real store ------------------------------------------------------------------


async def events_of(store: SqliteDocumentStore, sku: str) -> list[str]:
    container = await CONTAINER.open(store)
    page = await container.query(Query(where=Eq("kind", "outbox")), partition_key=sku, max_items=100)
    return [str(decode_envelope(record).WhichOneof("payload")) for record in page.items]


def a_finding(kind: str = "demand_spike", severity: str = "medium") -> core.Finding:
    return core.Finding("A", kind, severity, f"{kind} {severity}", ())


async def test_one_alert_per_episode_then_a_cool_down(store: SqliteDocumentStore) -> None:
    clock = ManualClock(NOW)
    book = AlertBook(await CONTAINER.open(store), clock)
    outcome, doc = await book.record(a_finding(), None, NOW)
    assert outcome == RAISED and doc is not None and doc["id"] == "A.demand_spike.1" and doc["state"] == OPEN
    for _ in range(5):  # the same condition found again and again: one alert, counted
        active = (await book.active())[("A", "demand_spike")]
        outcome, doc = await book.record(a_finding(), active, NOW)
        assert outcome == UPDATED
    assert doc is not None and doc["occurrences"] == 6
    assert await events_of(store, "A") == ["inventory_alert_raised"]
    active = (await book.active())[("A", "demand_spike")]
    outcome, doc = await book.record(a_finding(severity="high"), active, NOW)
    assert outcome == ESCALATED and doc is not None and doc["severity"] == "high"
    raised = [e for e in await events_of(store, "A") if e == "inventory_alert_raised"]
    assert len(raised) == 2
    # A stale view of the active alert (another process resolved it) re-plans on fresh state.
    active = (await book.active())[("A", "demand_spike")]
    assert await book.resolve(active, NOW, RULES.cooldown("demand_spike"))
    assert not await book.resolve(active, NOW, RULES.cooldown("demand_spike"))
    later = NOW + timedelta(hours=1)
    outcome, latest = await book.record(a_finding(), None, later)
    assert outcome == SUPPRESSED and latest is not None and latest["state"] == RESOLVED
    after = NOW + RULES.cooldown("demand_spike") + timedelta(minutes=1)
    outcome, doc = await book.record(a_finding(), None, after)
    assert outcome == RAISED and doc is not None and doc["id"] == "A.demand_spike.2"
    assert (await events_of(store, "A")).count("inventory_alert_resolved") == 1


async def test_two_evaluations_racing_raise_one_alert(store: SqliteDocumentStore) -> None:
    book = AlertBook(await CONTAINER.open(store), ManualClock(NOW))
    first = await book.record(a_finding("low_stock"), None, NOW)
    second = await book.record(a_finding("low_stock"), None, NOW)  # it had not seen the first's alert
    assert [first[0], second[0]] == [RAISED, UPDATED]
    assert await events_of(store, "A") == ["inventory_alert_raised"]


async def test_acknowledging_is_recorded_once(store: SqliteDocumentStore) -> None:
    book = AlertBook(await CONTAINER.open(store), ManualClock(NOW))
    _, doc = await book.record(a_finding("stock_out", "critical"), None, NOW)
    assert doc is not None
    acknowledged = await book.acknowledge(doc, "staff-sam", "supplier called", NOW)
    assert acknowledged["state"] == ACKNOWLEDGED and acknowledged["acknowledged_by"] == "staff-sam"
    again = await book.acknowledge(doc, "staff-ann", "", NOW + timedelta(minutes=5))
    assert again["acknowledged_by"] == "staff-sam" and again["acknowledgement_note"] == "supplier called"
    container = await CONTAINER.open(store)
    page = await container.query(Query(where=Eq("kind", "outbox")), partition_key="A", max_items=100)
    kinds = [decode_envelope(r).WhichOneof("payload") for r in page.items]
    assert sorted(kinds) == ["inventory_alert_acknowledged", "inventory_alert_raised"]  # records are keyed, not ordered
    event = next(decode_envelope(r) for r in page.items if decode_envelope(r).HasField("inventory_alert_acknowledged"))
    assert event.inventory_alert_acknowledged.kind == ev.INVENTORY_ALERT_KIND_STOCK_OUT
    assert event.partition_key == "A"
