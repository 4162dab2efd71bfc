"""Content completeness of a product: a weighted sum over its content fields, the weights shown.

One home for product-detail-enrichment (a product page's insights) and consistency-validation (the
completeness of every product in an audit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from hph.agents.runtime import Driver


@dataclass(frozen=True)
class FieldRule:
    """A content field, its weight in the score, and the size at which it counts in full (a shorter
    value counts as that fraction; 1 for a field that is present or not)."""

    field: str
    weight: float
    full_at: int
    unit: str


# Weights sum to 1. A description is what converts most, then an image.
COMPLETENESS_RULES: Final = (
    FieldRule("description", 0.30, 120, "characters"),
    FieldRule("image_url", 0.25, 1, "present"),
    FieldRule("brand", 0.15, 1, "present"),
    FieldRule("tags", 0.15, 3, "tags"),
    FieldRule("name", 0.15, 10, "characters"),
)


@dataclass(frozen=True)
class ContentFields:
    name: str
    description: str
    image_url: str
    brand: str
    tags: tuple[str, ...]

    def size(self, field: str) -> int:
        if field == "tags":
            return len([tag for tag in self.tags if tag.strip()])
        value: str = getattr(self, field)
        return len(value.strip())


@dataclass(frozen=True)
class Completeness:
    score: float
    missing_fields: tuple[str, ...]
    components: tuple[Driver, ...]


def completeness(content: ContentFields) -> Completeness:
    """score = sum(weight x min(1, size / full_at)); a field below full counts as missing (most
    heavily weighted first)."""
    components = []
    missing = []
    for rule in COMPLETENESS_RULES:
        size = content.size(rule.field)
        value = min(1.0, size / rule.full_at)
        components.append(
            Driver(
                rule.field,
                round(value, 4),
                f"{size} of {rule.full_at} {rule.unit}" if rule.full_at > 1 else ("present" if size else "missing"),
                weight=rule.weight,
                threshold=rule.full_at,
                contribution=round(rule.weight * value, 4),
            )
        )
        if value < 1.0:
            missing.append((rule.weight, rule.field))
    score = sum(rule.weight * min(1.0, content.size(rule.field) / rule.full_at) for rule in COMPLETENESS_RULES)
    missing.sort(key=lambda item: (-item[0], item[1]))
    return Completeness(round(score, 4), tuple(field for _, field in missing), tuple(components))
