"""The demo history's plan: decided by the seed alone, busier on weekends and in the holiday season,
with every fate the issue asks for (cancellations, late, exception and lost parcels, reviews skewed
per product, returns)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from statistics import mean

import pytest

from hph.commerce.demo_data import generate_catalog
from hph.host.history.plan import is_holiday_season, plan_history, seasonality
from hph.runtime.clock import SimulatedClock

pytestmark = pytest.mark.unit

PRODUCTS = list(generate_catalog().products)
YEAR_END = date(2027, 1, 1)


def a_year(seed: int = 3) -> list[tuple[date, int]]:
    plan = plan_history(PRODUCTS, days=365, seed=seed, end=YEAR_END)
    per_day = Counter(order.placed_at.date() for order in plan.orders)
    return [(plan.start + timedelta(days=d), per_day[plan.start + timedelta(days=d)]) for d in range(365)]


def test_the_same_seed_plans_the_same_history_and_another_seed_another() -> None:
    first = plan_history(PRODUCTS, days=30, seed=5, end=YEAR_END)
    again = plan_history(PRODUCTS, days=30, seed=5, end=YEAR_END)
    other = plan_history(PRODUCTS, days=30, seed=6, end=YEAR_END)
    assert first.orders == again.orders and len(first.orders) > 100
    assert first.orders != other.orders


def test_weekends_and_the_holiday_season_are_busier_on_average() -> None:
    days = a_year()
    ordinary = [n for day, n in days if not is_holiday_season(day)]
    weekend = [n for day, n in days if day.weekday() >= 5 and not is_holiday_season(day)]
    weekday = [n for day, n in days if day.weekday() < 4 and not is_holiday_season(day)]
    season = [n for day, n in days if is_holiday_season(day)]
    assert mean(weekend) > 1.25 * mean(weekday)
    assert mean(season) > 1.5 * mean(ordinary)
    # The busiest day of the year is in the Black Friday to Cyber Monday weekend.
    busiest = max((day for day, _ in days), key=seasonality)
    assert date(2026, 11, 27) <= busiest <= date(2026, 11, 30)


def test_orders_fall_inside_their_days_in_time_order() -> None:
    plan = plan_history(PRODUCTS, days=20, seed=9, end=YEAR_END)
    moments = [order.placed_at for order in plan.orders]
    assert moments == sorted(moments)
    assert plan.start <= moments[0].date() and moments[-1].date() < YEAR_END


def test_every_fate_occurs_and_ratings_differ_per_product() -> None:
    plan = plan_history(PRODUCTS, days=365, seed=4, end=YEAR_END)
    shipments = [o.shipment for o in plan.orders if o.shipment is not None]
    assert any(o.cancelled for o in plan.orders) and any(o.returned for o in plan.orders)
    assert any(s.lost for s in shipments) and any(s.exception for s in shipments)
    assert any(s.delay_days > 0 for s in shipments) and any(s.delay_days < 0 for s in shipments)
    # Carriers' on-time shares differ (UPS is the most reliable in the plan, USPS the least).
    on_time = {
        carrier: mean(s.delay_days <= 0 for s in shipments if s.carrier == carrier) for carrier in ("ups", "usps")
    }
    assert on_time["ups"] > on_time["usps"]
    ratings: dict[str, list[int]] = {}
    for order in plan.orders:
        if order.review_rating:
            ratings.setdefault(order.lines[0][0], []).append(order.review_rating)
    means = [mean(r) for r in ratings.values() if len(r) >= 5]
    assert max(means) - min(means) > 1.5
    # Some products are bought together again and again (the companions).
    pairs = Counter(tuple(sorted((o.lines[0][0], o.lines[1][0]))) for o in plan.orders if len(o.lines) > 1)
    assert pairs.most_common(1)[0][1] >= 10


def test_days_must_be_positive() -> None:
    with pytest.raises(ValueError, match="days"):
        plan_history(PRODUCTS, days=0, seed=1, end=YEAR_END)


def test_the_simulated_clock_only_moves_forward() -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    clock = SimulatedClock(start)
    clock.advance_to(start + timedelta(hours=3))
    clock.advance_to(start + timedelta(hours=1))
    assert clock() == start + timedelta(hours=3)
