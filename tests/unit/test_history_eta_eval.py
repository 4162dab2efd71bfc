"""`hph eval eta`'s scoring: the core's ETA at placement against the actual delivery day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hph.agents.logistics_eta_computation import core
from hph.agents.logistics_eta_computation.tables import default_tables
from hph.host.history.eta_eval import FLOORS, EtaReport, Group, below_floors, evaluate_deliveries

pytestmark = pytest.mark.unit

PLACED = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)  # a Tuesday morning, before the cut-off


def delivery(delivered: datetime, placed: datetime = PLACED) -> dict[str, str]:
    return {
        "carrier": "ups",
        "service_level": "standard",
        "placed_at": placed.isoformat(),
        "postal_code": "94103",
        "estimated": delivered.isoformat(),
        "delivered": delivered.isoformat(),
    }


def the_eta() -> core.Estimate:
    return core.estimate(
        core.Route("ups", "standard", "US", "94103"), ready_at=PLACED, now=PLACED, tables=default_tables()
    )


def test_a_delivery_on_the_eta_scores_zero_error_inside_the_window() -> None:
    report = evaluate_deliveries([delivery(the_eta().eta)])
    assert (report.overall.deliveries, report.overall.mae_days, report.overall.coverage) == (1, 0.0, 1.0)


def test_a_delivery_far_past_the_window_counts_its_days_and_misses_the_window() -> None:
    estimate = the_eta()
    late = estimate.window_end + timedelta(days=3)
    report = evaluate_deliveries([delivery(estimate.eta), delivery(late)])
    assert report.overall.coverage == 0.5
    assert report.overall.mae_days == (late.date() - estimate.eta.date()).days / 2
    assert report.overall.bias_days == report.overall.mae_days  # late only: the error is all one way
    assert report.by_carrier["ups"].deliveries == 2


def test_the_floors_fail_a_poor_report_and_pass_a_good_one() -> None:
    good = EtaReport(overall=Group(deliveries=10, absolute_error_days=5, inside_window=9))
    poor = EtaReport(overall=Group(deliveries=10, absolute_error_days=40, inside_window=2))
    assert below_floors(good) == []
    assert len(below_floors(poor)) == 2 and FLOORS["min_coverage"] > 0.2
