"""Demand per SKU and day, and the reorder point over a lead time (pure; numbers in, numbers out).

The model ("seasonal-index-v1") is a multiplicative seasonal index, chosen because the history is
short (weeks, a few orders a day per SKU) and sparse: a per-SKU Holt-Winters or ARIMA fit has too
few non-zero days to estimate its weekly terms, while indices measured on the whole catalog's
demand are stable, and every number of a forecast can be shown to staff.

    factor(day)     = weekday index(day) x period multiplier(day)
    level (per SKU) = units over the window / sum of factor(day) over the window   (deseasonalised)
    forecast(day)   = level x factor(day)
    sigma           = standard deviation of (units - forecast) over the window's days

- Weekday indices come from the catalog's total daily units on ordinary days (no retail period),
  each shrunk toward 1 by `SHRINK_DAYS` pseudo-days (a weekday seen twice barely moves), then
  normalised to average 1.
- A retail period's multiplier (Black Friday weekend, the December rush ...; data/retail_calendar.json)
  is measured from the history when it holds `min_days_to_estimate` of its days (mean of total /
  (ordinary level x weekday index)), else the calendar's prior.

Reorder point for a lead time of L days starting tomorrow, at service level s (z = Phi^-1(s)):

    demand over lead time = sum of forecast(day) over the L days
    safety stock          = z x sigma x sqrt(L)
    reorder point         = ceil(demand over lead time + safety stock)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

from hph.agents.inventory_signals.supply import RetailCalendar

METHOD = "seasonal-index-v1"
SHRINK_DAYS = 4.0
MAX_COVER_DAYS = 365.0
DayCounts = Mapping[str, list[int]]


@dataclass(frozen=True)
class Seasonality:
    # Monday first; average 1.
    weekday: tuple[float, ...]
    # Multiplier per retail period name (measured or prior).
    periods: Mapping[str, float]
    # Which periods were measured from the history (the rest are priors).
    measured: frozenset[str]
    calendar: RetailCalendar

    def factor(self, day: date) -> float:
        period = self.calendar.period_of(day)
        multiplier = 1.0 if period is None else self.periods.get(period.name, period.prior)
        return self.weekday[day.weekday()] * multiplier

    @classmethod
    def flat(cls, calendar: RetailCalendar) -> Seasonality:
        return cls((1.0,) * 7, {p.name: p.prior for p in calendar.periods}, frozenset(), calendar)


@dataclass(frozen=True)
class DemandEstimate:
    level: float
    sigma: float
    # Plain mean and standard deviation of daily units over the window (no seasonality).
    recent_rate: float
    recent_sd: float
    window_days: int
    orders: int
    units: int


@dataclass(frozen=True)
class ReorderPoint:
    demand_over_lead: float
    safety_stock: float
    point: int
    lead_time_days: int
    z: float


def z_of(service_level: float) -> float:
    return NormalDist().inv_cdf(service_level)


def day_range(start: date, end: date) -> list[date]:
    """Days from `start` (inclusive) to `end` (exclusive)."""
    return [start + timedelta(days=i) for i in range((end - start).days)]


def catalog_totals(skus: Iterable[DayCounts]) -> dict[date, int]:
    totals: dict[date, int] = {}
    for days in skus:
        for name, entry in days.items():
            day = date.fromisoformat(name)
            totals[day] = totals.get(day, 0) + entry[0]
    return totals


def fit_seasonality(totals: Mapping[date, int], calendar: RetailCalendar, *, end: date) -> Seasonality:
    """Indices from the catalog's daily totals of the days before `end` (zero-filled from the first
    day with demand)."""
    known = [day for day in totals if day < end]
    if not known:
        return Seasonality.flat(calendar)
    days = day_range(min(known), end)
    ordinary = [day for day in days if calendar.period_of(day) is None]
    overall = sum(totals.get(day, 0) for day in ordinary) / len(ordinary) if ordinary else 0.0
    if overall <= 0:
        return Seasonality.flat(calendar)
    raw = []
    for weekday in range(7):
        seen = [totals.get(day, 0) / overall for day in ordinary if day.weekday() == weekday]
        raw.append((sum(seen) + SHRINK_DAYS) / (len(seen) + SHRINK_DAYS))
    mean = sum(raw) / 7
    weekday_index = tuple(value / mean for value in raw)
    periods: dict[str, float] = {}
    measured: set[str] = set()
    for period in calendar.periods:
        inside = [day for day in days if calendar.period_of(day) is period]
        if len(inside) >= calendar.min_days_to_estimate:
            ratios = [totals.get(day, 0) / (overall * weekday_index[day.weekday()]) for day in inside]
            periods[period.name] = sum(ratios) / len(ratios)
            measured.add(period.name)
        else:
            periods[period.name] = period.prior
    return Seasonality(weekday_index, periods, frozenset(measured), calendar)


def estimate(
    days: DayCounts, seasonality: Seasonality, *, end: date, window: int, since: date | None
) -> DemandEstimate:
    """One SKU's demand from its days before `end`, over the last `window` days (not before `since`,
    the first day of the platform's history: days before it are unknown, not zero)."""
    start = end - timedelta(days=window)
    if since is not None and since > start:
        start = since
    span = day_range(start, end)
    if not span:
        return DemandEstimate(0.0, 0.0, 0.0, 0.0, 0, 0, 0)
    units = [days[day.isoformat()][0] if day.isoformat() in days else 0 for day in span]
    orders = sum(days[day.isoformat()][1] if day.isoformat() in days else 0 for day in span)
    factors = [seasonality.factor(day) for day in span]
    total = sum(units)
    level = total / sum(factors) if sum(factors) > 0 else 0.0
    n = len(span)
    residuals = [u - level * f for u, f in zip(units, factors, strict=True)]
    sigma = math.sqrt(sum(r * r for r in residuals) / (n - 1)) if n > 1 else 0.0
    mean = total / n
    sd = math.sqrt(sum((u - mean) ** 2 for u in units) / (n - 1)) if n > 1 else 0.0
    return DemandEstimate(level, sigma, mean, sd, n, orders, total)


def forecast(level: float, seasonality: Seasonality, start: date, days: int) -> list[float]:
    return [level * seasonality.factor(start + timedelta(days=i)) for i in range(days)]


def reorder_point(
    demand: DemandEstimate, seasonality: Seasonality, *, start: date, lead_time_days: int, z: float
) -> ReorderPoint:
    over_lead = sum(forecast(demand.level, seasonality, start, lead_time_days))
    safety = max(0.0, z * demand.sigma * math.sqrt(lead_time_days))
    return ReorderPoint(over_lead, safety, math.ceil(over_lead + safety - 1e-9), lead_time_days, z)


def days_of_cover(available: int, level: float, seasonality: Seasonality, *, start: date) -> float | None:
    """Days until the forecast demand uses up `available` (fractional; seasonality applied), None
    without demand, capped at MAX_COVER_DAYS."""
    if level <= 0:
        return None
    left = float(max(available, 0))
    day = 0
    while day < MAX_COVER_DAYS:
        need = level * seasonality.factor(start + timedelta(days=day))
        if need >= left:
            return day + (left / need if need > 0 else 0.0)
        left -= need
        day += 1
    return MAX_COVER_DAYS


@dataclass(frozen=True)
class StockPlan:
    """A SKU's demand and the level it is reordered at: what every stock agent judges by."""

    demand: DemandEstimate
    reorder: ReorderPoint
    # max(the stock record's own reorder point, the demand-based one).
    reorder_level: int


def stock_plan(
    days: DayCounts,
    seasonality: Seasonality,
    *,
    today: date,
    window: int,
    since: date | None,
    lead_time_days: int,
    service_level: float,
    record_reorder_point: int,
) -> StockPlan:
    """The demand over `window` days before `today` and the reorder level over the lead time: the
    health check's low class, the low-stock alert and the replenishment plan all use this one."""
    found = estimate(days, seasonality, end=today, window=window, since=since)
    point = reorder_point(found, seasonality, start=today, lead_time_days=lead_time_days, z=z_of(service_level))
    return StockPlan(found, point, max(record_reorder_point, point.point))
