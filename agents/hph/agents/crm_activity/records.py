"""A customer's activity as plain data: what the CRM decision cores read (no protos, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum


class Stage(IntEnum):
    """How far an order got; only moves forward, so merging events in any order gives one answer."""

    UNKNOWN = 0
    PENDING = 1
    PAID = 2
    FULFILLING = 3
    SHIPPED = 4
    DELIVERED = 5
    PARTIALLY_RETURNED = 6
    RETURNED = 7


class ReturnStage(IntEnum):
    """How far a return got (rejected is a flag beside it)."""

    UNKNOWN = 0
    REQUESTED = 1
    APPROVED = 2
    RECEIVED = 3
    RESTOCKED = 4
    REFUNDED = 5


@dataclass(frozen=True)
class LineRecord:
    sku: str
    category_id: str
    quantity: int
    name: str = ""


@dataclass(frozen=True)
class OrderRecord:
    order_id: str
    # None when only later events of the order were seen (its OrderCreated is not in the log).
    placed_at: datetime | None
    total_minor: int
    currency_code: str
    lines: tuple[LineRecord, ...] = ()
    stage: Stage = Stage.UNKNOWN
    cancelled: bool = False
    refunded_minor: int = 0
    campaign_code: str = ""

    @property
    def known(self) -> bool:
        return self.placed_at is not None

    @property
    def counts(self) -> bool:
        """Placed and not cancelled: what order counts, lifetime value and recency count."""
        return self.known and not self.cancelled

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def delivered(self) -> bool:
        return self.counts and self.stage >= Stage.DELIVERED

    @property
    def net_minor(self) -> int:
        """What the order is worth to the shop now: its total minus what was refunded."""
        return self.total_minor - self.refunded_minor


@dataclass(frozen=True)
class ReturnRecord:
    return_id: str
    order_id: str
    requested_at: datetime | None
    units: int
    reason: int = 0  # holidaypeak.events.v1.ReturnReason
    stage: ReturnStage = ReturnStage.UNKNOWN
    rejected: bool = False
    skus: tuple[str, ...] = ()

    @property
    def refunded(self) -> bool:
        return self.stage == ReturnStage.REFUNDED


@dataclass(frozen=True)
class TicketRecord:
    ticket_id: str
    order_id: str
    created_at: datetime | None
    status: int  # holidaypeak.events.v1.TicketStatus
    priority: int = 0  # holidaypeak.events.v1.TicketPriority
    category: int = 0  # holidaypeak.events.v1.TicketCategory

    @property
    def open(self) -> bool:
        # 5 = resolved, 6 = closed (holidaypeak.events.v1.TicketStatus)
        return self.status not in (5, 6)


@dataclass(frozen=True)
class Activity:
    """Everything the projection knows about one customer."""

    user_id: str
    registered_at: datetime | None = None
    orders: tuple[OrderRecord, ...] = ()
    returns: tuple[ReturnRecord, ...] = ()
    tickets: tuple[TicketRecord, ...] = ()
    # occurred_at of the newest event applied to this customer's documents; None when none was.
    data_as_of: datetime | None = None

    @property
    def empty(self) -> bool:
        return self.registered_at is None and not self.orders and not self.returns and not self.tickets
