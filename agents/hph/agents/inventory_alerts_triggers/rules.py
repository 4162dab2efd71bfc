"""The alert rules (`data/alert_rules.json`, parsed strictly at start)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hph.runtime.data_tables import as_mapping, as_text, load_json

DATA_PACKAGE = "hph.agents.inventory_alerts_triggers"
RULES_FILE = "alert_rules.json"
LOW_STOCK, STOCK_OUT = "low_stock", "stock_out"
RESERVATION_PRESSURE, DEMAND_SPIKE = "reservation_pressure", "demand_spike"
KINDS = (LOW_STOCK, STOCK_OUT, RESERVATION_PRESSURE, DEMAND_SPIKE)


@dataclass(frozen=True)
class AlertRules:
    version: str
    service_level: float = 0.95
    demand_window_days: int = 28
    pressure_share: float = 0.5
    pressure_high_share: float = 0.8
    pressure_min_reserved: int = 5
    spike_baseline_days: int = 14
    spike_min_baseline_days: int = 7
    spike_z: float = 3.0
    spike_high_z: float = 5.0
    spike_min_units: int = 5
    spike_sigma_floor: float = 1.0
    cooldowns: Mapping[str, timedelta] = field(default_factory=dict)
    evaluate_every_seconds: float = 60.0

    def cooldown(self, kind: str) -> timedelta:
        return self.cooldowns.get(kind, timedelta(hours=1))


def _number(table: Mapping[str, Any], name: str, where: str, low: float, high: float) -> float:
    value = table.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{where}: {name} must be a number {low}..{high}")
    return float(value)


def _whole(table: Mapping[str, Any], name: str, where: str, low: int, high: int) -> int:
    value = table.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{where}: {name} must be a whole number {low}..{high}")
    return value


def parse_rules(raw: Any, where: str = RULES_FILE) -> AlertRules:
    table = as_mapping(raw, where)
    known = {
        "description",
        "version",
        "service_level",
        "demand_window_days",
        "reservation_pressure",
        "demand_spike",
        "cooldown_minutes",
        "evaluate_every_seconds",
    }
    unknown = set(table) - known
    if unknown:
        raise ValueError(f"{where}: unknown fields {', '.join(sorted(unknown))}")
    pressure = as_mapping(table.get("reservation_pressure"), f"{where}: reservation_pressure")
    spike = as_mapping(table.get("demand_spike"), f"{where}: demand_spike")
    cooldowns = as_mapping(table.get("cooldown_minutes"), f"{where}: cooldown_minutes")
    if set(cooldowns) != set(KINDS):
        raise ValueError(f"{where}: cooldown_minutes must name exactly {', '.join(KINDS)}")
    at_p, at_s = f"{where}: reservation_pressure", f"{where}: demand_spike"
    rules = AlertRules(
        version=as_text(table.get("version"), f"{where}: version"),
        service_level=_number(table, "service_level", where, 0.5, 0.999),
        demand_window_days=_whole(table, "demand_window_days", where, 7, 365),
        pressure_share=_number(pressure, "share", at_p, 0.01, 1.0),
        pressure_high_share=_number(pressure, "high_share", at_p, 0.01, 1.0),
        pressure_min_reserved=_whole(pressure, "min_reserved", at_p, 1, 1_000_000),
        spike_baseline_days=_whole(spike, "baseline_days", at_s, 3, 365),
        spike_min_baseline_days=_whole(spike, "min_baseline_days", at_s, 1, 365),
        spike_z=_number(spike, "z", at_s, 0.5, 100),
        spike_high_z=_number(spike, "high_z", at_s, 0.5, 100),
        spike_min_units=_whole(spike, "min_units", at_s, 1, 1_000_000),
        spike_sigma_floor=_number(spike, "sigma_floor", at_s, 0.01, 1_000),
        cooldowns={
            kind: timedelta(minutes=_number(cooldowns, kind, f"{where}: cooldown_minutes", 0, 10_080)) for kind in KINDS
        },
        evaluate_every_seconds=_number(table, "evaluate_every_seconds", where, 1, 86_400),
    )
    if rules.pressure_high_share < rules.pressure_share or rules.spike_high_z < rules.spike_z:
        raise ValueError(f"{where}: the high thresholds must not be below the medium ones")
    if rules.spike_min_baseline_days > rules.spike_baseline_days:
        raise ValueError(f"{at_s}: min_baseline_days must not exceed baseline_days")
    return rules


def default_rules() -> AlertRules:
    return parse_rules(load_json(DATA_PACKAGE, RULES_FILE))
