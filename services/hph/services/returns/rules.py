"""Return rules, free of I/O: the lifecycle, the return window, what may be returned, refund amounts.

Lifecycle (TRANSITIONS is the whole table): requested -> approved | rejected; approved -> received
-> restocked -> refunded. Each edge has a minimum role (approving, rejecting and refunding move
money or promises, so they are the admin's; receiving and restocking are warehouse work, staff).
Asking for the status a return already has is "no change", so retries are harmless; any other
edge is FAILED_PRECONDITION with reason ILLEGAL_TRANSITION.

What may be returned: units of a delivered order (delivered or already partially_returned), within
the window (the order's delivered_at + HPH_RETURN_WINDOW_DAYS, inclusive; the window and refund
rules live in hph.commerce.returns_policy, shared with the returns-support agent), each product at most
what was ordered minus what other returns of the order already claim (returns that were not
rejected). The claims live in one tally document per order, updated in the same batch as the
return, so two concurrent requests can never claim the same unit twice.

Refund amount: what the customer paid for the units: unit price x quantity, plus the order's tax
in proportion to those units' share of the subtotal, rounded down (so the shares of several returns
never add up to more tax than was charged). Shipping is not refunded. An admin may refund less
(e.g. a restocking fee), never more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce.identifiers import ORDER_ID, ORDER_PREFIX
from hph.commerce.lifecycle import illegal_transition
from hph.commerce.returns_policy import RETURNABLE_ORDER_STATUSES, refundable_minor, window_closes_at, within_window
from hph.runtime import validation
from hph.runtime.errors import FailedPrecondition, InvalidArgument, Violations


class Status(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    RESTOCKED = "restocked"
    REFUNDED = "refunded"


class Role(StrEnum):
    """The least role that may drive an edge (admin includes staff)."""

    CUSTOMER = "customer"
    STAFF = "staff"
    ADMIN = "admin"


class Reason(StrEnum):
    DAMAGED = "damaged"
    DEFECTIVE = "defective"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    SIZE_OR_FIT = "size_or_fit"
    ARRIVED_LATE = "arrived_late"
    NO_LONGER_NEEDED = "no_longer_needed"
    OTHER = "other"


TRANSITIONS: Mapping[tuple[Status, Status], Role] = {
    (Status.REQUESTED, Status.APPROVED): Role.ADMIN,
    (Status.REQUESTED, Status.REJECTED): Role.ADMIN,
    (Status.APPROVED, Status.RECEIVED): Role.STAFF,
    (Status.RECEIVED, Status.RESTOCKED): Role.STAFF,
    (Status.RESTOCKED, Status.REFUNDED): Role.ADMIN,
}
INITIAL = Status.REQUESTED
TERMINAL = frozenset({Status.REJECTED, Status.REFUNDED})
# When each status was reached, as stored.
REACHED_AT: Mapping[Status, str] = {
    Status.APPROVED: "approved_at",
    Status.REJECTED: "rejected_at",
    Status.RECEIVED: "received_at",
    Status.RESTOCKED: "restocked_at",
    Status.REFUNDED: "refunded_at",
}

# Stable ErrorInfo reasons.
ILLEGAL_TRANSITION = ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION
WINDOW_CLOSED = ErrorReason.ERROR_REASON_WINDOW_CLOSED
ORDER_NOT_DELIVERED = ErrorReason.ERROR_REASON_ORDER_NOT_DELIVERED
QUANTITY_EXCEEDED = ErrorReason.ERROR_REASON_QUANTITY_EXCEEDED
AMOUNT_MISMATCH = ErrorReason.ERROR_REASON_AMOUNT_MISMATCH
RESTOCK_IN_PROGRESS = ErrorReason.ERROR_REASON_RESTOCK_IN_PROGRESS
REFUND_IN_PROGRESS = ErrorReason.ERROR_REASON_REFUND_IN_PROGRESS
REFUND_FAILED = ErrorReason.ERROR_REASON_REFUND_FAILED
ORDER_NOT_PAID = ErrorReason.ERROR_REASON_ORDER_NOT_PAID
TOO_MANY_RETURNS = ErrorReason.ERROR_REASON_TOO_MANY_RETURNS

# Limits.
MAX_ITEMS = 100
MAX_REASON_DETAIL = 2000
MAX_NOTE = 1000
MAX_REJECTION_REASON = 1000
MAX_REQUEST_ID = 128
MAX_ETAG = 256
MAX_RETURNS_PER_ORDER = 999
PRODUCT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

# Ids: a return id names its order ("RET-<the order's 16 hex digits>-<n>"), so the order's partition,
# which holds the return, its order's tally and its events, is known from the id alone.
RETURN_ID = re.compile(r"RET-([0-9A-F]{16})-([1-9][0-9]{0,2})")


def return_id_for(order_id: str, number: int) -> str:
    match = ORDER_ID.fullmatch(order_id)
    if match is None or not 1 <= number <= MAX_RETURNS_PER_ORDER:
        raise ValueError(f"no return id for order {order_id!r} and number {number}")
    return f"RET-{match.group(1)}-{number}"


def order_id_of(return_id: str) -> str:
    match = RETURN_ID.fullmatch(return_id)
    if match is None:
        raise ValueError(f"not a return id: {return_id!r}")
    return f"{ORDER_PREFIX}{match.group(1)}"


# --- the lifecycle -----------------------------------------------------------------------------


def is_no_change(current: Status, target: Status) -> bool:
    return current == target


def check_transition(current: Status, target: Status, *, return_id: str = "") -> Role:
    """The least role the edge needs; FAILED_PRECONDITION (ILLEGAL_TRANSITION) when there is no such
    edge (callers handle the no-change case first)."""
    role = TRANSITIONS.get((current, target))
    if role is not None:
        return role
    if current in TERMINAL:
        why = f"a {current.value} return does not change any more"
    else:
        allowed = sorted(t.value for (c, t) in TRANSITIONS if c == current)
        why = f"from {current.value} it can go to {', '.join(allowed)}"
    raise illegal_transition(
        f"a return cannot go from {current.value} to {target.value}: {why}",
        kind="return",
        resource_id=return_id,
        current=current,
        target=target,
    )


# --- the window --------------------------------------------------------------------------------


def check_window(delivered_at: datetime | None, now: datetime, window_days: int, *, order_id: str) -> None:
    """Passes while `now` is at most `window_days` days after delivery (inclusive)."""
    if delivered_at is None:
        raise FailedPrecondition(
            f"order {order_id} has no delivery date, so nothing of it can be returned yet",
            reason=ORDER_NOT_DELIVERED,
            subject=f"orders/{order_id}",
        )
    closes = window_closes_at(delivered_at, window_days)
    if not within_window(delivered_at, now, window_days):
        raise FailedPrecondition(
            f"the return window of order {order_id} closed {window_days} days after delivery",
            reason=WINDOW_CLOSED,
            subject=f"orders/{order_id}",
            metadata={"delivered_at": delivered_at.isoformat(), "window_closed_at": closes.isoformat()},
        )


def check_order_returnable(order_status: str, *, order_id: str) -> None:
    if order_status not in RETURNABLE_ORDER_STATUSES:
        raise FailedPrecondition(
            f"order {order_id} is {order_status}; only delivered orders can be returned",
            reason=ORDER_NOT_DELIVERED,
            subject=f"orders/{order_id}",
            metadata={"order_status": order_status},
        )


# --- quantities --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderedLine:
    """One line of the order as the return sees it; price in minor units."""

    product_id: str
    quantity: int
    unit_price_minor: int


def check_items(violations: Violations, items: Sequence[tuple[str, int]], *, field: str = "items") -> dict[str, int]:
    """Checks CreateReturn items (1..100 entries, each product once, quantity >= 1); product -> units."""
    if not violations.check(bool(items), field, "at least one item is required"):
        return {}
    if not violations.check(len(items) <= MAX_ITEMS, field, f"at most {MAX_ITEMS} items"):
        return {}
    wanted: dict[str, int] = {}
    for index, (product_id, quantity) in enumerate(items):
        where = f"{field}[{index}]"
        ok = violations.check(bool(product_id), f"{where}.product_id", "is required")
        ok = ok and violations.check(
            bool(PRODUCT_ID.fullmatch(product_id)), f"{where}.product_id", "is not a product id"
        )
        ok = ok and violations.check(product_id not in wanted, f"{where}.product_id", "is listed twice")
        ok = violations.check(quantity >= 1, f"{where}.quantity", "must be at least 1") and ok
        if ok:
            wanted[product_id] = quantity
    return wanted


def check_quantities(
    wanted: Mapping[str, int],
    ordered: Mapping[str, OrderedLine],
    claimed: Mapping[str, int],
    *,
    order_id: str,
) -> None:
    """Each product must be on the order, at most ordered - claimed units (INVALID_ARGUMENT for a
    product not on the order, FAILED_PRECONDITION QUANTITY_EXCEEDED beyond what is left)."""
    violations = Violations()
    for index, product_id in enumerate(wanted):
        violations.check(product_id in ordered, f"items[{index}].product_id", f"is not on order {order_id}")
    violations.raise_if_any()
    over = {
        product_id: ordered[product_id].quantity - claimed.get(product_id, 0)
        for product_id, quantity in wanted.items()
        if quantity > ordered[product_id].quantity - claimed.get(product_id, 0)
    }
    if over:
        left = ", ".join(f"{p}: {max(n, 0)}" for p, n in sorted(over.items()))
        raise FailedPrecondition(
            f"more units than are left to return on order {order_id} ({left})",
            reason=QUANTITY_EXCEEDED,
            subject=f"orders/{order_id}",
            metadata={p: str(max(n, 0)) for p, n in over.items()},
        )


def check_restock_items(
    violations: Violations, items: Sequence[tuple[str, int]], returned: Mapping[str, int]
) -> dict[str, int]:
    """RestockReturn items: each a returned product at most once, 0..returned units; empty means
    every returned unit. Returns product -> units to put back (every returned product listed)."""
    if not items:
        return dict(returned)
    chosen = dict.fromkeys(returned, 0)
    seen: set[str] = set()
    for index, (product_id, quantity) in enumerate(items):
        where = f"items[{index}]"
        if not violations.check(product_id in returned, f"{where}.product_id", "is not an item of this return"):
            continue
        if not violations.check(product_id not in seen, f"{where}.product_id", "is listed twice"):
            continue
        seen.add(product_id)
        if violations.check(
            0 <= quantity <= returned[product_id], f"{where}.quantity", f"must be 0..{returned[product_id]}"
        ):
            chosen[product_id] = quantity
    return chosen


def add_claims(claimed: Mapping[str, int], units: Mapping[str, int], sign: int = 1) -> dict[str, int]:
    """Claims after adding (sign 1) or giving back (sign -1) `units`; zero entries are dropped."""
    merged = dict(claimed)
    for product_id, quantity in units.items():
        merged[product_id] = merged.get(product_id, 0) + sign * quantity
        if merged[product_id] <= 0:
            del merged[product_id]
    return merged


def fully_returned(ordered: Iterable[OrderedLine], refunded: Mapping[str, int]) -> bool:
    """True when every unit of every line was returned and refunded."""
    return all(refunded.get(line.product_id, 0) >= line.quantity for line in ordered)


# --- money -------------------------------------------------------------------------------------


def refund_estimate(units: Mapping[str, int], ordered: Mapping[str, OrderedLine], subtotal: int, tax: int) -> int:
    """What the customer paid for `units` (minor units): prices plus their share of tax, rounded down."""
    items = sum(ordered[p].unit_price_minor * q for p, q in units.items())
    return refundable_minor(items, subtotal, tax)


def check_refund_amount(requested_minor: int | None, estimate_minor: int, *, return_id: str) -> int:
    """The amount to refund: the estimate when none was asked for, else 0 < requested <= estimate."""
    if requested_minor is None:
        return estimate_minor
    if requested_minor <= 0:
        raise InvalidArgument.for_field("amount", "must be more than 0")
    if requested_minor > estimate_minor:
        raise FailedPrecondition(
            f"return {return_id} can refund at most what was paid for its items",
            reason=AMOUNT_MISMATCH,
            subject=f"returns/{return_id}",
            metadata={"refundable_minor": str(estimate_minor), "requested_minor": str(requested_minor)},
        )
    return requested_minor


# --- request fields ----------------------------------------------------------------------------


def check_return_id(violations: Violations, return_id: str, field: str = "return_id") -> bool:
    if violations.check(bool(return_id), field, "is required"):
        return violations.check(
            bool(RETURN_ID.fullmatch(return_id)), field, "must be RET-, 16 hex digits, '-' and a number"
        )
    return False


def check_reason(violations: Violations, reason: Reason | None, detail: str) -> None:
    violations.check(reason is not None, "reason", "is required: one of the ReturnReason values")
    validation.text(violations, "reason_detail", detail, required=reason == Reason.OTHER, max_length=MAX_REASON_DETAIL)


def check_note(violations: Violations, note: str, field: str = "note") -> None:
    validation.text(violations, field, note, max_length=MAX_NOTE)


def check_etag(violations: Violations, etag: str) -> None:
    violations.check(len(etag) <= MAX_ETAG, "etag", "is not an etag this API issued")
