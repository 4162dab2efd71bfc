"""Segment stability (agent crm-segmentation-personalization): how many customers keep their segment
from one weekly run to the next, on the demo history's plan (hph.host.history.plan: the orders the
generator would place, pure data, so no platform runs). `hph eval segments` segments the plan's
shoppers every RUN_EVERY over the last RUNS weeks of a DAYS-day history and reports, per pair of
consecutive runs, the share of customers in the same segment, with the sizes; it also checks every
run covers every customer exactly once. It exits 1 when the mean stability is below FLOOR, when a
run loses or doubles a customer, or when fewer than MIN_SEGMENTS segments are used (a segmentation
that puts everyone in one segment is perfectly stable and useless).

Orders are valued at the catalog's prices (no tax or shipping) and refunds are left out: RFM ranks
customers against each other, which this keeps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from hph.agents.crm_activity.records import Activity, LineRecord, OrderRecord, Stage
from hph.agents.crm_segmentation_personalization.rfm import Run, Segment, segment, stability
from hph.commerce.demo_data import generate_catalog
from hph.host.history.plan import plan_history

EVAL_SEED: Final = 12
DAYS: Final = 90
SHOPPERS: Final = 40
ORDERS_PER_DAY: Final = 12.0
END: Final = date(2026, 12, 1)
RUN_EVERY: Final = timedelta(days=7)
RUNS: Final = 5
# CI's floors: below what the rules measure on the plan (docs/agents/crm-segmentation-personalization.md).
FLOOR: Final = 0.6
MIN_SEGMENTS: Final = 4


@dataclass(frozen=True)
class Report:
    runs: tuple[Run, ...]
    customers: int

    @property
    def stabilities(self) -> list[float]:
        return [stability(a.assignments(), b.assignments()) for a, b in zip(self.runs, self.runs[1:], strict=False)]

    @property
    def mean_stability(self) -> float:
        values = self.stabilities
        return sum(values) / len(values) if values else 1.0

    def coverage_errors(self) -> list[str]:
        errors = []
        for run in self.runs:
            if len(run.customers) != self.customers or sum(run.sizes().values()) != self.customers:
                errors.append(f"run of {run.run_at:%Y-%m-%d}: {len(run.customers)} of {self.customers} customers")
        return errors

    @property
    def segments_used(self) -> int:
        return len({seg for run in self.runs for seg, size in run.sizes().items() if size})


def activities(seed: int = EVAL_SEED, *, until: datetime) -> list[Activity]:
    """Every planned shopper's orders placed before `until`, as the projection would hold them."""
    products = {p.id: p for p in generate_catalog().products}
    plan = plan_history(
        list(products.values()), days=DAYS, seed=seed, end=END, orders_per_day=ORDERS_PER_DAY, shoppers=SHOPPERS
    )
    orders: dict[int, list[OrderRecord]] = {index: [] for index in range(SHOPPERS)}
    for number, planned in enumerate(plan.orders):
        if planned.placed_at >= until:
            continue
        lines = tuple(LineRecord(sku, products[sku].category_id, quantity) for sku, quantity in planned.lines)
        total = sum(products[sku].price_minor * quantity for sku, quantity in planned.lines)
        orders[planned.shopper].append(
            OrderRecord(f"plan-{number}", planned.placed_at, total, "USD", lines, Stage.PAID, planned.cancelled)
        )
    return [
        Activity(
            f"history-shopper-{index:03d}",
            registered_at=datetime.combine(plan.start, time(), tzinfo=UTC),
            orders=tuple(sorted(found, key=lambda o: o.placed_at or until, reverse=True)),
        )
        for index, found in orders.items()
    ]


def evaluate(seed: int = EVAL_SEED) -> Report:
    end = datetime.combine(END, time(), tzinfo=UTC)
    moments = [end - RUN_EVERY * back for back in range(RUNS - 1, -1, -1)]
    runs = tuple(segment(activities(seed, until=moment), moment) for moment in moments)
    return Report(runs, SHOPPERS)


def below_floor(report: Report) -> list[str]:
    failures = report.coverage_errors()
    if report.mean_stability < FLOOR:
        failures.append(f"segment stability {report.mean_stability:.3f} < {FLOOR}")
    if report.segments_used < MIN_SEGMENTS:
        failures.append(f"only {report.segments_used} segment(s) used < {MIN_SEGMENTS}")
    return failures


def render(report: Report) -> str:
    order = list(Segment)
    lines = ["run         " + "".join(f"{seg.value[:11]:>12}" for seg in order) + "   kept"]
    kept = [None, *report.stabilities]
    for run, share in zip(report.runs, kept, strict=True):
        sizes: Counter[Segment] = run.sizes()
        lines.append(
            f"{run.run_at:%Y-%m-%d}  "
            + "".join(f"{sizes[seg]:>12}" for seg in order)
            + (f"  {share:5.3f}" if share is not None else "      -")
        )
    lines.append(
        f"mean stability {report.mean_stability:.3f} over {len(report.stabilities)} weekly pairs; "
        f"{report.segments_used} segments used; floor: stability >= {FLOOR}, segments >= {MIN_SEGMENTS}"
    )
    return "\n".join(lines)
