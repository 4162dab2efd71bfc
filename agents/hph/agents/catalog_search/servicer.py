"""CatalogSearchService over gRPC: checks requests, plans the query, searches the projection's index
and says how every answer was decided (agents/v1 Explanation)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from holidaypeak.agents.v1 import catalog_search_service_pb2 as pb
from holidaypeak.agents.v1 import catalog_search_service_pb2_grpc as pb_grpc
from holidaypeak.agents.v1 import explanation_pb2
from hph.agents.catalog_search import analysis, paging
from hph.agents.catalog_search.documents import (
    IN_STOCK_BOOST,
    POPULARITY_BOOST,
    RATING_BOOST,
    Boost,
)
from hph.agents.catalog_search.index import FIELD_BOOSTS, Filters, Hit, SearchResult, Suggestion
from hph.agents.catalog_search.projection import (
    INVENTORY_TOPIC,
    ORDER_TOPIC,
    PRODUCT_TOPIC,
    SearchProjection,
)
from hph.agents.catalog_search.query import QueryPlan, RewriteKind, Synonyms, plan_query
from hph.agents.catalog_search.sources import ServiceReader
from hph.agents.runtime import data_freshness
from hph.runtime import money, validation
from hph.runtime.cache import TtlCache
from hph.runtime.consumers import Subscription
from hph.runtime.deps import Dependencies
from hph.runtime.errors import InvalidArgument, Unavailable, Violations
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import ContainerSpec

# The agent keeps no documents: its index is rebuilt from the services' state at every start.
CONTAINERS: tuple[ContainerSpec, ...] = ()
METHOD = "bm25-tantivy-v1"
MAX_QUERY_LENGTH = 200
MAX_BRANDS = 20
MAX_PREFIX_LENGTH = 100
DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS = 8, 20
SNIPPET_LENGTH = 160
INDEX_SOURCE = "projection:search-index"

_REWRITE_KIND = {
    RewriteKind.TYPO: pb.REWRITE_KIND_TYPO,
    RewriteKind.SYNONYM: pb.REWRITE_KIND_SYNONYM,
    RewriteKind.PRICE_INTENT: pb.REWRITE_KIND_PRICE_INTENT,
    RewriteKind.DROPPED: pb.REWRITE_KIND_DROPPED,
}
_SUGGESTION_KIND = {
    "product": pb.SUGGESTION_KIND_PRODUCT,
    "category": pb.SUGGESTION_KIND_CATEGORY,
    "brand": pb.SUGGESTION_KIND_BRAND,
}
# The catalog's category id format (its rules are the catalog's own; this is the wire format).
CATEGORY_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")
_CATEGORY_ID_HINT = "must be 2..64 of a-z, 0-9 and '-'"


def _price_bound(violations: Violations, field: str, value: float | None) -> int | None:
    if value is None:
        return None
    if not violations.check(value >= 0 and value == value and value < 1e9, field, "must be a price of 0 or more"):
        return None
    return round(value * 100)


def _tighter(a: int | None, b: int | None, pick: Any) -> int | None:
    return b if a is None else a if b is None else pick(a, b)


class CatalogSearchServicer(pb_grpc.CatalogSearchServiceServicer):
    def __init__(self, deps: Dependencies, projection: SearchProjection, synonyms: Synonyms) -> None:
        self._deps = deps
        self._projection = projection
        self._synonyms = synonyms
        # Head queries repeat at peak: answers are kept until the index changes (or the TTL passes).
        self._answers: TtlCache[pb.SearchResponse] = TtlCache(deps.settings.search_cache_seconds, 5_000)
        self._suggestions: TtlCache[pb.SuggestResponse] = TtlCache(deps.settings.search_cache_seconds, 5_000)
        projection.on_change += [self._answers.clear, self._suggestions.clear]

    async def Search(self, request: pb.SearchRequest, context: Any) -> pb.SearchResponse:
        violations = Violations()
        validation.text(violations, "q", request.q, max_length=MAX_QUERY_LENGTH)
        page_size = validation.page_size(violations, "page_size", request.page_size)
        if request.category:
            validation.identifier(violations, "category", request.category, CATEGORY_ID, _CATEGORY_ID_HINT)
        low = _price_bound(violations, "min_price", request.min_price if request.HasField("min_price") else None)
        high = _price_bound(violations, "max_price", request.max_price if request.HasField("max_price") else None)
        if low is not None and high is not None:
            violations.check(low <= high, "max_price", "must not be below min_price")
        violations.check(len(request.brand) <= MAX_BRANDS, "brand", f"at most {MAX_BRANDS} brands")
        for i, brand in enumerate(request.brand):
            validation.text(violations, f"brand[{i}]", brand, required=True, max_length=100)
        validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        brands = tuple(sorted({analysis.fold(b).strip() for b in request.brand}))
        digest = paging.query_digest(
            " ".join(analysis.words(request.q)), request.category, low, high, request.in_stock, brands
        )
        cursor = None
        if request.page_token:
            try:
                cursor = paging.decode(request.page_token, digest)
            except paging.BadToken as exc:
                raise InvalidArgument.for_field("page_token", str(exc)) from None
        self._require_ready()
        return await self._answers.get_or_load(
            request.SerializeToString(deterministic=True),
            lambda: self._search(request, low, high, brands, page_size, cursor, digest),
        )

    async def _search(
        self,
        request: pb.SearchRequest,
        low: int | None,
        high: int | None,
        brands: tuple[str, ...],
        page_size: int,
        cursor: paging.Cursor | None,
        digest: str,
    ) -> pb.SearchResponse:
        projection = self._require_ready()
        plan = plan_query(request.q, projection.index, self._synonyms)
        filters = Filters(
            category=request.category,
            min_price_minor=_tighter(low, plan.min_price_minor, max),
            max_price_minor=_tighter(high, plan.max_price_minor, min),
            in_stock=request.in_stock,
            brands=brands,
        )
        # Without the answer cache (HPH_SEARCH_CACHE_SECONDS=0) nothing is reused: every answer is
        # computed whole, the worst case the benchmark measures.
        result = projection.index.search(
            plan, filters, page_size=page_size, cursor=cursor, reuse_facets=self._answers.enabled
        )
        return pb.SearchResponse(
            hits=[self._hit(hit) for hit in result.hits],
            next_page_token=paging.encode(result.next_cursor, digest) if result.next_cursor else "",
            total_size=result.total,
            facets=[
                pb.Facet(
                    name=name,
                    values=[
                        pb.FacetValue(
                            value=v.value,
                            label=v.label,
                            count=v.count,
                            selected=v.selected,
                            min_price=v.min_price_minor / 100 if v.min_price_minor is not None else None,
                            max_price=v.max_price_minor / 100 if v.max_price_minor is not None else None,
                        )
                        for v in values
                    ],
                )
                for name, values in result.facets.items()
            ],
            interpretation=self._interpretation(plan, result),
            explanation=self._search_explanation(plan, filters, result),
        )

    async def Suggest(self, request: pb.SuggestRequest, context: Any) -> pb.SuggestResponse:
        violations = Violations()
        validation.text(violations, "prefix", request.prefix, required=True, max_length=MAX_PREFIX_LENGTH)
        violations.check(0 <= request.limit <= MAX_SUGGESTIONS, "limit", f"must be between 0 and {MAX_SUGGESTIONS}")
        violations.raise_if_any()
        self._require_ready()
        return await self._suggestions.get_or_load(
            request.SerializeToString(deterministic=True), lambda: self._suggest(request)
        )

    async def _suggest(self, request: pb.SuggestRequest) -> pb.SuggestResponse:
        projection = self._require_ready()
        limit = request.limit or DEFAULT_SUGGESTIONS
        found = projection.index.suggest(request.prefix, limit)
        return pb.SuggestResponse(
            suggestions=[self._suggestion(s) for s in found],
            explanation=explanation_pb2.Explanation(
                summary=f"{len(found)} completions of {request.prefix!r}: categories and brands by product count, "
                "then product names by their boosts",
                drivers=[
                    explanation_pb2.Driver(
                        name="completions",
                        value=len(found),
                        unit="suggestions",
                        reason=f"{len(found)} of at most {limit} names start a word with the prefix",
                    )
                ],
                freshness=self._freshness(),
                method="prefix-v1",
            ),
        )

    # --- helpers ------------------------------------------------------------------------------

    def _require_ready(self) -> SearchProjection:
        if not self._projection.ready:
            raise Unavailable(
                "the search index is still being built; retry shortly", metadata={"service": "catalog-search"}
            )
        return self._projection

    @staticmethod
    def _suggestion(s: Suggestion) -> pb.Suggestion:
        return pb.Suggestion(text=s.text, kind=_SUGGESTION_KIND[s.kind], id=s.id, product_count=s.product_count)

    def _hit(self, hit: Hit) -> pb.SearchHit:
        doc = hit.doc
        matched = ", ".join(f"'{t}'" for t in hit.matched_terms)
        bm25 = explanation_pb2.Driver(
            name="bm25",
            value=round(hit.text_score, 4),
            weight=1.0,
            reason=(
                f"BM25 with field boosts {round(hit.text_score, 2)}: {matched} in {', '.join(hit.matched_fields)}"
                if hit.matched_fields
                else "no query words: ranked by boosts alone"
            ),
        )
        return pb.SearchHit(
            product_id=doc.product_id,
            name=doc.name,
            brand=doc.brand,
            price=money.to_major(doc.price_minor, doc.currency_code),
            currency_code=doc.currency_code,
            image_url=doc.image_url,
            category_id=doc.category_id,
            category_name=doc.category_name,
            in_stock=doc.in_stock,
            rating=round(doc.rating, 2),
            review_count=doc.review_count,
            score=round(hit.score, 4),
            matched_fields=list(hit.matched_fields),
            # The boosts that applied (a zero contribution changes nothing and would only weigh on the page).
            drivers=[bm25, *(self._boost_driver(b) for b in hit.boosts.items if b.contribution > 0)],
            snippet=doc.description[:SNIPPET_LENGTH],
        )

    @staticmethod
    def _boost_driver(boost: Boost) -> explanation_pb2.Driver:
        return explanation_pb2.Driver(
            name=boost.name,
            value=boost.value,
            weight=boost.weight,
            contribution=round(boost.contribution, 4),
            unit=boost.unit,
            reason=f"{boost.reason}: x{1 + boost.contribution:.2f}",
        )

    @staticmethod
    def _interpretation(plan: QueryPlan, result: SearchResult) -> pb.QueryInterpretation:
        return pb.QueryInterpretation(
            original=plan.original,
            effective=plan.effective,
            rewrites=[
                pb.QueryRewrite(kind=_REWRITE_KIND[r.kind], original=r.original, rewritten=r.rewritten, reason=r.reason)
                for r in plan.rewrites
            ],
            relaxed=result.relaxed,
            min_price=plan.min_price_minor / 100 if plan.min_price_minor is not None else None,
            max_price=plan.max_price_minor / 100 if plan.max_price_minor is not None else None,
        )

    def _search_explanation(
        self, plan: QueryPlan, filters: Filters, result: SearchResult
    ) -> explanation_pb2.Explanation:
        drivers = [
            explanation_pb2.Driver(
                name="matches", value=result.total, unit="products", reason=f"{result.total} products match"
            )
        ]
        for rewrite in plan.rewrites:
            drivers.append(explanation_pb2.Driver(name=f"rewrite_{rewrite.kind.value}", value=1, reason=rewrite.reason))
        if result.relaxed:
            drivers.append(
                explanation_pb2.Driver(
                    name="relaxed_match",
                    value=len(plan.concepts),
                    unit="words",
                    reason=f"no product has all {len(plan.concepts)} words; products with most of them are shown",
                )
            )
        if plan.concepts:
            drivers += [
                explanation_pb2.Driver(
                    name=f"field_boost_{field}", value=boost, weight=boost, reason=f"BM25 in {field} counts x{boost}"
                )
                for field, boost in FIELD_BOOSTS.items()
            ]
        drivers += [
            explanation_pb2.Driver(name=name, value=weight, weight=weight, reason=f"score x(1 + {weight} x {what})")
            for name, weight, what in (
                ("in_stock_boost", IN_STOCK_BOOST, "in stock"),
                ("rating_boost", RATING_BOOST, "rating above 3 stars, full from 5 reviews"),
                ("popularity_boost", POPULARITY_BOOST, "log units sold, full at 200"),
            )
        ]
        words = f"'{plan.effective}'" if plan.concepts else "no words (browsing)"
        narrowed = _describe(filters)
        rewritten = "; ".join(f"{r.original!r} -> {r.rewritten!r}" for r in plan.rewrites if r.rewritten)
        summary = f"{result.total} products match {words}{narrowed}"
        if rewritten:
            summary += f" (rewritten: {rewritten})"
        summary += "; ranked by BM25 x boosts for stock, rating and popularity, ties by product id"
        return explanation_pb2.Explanation(summary=summary, drivers=drivers, freshness=self._freshness(), method=METHOD)

    def _freshness(self) -> explanation_pb2.DataFreshness:
        projection = self._projection
        return data_freshness(
            self._deps.clock(),
            data_as_of=projection.data_as_of,
            sources=[INDEX_SOURCE, *projection.sources],
            degraded=projection.degraded,
        )


def _describe(filters: Filters) -> str:
    parts: list[str] = []
    if filters.category:
        parts.append(f"category {filters.category}")
    if filters.brands:
        parts.append("brand " + " or ".join(filters.brands))
    if filters.min_price_minor is not None:
        parts.append(f"price >= {filters.min_price_minor / 100:.2f}")
    if filters.max_price_minor is not None:
        parts.append(f"price <= {filters.max_price_minor / 100:.2f}")
    if filters.in_stock:
        parts.append("in stock")
    return f" with {', '.join(parts)}" if parts else ""


def subscriptions() -> Sequence[str]:
    return (PRODUCT_TOPIC, INVENTORY_TOPIC, ORDER_TOPIC)


async def create_binding(deps: Dependencies) -> ServiceBinding:
    reader = ServiceReader(deps.channels, deps.service_credentials)
    projection = SearchProjection(reader, deps.clock, deps.settings.search_commit_interval_seconds)
    servicer = CatalogSearchServicer(deps, projection, Synonyms.shipped())
    # Every process keeps its own index in memory, so it follows EVERY event itself: a per-replica
    # group, added before the snapshot is read (hph.agents.runtime.FollowedProjection).
    projection.follow(deps.bus, [Subscription.to(topic, projection.handle) for topic in subscriptions()])
    # Built once the server is up (the services it reads may be this very server), in every worker
    # process; the host still stops it through `background` where it runs them.
    projection.launch()
    deps.background.append(projection)
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["CatalogSearchService"].full_name,
        add_to_server=lambda server: pb_grpc.add_CatalogSearchServiceServicer_to_server(servicer, server),
    )
