"""Agent crm-support-assistance over real gRPC: an angry ticket about a paid order whose parcel had
an exception scan gets a brief with the customer's order and parcel, a negative tone, a raised
priority, the carrier trace first among the actions, and a reply draft whose facts are all the
brief's; staff only, with every refusal of the contract."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest

from holidaypeak.agents.v1 import crm_support_assistance_service_pb2 as pb
from holidaypeak.agents.v1 import crm_support_assistance_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import shipment_pb2, ticket_pb2
from holidaypeak.commerce.v1 import shipment_service_pb2 as ship_pb
from holidaypeak.commerce.v1 import shipment_service_pb2_grpc as ship_grpc
from holidaypeak.commerce.v1 import support_ticket_service_pb2 as tickets_pb
from holidaypeak.commerce.v1 import support_ticket_service_pb2_grpc as tickets_grpc
from hph.host.app import SERVICE_NAMES
from tests.integration.test_order_status_eta_grpc import a_paid_order
from tests.support.clocks import ManualClock
from tests.support.events import settle
from tests.support.platform_harness import Hub, start_hub, stop_hub
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import staff

pytestmark = pytest.mark.integration

AGENT = "crm-support-assistance"
START = datetime(2026, 12, 7, 10, tzinfo=UTC)  # a Monday
ANGRY = "My parcel is stuck and nobody tells me anything. This is unacceptable, I'm furious!"


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    running = await start_hub(tmp_path / "data", services=(*SERVICE_NAMES, AGENT), seed=True, clock=ManualClock(START))
    try:
        yield running
    finally:
        await stop_hub(running)


async def brief(hub: Hub, ticket_id: str) -> pb.SupportBriefResponse:
    agent = pb_grpc.CrmSupportAssistanceServiceStub(hub.channel)
    answer: pb.SupportBriefResponse = await agent.SupportBrief(
        pb.SupportBriefRequest(ticket_id=ticket_id), metadata=staff(hub)
    )
    return answer


async def test_an_angry_ticket_about_a_held_up_parcel_gets_a_brief_built_from_the_data(hub: Hub) -> None:
    order, me = await a_paid_order(hub, "ava")
    shipments = ship_grpc.ShipmentServiceStub(hub.channel)
    shipment = await shipments.CreateShipment(
        ship_pb.CreateShipmentRequest(
            order_id=order.id,
            carrier="ups",
            service_level=shipment_pb2.SERVICE_LEVEL_STANDARD,
            tracking_number="1Z999AA10123456784",
            package_weight_grams=1200,
            request_id=uuid.uuid4().hex,
        ),
        metadata=staff(hub),
    )
    await shipments.AddShipmentEvent(
        ship_pb.AddShipmentEventRequest(
            shipment_id=shipment.id,
            status=shipment_pb2.SHIPMENT_STATUS_EXCEPTION,
            location="Louisville, KY, US",
            description="address unreadable",
            request_id=uuid.uuid4().hex,
        ),
        metadata=staff(hub),
    )
    ticket = await tickets_grpc.SupportTicketServiceStub(hub.channel).CreateTicket(
        tickets_pb.CreateTicketRequest(
            subject="Where is my parcel?",
            body=ANGRY,
            order_id=order.id,
            category=ticket_pb2.TICKET_CATEGORY_SHIPPING,
            request_id=uuid.uuid4().hex,
        ),
        metadata=me,
    )
    await settle(hub)

    answer = await brief(hub, ticket.id)
    assert answer.user_id == "ava" and answer.ticket_id == ticket.id
    assert [o.order_id for o in answer.context.orders] == [order.id]
    assert answer.context.lifetime_value.amount_minor == order.total_minor
    assert [(s.shipment_id, s.carrier, s.status) for s in answer.context.shipments] == [
        (shipment.id, "ups", shipment_pb2.SHIPMENT_STATUS_EXCEPTION)
    ]
    assert answer.sentiment.label == pb.SENTIMENT_LABEL_NEGATIVE and answer.sentiment.compound <= -0.5
    assert answer.current_priority == ticket_pb2.TICKET_PRIORITY_NORMAL
    assert answer.suggested_priority == ticket_pb2.TICKET_PRIORITY_HIGH  # tone 2 + parcel 2
    assert answer.next_best_actions[0].code == "open_carrier_trace"
    assert answer.next_best_actions[0].target_id == shipment.id
    assert answer.reply_draft.template_id == "parcel_problem"
    body = answer.reply_draft.body
    assert order.id in body and "UPS" in body and "1Z999AA10123456784" in body
    known = {order.id, "1Z999AA10123456784"}
    tokens = {t.rstrip(".,") for t in re.findall(r"[\w.-]*\d[\w.-]*", body)}
    assert tokens <= known, f"the draft states facts the brief does not hold: {tokens - known}"
    drivers = {d.name: d for d in answer.explanation.drivers}
    assert drivers["tone"].contribution == 2 and drivers["shipment_problem"].contribution == 2
    assert answer.explanation.freshness.HasField("data_as_of")
    assert not answer.explanation.freshness.degraded


async def test_briefs_are_for_staff_only_and_requests_are_checked(hub: Hub) -> None:
    order, me = await a_paid_order(hub, "ben")
    ticket = await tickets_grpc.SupportTicketServiceStub(hub.channel).CreateTicket(
        tickets_pb.CreateTicketRequest(subject="Gift wrap", body="Can you add gift wrap?", order_id=order.id),
        metadata=me,
    )
    agent = pb_grpc.CrmSupportAssistanceServiceStub(hub.channel)
    await expect_error(
        agent.SupportBrief(pb.SupportBriefRequest(ticket_id=ticket.id), metadata=me), grpc.StatusCode.PERMISSION_DENIED
    )
    await expect_error(agent.SupportBrief(pb.SupportBriefRequest(ticket_id=ticket.id)), grpc.StatusCode.UNAUTHENTICATED)
    missing = await expect_error(
        agent.SupportBrief(pb.SupportBriefRequest(), metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(missing)) == {"ticket_id"}
    await expect_error(
        agent.SupportBrief(pb.SupportBriefRequest(ticket_id="no-such-ticket"), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )
    answer = await brief(hub, ticket.id)  # a calm question: normal, and the draft answers about the order
    assert answer.sentiment.label != pb.SENTIMENT_LABEL_NEGATIVE
    assert answer.suggested_priority == ticket_pb2.TICKET_PRIORITY_NORMAL
