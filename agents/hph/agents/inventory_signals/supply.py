"""Reference data no service owns: supplier lead times and costs per SKU (`data/supply.json`) and the
retail calendar's periods (`data/retail_calendar.json`). Both are parsed strictly at start, so a
malformed file fails when the agent starts, not at the first answer."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hph.runtime.data_tables import as_list, as_mapping, as_text, load_json

DATA_PACKAGE = "hph.agents.inventory_signals"
SUPPLY_FILE, CALENDAR_FILE = "supply.json", "retail_calendar.json"


@dataclass(frozen=True)
class Supplier:
    supplier_id: str
    name: str
    lead_time_days: int
    order_cost_minor: int
    holding_cost_rate: float
    # The price list: unit cost as a share of list price, and how far a SKU's share may sit from it
    # (None: the supplier's costs are unknown).
    unit_cost_share: float | None = None
    unit_cost_spread: float = 0.0


@dataclass(frozen=True)
class Supply:
    version: str
    default_supplier: str
    suppliers: Mapping[str, Supplier]
    prefixes: Mapping[str, str]
    skus: Mapping[str, str]

    def supplier_of(self, sku: str) -> Supplier:
        supplier_id = self.skus.get(sku) or self.prefixes.get(sku.split("-", 1)[0]) or self.default_supplier
        return self.suppliers[supplier_id]

    def unit_cost_minor(self, sku: str, price_minor: int) -> int | None:
        """What one unit of `sku` costs from its supplier, in minor units of its price: the list price
        times the supplier's cost share, moved by up to its spread by a hash of the SKU (the same
        SKU always costs the same share); None when the supplier's costs are unknown."""
        supplier = self.supplier_of(sku)
        if supplier.unit_cost_share is None or price_minor <= 0:
            return None
        digest = int.from_bytes(hashlib.blake2b(sku.encode(), digest_size=4).digest(), "big")
        position = digest / 0xFFFFFFFF * 2 - 1  # -1..1
        share = min(max(supplier.unit_cost_share + supplier.unit_cost_spread * position, 0.0), 1.0)
        return round(price_minor * share)


@dataclass(frozen=True)
class Period:
    name: str
    start: tuple[int, int]
    through: tuple[int, int]
    prior: float

    def contains(self, day: date) -> bool:
        key = (day.month, day.day)
        if self.start <= self.through:
            return self.start <= key <= self.through
        return key >= self.start or key <= self.through


@dataclass(frozen=True)
class RetailCalendar:
    version: str
    periods: tuple[Period, ...]
    min_days_to_estimate: int

    def period_of(self, day: date) -> Period | None:
        return next((period for period in self.periods if period.contains(day)), None)


def parse_supply(raw: Any, where: str = SUPPLY_FILE) -> Supply:
    table = as_mapping(raw, where)
    suppliers: dict[str, Supplier] = {}
    for supplier_id, entry in as_mapping(table.get("suppliers"), f"{where}: suppliers").items():
        at = f"{where}: suppliers.{supplier_id}"
        fields = as_mapping(entry, at)
        lead = fields.get("lead_time_days")
        cost = fields.get("order_cost_minor")
        rate = fields.get("holding_cost_rate")
        share = fields.get("unit_cost_share")
        spread = fields.get("unit_cost_spread", 0.0)
        if not isinstance(lead, int) or not 1 <= lead <= 365:
            raise ValueError(f"{at}: lead_time_days must be a whole number of days 1..365")
        if not isinstance(cost, int) or cost < 0:
            raise ValueError(f"{at}: order_cost_minor must be a whole number of cents >= 0")
        if not isinstance(rate, int | float) or not 0 < rate <= 5:
            raise ValueError(f"{at}: holding_cost_rate must be a share in (0, 5]")
        if share is not None and (not isinstance(share, int | float) or not 0 < share <= 1):
            raise ValueError(f"{at}: unit_cost_share must be a share of the list price in (0, 1]")
        if not isinstance(spread, int | float) or not 0 <= spread < 1:
            raise ValueError(f"{at}: unit_cost_spread must be a share in [0, 1)")
        suppliers[supplier_id] = Supplier(
            supplier_id,
            as_text(fields.get("name"), f"{at}.name"),
            lead,
            cost,
            float(rate),
            float(share) if share is not None else None,
            float(spread),
        )
    default = as_text(table.get("default_supplier"), f"{where}: default_supplier")
    prefixes = {str(k): str(v) for k, v in as_mapping(table.get("sku_prefixes", {}), f"{where}: sku_prefixes").items()}
    skus = {str(k): str(v) for k, v in as_mapping(table.get("skus", {}), f"{where}: skus").items()}
    for name, supplier_id in [("default_supplier", default), *prefixes.items(), *skus.items()]:
        if supplier_id not in suppliers:
            raise ValueError(f"{where}: {name} names unknown supplier {supplier_id!r}")
    return Supply(as_text(table.get("version"), f"{where}: version"), default, suppliers, prefixes, skus)


def parse_calendar(raw: Any, where: str = CALENDAR_FILE) -> RetailCalendar:
    table = as_mapping(raw, where)
    periods = []
    for index, entry in enumerate(as_list(table.get("periods"), f"{where}: periods")):
        at = f"{where}: periods[{index}]"
        fields = as_mapping(entry, at)
        prior = fields.get("prior")
        if not isinstance(prior, int | float) or not 0 < prior <= 20:
            raise ValueError(f"{at}: prior must be a multiplier in (0, 20]")
        periods.append(
            Period(
                as_text(fields.get("name"), f"{at}.name"),
                _month_day(fields.get("from"), f"{at}.from"),
                _month_day(fields.get("through"), f"{at}.through"),
                float(prior),
            )
        )
    minimum = table.get("min_days_to_estimate", 3)
    if not isinstance(minimum, int) or minimum < 1:
        raise ValueError(f"{where}: min_days_to_estimate must be a whole number >= 1")
    return RetailCalendar(as_text(table.get("version"), f"{where}: version"), tuple(periods), minimum)


def _month_day(value: Any, where: str) -> tuple[int, int]:
    text = as_text(value, where)
    try:
        month, day = (int(part) for part in text.split("-"))
        date(2024, month, day)  # a leap year: 02-29 is a valid yearly day
    except ValueError as exc:
        raise ValueError(f"{where}: expected MM-DD, got {text!r}") from exc
    return month, day


def default_supply() -> Supply:
    return parse_supply(load_json(DATA_PACKAGE, SUPPLY_FILE))


def default_calendar() -> RetailCalendar:
    return parse_calendar(load_json(DATA_PACKAGE, CALENDAR_FILE))
