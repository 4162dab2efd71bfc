"""`hph eval eta`: the ETA agent's decision core against the actual deliveries of a generated history.

A history (`generate_history`, fixed days and seed) is generated into a temporary data dir through the
real services; for every delivered shipment the ETA the agent's core gives *when the order was
placed* (no scans yet; the carrier's on-time record from the deliveries before that moment) is
compared with the day it was really delivered: mean absolute error in days, and the share of
deliveries inside the confidence window. Exits 1 below the floors (FLOORS, in docs/demo-history.md).
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from hph.agents.logistics_eta_computation import core
from hph.agents.logistics_eta_computation.tables import EtaTables, default_tables
from hph.host.history.driver import Progress, generate_history
from hph.runtime.settings import Settings

# The history the evaluation runs over: long enough for a few hundred deliveries.
EVAL_DAYS, EVAL_SEED, EVAL_ORDERS_PER_DAY = 30, 12, 10.0
# The end of the evaluated history is fixed so the figures do not depend on the day CI runs.
EVAL_END = date(2026, 12, 1)
# The floors CI holds the ETA core to: a little worse than it measures (docs/demo-history.md has both).
FLOORS = {"max_mae_days": 2.0, "min_coverage": 0.70}


@dataclass
class Group:
    deliveries: int = 0
    absolute_error_days: int = 0
    # Actual minus estimated delivery day, summed: positive means the ETAs were early on average.
    signed_error_days: int = 0
    inside_window: int = 0
    # Days the windows span (first to last day, inclusive), summed.
    window_days: int = 0

    @property
    def mae_days(self) -> float:
        return self.absolute_error_days / self.deliveries if self.deliveries else 0.0

    @property
    def bias_days(self) -> float:
        return self.signed_error_days / self.deliveries if self.deliveries else 0.0

    @property
    def coverage(self) -> float:
        return self.inside_window / self.deliveries if self.deliveries else 0.0

    @property
    def mean_window_days(self) -> float:
        return self.window_days / self.deliveries if self.deliveries else 0.0


@dataclass
class EtaReport:
    overall: Group = field(default_factory=Group)
    by_carrier: dict[str, Group] = field(default_factory=dict)
    # Per service level: (deliveries, sum of squared business days between the core's ETA and the
    # carrier's own promise), the data `window.model_error_days` is calibrated from.
    promise_error: dict[str, tuple[int, int]] = field(default_factory=dict)

    def fitted_model_error_days(self) -> dict[str, float]:
        """Per level, the root mean square of the core's error against the carriers' promises."""
        return {level: round(math.sqrt(squares / n), 2) for level, (n, squares) in sorted(self.promise_error.items())}


def evaluate_deliveries(deliveries: Sequence[Mapping[str, str]], tables: EtaTables | None = None) -> EtaReport:
    """Scores the core's ETA at placement against each delivery (dicts as `HistorySummary.deliveries`)."""
    tables = tables or default_tables()
    calendar = core.Calendar(tables.holidays)
    report = EtaReport()
    done = sorted(deliveries, key=lambda d: d["delivered"])
    for delivery in sorted(deliveries, key=lambda d: d["placed_at"]):
        placed = datetime.fromisoformat(delivery["placed_at"])
        delivered = datetime.fromisoformat(delivery["delivered"])
        carrier, level = delivery["carrier"], delivery["service_level"]
        earlier = [
            d
            for d in done
            if d["carrier"] == carrier and d["service_level"] == level and d["delivered"] < delivery["placed_at"]
        ]
        record = core.delivery_record(
            ((date.fromisoformat(d["estimated"][:10]), date.fromisoformat(d["delivered"][:10])) for d in earlier),
            tables,
        )
        estimate = core.estimate(
            core.Route(carrier, level, "US", delivery["postal_code"]),
            ready_at=placed,
            now=placed,
            tables=tables,
            record=record,
        )
        signed = (delivered.date() - estimate.eta.date()).days
        inside = estimate.window_start <= delivered < estimate.window_end
        for group in (report.overall, report.by_carrier.setdefault(carrier, Group())):
            group.deliveries += 1
            group.absolute_error_days += abs(signed)
            group.signed_error_days += signed
            group.inside_window += inside
            group.window_days += (estimate.window_end - estimate.window_start).days
        promised = datetime.fromisoformat(delivery["estimated"]).date()
        off = calendar.between(estimate.eta.date(), promised) or -calendar.between(promised, estimate.eta.date())
        n, squares = report.promise_error.get(level, (0, 0))
        report.promise_error[level] = (n + 1, squares + off * off)
    return report


async def evaluate(progress: Progress | None = None, *, seed: int = EVAL_SEED) -> EtaReport:
    with tempfile.TemporaryDirectory(prefix="hph-eta-eval-") as data_dir:
        settings = Settings(data_dir=Path(data_dir), grpc_port=0, shutdown_grace_seconds=1.0)
        summary = await generate_history(
            settings,
            days=EVAL_DAYS,
            seed=seed,
            orders_per_day=EVAL_ORDERS_PER_DAY,
            end=EVAL_END,
            progress=progress,
        )
    return evaluate_deliveries(summary.deliveries)


def below_floors(report: EtaReport) -> list[str]:
    failures = []
    if report.overall.mae_days > FLOORS["max_mae_days"]:
        failures.append(f"mean absolute error {report.overall.mae_days:.2f} days > {FLOORS['max_mae_days']}")
    if report.overall.coverage < FLOORS["min_coverage"]:
        failures.append(f"window coverage {report.overall.coverage:.3f} < {FLOORS['min_coverage']}")
    return failures


def render(report: EtaReport) -> str:
    lines = [f"{'carrier':<10}{'n':>6}{'MAE days':>10}{'bias days':>11}{'coverage':>10}{'window days':>13}"]

    def row(name: str, group: Group) -> str:
        return (
            f"{name:<10}{group.deliveries:>6}{group.mae_days:>10.2f}{group.bias_days:>+11.2f}"
            f"{group.coverage:>10.3f}{group.mean_window_days:>13.2f}"
        )

    lines.append(row("all", report.overall))
    lines += [row(f"  {name}", group) for name, group in sorted(report.by_carrier.items())]
    fitted = ", ".join(f"{level} {sd:g}" for level, sd in report.fitted_model_error_days().items())
    lines.append(f"model error against the carriers' promises (window.model_error_days fit, sd in days): {fitted}")
    lines.append(f"floors: MAE <= {FLOORS['max_mae_days']} days, coverage >= {FLOORS['min_coverage']}")
    return "\n".join(lines)
