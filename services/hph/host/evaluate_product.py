"""`hph eval classifier`, `hph eval normalization` and `hph eval outliers`: the product-management
agents' evaluations, registered in hph.host.evaluate by one import and one dispatch line.

Classifier (agent normalization-classification): accuracy and macro-F1 of the category classifier on
a held-out quarter of the demo catalog and on hand-labelled messy titles. Normalization: exact match
of title normalisation on hand-labelled pairs. Outliers (agent consistency-validation): precision and
recall of price outliers and category mismatches on the demo's injected messy products, and the
share of every injected problem found. Each exits 1 below its floors
(docs/agents/normalization-classification.md, docs/agents/consistency-validation.md).
"""

from __future__ import annotations

import argparse
import sys

PRODUCT_DATASETS = ("classifier", "normalization", "outliers")


def _report(failures: list[str]) -> int:
    for failure in failures:
        print(f"hph eval: below the floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


def run_product(args: argparse.Namespace) -> int:
    if args.grpc:
        print(f"hph eval {args.dataset}: runs in this process only (over the demo catalog)", file=sys.stderr)
        return 2
    if args.dataset == "outliers":
        from hph.agents.consistency_validation import evaluation as audit_evaluation

        report = audit_evaluation.evaluate()
        print("catalog audit, consistency-validation over the demo catalog with its injected messy products")
        print(audit_evaluation.render(report, per_case=args.queries))
        return _report(audit_evaluation.below_floors(report))
    from hph.agents.normalization_classification import evaluation

    if args.dataset == "normalization":
        normalized = evaluation.evaluate_normalization()
        print("title normalisation, normalization-classification rules over the labelled titles")
        print(evaluation.render_normalization(normalized, per_case=args.queries))
        return _report(evaluation.normalization_below_floor(normalized))
    classified = evaluation.evaluate_classifier()
    print("category classifier, normalization-classification trained on the demo catalog")
    print(evaluation.render_classifier(classified, per_case=args.queries))
    return _report(evaluation.classifier_below_floors(classified))
