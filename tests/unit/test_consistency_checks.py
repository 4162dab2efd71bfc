"""consistency-validation's rules: each moves the answer the right way and its threshold holds at
its edge (field lengths, robust z on log price, title similarity, classifier confidence, image URL
form); the audit orders, filters and counts as the contract says; the completeness score shows its
weights; the shipped rules find every injected problem of the demo catalog above the floors."""

from __future__ import annotations

import dataclasses
import math

import pytest

from hph.agents.consistency_validation import evaluation
from hph.agents.consistency_validation.audit import Audit, ProductResult, content_of, select
from hph.agents.consistency_validation.checks import (
    CatalogStats,
    PriceStats,
    catalog_stats,
    check_product,
    image_url_fix,
    image_url_valid,
    jaccard,
    robust_z,
    shingles,
    sku_key,
)
from hph.agents.consistency_validation.rules import SEVERITIES, shipped_rules
from hph.agents.product_catalog.classifier import CONFIDENT_DISAGREEMENT, Classification, Ranked
from hph.agents.product_catalog.completeness import COMPLETENESS_RULES, completeness
from hph.agents.product_catalog.records import ProductRecord

RULES = shipped_rules()
GOOD_DESCRIPTION = "A sturdy enamelled pot that keeps soup warm through the longest holiday dinner."


def product(**changes: object) -> ProductRecord:
    base = ProductRecord(
        "POT-0001",
        "Hearthstone Dutch Oven",
        "Hearthstone",
        GOOD_DESCRIPTION,
        "cookware",
        ("pot",),
        50.0,
        "USD",
        "https://images.example/products/POT-0001.jpg",
        "etag-1",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def codes(
    record: ProductRecord, stats: CatalogStats | None = None, classification: Classification | None = None
) -> list[str]:
    found = check_product(record, stats or CatalogStats(), RULES, classification, lambda _c: [])
    return [f.code for f in found]


def test_a_complete_product_has_no_finding() -> None:
    assert codes(product()) == []


def test_field_lengths_at_their_edges() -> None:
    name_rule = next(rule for rule in RULES.fields if rule.field == "name")
    description_rule = next(rule for rule in RULES.fields if rule.field == "description")
    assert "SHORT_FIELD" in codes(product(name="x" * (name_rule.min_length - 1)))
    assert codes(product(name="x" * name_rule.min_length)) == []
    assert "SHORT_FIELD" in codes(product(description="y" * (description_rule.min_length - 1)))
    assert codes(product(description="y" * description_rule.min_length)) == []
    missing = check_product(product(description="  "), CatalogStats(), RULES, None, lambda _c: [])
    assert [(f.code, f.field, f.severity) for f in missing] == [
        ("MISSING_FIELD", "description", description_rule.missing)
    ]


def test_non_positive_price_is_high() -> None:
    for price in (0.0, -1.0):
        found = check_product(product(price=price), CatalogStats(), RULES, None, lambda _c: [])
        assert [(f.code, f.severity) for f in found] == [("NON_POSITIVE_PRICE", SEVERITIES["high"])]


def test_robust_z_is_the_modified_z_score_on_log_price() -> None:
    prices = [10.0, 12.0, 14.0, 16.0, 18.0]
    stats = catalog_stats([product(id=f"P-{i:04d}", price=p) for i, p in enumerate(prices)], RULES).prices["cookware"]
    logs = sorted(math.log(p) for p in prices)
    median = logs[2]
    mad = sorted(abs(x - median) for x in logs)[2]
    assert stats.median == pytest.approx(median)
    assert robust_z(40.0, stats) == pytest.approx(0.6745 * (math.log(40.0) - median) / mad)


def test_a_price_outlier_at_the_threshold_edge_and_in_both_directions() -> None:
    stats = CatalogStats(prices={"cookware": PriceStats(median=math.log(50.0), spread=0.2, products=10)})
    at_edge = 50.0 * math.exp(0.2 * RULES.outlier_threshold)
    assert "PRICE_OUTLIER" not in codes(product(price=at_edge * 0.999), stats)
    assert "PRICE_OUTLIER" in codes(product(price=at_edge * 1.01), stats)
    below = check_product(
        product(price=50.0 * math.exp(-0.2 * (RULES.outlier_high_at + 1))), stats, RULES, None, lambda _c: []
    )
    assert below[0].code == "PRICE_OUTLIER" and below[0].severity == RULES.outlier_high_severity
    assert "below" in below[0].message
    # Too few priced products in a category: not judged.
    few = [product(id=f"P-{i:04d}", price=10.0 + i) for i in range(RULES.outlier_min_products - 1)]
    assert "cookware" not in catalog_stats(few, RULES).prices


def test_duplicate_skus_ignore_case_and_separators() -> None:
    assert sku_key("bkw_0376") == sku_key("BKW-0376") == "BKW0376"
    twins = [product(id="BKW-0376"), product(id="bkw_0376", name="Copperleaf Fluted Bundt Pan")]
    stats = catalog_stats(twins, RULES)
    found = check_product(twins[1], stats, RULES, None, lambda _c: [])
    assert [(f.code, f.related) for f in found] == [("DUPLICATE_SKU", ("BKW-0376",))]


def test_near_duplicate_titles_at_the_jaccard_edge() -> None:
    base = "Opaline Classic Pendant Necklace Garnet"
    assert jaccard(shingles(base), shingles(base + " Boxed")) >= RULES.near_duplicate_threshold
    variant = "Opaline Classic Pendant Necklace Pearl"  # a colour variant of one line is not a duplicate
    assert jaccard(shingles(base), shingles(variant)) < RULES.near_duplicate_threshold
    catalog = [product(id="JWL-0001", name=base), product(id="JWL-0002", name=base + " Boxed")]
    found = check_product(catalog[0], catalog_stats(catalog, RULES), RULES, None, lambda _c: [])
    assert [(f.code, f.related) for f in found] == [("NEAR_DUPLICATE_TITLE", ("JWL-0002",))]
    # Case, punctuation and unit forms do not make titles different.
    assert shingles("Aurora LIGHTS, 33ft") == shingles("aurora lights 33 ft")


def classified(category: str, confidence: float, current: float = 0.01) -> Classification:
    return Classification((Ranked(category, confidence), Ranked("cookware", current)), (), True)


def test_category_mismatch_needs_a_confident_other_category_that_is_not_a_child_of_the_current() -> None:
    assert codes(product(), classification=classified("headphones", CONFIDENT_DISAGREEMENT - 0.01)) == []
    found = check_product(
        product(), CatalogStats(), RULES, classified("headphones", CONFIDENT_DISAGREEMENT), lambda _c: []
    )
    assert [f.code for f in found] == ["CATEGORY_MISMATCH"]
    proposal = found[0].proposal
    assert proposal is not None and (proposal.field, proposal.proposed_value, proposal.product_etag) == (
        "category_id",
        "headphones",
        "etag-1",
    )
    assert codes(product(), classification=classified("cookware", 0.99)) == []
    # Filed under a parent of the prediction: broad, not wrong.
    parent = check_product(
        product(category_id="kitchen"), CatalogStats(), RULES, classified("cookware", 0.9), lambda c: ["kitchen"]
    )
    assert parent == []


@pytest.mark.parametrize(
    ("url", "valid", "fix"),
    [
        ("https://images.example/p/1.jpg", True, None),
        ("http://images.example/p/1.PNG", True, None),
        ("https://images.example/p/1", False, None),
        ("ftp://images.example/p/1.jpg", False, None),
        ("htp://images.example/p/1.jpg", False, "https://images.example/p/1.jpg"),
        ("//images.example/p/1.jpg", False, "https://images.example/p/1.jpg"),
        ("images.example/p/1.jpg", False, "https://images.example/p/1.jpg"),
        ("not a url", False, None),
        ("https://images.example/p/my photo.jpg", False, None),
    ],
)
def test_image_urls_by_form_and_the_scheme_fix(url: str, valid: bool, fix: str | None) -> None:
    assert image_url_valid(url, RULES.image_extensions) is valid
    assert image_url_fix(url, RULES.image_extensions) == fix
    found = check_product(product(image_url=url), CatalogStats(), RULES, None, lambda _c: [])
    assert [f.code for f in found] == ([] if valid else ["INVALID_IMAGE_URL"])
    if not valid:
        assert (found[0].proposal.proposed_value if found[0].proposal else None) == fix


def test_completeness_shows_its_weights_and_drops_with_each_missing_field() -> None:
    full = completeness(content_of(product(tags=("a", "b", "c"), description="d" * 200)))
    assert full.score == pytest.approx(1.0) and full.missing_fields == ()
    assert sum(rule.weight for rule in COMPLETENESS_RULES) == pytest.approx(1.0)
    assert {c.name: c.weight for c in full.components} == {r.field: r.weight for r in COMPLETENESS_RULES}
    without_image = completeness(content_of(product(tags=("a", "b", "c"), description="d" * 200, image_url="")))
    assert without_image.score == pytest.approx(
        1.0 - next(r.weight for r in COMPLETENESS_RULES if r.field == "image_url")
    )
    assert without_image.missing_fields == ("image_url",)


def result(pid: str, category: str, severities: list[int], score: float) -> ProductResult:
    from hph.agents.consistency_validation.checks import Finding

    record = product(id=pid, category_id=category)
    findings = tuple(Finding("SHORT_FIELD" if s < 3 else "PRICE_OUTLIER", "x", s, "m") for s in severities)
    base = completeness(content_of(record))
    return ProductResult(record, findings, dataclasses.replace(base, score=score))


def test_the_audit_is_most_severe_first_then_least_complete_and_filters_combine() -> None:
    audit = Audit(
        (
            result("A-0001", "cookware", [2], 0.5),
            result("B-0001", "cookware", [4], 0.9),
            result("C-0001", "bakeware", [4, 2], 0.4),
            result("D-0001", "bakeware", [], 1.0),
        )
    )
    everything = select(audit, categories=None, min_severity=0, codes=())
    assert [p.record.id for p in everything.products] == ["C-0001", "B-0001", "A-0001"]
    assert everything.checked == 4 and everything.mean_completeness == pytest.approx(0.7)
    assert everything.by_code == (("SHORT_FIELD", 2), ("PRICE_OUTLIER", 2))  # a tie: in FindingCode order
    severe = select(audit, categories=None, min_severity=4, codes=())
    assert [p.record.id for p in severe.products] == ["C-0001", "B-0001"]
    assert all(f.severity >= 4 for p in severe.products for f in p.findings)
    baking = select(audit, categories={"bakeware"}, min_severity=0, codes=("SHORT_FIELD",))
    assert [p.record.id for p in baking.products] == ["C-0001"] and baking.checked == 2


def test_the_shipped_rules_find_the_injected_problems_above_the_floors_and_the_floors_can_fail() -> None:
    report = evaluation.evaluate()
    assert evaluation.below_floors(report) == [], evaluation.render(report, per_case=True)
    assert report.outliers.positives >= 4 and report.mismatches.positives >= 3
    blunt = dataclasses.replace(shipped_rules(), outlier_threshold=2.0)
    assert any("outlier_precision" in failure for failure in evaluation.below_floors(evaluation.evaluate(rules=blunt)))
