"""AnalyticsService over gRPC: sales summary, time series and category sales of a window (staff).

Answers come from the sales projection (`projection`: facts and daily rollups maintained from
order and payment events, consumer group "analytics") read back by `reports`; what counts, and
when, is defined in `rules`. Answers are cached per request for HPH_ANALYTICS_CACHE_SECONDS, so a
dashboard polling the same window costs one computation per TTL and replica. Money is summed in
integer minor units and converted to major units only here, at the edge.
"""

from __future__ import annotations

import bisect
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from google.protobuf.message import Message

from holidaypeak.commerce.v1 import analytics_pb2
from holidaypeak.commerce.v1 import analytics_service_pb2 as pb
from holidaypeak.commerce.v1 import analytics_service_pb2_grpc as pb_grpc
from hph.runtime.cache import TtlCache
from hph.runtime.clock import to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import Violations
from hph.runtime.money import to_major
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import ContainerSpec
from hph.services.analytics import rules
from hph.services.analytics.clients import CatalogLookup, OrderReader
from hph.services.analytics.projection import (
    CLAIMS,
    CLAIMS_KEY,
    SALES,
    SALES_KEY,
    SalesProjection,
)
from hph.services.analytics.reports import SalesReader

# What this service keeps (the host creates these; it writes no events, so no outbox).
CONTAINERS = (ContainerSpec(SALES, SALES_KEY), ContainerSpec(CLAIMS, CLAIMS_KEY))
CACHE_ENTRIES = 1_000

GRANULARITY_FROM_PB: dict[int, rules.Granularity] = {
    analytics_pb2.GRANULARITY_UNSPECIFIED: rules.Granularity.DAY,
    analytics_pb2.GRANULARITY_DAY: rules.Granularity.DAY,
    analytics_pb2.GRANULARITY_WEEK: rules.Granularity.WEEK,
    analytics_pb2.GRANULARITY_MONTH: rules.Granularity.MONTH,
}
GRANULARITY_TO_PB: dict[rules.Granularity, int] = {
    rules.Granularity.DAY: analytics_pb2.GRANULARITY_DAY,
    rules.Granularity.WEEK: analytics_pb2.GRANULARITY_WEEK,
    rules.Granularity.MONTH: analytics_pb2.GRANULARITY_MONTH,
}

R = TypeVar("R", bound=Message)


class AnalyticsServicer(pb_grpc.AnalyticsServiceServicer):
    def __init__(self, deps: Dependencies, reader: SalesReader, catalog: CatalogLookup) -> None:
        self._deps = deps
        self._reader = reader
        self._catalog = catalog
        self._currency = deps.settings.default_currency
        self._answers: TtlCache[Message] = TtlCache(deps.settings.analytics_cache_seconds, CACHE_ENTRIES)

    async def GetSalesSummary(self, request: pb.GetSalesSummaryRequest, context: Any) -> pb.GetSalesSummaryResponse:
        violations = Violations()
        limit = rules.check_top_products_limit(violations, request.top_products_limit)
        window = rules.parse_window(violations, request.from_date, request.to_date, self._deps.clock())
        violations.raise_if_any()
        assert window is not None

        async def compute() -> pb.GetSalesSummaryResponse:
            tally = await self._total(window)
            major = self._major
            return pb.GetSalesSummaryResponse(
                total_revenue=major(tally.revenue_minor),
                total_orders=tally.orders,
                average_order_value=major(rules.average_order_value(tally.revenue_minor, tally.orders)),
                top_products=[
                    analytics_pb2.TopProduct(
                        product_id=sku,
                        name=await self._catalog.product_name(sku, product.name),
                        units=product.units,
                        revenue=major(product.revenue_minor),
                    )
                    for sku, product in rules.top_products(tally, limit)
                ],
                currency_code=self._currency,
                refunds_total=major(tally.refunds_minor),
                net_revenue=major(tally.net_minor),
                **self._stamps(window),
            )

        return await self._cached("summary", request, compute)

    async def GetSalesTimeseries(
        self, request: pb.GetSalesTimeseriesRequest, context: Any
    ) -> pb.GetSalesTimeseriesResponse:
        violations = Violations()
        granularity = GRANULARITY_FROM_PB.get(request.granularity)
        violations.check(granularity is not None, "granularity", "must be GRANULARITY_DAY, _WEEK or _MONTH")
        window = rules.parse_window(violations, request.from_date, request.to_date, self._deps.clock())
        violations.raise_if_any()
        assert window is not None and granularity is not None
        series = rules.buckets(window, granularity)
        if len(series) > rules.MAX_BUCKETS:
            violations.add("granularity", f"the window holds more than {rules.MAX_BUCKETS} buckets; use a wider one")
            violations.raise_if_any()

        async def compute() -> pb.GetSalesTimeseriesResponse:
            tallies = [rules.Tally() for _ in series]
            starts = [bucket.start for bucket in series]
            for segment, tally in await self._reader.daily(window, self._currency):
                tallies[bisect.bisect_right(starts, segment.start) - 1].merge(tally)
            major = self._major
            return pb.GetSalesTimeseriesResponse(
                granularity=GRANULARITY_TO_PB[granularity],  # type: ignore[arg-type]
                points=[
                    analytics_pb2.SalesPoint(
                        period_start_at=to_timestamp(bucket.start),
                        period_end_at=to_timestamp(bucket.end),
                        revenue=major(tally.revenue_minor),
                        orders=tally.orders,
                        refunds=major(tally.refunds_minor),
                        net_revenue=major(tally.net_minor),
                        units=tally.units,
                    )
                    for bucket, tally in zip(series, tallies, strict=True)
                ],
                currency_code=self._currency,
                **self._stamps(window),
            )

        return await self._cached("timeseries", request, compute)

    async def GetCategorySales(self, request: pb.GetCategorySalesRequest, context: Any) -> pb.GetCategorySalesResponse:
        violations = Violations()
        window = rules.parse_window(violations, request.from_date, request.to_date, self._deps.clock())
        violations.raise_if_any()
        assert window is not None

        async def compute() -> pb.GetCategorySalesResponse:
            tally = await self._total(window)
            # Stored ids are top-level already; re-resolving folds in any recorded while the catalog
            # could not be read, and follows categories moved since.
            top_level = {cid: await self._catalog.top_level(cid) for cid in tally.categories if cid}
            ranked = rules.ranked_categories(rules.group_categories(tally, top_level))
            major = self._major
            return pb.GetCategorySalesResponse(
                categories=[
                    analytics_pb2.CategorySales(
                        category_id=category_id,
                        name=await self._catalog.category_name(category_id),
                        revenue=major(category.revenue_minor),
                        orders=category.orders,
                        units=category.units,
                        revenue_share=rules.revenue_share(category.revenue_minor, tally.revenue_minor),
                    )
                    for category_id, category in ranked
                ],
                total_revenue=major(tally.revenue_minor),
                currency_code=self._currency,
                **self._stamps(window),
            )

        return await self._cached("categories", request, compute)

    # --- helpers --------------------------------------------------------------------------

    async def _total(self, window: rules.Window) -> rules.Tally:
        total = rules.Tally()
        for _, tally in await self._reader.daily(window, self._currency):
            total.merge(tally)
        return total

    def _major(self, minor: int) -> float:
        return to_major(minor, self._currency)

    def _stamps(self, window: rules.Window) -> dict[str, Any]:
        computed: datetime = self._deps.clock()
        return {
            "window_start_at": to_timestamp(window.start),
            "window_end_at": to_timestamp(window.end),
            "computed_at": to_timestamp(computed),
        }

    async def _cached(self, method: str, request: Message, compute: Callable[[], Awaitable[R]]) -> R:
        """The answer to this exact request from the cache, or computed and cached. The key is the
        request as sent, so a defaulted window ("the last 30 days") is answered as of the first
        computation until the entry expires."""
        key = (method, request.SerializeToString(deterministic=True))
        return cast(R, await self._answers.get_or_load(key, compute))


async def create_binding(deps: Dependencies) -> ServiceBinding:
    sales = await deps.store.container(SALES, SALES_KEY)
    claims = await deps.store.container(CLAIMS, CLAIMS_KEY)
    catalog = CatalogLookup(deps.channels, deps.service_credentials)
    if deps.bus is not None:
        projection = SalesProjection(
            sales, claims, OrderReader(deps.channels, deps.service_credentials), catalog, clock=deps.clock
        )
        deps.bus.declare(projection.consumer_group())
    servicer = AnalyticsServicer(deps, SalesReader(sales), catalog)
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["AnalyticsService"].full_name,
        add_to_server=lambda server: pb_grpc.add_AnalyticsServiceServicer_to_server(servicer, server),
    )
