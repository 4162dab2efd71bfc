"""The ETA rules as data: `data/eta_tables.json` and `data/holidays.json` (their `description`
fields document the format) plus the carriers' transit days per service level, which the shipments
service already ships in the shared carrier table (hph.commerce.carriers' carriers.json) and which
are read here, through `carrier_transit_days`, never copied. Parsing is strict, so a malformed table fails at start-up.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

from hph.commerce.carriers import default_carrier_table
from hph.runtime.data_tables import as_list, as_mapping, as_text, load_json

PACKAGE = "hph.agents.logistics_eta_computation"
LEVELS = ("economy", "standard", "expedited", "overnight")


@dataclass(frozen=True)
class Zone:
    zone: str
    country_code: str  # "*" matches any country
    postal_prefixes: tuple[str, ...]  # empty: the whole country
    extra_transit_days: Mapping[str, int]

    def matches(self, country_code: str, postal_code: str) -> bool:
        if self.country_code not in ("*", country_code.upper()):
            return False
        return not self.postal_prefixes or any(postal_code.startswith(p) for p in self.postal_prefixes)


@dataclass(frozen=True)
class WindowRules:
    model_error_days: Mapping[str, float]  # level -> sd of the tables' own error, business days
    prior_on_time_rate: float
    prior_late_days: Mapping[int, float]  # business days late -> share of late deliveries (sums to 1)
    prior_weight: float
    recent_days: int


@dataclass(frozen=True)
class EtaTables:
    carriers: Mapping[str, Mapping[str, int]]  # carrier -> service level -> business days
    default_carrier: Mapping[str, str]
    origin: str
    handling_days: int
    cutoff_hour_utc: int
    zones: tuple[Zone, ...]
    exception_days: int
    window: WindowRules
    delivery_hour_utc: int
    holidays: frozenset[date]
    version: str = "eta-tables-v2"

    def zone_of(self, country_code: str, postal_code: str) -> Zone:
        for zone in self.zones:
            if zone.matches(country_code, postal_code):
                return zone
        raise ValueError(f"no zone for {country_code}/{postal_code}")  # the table ends with "*"


def carrier_transit_days() -> Mapping[str, Mapping[str, int]]:
    """Carrier -> service level -> transit business days, as the shared carrier table says."""
    return MappingProxyType(
        {
            code: MappingProxyType({level.value: days for level, days in carrier.transit_days.items()})
            for code, carrier in default_carrier_table().carriers.items()
        }
    )


@functools.cache
def default_tables() -> EtaTables:
    return parse_tables(
        load_json(PACKAGE, "eta_tables.json"), load_json(PACKAGE, "holidays.json"), carrier_transit_days()
    )


def parse_tables(rules: Any, holidays: Any, carriers: Mapping[str, Mapping[str, int]]) -> EtaTables:
    rules = as_mapping(rules, "eta tables")
    handling = as_mapping(rules.get("handling"), "handling")
    window = as_mapping(rules.get("window"), "window")
    defaults = as_mapping(rules.get("default_carrier"), "default_carrier")
    for level in LEVELS:
        carrier = as_text(defaults.get(level), f"default_carrier.{level}")
        if level not in carriers.get(carrier, {}):
            raise ValueError(f"default_carrier.{level}: {carrier!r} does not sell {level}")
    zones = tuple(
        _zone(as_mapping(z, f"zones[{i}]"), f"zones[{i}]") for i, z in enumerate(as_list(rules.get("zones"), "zones"))
    )
    if not zones or zones[-1].country_code != "*" or zones[-1].postal_prefixes:
        raise ValueError("zones: the last zone must match any destination (country_code '*')")
    cutoff = _int(handling.get("cutoff_hour_utc"), "handling.cutoff_hour_utc")
    if not 0 <= cutoff <= 23:
        raise ValueError("handling.cutoff_hour_utc: 0..23")
    prior = float(window.get("prior_on_time_rate", -1))
    if not 0 < prior <= 1:
        raise ValueError("window.prior_on_time_rate: in (0, 1]")
    model_error = as_mapping(window.get("model_error_days"), "window.model_error_days")
    late_days = _late_days(as_mapping(window.get("prior_late_days"), "window.prior_late_days"))
    return EtaTables(
        carriers=carriers,
        default_carrier=MappingProxyType(dict(defaults)),
        origin=as_text(as_mapping(rules.get("origin"), "origin").get("name"), "origin.name"),
        handling_days=_int(handling.get("business_days"), "handling.business_days"),
        cutoff_hour_utc=cutoff,
        zones=zones,
        exception_days=_int(as_mapping(rules.get("delay"), "delay").get("exception_days"), "delay.exception_days"),
        window=WindowRules(
            model_error_days=MappingProxyType({level: float(model_error[level]) for level in LEVELS}),
            prior_on_time_rate=prior,
            prior_late_days=MappingProxyType(late_days),
            prior_weight=float(window["prior_weight"]),
            recent_days=_int(window.get("recent_days"), "window.recent_days"),
        ),
        delivery_hour_utc=_int(rules.get("delivery_hour_utc"), "delivery_hour_utc"),
        holidays=frozenset(
            date.fromisoformat(as_text(day, "holidays[]"))
            for day in as_list(as_mapping(holidays, "holidays").get("holidays"), "holidays")
        ),
    )


def _zone(entry: Mapping[str, Any], where: str) -> Zone:
    extra = as_mapping(entry.get("extra_transit_days"), f"{where}.extra_transit_days")
    return Zone(
        zone=as_text(entry.get("zone"), f"{where}.zone"),
        country_code=as_text(entry.get("country_code"), f"{where}.country_code"),
        postal_prefixes=tuple(
            as_text(p, f"{where}.postal_prefixes[]")
            for p in as_list(entry.get("postal_prefixes", []), f"{where}.postal_prefixes")
        ),
        extra_transit_days=MappingProxyType({level: int(extra.get(level, 0)) for level in LEVELS}),
    )


def _late_days(entry: Mapping[str, Any]) -> Mapping[int, float]:
    shares = {int(days): float(share) for days, share in entry.items() if days.isdigit() and int(days) > 0}
    if len(shares) != len(entry) or not shares or abs(sum(shares.values()) - 1) > 1e-6:
        raise ValueError('window.prior_late_days: business days late ("1", "2", ...) -> shares summing to 1')
    return MappingProxyType(dict(sorted(shares.items())))


def _int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{where}: a non-negative integer")
    return value
