"""`hph eval feed` and `hph eval assortment`: the product-management agents' evaluations, registered
in hph.host.evaluate by one import and one dispatch line.

Feed (agent acp-transformation): over the hand-labelled items of hph.agents.acp_transformation's
data/feed_eval.json, the share whose verdict, availability and checkout eligibility match their
labels and the precision and recall of the fields reported as errors; exits 1 below its floors
(docs/agents/acp-transformation.md).

Assortment (agent assortment-optimization): the knapsack's optimality against brute force on small
seeded instances and the share of demo-catalog size/budget combinations it solves exactly; exits 1
below its floors (docs/agents/assortment-optimization.md).
"""

from __future__ import annotations

import argparse
import sys

PRODUCT_DATASETS = ("feed", "assortment")


def run_feed(args: argparse.Namespace) -> int:
    from hph.agents.acp_transformation import evaluation

    if args.grpc:
        print("hph eval feed: runs in this process only (the validation is a library)", file=sys.stderr)
        return 2
    report = evaluation.evaluate()
    print("ACP feed validation, acp-transformation over the labelled feed items")
    print(evaluation.render(report, per_case=args.queries))
    return _verdict(evaluation.below_floors(report))


def run_assortment(args: argparse.Namespace) -> int:
    from hph.agents.assortment_optimization import evaluation

    if args.grpc:
        print("hph eval assortment: runs in this process only (the solver is a library)", file=sys.stderr)
        return 2
    seed = evaluation.SEED if args.seed is None else args.seed
    report = evaluation.evaluate(seed)
    print(f"assortment choice, assortment-optimization's knapsack (seed {seed})")
    print(evaluation.render(report))
    return _verdict(evaluation.below_floors(report))


def _verdict(failures: list[str]) -> int:
    for failure in failures:
        print(f"hph eval: below the floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


def run_product(args: argparse.Namespace) -> int:
    return run_assortment(args) if args.dataset == "assortment" else run_feed(args)
