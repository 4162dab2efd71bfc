"""The carriers the platform ships with, as shared data (`data/carriers.json` of
hph.commerce.carriers, whose `description` documents the format): codes, the service levels each
sells with their transit times, tracking number formats, tracking page templates and parcel limits.

Parsing is strict, so a malformed table fails at start-up rather than at the first shipment. Adding
a carrier is a data change only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from hph.commerce.carriers import CARRIERS_FILE, DATA_PACKAGE
from hph.runtime.data_tables import as_list, as_mapping, as_text, load_json
from hph.services.shipments.rules import MAX_LENGTH_MM, MAX_WEIGHT_GRAMS, ServiceLevel

_CODE = re.compile(r"[a-z][a-z0-9_-]{1,31}")
_PLACEHOLDER = "{tracking_number}"


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    # Service level -> transit time in business days.
    transit_days: Mapping[ServiceLevel, int]
    tracking_number: re.Pattern[str]
    tracking_url_template: str
    max_weight_grams: int
    max_length_mm: int

    def offers(self, level: ServiceLevel) -> bool:
        return level in self.transit_days

    def tracking_url(self, tracking_number: str) -> str:
        """The public tracking page of a parcel; "" without a number or a template."""
        if not tracking_number or not self.tracking_url_template:
            return ""
        return self.tracking_url_template.replace(_PLACEHOLDER, quote(tracking_number, safe=""))

    def estimate_delivery(self, shipped_from: datetime, level: ServiceLevel) -> datetime:
        """`shipped_from` plus the service level's transit time, counting Monday..Friday only."""
        remaining, moment = self.transit_days[level], shipped_from
        while remaining > 0:
            moment += timedelta(days=1)
            if moment.weekday() < 5:
                remaining -= 1
        return moment


@dataclass(frozen=True)
class CarrierTable:
    carriers: Mapping[str, Carrier]

    def get(self, code: str) -> Carrier | None:
        return self.carriers.get(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(sorted(self.carriers))


def parse_carrier_table(data: Any) -> CarrierTable:
    carriers: dict[str, Carrier] = {}
    for index, entry in enumerate(as_list(as_mapping(data, "carrier table").get("carriers"), "carriers")):
        carrier = _carrier(as_mapping(entry, f"carriers[{index}]"), f"carriers[{index}]")
        if carrier.code in carriers:
            raise ValueError(f"carriers[{index}]: carrier {carrier.code!r} appears twice")
        carriers[carrier.code] = carrier
    if not carriers:
        raise ValueError("the carrier table lists no carrier")
    return CarrierTable(MappingProxyType(carriers))


@functools.cache
def default_carrier_table() -> CarrierTable:
    return parse_carrier_table(load_json(DATA_PACKAGE, CARRIERS_FILE))


def _carrier(entry: Mapping[str, Any], where: str) -> Carrier:
    code = as_text(entry.get("code"), f"{where}.code")
    if not _CODE.fullmatch(code):
        raise ValueError(f"{where}.code: {code!r} is not a lower-case carrier code")
    levels: dict[ServiceLevel, int] = {}
    for name, days in as_mapping(entry.get("service_levels"), f"{where}.service_levels").items():
        try:
            level = ServiceLevel(name)
        except ValueError:
            raise ValueError(f"{where}.service_levels: unknown service level {name!r}") from None
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
            raise ValueError(f"{where}.service_levels.{name}: transit days must be an integer in 1..60")
        levels[level] = days
    if not levels:
        raise ValueError(f"{where}.service_levels: the carrier sells no service level")
    try:
        pattern = re.compile(as_text(entry.get("tracking_number"), f"{where}.tracking_number"))
    except re.error as exc:
        raise ValueError(f"{where}.tracking_number: {exc}") from None
    template = entry.get("tracking_url", "")
    if not isinstance(template, str) or (template and not template.startswith("https://")):
        raise ValueError(f"{where}.tracking_url: an https URL template or empty")
    if template and _PLACEHOLDER not in template:
        raise ValueError(f"{where}.tracking_url: the template must contain {_PLACEHOLDER}")
    weight = _limit(entry.get("max_weight_grams"), MAX_WEIGHT_GRAMS, f"{where}.max_weight_grams")
    length = _limit(entry.get("max_length_mm"), MAX_LENGTH_MM, f"{where}.max_length_mm")
    return Carrier(
        code=code,
        name=as_text(entry.get("name"), f"{where}.name"),
        transit_days=MappingProxyType(levels),
        tracking_number=pattern,
        tracking_url_template=template,
        max_weight_grams=weight,
        max_length_mm=length,
    )


def _limit(value: Any, ceiling: int, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= ceiling:
        raise ValueError(f"{where}: must be an integer in 1..{ceiling}")
    return value
