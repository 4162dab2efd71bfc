"""CrmSegmentationPersonalizationService over gRPC: Segment (staff) reads the latest segmentation
run (`runs`, scored by `rfm`) with its movement; Personalize (a shopper for themselves, staff for
anyone) reads the shopper's activity and their segment from the run, and ranks in-stock catalog
products of their and their segment's categories (`personalize`).

The owner check of Personalize comes first (the contract's owner_only with the staff override,
`require_owner`): a customer naming another shopper is refused before anything is read."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Final

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import crm_segmentation_personalization_service_pb2 as pb
from holidaypeak.agents.v1 import crm_segmentation_personalization_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import product_pb2
from hph.agents.crm_activity import CONTAINER, SOURCE, CustomerActivity
from hph.agents.crm_activity.messages import money_message
from hph.agents.crm_activity.platform import CrmPlatform
from hph.agents.crm_segmentation_personalization import personalize, rfm
from hph.agents.crm_segmentation_personalization.runs import SegmentRuns
from hph.agents.runtime import Driver, data_freshness, explanation, narrate_if_asked
from hph.runtime import money
from hph.runtime.clock import Clock, to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.rpc.call_context import require_owner, require_user_id
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import is_valid_id

CONTAINERS = (CONTAINER,)
RUN_SOURCE: Final = "memory:crm-segmentation-personalization.runs"
CATALOG_SOURCE: Final = "rpc:CatalogService.ListProducts"
DEFAULT_LIMIT, MAX_LIMIT = 12, 50
SEGMENT_TO_PB: Final = {
    rfm.Segment.CHAMPIONS: pb.CUSTOMER_SEGMENT_CHAMPIONS,
    rfm.Segment.LOYAL: pb.CUSTOMER_SEGMENT_LOYAL,
    rfm.Segment.POTENTIAL_LOYALIST: pb.CUSTOMER_SEGMENT_POTENTIAL_LOYALIST,
    rfm.Segment.NEW: pb.CUSTOMER_SEGMENT_NEW,
    rfm.Segment.AT_RISK: pb.CUSTOMER_SEGMENT_AT_RISK,
    rfm.Segment.HIBERNATING: pb.CUSTOMER_SEGMENT_HIBERNATING,
    rfm.Segment.PROSPECT: pb.CUSTOMER_SEGMENT_PROSPECT,
}


def _boundaries(run: rfm.Run) -> list[Driver]:
    """Each dimension's range per quintile score, so staff can see where the cuts fell."""
    drivers: list[Driver] = []
    dimensions = (
        ("recency", "recency_score", "recency_days", "days"),
        ("frequency", "frequency_score", "frequency", "orders"),
        ("monetary", "monetary_score", "monetary_minor", f"{run.currency_code} minor units"),
    )
    buyers = [s for s in run.customers.values() if s.orders_ever > 0]
    for name, score_field, value_field, unit in dimensions:
        ranges = []
        for score in range(5, 0, -1):
            values = [getattr(s, value_field) for s in buyers if getattr(s, score_field) == score]
            if values:
                ranges.append(f"{score}: {min(values)}..{max(values)}")
        top = [getattr(s, value_field) for s in buyers if getattr(s, score_field) == 5]
        drivers.append(
            Driver(
                f"{name}_quintiles",
                float(min(top) if name == "recency" and top else max(top) if top else 0),
                f"{name} per score ({unit}): " + ("; ".join(ranges) if ranges else "no buyers"),
                unit=unit,
            )
        )
    return drivers


def _rfm_message(scores: rfm.Scores, previous: rfm.Segment | None, currency: str) -> pb.CustomerRfm:
    return pb.CustomerRfm(
        user_id=scores.user_id,
        recency_days=scores.recency_days,
        frequency=scores.frequency,
        monetary=money_message(scores.monetary_minor, currency),
        recency_score=scores.recency_score,
        frequency_score=scores.frequency_score,
        monetary_score=scores.monetary_score,
        segment=SEGMENT_TO_PB[scores.segment],
        previous_segment=SEGMENT_TO_PB[previous] if previous is not None else pb.CUSTOMER_SEGMENT_UNSPECIFIED,
    )


class CrmSegmentationPersonalizationServicer(pb_grpc.CrmSegmentationPersonalizationServiceServicer):
    def __init__(
        self,
        activity: CustomerActivity,
        runs: SegmentRuns,
        platform: CrmPlatform,
        clock: Clock,
        narrator: Narrator | None = None,
    ) -> None:
        self._activity = activity
        self._runs = runs
        self._platform = platform
        self._clock = clock
        self._narrator = narrator or Narrator.off()

    async def Segment(self, request: pb.SegmentRequest, context: Any) -> pb.SegmentResponse:
        violations = Violations()
        violations.check(not request.user_id or is_valid_id(request.user_id), "user_id", "is not a user id")
        violations.raise_if_any()
        runs = await self._runs.latest()
        run = runs.current
        if request.user_id and request.user_id not in run.customers:
            raise NotFound(f"user {request.user_id!r} is not a customer the segmentation knows")
        sizes = run.sizes()
        total = len(run.customers)
        moves = rfm.movement(runs.previous, run.assignments()) if runs.previous is not None else {}
        order = {seg: index for index, seg in enumerate(rfm.Segment)}
        summaries = [
            pb.SegmentSummary(
                segment=SEGMENT_TO_PB[seg],
                size=sizes[seg],
                share=round(sizes[seg] / total, 4) if total else 0.0,
                entered=moves[seg].entered if moves else 0,
                left=moves[seg].left if moves else 0,
            )
            for seg in sorted(rfm.Segment, key=lambda s: (-sizes[s], order[s]))
        ]
        moved = sum(m.entered for m in moves.values()) if moves else 0
        previous_note = (
            f"{moved} customer(s) moved since the run of {runs.previous_at:%Y-%m-%d %H:%M} UTC"
            if runs.previous_at is not None
            else "no earlier run to compare with"
        )
        largest = max(rfm.Segment, key=lambda s: (sizes[s], -order[s]))
        drivers = [
            Driver("customers_scored", total, f"{total} customer(s), each in exactly one segment", unit="customers"),
            Driver(
                "buyers",
                sum(1 for s in run.customers.values() if s.orders_ever),
                "customers with a counted order, scored in quintiles; the others are prospects",
                unit="customers",
            ),
            *_boundaries(run),
            Driver("moved", moved, previous_note, unit="customers"),
        ]
        response = pb.SegmentResponse(
            segments=summaries,
            customers_scored=total,
            run_at=to_timestamp(run.run_at),
            explanation=explanation(
                f"{total} customers in {sum(1 for s in sizes.values() if s)} segments; largest "
                f"{largest.value} ({sizes[largest]}); {previous_note}",
                drivers,
                method=rfm.METHOD,
                freshness=data_freshness(self._clock(), data_as_of=run.run_at, sources=[RUN_SOURCE, SOURCE]),
            ),
        )
        if request.user_id:
            previous = runs.previous.get(request.user_id) if runs.previous is not None else None
            response.customer.CopyFrom(_rfm_message(run.customers[request.user_id], previous, run.currency_code))
        await narrate_if_asked(self._narrator, response, context, subject="customer segments")
        return response

    async def Personalize(self, request: pb.PersonalizeRequest, context: Any) -> pb.PersonalizeResponse:
        violations = Violations()
        violations.check(0 <= request.limit <= MAX_LIMIT, "limit", f"must be 0..{MAX_LIMIT}")
        violations.check(
            not request.category_id or is_valid_id(request.category_id), "category_id", "is not a category id"
        )
        violations.check(not request.user_id or is_valid_id(request.user_id), "user_id", "is not a user id")
        violations.raise_if_any()
        user_id = request.user_id or require_user_id()
        if request.user_id:
            require_owner(request.user_id, resource="recommendations")
        runs, activity = await asyncio.gather(self._runs.latest(), self._activity.of(user_id))
        taste = personalize.taste(activity, runs.current)
        if request.category_id:
            names = await self._platform.category_names()
            violations.check(request.category_id in names, "category_id", "is not an active category")
            violations.raise_if_any()
            categories = [request.category_id]
        else:
            categories = taste.categories()
        products = await self._products(categories)
        limit = request.limit or DEFAULT_LIMIT
        chosen = personalize.recommend(
            taste,
            (
                personalize.Candidate(p.id, p.category_id, p.in_stock)
                for p in products.values()
                if p.status == product_pb2.PRODUCT_STATUS_ACTIVE
            ),
            limit,
        )
        segment = taste.segment
        segment_name = segment.value if segment is not None else "not scored yet"
        top_mine = sorted(taste.shopper.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        response = pb.PersonalizeResponse(
            user_id=user_id,
            segment=SEGMENT_TO_PB[segment] if segment is not None else pb.CUSTOMER_SEGMENT_UNSPECIFIED,
            products=[_suggestion(products[r.product_id], r) for r in chosen],
            explanation=explanation(
                f"{len(chosen)} product(s) from {len(categories)} categor(ies) for a {segment_name} shopper; "
                f"{len(taste.bought)} bought product(s) left out",
                [
                    Driver("segment", 0, f"segment {segment_name} at the run of {runs.current.run_at:%Y-%m-%d %H:%M}"),
                    *(
                        Driver(
                            "shopper_category",
                            round(share, 4),
                            f"{share:.0%} of the shopper's units in {c}",
                            unit="share",
                        )
                        for c, share in top_mine
                    ),
                    Driver(
                        "excluded_bought", len(taste.bought), "products the shopper already bought", unit="products"
                    ),
                    Driver(
                        "segment_taste_borrowed",
                        1.0 if taste.borrowed else 0.0,
                        "the whole base's categories stand in for the segment's"
                        if taste.borrowed
                        else "the segment's own",
                    ),
                ],
                method=personalize.METHOD,
                freshness=data_freshness(
                    self._clock(),
                    data_as_of=activity.data_as_of or runs.current.run_at,
                    sources=[SOURCE, RUN_SOURCE, CATALOG_SOURCE],
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="personal recommendations")
        return response

    async def _products(self, categories: Iterable[str]) -> dict[str, product_pb2.Product]:
        pages = await asyncio.gather(*(self._platform.products_in(c) for c in categories))
        return {p.id: p for page in pages for p in page}


def _suggestion(product: product_pb2.Product, chosen: personalize.Recommendation) -> agent_types_pb2.ProductSuggestion:
    return agent_types_pb2.ProductSuggestion(
        product=agent_types_pb2.ProductRef(
            product_id=product.id,
            name=product.name,
            category_id=product.category_id,
            brand=product.brand,
            image_url=product.image_url,
            price=money_message(money.to_minor(product.price, product.currency_code), product.currency_code),
            in_stock=product.in_stock,
        ),
        score=chosen.score,
        reason=chosen.reason,
        drivers=[driver.to_proto() for driver in chosen.drivers],
    )


async def create_binding(deps: Dependencies) -> ServiceBinding:
    activity = await CustomerActivity.open(deps.store)
    activity.follow(deps.bus)
    servicer = CrmSegmentationPersonalizationServicer(
        activity,
        SegmentRuns.of(deps, activity),
        CrmPlatform(deps.channels, deps.service_credentials),
        deps.clock,
        deps.narrator,
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["CrmSegmentationPersonalizationService"].full_name,
        add_to_server=lambda server: pb_grpc.add_CrmSegmentationPersonalizationServiceServicer_to_server(
            servicer, server
        ),
    )
