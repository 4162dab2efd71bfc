"""The replenishment plan replayed over a history of stock signals (pure): how far off the forecast
was, and how many stock-outs ordering by the plan would have avoided (`hph eval stock`).

**Forecast error** (rolling origin, no look-ahead): for every day t of the last `test_days` and
every SKU, the demand over its lead time [t, t + L) is forecast from the days before t only (the
seasonal indices refitted on the catalog's demand before t, the SKU's level over the 28 days before
t) and compared with what was ordered. Reported: WAPE = sum |F - A| / sum A (the headline: robust
to the many small windows), sMAPE = mean 2|F - A| / (|F| + |A|) over windows with either above
zero, MAPE over windows with A > 0, and the same WAPE for a naive forecast (the plain mean of the
last 28 days, no seasonality) to show what the seasonal indices add.

**Stock-outs avoided**: the same daily demand is replayed under two policies, twice: from each
SKU's real closing on hand the day before the test window (the demo catalog starts with months of
stock, so few SKUs come near a stock-out), and from a lean start of `LEAN_START_DAYS` days of the
SKU's mean demand over the 28 days before the window (SKUs that sold then; the stress test the
floor holds). The policies:
- reactive, as the generated history restocks: nothing is ordered ahead; a day whose demand
  exceeds the stock is a stock-out day, and 200 units arrive at once (the history's emergency
  restock);
- the plan: at the start of each day, if on hand + on order is at or below the day's reorder point
  (the agent's `stock_plan` from the days before), order the cover-target quantity, arriving after
  the supplier's lead time; a day whose demand exceeds the stock is a stock-out day (the excess is
  lost).
Avoided = reactive stock-out days - plan stock-out days; the mean stock held under each policy is
reported next to it, since ordering earlier costs inventory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hph.agents.inventory_jit_replenishment.rules import PlanRules
from hph.agents.inventory_signals import demand as dm
from hph.agents.inventory_signals.supply import RetailCalendar, Supply

REACTIVE_RESTOCK_UNITS = 200
LEAN_START_DAYS = 14
LEAN_WINDOW_DAYS = 28


@dataclass
class ForecastError:
    windows: int = 0
    actual_units: float = 0.0
    absolute_error: float = 0.0
    naive_absolute_error: float = 0.0
    smape_sum: float = 0.0
    smape_windows: int = 0
    ape_sum: float = 0.0
    ape_windows: int = 0
    squared_error: float = 0.0
    naive_squared_error: float = 0.0
    # Per origin day, summed over the SKUs: [forecast, actual, naive] (the catalog-level error).
    by_origin: dict[date, list[float]] = field(default_factory=dict)

    @property
    def catalog_wape(self) -> float:
        actual = sum(a for _, a, _ in self.by_origin.values())
        return sum(abs(f - a) for f, a, _ in self.by_origin.values()) / actual if actual else 0.0

    @property
    def catalog_naive_wape(self) -> float:
        actual = sum(a for _, a, _ in self.by_origin.values())
        return sum(abs(n - a) for _, a, n in self.by_origin.values()) / actual if actual else 0.0

    @property
    def wape(self) -> float:
        return self.absolute_error / self.actual_units if self.actual_units else 0.0

    @property
    def naive_wape(self) -> float:
        return self.naive_absolute_error / self.actual_units if self.actual_units else 0.0

    @property
    def rmse(self) -> float:
        return (self.squared_error / self.windows) ** 0.5 if self.windows else 0.0

    @property
    def naive_rmse(self) -> float:
        return (self.naive_squared_error / self.windows) ** 0.5 if self.windows else 0.0

    @property
    def smape(self) -> float:
        return self.smape_sum / self.smape_windows if self.smape_windows else 0.0

    @property
    def mape(self) -> float:
        return self.ape_sum / self.ape_windows if self.ape_windows else 0.0


@dataclass
class StockOuts:
    skus: int = 0
    days: int = 0
    reactive_stockout_days: int = 0
    plan_stockout_days: int = 0
    plan_units_short: int = 0
    plan_orders: int = 0
    reactive_stock_units: float = 0.0
    plan_stock_units: float = 0.0

    @property
    def avoided(self) -> int:
        return self.reactive_stockout_days - self.plan_stockout_days

    @property
    def avoided_share(self) -> float:
        return self.avoided / self.reactive_stockout_days if self.reactive_stockout_days else 0.0

    @property
    def reactive_mean_stock(self) -> float:
        return self.reactive_stock_units / self.days if self.days else 0.0

    @property
    def plan_mean_stock(self) -> float:
        return self.plan_stock_units / self.days if self.days else 0.0


@dataclass
class BacktestReport:
    start: date
    end: date
    error: ForecastError = field(default_factory=ForecastError)
    # From the real closing stock, and from the lean start.
    stockouts: StockOuts = field(default_factory=StockOuts)
    lean: StockOuts = field(default_factory=StockOuts)


def units_on(days: Mapping[str, list[int]], day: date) -> int:
    entry = days.get(day.isoformat())
    return int(entry[0]) if entry else 0


def closing_on_hand(days: Mapping[str, list[int]], before: date) -> int | None:
    """Closing on hand of the latest day before `before` with a record, None without one."""
    earlier = [name for name, entry in days.items() if name < before.isoformat() and len(entry) >= 4]
    return int(days[max(earlier)][3]) if earlier else None


def backtest(
    signals: Mapping[str, Mapping[str, Any]],
    *,
    end: date,
    test_days: int,
    calendar: RetailCalendar,
    supply: Supply,
    rules: PlanRules,
) -> BacktestReport:
    """Replays the last `test_days` before `end` (exclusive) of `signals` (the projection's documents)."""
    start = end - timedelta(days=test_days)
    report = BacktestReport(start, end)
    history = {sku: doc.get("days", {}) for sku, doc in signals.items()}
    totals = dm.catalog_totals(history.values())
    since = min(totals) if totals else None
    seasons = {day: dm.fit_seasonality(totals, calendar, end=day) for day in dm.day_range(start, end)}
    for sku, days in sorted(history.items()):
        lead = supply.supplier_of(sku).lead_time_days
        plans = {
            day: dm.stock_plan(
                days,
                seasons[day],
                today=day,
                window=rules.demand_window_days,
                since=since,
                lead_time_days=lead,
                service_level=rules.service_level,
                record_reorder_point=0,
            )
            for day in dm.day_range(start, end)
        }
        _score_forecasts(report.error, days, plans, seasons, lead, end, since, rules)
        _replay(report.stockouts, days, plans, seasons, lead, start, end, rules, closing_on_hand(days, start))
        before = sum(units_on(days, start - timedelta(days=i)) for i in range(1, LEAN_WINDOW_DAYS + 1))
        if before > 0:
            lean = max(1, math.ceil(before / LEAN_WINDOW_DAYS * LEAN_START_DAYS))
            _replay(report.lean, days, plans, seasons, lead, start, end, rules, lean)
    return report


def _score_forecasts(
    error: ForecastError,
    days: Mapping[str, list[int]],
    plans: Mapping[date, dm.StockPlan],
    seasons: Mapping[date, dm.Seasonality],
    lead: int,
    end: date,
    since: date | None,
    rules: PlanRules,
) -> None:
    for origin, plan in plans.items():
        if origin + timedelta(days=lead) > end:
            continue
        actual = float(sum(units_on(days, origin + timedelta(days=i)) for i in range(lead)))
        forecast = sum(dm.forecast(plan.demand.level, seasons[origin], origin, lead))
        naive = plan.demand.recent_rate * lead
        sums = error.by_origin.setdefault(origin, [0.0, 0.0, 0.0])
        sums[0], sums[1], sums[2] = sums[0] + forecast, sums[1] + actual, sums[2] + naive
        if actual == 0 and forecast == 0:
            continue
        error.windows += 1
        error.actual_units += actual
        error.absolute_error += abs(forecast - actual)
        error.naive_absolute_error += abs(naive - actual)
        error.squared_error += (forecast - actual) ** 2
        error.naive_squared_error += (naive - actual) ** 2
        error.smape_sum += 2 * abs(forecast - actual) / (abs(forecast) + abs(actual))
        error.smape_windows += 1
        if actual > 0:
            error.ape_sum += abs(forecast - actual) / actual
            error.ape_windows += 1


def _replay(
    outs: StockOuts,
    days: Mapping[str, list[int]],
    plans: Mapping[date, dm.StockPlan],
    seasons: Mapping[date, dm.Seasonality],
    lead: int,
    start: date,
    end: date,
    rules: PlanRules,
    opening: int | None,
) -> None:
    if opening is None:
        return  # no stock record before the window: nothing to start the replay from
    outs.skus += 1
    reactive = planned = max(opening, 0)
    arriving: dict[date, int] = {}
    for day in dm.day_range(start, end):
        demand = units_on(days, day)
        # Reactive: serve what is there; short means a stock-out and the emergency restock.
        if demand > reactive:
            outs.reactive_stockout_days += 1
            reactive += REACTIVE_RESTOCK_UNITS
        reactive -= demand
        # The plan: receive, order when the position reaches the reorder point, then serve.
        planned += arriving.pop(day, 0)
        plan = plans[day]
        position = planned + sum(arriving.values())
        if plan.demand.level > 0 and position <= plan.reorder_level:
            cover = dm.forecast(plan.demand.level, seasons[day], day, lead + rules.cover_target_days)
            quantity = max(1, math.ceil(sum(cover) + plan.reorder.safety_stock - position - 1e-9))
            due = day + timedelta(days=lead)
            arriving[due] = arriving.get(due, 0) + quantity
            outs.plan_orders += 1
        if demand > planned:
            outs.plan_stockout_days += 1
            outs.plan_units_short += demand - planned
            planned = 0
        else:
            planned -= demand
        outs.days += 1
        outs.reactive_stock_units += reactive
        outs.plan_stock_units += planned
