"""CrmCampaignIntelligenceService over gRPC: every order with its campaign code from the shared
crm-activity projection, the spend data shipped with the agent, and the report from the decision
core (`performance`). Staff only (the contract's min_role)."""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any, Final

from holidaypeak.agents.v1 import crm_campaign_intelligence_service_pb2 as pb
from holidaypeak.agents.v1 import crm_campaign_intelligence_service_pb2_grpc as pb_grpc
from hph.agents.crm_activity import CONTAINER, SOURCE, CustomerActivity
from hph.agents.crm_activity.messages import money_message
from hph.agents.crm_campaign_intelligence import performance
from hph.agents.runtime import Driver, data_freshness, explanation, narrate_if_asked
from hph.runtime.clock import Clock
from hph.runtime.deps import Dependencies
from hph.runtime.errors import Violations
from hph.runtime.narrator import Narrator
from hph.runtime.server import ServiceBinding

CONTAINERS = (CONTAINER,)
SPEND_SOURCE: Final = "data:campaign_spend.json"
# The same shape CreateOrderRequest.campaign_code accepts.
CODE: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_CODES: Final = 50
ADVICE_TO_PB: Final = {
    performance.Advice.INCREASE: pb.BUDGET_ACTION_INCREASE,
    performance.Advice.KEEP: pb.BUDGET_ACTION_KEEP,
    performance.Advice.DECREASE: pb.BUDGET_ACTION_DECREASE,
    performance.Advice.STOP: pb.BUDGET_ACTION_STOP,
}


class CrmCampaignIntelligenceServicer(pb_grpc.CrmCampaignIntelligenceServiceServicer):
    def __init__(
        self,
        activity: CustomerActivity,
        spend: performance.SpendData,
        clock: Clock,
        narrator: Narrator | None = None,
    ) -> None:
        self._activity = activity
        self._spend = spend
        self._clock = clock
        self._narrator = narrator or Narrator.off()

    async def CampaignPerformance(
        self, request: pb.CampaignPerformanceRequest, context: Any
    ) -> pb.CampaignPerformanceResponse:
        violations = Violations()
        violations.check(len(request.campaign_codes) <= MAX_CODES, "campaign_codes", f"at most {MAX_CODES}")
        for index, code in enumerate(request.campaign_codes):
            violations.check(
                CODE.fullmatch(code) is not None,
                f"campaign_codes[{index}]",
                "must be 1..64 letters, digits, '-' or '_'",
            )
        now = self._clock()
        window = request.window
        start = window.start_time.ToDatetime(tzinfo=UTC) if window.HasField("start_time") else None
        end = window.end_time.ToDatetime(tzinfo=UTC) if window.HasField("end_time") else now
        if start is not None:
            violations.check(start < end, "window.start_time", "must be before the end of the window (or now)")
        violations.raise_if_any()
        orders = await self._activity.all_orders()
        measured = performance.measure(
            orders,
            self._spend,
            start=start,
            end=min(end, now),
            codes=frozenset(code.upper() for code in request.campaign_codes),
        )
        currency = measured.currency_code
        newest = max((o.placed_at for o in orders if o.placed_at is not None), default=None)
        response = pb.CampaignPerformanceResponse(
            campaigns=[
                pb.CampaignReport(
                    campaign_code=result.code,
                    funnel=pb.CampaignFunnel(
                        views=0,
                        carts=result.funnel.carts,
                        orders=result.funnel.orders,
                        cart_to_order_rate=result.funnel.rate,
                    ),
                    attributed_revenue=money_message(result.revenue_minor, currency),
                    spend=money_message(result.spend_minor, currency) if result.spend_minor is not None else None,
                    roi=result.roi,
                    advice=ADVICE_TO_PB[result.advice],
                    advice_reason=result.reason,
                    drivers=[driver.to_proto() for driver in result.drivers],
                )
                for result in measured.campaigns
            ],
            unattributed_revenue=money_message(measured.unattributed_revenue_minor, currency),
            explanation=explanation(
                measured.summary,
                [
                    Driver(
                        "baseline_conversion",
                        measured.baseline.rate,
                        f"{measured.baseline.orders} of {measured.baseline.carts} checkouts without a code paid",
                        unit="ratio",
                    ),
                    Driver("target_roi", self._spend.target_roi, "below it: decrease", unit="ratio"),
                    Driver(
                        "increase_roi", self._spend.increase_roi, "from it, converting as well: increase", unit="ratio"
                    ),
                    Driver("min_orders", self._spend.min_orders, "paid orders needed to judge", unit="orders"),
                    Driver("views_tracked", 0, "product views are not recorded: the funnel starts at checkout"),
                ],
                method=performance.METHOD,
                freshness=data_freshness(now, data_as_of=newest, sources=[SOURCE, SPEND_SOURCE]),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="campaign performance")
        return response


async def create_binding(deps: Dependencies) -> ServiceBinding:
    activity = await CustomerActivity.open(deps.store)
    activity.follow(deps.bus)
    servicer = CrmCampaignIntelligenceServicer(activity, performance.SpendData.shipped(), deps.clock, deps.narrator)
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["CrmCampaignIntelligenceService"].full_name,
        add_to_server=lambda server: pb_grpc.add_CrmCampaignIntelligenceServiceServicer_to_server(servicer, server),
    )
