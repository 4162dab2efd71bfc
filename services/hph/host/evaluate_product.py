"""`hph eval classifier|normalization|outliers|feed|assortment`: the product-management agents'
evaluations, registered in hph.host.evaluate by one import and one dispatch line.

Classifier (agent normalization-classification): accuracy and macro-F1 of the category classifier on
a held-out quarter of the demo catalog and on hand-labelled messy titles. Normalization: exact match
of title normalisation on hand-labelled pairs. Outliers (agent consistency-validation): precision and
recall of price outliers and category mismatches on the demo's injected messy products, and the
share of every injected problem found (docs/agents/normalization-classification.md,
docs/agents/consistency-validation.md).

Feed (agent acp-transformation): over the hand-labelled items of hph.agents.acp_transformation's
data/feed_eval.json, the share whose verdict, availability and checkout eligibility match their
labels and the precision and recall of the fields reported as errors (docs/agents/acp-transformation.md).

Assortment (agent assortment-optimization): the knapsack's optimality against brute force on small
seeded instances and the share of demo-catalog size/budget combinations it solves exactly
(docs/agents/assortment-optimization.md).

Each exits 1 below its floors.
"""

from __future__ import annotations

import argparse
import sys

PRODUCT_DATASETS = ("classifier", "normalization", "outliers", "feed", "assortment")


def _report(failures: list[str]) -> int:
    for failure in failures:
        print(f"hph eval: below the floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


def run_feed(args: argparse.Namespace) -> int:
    from hph.agents.acp_transformation import evaluation

    if args.grpc:
        print("hph eval feed: runs in this process only (the validation is a library)", file=sys.stderr)
        return 2
    report = evaluation.evaluate()
    print("ACP feed validation, acp-transformation over the labelled feed items")
    print(evaluation.render(report, per_case=args.queries))
    return _report(evaluation.below_floors(report))


def run_assortment(args: argparse.Namespace) -> int:
    from hph.agents.assortment_optimization import evaluation

    if args.grpc:
        print("hph eval assortment: runs in this process only (the solver is a library)", file=sys.stderr)
        return 2
    seed = evaluation.SEED if args.seed is None else args.seed
    report = evaluation.evaluate(seed)
    print(f"assortment choice, assortment-optimization's knapsack (seed {seed})")
    print(evaluation.render(report))
    return _report(evaluation.below_floors(report))


def run_product(args: argparse.Namespace) -> int:
    if args.dataset == "feed":
        return run_feed(args)
    if args.dataset == "assortment":
        return run_assortment(args)
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
