"""The pure decision: which issues a parcel in transit has now, each with its severity, suggested
action and numbers. No I/O; the same shipment, rules and clock give the same answer.

- no_scan: hours since the last scan (or since the label, before the first scan) against the hours
  the service level allows; the severity steps with the multiple of that allowance.
- eta_passed: hours past the latest delivery estimate without delivery.
- exception_scan: exception scans reported by the carrier.
- stuck_at_hub: consecutive latest scans at one location (no progress between them).

A delivered parcel has no issues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hph.agents.logistics_route_issue_detection.rules import RouteIssueRules, Steps, severity_rank, step_for
from hph.agents.runtime import Driver

METHOD = "route-issues-v1"
EXCEPTION = "exception"


@dataclass(frozen=True)
class Scan:
    scan_id: str
    at: datetime
    location: str
    status: str  # picked_up, in_transit, out_for_delivery, delivered, exception, label_created


@dataclass(frozen=True)
class Parcel:
    shipment_id: str
    order_id: str
    carrier: str
    service_level: str
    created_at: datetime
    promised_at: datetime | None = None
    delivered_at: datetime | None = None
    scans: tuple[Scan, ...] = ()

    def ordered_scans(self) -> list[Scan]:
        return sorted(self.scans, key=lambda scan: (scan.at, scan.scan_id))


@dataclass(frozen=True)
class Issue:
    shipment_id: str
    kind: str
    severity: str
    message: str
    action_code: str
    action_description: str
    last_scan_at: datetime | None
    last_location: str
    drivers: tuple[Driver, ...]

    @property
    def rank(self) -> int:
        return severity_rank(self.severity)

    @property
    def issue_id(self) -> str:
        return issue_id(self.shipment_id, self.kind)


def issue_id(shipment_id: str, kind: str) -> str:
    """Stable per (shipment, kind): the deduplication key of the issue's event and ticket."""
    return f"{shipment_id}.{kind}"


def _hours(delta_seconds: float) -> float:
    return round(delta_seconds / 3600, 1)


def detect(parcel: Parcel, now: datetime, rules: RouteIssueRules) -> list[Issue]:
    """The parcel's issues now, most severe first."""
    if parcel.delivered_at is not None:
        return []
    scans = parcel.ordered_scans()
    last = scans[-1] if scans else None
    last_at = last.at if last else None
    last_location = last.location if last else ""
    found: list[Issue] = []

    def add(kind: str, severity: str, message: str, drivers: list[Driver]) -> None:
        action = rules.actions[kind]
        found.append(
            Issue(
                parcel.shipment_id,
                kind,
                severity,
                message,
                action.code,
                f"{action.description} ({message})",
                last_at,
                last_location,
                tuple(drivers),
            )
        )

    # no scan for too long
    allowed = rules.no_scan_hours.get(parcel.service_level, rules.no_scan_hours["standard"])
    since = last_at or parcel.created_at
    silent = _hours((now - since).total_seconds())
    step = step_for(rules.no_scan_severity, silent / allowed)
    if step is not None:
        what = "the last scan" if last else "the label was created"
        add(
            "no_scan",
            step[1],
            f"no scan for {silent:g} h since {what}; {parcel.service_level} allows {allowed:g} h",
            [
                Driver(
                    "hours_since_last_scan",
                    silent,
                    f"{silent:g} h silent, {silent / allowed:.2f}x the {allowed:g} h allowed; {_steps_text(step)}",
                    threshold=allowed * step[0],
                    unit="h",
                )
            ],
        )

    # the estimate passed without delivery
    if parcel.promised_at is not None and now > parcel.promised_at:
        late = _hours((now - parcel.promised_at).total_seconds())
        step = step_for(rules.eta_passed_severity, late)
        if step is not None:
            add(
                "eta_passed",
                step[1],
                f"estimate {parcel.promised_at:%Y-%m-%d %H:%M} UTC passed {late:g} h ago without delivery",
                [
                    Driver(
                        "hours_past_estimate",
                        late,
                        f"{late:g} h past the estimate; {_steps_text(step)}",
                        threshold=step[0],
                        unit="h",
                    )
                ],
            )

    # exception scans
    exceptions = sum(1 for scan in scans if scan.status == EXCEPTION)
    step = step_for(rules.exception_severity, exceptions)
    if step is not None:
        latest = next(scan for scan in reversed(scans) if scan.status == EXCEPTION)
        where = f" at {latest.location}" if latest.location else ""
        add(
            "exception_scan",
            step[1],
            f"{exceptions} exception scan(s), the latest{where} on {latest.at:%Y-%m-%d %H:%M} UTC",
            [
                Driver(
                    "exception_scans", exceptions, f"{exceptions} exception(s); {_steps_text(step)}", threshold=step[0]
                )
            ],
        )

    # stuck at a hub: the latest scans at one location
    repeated = _trailing_same_location(scans)
    step = step_for(rules.stuck_at_hub_severity, repeated)
    if step is not None and last is not None:
        first_there = scans[-repeated].at
        stayed = _hours((last.at - first_there).total_seconds())
        add(
            "stuck_at_hub",
            step[1],
            f"{repeated} scans in a row at {last.location} over {stayed:g} h without progress",
            [
                Driver(
                    "scans_at_one_location",
                    repeated,
                    f"{repeated} consecutive scans at {last.location}; {_steps_text(step)}",
                    threshold=step[0],
                ),
                Driver("hours_at_location", stayed, f"first scanned there {stayed:g} h before the latest", unit="h"),
            ],
        )
    return sorted(found, key=lambda issue: -issue.rank)


def _trailing_same_location(scans: list[Scan]) -> int:
    if not scans or not scans[-1].location:
        return 0
    location = scans[-1].location
    count = 0
    for scan in reversed(scans):
        if scan.location != location:
            break
        count += 1
    return count


def _steps_text(step: tuple[float, str]) -> str:
    return f"{step[1]} from {step[0]:g}"


def thresholds(rules: RouteIssueRules) -> list[Driver]:
    """The rules as drivers, for an answer's explanation."""
    drivers = [
        Driver(f"no_scan_hours.{level}", hours, f"{level} allows {hours:g} h without a scan", unit="h")
        for level, hours in rules.no_scan_hours.items()
    ]
    for name, steps in (
        ("no_scan_multiple", rules.no_scan_severity),
        ("eta_passed_hours", rules.eta_passed_severity),
        ("exception_scans", rules.exception_severity),
        ("stuck_at_hub_scans", rules.stuck_at_hub_severity),
    ):
        drivers.append(Driver(name, steps[0][0], _all_steps(steps), threshold=steps[0][0]))
    return drivers


def _all_steps(steps: Steps) -> str:
    return ", ".join(f"{severity} from {threshold:g}" for threshold, severity in steps)
