"""CrmSupportAssistanceService over gRPC: the ticket with its conversation (SupportTicketService, as
the platform), the customer's account and activity (the shared crm-activity projection), the
shipments of the orders in context (ShipmentService), the tone of the customer's words (VADER), and
the brief from the decision core (`brief`). Staff only (the contract's min_role).

When the shipment service cannot answer, the brief is still given, without parcels, and says so
(`degraded`); the ticket and the account are required (UNAVAILABLE without them)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from google.protobuf import timestamp_pb2

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import crm_support_assistance_service_pb2 as pb
from holidaypeak.agents.v1 import crm_support_assistance_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import return_pb2, shipment_pb2, ticket_pb2
from holidaypeak.common.v1 import access_pb2
from hph.agents.crm_activity import CONTAINER, SOURCE, CustomerActivity
from hph.agents.crm_activity.messages import money_message, order_summary
from hph.agents.crm_activity.platform import CrmPlatform
from hph.agents.crm_activity.records import ReturnRecord, ReturnStage
from hph.agents.crm_support_assistance import brief as core
from hph.agents.crm_support_assistance.sentiment import METHOD as SENTIMENT_METHOD
from hph.agents.crm_support_assistance.sentiment import Label, shipped_scorer
from hph.agents.runtime import data_freshness, explanation, narrate_if_asked
from hph.runtime.clock import Clock, to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import DomainError, NotFound, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import is_valid_id

log = logging.getLogger("hph.agents.crm_support_assistance")

CONTAINERS = (CONTAINER,)
TICKET_SOURCE = "rpc:SupportTicketService.GetAnyTicket"
USER_SOURCE = "rpc:UserService.GetUser"
SHIPMENT_SOURCE = "rpc:ShipmentService.ListShipments"
LABEL_TO_PB = {
    Label.NEGATIVE: pb.SENTIMENT_LABEL_NEGATIVE,
    Label.NEUTRAL: pb.SENTIMENT_LABEL_NEUTRAL,
    Label.POSITIVE: pb.SENTIMENT_LABEL_POSITIVE,
}
RETURN_STAGE_TO_PB = {
    ReturnStage.UNKNOWN: return_pb2.RETURN_STATUS_UNSPECIFIED,
    ReturnStage.REQUESTED: return_pb2.RETURN_STATUS_REQUESTED,
    ReturnStage.APPROVED: return_pb2.RETURN_STATUS_APPROVED,
    ReturnStage.RECEIVED: return_pb2.RETURN_STATUS_RECEIVED,
    ReturnStage.RESTOCKED: return_pb2.RETURN_STATUS_RESTOCKED,
    ReturnStage.REFUNDED: return_pb2.RETURN_STATUS_REFUNDED,
}


def _when(stamp: timestamp_pb2.Timestamp, present: bool) -> datetime | None:
    return stamp.ToDatetime(tzinfo=UTC) if present else None


def customer_text(ticket: ticket_pb2.Ticket) -> str:
    """The subject and the customer's own messages (internal notes and staff replies left out)."""
    said = [m.body for m in ticket.messages if not m.internal and m.author_role == access_pb2.ROLE_CUSTOMER]
    return "\n".join([ticket.subject, *said])


def ticket_facts(ticket: ticket_pb2.Ticket, customer_name: str) -> core.TicketFacts:
    return core.TicketFacts(
        ticket_id=ticket.id,
        user_id=ticket.user_id,
        subject=ticket.subject,
        category=int(ticket.category),
        status=int(ticket.status),
        priority=int(ticket.priority),
        order_id=ticket.order_id,
        customer_text=customer_text(ticket),
        customer_name=customer_name,
        sla_breached=ticket.sla_breached,
        first_response_due_at=_when(ticket.first_response_due_at, ticket.HasField("first_response_due_at")),
        first_response_at=_when(ticket.first_response_at, ticket.HasField("first_response_at")),
    )


def shipment_facts(shipment: shipment_pb2.Shipment) -> core.ShipmentFacts:
    return core.ShipmentFacts(
        shipment_id=shipment.id,
        order_id=shipment.order_id,
        status=int(shipment.status),
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        estimated_delivery_at=_when(shipment.estimated_delivery_at, shipment.HasField("estimated_delivery_at")),
        delivered_at=_when(shipment.delivered_at, shipment.HasField("delivered_at")),
        last_event_at=_when(shipment.updated_at, shipment.HasField("updated_at")),
    )


def _return_summary(record: ReturnRecord) -> pb.ReturnSummary:
    status = return_pb2.RETURN_STATUS_REJECTED if record.rejected else RETURN_STAGE_TO_PB[record.stage]
    return pb.ReturnSummary(
        return_id=record.return_id,
        order_id=record.order_id,
        status=status,
        reason=record.reason,  # type: ignore[arg-type]  # the events' enum has the same numbers
        requested_at=to_timestamp(record.requested_at),
    )


def _shipment_summary(facts: core.ShipmentFacts) -> pb.ShipmentSummary:
    return pb.ShipmentSummary(
        shipment_id=facts.shipment_id,
        order_id=facts.order_id,
        status=facts.status,  # type: ignore[arg-type]
        carrier=facts.carrier,
        estimated_delivery_at=to_timestamp(facts.estimated_delivery_at),
        last_event_at=to_timestamp(facts.last_event_at),
    )


class CrmSupportAssistanceServicer(pb_grpc.CrmSupportAssistanceServiceServicer):
    def __init__(
        self, activity: CustomerActivity, platform: CrmPlatform, clock: Clock, narrator: Narrator | None = None
    ) -> None:
        self._activity = activity
        self._platform = platform
        self._clock = clock
        self._narrator = narrator or Narrator.off()

    async def SupportBrief(self, request: pb.SupportBriefRequest, context: Any) -> pb.SupportBriefResponse:
        violations = Violations()
        if violations.check(bool(request.ticket_id), "ticket_id", "is required"):
            violations.check(is_valid_id(request.ticket_id), "ticket_id", "is not a ticket id")
        violations.raise_if_any()
        ticket = await self._platform.ticket(request.ticket_id)
        if ticket is None:
            raise NotFound(f"ticket {request.ticket_id!r} not found")
        user, activity = await asyncio.gather(self._platform.user(ticket.user_id), self._activity.of(ticket.user_id))
        facts = ticket_facts(ticket, user.name if user is not None else "")
        wanted = [order.order_id for order in core.context_orders(facts, activity)]
        degraded = False
        try:
            shipments = [shipment_facts(s) for s in await self._platform.shipments(wanted)]
        except DomainError:
            log.warning("shipments did not answer; the brief goes without parcels", exc_info=True)
            shipments, degraded = [], True
        tone = shipped_scorer().score(facts.customer_text)
        now = self._clock()
        brief = core.build_brief(facts, activity, shipments, tone, now)
        response = pb.SupportBriefResponse(
            ticket_id=ticket.id,
            user_id=ticket.user_id,
            context=pb.CustomerContext(
                orders=[order_summary(order) for order in brief.orders],
                shipments=[_shipment_summary(s) for s in brief.shipments],
                returns=[_return_summary(r) for r in brief.returns],
                other_open_tickets=brief.other_open_tickets,
                lifetime_value=money_message(brief.lifetime_value_minor, brief.currency_code),
            ),
            sentiment=pb.Sentiment(
                label=LABEL_TO_PB[tone.label],
                compound=tone.compound,
                positive=tone.positive,
                neutral=tone.neutral,
                negative=tone.negative,
            ),
            current_priority=ticket.priority,
            suggested_priority=brief.suggested_priority,  # type: ignore[arg-type]
            next_best_actions=[
                agent_types_pb2.SuggestedAction(
                    code=action.code, description=action.description, priority=rank, target_id=action.target_id
                )
                for rank, action in enumerate(brief.actions, start=1)
            ],
            reply_draft=pb.ReplyDraft(template_id=brief.reply.template_id, body=brief.reply.body),
            explanation=explanation(
                brief.summary,
                brief.drivers,
                method=f"{core.METHOD}; {SENTIMENT_METHOD}",
                freshness=data_freshness(
                    now,
                    data_as_of=activity.data_as_of,
                    sources=[TICKET_SOURCE, USER_SOURCE, SOURCE, SHIPMENT_SOURCE],
                    degraded=degraded,
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="support ticket brief")
        return response


async def create_binding(deps: Dependencies) -> ServiceBinding:
    activity = await CustomerActivity.open(deps.store)
    activity.follow(deps.bus)
    servicer = CrmSupportAssistanceServicer(
        activity, CrmPlatform(deps.channels, deps.service_credentials), deps.clock, deps.narrator
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["CrmSupportAssistanceService"].full_name,
        add_to_server=lambda server: pb_grpc.add_CrmSupportAssistanceServiceServicer_to_server(servicer, server),
    )
