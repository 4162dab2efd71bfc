"""The replenishment defaults (`data/replenishment_rules.json`, parsed strictly at start)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hph.runtime.data_tables import as_mapping, as_text, load_json

DATA_PACKAGE = "hph.agents.inventory_jit_replenishment"
RULES_FILE = "replenishment_rules.json"


@dataclass(frozen=True)
class PlanRules:
    version: str
    demand_window_days: int = 28
    service_level: float = 0.95
    horizon_days: int = 30
    cover_target_days: int = 14
    order_by_search_days: int = 365


def parse_rules(raw: Any, where: str = RULES_FILE) -> PlanRules:
    table = as_mapping(raw, where)
    known = {
        "description",
        "version",
        "demand_window_days",
        "service_level",
        "horizon_days",
        "cover_target_days",
        "order_by_search_days",
    }
    unknown = set(table) - known
    if unknown:
        raise ValueError(f"{where}: unknown fields {', '.join(sorted(unknown))}")

    def whole(name: str, low: int, high: int) -> int:
        value = table.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"{where}: {name} must be a whole number {low}..{high}")
        return value

    level = table.get("service_level")
    if not isinstance(level, int | float) or not 0.5 <= level <= 0.999:
        raise ValueError(f"{where}: service_level must be 0.5..0.999")
    return PlanRules(
        as_text(table.get("version"), f"{where}: version"),
        whole("demand_window_days", 7, 365),
        float(level),
        whole("horizon_days", 1, 180),
        whole("cover_target_days", 0, 365),
        whole("order_by_search_days", 30, 730),
    )


def default_rules() -> PlanRules:
    return parse_rules(load_json(DATA_PACKAGE, RULES_FILE))
