"""The fraud risk of an order about to be placed: agent checkout-support's AssessRisk, asked through
the agent-call helper (its own short deadline, breaker, fallback). CreateOrder acts on the answer
(deny refuses, review flags the order); ValidateCheckout shows it. When the agent cannot answer, the
caller records "checkout-support: <why>" among its skipped checks and goes on.
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
DECISION_NAMES = {
    agent_pb.RISK_DECISION_APPROVE: "approve",
    agent_pb.RISK_DECISION_REVIEW: "review",
    agent_pb.RISK_DECISION_DENY: "deny",
}


@dataclass(frozen=True)
class RiskResult:
    """The agent's answer, or None with the skipped check noted."""

    answer: agent_pb.AssessRiskResponse | None = None
    skipped: list[str] = field(default_factory=list)

    @property
    def decision(self) -> str:
        """ "approve", "review", "deny", or "" when skipped."""
        return DECISION_NAMES.get(self.answer.decision, "") if self.answer is not None else ""

    @property
    def summary(self) -> str:
        if self.answer is None:
            return ""
        return self.answer.explanation.summary or f"risk {self.answer.risk_score:.2f}"

    def drivers(self) -> list[str]:
        """The drivers that added to the score, as "name=value(+contribution)"."""
        if self.answer is None:
            return []
        return [f"{d.name}={d.value:g}(+{d.contribution:g})" for d in self.answer.explanation.drivers if d.contribution]


class RiskAssessor:
    def __init__(self, deps: Dependencies) -> None:
        self.client = AgentClient(
            deps,
            AGENT,
            agent_grpc.CheckoutSupportServiceStub,
            deadline_seconds=deps.settings.risk_check_deadline_seconds,
        )

    async def assess(
        self, *, user_id: str, amount_minor: int, currency_code: str, payment_method_id: str, shipping_address_id: str
    ) -> RiskResult:
        request = agent_pb.AssessRiskRequest(
            user_id=user_id,
            amount=agent_types_pb2.Money(currency_code=currency_code, amount_minor=amount_minor),
            payment_method_id=payment_method_id,
            shipping_address_id=shipping_address_id,
        )
        result = await self.client.call(RPC, request, response=agent_pb.AssessRiskResponse, fallback=lambda: None)
        if result.value is None:
            return RiskResult(skipped=[f"{AGENT}: {result.skipped}"])
        return RiskResult(answer=result.value)


def risk_refusal(result: RiskResult) -> FailedPrecondition:
    """The refusal of an order the assessment denied: score, threshold and drivers in message and metadata."""
    assert result.answer is not None
    drivers = ",".join(result.drivers())
    return FailedPrecondition(
        f"the order was refused by the fraud risk assessment: risk {result.answer.risk_score:.2f} reached the deny "
        f"threshold {result.answer.deny_threshold:g} ({drivers}); contact support if this is a mistake",
        reason=ORDER_RISK_DENIED,
        metadata={
            "risk_score": f"{result.answer.risk_score:g}",
            "deny_threshold": f"{result.answer.deny_threshold:g}",
            "drivers": drivers,
        },
    )
