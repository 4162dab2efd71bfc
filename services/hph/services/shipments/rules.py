"""Shipment rules, free of I/O: the tracking state machine, what a shipment's tracking implies for
its order, what is left to ship, ids and request limits.

Tracking lifecycle (tables below, as data):

    label_created -> picked_up -> in_transit -> out_for_delivery -> delivered (final)
    any status but delivered -> exception; an exception resumes at the status it interrupted or later
    (after a failed delivery attempt out_for_delivery, also back in_transit to the depot).

A step may skip forward (carrier feeds miss scans: label_created -> in_transit is legal), never go
back. Repeating the current status is an intermediate scan (recorded, no change), except delivered,
whose repeat is a no-op. Anything else is FAILED_PRECONDITION, reason ILLEGAL_TRANSITION.

A shipment's status is that of its latest event by occurred_at: the history is kept sorted by
occurred_at and must be a legal walk of the machine from label_created (`walk`), so a late scan
arriving after newer ones is accepted when it fits where it happened.

The order follows its shipments (`order_target`): any shipment -> fulfilling; any parcel picked up
-> shipped; every unit shipped and every parcel delivered -> delivered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce.carriers import MAX_LENGTH_MM as MAX_LENGTH_MM
from hph.commerce.carriers import MAX_WEIGHT_GRAMS as MAX_WEIGHT_GRAMS
from hph.commerce.identifiers import ORDER_PREFIX
from hph.commerce.lifecycle import illegal_transition
from hph.runtime.errors import FailedPrecondition, Violations


class Status(StrEnum):
    LABEL_CREATED = "label_created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"


S = Status
# The normal progress of a parcel, in order.
PROGRESS: tuple[Status, ...] = (S.LABEL_CREATED, S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED)
# Where a parcel may go from each progress status (repeating it is an intermediate scan, see above).
TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    S.LABEL_CREATED: frozenset({S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}),
    S.PICKED_UP: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}),
    S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.EXCEPTION}),
    S.DELIVERED: frozenset(),
}
# Where an exception may resume, by the progress status it interrupted.
RESUMPTIONS: Mapping[Status, frozenset[Status]] = {
    S.LABEL_CREATED: frozenset({S.LABEL_CREATED, S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED}),
    S.PICKED_UP: frozenset({S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED}),
    S.IN_TRANSIT: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED}),
    S.OUT_FOR_DELIVERY: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED}),
}
# Statuses that mean the carrier has (or had) the parcel: the first one stamps shipped_at.
PICKED_UP_STATUSES = frozenset({S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED})

ILLEGAL_TRANSITION = ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION
ORDER_NOT_SHIPPABLE = ErrorReason.ERROR_REASON_ORDER_NOT_SHIPPABLE
NOTHING_TO_SHIP = ErrorReason.ERROR_REASON_NOTHING_TO_SHIP
ITEMS_EXCEED_ORDER = ErrorReason.ERROR_REASON_ITEMS_EXCEED_ORDER
TRACKING_NUMBER_MISMATCH = ErrorReason.ERROR_REASON_TRACKING_NUMBER_MISMATCH
TOO_MANY_EVENTS = ErrorReason.ERROR_REASON_TOO_MANY_EVENTS
TOO_MANY_SHIPMENTS = ErrorReason.ERROR_REASON_TOO_MANY_SHIPMENTS


@dataclass(frozen=True)
class Position:
    """Where a parcel is: its status and, during an exception, the progress status it interrupted."""

    status: Status
    interrupted: Status | None = None


START = Position(S.LABEL_CREATED)


def step(position: Position, target: Status, *, shipment_id: str = "") -> Position:
    """The position after an event with status `target`; ILLEGAL_TRANSITION when not allowed.
    Repeating the current status keeps the position (an intermediate scan)."""
    current = position.status
    if target == current:
        return position
    if current == S.EXCEPTION:
        assert position.interrupted is not None
        if target in RESUMPTIONS[position.interrupted]:
            return Position(target)
        allowed = RESUMPTIONS[position.interrupted]
    else:
        if target in TRANSITIONS[current]:
            return Position(target, current) if target == S.EXCEPTION else Position(target)
        allowed = TRANSITIONS[current]
    if current == S.DELIVERED:
        why = "delivered is final"
    elif current == S.EXCEPTION:
        why = f"an exception after {position.interrupted} resumes at {_names(allowed)}"
    else:
        why = f"from {current} it can go to {_names(allowed)}"
    raise illegal_transition(
        f"a shipment cannot go from {current} to {target}: {why}",
        kind="shipment",
        resource_id=shipment_id,
        current=current,
        target=target,
    )


def walk(statuses: Sequence[Status], *, shipment_id: str = "") -> list[Position]:
    """The position after each event of a history (oldest first), which must start at
    label_created; ILLEGAL_TRANSITION at the first step that is not allowed."""
    if not statuses or statuses[0] != S.LABEL_CREATED:
        raise FailedPrecondition(
            "a shipment's tracking starts with label_created",
            reason=ILLEGAL_TRANSITION,
            subject=f"shipments/{shipment_id}" if shipment_id else "shipment",
        )
    positions = [START]
    for status in statuses[1:]:
        positions.append(step(positions[-1], status, shipment_id=shipment_id))
    return positions


def _names(statuses: Iterable[Status]) -> str:
    ordered = sorted(statuses, key=(*PROGRESS, S.EXCEPTION).index)
    return ", ".join(s.value for s in ordered) or "nothing"


def least_advanced(statuses: Iterable[Status]) -> Status | None:
    """An order's overall tracking status: exception when any parcel has one, else the least
    advanced; None without parcels."""
    found = list(statuses)
    if not found:
        return None
    if S.EXCEPTION in found:
        return S.EXCEPTION
    return min(found, key=PROGRESS.index)


# --- the order following its shipments ---------------------------------------------------------


class OrderStatus(StrEnum):
    """The order statuses shipments drive (names as the orders service stores them)."""

    FULFILLING = "fulfilling"
    SHIPPED = "shipped"
    DELIVERED = "delivered"


# The order's fulfilment chain: rank in it; statuses outside it (pending, cancelled) are absent.
ORDER_CHAIN: tuple[str, ...] = ("paid", "fulfilling", "shipped", "delivered", "partially_returned", "returned")
# Order statuses in which a new parcel may be created (if units are left to ship).
SHIPPABLE_ORDER_STATUSES = frozenset({"paid", "fulfilling", "shipped"})


def order_rank(status: str) -> int:
    """Position in the fulfilment chain; -1 for statuses outside it."""
    return ORDER_CHAIN.index(status) if status in ORDER_CHAIN else -1


def order_path(reached: str, target: OrderStatus) -> list[OrderStatus]:
    """The order statuses to go through, one edge at a time, from `reached` to `target`."""
    return [s for s in OrderStatus if order_rank(reached) < order_rank(s.value) <= order_rank(target.value)]


@dataclass(frozen=True)
class ParcelState:
    status: Status
    picked_up: bool


def order_target(
    ordered: Mapping[str, int], shipped: Mapping[str, int], parcels: Iterable[ParcelState]
) -> OrderStatus | None:
    """What an order's parcels make it: None without parcels."""
    found = list(parcels)
    if not found:
        return None
    everything_shipped = all(shipped.get(sku, 0) >= quantity for sku, quantity in ordered.items())
    if everything_shipped and all(p.status == S.DELIVERED for p in found):
        return OrderStatus.DELIVERED
    if any(p.picked_up for p in found):
        return OrderStatus.SHIPPED
    return OrderStatus.FULFILLING


def left_to_ship(ordered: Mapping[str, int], shipped: Mapping[str, int]) -> dict[str, int]:
    return {sku: q - shipped.get(sku, 0) for sku, q in ordered.items() if q > shipped.get(sku, 0)}


def allocate(
    requested: Sequence[tuple[str, int]], ordered: Mapping[str, int], shipped: Mapping[str, int], *, order_id: str
) -> dict[str, int]:
    """The units a new parcel takes: `requested`, or everything left when it is empty.
    FAILED_PRECONDITION when nothing is left or a line exceeds what is left of it."""
    left = left_to_ship(ordered, shipped)
    if not left:
        raise FailedPrecondition(
            f"every unit of order {order_id} is already in a shipment",
            reason=NOTHING_TO_SHIP,
            subject=f"orders/{order_id}",
        )
    if not requested:
        return left
    for sku, quantity in requested:
        if sku not in ordered:
            raise FailedPrecondition(
                f"order {order_id} has no item {sku!r}", reason=ITEMS_EXCEED_ORDER, subject=f"orders/{order_id}"
            )
        if quantity > left.get(sku, 0):
            raise FailedPrecondition(
                f"order {order_id} has {left.get(sku, 0)} unit(s) of {sku!r} left to ship, not {quantity}",
                reason=ITEMS_EXCEED_ORDER,
                subject=f"orders/{order_id}",
                metadata={"product_id": sku, "left_to_ship": str(left.get(sku, 0))},
            )
    return dict(requested)


# --- ids and request fields --------------------------------------------------------------------

SHIPMENT_PREFIX = "SHP-"
SHIPMENT_ID = re.compile(r"SHP-([0-9A-F]{16})-([1-9][0-9]{0,2})")
MAX_SHIPMENTS_PER_ORDER = 99
MAX_EVENTS_PER_SHIPMENT = 200
MAX_ITEMS = 100
MAX_QUANTITY = 10_000
TRACKING_NUMBER_MAX = 64
LOCATION_MAX = 200
DESCRIPTION_MAX = 500
PRODUCT_ID_MAX = 255
CLOCK_SKEW = timedelta(minutes=5)
ESTIMATE_HORIZON = timedelta(days=365)


def shipment_id(order_id: str, number: int) -> str:
    """Parcel `number` of an order: its id names the order, so it is found with one point read."""
    return f"{SHIPMENT_PREFIX}{order_id.removeprefix(ORDER_PREFIX)}-{number}"


def order_of(shipment_id_: str) -> str:
    """The order id a shipment id names (the id must be valid)."""
    match = SHIPMENT_ID.fullmatch(shipment_id_)
    assert match is not None
    return ORDER_PREFIX + match.group(1)


def check_shipment_id(violations: Violations, value: str, field: str = "shipment_id") -> None:
    if violations.check(bool(value), field, "is required"):
        violations.check(
            bool(SHIPMENT_ID.fullmatch(value)), field, "must be SHP-, 16 hex digits of the order, -, a parcel number"
        )


def normalize_tracking_number(value: str) -> str:
    """Upper case without spaces or dashes, as carriers print them in groups."""
    return re.sub(r"[\s-]", "", value).upper()


def check_tracking_number(
    violations: Violations, field: str, value: str, pattern: re.Pattern[str], carrier: str
) -> bool:
    """`value` is normalized; empty passes (a tracking number may come later)."""
    if not value:
        return True
    if not violations.check(len(value) <= TRACKING_NUMBER_MAX, field, f"at most {TRACKING_NUMBER_MAX} characters"):
        return False
    return violations.check(bool(pattern.fullmatch(value)), field, f"is not a {carrier} tracking number")
