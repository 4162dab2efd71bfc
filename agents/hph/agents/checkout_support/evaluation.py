"""Risk-decision quality: the decision core over hand-labelled checkout situations
(data/risk_eval.json; each label is what a fraud analyst would do, written from the situation, not
from the policy's numbers). `hph eval risk` prints accuracy, a confusion table and the misses, and
exits 1 below FLOOR or when any labelled deny is approved (or any labelled approve denied)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from hph.agents.checkout_support import risk
from hph.agents.checkout_support.orders import LOOKBACK

DATASET = "risk_eval.json"
# CI's floor: a little below what the shipped policy scores (docs/agents/checkout-support.md).
FLOOR = 0.85
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DECISIONS = tuple(d.value for d in risk.Decision)


@dataclass(frozen=True)
class Case:
    id: str
    expected: str
    why: str
    signals: risk.Signals


@dataclass(frozen=True)
class Outcome:
    case: Case
    decided: str
    score: float

    @property
    def right(self) -> bool:
        return self.decided == self.case.expected

    @property
    def opposite(self) -> bool:
        """Approve for a labelled deny, or deny for a labelled approve: the mistakes CI never accepts."""
        return {self.decided, self.case.expected} == {"approve", "deny"}


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...]

    @property
    def accuracy(self) -> float:
        return sum(o.right for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    def confusion(self) -> Counter[tuple[str, str]]:
        return Counter((o.case.expected, o.decided) for o in self.outcomes)


def load_dataset(now: datetime = NOW) -> list[Case]:
    data = json.loads(resources.files(__package__).joinpath("data", DATASET).read_text(encoding="utf-8"))
    return [_case(entry, now) for entry in data["cases"]]


def _case(entry: dict[str, Any], now: datetime) -> Case:
    past: list[risk.PastOrder] = []
    for burst_index, burst in enumerate(entry.get("orders", ())):
        for n in range(burst["count"]):
            placed = now - timedelta(seconds=burst["seconds_ago"]) + timedelta(seconds=n * burst["every_seconds"])
            past.append(
                risk.PastOrder(
                    f"{entry['id']}-{burst_index}-{n}",
                    placed,
                    burst["amount_minor"],
                    "USD",
                    burst["card"],
                    bool(burst.get("paid", False)),
                )
            )
    recent = [o for o in past if o.placed_at >= now - LOOKBACK]  # what the projection reads
    card = entry["card"]
    age = entry.get("account_age_hours")
    if entry["expected"] not in DECISIONS:
        raise ValueError(f"{DATASET}: case {entry['id']}: expected must be one of {DECISIONS}")
    return Case(
        id=entry["id"],
        expected=entry["expected"],
        why=entry.get("why", ""),
        signals=risk.Signals(
            amount_minor=entry["amount_minor"],
            currency_code="USD",
            card=card,
            shopper_orders=recent,
            card_orders=[o for o in recent if card and o.card == card],
            account_created_at=None if age is None else now - timedelta(hours=age),
        ),
    )


def evaluate(policy: risk.Policy = risk.DEFAULT_POLICY, now: datetime = NOW) -> Report:
    outcomes = []
    for case in load_dataset(now):
        assessment = risk.assess(case.signals, now, policy)
        outcomes.append(Outcome(case, assessment.decision.value, assessment.score))
    return Report(tuple(outcomes))


def render(report: Report, *, per_case: bool) -> str:
    right = sum(o.right for o in report.outcomes)
    lines = [f"cases {len(report.outcomes)}, right {right}, accuracy {report.accuracy:.3f} (floor {FLOOR})"]
    confusion = report.confusion()
    lines.append(f"{'expected / decided':<20}" + "".join(f"{d:>9}" for d in DECISIONS))
    lines += [f"{e:<20}" + "".join(f"{confusion[(e, d)]:>9}" for d in DECISIONS) for e in DECISIONS]
    shown = report.outcomes if per_case else tuple(o for o in report.outcomes if not o.right)
    lines += [
        f"{'ok ' if o.right else 'BAD'} {o.case.id:<30} {o.decided:<8} (risk {o.score:.2f}) expected {o.case.expected}"
        f" - {o.case.why}"
        for o in shown
    ]
    return "\n".join(lines)


def below_floor(report: Report) -> Sequence[str]:
    failures = [f"risk-decision accuracy {report.accuracy:.3f} < {FLOOR}"] if report.accuracy < FLOOR else []
    failures += [f"{o.case.id}: {o.decided} for a labelled {o.case.expected}" for o in report.outcomes if o.opposite]
    return failures
