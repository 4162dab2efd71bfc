"""inventory-health-check and the stock signals it reads, on hand-made cases: the fold of one SKU's
events (demand per day, holds, unexplained movements), the seasonal demand model and reorder point,
and the health classes, cover, anomalies and urgency order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hph.agents.inventory_health_check import core
from hph.agents.inventory_health_check.rules import HealthRules, default_rules, parse_rules
from hph.agents.inventory_signals import demand as dm
from hph.agents.inventory_signals import state
from hph.agents.inventory_signals.supply import (
    Supplier,
    default_calendar,
    default_supply,
    parse_calendar,
    parse_supply,
)
from hph.runtime.clock import to_iso

pytestmark = pytest.mark.unit

NOW = datetime(2026, 10, 19, 12, 0, tzinfo=UTC)  # a Monday, outside every retail period
SUPPLIER = Supplier("s", "Test Supplier", 7, 4500, 0.25)
RULES = HealthRules("test-rules")
CALENDAR = default_calendar()
FLAT = dm.Seasonality.flat(CALENDAR)


def level(on_hand: int, reserved: int = 0) -> dict[str, int]:
    return {"on_hand": on_hand, "reserved": reserved, "available": max(0, on_hand - reserved), "reorder_point": 0,
            "safety_stock": 0}  # fmt: skip


TODAY = NOW.date()


def steady(units_per_day: int, days: int = 28, end: date = TODAY) -> dict[str, list[int]]:
    return {(end - timedelta(days=i)).isoformat(): [units_per_day, units_per_day] for i in range(1, days + 1)}


def signals(days: dict[str, list[int]] | None = None, **fields: object) -> dict[str, object]:
    doc = state.empty("TOY-0001")
    doc["days"] = days or {}
    doc.update(fields)
    return doc


def assess(stock: core.Stock, doc: dict[str, object] | None, *, seasonality: dm.Seasonality = FLAT) -> core.Assessment:
    since = min((date.fromisoformat(d) for d in (doc or {}).get("days", {})), default=None)  # type: ignore[attr-defined]
    return core.assess(stock, doc, seasonality=seasonality, supplier=SUPPLIER, rules=RULES, now=NOW, since=since)


# --- the fold ------------------------------------------------------------------------------------


def test_a_reservation_counts_as_demand_of_its_day_and_opens_a_hold() -> None:
    at = NOW - timedelta(hours=1)
    doc = state.apply(state.empty("A"), state.RESERVED, occurred_at=at, level=level(10, 3), quantity=3,
                      reservation_id="r1", expires_at=to_iso(at + timedelta(minutes=15)))  # fmt: skip
    assert doc["days"] == {NOW.date().isoformat(): [3, 1, 7, 10]}
    assert doc["holds"]["r1"][0] == 3 and doc["level"]["reserved"] == 3 and doc["movement_count"] == 0
    confirmed = state.apply(doc, state.CONFIRMED, occurred_at=at, level=level(7, 0), quantity=3, reservation_id="r1")
    assert confirmed["holds"] == {} and confirmed["movement_count"] == 0
    assert confirmed["days"] == {NOW.date().isoformat(): [3, 1, 7, 7]}  # a sale is not demand twice


def test_an_on_hand_change_no_event_explains_is_a_movement() -> None:
    at = NOW - timedelta(hours=2)
    doc = state.apply(state.empty("A"), state.ADJUSTED, occurred_at=at, level=level(20), delta=20)
    doc = state.apply(doc, state.ADJUSTED, occurred_at=at, level=level(25), delta=5)  # explained
    assert doc["movement_count"] == 0
    doc = state.apply(doc, state.RESERVED, occurred_at=at, level=level(22, 1), quantity=1, reservation_id="r")
    assert doc["movement_count"] == 1
    (moved,) = doc["movements"]
    assert moved["expected_on_hand"] == 25 and moved["on_hand"] == 22 and moved["units"] == -3


def test_the_fold_leaves_its_input_alone() -> None:
    doc = state.empty("A")
    state.apply(doc, state.ADJUSTED, occurred_at=NOW, level=level(5), delta=5)
    assert doc == state.empty("A")


# --- demand --------------------------------------------------------------------------------------


def test_weekday_indices_follow_the_catalogs_busier_days() -> None:
    end = NOW.date()
    totals = {end - timedelta(days=i): (30 if (end - timedelta(days=i)).weekday() == 5 else 10) for i in range(1, 57)}
    season = dm.fit_seasonality(totals, CALENDAR, end=end)
    assert season.weekday[5] > 1.5 > 0.9 > season.weekday[0]
    assert sum(season.weekday) / 7 == pytest.approx(1.0)


def test_a_retail_period_in_the_history_is_measured_and_one_outside_it_keeps_its_prior() -> None:
    end = date(2026, 12, 3)
    totals = {end - timedelta(days=i): 10 for i in range(1, 60)}
    for day in dm.day_range(date(2026, 11, 27), date(2026, 12, 1)):
        totals[day] = 30
    season = dm.fit_seasonality(totals, CALENDAR, end=end)
    assert season.periods["cyber_weekend"] == pytest.approx(3.0, rel=0.05)
    assert "cyber_weekend" in season.measured and "christmas_day" not in season.measured
    assert season.periods["christmas_day"] == 0.3


def test_reorder_point_is_demand_over_the_lead_time_plus_safety_stock() -> None:
    days = {**steady(2), (NOW.date() - timedelta(days=3)).isoformat(): [8, 2]}
    estimate = dm.estimate(days, FLAT, end=NOW.date(), window=28, since=None)
    point = dm.reorder_point(estimate, FLAT, start=NOW.date(), lead_time_days=7, z=dm.z_of(0.95))
    assert point.demand_over_lead == pytest.approx(estimate.level * 7)
    assert point.safety_stock == pytest.approx(1.6449 * estimate.sigma * 7**0.5, rel=1e-3)
    assert point.point == int(-(-(point.demand_over_lead + point.safety_stock) // 1))


def test_days_before_the_history_are_unknown_not_zero() -> None:
    days = steady(4, days=5)
    since = NOW.date() - timedelta(days=5)
    assert dm.estimate(days, FLAT, end=NOW.date(), window=28, since=since).level == pytest.approx(4.0)
    assert dm.estimate(days, FLAT, end=NOW.date(), window=28, since=None).level < 1.0


# --- health --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_hand", "reserved", "overstock", "expected"),
    [
        (0, 0, 0, core.OUT),
        (5, 5, 0, core.OUT),  # all of it held
        (18, 0, 0, core.LOW),  # at or below 2.1/day x 7 days + safety stock (19)
        (200, 0, 0, core.HEALTHY),
        (200, 0, 150, core.OVERSTOCKED),  # over the record's threshold
        (600, 0, 0, core.OVERSTOCKED),  # 300 days of cover
    ],
)
def test_health_classes(on_hand: int, reserved: int, overstock: int, expected: str) -> None:
    days = {**steady(2), (NOW.date() - timedelta(days=2)).isoformat(): [6, 2]}
    found = assess(core.Stock("A", on_hand, reserved, overstock_threshold=overstock), signals(days))
    assert found.reorder_level > 14, found.reorder_level
    assert found.health == expected, found.drivers


def test_a_record_reorder_point_above_the_demand_based_one_counts() -> None:
    found = assess(core.Stock("A", 40, 0, reorder_point=50), signals(steady(1)))
    assert found.reorder.point < 40 < found.reorder_level == 50 and found.health == core.LOW


def test_days_of_cover_come_from_the_forecast_and_are_unset_without_demand() -> None:
    found = assess(core.Stock("A", 30, 0), signals(steady(3)))
    assert found.days_of_cover == pytest.approx(10.0)
    assert assess(core.Stock("A", 30, 0), signals({})).days_of_cover is None


def test_seasonality_shortens_cover_in_a_busier_period() -> None:
    season = dm.Seasonality((1.0,) * 7, {}, frozenset(), CALENDAR)
    busy = dm.Seasonality((2.0,) * 7, {}, frozenset(), CALENDAR)
    plain = assess(core.Stock("A", 30, 0), signals(steady(3)), seasonality=season)
    doubled = assess(core.Stock("A", 30, 0), signals(steady(3)), seasonality=busy)
    assert plain.days_of_cover == pytest.approx(10.0) and doubled.days_of_cover == pytest.approx(10.0)
    # The level is deseasonalised: the same history under doubled indices means half the base level.
    assert doubled.demand.level == pytest.approx(plain.demand.level / 2)


def test_anomalies_negative_reserved_above_stale_and_moved() -> None:
    held_at = NOW - timedelta(hours=3)
    doc = signals(
        steady(1),
        holds={
            "r1": [2, to_iso(held_at + timedelta(minutes=15)), to_iso(held_at)],
            "r2": [1, to_iso(NOW), to_iso(NOW)],
        },
        movements=[{"at": to_iso(NOW - timedelta(days=1)), "units": -12, "event": "reserved", "expected_on_hand": 30,
                    "on_hand": 18}, {"at": to_iso(NOW - timedelta(days=30)), "units": -1, "event": "reserved",
                    "expected_on_hand": 1, "on_hand": 0}],
    )  # fmt: skip
    found = assess(core.Stock("A", -1, 3), doc)
    kinds = {a.kind: a for a in found.anomalies}
    assert set(kinds) == {core.NEGATIVE, core.RESERVED_ABOVE, core.STALE, core.MOVEMENT}
    assert kinds[core.NEGATIVE].severity == "critical"
    assert kinds[core.STALE].reservation_ids == ("r1",) and kinds[core.STALE].severity == "high"
    assert "15 min TTL" in kinds[core.STALE].message and "2.8 h past" in kinds[core.STALE].message
    assert kinds[core.MOVEMENT].severity == "high" and "fell by 12 units" in kinds[core.MOVEMENT].message


def test_a_healthy_sku_has_no_anomalies_and_no_urgency() -> None:
    found = assess(core.Stock("A", 100, 2), signals(steady(1)))
    assert found.health == core.HEALTHY and found.anomalies == () and found.urgency == 0


def test_the_report_orders_out_then_low_by_cover_then_anomalies_then_overstock() -> None:
    days = signals(steady(2))
    out = assess(core.Stock("OUT", 0, 0), days)
    low_short = assess(core.Stock("LOW1", 3, 0), days)
    low_less = assess(core.Stock("LOW2", 12, 0), days)
    odd = assess(core.Stock("ODD", 100, 0), signals(steady(2), holds={"r": [1, to_iso(NOW - timedelta(hours=2)), ""]}))
    over = assess(core.Stock("OVER", 1000, 0), days)
    fine = assess(core.Stock("FINE", 100, 0), days)
    order = [a.sku for a in core.ordered([fine, over, odd, low_less, low_short, out])]
    assert order == ["OUT", "LOW1", "LOW2", "ODD", "OVER", "FINE"]


def test_the_drivers_name_their_numbers() -> None:
    found = assess(core.Stock("A", 10, 2), signals(steady(2)))
    by_name = {d.name: d for d in found.drivers}
    assert by_name["available"].value == 8 and by_name["available"].threshold == found.reorder_level
    assert "8 available (10 on hand - 2 reserved)" in by_name["available"].reason
    assert by_name["days_of_cover"].threshold == 7 and by_name["demand_rate"].value == pytest.approx(2.0)


# --- data files ----------------------------------------------------------------------------------


def test_the_shipped_data_parses_and_maps_prefixes_to_suppliers() -> None:
    supply = default_supply()
    assert supply.supplier_of("AUD-0001").lead_time_days == 14
    assert supply.supplier_of("ZZZ-0001").supplier_id == supply.default_supplier
    assert default_rules().service_level == 0.95
    assert CALENDAR.period_of(date(2026, 11, 28)).name == "cyber_weekend"  # type: ignore[union-attr]
    assert CALENDAR.period_of(date(2026, 10, 19)) is None


@pytest.mark.parametrize(
    ("parse", "raw", "message"),
    [
        (parse_supply, {"version": "v", "default_supplier": "x", "suppliers": {}}, "unknown supplier"),
        (
            parse_supply,
            {
                "version": "v",
                "default_supplier": "x",
                "suppliers": {"x": {"name": "X", "lead_time_days": 0, "order_cost_minor": 1, "holding_cost_rate": 0.2}},
            },
            "lead_time_days",
        ),
        (
            parse_calendar,
            {"version": "v", "periods": [{"name": "p", "from": "13-01", "through": "12-01", "prior": 1}]},
            "MM-DD",
        ),
        (parse_rules, {"version": "v", "service_level": 1.2}, "service_level"),
        (parse_rules, {"version": "v", "surprise": 1}, "unknown fields"),
    ],
)
def test_malformed_data_fails_at_start(parse: object, raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(raw)  # type: ignore[operator]
