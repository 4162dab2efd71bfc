"""Rate tables (package data `data/rates.json`, whose `description` documents the format) over the
platform's carrier table: zones, dimensional weight, label rates and transit days.

The carriers, their service levels, cross-country transit days and parcel limits are read from
`hph.commerce.carriers.default_carrier_table()` (the shipments service's table), never copied; this
module adds only what a label costs and how much a nearer zone shortens ground transit. Free of I/O
after loading, so the decision core is unit-tested on it directly.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from hph.commerce.carriers import Carrier, CarrierTable, ServiceLevel, default_carrier_table
from hph.runtime.data_tables import as_mapping, as_text, load_json

DATA_PACKAGE = "hph.agents.logistics_carrier_selection"
RATES_FILE = "rates.json"
INTERNATIONAL = "intl"
INTERNATIONAL_INDEX = 9
FARTHEST_DOMESTIC = 8
GROUND = frozenset({ServiceLevel.ECONOMY, ServiceLevel.STANDARD})


@dataclass(frozen=True)
class Parcel:
    weight_grams: int
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    country_code: str = "US"
    postal_code: str = ""

    @property
    def volume_mm3(self) -> int:
        return self.length_mm * self.width_mm * self.height_mm


@dataclass(frozen=True)
class LevelRate:
    base: int
    per_zone: int
    per_kg: int


@dataclass(frozen=True)
class CarrierRates:
    dim_divisor: int
    dim_min_volume_cm3: int
    international: bool
    levels: Mapping[ServiceLevel, LevelRate]


@dataclass(frozen=True)
class Zone:
    name: str  # "2".."8" or "intl"
    index: int  # 2..9, what the rate counts
    known: bool  # False when the destination's postal code was missing (farthest zone assumed)


@dataclass(frozen=True)
class Quote:
    """One carrier and service level for a parcel: what it costs and how long it takes."""

    carrier: Carrier
    level: ServiceLevel
    zone: Zone
    rate_minor: int
    dimensional_weight_grams: int
    billable_weight_grams: int
    transit_days: int


@dataclass(frozen=True)
class RateBook:
    version: str
    currency_code: str
    origin_country: str
    origin_postal: str
    ground_speedup_days: Mapping[int, int]
    intl_extra_days: int
    prior_rate: float
    prior_deliveries: int
    late_cost_minor: int
    carriers: CarrierTable
    rates: Mapping[str, CarrierRates]

    def zone(self, country_code: str, postal_code: str) -> Zone:
        if country_code.upper() != self.origin_country:
            return Zone(INTERNATIONAL, INTERNATIONAL_INDEX, True)
        digits = [c for c in postal_code if c.isdigit()]
        if not digits:
            return Zone(str(FARTHEST_DOMESTIC), FARTHEST_DOMESTIC, False)
        index = min(FARTHEST_DOMESTIC, 2 + abs(int(digits[0]) - int(self.origin_postal[0])))
        return Zone(str(index), index, True)

    def dimensional_weight_grams(self, code: str, parcel: Parcel) -> int:
        """Volume / the carrier's divisor, rounded up; 0 without all three sides or below the
        carrier's minimum volume."""
        rates = self.rates[code]
        volume = parcel.volume_mm3
        if volume <= 0 or volume < rates.dim_min_volume_cm3 * 1000:
            return 0
        return -(-volume // rates.dim_divisor)

    def transit_days(self, carrier: Carrier, level: ServiceLevel, zone: Zone) -> int:
        days = carrier.transit_days[level]
        if zone.name == INTERNATIONAL:
            return days + self.intl_extra_days
        if level in GROUND:
            days = max(1, days - self.ground_speedup_days.get(zone.index, 0))
        return days

    def quote(self, carrier: Carrier, level: ServiceLevel, parcel: Parcel, zone: Zone) -> Quote | None:
        """The carrier's offer for the parcel at `level`; None when it does not sell the level, does
        not serve the destination or the parcel is over its limits."""
        rates = self.rates.get(carrier.code)
        if rates is None or level not in rates.levels or not carrier.offers(level):
            return None
        if zone.name == INTERNATIONAL and not rates.international:
            return None
        if parcel.weight_grams > carrier.max_weight_grams or longest_side(parcel) > carrier.max_length_mm:
            return None
        dimensional = self.dimensional_weight_grams(carrier.code, parcel)
        billable = max(parcel.weight_grams, dimensional)
        price = rates.levels[level]
        kilograms = max(1, math.ceil(billable / 1000))
        rate = price.base + price.per_zone * (zone.index - 2) + price.per_kg * (kilograms - 1)
        return Quote(carrier, level, zone, rate, dimensional, billable, self.transit_days(carrier, level, zone))

    def promise_days(self, level: ServiceLevel) -> int:
        """The platform's promise for a level: the slowest cross-country transit of the carriers
        selling it (what a shopper was told at checkout for that speed)."""
        return max(c.transit_days[level] for c in self.carriers.carriers.values() if c.offers(level))


def longest_side(parcel: Parcel) -> int:
    return max(parcel.length_mm, parcel.width_mm, parcel.height_mm)


def parse_rate_book(data: Any, carriers: CarrierTable) -> RateBook:
    table = as_mapping(data, "rate book")
    origin = as_mapping(table.get("origin"), "origin")
    origin_postal = as_text(origin.get("postal_code"), "origin.postal_code")
    if not origin_postal[0].isdigit():
        raise ValueError("origin.postal_code: must start with a digit")
    prior = as_mapping(table.get("on_time_prior"), "on_time_prior")
    parsed: dict[str, CarrierRates] = {}
    for code, entry in as_mapping(table.get("carriers"), "carriers").items():
        where = f"carriers.{code}"
        carrier = carriers.get(code)
        if carrier is None:
            raise ValueError(f"{where}: not a carrier of the platform's carrier table")
        entry = as_mapping(entry, where)
        levels: dict[ServiceLevel, LevelRate] = {}
        for name, price in as_mapping(entry.get("levels"), f"{where}.levels").items():
            level = ServiceLevel(name)
            if not carrier.offers(level):
                raise ValueError(f"{where}.levels.{name}: {carrier.name} does not sell it")
            price = as_mapping(price, f"{where}.levels.{name}")
            levels[level] = LevelRate(
                *(_count(price.get(k), f"{where}.levels.{name}.{k}") for k in ("base", "per_zone", "per_kg"))
            )
        parsed[code] = CarrierRates(
            dim_divisor=max(1, _count(entry.get("dim_divisor"), f"{where}.dim_divisor")),
            dim_min_volume_cm3=_count(entry.get("dim_min_volume_cm3"), f"{where}.dim_min_volume_cm3"),
            international=bool(entry.get("international")),
            levels=MappingProxyType(levels),
        )
    rate = prior.get("rate")
    if not isinstance(rate, float) or not 0 < rate < 1:
        raise ValueError("on_time_prior.rate: a number strictly between 0 and 1")
    return RateBook(
        version=as_text(table.get("version"), "version"),
        currency_code=as_text(table.get("currency_code"), "currency_code"),
        origin_country=as_text(origin.get("country_code"), "origin.country_code").upper(),
        origin_postal=origin_postal,
        ground_speedup_days=MappingProxyType(
            {int(k): _count(v, f"ground_speedup_days.{k}") for k, v in table["ground_speedup_days"].items()}
        ),
        intl_extra_days=_count(table.get("intl_extra_days"), "intl_extra_days"),
        prior_rate=rate,
        prior_deliveries=_count(prior.get("deliveries"), "on_time_prior.deliveries"),
        late_cost_minor=_count(table.get("late_cost_minor"), "late_cost_minor"),
        carriers=carriers,
        rates=MappingProxyType(parsed),
    )


@functools.cache
def default_rate_book() -> RateBook:
    return parse_rate_book(load_json(DATA_PACKAGE, RATES_FILE), default_carrier_table())


def _count(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{where}: a whole number >= 0")
    return value
