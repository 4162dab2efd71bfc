"""The decision core: quote every carrier and level for a parcel, keep those that meet the promised
date, and choose the lowest score = rate + late cost * (1 - on-time rate), with ranked alternatives
and a reason for each. Free of I/O: the on-time counts come in as data.

On-time rate: a carrier's deliveries on or before the date first promised for them (the shipment's
initial estimate) over its deliveries, with a Beta prior (`on_time_prior` of the rate book: e.g.
20 pseudo-deliveries at 90%), so a carrier with few deliveries sits near the prior and moves only
as evidence arrives. A level's rate uses the level's counts with the carrier's rate as its prior.

When no option meets the promise, the fastest one (earliest delivery, then lowest score) is chosen
and says so.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from hph.agents.logistics_carrier_selection.rates import Parcel, Quote, RateBook, Zone
from hph.agents.runtime import Driver
from hph.commerce.carriers import SPEED_ORDER, ServiceLevel

METHOD = "carrier-selection-v1"
DEFAULT_ALTERNATIVES = 3


@dataclass
class OnTimeCounts:
    """Deliveries and on-time deliveries per carrier and per (carrier, level)."""

    by_carrier: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_level: dict[tuple[str, ServiceLevel], tuple[int, int]] = field(default_factory=dict)

    def add(self, carrier: str, level: ServiceLevel, on_time: bool) -> None:
        n, ok = self.by_carrier.get(carrier, (0, 0))
        self.by_carrier[carrier] = (n + 1, ok + int(on_time))
        n, ok = self.by_level.get((carrier, level), (0, 0))
        self.by_level[(carrier, level)] = (n + 1, ok + int(on_time))

    @property
    def deliveries(self) -> int:
        return sum(n for n, _ in self.by_carrier.values())


def on_time_rate(counts: OnTimeCounts, carrier: str, level: ServiceLevel, prior_rate: float, weight: int) -> float:
    n, ok = counts.by_carrier.get(carrier, (0, 0))
    carrier_rate = (ok + weight * prior_rate) / (n + weight) if n + weight else prior_rate
    n, ok = counts.by_level.get((carrier, level), (0, 0))
    return (ok + weight * carrier_rate) / (n + weight) if n + weight else carrier_rate


@dataclass(frozen=True)
class Option:
    quote: Quote
    delivery_day: date
    meets_promise: bool
    on_time_rate: float
    score_minor: float
    reason: str = ""

    @property
    def key(self) -> str:
        return f"{self.quote.carrier.code}/{self.quote.level.value}"


@dataclass(frozen=True)
class Selection:
    selected: Option
    alternatives: tuple[Option, ...]
    promised_by: date
    zone: Zone
    considered: int
    meeting: int
    summary: str
    drivers: tuple[Driver, ...]


class NoCarrier(Exception):
    """No carrier sells a level for this parcel and destination (why in the message)."""


def add_business_days(start: datetime, days: int) -> date:
    moment = start.date()
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def default_promise(book: RateBook, now: datetime, level: ServiceLevel) -> date:
    return add_business_days(now, book.promise_days(level))


def select(
    book: RateBook,
    parcel: Parcel,
    *,
    now: datetime,
    promised_by: date | None,
    counts: OnTimeCounts,
    min_level: ServiceLevel | None = None,
    carriers: Collection[str] = (),
    max_alternatives: int = DEFAULT_ALTERNATIVES,
) -> Selection:
    zone = book.zone(parcel.country_code, parcel.postal_code)
    promise = promised_by or default_promise(book, now, min_level or ServiceLevel.STANDARD)
    fastest_first = SPEED_ORDER.index(min_level) if min_level else 0
    wanted = set(carriers)
    options: list[Option] = []
    for code in book.carriers.codes:
        if wanted and code not in wanted:
            continue
        carrier = book.carriers.carriers[code]
        for level in SPEED_ORDER[fastest_first:]:
            quote = book.quote(carrier, level, parcel, zone)
            if quote is None:
                continue
            rate = on_time_rate(counts, code, level, book.prior_rate, book.prior_deliveries)
            day = add_business_days(now, quote.transit_days)
            score = quote.rate_minor + book.late_cost_minor * (1 - rate)
            options.append(Option(quote, day, day <= promise, rate, score))
    if not options:
        raise NoCarrier(_why_none(book, parcel, zone, wanted))
    meeting = sorted((o for o in options if o.meets_promise), key=_by_score)
    late = sorted((o for o in options if not o.meets_promise), key=_by_speed)
    if meeting:
        ranked = meeting + late
        best = meeting[0]
        cheapest = min(meeting, key=lambda o: (o.quote.rate_minor, _by_score(o)))
        if cheapest is best:
            why = f"cheapest meeting {_day(promise)} at {_money(best.quote.rate_minor)}"
        else:
            why = (
                f"best meeting {_day(promise)}: {_money(best.quote.rate_minor)} at {_pct(best.on_time_rate)} on time"
                f" beats {cheapest.key} {_money(cheapest.quote.rate_minor)} at {_pct(cheapest.on_time_rate)}"
            )
        head = f"{why}; arrives {_day(best.delivery_day)}, {_pct(best.on_time_rate)} on time"
    else:
        ranked = late
        best = late[0]
        head = (
            f"no option meets {_day(promise)}; fastest: arrives {_day(best.delivery_day)}"
            f" at {_money(best.quote.rate_minor)}, {_pct(best.on_time_rate)} on time"
        )
    chosen = _with_reason(best, head)
    alternatives = tuple(_with_reason(o, _reason(o, best, promise)) for o in ranked[1 : 1 + max(0, max_alternatives)])
    summary = f"{best.key} {head}"
    drivers: tuple[Driver, ...] = (
        Driver("rate", best.quote.rate_minor / 100, f"{best.key} label in zone {zone.name}", unit=book.currency_code),
        Driver(
            "billable_weight",
            best.quote.billable_weight_grams,
            f"max(actual {parcel.weight_grams} g, dimensional {best.quote.dimensional_weight_grams} g)",
            unit="g",
        ),
        Driver("transit_days", best.quote.transit_days, f"{best.key} in zone {zone.name}", unit="business days"),
        Driver(
            "on_time_rate",
            round(best.on_time_rate, 4),
            f"{counts.by_carrier.get(best.quote.carrier.code, (0, 0))[0]} deliveries of {best.quote.carrier.code}"
            f" with a prior of {book.prior_deliveries} at {_pct(book.prior_rate)}",
        ),
        Driver(
            "late_cost",
            round(book.late_cost_minor * (1 - best.on_time_rate) / 100, 2),
            f"{_money(book.late_cost_minor)} x {_pct(1 - best.on_time_rate)} late",
            unit=book.currency_code,
        ),
        Driver("options_meeting_promise", len(meeting), f"of {len(options)} options arrive by {_day(promise)}"),
    )
    if not zone.known:
        drivers += (Driver("zone", zone.index, "no postal code: the farthest domestic zone is assumed"),)
    return Selection(chosen, alternatives, promise, zone, len(options), len(meeting), summary, drivers)


def _reason(option: Option, best: Option, promise: date) -> str:
    if not option.meets_promise and best.meets_promise:
        return f"too slow: arrives {_day(option.delivery_day)}, after {_day(promise)}"
    if not option.meets_promise and option.delivery_day > best.delivery_day:
        return f"slower: arrives {_day(option.delivery_day)}, {_money(option.quote.rate_minor)}"
    delta = option.quote.rate_minor - best.quote.rate_minor
    if delta <= 0 and option.on_time_rate < best.on_time_rate:
        return (
            f"lower on-time rate: {_pct(option.on_time_rate)} vs {_pct(best.on_time_rate)}"
            f" outweighs {_money(-delta)} cheaper"
        )
    return f"dearer by {_money(delta)} ({_money(option.quote.rate_minor)}, {_pct(option.on_time_rate)} on time)"


def _why_none(book: RateBook, parcel: Parcel, zone: Zone, wanted: Collection[str]) -> str:
    where = "abroad" if zone.name == "intl" else f"zone {zone.name}"
    scope = f"of {', '.join(sorted(wanted))} " if wanted else ""
    return f"no carrier {scope}takes a {parcel.weight_grams} g parcel {where} at the service levels asked"


def _with_reason(option: Option, reason: str) -> Option:
    return Option(
        option.quote, option.delivery_day, option.meets_promise, option.on_time_rate, option.score_minor, reason
    )


def _by_score(option: Option) -> tuple[float, int, float, str]:
    return (option.score_minor, option.quote.rate_minor, -option.on_time_rate, option.key)


def _by_speed(option: Option) -> tuple[date, float, str]:
    return (option.delivery_day, option.score_minor, option.key)


def _money(minor: int) -> str:
    return f"${minor / 100:.2f}"


def _pct(rate: float) -> str:
    return f"{rate * 100:.0f}%"


def _day(day: date) -> str:
    return day.strftime("%b %d").replace(" 0", " ")


def rank_keys(selection: Selection) -> Sequence[str]:
    return [selection.selected.key, *(o.key for o in selection.alternatives)]


def counts_from(rows: Sequence[tuple[str, ServiceLevel, bool]]) -> OnTimeCounts:
    counts = OnTimeCounts()
    for carrier, level, on_time in rows:
        counts.add(carrier, level, on_time)
    return counts
