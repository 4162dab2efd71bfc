"""The detection thresholds as data (`data/route_issue_rules.json`, its `description` documents the
fields). Parsing is strict, so a malformed file fails at start-up."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from hph.runtime.data_tables import as_list, as_mapping, as_text, load_json

PACKAGE = "hph.agents.logistics_route_issue_detection"
LEVELS = ("economy", "standard", "expedited", "overnight")
KINDS = ("no_scan", "eta_passed", "exception_scan", "stuck_at_hub")
SEVERITIES = ("info", "low", "medium", "high", "critical")
TICKET_SEVERITIES = frozenset({"high", "critical"})

Steps = tuple[tuple[float, str], ...]


@dataclass(frozen=True)
class Action:
    code: str
    description: str


@dataclass(frozen=True)
class RouteIssueRules:
    no_scan_hours: Mapping[str, float]  # service level -> hours of silence allowed
    no_scan_severity: Steps  # multiple of the allowance reached -> severity
    eta_passed_severity: Steps  # hours past the estimate reached -> severity
    exception_severity: Steps  # exception scans reached -> severity
    stuck_at_hub_severity: Steps  # consecutive scans at one location reached -> severity
    actions: Mapping[str, Action]
    version: str
    events_judged_within_hours: float = 24.0  # older events only update the projection


def severity_rank(severity: str) -> int:
    """1 (info) .. 5 (critical); 0 for none."""
    return SEVERITIES.index(severity) + 1 if severity in SEVERITIES else 0


def step_for(steps: Steps, value: float) -> tuple[float, str] | None:
    """The highest step whose threshold `value` reaches (thresholds are inclusive), or None."""
    reached = [step for step in steps if value >= step[0]]
    return reached[-1] if reached else None


def _steps(value: Any, where: str) -> Steps:
    steps: list[tuple[float, str]] = []
    for i, item in enumerate(as_list(value, where)):
        pair = as_list(item, f"{where}[{i}]")
        if len(pair) != 2 or not isinstance(pair[0], int | float):
            raise ValueError(f"{where}[{i}]: expected [threshold, severity]")
        severity = as_text(pair[1], f"{where}[{i}][1]")
        if severity not in SEVERITIES:
            raise ValueError(f"{where}[{i}]: unknown severity {severity!r}")
        steps.append((float(pair[0]), severity))
    if not steps or [s[0] for s in steps] != sorted({s[0] for s in steps}):
        raise ValueError(f"{where}: thresholds must be given and strictly increasing")
    if [severity_rank(s[1]) for s in steps] != sorted({severity_rank(s[1]) for s in steps}):
        raise ValueError(f"{where}: severities must rise with the thresholds")
    return tuple(steps)


def parse_rules(raw: Any) -> RouteIssueRules:
    data = as_mapping(raw, "route_issue_rules")
    hours = as_mapping(data["no_scan_hours"], "no_scan_hours")
    if set(hours) != set(LEVELS) or not all(isinstance(h, int | float) and h > 0 for h in hours.values()):
        raise ValueError(f"no_scan_hours: positive hours for exactly {LEVELS}")
    actions_raw = as_mapping(data["actions"], "actions")
    if set(actions_raw) != set(KINDS):
        raise ValueError(f"actions: exactly {KINDS}")
    actions = {
        kind: Action(
            as_text(as_mapping(spec, f"actions.{kind}")["code"], f"actions.{kind}.code"),
            as_text(spec["description"], f"actions.{kind}.description"),
        )
        for kind, spec in actions_raw.items()
    }
    return RouteIssueRules(
        no_scan_hours=MappingProxyType({level: float(h) for level, h in hours.items()}),
        no_scan_severity=_steps(data["no_scan_severity"], "no_scan_severity"),
        eta_passed_severity=_steps(data["eta_passed_severity"], "eta_passed_severity"),
        exception_severity=_steps(data["exception_severity"], "exception_severity"),
        stuck_at_hub_severity=_steps(data["stuck_at_hub_severity"], "stuck_at_hub_severity"),
        actions=MappingProxyType(actions),
        version=as_text(data["version"], "version"),
        events_judged_within_hours=_positive(data["events_judged_within_hours"], "events_judged_within_hours"),
    )


def _positive(value: Any, where: str) -> float:
    if not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{where}: expected a positive number")
    return float(value)


@functools.cache
def default_rules() -> RouteIssueRules:
    return parse_rules(load_json(PACKAGE, "route_issue_rules.json"))
