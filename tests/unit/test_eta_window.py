"""The ETA confidence window on hand-made cases: the carrier's recent lateness (how often and by how
many business days) and the tables' own model error move its edges; the window is the run of days
whose share is nearest the confidence, edges included; the rule files are parsed strictly."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from hph.agents.logistics_eta_computation import core
from hph.agents.logistics_eta_computation.core import OnTimeRecord, Route, estimate
from hph.agents.logistics_eta_computation.tables import (
    PACKAGE,
    EtaTables,
    carrier_transit_days,
    default_tables,
    parse_tables,
)
from hph.runtime.data_tables import load_json

pytestmark = pytest.mark.unit

TABLES = default_tables()
NATIONAL = Route("ups", "standard", "US", "94105")
THURSDAY = datetime(2026, 12, 3, 10, tzinfo=UTC)
NO_DELIVERIES = OnTimeRecord()


def window(record: OnTimeRecord = NO_DELIVERIES, *, tables: EtaTables = TABLES) -> tuple[int, int]:
    """(business days early, business days late) of the window around the ETA."""
    answer = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=tables, record=record)
    calendar = core.Calendar(tables.holidays)
    last = date.fromordinal(answer.window_end.date().toordinal() - 1)  # the end is exclusive
    return calendar.between(answer.window_start.date(), answer.eta.date()), calendar.between(answer.eta.date(), last)


def with_window(**changes: Any) -> EtaTables:
    return replace(TABLES, window=replace(TABLES.window, **changes))


def test_late_deliveries_count_business_days_past_the_promise() -> None:
    friday, monday, tuesday = date(2026, 12, 4), date(2026, 12, 7), date(2026, 12, 8)
    record = core.delivery_record(
        [(friday, friday), (friday, date(2026, 12, 3)), (friday, monday), (friday, tuesday)], TABLES
    )
    assert (record.on_time, record.deliveries, dict(record.late_days)) == (2, 4, {1: 1, 2: 1})
    # Thanksgiving (a carrier holiday) is not a day late.
    record = core.delivery_record([(date(2026, 11, 25), date(2026, 11, 27))], TABLES)
    assert dict(record.late_days) == {1: 1}


def test_a_carrier_that_is_late_more_often_gets_a_later_window_end() -> None:
    reliable, unreliable = OnTimeRecord(95, 100, {1: 5}), OnTimeRecord(50, 100, {1: 25, 2: 25})
    assert window(unreliable)[1] > window(reliable)[1]
    assert window(unreliable)[0] <= window(reliable)[0]


def test_a_carrier_that_is_later_when_late_gets_a_later_window_end() -> None:
    by_a_day, by_a_week = OnTimeRecord(70, 100, {1: 30}), OnTimeRecord(70, 100, {5: 30})
    assert window(by_a_week)[1] > window(by_a_day)[1]


def test_without_a_shape_the_late_days_follow_the_prior() -> None:
    shares = core.late_days_shares(OnTimeRecord(70, 100), TABLES)
    assert shares == pytest.approx(dict(TABLES.window.prior_late_days))
    observed = core.late_days_shares(OnTimeRecord(0, 10, {3: 10}), TABLES)
    assert observed[3] > TABLES.window.prior_late_days[3] and sum(observed.values()) == pytest.approx(1)


def test_a_larger_model_error_widens_both_edges() -> None:
    exact = with_window(model_error_days={level: 0.0 for level in TABLES.window.model_error_days})
    loose = with_window(model_error_days={level: 2.0 for level in TABLES.window.model_error_days})
    assert window(tables=exact)[0] == 0
    early, late = window(tables=loose)
    assert early > 0 and late > window(tables=exact)[1]


def test_a_perfect_carrier_and_exact_tables_give_a_one_day_window() -> None:
    exact = with_window(model_error_days={level: 0.0 for level in TABLES.window.model_error_days})
    assert window(OnTimeRecord(10_000, 10_000), tables=exact) == (0, 0)


def test_the_window_is_the_run_of_days_nearest_the_confidence() -> None:
    # 78% on the day: one more day (88%) is farther from 80% than 2 points short.
    assert core.window_days({0: 0.78, 1: 0.10, -1: 0.05}, 0.8) == (0, 0, 0.78)
    # Exactly half way (10 points either side): the wider window, so it never holds less on a tie.
    assert core.window_days({0: 0.70, 1: 0.20}, 0.8)[:2] == (0, 1)
    # The likelier side grows first; a tie goes late.
    assert core.window_days({-1: 0.3, 0: 0.4, 1: 0.2}, 0.7)[:2] == (1, 0)
    assert core.window_days({-1: 0.2, 0: 0.4, 1: 0.2}, 0.6)[:2] == (0, 1)
    # Nothing more to add: stops short rather than looping.
    assert core.window_days({0: 0.5}, 0.99) == (0, 0, 0.5)


def test_the_window_rules_are_parsed_strictly() -> None:
    rules, holidays = load_json(PACKAGE, "eta_tables.json"), load_json(PACKAGE, "holidays.json")
    for bad in ({"1": 0.5, "2": 0.2}, {"0": 1.0}, {"one": 1.0}, {}):
        broken = json.loads(json.dumps(rules))
        broken["window"]["prior_late_days"] = bad
        with pytest.raises(ValueError, match="prior_late_days"):
            parse_tables(broken, holidays, carrier_transit_days())
    parsed = parse_tables(rules, holidays, carrier_transit_days())
    assert sum(parsed.window.prior_late_days.values()) == pytest.approx(1)
    assert set(parsed.window.model_error_days) == {"economy", "standard", "expedited", "overnight"}
