"""`hph eval stock`'s scoring on hand-made histories: the replenishment backtest (forecast error
without look-ahead, stock-outs under the plan against reactive restocking) and the spike
evaluation's precision and recall, and the floors that fail the command."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hph.agents.inventory_alerts_triggers.evaluation import evaluate_spikes
from hph.agents.inventory_alerts_triggers.rules import default_rules as alert_rules
from hph.agents.inventory_jit_replenishment.backtest import backtest
from hph.agents.inventory_jit_replenishment.rules import default_rules as plan_rules
from hph.agents.inventory_signals.supply import RetailCalendar, default_supply
from hph.host.history import stock_eval

pytestmark = pytest.mark.unit

END = date(2026, 10, 31)
NO_PERIODS = RetailCalendar("none", (), 3)


def steady(per_day: int, *, days: int = 70, on_hand: int = 500, wobble: bool = True) -> dict[str, object]:
    found: dict[str, list[int]] = {}
    for i in range(1, days + 1):
        day = END - timedelta(days=i)
        units = per_day + ((i % 3) - 1 if wobble else 0)
        found[day.isoformat()] = [units, units, on_hand, on_hand]
    return {"sku": "X", "days": found}


def docs(n: int, per_day: int = 3, on_hand: int = 500) -> dict[str, dict[str, object]]:
    return {f"SKU-{i:03d}": {**steady(per_day, on_hand=on_hand), "sku": f"SKU-{i:03d}"} for i in range(n)}


def test_a_steady_demand_is_forecast_closely_and_better_than_nothing() -> None:
    report = backtest(docs(3), end=END, test_days=28, calendar=NO_PERIODS, supply=default_supply(), rules=plan_rules())
    assert report.error.windows > 0 and report.error.wape < 0.15
    assert report.error.catalog_wape < 0.1 and report.error.smape < 0.2


def test_from_a_lean_start_the_plan_avoids_the_reactive_stock_outs() -> None:
    report = backtest(
        docs(3, on_hand=20), end=END, test_days=28, calendar=NO_PERIODS, supply=default_supply(), rules=plan_rules()
    )
    lean = report.lean
    assert lean.skus == 3 and lean.reactive_stockout_days >= 3  # 14 days of stock runs dry within 28 days
    assert lean.plan_stockout_days < lean.reactive_stockout_days and lean.avoided_share > 0.5
    assert lean.plan_orders >= 3
    real = report.stockouts
    assert real.reactive_stockout_days >= 3  # 20 units on hand at 3 a day


def test_injected_spikes_are_found_and_a_flat_history_flags_nothing_else() -> None:
    history = {f"SKU-{i:03d}": {"days": steady(3, wobble=False)["days"]} for i in range(20)}
    report = evaluate_spikes(
        history, end=END, test_days=28, calendar=NO_PERIODS, rules=alert_rules(), injections=10, seed=1
    )
    assert len(report.injected) == 10 and report.sku_days == 20 * 28
    assert report.precision == 1.0 and report.recall == 1.0


def test_the_floors_fail_the_command() -> None:
    history = docs(3, on_hand=20)
    report = stock_eval.score(history, end=END)
    assert stock_eval.below_floors(report) == [], stock_eval.render(report)
    report.spikes.flagged |= {(f"SKU-{i}", END) for i in range(100)}  # a flood of false alarms
    assert any("precision" in failure for failure in stock_eval.below_floors(report))
