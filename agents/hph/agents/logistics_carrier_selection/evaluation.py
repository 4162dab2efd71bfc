"""Carrier-choice quality: the share of labelled cases (data/carrier_eval.json) where the agent's
choice is the hand-labelled carrier and level, and the share of cases whose choice meets the
promise when the label does. `hph eval carrier` prints it and exits 1 below FLOOR."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any

from hph.agents.logistics_carrier_selection.decisions import OnTimeCounts, select
from hph.agents.logistics_carrier_selection.rates import Parcel, default_rate_book
from hph.commerce.carriers import ServiceLevel

DATASET = "carrier_eval.json"
# CI's floor: every case is labelled by hand from the rate tables, so anything below all-but-one
# right is a regression in the rule or the data.
FLOOR = 0.93


@dataclass(frozen=True)
class Case:
    id: str
    parcel: Parcel
    promised_by: date
    min_level: ServiceLevel | None
    carriers: tuple[str, ...]
    history: tuple[tuple[str, ServiceLevel, int, int], ...]
    expected: str
    why: str

    def counts(self) -> OnTimeCounts:
        counts = OnTimeCounts()
        for carrier, level, on_time, late in self.history:
            for _ in range(on_time):
                counts.add(carrier, level, True)
            for _ in range(late):
                counts.add(carrier, level, False)
        return counts


@dataclass(frozen=True)
class Outcome:
    case: Case
    chosen: str

    @property
    def right(self) -> bool:
        return self.chosen == self.case.expected


@dataclass(frozen=True)
class Report:
    now: datetime
    outcomes: tuple[Outcome, ...]

    @property
    def accuracy(self) -> float:
        return sum(o.right for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0


def load_dataset() -> tuple[datetime, list[Case]]:
    data = json.loads(resources.files(__package__).joinpath("data", DATASET).read_text(encoding="utf-8"))
    cases = [_case(entry) for entry in data["cases"]]
    return datetime.fromisoformat(data["now"]), cases


def _case(entry: dict[str, Any]) -> Case:
    p = entry["parcel"]
    return Case(
        id=entry["id"],
        parcel=Parcel(
            p["weight_grams"],
            p.get("length_mm", 0),
            p.get("width_mm", 0),
            p.get("height_mm", 0),
            p["country_code"],
            p.get("postal_code", ""),
        ),
        promised_by=date.fromisoformat(entry["promised_by"]),
        min_level=ServiceLevel(entry["min_level"]) if entry.get("min_level") else None,
        carriers=tuple(entry.get("carriers", ())),
        history=tuple((c, ServiceLevel(lv), ok, late) for c, lv, ok, late in entry.get("history", ())),
        expected=entry["expected"],
        why=entry.get("why", ""),
    )


Chooser = Callable[[Case, datetime], Awaitable[str]]


async def choose_in_process(case: Case, now: datetime) -> str:
    """The decision core over the shipped rate tables, with the case's delivery history."""
    selection = select(
        default_rate_book(),
        case.parcel,
        now=now,
        promised_by=case.promised_by,
        counts=case.counts(),
        min_level=case.min_level,
        carriers=case.carriers,
    )
    return selection.selected.key


async def evaluate(choose: Chooser = choose_in_process) -> Report:
    now, cases = load_dataset()
    return Report(now, tuple([Outcome(case, await choose(case, now)) for case in cases]))


def render(report: Report, *, per_case: bool) -> str:
    right = sum(o.right for o in report.outcomes)
    lines = [f"cases {len(report.outcomes)}, right {right}, accuracy {report.accuracy:.3f} (floor {FLOOR})"]
    if per_case:
        lines += [
            f"{'ok ' if o.right else 'BAD'} {o.case.id:<22} chose {o.chosen:<16} expected {o.case.expected}"
            for o in report.outcomes
        ]
    return "\n".join(lines)


def below_floor(report: Report) -> Sequence[str]:
    return [f"carrier-choice accuracy {report.accuracy:.3f} < {FLOOR}"] if report.accuracy < FLOOR else []
