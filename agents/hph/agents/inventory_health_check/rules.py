"""The health check's thresholds (`data/health_rules.json`, parsed strictly at start)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hph.runtime.data_tables import as_mapping, as_text, load_json

DATA_PACKAGE = "hph.agents.inventory_health_check"
RULES_FILE = "health_rules.json"


@dataclass(frozen=True)
class HealthRules:
    version: str
    demand_window_days: int = 28
    service_level: float = 0.95
    overstock_cover_days: float = 120.0
    stale_grace_minutes: float = 5.0
    movement_lookback_days: int = 7


def parse_rules(raw: Any, where: str = RULES_FILE) -> HealthRules:
    table = as_mapping(raw, where)
    unknown = set(table) - {
        "description",
        "version",
        "demand_window_days",
        "service_level",
        "overstock_cover_days",
        "stale_grace_minutes",
        "movement_lookback_days",
    }
    if unknown:
        raise ValueError(f"{where}: unknown fields {', '.join(sorted(unknown))}")
    window = table.get("demand_window_days", 28)
    level = table.get("service_level", 0.95)
    overstock = table.get("overstock_cover_days", 120)
    grace = table.get("stale_grace_minutes", 5)
    lookback = table.get("movement_lookback_days", 7)
    if not isinstance(window, int) or not 7 <= window <= 365:
        raise ValueError(f"{where}: demand_window_days must be a whole number 7..365")
    if not isinstance(level, int | float) or not 0.5 <= level <= 0.999:
        raise ValueError(f"{where}: service_level must be 0.5..0.999")
    if not isinstance(overstock, int | float) or overstock <= 0:
        raise ValueError(f"{where}: overstock_cover_days must be positive")
    if not isinstance(grace, int | float) or grace < 0:
        raise ValueError(f"{where}: stale_grace_minutes must be >= 0")
    if not isinstance(lookback, int) or lookback < 1:
        raise ValueError(f"{where}: movement_lookback_days must be a whole number >= 1")
    return HealthRules(
        as_text(table.get("version"), f"{where}: version"),
        window,
        float(level),
        float(overstock),
        float(grace),
        lookback,
    )


def default_rules() -> HealthRules:
    return parse_rules(load_json(DATA_PACKAGE, RULES_FILE))
