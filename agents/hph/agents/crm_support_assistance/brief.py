"""The support brief of one ticket: a pure function of the ticket, the customer's activity, the
shipments of their orders and the ticket's tone.

- The focus order is the ticket's order, or (a ticket naming none) the customer's newest order.
- Suggested priority: points from the drivers (strong negative tone 2, negative 1; a payment ticket
  2; a parcel with an exception scan or past its estimate 2, delivered late 1; a return waiting on
  us 1; a high-value order or customer 1; the SLA breached or the first reply due within
  SLA_SOON 1; other open tickets 1) -> 5+ urgent, 3-4 high, 1-2 normal, 0 normal (low when the
  tone is positive).
- Next best actions follow the same facts, most pressing first.
- The reply draft is a template (templates.py) filled only with values read from the brief: the
  customer's first name, the order's id, total and status, the parcel's carrier, tracking number
  and estimate, the return's id and status. `Reply.facts` lists each value it used, so a test can
  check that nothing else in the draft is a fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from hph.agents.crm_activity.records import Activity, OrderRecord, ReturnRecord, ReturnStage, Stage
from hph.agents.crm_profile_aggregation.profile import build_profile
from hph.agents.crm_support_assistance import templates
from hph.agents.crm_support_assistance.sentiment import Label, Tone
from hph.agents.runtime import Driver
from hph.runtime import money

METHOD: Final = "support-brief-v1"
CONTEXT_ORDERS: Final = 5
SLA_SOON: Final = timedelta(hours=4)
HIGH_VALUE_ORDER_MINOR: Final = 20_000
HIGH_VALUE_CUSTOMER_MINOR: Final = 100_000
STRONG_NEGATIVE: Final = -0.5

# holidaypeak.commerce.v1 enums (the same numbers in the events' enums)
LOW, NORMAL, HIGH, URGENT = 1, 2, 3, 4
PRIORITY_NAMES: Final = {0: "unset", LOW: "low", NORMAL: "normal", HIGH: "high", URGENT: "urgent"}
CATEGORY_PAYMENT: Final = 4
SHIPMENT_DELIVERED, SHIPMENT_EXCEPTION = 5, 6
SHIPMENT_STATUS_TEXT: Final = {
    1: "label created",
    2: "picked up",
    3: "in transit",
    4: "out for delivery",
    5: "delivered",
    6: "held up (exception)",
}
ORDER_STAGE_TEXT: Final = {
    Stage.PENDING: "waiting for payment",
    Stage.PAID: "paid, waiting to be packed",
    Stage.FULFILLING: "being packed",
    Stage.SHIPPED: "shipped",
    Stage.DELIVERED: "delivered",
    Stage.PARTIALLY_RETURNED: "partly returned",
    Stage.RETURNED: "returned",
}
RETURN_STAGE_TEXT: Final = {
    ReturnStage.REQUESTED: "requested, waiting for approval",
    ReturnStage.APPROVED: "approved, waiting for the items",
    ReturnStage.RECEIVED: "received, refund being prepared",
    ReturnStage.RESTOCKED: "received, refund being prepared",
    ReturnStage.REFUNDED: "refunded",
}


@dataclass(frozen=True)
class TicketFacts:
    ticket_id: str
    user_id: str
    subject: str
    category: int
    status: int
    priority: int
    order_id: str
    customer_text: str
    customer_name: str
    sla_breached: bool = False
    first_response_due_at: datetime | None = None
    first_response_at: datetime | None = None


@dataclass(frozen=True)
class ShipmentFacts:
    shipment_id: str
    order_id: str
    status: int
    carrier: str
    tracking_number: str = ""
    estimated_delivery_at: datetime | None = None
    delivered_at: datetime | None = None
    last_event_at: datetime | None = None

    def overdue(self, now: datetime) -> bool:
        return (
            self.status != SHIPMENT_DELIVERED
            and self.estimated_delivery_at is not None
            and self.estimated_delivery_at < now
        )

    @property
    def delivered_late(self) -> bool:
        return (
            self.delivered_at is not None
            and self.estimated_delivery_at is not None
            and self.delivered_at.date() > self.estimated_delivery_at.date()
        )


@dataclass(frozen=True)
class Action:
    code: str
    description: str
    target_id: str = ""


@dataclass(frozen=True)
class Reply:
    template_id: str
    body: str
    # Every value the template was filled with, by placeholder name.
    facts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Brief:
    orders: tuple[OrderRecord, ...]
    shipments: tuple[ShipmentFacts, ...]
    returns: tuple[ReturnRecord, ...]
    other_open_tickets: int
    lifetime_value_minor: int
    currency_code: str
    suggested_priority: int
    actions: tuple[Action, ...]
    reply: Reply
    drivers: tuple[Driver, ...]
    summary: str


def _focus(ticket: TicketFacts, activity: Activity) -> OrderRecord | None:
    known = [order for order in activity.orders if order.known]
    if ticket.order_id:
        return next((order for order in activity.orders if order.order_id == ticket.order_id), None)
    return known[0] if known else None


def context_orders(ticket: TicketFacts, activity: Activity) -> tuple[OrderRecord, ...]:
    """The orders the brief shows: the newest ones, and the ticket's own order when it is older."""
    focus = _focus(ticket, activity)
    orders = tuple(order for order in activity.orders if order.known)[:CONTEXT_ORDERS]
    if focus is not None and focus not in orders:
        orders = (focus, *orders[: CONTEXT_ORDERS - 1])
    return orders


def _money_text(minor: int, currency: str) -> str:
    return f"{money.to_major(minor, currency):.2f} {currency}" if currency else str(minor)


def build_brief(
    ticket: TicketFacts, activity: Activity, shipments: Sequence[ShipmentFacts], tone: Tone, now: datetime
) -> Brief:
    profile = build_profile(activity, now)
    focus = _focus(ticket, activity)
    orders = context_orders(ticket, activity)
    order_ids = {order.order_id for order in orders}
    in_context = tuple(s for s in shipments if s.order_id in order_ids)
    returns = tuple(r for r in activity.returns if r.order_id in order_ids)
    other_open = sum(1 for t in activity.tickets if t.open and t.ticket_id != ticket.ticket_id)

    focus_shipments = [s for s in in_context if focus is not None and s.order_id == focus.order_id]
    troubled = next((s for s in focus_shipments if s.status == SHIPMENT_EXCEPTION or s.overdue(now)), None)
    late = next((s for s in focus_shipments if s.delivered_late), None)
    moving = next((s for s in focus_shipments if s.status not in (SHIPMENT_DELIVERED, SHIPMENT_EXCEPTION)), None)
    focus_returns = [r for r in returns if focus is not None and r.order_id == focus.order_id and not r.rejected]
    refund_due = next((r for r in focus_returns if ReturnStage.RECEIVED <= r.stage < ReturnStage.REFUNDED), None)
    return_open = next((r for r in focus_returns if r.stage < ReturnStage.REFUNDED), None)
    sla_pressing = ticket.sla_breached or (
        ticket.first_response_at is None
        and ticket.first_response_due_at is not None
        and ticket.first_response_due_at - now <= SLA_SOON
    )
    high_value = (focus is not None and focus.total_minor >= HIGH_VALUE_ORDER_MINOR) or (
        profile.lifetime_value_minor >= HIGH_VALUE_CUSTOMER_MINOR
    )

    tone_points = 2 if tone.compound <= STRONG_NEGATIVE else 1 if tone.label == Label.NEGATIVE else 0
    shipment_points = 2 if troubled is not None else 1 if late is not None else 0
    points = {
        "tone": tone_points,
        "payment": 2 if ticket.category == CATEGORY_PAYMENT else 0,
        "shipment": shipment_points,
        "return_waiting": 1 if return_open is not None else 0,
        "high_value": 1 if high_value else 0,
        "sla": 1 if sla_pressing else 0,
        "other_open_tickets": 1 if other_open else 0,
    }
    total = sum(points.values())
    if total >= 5:
        suggested = URGENT
    elif total >= 3:
        suggested = HIGH
    elif total == 0 and tone.label == Label.POSITIVE:
        suggested = LOW
    else:
        suggested = NORMAL

    actions: list[Action] = []
    if sla_pressing:
        why = "the SLA is breached" if ticket.sla_breached else "the first reply is due within 4 hours"
        actions.append(Action("reply_now", f"Reply first: {why}", ticket.ticket_id))
    if troubled is not None:
        what = "an exception scan" if troubled.status == SHIPMENT_EXCEPTION else "its estimate has passed"
        actions.append(
            Action("open_carrier_trace", f"Ask {troubled.carrier} to trace the parcel: {what}", troubled.shipment_id)
        )
    elif late is not None:
        actions.append(
            Action("refund_late_delivery", "Offer a shipping refund: delivered after its estimate", late.order_id)
        )
    elif moving is not None:
        actions.append(Action("resend_tracking_link", "Send the tracking link of the parcel", moving.shipment_id))
    if refund_due is not None:
        actions.append(Action("issue_refund", "The returned items are in: refund them", refund_due.return_id))
    elif return_open is not None:
        actions.append(
            Action("check_return_status", "Tell the customer where the return stands", return_open.return_id)
        )
    if ticket.category == CATEGORY_PAYMENT and focus is not None:
        actions.append(Action("review_payment", "Check the order's payments and refunds", focus.order_id))
    if focus is not None and focus.stage == Stage.PENDING and not focus.cancelled:
        actions.append(Action("remind_payment", "The order is unpaid: remind the customer to pay", focus.order_id))
    if suggested == URGENT:
        actions.append(Action("escalate_to_senior", "Hand the ticket to a senior agent", ticket.ticket_id))
    if not actions:
        actions.append(Action("answer_question", "Answer the customer's question", ticket.ticket_id))

    reply = _reply(ticket, tone, focus, troubled, late, moving, return_open)
    drivers = (
        Driver(
            "tone",
            tone.compound,
            f"VADER compound {tone.compound:+.2f} ({tone.label.value})",
            threshold=STRONG_NEGATIVE,
            contribution=points["tone"],
            unit="compound",
        ),
        Driver(
            "payment_ticket",
            1.0 if points["payment"] else 0.0,
            "a payment ticket: money at stake" if points["payment"] else "not about a payment",
            contribution=points["payment"],
        ),
        Driver(
            "shipment_problem",
            float(points["shipment"]),
            f"parcel {troubled.shipment_id}: {SHIPMENT_STATUS_TEXT.get(troubled.status, 'moving')}"
            + (", past its estimate" if troubled.overdue(now) else "")
            if troubled is not None
            else f"parcel {late.shipment_id} delivered after its estimate"
            if late is not None
            else "no parcel problem on the order",
            contribution=points["shipment"],
        ),
        Driver(
            "return_waiting",
            float(points["return_waiting"]),
            f"return {return_open.return_id}: {RETURN_STAGE_TEXT.get(return_open.stage, 'open')}"
            if return_open is not None
            else "no open return on the order",
            contribution=points["return_waiting"],
        ),
        Driver(
            "order_value",
            float(focus.total_minor if focus is not None else 0),
            f"order total {focus.total_minor}, lifetime value {profile.lifetime_value_minor} (minor units)"
            if focus is not None
            else f"no order; lifetime value {profile.lifetime_value_minor} (minor units)",
            threshold=HIGH_VALUE_ORDER_MINOR,
            contribution=points["high_value"],
            unit="minor units",
        ),
        Driver(
            "sla",
            1.0 if sla_pressing else 0.0,
            "SLA breached" if ticket.sla_breached else "first reply due soon" if sla_pressing else "within its SLA",
            contribution=points["sla"],
        ),
        Driver(
            "other_open_tickets",
            other_open,
            f"{other_open} other open ticket(s)",
            contribution=points["other_open_tickets"],
        ),
        Driver(
            "priority_points",
            total,
            f"{total} point(s): 5+ urgent, 3-4 high, else normal (low: positive tone, nothing pressing)",
            unit="points",
        ),
    )
    summary = (
        f"suggest {PRIORITY_NAMES[suggested]} (now {PRIORITY_NAMES.get(ticket.priority, 'unset')}): "
        f"{total} point(s), tone {tone.label.value} {tone.compound:+.2f}; first action {actions[0].code}"
    )
    return Brief(
        orders=orders,
        shipments=in_context,
        returns=returns,
        other_open_tickets=other_open,
        lifetime_value_minor=profile.lifetime_value_minor,
        currency_code=profile.currency_code,
        suggested_priority=suggested,
        actions=tuple(actions),
        reply=reply,
        drivers=drivers,
        summary=summary,
    )


def _reply(
    ticket: TicketFacts,
    tone: Tone,
    focus: OrderRecord | None,
    troubled: ShipmentFacts | None,
    late: ShipmentFacts | None,
    moving: ShipmentFacts | None,
    return_open: ReturnRecord | None,
) -> Reply:
    facts: dict[str, str] = {"name": (ticket.customer_name.split() or ["there"])[0]}
    if focus is not None:
        facts["order_id"] = focus.order_id
        facts["order_total"] = _money_text(focus.total_minor, focus.currency_code)
        facts["order_status"] = "cancelled" if focus.cancelled else ORDER_STAGE_TEXT.get(focus.stage, "being processed")
    parcel = troubled or late or moving
    if parcel is not None:
        facts["carrier"] = parcel.carrier.upper()
        facts["parcel_status"] = SHIPMENT_STATUS_TEXT.get(parcel.status, "on its way")
        if parcel.tracking_number:
            facts["tracking_number"] = parcel.tracking_number
        if parcel.estimated_delivery_at is not None:
            facts["estimate"] = parcel.estimated_delivery_at.strftime("%d %B %Y")
    if return_open is not None:
        facts["return_id"] = return_open.return_id
        facts["return_status"] = RETURN_STAGE_TEXT.get(return_open.stage, "open")

    if focus is None:
        template = templates.GENERAL
    elif troubled is not None:
        template = templates.PARCEL_PROBLEM
    elif late is not None:
        template = templates.DELIVERED_LATE
    elif return_open is not None:
        template = templates.RETURN_IN_PROGRESS
    elif ticket.category == CATEGORY_PAYMENT:
        template = templates.PAYMENT
    elif moving is not None:
        template = templates.PARCEL_MOVING
    else:
        template = templates.ORDER_STATUS
    body, used = templates.render(template, facts, apologise=tone.label == Label.NEGATIVE)
    return Reply(template.template_id, body, used)
