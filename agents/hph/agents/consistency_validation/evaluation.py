"""`hph eval outliers`: consistency-validation's audit over the demo catalog with its injected messy
products (hph.commerce.demo_messy, whose data file is the ground truth), in this process.

Price outliers: precision and recall over products (a product is flagged when it gets a
PRICE_OUTLIER finding; positives are the products injected with one). Category mismatches: the
same. Every injected problem: the share found (recall over expected findings); and the findings on
products nobody corrupted, except those naming an injected product (the twin of a duplicate),
counted as false alarms.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Final

from hph.agents.consistency_validation.audit import Audit, run_audit
from hph.agents.consistency_validation.checks import CATEGORY_MISMATCH, PRICE_OUTLIER
from hph.agents.consistency_validation.rules import Rules, shipped_rules
from hph.agents.product_catalog.classifier import CategoryClassifier, Example
from hph.agents.product_catalog.records import ProductRecord
from hph.commerce.demo_data import DemoCatalog, DemoProduct, generate_catalog
from hph.commerce.demo_messy import MessyProduct, messy_products, with_messy_products

# The floors CI holds the audit to (docs/agents/consistency-validation.md).
FLOORS: Final = {
    "outlier_precision": 0.8,
    "outlier_recall": 1.0,
    "mismatch_precision": 0.8,
    "mismatch_recall": 1.0,
    "injected_recall": 0.95,
}
# Findings about content the demo leaves thin on purpose are not false alarms of a corruption check.
CORRUPTION_CODES: Final = ("NON_POSITIVE_PRICE", "PRICE_OUTLIER", "DUPLICATE_SKU", "NEAR_DUPLICATE_TITLE",
                           "CATEGORY_MISMATCH", "INVALID_IMAGE_URL")  # fmt: skip


@dataclass(frozen=True)
class Detection:
    flagged: int
    true_positives: int
    positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 1.0


@dataclass(frozen=True)
class OutlierReport:
    method: str
    products: int
    outliers: Detection
    mismatches: Detection
    expected_findings: int
    found_findings: int
    false_alarms: tuple[tuple[str, str], ...]
    missed: tuple[tuple[str, str], ...]

    @property
    def injected_recall(self) -> float:
        return self.found_findings / self.expected_findings if self.expected_findings else 1.0


def record_of(product: DemoProduct) -> ProductRecord:
    return ProductRecord(
        id=product.id,
        name=product.name,
        brand=product.brand,
        description=product.description,
        category_id=product.category_id,
        tags=product.tags,
        price=product.price_minor / 100,
        currency_code=product.currency_code,
        image_url=product.image_url,
    )


def audit_messy_catalog(catalog: DemoCatalog, rules: Rules) -> tuple[Audit, tuple[MessyProduct, ...], str]:
    messy = messy_products(catalog)
    records = [record_of(p) for p in with_messy_products(catalog).products]
    model = CategoryClassifier([Example(r.id, r.text(), r.category_id) for r in records])
    parents = {c.id: c.parent_id for c in catalog.categories}

    def ancestors(category_id: str) -> list[str]:
        found = []
        while parents.get(category_id) and parents[category_id] not in found:
            category_id = parents[category_id]
            found.append(category_id)
        return found

    return run_audit(records, rules, model.classify_many, ancestors, model.method), messy, model.method


def _detection(audit: Audit, code: str, positives: set[str]) -> Detection:
    flagged = {p.record.id for p in audit.products if any(f.code == code for f in p.findings)}
    return Detection(len(flagged), len(flagged & positives), len(positives))


def evaluate(catalog: DemoCatalog | None = None, rules: Rules | None = None) -> OutlierReport:
    audit, messy, method = audit_messy_catalog(catalog or generate_catalog(), rules or shipped_rules())
    truth = {m.product.id: m for m in messy}
    expected = Counter[tuple[str, str]]((m.product.id, code) for m in messy for code in m.expected_findings)
    found, false_alarms = 0, []
    for product in audit.products:
        for finding in product.findings:
            key = (product.record.id, finding.code)
            if key in expected:
                found += 1
                expected[key] = 0  # a finding counts once
            elif (
                product.record.id not in truth
                and finding.code in CORRUPTION_CODES
                and not set(finding.related) & set(truth)
            ):
                false_alarms.append(key)
    total = sum(len(m.expected_findings) for m in messy)
    return OutlierReport(
        method=method,
        products=len(audit.products),
        outliers=_detection(
            audit, PRICE_OUTLIER, {m.product.id for m in messy if PRICE_OUTLIER in m.expected_findings}
        ),
        mismatches=_detection(
            audit, CATEGORY_MISMATCH, {m.product.id for m in messy if CATEGORY_MISMATCH in m.expected_findings}
        ),
        expected_findings=total,
        found_findings=found,
        false_alarms=tuple(false_alarms),
        missed=tuple(key for key, left in expected.items() if left),
    )


def figures(report: OutlierReport) -> dict[str, float]:
    return {
        "outlier_precision": report.outliers.precision,
        "outlier_recall": report.outliers.recall,
        "mismatch_precision": report.mismatches.precision,
        "mismatch_recall": report.mismatches.recall,
        "injected_recall": report.injected_recall,
    }


def below_floors(report: OutlierReport) -> list[str]:
    measured = figures(report)
    return [f"{name} {measured[name]:.3f} < {floor}" for name, floor in FLOORS.items() if measured[name] < floor]


def render(report: OutlierReport, *, per_case: bool) -> str:
    o, m = report.outliers, report.mismatches
    lines = [
        f"{report.products} products audited, classifier {report.method}",
        f"price outliers     flagged {o.flagged:>3}  injected {o.positives:>3}  precision {o.precision:.3f}  "
        f"recall {o.recall:.3f}",
        f"category mismatch  flagged {m.flagged:>3}  injected {m.positives:>3}  precision {m.precision:.3f}  "
        f"recall {m.recall:.3f}",
        f"injected problems found {report.found_findings} of {report.expected_findings} "
        f"({report.injected_recall:.3f}); false alarms on clean products {len(report.false_alarms)}",
        "floors: " + ", ".join(f"{name} >= {floor}" for name, floor in FLOORS.items()),
    ]
    if per_case:
        lines += [f"  missed: {pid} {code}" for pid, code in report.missed]
        lines += [f"  false alarm: {pid} {code}" for pid, code in report.false_alarms]
    return "\n".join(lines)
