"""The one shape of a refused lifecycle move, for every service with a state machine (orders,
returns, shipments, tickets): FAILED_PRECONDITION with reason ILLEGAL_TRANSITION, the resource as
the PreconditionFailure subject ("orders/ORD-..." or just "order" when the id is not known), and the
refused edge as the ErrorInfo metadata `from` and, when there is a target, `to`: the keys
error_reason.proto documents for that reason. Each service keeps its own table and its own words.
"""

from __future__ import annotations

from enum import StrEnum

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.errors import FailedPrecondition


def illegal_transition(
    message: str, *, kind: str, resource_id: str, current: StrEnum, target: StrEnum | None = None
) -> FailedPrecondition:
    """The refusal of moving the `kind` (e.g. "order"; its collection is `kind` + "s") `resource_id`
    from `current` to `target` (None when no move is allowed at all), saying `message`."""
    metadata = {"from": current.value}
    if target is not None:
        metadata["to"] = target.value
    return FailedPrecondition(
        message,
        reason=ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION,
        subject=f"{kind}s/{resource_id}" if resource_id else kind,
        metadata=metadata,
    )
