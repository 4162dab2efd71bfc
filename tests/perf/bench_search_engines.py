"""The search engine choice, measured: tantivy (the index the agent ships) against bm25s with
rapidfuzz, both behind the same analysis, synonyms, typo correction, filters and boosts, on the demo
catalog and on a generated catalog of --products products (100,000 by default).

For each engine: indexing time; query p50/p99 over the labelled queries (text, an in-stock filter,
facets and the first page, i.e. what `Search` does); the time until one changed product is
searchable; and quality on the labelled set (nDCG@10, MRR) on the demo catalog.

    .venv/bin/python tests/perf/bench_search_engines.py --products 100000

bm25s scores every document of a query with sparse matrices (numpy), so filters, facets and boosts
are vectorised over the whole catalog; it has no incremental update, so a change rebuilds it.
Not a test: a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import bm25s
import numpy as np
from search_catalogs import generated_documents

from hph.agents.catalog_search import analysis, evaluation
from hph.agents.catalog_search.documents import SearchDocument, boosts_of
from hph.agents.catalog_search.index import (
    FIELD_BOOSTS,
    PRICE_BANDS,
    Filters,
    SearchIndex,
    _field_words,
    _texts,
)
from hph.agents.catalog_search.query import QueryPlan, Synonyms, plan_query

SYNONYMS = Synonyms.shipped()


class Bm25sEngine:
    """The alternative: one bm25s index per field, scores combined with the same field boosts."""

    def __init__(self, docs: Sequence[SearchDocument]) -> None:
        self.vocabulary = SearchIndex()  # only its vocabulary, for typo correction (rapidfuzz, as ours)
        self.build(docs)

    def build(self, docs: Sequence[SearchDocument]) -> None:
        self.docs = list(docs)
        self.vocab_index = SearchIndex()
        for doc in self.docs:
            self.vocab_index._vocabulary.add(_field_words(doc), +1)
        self.fields: dict[str, bm25s.BM25] = {}
        for name in FIELD_BOOSTS:
            corpus = [analysis.terms(_texts(doc)[name]) or ["_"] for doc in self.docs]
            model = bm25s.BM25()
            model.index(bm25s.tokenization.Tokenized(*_tokenized(corpus)), show_progress=False)
            self.fields[name] = model
        self.price = np.array([d.price_minor for d in self.docs])
        self.in_stock = np.array([d.in_stock for d in self.docs])
        self.multiplier = np.array([boosts_of(d).multiplier for d in self.docs])
        brands = sorted({analysis.fold(d.brand) for d in self.docs})
        self.brand_ids = {b: i for i, b in enumerate(brands)}
        self.brand = np.array([self.brand_ids[analysis.fold(d.brand)] for d in self.docs])
        categories = sorted({c for d in self.docs for c in d.category_path})
        self.category_ids = {c: i for i, c in enumerate(categories)}
        self.in_category = np.zeros((len(categories), len(self.docs)), dtype=bool)
        for j, doc in enumerate(self.docs):
            for c in doc.category_path:
                self.in_category[self.category_ids[c], j] = True
        self.ids = np.array([d.product_id for d in self.docs])

    def plan(self, text: str) -> QueryPlan:
        return plan_query(text, self.vocab_index, SYNONYMS)

    def search(self, plan: QueryPlan, filters: Filters, page_size: int) -> tuple[list[str], int]:
        n = len(self.docs)
        if plan.matches_nothing:
            return [], 0
        scores = np.zeros(n)
        matched = np.ones(n, dtype=bool)
        for concept in plan.concepts:
            concept_scores = np.zeros(n)
            for name, model in self.fields.items():
                field_scores = np.zeros(n)
                for term in concept.terms:
                    ids = model.vocab_dict.get(term)
                    if ids is not None:
                        weight = 1.0 if term == concept.term else 0.8
                        field_scores = np.maximum(field_scores, weight * model.get_scores([term]))
                concept_scores = np.maximum(concept_scores, FIELD_BOOSTS[name] * field_scores)
            scores += concept_scores
            matched &= concept_scores > 0
        if not plan.concepts:
            scores[:] = 1.0
        mask = matched
        if filters.in_stock:
            mask = mask & self.in_stock
        if filters.min_price_minor is not None:
            mask = mask & (self.price >= filters.min_price_minor)
        if filters.max_price_minor is not None:
            mask = mask & (self.price <= filters.max_price_minor)
        if filters.category:
            mask = mask & self.in_category[self.category_ids[filters.category]]
        final = np.where(mask, scores * self.multiplier, -1.0)
        total = int(mask.sum())
        # Facets, as the agent answers them: counts per brand, category, price band, availability.
        np.bincount(self.brand[mask], minlength=len(self.brand_ids))
        self.in_category[:, mask].sum(axis=1)
        np.histogram(self.price[mask], bins=[low for low, _ in PRICE_BANDS] + [2**62])
        np.bincount(self.in_stock[mask].astype(int), minlength=2)
        top = np.argpartition(-final, min(page_size, n - 1))[:page_size] if total else np.array([], dtype=int)
        top = sorted(top[final[top] >= 0], key=lambda i: (-round(float(final[i]), 6), self.ids[i]))
        return [str(self.ids[i]) for i in top], total


def _tokenized(corpus: list[list[str]]) -> tuple[list[list[int]], dict[str, int]]:
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in corpus]
    return ids, vocab


class TantivyEngine:
    def __init__(self, docs: Sequence[SearchDocument]) -> None:
        self.index = SearchIndex()
        self.index.upsert_many(docs)
        self.index.commit()

    def plan(self, text: str) -> QueryPlan:
        return plan_query(text, self.index, SYNONYMS)

    def search(self, plan: QueryPlan, filters: Filters, page_size: int) -> tuple[list[str], int]:
        result = self.index.search(plan, filters, page_size=page_size, cursor=None)
        return [h.doc.product_id for h in result.hits], result.total


def timed(run: Callable[[], Any]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def query_latencies(engine: Any, texts: Sequence[str], repeats: int) -> list[float]:
    latencies = []
    for _ in range(repeats):
        for text in texts:
            started = time.perf_counter()
            plan = engine.plan(text)
            engine.search(
                plan,
                Filters(in_stock=True, min_price_minor=plan.min_price_minor, max_price_minor=plan.max_price_minor),
                20,
            )
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def quality(engine: Any, docs: Sequence[SearchDocument]) -> evaluation.Metrics:
    rows = [
        evaluation.CatalogRow(d.product_id, d.name, d.brand, d.tags, d.price_minor / 100, d.category_path, d.in_stock)
        for d in docs
    ]

    async def search(text: str, filters: Mapping[str, Any]) -> tuple[list[str], int]:
        plan = engine.plan(text)
        return engine.search(
            plan,
            Filters(
                in_stock=bool(filters.get("in_stock")),
                min_price_minor=plan.min_price_minor,
                max_price_minor=plan.max_price_minor,
            ),
            10,
        )

    return asyncio.run(evaluation.evaluate(evaluation.load_dataset(), rows, search)).overall


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(
    name: str, build: Callable[[Sequence[SearchDocument]], Any], docs: list[SearchDocument], repeats: int
) -> dict[str, Any]:
    started = time.perf_counter()
    engine = build(docs)
    indexing = time.perf_counter() - started
    texts = [q.query for q in evaluation.load_dataset()]
    query_latencies(engine, texts, 1)  # warm-up
    latencies = query_latencies(engine, texts, repeats)
    changed = docs[len(docs) // 2]
    renamed = SearchDocument(**{**changed.__dict__, "name": "Zanzibar Snow Globe"})
    if isinstance(engine, TantivyEngine):
        update = timed(lambda: (engine.index.upsert(renamed), engine.index.commit()))
    else:
        update = timed(lambda: engine.build([renamed if d is changed else d for d in docs]))
    return {
        "engine": name,
        "products": len(docs),
        "indexing_s": indexing,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "update_ms": update * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=100_000, help="size of the generated catalog (default 100000)")
    parser.add_argument("--repeats", type=int, default=5, help="passes over the labelled queries (default 5)")
    args = parser.parse_args()
    demo = generated_documents(340)
    large = generated_documents(args.products)
    engines = {"tantivy": TantivyEngine, "bm25s + rapidfuzz": Bm25sEngine}
    rows = []
    for label, docs in (("demo", demo), (f"{args.products:,}", large)):
        for name, build in engines.items():
            print(f"measuring {name} on {label} products", file=sys.stderr, flush=True)
            rows.append(measure(name, build, docs, args.repeats if label == "demo" else max(1, args.repeats // 2)))
    scores = {name: quality(build(demo), demo) for name, build in engines.items()}
    print("\n| engine | products | indexing s | query p50 ms | query p99 ms | one change searchable ms |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['engine']} | {r['products']:,} | {r['indexing_s']:.2f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
            f"| {r['update_ms']:.1f} |"
        )
    print("\n| engine | nDCG@10 | MRR | zero-result rate (demo catalog, labelled set) |")
    print("|---|---|---|---|")
    for name, m in scores.items():
        print(f"| {name} | {m.ndcg:.3f} | {m.mrr:.3f} | {m.zero_result_rate:.3f} |")


if __name__ == "__main__":
    main()
