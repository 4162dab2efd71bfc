"""`hph eval sentiment` and `hph eval segments`: the CRM agents' evaluations, registered in
hph.host.evaluate by one import and one dispatch line.

Sentiment (agent crm-support-assistance): accuracy and macro F1 of the ticket tone scorer over the
hand-labelled texts of hph.agents.crm_support_assistance's data/ticket_sentiment.json, beside VADER's
defaults; exits 1 below its floor (docs/agents/crm-support-assistance.md).

Segments (agent crm-segmentation-personalization): the share of customers keeping their segment
between weekly runs over the demo history's plan, the sizes per run and the coverage (every customer
exactly once); exits 1 below its floors (docs/agents/crm-segmentation-personalization.md).
"""

from __future__ import annotations

import argparse
import sys

CRM_DATASETS = ("sentiment", "segments")


def run_sentiment(args: argparse.Namespace) -> int:
    from hph.agents.crm_support_assistance import evaluation

    if args.grpc:
        print("hph eval sentiment: runs in this process only (the scorer is a library)", file=sys.stderr)
        return 2
    reports = evaluation.evaluate_both()
    print("ticket sentiment, crm-support-assistance scorer over the labelled ticket texts")
    print(evaluation.render(reports, per_case=args.queries))
    failures = evaluation.below_floor(reports[0])
    for failure in failures:
        print(f"hph eval: below the floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


def run_segments(args: argparse.Namespace) -> int:
    from hph.host.history import segments_eval as evaluation

    if args.grpc:
        print("hph eval segments: runs in this process only (it segments the history's plan)", file=sys.stderr)
        return 2
    seed = evaluation.EVAL_SEED if args.seed is None else args.seed
    report = evaluation.evaluate(seed)
    print(
        f"segment stability, crm-segmentation-personalization RFM runs every {evaluation.RUN_EVERY.days} days "
        f"over the last weeks of a {evaluation.DAYS}-day demo history plan (seed {seed})"
    )
    print(evaluation.render(report))
    failures = evaluation.below_floor(report)
    for failure in failures:
        print(f"hph eval: below the floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


def run_crm(args: argparse.Namespace) -> int:
    return run_segments(args) if args.dataset == "segments" else run_sentiment(args)
