"""Sentiment quality: the support scorer over hand-labelled ticket texts (data/ticket_sentiment.json;
each label is the tone a support lead reads in the text). `hph eval sentiment` prints the accuracy,
macro F1 and a confusion table for the shipped scorer and, beside it, VADER with its default lexicon
and thresholds; it exits 1 when the shipped scorer's accuracy is below FLOOR."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Final

from hph.agents.crm_support_assistance.sentiment import Label, ToneScorer

DATASET: Final = "ticket_sentiment.json"
# CI's floor: below what the shipped scorer measures (0.826 on 86 texts), above VADER's defaults
# (0.663), so losing the support adjustments fails CI.
FLOOR: Final = 0.78
LABELS: Final = tuple(label.value for label in Label)


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    label: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    predicted: str
    compound: float


@dataclass(frozen=True)
class Report:
    name: str
    outcomes: tuple[Outcome, ...]

    @property
    def accuracy(self) -> float:
        return sum(o.predicted == o.case.label for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    def confusion(self) -> Counter[tuple[str, str]]:
        return Counter((o.case.label, o.predicted) for o in self.outcomes)

    @property
    def macro_f1(self) -> float:
        scores = []
        for label in LABELS:
            tp = sum(1 for o in self.outcomes if o.predicted == label == o.case.label)
            fp = sum(1 for o in self.outcomes if o.predicted == label != o.case.label)
            fn = sum(1 for o in self.outcomes if o.case.label == label != o.predicted)
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
        return sum(scores) / len(scores)


def load_cases() -> list[Case]:
    text = resources.files("hph.agents.crm_support_assistance").joinpath("data", DATASET).read_text("utf-8")
    return [Case(str(c["id"]), str(c["text"]), str(c["label"])) for c in json.loads(text)["cases"]]


def evaluate(scorer: ToneScorer, name: str, cases: list[Case] | None = None) -> Report:
    outcomes = []
    for case in cases if cases is not None else load_cases():
        tone = scorer.score(case.text)
        outcomes.append(Outcome(case, tone.label.value, tone.compound))
    return Report(name, tuple(outcomes))


def evaluate_both() -> tuple[Report, Report]:
    """The shipped scorer, then VADER's defaults (the baseline it is compared with)."""
    cases = load_cases()
    return (
        evaluate(ToneScorer(adjusted=True), "shipped (VADER + support lexicon)", cases),
        evaluate(ToneScorer(adjusted=False), "VADER defaults", cases),
    )


def below_floor(report: Report) -> list[str]:
    return [f"sentiment accuracy {report.accuracy:.3f} < {FLOOR}"] if report.accuracy < FLOOR else []


def render(reports: tuple[Report, ...], *, per_case: bool) -> str:
    lines = [f"{'scorer':<36}{'n':>4}{'accuracy':>10}{'macro F1':>10}"]
    lines += [f"{r.name:<36}{len(r.outcomes):>4}{r.accuracy:>10.3f}{r.macro_f1:>10.3f}" for r in reports]
    lines.append(f"floor: accuracy >= {FLOOR} (shipped scorer)")
    shipped = reports[0]
    confusion = shipped.confusion()
    lines.append("")
    lines.append("labelled \\ predicted  " + "".join(f"{label:>10}" for label in LABELS))
    for expected in LABELS:
        lines.append(f"{expected:<21}" + "".join(f"{confusion[(expected, got)]:>10}" for got in LABELS))
    if per_case:
        lines.append("")
        lines += [
            f"{o.case.id} {o.case.label:>8} -> {o.predicted:<8} {o.compound:+.3f}  {o.case.text}"
            for o in shipped.outcomes
            if o.predicted != o.case.label
        ]
    return "\n".join(lines)
