"""`hph eval`: runs the labelled datasets shipped in the repo and prints the quality metrics.

Search (agent catalog-search): nDCG@10, MRR and the zero-result rate over the queries of
hph.agents.catalog_search's data/search_eval.json, overall and per query type, against either
- a running platform (`--grpc HOST:PORT`): CatalogSearchService.Search over gRPC, the judgments
  resolved against that platform's own catalog (CatalogService), or
- by default, the same engine indexing the demo catalog in this process (no server needed).
It exits 1 when a figure is below its floor (FLOORS, documented in docs/search.md), so CI fails on
a regression.

Carrier choice (agent logistics-carrier-selection, `hph eval carrier`): the accuracy of the decision
core over the hand-labelled cases of hph.agents.logistics_carrier_selection's data/carrier_eval.json
(each case carries its own clock and delivery history, so it runs in this process only); exits 1
below its floor (docs/agents/logistics-carrier-selection.md).

ETA (agent logistics-eta-computation, `hph eval eta`): the decision core's ETA at order placement
against the actual deliveries of a demo history generated in this process through the real services
(hph.host.history): mean absolute error in days and coverage of the confidence window; exits 1
below its floors (docs/demo-history.md).

Stock (agents inventory-jit-replenishment and inventory-alerts-triggers, `hph eval stock`): a demo
history generated in this process (hph.host.history.stock_eval): the replenishment backtest's
forecast error and the stock-outs ordering by the plan would have avoided, and the demand-spike
alert's precision and recall on injected spikes; exits 1 below its floors.

Risk decisions (agent checkout-support, `hph eval risk`): the accuracy of the fraud risk decision
core (approve/review/deny) over the hand-labelled situations of hph.agents.checkout_support's
data/risk_eval.json, with a confusion table and the misses; exits 1 below its floor or when a
labelled deny is approved or a labelled approve denied (docs/agents/checkout-support.md).

Product data (agents normalization-classification, consistency-validation, acp-transformation and
assortment-optimization: `hph eval classifier`, `hph eval normalization`, `hph eval outliers`,
`hph eval feed`, `hph eval assortment`): hph.host.evaluate_product.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping
from typing import Any

import grpc

from holidaypeak.agents.v1 import catalog_search_service_pb2 as search_pb
from holidaypeak.agents.v1 import catalog_search_service_pb2_grpc as search_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2, catalog_service_pb2_grpc
from hph.agents.catalog_search import evaluation
from hph.agents.catalog_search.demo_documents import documents
from hph.agents.catalog_search.index import Filters, SearchIndex
from hph.agents.catalog_search.query import Synonyms, plan_query
from hph.agents.checkout_support import evaluation as risk_evaluation
from hph.agents.logistics_carrier_selection import evaluation as carrier_evaluation
from hph.commerce.demo_data import generate_catalog
from hph.host.evaluate_crm import CRM_DATASETS, run_crm
from hph.host.evaluate_product import PRODUCT_DATASETS, run_product

DATASETS = ("search", "carrier", "eta", "risk", "stock", *CRM_DATASETS, *PRODUCT_DATASETS)
# The floors CI holds search to: a little below what the engine measures on the demo catalog
# (docs/search.md has both).
FLOORS = {"ndcg": 0.85, "mrr": 0.90, "max_zero_result_rate": 0.03}
DEADLINE_SECONDS = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dataset", nargs="?", default="search", choices=DATASETS, help="which labelled dataset to run (default search)"
    )
    parser.add_argument(
        "--grpc",
        metavar="HOST:PORT",
        help="evaluate the agent of a running platform (e.g. 127.0.0.1:50051, as `hph up` serves it) instead "
        "of indexing the demo catalog in this process",
    )
    parser.add_argument("--queries", action="store_true", help="also print every query's (or case's) figures")
    parser.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="eta and stock: the generated history's seed (default 12; another seed checks the calibration holds)",
    )


def below_floors(metrics: evaluation.Metrics) -> list[str]:
    failures = []
    if metrics.ndcg < FLOORS["ndcg"]:
        failures.append(f"nDCG@10 {metrics.ndcg:.3f} < {FLOORS['ndcg']}")
    if metrics.mrr < FLOORS["mrr"]:
        failures.append(f"MRR {metrics.mrr:.3f} < {FLOORS['mrr']}")
    if metrics.zero_result_rate > FLOORS["max_zero_result_rate"]:
        failures.append(f"zero-result rate {metrics.zero_result_rate:.3f} > {FLOORS['max_zero_result_rate']}")
    return failures


async def evaluate_in_process() -> evaluation.Report:
    """The engine over the demo catalog, judged against the same catalog."""
    docs = documents(generate_catalog())
    index = SearchIndex()
    index.upsert_many(docs)
    index.commit()
    synonyms = Synonyms.shipped()
    rows = [
        evaluation.CatalogRow(d.product_id, d.name, d.brand, d.tags, d.price_minor / 100, d.category_path, d.in_stock)
        for d in docs
    ]

    async def search(text: str, filters: Mapping[str, Any]) -> tuple[list[str], int]:
        plan = plan_query(text, index, synonyms)
        found = index.search(
            plan,
            Filters(
                in_stock=bool(filters.get("in_stock")),
                min_price_minor=plan.min_price_minor,
                max_price_minor=plan.max_price_minor,
            ),
            page_size=evaluation.CUTOFF,
            cursor=None,
        )
        return [hit.doc.product_id for hit in found.hits], found.total

    return await evaluation.evaluate(evaluation.load_dataset(), rows, search, _progress)


async def evaluate_platform(address: str) -> evaluation.Report:
    """The agent of the platform at `address`, judged against that platform's catalog."""
    async with grpc.aio.insecure_channel(address) as channel:
        rows = await catalog_rows(catalog_service_pb2_grpc.CatalogServiceStub(channel))
        stub = search_grpc.CatalogSearchServiceStub(channel)

        async def search(text: str, filters: Mapping[str, Any]) -> tuple[list[str], int]:
            answer = await stub.Search(
                search_pb.SearchRequest(q=text, in_stock=bool(filters.get("in_stock")), page_size=evaluation.CUTOFF),
                timeout=DEADLINE_SECONDS,
            )
            return [hit.product_id for hit in answer.hits], answer.total_size

        return await evaluation.evaluate(evaluation.load_dataset(), rows, search, _progress)


async def catalog_rows(catalog: catalog_service_pb2_grpc.CatalogServiceStub) -> list[evaluation.CatalogRow]:
    parents: dict[str, str] = {}
    token = ""
    while True:
        page = await catalog.ListCategories(
            catalog_service_pb2.ListCategoriesRequest(page_size=100, page_token=token), timeout=DEADLINE_SECONDS
        )
        parents.update({c.id: c.parent_id for c in page.categories})
        token = page.next_page_token
        if not token:
            break
    rows: list[evaluation.CatalogRow] = []
    token = ""
    while True:
        products = await catalog.ListProducts(
            catalog_service_pb2.ListProductsRequest(limit=100, page_token=token), timeout=DEADLINE_SECONDS
        )
        for p in products.products:
            path = [p.category_id]
            while parents.get(path[-1]) and parents[path[-1]] not in path:
                path.append(parents[path[-1]])
            rows.append(evaluation.CatalogRow(p.id, p.name, p.brand, tuple(p.tags), p.price, tuple(path), p.in_stock))
        token = products.next_page_token
        if not token:
            return rows


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        filled = round(30 * done / total)
        print(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} queries", end="", file=sys.stderr)
        if done == total:
            print(file=sys.stderr)


def render(report: evaluation.Report, *, per_query: bool) -> str:
    lines = [f"{'queries':<14}{'n':>4}{'nDCG@10':>10}{'MRR':>8}{'zero-result':>13}"]

    def row(name: str, m: evaluation.Metrics) -> str:
        return f"{name:<14}{m.queries:>4}{m.ndcg:>10.3f}{m.mrr:>8.3f}{m.zero_result_rate:>13.3f}"

    lines.append(row("all", report.overall))
    lines += [row(f"  {name}", metrics) for name, metrics in report.by_type.items()]
    floors = f"floors: nDCG@10 >= {FLOORS['ndcg']}, MRR >= {FLOORS['mrr']}, "
    lines.append(floors + f"zero-result rate <= {FLOORS['max_zero_result_rate']}")
    if per_query:
        lines.append("")
        lines += [
            f"{o.ndcg:6.3f} {o.reciprocal_rank:6.3f} {o.results:5d}  {o.query.type:<11} {o.query.query}"
            for o in sorted(report.outcomes, key=lambda o: (o.ndcg, o.query.id))
        ]
    return "\n".join(lines)


def run_carrier(args: argparse.Namespace) -> int:
    if args.grpc:
        print("hph eval carrier: runs in this process only (each case fixes its clock and history)", file=sys.stderr)
        return 2
    report = asyncio.run(carrier_evaluation.evaluate())
    print("carrier-choice quality, logistics-carrier-selection decision core over the shipped rate tables")
    print(carrier_evaluation.render(report, per_case=args.queries))
    failures = carrier_evaluation.below_floor(report)
    for failure in failures:
        print(f"hph eval: below the floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


def run_eta(args: argparse.Namespace) -> int:
    from hph.host.history import eta_eval

    if args.grpc:
        print("hph eval eta: runs in this process only (it generates its own history)", file=sys.stderr)
        return 2
    seed = eta_eval.EVAL_SEED if args.seed is None else args.seed
    report = asyncio.run(eta_eval.evaluate(_days_progress, seed=seed))
    print(
        f"ETA quality, logistics-eta-computation core at order placement against {eta_eval.EVAL_DAYS} days "
        f"of generated deliveries (seed {seed})"
    )
    print(eta_eval.render(report))
    failures = eta_eval.below_floors(report)
    for failure in failures:
        print(f"hph eval: below the floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


def run_risk(args: argparse.Namespace) -> int:
    if args.grpc:
        print("hph eval risk: runs in this process only (each case fixes its clock and history)", file=sys.stderr)
        return 2
    report = risk_evaluation.evaluate()
    print("risk-decision quality, checkout-support decision core with the shipped policy")
    print(risk_evaluation.render(report, per_case=args.queries))
    failures = risk_evaluation.below_floor(report)
    for failure in failures:
        print(f"hph eval: below the floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


def run_stock(args: argparse.Namespace) -> int:
    from hph.host.history import stock_eval

    if args.grpc:
        print("hph eval stock: runs in this process only (it generates its own history)", file=sys.stderr)
        return 2
    seed = stock_eval.EVAL_SEED if args.seed is None else args.seed
    report = asyncio.run(stock_eval.evaluate(_days_progress, seed=seed))
    print(
        f"stock agents (inventory-jit-replenishment, inventory-alerts-triggers) over {stock_eval.EVAL_DAYS} days "
        f"of generated history (seed {seed})"
    )
    print(stock_eval.render(report))
    failures = stock_eval.below_floors(report)
    for failure in failures:
        print(f"hph eval: below the floor: {failure}", file=sys.stderr)
    return 1 if failures else 0


def _days_progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        filled = round(30 * done / total)
        print(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} days of history", end="", file=sys.stderr)
        if done == total:
            print(file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if args.dataset in CRM_DATASETS:
        return run_crm(args)
    if args.dataset in PRODUCT_DATASETS:
        return run_product(args)
    if args.dataset == "carrier":
        return run_carrier(args)
    if args.dataset == "eta":
        return run_eta(args)
    if args.dataset == "risk":
        return run_risk(args)
    if args.dataset == "stock":
        return run_stock(args)
    try:
        report = asyncio.run(evaluate_platform(args.grpc) if args.grpc else evaluate_in_process())
    except grpc.aio.AioRpcError as exc:
        print(
            f"hph eval: the platform at {args.grpc} could not answer: {exc.code().name} {exc.details()}",
            file=sys.stderr,
        )
        return 1
    where = f"catalog-search at {args.grpc}" if args.grpc else "catalog-search engine over the demo catalog"
    print(f"search quality, {where}")
    print(render(report, per_query=args.queries))
    failures = below_floors(report.overall)
    for failure in failures:
        print(f"hph eval: below the floor: {failure}", file=sys.stderr)
    return 1 if failures else 0
