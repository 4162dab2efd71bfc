"""The ETA decision core on hand-made cases: cut-off edges, weekend and holiday skipping, delay
pushing the ETA, the window widening with a poor on-time rate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from hph.agents.logistics_eta_computation.core import (
    OnTimeRecord,
    Progress,
    Route,
    UnsupportedRoute,
    estimate,
    next_change,
)
from hph.agents.logistics_eta_computation.tables import carrier_transit_days, default_tables

pytestmark = pytest.mark.unit

TABLES = default_tables()
NATIONAL = Route("ups", "standard", "US", "94105")  # zone us-national: ups standard, 5 days
THURSDAY = datetime(2026, 12, 3, 10, tzinfo=UTC)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_transit_days_come_from_the_shipments_carrier_table_plus_the_zone() -> None:
    assert carrier_transit_days()["ups"]["standard"] == 5
    national = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES)
    local = estimate(replace(NATIONAL, postal_code="38118"), ready_at=THURSDAY, now=THURSDAY, tables=TABLES)
    assert (national.zone, national.transit_days) == ("us-national", 5)
    assert (local.zone, local.transit_days) == ("us-local", 2)
    assert local.eta < national.eta


def test_a_thursday_morning_order_ships_friday_and_arrives_after_the_weekend() -> None:
    answer = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES)
    assert answer.handling_days == 1
    assert answer.eta.date() == date(2026, 12, 11)  # Fri ship + 5 business days skips Sat/Sun
    assert answer.non_working_days == 2


def test_the_cut_off_edge_adds_one_handling_day() -> None:
    cutoff = TABLES.cutoff_hour_utc
    before = estimate(
        NATIONAL, ready_at=at(THURSDAY.date(), cutoff) - timedelta(seconds=1), now=THURSDAY, tables=TABLES
    )
    on = estimate(NATIONAL, ready_at=at(THURSDAY.date(), cutoff), now=THURSDAY, tables=TABLES)
    assert (before.handling_days, on.handling_days) == (1, 2)
    assert on.eta.date() == date(2026, 12, 14)  # one business day later: Monday


def test_an_estimate_for_ready_now_holds_until_the_cut_off_then_until_midnight() -> None:
    cutoff = at(THURSDAY.date(), TABLES.cutoff_hour_utc)
    midnight = datetime(2026, 12, 4, tzinfo=UTC)
    assert next_change(THURSDAY, TABLES) == cutoff
    assert next_change(cutoff - timedelta(microseconds=1), TABLES) == cutoff
    assert next_change(cutoff, TABLES) == midnight
    assert next_change(midnight - timedelta(microseconds=1), TABLES) == midnight

    # Every moment before the change gets the estimate of the first; at the change the handling
    # (one more day after the cut-off; a new ready day at midnight) and the business-day counts move.
    def answer(moment: datetime) -> tuple[object, ...]:
        got = estimate(NATIONAL, ready_at=moment, now=moment, tables=TABLES)
        return got.handling_days, got.eta, got.window_start_business_days, got.window_end_business_days

    for start in (THURSDAY, cutoff):
        change = next_change(start, TABLES)
        assert answer(change - timedelta(seconds=1)) == answer(start)
        assert answer(change) != answer(start)


def test_holidays_are_skipped_like_weekends() -> None:
    # Ready Tue 24 Nov 2026 -> ships Wed 25; Thanksgiving (Thu 26) is skipped, so overnight lands Fri 27.
    ready = at(date(2026, 11, 24))
    answer = estimate(replace(NATIONAL, service_level="overnight"), ready_at=ready, now=ready, tables=TABLES)
    assert answer.eta.date() == date(2026, 11, 27)  # Thursday skipped
    assert answer.non_working_days == 1


def test_a_weekend_ready_order_starts_handling_on_monday() -> None:
    saturday = at(date(2026, 12, 5))
    answer = estimate(replace(NATIONAL, service_level="overnight"), ready_at=saturday, now=saturday, tables=TABLES)
    assert answer.eta.date() == date(2026, 12, 8)  # handling Mon, overnight Tue


def test_late_pickup_and_exception_scans_push_the_eta() -> None:
    base = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES)
    late_pickup = estimate(
        NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES, progress=Progress(picked_up_at=at(date(2026, 12, 8)))
    )
    assert late_pickup.observed_delay_days == 2 and late_pickup.eta.date() == date(2026, 12, 15)
    exceptions = estimate(
        NATIONAL,
        ready_at=THURSDAY,
        now=THURSDAY,
        tables=TABLES,
        progress=Progress(picked_up_at=at(date(2026, 12, 4)), exceptions=2),
    )
    assert exceptions.observed_delay_days == 2 * TABLES.exception_days
    assert exceptions.eta > base.eta


def test_an_overdue_undelivered_parcel_is_expected_today_at_the_earliest() -> None:
    later = at(date(2026, 12, 16))
    answer = estimate(
        NATIONAL, ready_at=THURSDAY, now=later, tables=TABLES, progress=Progress(picked_up_at=at(date(2026, 12, 4)))
    )
    assert answer.eta.date() == date(2026, 12, 16) and answer.observed_delay_days == 3


def test_no_pickup_although_due_moves_the_ship_date_to_today() -> None:
    tuesday = at(date(2026, 12, 8))
    answer = estimate(NATIONAL, ready_at=THURSDAY, now=tuesday, tables=TABLES)
    assert answer.observed_delay_days == 2 and answer.eta.date() == date(2026, 12, 15)


def test_a_poor_on_time_rate_widens_the_window_and_a_higher_confidence_too() -> None:
    good = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES, record=OnTimeRecord(100, 100))
    poor = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES, record=OnTimeRecord(40, 100))
    assert poor.on_time_rate < good.on_time_rate
    assert poor.window_end - poor.window_start > good.window_end - good.window_start
    wide = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES, confidence=0.99)
    narrow = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES, confidence=0.5)
    assert narrow.window_start <= narrow.eta < narrow.window_end
    assert wide.window_end - wide.window_start > narrow.window_end - narrow.window_start


def test_the_on_time_rate_is_smoothed_towards_the_prior() -> None:
    none = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES)
    assert none.on_time_rate == pytest.approx(TABLES.window.prior_on_time_rate)
    one_late = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES, record=OnTimeRecord(0, 1))
    assert 0.5 < one_late.on_time_rate < none.on_time_rate


def test_at_risk_when_the_window_ends_after_the_promise() -> None:
    answer = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES, promised_by=at(date(2026, 12, 12)))
    assert answer.at_risk
    safe = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES, promised_by=at(date(2026, 12, 31)))
    assert not safe.at_risk


def test_every_term_is_a_driver_with_its_numbers() -> None:
    answer = estimate(NATIONAL, ready_at=THURSDAY, now=THURSDAY, tables=TABLES)
    names = [d.name for d in answer.drivers]
    assert names == [
        "handling_days",
        "transit_days",
        "observed_delay_days",
        "non_working_days",
        "carrier_on_time_rate",
        "window_spread_days",
    ]
    assert "5 business days" in answer.drivers[1].reason


def test_unknown_carriers_and_unsold_levels_are_refused() -> None:
    with pytest.raises(UnsupportedRoute):
        estimate(replace(NATIONAL, carrier="pigeon"), ready_at=THURSDAY, now=THURSDAY, tables=TABLES)
    with pytest.raises(UnsupportedRoute):
        estimate(
            replace(NATIONAL, carrier="usps", service_level="economy"), ready_at=THURSDAY, now=THURSDAY, tables=TABLES
        )
