"""Agents order-status and logistics-eta-computation over real gRPC on a hub with the commerce
services: a paid order with a shipment and scans becomes one timeline with its actors in order and
an ETA window from the ETA agent; a customer never sees another's order status; every error status
of both RPCs; the ETA agent not hosted leaves the status served without an ETA, saying why."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf import timestamp_pb2

from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2 as eta_pb
from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2_grpc as eta_grpc
from holidaypeak.agents.v1 import order_status_service_pb2 as pb
from holidaypeak.agents.v1 import order_status_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import order_pb2, shipment_pb2
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc
from holidaypeak.commerce.v1 import payment_service_pb2 as payments_pb
from holidaypeak.commerce.v1 import payment_service_pb2_grpc as payments_grpc
from holidaypeak.commerce.v1 import shipment_service_pb2 as ship_pb
from holidaypeak.commerce.v1 import shipment_service_pb2_grpc as ship_grpc
from tests.support.platform_harness import Hub
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import a_shopper, staff, stocked_products
from tests.support.waiting import read_until

pytestmark = pytest.mark.integration

HUB_SERVICES = (
    "catalog",
    "users",
    "inventory",
    "cart",
    "checkout",
    "orders",
    "payments",
    "shipments",
    "order-status",
    "logistics-eta-computation",
)
ST = shipment_pb2.ShipmentStatus
UPS_NUMBER = "1Z999AA10123456784"


def status_agent(hub: Hub) -> pb_grpc.OrderStatusServiceStub:
    return pb_grpc.OrderStatusServiceStub(hub.channel)


def eta_agent(hub: Hub) -> eta_grpc.LogisticsEtaComputationServiceStub:
    return eta_grpc.LogisticsEtaComputationServiceStub(hub.channel)


def stamp(moment: datetime) -> timestamp_pb2.Timestamp:
    result = timestamp_pb2.Timestamp()
    result.FromDatetime(moment)
    return result


async def a_paid_order(hub: Hub, sub: str) -> tuple[order_pb2.Order, Any]:
    shopper = await a_shopper(hub, sub)
    (sku,) = await stocked_products(hub, 1)
    await shopper.add(sku, 2)
    order = await shopper.place(uuid.uuid4().hex)
    await payments_grpc.PaymentServiceStub(hub.channel).CreatePayment(
        payments_pb.CreatePaymentRequest(
            order_id=order.id, payment_method_id=shopper.card_id, amount=order.total, request_id=uuid.uuid4().hex
        ),
        metadata=shopper.me,
    )
    return order, shopper.me


async def status_of(
    hub: Hub, order_id: str, metadata: Any, done: Callable[[pb.GetOrderStatusResponse], bool]
) -> pb.GetOrderStatusResponse:
    """Re-reads until `done` holds (the projection follows the events a moment later; NOT_FOUND until
    the order's first event is applied)."""

    async def read() -> pb.GetOrderStatusResponse | None:
        try:
            answer: pb.GetOrderStatusResponse = await status_agent(hub).GetOrderStatus(
                pb.GetOrderStatusRequest(order_id=order_id), metadata=metadata
            )
            return answer
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.NOT_FOUND:
                raise
            return None

    answer = await read_until(read, lambda found: found is not None and done(found))
    assert answer is not None, f"order {order_id} never appeared in the order-status projection"
    return answer


async def test_a_shipped_order_has_one_timeline_with_actors_and_an_eta_window(hub: Hub) -> None:
    order, me = await a_paid_order(hub, "tess")
    paid = await status_of(
        hub,
        order.id,
        me,
        lambda s: s.payment_status == order_pb2.ORDER_PAYMENT_STATUS_PAID and s.status == order_pb2.ORDER_STATUS_PAID,
    )
    assert paid.next_step.code == "pack_and_ship"
    assert (
        paid.HasField("eta") and paid.eta.window.start_time.ToDatetime() <= paid.eta.estimated_delivery_at.ToDatetime()
    )

    shipments = ship_grpc.ShipmentServiceStub(hub.channel)
    created = await shipments.CreateShipment(
        ship_pb.CreateShipmentRequest(
            order_id=order.id,
            carrier="ups",
            service_level=shipment_pb2.SERVICE_LEVEL_EXPEDITED,
            tracking_number=UPS_NUMBER,
            package_weight_grams=1200,
            request_id=uuid.uuid4().hex,
        ),
        metadata=staff(hub),
    )
    start = datetime.now(UTC) + timedelta(seconds=1)
    for index, (status, location) in enumerate(
        [
            (ST.SHIPMENT_STATUS_PICKED_UP, "Oakland, CA, US"),
            (ST.SHIPMENT_STATUS_EXCEPTION, "Louisville, KY, US"),
            (ST.SHIPMENT_STATUS_IN_TRANSIT, "Louisville, KY, US"),
        ]
    ):
        await shipments.AddShipmentEvent(
            ship_pb.AddShipmentEventRequest(
                shipment_id=created.id,
                status=status,
                occurred_at=stamp(start + timedelta(seconds=index)),
                location=location,
                description="scan",
                request_id=f"scan-{index}",
            ),
            metadata=staff(hub),
        )

    answer = await status_of(
        hub,
        order.id,
        me,
        lambda s: (
            len(s.timeline) >= 7
            and s.eta.ByteSize() > 0
            and s.status == order_pb2.ORDER_STATUS_SHIPPED
            and "exception" in str(s.timeline).lower()
            and s.headline.startswith("On its way: in transit")
        ),
    )
    entries = [(e.event_type, e.actor) for e in answer.timeline]
    assert entries[0] == ("OrderCreated", pb.TIMELINE_ACTOR_CUSTOMER)
    assert ("PaymentSucceeded", pb.TIMELINE_ACTOR_CUSTOMER) in entries
    assert ("ShipmentCreated", pb.TIMELINE_ACTOR_STAFF) in entries
    scans = [e for e in answer.timeline if e.event_type == "ShipmentStatusChanged"]
    assert [e.actor for e in scans] == [pb.TIMELINE_ACTOR_CARRIER] * len(scans)
    assert scans[-1].summary.startswith("In transit in Louisville") and scans[-1].reference_id == created.id
    times = [e.occurred_at.ToDatetime() for e in answer.timeline]
    assert times == sorted(times)
    # Paid and shipped follow the payment and the pickup (the platform); fulfilling came with the label staff bought.
    changes = [(e.summary.split(" (")[0], e.actor) for e in answer.timeline if e.event_type == "OrderStatusChanged"]
    assert changes == [
        ("Status pending -> paid", pb.TIMELINE_ACTOR_SYSTEM),
        ("Status paid -> fulfilling", pb.TIMELINE_ACTOR_STAFF),
        ("Status fulfilling -> shipped", pb.TIMELINE_ACTOR_SYSTEM),
    ]
    assert answer.next_step.code == "carrier_delivers"

    eta = answer.eta
    assert eta.confidence == pytest.approx(0.8)
    assert (
        eta.window.start_time.ToDatetime() <= eta.estimated_delivery_at.ToDatetime() < eta.window.end_time.ToDatetime()
    )
    names = [d.name for d in answer.explanation.drivers]
    assert "observed_delay_days" in names and "carrier_on_time_rate" in names
    delay = next(d for d in answer.explanation.drivers if d.name == "observed_delay_days")
    assert delay.value >= 1  # the exception scan pushed it
    assert "agent:logistics-eta-computation" in answer.explanation.freshness.sources

    direct = await eta_agent(hub).ComputeEta(eta_pb.ComputeEtaRequest(shipment_id=created.id), metadata=staff(hub))
    assert (direct.carrier, direct.service_level, direct.zone) == (
        "ups",
        shipment_pb2.SERVICE_LEVEL_EXPEDITED,
        "us-national",
    )
    assert direct.estimate == eta and direct.observed_delay_days >= 1
    assert direct.explanation.freshness.HasField("data_as_of")

    # Staff see it too; another customer gets NOT_FOUND, as for the order itself.
    assert (
        await status_agent(hub).GetOrderStatus(pb.GetOrderStatusRequest(order_id=order.id), metadata=staff(hub))
    ).order_id == order.id
    other = hub.auth("customer", "mallory")
    await expect_error(
        status_agent(hub).GetOrderStatus(pb.GetOrderStatusRequest(order_id=order.id), metadata=other),
        grpc.StatusCode.NOT_FOUND,
    )
    await expect_error(
        orders_grpc.OrderServiceStub(hub.channel).GetOrder(
            orders_pb.GetOrderRequest(order_id=order.id), metadata=other
        ),
        grpc.StatusCode.NOT_FOUND,
    )


async def test_order_status_errors(hub: Hub) -> None:
    me = hub.auth("customer", "tess")
    bad = await expect_error(
        status_agent(hub).GetOrderStatus(pb.GetOrderStatusRequest(order_id=""), metadata=me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) == {"order_id"}
    await expect_error(
        status_agent(hub).GetOrderStatus(pb.GetOrderStatusRequest(order_id="ORD-0000000000000000"), metadata=me),
        grpc.StatusCode.NOT_FOUND,
    )
    await expect_error(
        status_agent(hub).GetOrderStatus(pb.GetOrderStatusRequest(order_id="ORD-0000000000000000")),
        grpc.StatusCode.UNAUTHENTICATED,
    )


async def test_eta_errors_and_a_hypothetical_route(hub: Hub) -> None:
    compute = eta_agent(hub).ComputeEta
    two = await expect_error(
        compute(eta_pb.ComputeEtaRequest(shipment_id="SHP-1", order_id="ORD-1"), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "shipment_id" in violated_fields(two)
    await expect_error(
        compute(eta_pb.ComputeEtaRequest(shipment_id="SHP-NOPE"), metadata=staff(hub)), grpc.StatusCode.NOT_FOUND
    )
    await expect_error(
        compute(eta_pb.ComputeEtaRequest(order_id="ORD-0000000000000000"), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )
    await expect_error(
        compute(eta_pb.ComputeEtaRequest(order_id="ORD-0000000000000000"), metadata=hub.auth("customer", "tess")),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    route = eta_pb.EtaRoute(
        carrier="usps", service_level=shipment_pb2.SERVICE_LEVEL_ECONOMY, destination_country_code="US"
    )
    unsold = await expect_error(
        compute(eta_pb.ComputeEtaRequest(route=route), metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(unsold)) == {"route.carrier"}
    low = await expect_error(
        compute(
            eta_pb.ComputeEtaRequest(route=eta_pb.EtaRoute(destination_country_code="US"), confidence=0.3),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(low)) == {"confidence"}

    ready = datetime(2026, 12, 3, 10, tzinfo=UTC)  # a Thursday, before the cut-off
    answer = await compute(
        eta_pb.ComputeEtaRequest(
            route=eta_pb.EtaRoute(
                destination_country_code="US", destination_postal_code="94105", ready_at=stamp(ready)
            ),
            promised_by=stamp(datetime(2026, 12, 12, tzinfo=UTC)),
        ),
        metadata=staff(hub),
    )
    assert (answer.carrier, answer.zone, answer.handling_days, answer.transit_days, answer.non_working_days) == (
        "ups",
        "us-national",
        1,
        5,
        2,
    )
    assert answer.estimate.estimated_delivery_at.ToDatetime().date().isoformat() == "2026-12-11"
    assert answer.estimate.at_risk
    assert answer.explanation.method == "eta-v2+eta-tables-v2"
    assert [d.name for d in answer.explanation.drivers][:2] == ["handling_days", "transit_days"]
