"""The decision core of normalization-classification: normalised fields, extracted attributes and
the category, each turned into the proposals a person may approve (pure; no I/O, no protos)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from hph.agents.normalization_classification.attributes import Extracted, extract
from hph.agents.normalization_classification.normalize import Normalized, normalize_brand, normalize_title
from hph.agents.product_catalog.classifier import CONFIDENT_DISAGREEMENT, CategoryClassifier, Classification
from hph.agents.product_catalog.records import ProductRecord
from hph.agents.runtime import Driver
from hph.commerce.product_truth import ATTRIBUTE_PREFIX, Evidence, ProposalDraft

AGENT: Final = "normalization-classification"
# Rules are deterministic, but a casing rule can still miss a brand's own style: a person looks.
RULE_CONFIDENCE: Final = 0.9
# Attributes below this confidence are shown, never proposed.
ATTRIBUTE_PROPOSAL_FLOOR: Final = 0.6
# The catalog field a normalised field is written to.
CATALOG_FIELD: Final = {"title": "name", "brand": "brand"}


@dataclass(frozen=True)
class Normalization:
    fields: tuple[Normalized, ...]
    attributes: tuple[Extracted, ...]
    proposals: tuple[ProposalDraft, ...]


def normalize_product(record: ProductRecord, brands: Mapping[str, str]) -> Normalization:
    title = normalize_title(record.name, brands)
    brand = normalize_brand(record.brand, brands)
    attributes = extract(
        {"title": title.normalized, "tags": ", ".join(record.tags), "description": record.description},
        record.attributes,
    )
    proposals: list[ProposalDraft] = []
    if record.id:
        for found in (title, brand):
            if found.changed and found.normalized:
                proposals.append(
                    _draft(
                        record,
                        CATALOG_FIELD[found.field],
                        found.original,
                        found.normalized,
                        RULE_CONFIDENCE,
                        tuple(Evidence(f"rule:{rule}", 1.0, f"rule {rule} applied") for rule in found.rules),
                    )
                )
        for attribute in attributes:
            if attribute.value != attribute.current_value and attribute.confidence >= ATTRIBUTE_PROPOSAL_FLOOR:
                proposals.append(
                    _draft(
                        record,
                        f"{ATTRIBUTE_PREFIX}{attribute.name}",
                        attribute.current_value,
                        attribute.value,
                        attribute.confidence,
                        (
                            Evidence(
                                "extraction_confidence",
                                attribute.confidence,
                                f"read {attribute.source_text!r} in the {attribute.source_field}",
                            ),
                        ),
                    )
                )
    return Normalization((title, brand), tuple(attributes), tuple(proposals))


def normalization_drivers(result: Normalization) -> list[Driver]:
    rules = sum(len(field.rules) for field in result.fields)
    drivers = [
        Driver("rules_applied", rules, ", ".join(r for f in result.fields for r in f.rules) or "nothing to change"),
        Driver("attributes_found", len(result.attributes), ", ".join(f"{a.name}={a.value}" for a in result.attributes)),
    ]
    return drivers + proposal_drivers(result.proposals)


def category_proposal(
    record: ProductRecord, classification: Classification, model: CategoryClassifier
) -> ProposalDraft | None:
    """The category the classifier is confident of, when it is not the product's."""
    best = classification.best
    if not record.id or not record.category_id or best.category_id == record.category_id:
        return None
    if best.confidence < CONFIDENT_DISAGREEMENT:
        return None
    current = next((r.confidence for r in classification.ranked if r.category_id == record.category_id), 0.0)
    return _draft(
        record,
        "category_id",
        record.category_id,
        best.category_id,
        best.confidence,
        (
            Evidence("confidence", best.confidence, f"{model.method} predicts {best.category_id}", "probability"),
            Evidence("current_category_confidence", current, f"probability of {record.category_id}", "probability"),
            *(Evidence(f"token:{t.feature}", t.weight, "tf-idf x weight towards it") for t in classification.tokens),
        ),
    )


def classification_drivers(classification: Classification, model: CategoryClassifier) -> list[Driver]:
    best = classification.best
    runner_up = classification.ranked[1].confidence if len(classification.ranked) > 1 else 0.0
    drivers = [
        Driver(
            "confidence",
            best.confidence,
            f"calibrated probability of {best.category_id}"
            + (" (out of fold: the model did not learn this product)" if classification.out_of_fold else ""),
            threshold=CONFIDENT_DISAGREEMENT,
            unit="probability",
        ),
        Driver("margin", round(best.confidence - runner_up, 4), "over the next category", unit="probability"),
        Driver("training_products", model.examples, f"catalog products the model ({model.method}) learnt from"),
    ]
    drivers += [
        Driver(
            feature.feature,
            feature.weight,
            f"tf-idf x weight towards {best.category_id}",
            weight=feature.weight,
            contribution=feature.weight,
        )
        for feature in classification.tokens
    ]
    return drivers


def proposal_drivers(proposals: tuple[ProposalDraft, ...]) -> list[Driver]:
    return [
        Driver(
            f"proposal.{p.field}",
            p.confidence,
            f"propose {p.field} = {p.proposed_value!r} (now {p.current_value!r})",
            unit="confidence",
        )
        for p in proposals
    ]


def _draft(
    record: ProductRecord, field: str, current: str, proposed: str, confidence: float, evidence: tuple[Evidence, ...]
) -> ProposalDraft:
    return ProposalDraft(
        product_id=record.id,
        field=field,
        current_value=current,
        proposed_value=proposed,
        source_agent=AGENT,
        confidence=round(confidence, 4),
        product_etag=record.etag,
        evidence=evidence,
    )
