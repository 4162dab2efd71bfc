"""CreateOrder's reservation policy check: agent inventory-reservation-validation, consulted before
stock is held, through the agent-call helper (short deadline, breaker, fallback).

- The agent allows every line in full: the order goes on.
- It holds a line back: the order is refused (FAILED_PRECONDITION) before anything is reserved, with
  one BadRequest field violation per held-back line (`cart.items[i].quantity`, in cart order, which is
  the order's) naming the product, the units still allowed and the options. A per-shopper peak limit
  is PURCHASE_LIMIT_EXCEEDED; effective availability (safety stock kept back) is OUT_OF_STOCK, the
  same reason inventory gives when stock is short.
- It cannot answer (down, past the deadline, not hosted, shed by its breaker, or refusing our request):
  the order goes on with inventory's own atomic check alone, and the order records the skipped check
  (`Order.skipped_checks`, "<agent>: <why>"); the helper logs and counts it.

Either way ReserveStock stays the authority: it never oversells, whatever the policy said.
"""

from __future__ import annotations

from collections.abc import Sequence

from holidaypeak.agents.v1 import inventory_reservation_validation_service_pb2 as agent_pb
from holidaypeak.agents.v1 import inventory_reservation_validation_service_pb2_grpc as agent_grpc
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce.agent_calls import AgentClient
from hph.commerce.pricing.rules import PricedLine
from hph.runtime.deps import Dependencies
from hph.runtime.errors import FailedPrecondition, FieldViolation

AGENT = "inventory-reservation-validation"
RPC = "ValidateReservation"
PURCHASE_LIMIT_EXCEEDED = ErrorReason.ERROR_REASON_PURCHASE_LIMIT_EXCEEDED
OUT_OF_STOCK = ErrorReason.ERROR_REASON_OUT_OF_STOCK
ALLOW = agent_pb.RESERVATION_DECISION_ALLOW
PEAK_LIMIT = agent_pb.LIMITING_FACTOR_PEAK_LIMIT


class ReservationCheck:
    def __init__(self, deps: Dependencies) -> None:
        self.client = AgentClient(
            deps,
            AGENT,
            agent_grpc.InventoryReservationValidationServiceStub,
            deadline_seconds=deps.settings.reservation_check_deadline_seconds,
        )

    async def check(self, *, user_id: str, order_id: str, lines: Sequence[PricedLine]) -> list[str]:
        """The checks skipped (none when the agent answered); raises the refusal when it holds back a line."""
        request = agent_pb.ValidateReservationRequest(
            shopper_id=user_id,
            order_id=order_id,
            lines=[
                agent_pb.ReservationRequestLine(product_id=line.product_id, quantity=line.quantity) for line in lines
            ],
        )
        result = await self.client.call(
            RPC, request, response=agent_pb.ValidateReservationResponse, fallback=lambda: None
        )
        if result.value is None:
            return [f"{AGENT}: {result.skipped}"]
        refusal = policy_refusal(result.value)
        if refusal is not None:
            raise refusal
        return []


def policy_refusal(answer: agent_pb.ValidateReservationResponse) -> FailedPrecondition | None:
    """The refusal of an order whose policy answer holds any line back; None when it allows all."""
    held_back = [(index, line) for index, line in enumerate(answer.lines) if line.decision != ALLOW]
    if answer.decision == ALLOW and not held_back:
        return None
    limited = [line for _, line in held_back if line.limiting_factor == PEAK_LIMIT]
    violations = tuple(FieldViolation(f"cart.items[{index}].quantity", _description(line)) for index, line in held_back)
    metadata = {
        "skus": ",".join(line.product_id for _, line in held_back),
        "allowed": ",".join(f"{line.product_id}={line.allowed_quantity}" for _, line in held_back),
    }
    if limited:
        ends = answer.peak_window.ends_at if answer.peak_window.HasField("ends_at") else None
        if ends is not None:
            metadata["peak_window_ends_at"] = ends.ToJsonString()
        names = ", ".join(line.product_id for line in limited)
        return FailedPrecondition(
            f"the order goes past the per-shopper peak limit on {names}: {_reasons(limited)}",
            reason=PURCHASE_LIMIT_EXCEEDED,
            subject=f"products/{limited[0].product_id}",
            metadata=metadata,
            violations=violations,
        )
    short = [line for _, line in held_back]
    return FailedPrecondition(
        f"not enough stock can be held for {', '.join(line.product_id for line in short)}: {_reasons(short)}",
        reason=OUT_OF_STOCK,
        subject=f"products/{short[0].product_id}",
        metadata=metadata,
        violations=violations,
    )


def _description(line: agent_pb.LineValidation) -> str:
    text = f"{line.product_id}: {line.allowed_quantity} of {line.requested_quantity} allowed; {line.reason}"
    options = "; or ".join(option.reason for option in line.options)
    return f"{text}. You can {options}" if options else text


def _reasons(lines: Sequence[agent_pb.LineValidation]) -> str:
    return "; ".join(f"{line.product_id} {line.reason}" for line in lines)
