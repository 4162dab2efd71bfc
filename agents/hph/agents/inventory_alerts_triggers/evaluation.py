"""Demand-spike precision on injected spikes (pure; `hph eval stock`).

Over the last `test_days` of a history of stock signals, `injections` SKUs (drawn with a fixed seed
among those that sold before the window) each get one spike on one drawn day: their units that day
become max(min_units + 3, ceil(SPIKE_FACTOR x the day's expected demand)), the expected demand being
the moving baseline's (deseasonalised level of the days before x the day's seasonal factor). Then
the spike rule (`core.demand_spike`, the shipped rules) judges every SKU on every day of the window
as of the end of that day. A flagged SKU-day that was injected is a true positive; any other
flagged SKU-day (the history's own bursts, Black Friday for a SKU the indices do not fit) is a
false positive. Precision = TP / flagged, recall = TP / injected.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hph.agents.inventory_alerts_triggers import core
from hph.agents.inventory_alerts_triggers.rules import AlertRules
from hph.agents.inventory_signals import demand as dm
from hph.agents.inventory_signals.supply import RetailCalendar

SPIKE_FACTOR = 5


@dataclass
class SpikeReport:
    injected: set[tuple[str, date]] = field(default_factory=set)
    flagged: set[tuple[str, date]] = field(default_factory=set)
    sku_days: int = 0

    @property
    def true_positives(self) -> int:
        return len(self.flagged & self.injected)

    @property
    def precision(self) -> float:
        return self.true_positives / len(self.flagged) if self.flagged else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / len(self.injected) if self.injected else 0.0


def evaluate_spikes(
    signals: Mapping[str, Mapping[str, Any]],
    *,
    end: date,
    test_days: int,
    calendar: RetailCalendar,
    rules: AlertRules,
    injections: int,
    seed: int,
) -> SpikeReport:
    start = end - timedelta(days=test_days)
    window = dm.day_range(start, end)
    history = {sku: {name: list(entry) for name, entry in doc.get("days", {}).items()} for sku, doc in signals.items()}
    totals = dm.catalog_totals(history.values())
    since = min(totals) if totals else None
    seasons = {day: dm.fit_seasonality(totals, calendar, end=day) for day in window}
    sold_before = sorted(sku for sku, days in history.items() if any(name < start.isoformat() for name in days))
    rng = random.Random(seed)
    report = SpikeReport()
    for sku in rng.sample(sold_before, k=min(injections, len(sold_before))):
        day = rng.choice(window)
        days = history[sku]
        baseline = dm.estimate(days, seasons[day], end=day, window=rules.spike_baseline_days, since=since)
        expected = baseline.level * seasons[day].factor(day)
        units = max(rules.spike_min_units + 3, math.ceil(SPIKE_FACTOR * max(expected, 1.0)))
        entry = days.setdefault(day.isoformat(), [0, 0])
        entry[0], entry[1] = units, max(entry[1], units)
        report.injected.add((sku, day))
    for sku, days in history.items():
        for day in window:
            report.sku_days += 1
            if core.demand_spike(days, seasons[day], rules=rules, today=day, since=since, sku=sku) is not None:
                report.flagged.add((sku, day))
    return report
