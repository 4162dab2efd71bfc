"""consistency-validation's thresholds, read from data/rules.json (one version string names them)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

# Severity names of the data file -> agents/v1 Severity values (INFO=1 .. CRITICAL=5).
SEVERITIES = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}


@dataclass(frozen=True)
class FieldRule:
    field: str
    min_length: int
    missing: int
    short: int


@dataclass(frozen=True)
class Rules:
    version: str
    fields: tuple[FieldRule, ...]
    non_positive_price: int
    outlier_threshold: float
    outlier_high_at: float
    outlier_min_products: int
    outlier_severity: int
    outlier_high_severity: int
    duplicate_sku: int
    near_duplicate_threshold: float
    near_duplicate: int
    category_mismatch: int
    image_extensions: tuple[str, ...]
    invalid_image: int


def rules_from(raw: Mapping[str, Any]) -> Rules:
    outlier = raw["price_outlier"]
    return Rules(
        version=str(raw["version"]),
        fields=tuple(
            FieldRule(name, int(rule["min_length"]), SEVERITIES[rule["missing"]], SEVERITIES[rule["short"]])
            for name, rule in raw["fields"].items()
        ),
        non_positive_price=SEVERITIES[raw["non_positive_price"]["severity"]],
        outlier_threshold=float(outlier["threshold"]),
        outlier_high_at=float(outlier["high_at"]),
        outlier_min_products=int(outlier["min_products"]),
        outlier_severity=SEVERITIES[outlier["severity"]],
        outlier_high_severity=SEVERITIES[outlier["high_severity"]],
        duplicate_sku=SEVERITIES[raw["duplicate_sku"]["severity"]],
        near_duplicate_threshold=float(raw["near_duplicate_title"]["threshold"]),
        near_duplicate=SEVERITIES[raw["near_duplicate_title"]["severity"]],
        category_mismatch=SEVERITIES[raw["category_mismatch"]["severity"]],
        image_extensions=tuple(str(e).lower() for e in raw["image_url"]["extensions"]),
        invalid_image=SEVERITIES[raw["image_url"]["severity"]],
    )


@cache
def shipped_rules() -> Rules:
    return rules_from(json.loads(resources.files(__package__).joinpath("data/rules.json").read_text(encoding="utf-8")))
