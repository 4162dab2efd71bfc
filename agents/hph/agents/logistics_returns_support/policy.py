"""The return policy as data: final-sale marks, category rules (excluded, accepted conditions,
restocking fees in basis points) and the shipping policy, loaded from a JSON file.

The window is NOT here: it is HPH_RETURN_WINDOW_DAYS, measured by hph.commerce.returns_policy, the
rule the returns service enforces, so the agent and the service can never disagree about it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).parent / "data" / "returns_policy.json"
BASIS_POINTS = 10_000


class Condition(StrEnum):
    UNOPENED = "unopened"
    OPENED = "opened"
    USED = "used"
    DAMAGED = "damaged"


@dataclass(frozen=True)
class CategoryRule:
    """What a category accepts back; `why` is shown to the shopper when it refuses."""

    excluded: bool = False
    accepted_conditions: frozenset[Condition] = frozenset({Condition.UNOPENED, Condition.OPENED})
    restocking_fee_bps: Mapping[Condition, int] = field(default_factory=dict)
    why: str = ""

    def fee_bps(self, condition: Condition) -> int:
        return self.restocking_fee_bps.get(condition, 0)


@dataclass(frozen=True)
class ShippingPolicy:
    """Original shipping is never refunded (the returns service refunds at most items + tax share,
    hph.commerce.returns_policy); a return shipping fee is charged per return, by currency."""

    return_shipping_fee_minor: Mapping[str, int] = field(default_factory=dict)
    return_shipping_free_for_fault: bool = True


@dataclass(frozen=True)
class ReturnPolicy:
    version: str
    source: str
    fault_reasons: frozenset[str]
    fault_overrides_exclusions: bool
    final_sale_tags: frozenset[str]
    final_sale_skus: frozenset[str]
    default_rule: CategoryRule
    category_rules: Mapping[str, CategoryRule]
    shipping: ShippingPolicy

    def rule(self, category_id: str) -> CategoryRule:
        return self.category_rules.get(category_id, self.default_rule)

    def is_fault(self, reason: str) -> bool:
        """True when the reason is the seller's fault (no fees, exclusions overridden by the data)."""
        return reason in self.fault_reasons

    def is_final_sale(self, product_id: str, tags: frozenset[str]) -> bool:
        return product_id in self.final_sale_skus or bool(tags & self.final_sale_tags)

    def return_shipping_fee(self, currency_code: str, reason: str) -> int:
        if self.shipping.return_shipping_free_for_fault and self.is_fault(reason):
            return 0
        return self.shipping.return_shipping_fee_minor.get(currency_code, 0)


def _rule(raw: Mapping[str, Any], default: CategoryRule | None) -> CategoryRule:
    base = default or CategoryRule()
    conditions = raw.get("accepted_conditions")
    fees = raw.get("restocking_fee_bps")
    rule = CategoryRule(
        excluded=bool(raw.get("excluded", False)),
        accepted_conditions=frozenset(Condition(c) for c in conditions)
        if conditions is not None
        else base.accepted_conditions,
        restocking_fee_bps={Condition(c): int(bps) for c, bps in fees.items()}
        if fees is not None
        else base.restocking_fee_bps,
        why=str(raw.get("why", "")),
    )
    for condition, bps in rule.restocking_fee_bps.items():
        if not 0 <= bps <= BASIS_POINTS:
            raise ValueError(f"restocking fee for {condition} must be 0..{BASIS_POINTS} basis points, not {bps}")
    return rule


def parse_policy(raw: Mapping[str, Any], source: str) -> ReturnPolicy:
    default = _rule(raw.get("default_rule", {}), None)
    shipping = raw.get("shipping", {})
    return ReturnPolicy(
        version=str(raw["version"]),
        source=source,
        fault_reasons=frozenset(raw.get("fault_reasons", ())),
        fault_overrides_exclusions=bool(raw.get("fault_overrides_exclusions", True)),
        final_sale_tags=frozenset(raw.get("final_sale", {}).get("tags", ())),
        final_sale_skus=frozenset(raw.get("final_sale", {}).get("skus", ())),
        default_rule=default,
        category_rules={k: _rule(v, default) for k, v in raw.get("category_rules", {}).items()},
        shipping=ShippingPolicy(
            return_shipping_fee_minor={k: int(v) for k, v in shipping.get("return_shipping_fee_minor", {}).items()},
            return_shipping_free_for_fault=bool(shipping.get("return_shipping_free_for_fault", True)),
        ),
    )


def load_policy(path: str | Path = "") -> ReturnPolicy:
    """The policy at `path` (HPH_RETURNS_POLICY_PATH), or the file shipped with the agent."""
    chosen = Path(path) if path else DEFAULT_PATH
    return parse_policy(json.loads(chosen.read_text(encoding="utf-8")), chosen.name)
