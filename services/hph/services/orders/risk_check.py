"""CreateOrder's fraud risk assessment: agent checkout-support's AssessRisk, consulted after the
reservation check and before stock is held, through the agent-call helper (short deadline, breaker,
fallback).

- approve: the order goes on.
- review: the order is placed but flagged for staff (`Order.review_required`, `review_reason`;
  staff list them with `ListAllOrders(review=true)`, `GET /api/staff/orders?review=true`).
- deny: the order is refused (FAILED_PRECONDITION, ORDER_RISK_DENIED) before anything is reserved,
  with the score, the deny threshold and the contributing drivers in the message and metadata.
- the agent cannot answer (down, past the deadline, not hosted, shed, or refusing our request): the
  order goes on and records `Order.skipped_checks` "checkout-support: <why>".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import checkout_support_service_pb2 as agent_pb
from holidaypeak.agents.v1 import checkout_support_service_pb2_grpc as agent_grpc
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce.agent_calls import AgentClient
from hph.runtime.deps import Dependencies
from hph.runtime.errors import FailedPrecondition

AGENT = "checkout-support"
RPC = "AssessRisk"
ORDER_RISK_DENIED = ErrorReason.ERROR_REASON_ORDER_RISK_DENIED


@dataclass(frozen=True)
class RiskOutcome:
    """What the order records: why it is held for review ("" when not) and the checks skipped."""

    review_reason: str = ""
    skipped: list[str] = field(default_factory=list)


class RiskCheck:
    def __init__(self, deps: Dependencies) -> None:
        self.client = AgentClient(
            deps,
            AGENT,
            agent_grpc.CheckoutSupportServiceStub,
            deadline_seconds=deps.settings.risk_check_deadline_seconds,
        )

    async def check(
        self,
        *,
        user_id: str,
        amount_minor: int,
        currency_code: str,
        payment_method_id: str,
        shipping_address_id: str,
    ) -> RiskOutcome:
        """The review flag (or the skipped assessment); raises the refusal of a denied order."""
        request = agent_pb.AssessRiskRequest(
            user_id=user_id,
            amount=agent_types_pb2.Money(currency_code=currency_code, amount_minor=amount_minor),
            payment_method_id=payment_method_id,
            shipping_address_id=shipping_address_id,
        )
        result = await self.client.call(RPC, request, response=agent_pb.AssessRiskResponse, fallback=lambda: None)
        if result.value is None:
            return RiskOutcome(skipped=[f"{AGENT}: {result.skipped}"])
        answer = result.value
        if answer.decision == agent_pb.RISK_DECISION_DENY:
            raise risk_refusal(answer)
        if answer.decision == agent_pb.RISK_DECISION_REVIEW:
            return RiskOutcome(review_reason=answer.explanation.summary or f"risk {answer.risk_score:.2f}")
        return RiskOutcome()


def contributing(answer: agent_pb.AssessRiskResponse) -> str:
    """The drivers that added to the score, as "name=value(+contribution)", comma-separated."""
    return ",".join(f"{d.name}={d.value:g}(+{d.contribution:g})" for d in answer.explanation.drivers if d.contribution)


def risk_refusal(answer: agent_pb.AssessRiskResponse) -> FailedPrecondition:
    drivers = contributing(answer)
    return FailedPrecondition(
        f"the order was refused by the fraud risk assessment: risk {answer.risk_score:.2f} reached the deny "
        f"threshold {answer.deny_threshold:g} ({drivers}); contact support if this is a mistake",
        reason=ORDER_RISK_DENIED,
        metadata={
            "risk_score": f"{answer.risk_score:g}",
            "deny_threshold": f"{answer.deny_threshold:g}",
            "drivers": drivers,
        },
    )
