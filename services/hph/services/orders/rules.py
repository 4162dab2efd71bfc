"""Order rules, free of I/O: the fulfilment state machine, payment-status changes, ids and limits.

Fulfilment: pending -> paid -> fulfilling -> shipped -> delivered; pending/paid -> cancelled;
delivered -> partially_returned -> returned (or straight to returned). Who drives which edge:

- payment (RecordOrderPayment, called by the payments service): pending -> paid;
- cancellation (CancelOrder by the owner or staff, or the platform when payment is overdue):
  pending|paid -> cancelled;
- staff (UpdateOrderStatus): every other edge.

Moving to the status an order already has is "no change", which makes retries harmless. Any other
edge is refused with FAILED_PRECONDITION, reason ILLEGAL_TRANSITION.

Returned units: a move to partially_returned/returned may carry each line's CUMULATIVE returned units
(`returned_items`); a line keeps the larger of stored and given, so a retry or a late, older report
changes nothing, and a growth is stored even when the status stays (a second partial return).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce.identifiers import ORDER_PREFIX
from hph.commerce.lifecycle import illegal_transition
from hph.runtime import validation
from hph.runtime.errors import Violations

# A campaign code as links carry it (CreateOrderRequest.campaign_code): letters, digits, '-', '_'.
CAMPAIGN_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def campaign_code(violations: Violations, code: str) -> str:
    """The code as stored (upper case, so "holiday-email" and "HOLIDAY-EMAIL" are one campaign);
    a malformed one is a violation."""
    if code and not violations.check(
        CAMPAIGN_CODE.fullmatch(code) is not None, "campaign_code", "must be 1..64 letters, digits, '-' or '_'"
    ):
        return ""
    return code.upper()


class Status(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FULFILLING = "fulfilling"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class Actor(StrEnum):
    """What drives a transition; each edge belongs to exactly one."""

    PAYMENT = "payment"
    CANCELLATION = "cancellation"
    STAFF = "staff"


TRANSITIONS: Mapping[tuple[Status, Status], Actor] = {
    (Status.PENDING, Status.PAID): Actor.PAYMENT,
    (Status.PENDING, Status.CANCELLED): Actor.CANCELLATION,
    (Status.PAID, Status.CANCELLED): Actor.CANCELLATION,
    (Status.PAID, Status.FULFILLING): Actor.STAFF,
    (Status.FULFILLING, Status.SHIPPED): Actor.STAFF,
    (Status.SHIPPED, Status.DELIVERED): Actor.STAFF,
    (Status.DELIVERED, Status.PARTIALLY_RETURNED): Actor.STAFF,
    (Status.DELIVERED, Status.RETURNED): Actor.STAFF,
    (Status.PARTIALLY_RETURNED, Status.RETURNED): Actor.STAFF,
}
TERMINAL = frozenset({Status.CANCELLED, Status.RETURNED})
# Statuses an update may record returned units with.
RETURN_STATUSES = frozenset({Status.PARTIALLY_RETURNED, Status.RETURNED})
# Statuses whose stock reservation is still held or confirmed (so a cancellation must release it).
HOLDS_STOCK = frozenset({Status.PENDING, Status.PAID})
# When each status was reached, as stored (statuses without a timestamp of their own are absent).
REACHED_AT: Mapping[Status, str] = {
    Status.PAID: "paid_at",
    Status.SHIPPED: "shipped_at",
    Status.DELIVERED: "delivered_at",
    Status.CANCELLED: "cancelled_at",
}

REASON_MAX = 500
PRODUCT_ID_MAX = 128
RETURNED_ITEMS = "returned_items"
ILLEGAL_TRANSITION = ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION
_GUIDANCE: Mapping[Actor, str] = {
    Actor.PAYMENT: "orders become paid when a payment succeeds",
    Actor.CANCELLATION: "cancel through CancelOrder",
    Actor.STAFF: "staff move orders through fulfilment",
}


def new_order_id() -> str:
    return f"{ORDER_PREFIX}{uuid.uuid4().hex[:16].upper()}"


def is_no_change(current: Status, target: Status) -> bool:
    return current == target


def check_transition(current: Status, target: Status, actor: Actor, *, order_id: str = "") -> None:
    """Passes when `actor` may move an order from `current` to `target` (callers handle the
    no-change case first); FAILED_PRECONDITION (ILLEGAL_TRANSITION) otherwise."""
    owner = TRANSITIONS.get((current, target))
    if owner == actor:
        return
    if owner is not None:
        why = _GUIDANCE[owner]
    elif current in TERMINAL:
        why = f"a {current.value} order does not change any more"
    else:
        allowed = sorted(t.value for (c, t) in TRANSITIONS if c == current)
        why = f"from {current.value} it can go to {', '.join(allowed)}"
    raise illegal_transition(
        f"an order cannot go from {current.value} to {target.value}: {why}",
        kind="order",
        resource_id=order_id,
        current=current,
        target=target,
    )


def staff_targets() -> frozenset[Status]:
    return frozenset(t for (_, t), actor in TRANSITIONS.items() if actor == Actor.STAFF)


# --- payment status ----------------------------------------------------------------------------

REFUNDED_STATUSES = frozenset({PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED})
CAPTURED_STATUSES = frozenset({PaymentStatus.PAID, *REFUNDED_STATUSES})


def refund_status(amount_refunded_minor: int, total_minor: int) -> PaymentStatus:
    return PaymentStatus.REFUNDED if amount_refunded_minor >= total_minor else PaymentStatus.PARTIALLY_REFUNDED


def check_refund(violations: Violations, amount_refunded_minor: int, total_minor: int) -> None:
    violations.check(
        0 < amount_refunded_minor <= total_minor,
        "amount_refunded",
        "must be more than 0 and at most the order total",
    )


def attempt_status_applies(current: PaymentStatus) -> bool:
    """Whether a payment attempt's progress (pending/failed) may still change the order's payment
    status: only before money was captured (a late failure of another attempt never downgrades)."""
    return current not in CAPTURED_STATUSES


# --- request fields ----------------------------------------------------------------------------


def check_reason(violations: Violations, reason: str) -> None:
    validation.text(violations, "reason", reason, max_length=REASON_MAX)


def check_returned_items(
    violations: Violations, items: Sequence[tuple[str, int]], target: Status | None
) -> dict[str, int]:
    """What can be checked of `returned_items` without the order: the target status allows them,
    each product is named once and each quantity is not negative. Product id -> cumulative units."""
    if items and target is not None and target not in RETURN_STATUSES:
        violations.add(RETURNED_ITEMS, "is allowed only with status PARTIALLY_RETURNED or RETURNED")
    given: dict[str, int] = {}
    for index, (product_id, quantity) in enumerate(items):
        field = f"{RETURNED_ITEMS}[{index}]"
        named = validation.text(violations, f"{field}.product_id", product_id, required=True, max_length=PRODUCT_ID_MAX)
        if named and violations.check(product_id not in given, f"{field}.product_id", "names a product listed before"):
            given[product_id] = quantity
        violations.check(quantity >= 0, f"{field}.quantity", "must be 0 or more")
    return given


def check_returned_against_order(
    violations: Violations, items: Sequence[tuple[str, int]], ordered: Mapping[str, int], *, order_id: str
) -> None:
    """Each returned product is a line of the order and its units are at most the units ordered."""
    for index, (product_id, quantity) in enumerate(items):
        field = f"{RETURNED_ITEMS}[{index}]"
        if product_id not in ordered:
            violations.add(f"{field}.product_id", f"is not a line of order {order_id}")
        else:
            violations.check(
                quantity <= ordered[product_id],
                f"{field}.quantity",
                f"must be at most {ordered[product_id]}, the units ordered",
            )


def merge_returned(lines: Sequence[Mapping[str, Any]], given: Mapping[str, int]) -> list[dict[str, Any]] | None:
    """The order's lines with each one's quantity_returned raised to the given count where that is
    more (never lowered, never added); None when no line grows."""
    merged: list[dict[str, Any]] = []
    grew = False
    for line in lines:
        stored = int(line.get("quantity_returned") or 0)
        wanted = given.get(line["product_id"], 0)
        grew = grew or wanted > stored
        merged.append({**line, "quantity_returned": max(stored, wanted)})
    return merged if grew else None
