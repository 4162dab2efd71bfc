"""CrmProfileAggregationService over gRPC: the customer's account from UserService, their activity
from the shared crm-activity projection, category names from the catalog, and the 360 view from the
decision core (`profile`). Staff only (the contract's min_role): a customer never reads a profile,
not even their own, through this agent."""

from __future__ import annotations

import asyncio
from typing import Any

from holidaypeak.agents.v1 import crm_profile_aggregation_service_pb2 as pb
from holidaypeak.agents.v1 import crm_profile_aggregation_service_pb2_grpc as pb_grpc
from hph.agents.crm_activity import CONTAINER, SOURCE, CustomerActivity
from hph.agents.crm_activity.messages import money_message, order_summary
from hph.agents.crm_activity.platform import CrmPlatform
from hph.agents.crm_profile_aggregation import profile
from hph.agents.runtime import data_freshness, explanation, narrate_if_asked
from hph.runtime.clock import Clock, to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import is_valid_id

CONTAINERS = (CONTAINER,)
USER_SOURCE = "rpc:UserService.GetUser"
CATEGORY_SOURCE = "rpc:CatalogService.ListCategories"
DEFAULT_RECENT, MAX_RECENT = 5, 50


class CrmProfileAggregationServicer(pb_grpc.CrmProfileAggregationServiceServicer):
    def __init__(
        self, activity: CustomerActivity, platform: CrmPlatform, clock: Clock, narrator: Narrator | None = None
    ) -> None:
        self._activity = activity
        self._platform = platform
        self._clock = clock
        self._narrator = narrator or Narrator.off()

    async def GetProfile(self, request: pb.GetProfileRequest, context: Any) -> pb.GetProfileResponse:
        violations = Violations()
        violations.check(bool(request.user_id), "user_id", "is required")
        violations.check(not request.user_id or is_valid_id(request.user_id), "user_id", "is not a user id")
        violations.check(
            0 <= request.recent_orders_limit <= MAX_RECENT, "recent_orders_limit", f"must be 0..{MAX_RECENT}"
        )
        violations.raise_if_any()
        user, activity, names = await asyncio.gather(
            self._platform.user(request.user_id),
            self._activity.of(request.user_id),
            self._platform.category_names(),
        )
        if user is None:
            raise NotFound(f"user {request.user_id!r} not found")
        now = self._clock()
        view = profile.build_profile(activity, now, recent_limit=request.recent_orders_limit or DEFAULT_RECENT)
        currency = view.currency_code
        response = pb.GetProfileResponse(
            user_id=request.user_id,
            name=user.name,
            email=user.email,
            customer_since=user.created_at if user.HasField("created_at") else None,
            order_count=view.order_count,
            lifetime_value=money_message(view.lifetime_value_minor, currency),
            average_order_value=money_message(view.average_order_value_minor, currency),
            last_order_at=to_timestamp(view.last_order_at),
            days_since_last_order=view.days_since_last_order,
            favourite_categories=[
                pb.CategoryAffinity(
                    category_id=fav.category_id,
                    category_name=names.get(fav.category_id, fav.category_id),
                    units=fav.units,
                    share=fav.share,
                )
                for fav in view.favourites
            ],
            return_rate=view.return_rate,
            open_tickets=view.open_tickets,
            engagement_score=view.engagement_score,
            recent_orders=[order_summary(order) for order in view.recent_orders],
            explanation=explanation(
                view.summary,
                view.drivers,
                method=profile.METHOD,
                freshness=data_freshness(
                    now, data_as_of=activity.data_as_of, sources=[SOURCE, USER_SOURCE, CATEGORY_SOURCE]
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="customer profile")
        return response


async def create_binding(deps: Dependencies) -> ServiceBinding:
    activity = await CustomerActivity.open(deps.store)
    activity.follow(deps.bus)
    servicer = CrmProfileAggregationServicer(
        activity, CrmPlatform(deps.channels, deps.service_credentials), deps.clock, deps.narrator
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["CrmProfileAggregationService"].full_name,
        add_to_server=lambda server: pb_grpc.add_CrmProfileAggregationServiceServicer_to_server(servicer, server),
    )
