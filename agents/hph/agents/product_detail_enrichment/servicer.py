"""ProductDetailEnrichmentService over gRPC: reads the product, its reviews, stock, category and
co-purchases, and answers with the decision core's insights and their explanation.

Hot answers are kept in a TtlCache for `HPH_PRODUCT_INSIGHTS_CACHE_SECONDS` (10 s by default, 0 =
off): a product page is read far more often than its reviews, stock or orders change, and a short
TTL bounds how stale any of them can be in every replica without following three topics. With a
shared memory hot tier (Redis), a computed answer also serves every other worker and pod
(`shared_answers`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar

import grpc

from holidaypeak.agents.v1 import agent_types_pb2 as types_pb
from holidaypeak.agents.v1 import product_detail_enrichment_service_pb2 as pb
from holidaypeak.agents.v1 import product_detail_enrichment_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import inventory_item_pb2, product_pb2
from hph.agents.copurchases import CONTAINER as COPURCHASES_CONTAINER
from hph.agents.copurchases import SOURCE as COPURCHASES_SOURCE
from hph.agents.copurchases import Association, CoPurchases
from hph.agents.product_detail_enrichment import insights, similarity
from hph.agents.product_detail_enrichment.reader import (
    CATEGORY_SOURCE,
    REVIEW_SOURCE,
    STOCK_SOURCE,
    PlatformReader,
)
from hph.agents.product_detail_enrichment.shared_answers import SharedAnswers
from hph.agents.runtime import Driver, data_freshness, explanation, narrate_if_asked
from hph.agents.runtime.catalog import PRODUCT_SOURCE, listed
from hph.commerce.identifiers import check_product_id
from hph.runtime import money
from hph.runtime.cache import TtlCache
from hph.runtime.clock import Clock
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.server import ServiceBinding

log = logging.getLogger("hph.agents.product_detail_enrichment")

# What this agent keeps (the host creates it): the co-purchase projection, shared with cart-intelligence.
CONTAINERS = (COPURCHASES_CONTAINER,)
DEFAULT_HIGHLIGHTS, MAX_HIGHLIGHTS = 5, 20
DEFAULT_RELATED, MAX_RELATED = 6, 24
# Co-purchase candidates read beyond the limit, as some drop out (archived, out of stock).
CANDIDATE_FACTOR = 3
SIMILAR_METHOD = "similar-products-v1"
T = TypeVar("T")


class ProductDetailEnrichmentServicer(pb_grpc.ProductDetailEnrichmentServiceServicer):
    def __init__(
        self,
        reader: PlatformReader,
        copurchases: CoPurchases,
        clock: Clock,
        cache_seconds: float,
        narrator: Narrator | None = None,
        shared_insights: SharedAnswers[pb.EnrichProductResponse] | None = None,
        shared_similar: SharedAnswers[pb.SimilarProductsResponse] | None = None,
    ) -> None:
        self._reader = reader
        self._copurchases = copurchases
        self._clock = clock
        self._narrator = narrator or Narrator.off()
        self._insights: TtlCache[pb.EnrichProductResponse] = TtlCache(cache_seconds, max_entries=5_000)
        self._similar: TtlCache[pb.SimilarProductsResponse] = TtlCache(cache_seconds, max_entries=5_000)
        self._shared_insights = shared_insights or SharedAnswers(None, pb.EnrichProductResponse)
        self._shared_similar = shared_similar or SharedAnswers(None, pb.SimilarProductsResponse)

    async def EnrichProduct(self, request: pb.EnrichProductRequest, context: Any) -> pb.EnrichProductResponse:
        violations = Violations()
        check_product_id(violations, request.product_id)
        violations.check(
            0 <= request.highlight_limit <= MAX_HIGHLIGHTS, "highlight_limit", f"must be 0..{MAX_HIGHLIGHTS}"
        )
        violations.check(0 <= request.related_limit <= MAX_RELATED, "related_limit", f"must be 0..{MAX_RELATED}")
        violations.raise_if_any()
        highlight_limit = request.highlight_limit or DEFAULT_HIGHLIGHTS
        related_limit = request.related_limit or DEFAULT_RELATED
        key = (request.product_id, highlight_limit, related_limit)
        cached = await self._insights.get_or_load(
            key,
            lambda: self._shared_insights.load(
                f"{request.product_id}:{highlight_limit}:{related_limit}",
                lambda: self._enrich(request.product_id, highlight_limit, related_limit),
            ),
        )
        response = pb.EnrichProductResponse()
        response.CopyFrom(cached)
        await narrate_if_asked(self._narrator, response, context, subject="product insights")
        return response

    async def SimilarProducts(self, request: pb.SimilarProductsRequest, context: Any) -> pb.SimilarProductsResponse:
        violations = Violations()
        check_product_id(violations, request.product_id)
        violations.check(0 <= request.limit <= MAX_RELATED, "limit", f"must be 0..{MAX_RELATED}")
        violations.raise_if_any()
        limit = request.limit or DEFAULT_RELATED
        key = (request.product_id, limit, request.in_stock_only)
        cached = await self._similar.get_or_load(
            key,
            lambda: self._shared_similar.load(
                f"{request.product_id}:{limit}:{int(request.in_stock_only)}",
                lambda: self._similar_products(request.product_id, limit, request.in_stock_only),
            ),
        )
        response = pb.SimilarProductsResponse()
        response.CopyFrom(cached)
        await narrate_if_asked(self._narrator, response, context, subject="similar products")
        return response

    # --- the answers -------------------------------------------------------------------------

    async def _product(self, product_id: str) -> product_pb2.Product:
        product = await self._reader.product(product_id)
        if product is None or not listed(product):
            raise NotFound(f"product {product_id!r} not found")
        return product

    async def _enrich(self, product_id: str, highlight_limit: int, related_limit: int) -> pb.EnrichProductResponse:
        product = await self._product(product_id)
        missing: list[str] = []
        reviews, rules, category, as_of = await asyncio.gather(
            _optional(self._reader.reviews(product_id), [], REVIEW_SOURCE, missing),
            _optional(
                self._copurchases.frequently_bought_with([product_id], limit=related_limit * CANDIDATE_FACTOR),
                [],
                COPURCHASES_SOURCE,
                missing,
            ),
            _optional(self._reader.category_products(product.category_id), [], CATEGORY_SOURCE, missing),
            _optional(self._copurchases.data_as_of(), None, COPURCHASES_SOURCE, missing),
        )
        bought = await self._reader.products(rule.product_id for rule in rules)
        stock = await _optional(
            self._reader.availability([product_id, *bought, *(p.id for p in category)]), {}, STOCK_SOURCE, missing
        )
        together = [
            _bought_together(rule, bought[rule.product_id], stock)
            for rule in rules
            if rule.product_id in bought and _in_stock(stock, rule.product_id)
        ][:related_limit]
        anchor = _item(product)
        similar = similarity.most_similar(anchor, (_item(p) for p in category if _in_stock(stock, p.id)), related_limit)
        by_id = {p.id: p for p in category}
        rating = insights.rating_summary(review.rating for review in reviews)
        found = insights.highlights(reviews, highlight_limit)
        content = insights.completeness(_content(product))
        availability = stock.get(product_id) or inventory_item_pb2.SkuAvailability(sku=product_id)
        drivers = [
            rating.driver(),
            Driver(
                "highlights", len(found), f"phrases used by at least {insights.MIN_MENTIONS} of {len(reviews)} reviews"
            ),
            Driver(
                "in_stock",
                1.0 if availability.in_stock else 0.0,
                "can be ordered now" if availability.in_stock else "cannot be ordered now",
            ),
            Driver(
                "bought_together",
                len(together),
                f"from {await self._orders_considered(rules)} orders counted",
                unit="products",
            ),
            Driver(
                "similar",
                len(similar),
                f"of {len(category)} products in category {product.category_id}",
                unit="products",
            ),
            Driver(
                "completeness",
                content.score,
                f"missing: {', '.join(content.missing_fields) or 'nothing'}",
                threshold=1.0,
            ),
        ]
        sources = [
            PRODUCT_SOURCE,
            *(s for s in (REVIEW_SOURCE, STOCK_SOURCE, CATEGORY_SOURCE, COPURCHASES_SOURCE) if s not in missing),
        ]
        return pb.EnrichProductResponse(
            product_id=product_id,
            rating=pb.RatingSummary(
                mean=rating.mean,
                count=rating.count,
                histogram=[pb.RatingBucket(stars=b.stars, count=b.count, share=b.share) for b in rating.histogram],
            ),
            highlights=[
                pb.ReviewHighlight(
                    phrase=h.phrase,
                    mention_count=h.mention_count,
                    mean_rating=h.mean_rating,
                    review_ids=h.review_ids,
                )
                for h in found
            ],
            availability=availability,
            frequently_bought_together=together,
            similar=[_similar(found_similar, by_id[found_similar.item.id], stock) for found_similar in similar],
            completeness=types_pb.CompletenessScore(
                score=content.score,
                missing_fields=content.missing_fields,
                components=[component.to_proto() for component in content.components],
            ),
            explanation=explanation(
                f"{rating.count} reviews (mean {rating.mean:.2f}), {len(found)} highlights, "
                f"{'in stock' if availability.in_stock else 'out of stock'}, {len(together)} bought together, "
                f"{len(similar)} similar, content {content.score:.0%} complete",
                drivers,
                method=insights.METHOD,
                freshness=data_freshness(self._clock(), data_as_of=as_of, sources=sources, degraded=bool(missing)),
            ),
        )

    async def _orders_considered(self, rules: Sequence[Association]) -> int:
        return rules[0].orders_considered if rules else await self._copurchases.orders_counted()

    async def _similar_products(self, product_id: str, limit: int, in_stock_only: bool) -> pb.SimilarProductsResponse:
        product = await self._product(product_id)
        missing: list[str] = []
        category = await self._reader.category_products(product.category_id)
        stock = await _optional(self._reader.availability(p.id for p in category), {}, STOCK_SOURCE, missing)
        candidates = (_item(p) for p in category if not in_stock_only or _in_stock(stock, p.id))
        similar = similarity.most_similar(_item(product), candidates, limit)
        by_id = {p.id: p for p in category}
        return pb.SimilarProductsResponse(
            product_id=product_id,
            products=[_similar(found, by_id[found.item.id], stock) for found in similar],
            explanation=explanation(
                f"{len(similar)} of {len(category)} products in category {product.category_id}, "
                f"by tag overlap ({similarity.W_TAGS}), price proximity ({similarity.W_PRICE}) "
                f"and brand ({similarity.W_BRAND})",
                [
                    Driver(
                        "candidates",
                        len(category),
                        f"listed products of category {product.category_id}",
                        unit="products",
                    ),
                    Driver(
                        "tag_overlap", similarity.W_TAGS, "weight of shared tags (Jaccard)", weight=similarity.W_TAGS
                    ),
                    Driver(
                        "price_proximity",
                        similarity.W_PRICE,
                        "weight of 1 - |price gap| / higher price",
                        weight=similarity.W_PRICE,
                    ),
                    Driver("same_brand", similarity.W_BRAND, "weight of the same brand", weight=similarity.W_BRAND),
                ],
                method=SIMILAR_METHOD,
                freshness=data_freshness(
                    self._clock(),
                    sources=[PRODUCT_SOURCE, CATEGORY_SOURCE, *([] if missing else [STOCK_SOURCE])],
                    degraded=bool(missing),
                ),
            ),
        )


async def _optional(read: Awaitable[T], fallback: T, source: str, missing: list[str]) -> T:
    """An enrichment that may fail: the answer goes on without it, degraded and saying which."""
    try:
        return await read
    except grpc.aio.AioRpcError as exc:
        log.warning("insights without %s (%s): %s", source, exc.code().name, exc.details())
        missing.append(source)
        return fallback


def _in_stock(stock: Mapping[str, inventory_item_pb2.SkuAvailability], sku: str) -> bool:
    # Without stock figures (inventory unreadable) nothing is filtered out.
    return not stock or (sku in stock and stock[sku].in_stock)


def _item(product: product_pb2.Product) -> similarity.Item:
    return similarity.Item(product.id, product.category_id, product.brand, frozenset(product.tags), product.price)


def _content(product: product_pb2.Product) -> insights.ContentFields:
    return insights.ContentFields(
        product.name, product.description, product.image_url, product.brand, tuple(product.tags)
    )


def _ref(product: product_pb2.Product, stock: Mapping[str, inventory_item_pb2.SkuAvailability]) -> types_pb.ProductRef:
    return types_pb.ProductRef(
        product_id=product.id,
        name=product.name,
        category_id=product.category_id,
        brand=product.brand,
        image_url=product.image_url,
        price=types_pb.Money(
            currency_code=product.currency_code,
            amount_minor=money.to_minor(product.price, product.currency_code),
            amount=product.price,
        ),
        in_stock=stock[product.id].in_stock if product.id in stock else product.in_stock,
    )


def _bought_together(
    rule: Association, product: product_pb2.Product, stock: Mapping[str, inventory_item_pb2.SkuAvailability]
) -> types_pb.ProductSuggestion:
    return types_pb.ProductSuggestion(
        product=_ref(product, stock),
        score=round(rule.confidence, 4),
        reason=(
            f"bought together in {rule.co_occurrences} of {rule.antecedent_orders} orders with this product "
            f"({rule.orders_considered} orders in all), confidence {rule.confidence:.2f}, lift {rule.lift:.2f}"
        ),
        association=types_pb.ProductAssociation(
            co_occurrences=rule.co_occurrences,
            orders_considered=rule.orders_considered,
            support=round(rule.support, 6),
            confidence=round(rule.confidence, 6),
            lift=round(rule.lift, 6),
        ),
        drivers=[
            Driver(
                "support", round(rule.support, 6), f"{rule.co_occurrences} of {rule.orders_considered} orders hold both"
            ).to_proto(),
            Driver(
                "confidence",
                round(rule.confidence, 6),
                f"{rule.co_occurrences} of {rule.antecedent_orders} orders with this product",
                weight=1.0,
                contribution=round(rule.confidence, 6),
            ).to_proto(),
            Driver(
                "lift",
                round(rule.lift, 6),
                f"confidence / share of orders with it ({rule.product_orders} of {rule.orders_considered})",
            ).to_proto(),
        ],
    )


def _similar(
    found: similarity.Similar, product: product_pb2.Product, stock: Mapping[str, inventory_item_pb2.SkuAvailability]
) -> types_pb.ProductSuggestion:
    return types_pb.ProductSuggestion(
        product=_ref(product, stock),
        score=found.score,
        reason=found.reason,
        drivers=[driver.to_proto() for driver in found.drivers],
    )


async def create_binding(deps: Dependencies) -> ServiceBinding:
    copurchases = await CoPurchases.open(deps.store)
    copurchases.follow(deps.bus)
    servicer = ProductDetailEnrichmentServicer(
        PlatformReader(deps.channels, deps.service_credentials),
        copurchases,
        deps.clock,
        deps.settings.product_insights_cache_seconds,
        deps.narrator,
        SharedAnswers.of(deps, "insights", pb.EnrichProductResponse),
        SharedAnswers.of(deps, "similar", pb.SimilarProductsResponse),
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["ProductDetailEnrichmentService"].full_name,
        add_to_server=lambda server: pb_grpc.add_ProductDetailEnrichmentServiceServicer_to_server(servicer, server),
    )
