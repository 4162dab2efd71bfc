"""The shipping-rate and tax-rate tables checkout prices with, shipped as package data.

Owns their shapes, their parsing (strict: a malformed table fails at load, not at the first order)
and loading the defaults from `data/shipping_rates.json` and `data/tax_rates.json` (the files'
`description` fields document the format). Amounts are integer minor units per currency; tax rates
are decimal strings so 0.0725 stays exact.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from hph.runtime import money
from hph.runtime.data_tables import as_list, as_mapping, as_text, load_json

DATA_PACKAGE = "hph.commerce.pricing"
SHIPPING_FILE, TAX_FILE = "shipping_rates.json", "tax_rates.json"


@dataclass(frozen=True)
class Destination:
    """Where a cart ships: enough of an address to pick a zone and a tax rate."""

    country_code: str
    region: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class ShippingRate:
    """One delivery speed of a zone: its price per currency and its window in business days."""

    option_id: str
    name: str
    amount_minor: Mapping[str, int]
    min_days: int
    max_days: int


@dataclass(frozen=True)
class ShippingZone:
    """Countries that share shipping prices; standard shipping is free at or above the threshold."""

    zone_id: str
    countries: frozenset[str]
    options: tuple[ShippingRate, ...]
    free_standard_threshold_minor: Mapping[str, int]

    def ships_in(self, currency_code: str) -> bool:
        return all(currency_code in rate.amount_minor for rate in self.options)


@dataclass(frozen=True)
class ShippingTable:
    zones: tuple[ShippingZone, ...]
    # Used to estimate shipping and tax before the shopper picks an address.
    default_destination: Destination

    def zone_for(self, country_code: str) -> ShippingZone | None:
        return next((zone for zone in self.zones if country_code in zone.countries), None)

    @property
    def option_ids(self) -> frozenset[str]:
        return frozenset(rate.option_id for zone in self.zones for rate in zone.options)

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(country for zone in self.zones for country in zone.countries)


@dataclass(frozen=True)
class TaxRule:
    """The rate that applies to one destination and whether shipping is taxed with the goods."""

    rate: Decimal
    shipping_taxable: bool


@dataclass(frozen=True)
class CountryTax:
    rate: Decimal
    shipping_taxable: bool
    regions: Mapping[str, Decimal]


@dataclass(frozen=True)
class TaxTable:
    countries: Mapping[str, CountryTax]

    def rule_for(self, destination: Destination) -> TaxRule | None:
        """The region's rate where one is listed, else the country's; None for unlisted countries."""
        country = self.countries.get(destination.country_code)
        if country is None:
            return None
        rate = country.regions.get(destination.region.upper(), country.rate)
        return TaxRule(rate=rate, shipping_taxable=country.shipping_taxable)


# --- parsing ---------------------------------------------------------------------------------


def parse_shipping_table(data: Any) -> ShippingTable:
    """The table in `data` (the JSON shape of shipping_rates.json); ValueError if malformed."""
    default = as_mapping(data, "shipping table").get("default_destination")
    default_map = as_mapping(default, "default_destination")
    zones = tuple(_zone(item) for item in as_list(data.get("zones"), "zones"))
    if not zones:
        raise ValueError("the shipping table has no zones")
    seen: set[str] = set()
    for zone in zones:
        if seen & zone.countries:
            raise ValueError(f"countries {sorted(seen & zone.countries)} are in more than one zone")
        seen |= zone.countries
    return ShippingTable(
        zones=zones,
        default_destination=Destination(
            country_code=as_text(default_map.get("country_code"), "default_destination.country_code"),
            region=str(default_map.get("region", "")),
        ),
    )


def parse_tax_table(data: Any) -> TaxTable:
    """The table in `data` (the JSON shape of tax_rates.json); ValueError if malformed."""
    countries: dict[str, CountryTax] = {}
    for code, entry in as_mapping(as_mapping(data, "tax table").get("countries"), "countries").items():
        entry_map = as_mapping(entry, f"countries.{code}")
        regions = {
            str(region): _rate(rate, f"countries.{code}.regions.{region}")
            for region, rate in as_mapping(entry_map.get("regions", {}), f"countries.{code}.regions").items()
        }
        countries[str(code)] = CountryTax(
            rate=_rate(entry_map.get("rate"), f"countries.{code}.rate"),
            shipping_taxable=bool(entry_map.get("shipping_taxable", False)),
            regions=MappingProxyType(regions),
        )
    return TaxTable(countries=MappingProxyType(countries))


@functools.cache
def default_shipping_table() -> ShippingTable:
    return parse_shipping_table(load_json(DATA_PACKAGE, SHIPPING_FILE))


@functools.cache
def default_tax_table() -> TaxTable:
    return parse_tax_table(load_json(DATA_PACKAGE, TAX_FILE))


def _zone(data: Any) -> ShippingZone:
    zone = as_mapping(data, "zone")
    zone_id = as_text(zone.get("id"), "zone id")
    options = tuple(_rate_option(item, zone_id) for item in as_list(zone.get("options"), f"{zone_id}.options"))
    ids = [rate.option_id for rate in options]
    if not options or len(set(ids)) != len(ids):
        raise ValueError(f"zone {zone_id!r} needs options with distinct ids")
    countries = frozenset(
        as_text(c, f"{zone_id}.countries") for c in as_list(zone.get("countries"), f"{zone_id}.countries")
    )
    return ShippingZone(
        zone_id=zone_id,
        countries=countries,
        options=options,
        free_standard_threshold_minor=_amounts(zone.get("free_standard_threshold", {}), f"{zone_id}.threshold"),
    )


def _rate_option(data: Any, zone_id: str) -> ShippingRate:
    option = as_mapping(data, f"{zone_id} option")
    option_id = as_text(option.get("id"), f"{zone_id} option id")
    where = f"{zone_id}.{option_id}"
    min_days, max_days = option.get("min_days"), option.get("max_days")
    if not (isinstance(min_days, int) and isinstance(max_days, int) and 0 < min_days <= max_days):
        raise ValueError(f"{where}: need 0 < min_days <= max_days")
    amounts = _amounts(option.get("amount"), f"{where}.amount")
    if not amounts:
        raise ValueError(f"{where}: no amount")
    return ShippingRate(option_id, as_text(option.get("name"), f"{where}.name"), amounts, min_days, max_days)


def _amounts(data: Any, where: str) -> Mapping[str, int]:
    amounts: dict[str, int] = {}
    for currency, amount in as_mapping(data, where).items():
        if not money.is_supported_currency(currency):
            raise ValueError(f"{where}: unsupported currency {currency!r}")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise ValueError(f"{where}.{currency}: must be a non-negative integer of minor units")
        amounts[currency] = amount
    return MappingProxyType(amounts)


def _rate(value: Any, where: str) -> Decimal:
    if not isinstance(value, str):
        raise ValueError(f'{where}: a rate is a decimal string such as "0.0725"')
    try:
        rate = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"{where}: {value!r} is not a decimal") from exc
    if not Decimal(0) <= rate < Decimal(1):
        raise ValueError(f"{where}: a rate is a fraction in [0, 1)")
    return rate
