"""The whole-catalog audit: every product's findings and completeness, computed once per catalog
and model version, then filtered, ordered and summarised per request (pure; no I/O)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from hph.agents.consistency_validation.checks import (
    CODES,
    Finding,
    catalog_stats,
    check_product,
    classifications_by_id,
)
from hph.agents.consistency_validation.rules import Rules
from hph.agents.product_catalog.classifier import Classification
from hph.agents.product_catalog.completeness import Completeness, ContentFields, completeness
from hph.agents.product_catalog.records import ProductRecord
from hph.commerce.product_truth import ProposalDraft


@dataclass(frozen=True)
class ProductResult:
    record: ProductRecord
    findings: tuple[Finding, ...]
    completeness: Completeness

    @property
    def severity(self) -> int:
        return max((f.severity for f in self.findings), default=0)


@dataclass(frozen=True)
class Audit:
    """Every product of the catalog, checked."""

    products: tuple[ProductResult, ...]

    def proposals(self) -> list[ProposalDraft]:
        return [f.proposal for p in self.products for f in p.findings if f.proposal is not None]


@dataclass(frozen=True)
class Selection:
    """An audit narrowed by a request's filters, ordered most severe first."""

    products: tuple[ProductResult, ...]
    checked: int
    by_code: tuple[tuple[str, int], ...]
    mean_completeness: float


def content_of(record: ProductRecord) -> ContentFields:
    return ContentFields(record.name, record.description, record.image_url, record.brand, record.tags)


def run_audit(
    records: Sequence[ProductRecord],
    rules: Rules,
    classify_many: Callable[[list[tuple[str, str]]], list[Classification]] | None,
    ancestors: Callable[[str], list[str]],
    model_method: str = "",
) -> Audit:
    stats = catalog_stats(records, rules)
    predictions = classifications_by_id(records, classify_many)
    return Audit(
        tuple(
            ProductResult(
                record,
                tuple(check_product(record, stats, rules, predictions.get(record.id), ancestors, model_method)),
                completeness(content_of(record)),
            )
            for record in records
        )
    )


def select(audit: Audit, *, categories: Collection[str] | None, min_severity: int, codes: Collection[str]) -> Selection:
    """The products of `categories` (None: all), each with only the findings at or above
    `min_severity` and of `codes` (empty: all); those left with a finding, most severe first, then
    lowest completeness, then by id."""
    checked = [p for p in audit.products if categories is None or p.record.category_id in categories]
    kept: list[ProductResult] = []
    counts: Counter[str] = Counter()
    for product in checked:
        findings = tuple(f for f in product.findings if f.severity >= min_severity and (not codes or f.code in codes))
        counts.update(f.code for f in findings)
        if findings:
            kept.append(ProductResult(product.record, findings, product.completeness))
    kept.sort(key=lambda p: (-p.severity, p.completeness.score, p.record.id))
    mean = sum(p.completeness.score for p in checked) / len(checked) if checked else 0.0
    by_code = tuple(sorted(counts.items(), key=lambda item: (-item[1], CODES.index(item[0]))))
    return Selection(tuple(kept), len(checked), by_code, round(mean, 4))
