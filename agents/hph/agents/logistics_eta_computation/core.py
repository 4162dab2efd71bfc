"""The ETA decision core: pure, deterministic, no I/O (the servicer gathers its inputs).

    ready_at --handling (+1 after the cut-off)--> ship date --transit (carrier x level + zone)--> ETA

Business days skip Saturdays, Sundays and the holiday calendar. What the shipment's scans show
pushes the ETA: a pickup later than expected (or none yet although it was due), each exception
scan (`exception_days`), and an estimate already passed without delivery.

The confidence window is the run of business days around the ETA that holds the share of where
the delivery day may fall nearest `confidence` (`window_days`), that day being off the ETA by the
sum of two independent errors:

    model error    the tables' own error (handling, transit): a normal of sd model_error_days[level],
                   on whole business days
    carrier delay  on time (or early) with the carrier's recent on-time rate, else late by the
                   carrier's recent late-days distribution (both smoothed towards a prior worth
                   `prior_weight` deliveries, so a carrier with few recent deliveries is neither
                   perfect nor hopeless)

`model_error_days` is calibrated from data: `hph eval eta` prints the error of these tables against a
generated history's carrier promises (docs/agents/logistics-eta-computation.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import NormalDist

from hph.agents.logistics_eta_computation.tables import EtaTables
from hph.agents.runtime import Driver

METHOD = "eta-v2"
DEFAULT_CONFIDENCE = 0.8


class UnsupportedRoute(ValueError):
    """The carrier does not exist or does not sell the service level."""


@dataclass(frozen=True)
class Route:
    carrier: str  # "" means the service level's default carrier
    service_level: str  # economy | standard | expedited | overnight
    country_code: str
    postal_code: str = ""


@dataclass(frozen=True)
class Progress:
    """What the shipment's scans said so far (all None/0 before it shipped)."""

    picked_up_at: datetime | None = None
    exceptions: int = 0
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class OnTimeRecord:
    """A carrier and level's recent deliveries against the day promised at creation."""

    on_time: int = 0
    deliveries: int = 0
    # Late deliveries by business days past the promised day; may be empty (the prior's shape then).
    late_days: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Estimate:
    carrier: str
    service_level: str
    zone: str
    handling_days: int
    transit_days: int
    non_working_days: int
    observed_delay_days: int
    on_time_rate: float
    eta: datetime
    window_start: datetime
    window_end: datetime  # exclusive
    # Business days after the ready day up to the window's first and last day.
    window_start_business_days: int
    window_end_business_days: int
    confidence: float
    at_risk: bool
    drivers: list[Driver] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{self.carrier} {self.service_level} to {self.zone}: {self.eta.date().isoformat()} "
            f"({self.handling_days} handling + {self.transit_days} transit + {self.observed_delay_days} delay "
            f"business days), window {self.window_start.date().isoformat()}.."
            f"{(self.window_end - timedelta(days=1)).date().isoformat()} at {self.confidence:.0%}"
        )


class Calendar:
    def __init__(self, holidays: frozenset[date]) -> None:
        self._holidays = holidays

    def working(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def add(self, day: date, business_days: int) -> date:
        """`business_days` working days after `day` (0: `day` itself if working, else the next)."""
        if business_days <= 0:
            return self.on_or_after(day)
        while business_days > 0:
            day += timedelta(days=1)
            if self.working(day):
                business_days -= 1
        return day

    def subtract(self, day: date, business_days: int, floor: date) -> date:
        while business_days > 0 and day > floor:
            day -= timedelta(days=1)
            if self.working(day):
                business_days -= 1
        return max(day, floor)

    def on_or_after(self, day: date) -> date:
        while not self.working(day):
            day += timedelta(days=1)
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.working(day)
        return count

    def non_working(self, start: date, end: date) -> int:
        """Weekend and holiday days after `start` up to and including `end`."""
        return max(0, (end - start).days) - self.between(start, end)


def delivery_record(outcomes: Iterable[tuple[date, date]], tables: EtaTables) -> OnTimeRecord:
    """The record of (promised day, delivered day) pairs: on time on or before the promised day, else
    late by the business days after it."""
    calendar = Calendar(tables.holidays)
    on_time = deliveries = 0
    late: dict[int, int] = {}
    for promised, delivered in outcomes:
        deliveries += 1
        if delivered <= promised:
            on_time += 1
        else:
            days = max(1, calendar.between(promised, delivered))
            late[days] = late.get(days, 0) + 1
    return OnTimeRecord(on_time, deliveries, late)


def on_time_rate(record: OnTimeRecord, tables: EtaTables) -> float:
    prior, weight = tables.window.prior_on_time_rate, tables.window.prior_weight
    return (record.on_time + prior * weight) / (record.deliveries + weight)


def late_days_shares(record: OnTimeRecord, tables: EtaTables) -> dict[int, float]:
    """How late a late delivery is (business days -> share), smoothed towards the prior's shape."""
    prior, weight = tables.window.prior_late_days, tables.window.prior_weight
    counted = sum(record.late_days.values())
    days = set(prior) | set(record.late_days)
    return {d: (record.late_days.get(d, 0) + prior.get(d, 0.0) * weight) / (counted + weight) for d in sorted(days)}


def delivery_day_shares(level: str, rate: float, late: Mapping[int, float], tables: EtaTables) -> dict[int, float]:
    """Probability of delivery on each business day relative to the ETA (0): model error + carrier delay."""
    sd = tables.window.model_error_days[level]
    if sd > 0:
        reach = math.ceil(4 * sd)
        normal = NormalDist(0, sd)
        error = {k: normal.cdf(k + 0.5) - normal.cdf(k - 0.5) for k in range(-reach, reach + 1)}
    else:
        error = {0: 1.0}
    delay = {0: rate, **{d: (1 - rate) * share for d, share in late.items()}}
    shares: dict[int, float] = {}
    for e, p in error.items():
        for d, q in delay.items():
            shares[e + d] = shares.get(e + d, 0.0) + p * q
    return shares


def window_days(shares: Mapping[int, float], confidence: float) -> tuple[int, int, float]:
    """(early, late, covered): the run of days around 0 whose share is nearest `confidence`, grown one
    day at a time on the likelier side (the later one on a tie: parcels are late more often than
    early). Nearest, not "at least": days are whole, so one more day often jumps from 78% to 88%,
    and a window that promises 80% should hold about 80%, not always more (measured in the doc)."""
    early = late = 0
    covered = shares.get(0, 0.0)
    while covered < confidence:
        before, after = shares.get(-early - 1, 0.0), shares.get(late + 1, 0.0)
        step = max(before, after)
        if step == 0.0 or confidence - covered < covered + step - confidence:
            break
        if after >= before:
            late += 1
        else:
            early += 1
        covered += step
    return early, late, covered


def next_change(now: datetime, tables: EtaTables) -> datetime:
    """The first moment after `now` at which a parcel ready at that moment gets another estimate than
    one ready at `now`: the cut-off (one more day of handling after it) or UTC midnight (another ready
    day, another "today"), whichever comes first. Between the two only the carrier's record moves it."""
    at = now.astimezone(UTC)
    midnight = datetime.combine(at.date() + timedelta(days=1), time(0), UTC)
    cutoff = datetime.combine(at.date(), time(tables.cutoff_hour_utc), UTC)
    return cutoff if at < cutoff else midnight


def estimate(
    route: Route,
    *,
    ready_at: datetime,
    now: datetime,
    tables: EtaTables,
    progress: Progress = Progress(),
    record: OnTimeRecord = OnTimeRecord(),
    confidence: float = DEFAULT_CONFIDENCE,
    promised_by: datetime | None = None,
) -> Estimate:
    level = route.service_level
    carrier = route.carrier or tables.default_carrier[level]
    levels = tables.carriers.get(carrier)
    if levels is None:
        raise UnsupportedRoute(f"unknown carrier {carrier!r}; known: {', '.join(sorted(tables.carriers))}")
    if level not in levels:
        raise UnsupportedRoute(f"{carrier} does not sell {level} (it sells {', '.join(levels)})")
    calendar = Calendar(tables.holidays)
    zone = tables.zone_of(route.country_code, route.postal_code)
    extra = zone.extra_transit_days[level]
    transit = max(1, levels[level] + extra)

    after_cutoff = ready_at.astimezone(UTC).hour >= tables.cutoff_hour_utc
    handling = tables.handling_days + (1 if after_cutoff else 0)
    ready_day = ready_at.astimezone(UTC).date()
    expected_ship = calendar.add(ready_day, handling)
    today = now.astimezone(UTC).date()

    drivers = [
        Driver(
            "handling_days",
            handling,
            f"{tables.handling_days} business day(s) of handling"
            + (
                f", +1: ready at {ready_at.astimezone(UTC):%H:%M} UTC, "
                f"after the {tables.cutoff_hour_utc}:00 UTC cut-off"
                if after_cutoff
                else f", ready before the {tables.cutoff_hour_utc}:00 UTC cut-off"
            ),
            threshold=tables.cutoff_hour_utc,
            contribution=handling,
            unit="days",
        ),
        Driver(
            "transit_days",
            transit,
            f"{carrier} {level}: {levels[level]} business days, {extra:+d} for zone {zone.zone}",
            contribution=transit,
            unit="days",
        ),
    ]

    # Where the parcel really is decides the ship date; lateness so far is observed delay.
    if progress.picked_up_at is not None:
        ship = calendar.on_or_after(progress.picked_up_at.astimezone(UTC).date())
    elif today > expected_ship:
        ship = calendar.on_or_after(today)  # due but not picked up: it can ship today at the earliest
    else:
        ship = expected_ship
    pickup_delay = calendar.between(expected_ship, ship)
    exception_delay = progress.exceptions * tables.exception_days
    eta_day = calendar.add(ship, transit + exception_delay)
    overdue = 0
    if progress.delivered_at is None and eta_day < today:
        overdue = calendar.between(eta_day, calendar.on_or_after(today))
        eta_day = calendar.on_or_after(today)
    if progress.delivered_at is not None:
        eta_day = progress.delivered_at.astimezone(UTC).date()
    delay = pickup_delay + exception_delay + overdue
    drivers.append(
        Driver(
            "observed_delay_days",
            delay,
            f"pickup {pickup_delay} business day(s) later than expected, {progress.exceptions} exception "
            f"scan(s) x {tables.exception_days} day(s), {overdue} day(s) past the estimate",
            contribution=delay,
            unit="days",
        )
    )
    non_working = calendar.non_working(ready_day, eta_day)
    drivers.append(
        Driver(
            "non_working_days",
            non_working,
            "weekend and holiday days skipped between ready and delivery",
            contribution=non_working,
            unit="days",
        )
    )

    rate = on_time_rate(record, tables)
    late_shares = late_days_shares(record, tables)
    early, late, covered = window_days(delivery_day_shares(level, rate, late_shares, tables), confidence)
    typical_late = sum(d * share for d, share in late_shares.items())
    drivers.append(
        Driver(
            "carrier_on_time_rate",
            round(rate, 4),
            f"{record.on_time} of {record.deliveries} recent {carrier} {level} deliveries on time, smoothed "
            f"towards {tables.window.prior_on_time_rate:.0%} worth {tables.window.prior_weight:g} deliveries; "
            f"a late one is {typical_late:.1f} business days late on average",
            unit="ratio",
        )
    )
    drivers.append(
        Driver(
            "window_spread_days",
            early + late,
            f"{early} day(s) early, {late} day(s) late hold {covered:.0%} (nearest {confidence:.0%}) of the delivery "
            f"days: model error sd {tables.window.model_error_days[level]:g} days for {level} plus the "
            f"carrier's delay",
            unit="days",
        )
    )
    if progress.delivered_at is not None:
        early = late = 0
    floor_day = min(eta_day, max(ship, today) if progress.delivered_at is None else eta_day)
    start_day = calendar.subtract(eta_day, early, floor_day)
    end_day = calendar.add(eta_day, late)
    eta = datetime.combine(eta_day, time(tables.delivery_hour_utc), UTC)
    window_end = datetime.combine(end_day + timedelta(days=1), time(0), UTC)
    return Estimate(
        carrier=carrier,
        service_level=level,
        zone=zone.zone,
        handling_days=handling,
        transit_days=transit,
        non_working_days=non_working,
        observed_delay_days=delay,
        on_time_rate=rate,
        eta=progress.delivered_at or eta,
        window_start=datetime.combine(start_day, time(0), UTC),
        window_end=window_end,
        window_start_business_days=calendar.between(ready_day, start_day),
        window_end_business_days=calendar.between(ready_day, end_day),
        confidence=confidence,
        at_risk=promised_by is not None and window_end > promised_by,
        drivers=drivers,
    )
