"""CreateOrder's fraud risk assessment (hph.commerce.risk_assessment: agent checkout-support),
consulted beside the reservation check (at the same time) and before stock is held.

- approve: the order goes on.
- review: the order is placed but flagged for staff (`Order.review_required`, `review_reason`;
  staff list them with `ListAllOrders(review=true)`, `GET /api/staff/orders?review=true`).
- deny: the order is refused (FAILED_PRECONDITION, ORDER_RISK_DENIED) before anything is reserved,
  with the score, the deny threshold and the contributing drivers in the message and metadata.
- the agent cannot answer (down, past HPH_RISK_CHECK_DEADLINE_SECONDS, not hosted, shed, or refusing
  our request): the order goes on and records `Order.skipped_checks` "checkout-support: <why>".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hph.commerce.risk_assessment import RiskAssessor, risk_refusal
from hph.runtime.deps import Dependencies


@dataclass(frozen=True)
class RiskOutcome:
    """What the order records: why it is held for review ("" when not) and the checks skipped."""

    review_reason: str = ""
    skipped: list[str] = field(default_factory=list)


class RiskCheck:
    def __init__(self, deps: Dependencies) -> None:
        self.assessor = RiskAssessor(deps)

    async def check(
        self, *, user_id: str, amount_minor: int, currency_code: str, payment_method_id: str, shipping_address_id: str
    ) -> RiskOutcome:
        """The review flag (or the skipped assessment); raises the refusal of a denied order."""
        result = await self.assessor.assess(
            user_id=user_id,
            amount_minor=amount_minor,
            currency_code=currency_code,
            payment_method_id=payment_method_id,
            shipping_address_id=shipping_address_id,
        )
        if result.decision == "deny":
            raise risk_refusal(result)
        if result.decision == "review":
            return RiskOutcome(review_reason=result.summary)
        return RiskOutcome(skipped=result.skipped)
