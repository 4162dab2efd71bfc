"""The review queue's guardrails as data: which fields each agent may propose, and when (if ever) a
proposal is approved without a person.

The table ships as `data/proposal_policy.json` (or `HPH_PROPOSAL_POLICY_PATH`); it is parsed once at
start, strictly, so a malformed table fails the start rather than a submission.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hph.commerce.product_truth import ATTRIBUTE_PREFIX, CATALOG_FIELDS
from hph.runtime import data_tables

ANY_ATTRIBUTE = ATTRIBUTE_PREFIX + "*"
_KNOWN_PATTERNS = frozenset((*CATALOG_FIELDS, ANY_ATTRIBUTE))


def field_matches(pattern: str, field: str) -> bool:
    """Whether an allow-list entry covers `field` ("attributes.*" covers every attribute)."""
    if pattern == ANY_ATTRIBUTE:
        return field.startswith(ATTRIBUTE_PREFIX)
    return pattern == field


@dataclass(frozen=True)
class AutoApprovalRule:
    """Proposals of `agent` on `fields` (in `categories`, when any are named) at or above
    `min_confidence` may be approved without a person, when auto-approval is on."""

    agent: str
    fields: tuple[str, ...]
    categories: tuple[str, ...]
    min_confidence: float

    def covers(self, agent: str, field: str, category_id: str) -> bool:
        return (
            agent == self.agent
            and any(field_matches(pattern, field) for pattern in self.fields)
            and (not self.categories or category_id in self.categories)
        )


@dataclass(frozen=True)
class ProposalPolicy:
    allowed_fields: Mapping[str, tuple[str, ...]]
    confidence_floor: float
    auto_rules: tuple[AutoApprovalRule, ...]

    def allows(self, agent: str, field: str) -> bool:
        return any(field_matches(pattern, field) for pattern in self.allowed_fields.get(agent, ()))

    def refusal(self, agent: str, field: str) -> str:
        """Why `agent` may not propose `field` (empty when it may)."""
        if agent not in self.allowed_fields:
            return (
                f"{agent!r} is not an agent the review queue accepts proposals from ({', '.join(self.allowed_fields)})"
            )
        if self.allows(agent, field):
            return ""
        allowed = ", ".join(self.allowed_fields[agent]) or "none"
        return f"{agent} may not propose {field!r}; its allow-list: {allowed}"

    def auto_approves(self, agent: str, field: str, category_id: str, confidence: float) -> bool:
        """Whether auto-approval (when on) takes this proposal: a rule covers it and its confidence
        reaches both the floor and the rule's minimum. Below the floor, never."""
        if confidence < self.confidence_floor:
            return False
        return any(
            rule.covers(agent, field, category_id) and confidence >= rule.min_confidence for rule in self.auto_rules
        )


def parse_policy(raw: Any) -> ProposalPolicy:
    table = data_tables.as_mapping(raw, "proposal policy")
    agents = data_tables.as_mapping(table.get("agents"), "agents")
    allowed: dict[str, tuple[str, ...]] = {}
    for agent, fields in agents.items():
        patterns = tuple(data_tables.as_text(f, f"agents.{agent}[]") for f in data_tables.as_list(fields, agent))
        unknown = [p for p in patterns if p not in _KNOWN_PATTERNS]
        if unknown:
            raise ValueError(f"agents.{agent}: unknown fields {unknown}; choose from {sorted(_KNOWN_PATTERNS)}")
        allowed[agent] = patterns
    auto = data_tables.as_mapping(table.get("auto_approval"), "auto_approval")
    floor = _probability(auto.get("confidence_floor"), "auto_approval.confidence_floor")
    rules: list[AutoApprovalRule] = []
    for i, item in enumerate(data_tables.as_list(auto.get("rules"), "auto_approval.rules")):
        where = f"auto_approval.rules[{i}]"
        rule = data_tables.as_mapping(item, where)
        agent = data_tables.as_text(rule.get("agent"), f"{where}.agent")
        fields = tuple(
            data_tables.as_text(f, f"{where}.fields[]") for f in data_tables.as_list(rule.get("fields"), where)
        )
        if agent not in allowed or not all(any(p == f for p in allowed[agent]) for f in fields):
            raise ValueError(f"{where}: auto-approves fields outside {agent}'s allow-list")
        categories = tuple(
            data_tables.as_text(c, f"{where}.categories[]")
            for c in data_tables.as_list(rule.get("categories", []), where)
        )
        rules.append(
            AutoApprovalRule(agent, fields, categories, _probability(rule.get("min_confidence", floor), where))
        )
    return ProposalPolicy(allowed, floor, tuple(rules))


def _probability(value: Any, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ValueError(f"{where}: expected a number in 0..1")
    return float(value)


def load_policy(path: str = "") -> ProposalPolicy:
    """The policy at `path`, or the one shipped with the service."""
    if path:
        return parse_policy(json.loads(Path(path).read_text(encoding="utf-8")))
    return parse_policy(data_tables.load_json("hph.services.proposals", "proposal_policy.json"))
