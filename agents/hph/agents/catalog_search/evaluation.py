"""Offline evaluation of search quality on the labelled queries shipped in data/search_eval.json:
nDCG@10, MRR and the zero-result rate, overall and per query type.

Judgments are rules over the catalog's own data (category, words of the name, brand, tag, price,
stock), written by hand and resolved against the catalog being searched, never against the
engine's answers; a query none of whose rules matches a product is a mistake in the dataset and
is refused, so every query counts.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hph.runtime import data_tables

DATASET = "search_eval.json"
CUTOFF = 10
# MRR counts the first hit at least this relevant ("a close alternative" or better).
RELEVANT_GRADE = 2
_CONDITIONS = frozenset({"category", "name", "also_name", "brand", "tag", "min_price", "max_price", "in_stock"})


@dataclass(frozen=True)
class CatalogRow:
    """What judgments are resolved against: one active product as the catalog holds it."""

    product_id: str
    name: str
    brand: str
    tags: tuple[str, ...]
    price: float
    category_path: tuple[str, ...]
    in_stock: bool


@dataclass(frozen=True)
class Judgment:
    grade: int
    conditions: Mapping[str, Any]

    def applies_to(self, row: CatalogRow) -> bool:
        c = self.conditions
        name = row.name.lower()
        return (
            ("category" not in c or c["category"] in row.category_path)
            and ("name" not in c or c["name"].lower() in name)
            and ("also_name" not in c or c["also_name"].lower() in name)
            and ("brand" not in c or c["brand"] == row.brand)
            and ("tag" not in c or c["tag"] in row.tags)
            and ("min_price" not in c or row.price >= c["min_price"])
            and ("max_price" not in c or row.price <= c["max_price"])
            and ("in_stock" not in c or row.in_stock == c["in_stock"])
        )


@dataclass(frozen=True)
class LabelledQuery:
    id: str
    query: str
    type: str
    judgments: tuple[Judgment, ...]
    filters: Mapping[str, Any] = field(default_factory=dict)

    def grades(self, catalog: Iterable[CatalogRow]) -> dict[str, int]:
        """Grade per relevant product id (unlisted products are 0)."""
        grades: dict[str, int] = {}
        for row in catalog:
            grade = max((j.grade for j in self.judgments if j.applies_to(row)), default=0)
            if grade:
                grades[row.product_id] = grade
        return grades


def load_dataset(table: object | None = None) -> list[LabelledQuery]:
    data = data_tables.as_mapping(
        table if table is not None else data_tables.load_json("hph.agents.catalog_search", DATASET), "dataset"
    )
    queries: list[LabelledQuery] = []
    for i, raw in enumerate(data_tables.as_list(data.get("queries"), "dataset.queries")):
        where = f"dataset.queries[{i}]"
        entry = data_tables.as_mapping(raw, where)
        judgments = []
        for j, rule in enumerate(data_tables.as_list(entry.get("judgments"), f"{where}.judgments")):
            rule = dict(data_tables.as_mapping(rule, f"{where}.judgments[{j}]"))
            grade = rule.pop("grade", None)
            unknown = set(rule) - _CONDITIONS
            if grade not in (1, 2, 3) or unknown or not rule:
                raise ValueError(f"{where}.judgments[{j}]: needs a grade 1..3 and conditions of {sorted(_CONDITIONS)}")
            judgments.append(Judgment(grade, rule))
        queries.append(
            LabelledQuery(
                data_tables.as_text(entry.get("id"), f"{where}.id"),
                data_tables.as_text(entry.get("query"), f"{where}.query"),
                data_tables.as_text(entry.get("type"), f"{where}.type"),
                tuple(judgments),
                dict(data_tables.as_mapping(entry.get("filters", {}), f"{where}.filters")),
            )
        )
    return queries


# --- metrics ---------------------------------------------------------------------------------


def dcg(gains: Sequence[int]) -> float:
    return float(sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains)))


def ndcg_at(ranked: Sequence[str], grades: Mapping[str, int], cutoff: int = CUTOFF) -> float:
    ideal = dcg(sorted(grades.values(), reverse=True)[:cutoff])
    return dcg([grades.get(pid, 0) for pid in ranked[:cutoff]]) / ideal if ideal else 0.0


def reciprocal_rank(ranked: Sequence[str], grades: Mapping[str, int]) -> float:
    for rank, pid in enumerate(ranked, start=1):
        if grades.get(pid, 0) >= RELEVANT_GRADE:
            return 1.0 / rank
    return 0.0


@dataclass(frozen=True)
class QueryOutcome:
    query: LabelledQuery
    ndcg: float
    reciprocal_rank: float
    results: int


@dataclass(frozen=True)
class Metrics:
    queries: int
    ndcg: float
    mrr: float
    zero_result_rate: float

    @classmethod
    def of(cls, outcomes: Sequence[QueryOutcome]) -> Metrics:
        n = len(outcomes)
        if not n:
            return cls(0, 0.0, 0.0, 0.0)
        return cls(
            n,
            sum(o.ndcg for o in outcomes) / n,
            sum(o.reciprocal_rank for o in outcomes) / n,
            sum(1 for o in outcomes if o.results == 0) / n,
        )


@dataclass(frozen=True)
class Report:
    overall: Metrics
    by_type: dict[str, Metrics]
    outcomes: list[QueryOutcome]


# A search under evaluation: (query text, filters) -> product ids in rank order (the first page of
# at least CUTOFF hits) and how many matched in all.
Searcher = Callable[[str, Mapping[str, Any]], Awaitable[tuple[list[str], int]]]


async def evaluate(
    queries: Sequence[LabelledQuery],
    catalog: Sequence[CatalogRow],
    search: Searcher,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    outcomes = []
    for done, query in enumerate(queries, start=1):
        grades = query.grades(catalog)
        if not grades:
            raise ValueError(f"query {query.id!r}: no product of the catalog matches its judgments")
        ranked, total = await search(query.query, query.filters)
        outcomes.append(QueryOutcome(query, ndcg_at(ranked, grades), reciprocal_rank(ranked, grades), total))
        if progress is not None:
            progress(done, len(queries))
    types = sorted({o.query.type for o in outcomes})
    return Report(
        Metrics.of(outcomes), {t: Metrics.of([o for o in outcomes if o.query.type == t]) for t in types}, outcomes
    )
