"""The route-issue decision core at its thresholds' edges: each rule fires at its threshold and not
just below, severity steps up where the rules say, a delivered parcel has no issues."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hph.agents.logistics_route_issue_detection import rules as rules_mod
from hph.agents.logistics_route_issue_detection.core import Parcel, Scan, detect, issue_id, thresholds
from hph.agents.logistics_route_issue_detection.rules import default_rules, parse_rules

pytestmark = pytest.mark.unit

RULES = default_rules()
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def hours_ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def parcel(*scans: Scan, level: str = "standard", promised: datetime | None = None) -> Parcel:
    return Parcel("shp_1", "ord_1", "ups", level, hours_ago(200), promised_at=promised, scans=scans)


def scan(n: int, hours: float, location: str = "Memphis, TN, US", status: str = "in_transit") -> Scan:
    return Scan(f"t{n}", hours_ago(hours), location, status)


def kinds(p: Parcel) -> dict[str, str]:
    return {issue.kind: issue.severity for issue in detect(p, NOW, RULES)}


def test_no_scan_fires_at_the_service_levels_allowance_and_steps_with_its_multiple() -> None:
    assert RULES.no_scan_hours["standard"] == 48
    assert "no_scan" not in kinds(parcel(scan(1, 47.9)))
    assert kinds(parcel(scan(1, 48)))["no_scan"] == "medium"
    assert kinds(parcel(scan(1, 95.9)))["no_scan"] == "medium"
    assert kinds(parcel(scan(1, 96)))["no_scan"] == "high"
    assert kinds(parcel(scan(1, 192)))["no_scan"] == "critical"


def test_a_faster_service_level_allows_less_silence() -> None:
    assert "no_scan" not in kinds(parcel(scan(1, 30), level="standard"))
    assert kinds(parcel(scan(1, 30), level="expedited"))["no_scan"] == "medium"
    assert kinds(parcel(scan(1, 30), level="overnight"))["no_scan"] == "high"


def test_no_scan_before_the_first_scan_counts_from_the_label() -> None:
    issue = next(i for i in detect(parcel(), NOW, RULES) if i.kind == "no_scan")
    assert issue.severity == "critical"  # 200 h since the label: over 4 x 48 h
    assert "since the label was created" in issue.message
    assert issue.drivers[0].value == 200 and issue.last_scan_at is None


def test_eta_passed_is_high_as_soon_as_it_passed_and_critical_after_72_hours() -> None:
    recent = scan(1, 1)
    assert "eta_passed" not in kinds(parcel(recent, promised=NOW))
    assert kinds(parcel(recent, promised=NOW - timedelta(seconds=1)))["eta_passed"] == "high"
    assert kinds(parcel(recent, promised=hours_ago(71.9)))["eta_passed"] == "high"
    assert kinds(parcel(recent, promised=hours_ago(72)))["eta_passed"] == "critical"
    assert "eta_passed" not in kinds(parcel(recent, promised=NOW + timedelta(hours=5)))


def test_exception_scans_step_from_medium_to_critical() -> None:
    assert "exception_scan" not in kinds(parcel(scan(1, 1)))
    one = parcel(scan(1, 2, "A"), scan(2, 1, "B", "exception"))
    assert kinds(one)["exception_scan"] == "medium"
    two = parcel(scan(1, 3, "A", "exception"), scan(2, 2, "B"), scan(3, 1, "C", "exception"))
    assert kinds(two)["exception_scan"] == "high"
    three = parcel(*(scan(n, 5 - n, f"L{n}", "exception") for n in range(3)))
    assert kinds(three)["exception_scan"] == "critical"


def test_stuck_at_hub_counts_the_latest_consecutive_scans_at_one_location() -> None:
    two = parcel(scan(1, 4, "A"), scan(2, 3, "Hub"), scan(3, 2, "Hub"))
    assert "stuck_at_hub" not in kinds(two)
    three = parcel(scan(1, 4, "Hub"), scan(2, 3, "Hub"), scan(3, 2, "Hub"))
    assert kinds(three)["stuck_at_hub"] == "medium"
    moved_on = parcel(scan(1, 5, "Hub"), scan(2, 4, "Hub"), scan(3, 3, "Hub"), scan(4, 2, "Next"))
    assert "stuck_at_hub" not in kinds(moved_on)
    five = parcel(*(scan(n, 10 - n, "Hub") for n in range(5)))
    issue = next(i for i in detect(five, NOW, RULES) if i.kind == "stuck_at_hub")
    assert issue.severity == "high" and issue.drivers[0].value == 5 and issue.drivers[1].value == 4
    assert issue.message == "5 scans in a row at Hub over 4 h without progress"


def test_issues_come_most_severe_first_with_action_and_stable_id() -> None:
    p = parcel(scan(1, 100, "Hub", "exception"), promised=hours_ago(80))
    issues = detect(p, NOW, RULES)
    assert [i.severity for i in issues] == sorted((i.severity for i in issues), key=rules_mod.severity_rank)[::-1]
    eta = next(i for i in issues if i.kind == "eta_passed")
    assert eta.action_code == "notify_customer" and "80 h ago" in eta.action_description
    assert eta.issue_id == issue_id("shp_1", "eta_passed") == "shp_1.eta_passed"


def test_a_delivered_parcel_has_no_issues() -> None:
    late = parcel(scan(1, 100, "Hub", "exception"), promised=hours_ago(80))
    assert detect(replace(late, delivered_at=hours_ago(1)), NOW, RULES) == []


def test_rules_are_parsed_strictly_and_shown_as_drivers() -> None:
    raw = rules_mod.load_json(rules_mod.PACKAGE, "route_issue_rules.json")
    with pytest.raises(ValueError, match="strictly increasing"):
        parse_rules({**raw, "exception_severity": [[2, "medium"], [1, "high"]]})
    with pytest.raises(ValueError, match="unknown severity"):
        parse_rules({**raw, "exception_severity": [[1, "dire"]]})
    with pytest.raises(ValueError, match="no_scan_hours"):
        parse_rules({**raw, "no_scan_hours": {"standard": 48}})
    names = [d.name for d in thresholds(RULES)]
    assert "no_scan_hours.overnight" in names and "stuck_at_hub_scans" in names


def test_only_recent_events_are_judged_and_the_horizon_must_be_positive() -> None:
    assert RULES.events_judged_within_hours == 24
    raw = rules_mod.load_json(rules_mod.PACKAGE, "route_issue_rules.json")
    with pytest.raises(ValueError, match="events_judged_within_hours"):
        parse_rules({**raw, "events_judged_within_hours": 0})
