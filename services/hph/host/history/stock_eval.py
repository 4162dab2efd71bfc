"""`hph eval stock`: the stock agents against a generated history.

A history (`generate_history`, fixed days and seed, ending on a fixed day) is generated into a
temporary data dir through the real services; its inventory events are then folded from the event
log exactly as the stock signals projection folds them (`hph.agents.inventory_signals.projection.fold`,
read straight from the log, so the figures do not depend on how far a consumer group got), and

- the replenishment backtest (`hph.agents.inventory_jit_replenishment.backtest`) scores the demand
  forecast over each SKU's lead time (WAPE, sMAPE, MAPE, against a naive mean) and replays the
  last weeks under the plan against the history's reactive restocking (stock-out days avoided);
- the spike evaluation (`hph.agents.inventory_alerts_triggers.evaluation`) injects demand spikes and
  measures the alert rule's precision and recall.

Exits 1 below the floors (FLOORS; docs/agents/inventory-jit-replenishment.md and
docs/agents/inventory-alerts-triggers.md have the figures).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path
from typing import Any

from hph.agents.inventory_alerts_triggers.evaluation import SpikeReport, evaluate_spikes
from hph.agents.inventory_alerts_triggers.rules import default_rules as alert_rules
from hph.agents.inventory_jit_replenishment.backtest import LEAN_START_DAYS, BacktestReport, StockOuts, backtest
from hph.agents.inventory_jit_replenishment.rules import default_rules as plan_rules
from hph.agents.inventory_signals import state
from hph.agents.inventory_signals.projection import TOPIC, fold
from hph.agents.inventory_signals.supply import default_calendar, default_supply
from hph.host.history.driver import Progress, generate_history
from hph.runtime.eventlog.opening import open_event_log
from hph.runtime.eventlog.port import Position
from hph.runtime.events import payload_of
from hph.runtime.settings import Settings

# The history: long enough for 28 days of demand before each of the 28 days tested, ending after
# the Black Friday weekend so the window holds the year's busiest days.
EVAL_DAYS, EVAL_SEED, EVAL_ORDERS_PER_DAY = 70, 12, 10.0
EVAL_END = date(2026, 12, 1)
TEST_DAYS = 28
SPIKE_INJECTIONS, SPIKE_SEED = 40, 7
# The floors CI holds the stock agents to: a little worse than they measure (the docs have both).
FLOORS = {
    "max_wape": 1.0,
    "max_rmse_to_naive": 1.05,
    "max_catalog_wape": 0.15,
    "min_avoided_share": 0.5,
    "min_spike_precision": 0.85,
    "min_spike_recall": 0.9,
}


@dataclass
class StockReport:
    backtest: BacktestReport
    spikes: SpikeReport
    skus: int


async def fold_log(settings: Settings) -> dict[str, dict[str, Any]]:
    """Every SKU's signals folded from the data dir's inventory events, in log order per partition."""
    log = await open_event_log(settings)
    docs: dict[str, dict[str, Any]] = {}
    try:
        partitions = (await log.topics()).get(TOPIC, 0)
        for partition in range(partitions):
            position = Position.earliest()
            while True:
                batch = await log.read(TOPIC, partition, position, max_events=500)
                for event in batch.events:
                    payload: Any = payload_of(event.envelope)
                    sku = getattr(payload, "sku", "")
                    if not sku:
                        continue
                    folded = fold(
                        docs.get(sku) or state.empty(sku), payload, event.envelope.occurred_at.ToDatetime(tzinfo=UTC)
                    )
                    if folded is not None:
                        docs[sku] = folded
                if not batch.events:
                    break
                position = batch.next_position
    finally:
        await log.close()
    return docs


def score(docs: Mapping[str, Mapping[str, Any]], *, end: date = EVAL_END) -> StockReport:
    calendar = default_calendar()
    report = backtest(
        docs, end=end, test_days=TEST_DAYS, calendar=calendar, supply=default_supply(), rules=plan_rules()
    )
    spikes = evaluate_spikes(
        docs,
        end=end,
        test_days=TEST_DAYS,
        calendar=calendar,
        rules=alert_rules(),
        injections=SPIKE_INJECTIONS,
        seed=SPIKE_SEED,
    )
    return StockReport(report, spikes, len(docs))


async def evaluate(progress: Progress | None = None, *, seed: int = EVAL_SEED) -> StockReport:
    with tempfile.TemporaryDirectory(prefix="hph-stock-eval-") as data_dir:
        settings = Settings(data_dir=Path(data_dir), grpc_port=0, shutdown_grace_seconds=1.0)
        await generate_history(
            settings, days=EVAL_DAYS, seed=seed, orders_per_day=EVAL_ORDERS_PER_DAY, end=EVAL_END, progress=progress
        )
        docs = await fold_log(settings)
    return score(docs)


def below_floors(report: StockReport) -> list[str]:
    failures = []
    error, outs, spikes = report.backtest.error, report.backtest.lean, report.spikes
    if error.wape > FLOORS["max_wape"]:
        failures.append(f"forecast WAPE {error.wape:.3f} > {FLOORS['max_wape']}")
    if error.naive_rmse and error.rmse / error.naive_rmse > FLOORS["max_rmse_to_naive"]:
        failures.append(
            f"forecast RMSE {error.rmse:.3f} is {error.rmse / error.naive_rmse:.3f} x the naive "
            f"{error.naive_rmse:.3f} > {FLOORS['max_rmse_to_naive']}"
        )
    if error.catalog_wape > FLOORS["max_catalog_wape"]:
        failures.append(f"catalog forecast WAPE {error.catalog_wape:.3f} > {FLOORS['max_catalog_wape']}")
    if outs.avoided_share < FLOORS["min_avoided_share"]:
        failures.append(f"share of stock-outs avoided {outs.avoided_share:.3f} < {FLOORS['min_avoided_share']}")
    if spikes.precision < FLOORS["min_spike_precision"]:
        failures.append(f"spike alert precision {spikes.precision:.3f} < {FLOORS['min_spike_precision']}")
    if spikes.recall < FLOORS["min_spike_recall"]:
        failures.append(f"spike alert recall {spikes.recall:.3f} < {FLOORS['min_spike_recall']}")
    return failures


def _stockout_lines(scenario: str, outs: StockOuts) -> list[str]:
    return [
        f"  stock-out days {scenario}, {outs.skus} SKUs: reactive restocking {outs.reactive_stockout_days}, "
        f"with the plan {outs.plan_stockout_days} ({outs.plan_units_short} units short); avoided {outs.avoided} "
        f"({outs.avoided_share:.1%})",
        f"    mean stock per SKU-day: reactive {outs.reactive_mean_stock:.1f}, with the plan "
        f"{outs.plan_mean_stock:.1f} ({outs.plan_orders} purchase orders)",
    ]


def render(report: StockReport) -> str:
    error, outs, spikes = report.backtest.error, report.backtest.lean, report.spikes
    window = f"{report.backtest.start.isoformat()}..{report.backtest.end.isoformat()} (exclusive)"
    return "\n".join(
        [
            f"replenishment backtest over {window}, {report.skus} SKUs with stock events",
            f"  forecast over each SKU's lead time, {error.windows} SKU-windows, {error.actual_units:.0f} units:",
            f"    RMSE {error.rmse:.3f} units (naive 28-day mean {error.naive_rmse:.3f}), WAPE {error.wape:.3f} "
            f"(naive {error.naive_wape:.3f}), sMAPE {error.smape:.3f}, MAPE {error.mape:.3f}",
            f"    summed over the catalog per day: WAPE {error.catalog_wape:.3f} "
            f"(naive {error.catalog_naive_wape:.3f})",
            *_stockout_lines("from the real stock", report.backtest.stockouts),
            *_stockout_lines(f"from a lean start ({LEAN_START_DAYS} days of demand)", outs),
            f"demand-spike alerts on {len(spikes.injected)} injected spikes over {spikes.sku_days} SKU-days:",
            f"  flagged {len(spikes.flagged)}, true {spikes.true_positives}: precision {spikes.precision:.3f}, "
            f"recall {spikes.recall:.3f}",
            f"floors: per SKU WAPE <= {FLOORS['max_wape']} and RMSE <= {FLOORS['max_rmse_to_naive']} x naive, "
            f"summed WAPE <= {FLOORS['max_catalog_wape']}, "
            f"stock-outs avoided from the lean start >= {FLOORS['min_avoided_share']:.0%}, "
            f"spike precision >= {FLOORS['min_spike_precision']}, recall >= {FLOORS['min_spike_recall']}",
        ]
    )
