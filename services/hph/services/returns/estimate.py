"""PreviewReturn's call to the returns-support agent (logistics-returns-support) and the conversion
of its answer into this service's ReturnEstimate.

The agent advises; this service decides. The call goes through hph.commerce.agent_calls.AgentClient
with HPH_RETURN_ESTIMATE_DEADLINE_SECONDS, as the platform (the service already checked that the
caller owns the order). When the agent cannot answer (down, slow, not hosted, shed by its breaker,
refusing our request) the preview still answers with the service's own checks and refundable
amount and says the estimate was skipped ("<agent>: <why>"): a return is never blocked by the agent.
"""

from __future__ import annotations

from collections.abc import Mapping

from holidaypeak.agents.v1 import logistics_returns_support_service_pb2 as agent_pb
from holidaypeak.agents.v1 import logistics_returns_support_service_pb2_grpc as agent_grpc
from holidaypeak.commerce.v1 import return_service_pb2 as pb
from hph.commerce.agent_calls import AgentClient
from hph.runtime.deps import Dependencies

AGENT = "logistics-returns-support"
RPC = "CheckReturnEligibility"
# The service's ReturnItemCondition and the agent's ItemCondition number the same states alike.
CONDITION_TO_AGENT: Mapping[int, agent_pb.ItemCondition] = {
    pb.RETURN_ITEM_CONDITION_UNSPECIFIED: agent_pb.ITEM_CONDITION_UNSPECIFIED,
    pb.RETURN_ITEM_CONDITION_UNOPENED: agent_pb.ITEM_CONDITION_UNOPENED,
    pb.RETURN_ITEM_CONDITION_OPENED: agent_pb.ITEM_CONDITION_OPENED,
    pb.RETURN_ITEM_CONDITION_USED: agent_pb.ITEM_CONDITION_USED,
    pb.RETURN_ITEM_CONDITION_DAMAGED: agent_pb.ITEM_CONDITION_DAMAGED,
}


class ReturnEstimates:
    def __init__(self, deps: Dependencies) -> None:
        self.client = AgentClient(
            deps,
            AGENT,
            agent_grpc.LogisticsReturnsSupportServiceStub,
            deadline_seconds=deps.settings.return_estimate_deadline_seconds,
        )

    async def estimate(self, request: pb.PreviewReturnRequest) -> tuple[pb.ReturnEstimate | None, str]:
        """The agent's estimate for the previewed items, or None and "<agent>: <why>" when skipped."""
        asked = agent_pb.CheckReturnEligibilityRequest(
            order_id=request.order_id,
            items=[agent_pb.ReturnLineRequest(product_id=i.product_id, quantity=i.quantity) for i in request.items],
            reason=request.reason,
            condition=CONDITION_TO_AGENT.get(request.condition, agent_pb.ITEM_CONDITION_UNSPECIFIED),
        )
        result = await self.client.call(
            RPC, asked, response=agent_pb.CheckReturnEligibilityResponse, fallback=lambda: None
        )
        if result.value is None:
            return None, f"{AGENT}: {result.skipped}"
        return to_estimate(result.value), ""


def to_estimate(answer: agent_pb.CheckReturnEligibilityResponse) -> pb.ReturnEstimate:
    refund = answer.refund
    return pb.ReturnEstimate(
        eligible=answer.eligible,
        lines=[
            pb.ReturnEstimateLine(
                product_id=line.product_id,
                quantity=line.quantity,
                eligible=line.eligible,
                ineligibility_reason=""
                if line.eligible
                else agent_pb.IneligibilityReason.Name(line.ineligibility_reason),
                message=line.message,
                item_refund_minor=line.item_refund.amount_minor,
                restocking_fee_minor=line.restocking_fee.amount_minor,
            )
            for line in answer.lines
        ],
        items_minor=refund.items.amount_minor,
        tax_minor=refund.tax.amount_minor,
        shipping_minor=refund.shipping.amount_minor,
        restocking_fees_minor=refund.restocking_fees.amount_minor,
        return_shipping_fee_minor=refund.return_shipping_fee.amount_minor,
        total_minor=refund.total.amount_minor,
        next_steps=[step.description for step in answer.next_steps],
        summary=answer.explanation.summary,
    )
