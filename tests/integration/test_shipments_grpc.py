"""Shipments over real gRPC with real orders, payments, cart, inventory and users: a paid order is
shipped and tracked to delivery (the order follows, with shipped_at/delivered_at), illegal steps and
bad requests are refused, retries are idempotent, customers see only their own tracking, and an
order update lost after the shipment committed is finished by the retry."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf import timestamp_pb2

from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as cart_grpc
from holidaypeak.commerce.v1 import order_pb2, shipment_pb2
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc
from holidaypeak.commerce.v1 import payment_service_pb2 as payments_pb
from holidaypeak.commerce.v1 import payment_service_pb2_grpc as payments_grpc
from holidaypeak.commerce.v1 import shipment_service_pb2 as pb
from holidaypeak.commerce.v1 import shipment_service_pb2_grpc as pb_grpc
from hph.host.app import select_services, start_platform
from hph.runtime.storage import And, Eq, Query
from hph.services.shipments.servicer import PARTITION_KEY_PATH, SHIPMENTS
from hph.services.shipments.sync import OrderSyncSweeper
from tests.support.platform_harness import Hub
from tests.support.ports import refused_address
from tests.support.rich_status import expect_error, reason, violated_fields
from tests.support.shoppers import a_shopper, staff, stocked_products

pytestmark = pytest.mark.integration

HUB_SERVICES = ("catalog", "users", "inventory", "cart", "checkout", "orders", "payments", "shipments")
ST = shipment_pb2.ShipmentStatus
UPS_NUMBER = "1Z999AA10123456784"


def shipments(hub: Hub) -> pb_grpc.ShipmentServiceStub:
    return pb_grpc.ShipmentServiceStub(hub.channel)


def orders(hub: Hub) -> orders_grpc.OrderServiceStub:
    return orders_grpc.OrderServiceStub(hub.channel)


async def an_order(hub: Hub, sub: str, lines: dict[str, int], *, pay: bool = True) -> order_pb2.Order:
    """An order placed and paid the way the storefront does it."""
    shopper = await a_shopper(hub, sub, register=False)
    me, card_id = shopper.me, shopper.card_id
    cart = cart_grpc.CartServiceStub(hub.channel)
    for sku, quantity in lines.items():
        await cart.AddCartItem(
            cart_pb.AddCartItemRequest(product_id=sku, quantity=quantity, request_id=uuid.uuid4().hex), metadata=me
        )
    order: order_pb2.Order = await orders(hub).CreateOrder(
        orders_pb.CreateOrderRequest(
            shipping_address_id=shopper.address_id, payment_method_id=card_id, request_id=uuid.uuid4().hex
        ),
        metadata=me,
    )
    if pay:
        await payments_grpc.PaymentServiceStub(hub.channel).CreatePayment(
            payments_pb.CreatePaymentRequest(
                order_id=order.id, payment_method_id=card_id, amount=order.total, request_id=uuid.uuid4().hex
            ),
            metadata=me,
        )
    return await order_of(hub, order.id)


async def order_of(hub: Hub, order_id: str) -> order_pb2.Order:
    order: order_pb2.Order = await orders(hub).GetOrder(
        orders_pb.GetOrderRequest(order_id=order_id), metadata=staff(hub)
    )
    return order


def create_request(order_id: str, **fields: Any) -> pb.CreateShipmentRequest:
    base: dict[str, Any] = {
        "order_id": order_id,
        "carrier": "ups",
        "service_level": shipment_pb2.SERVICE_LEVEL_EXPEDITED,
        "tracking_number": UPS_NUMBER,
        "package_weight_grams": 1200,
        "request_id": uuid.uuid4().hex,
    }
    base.update(fields)
    return pb.CreateShipmentRequest(**base)


def at(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def event(shipment_id: str, status: int, when: datetime, **fields: Any) -> pb.AddShipmentEventRequest:
    return pb.AddShipmentEventRequest(shipment_id=shipment_id, status=status, occurred_at=at(when), **fields)  # type: ignore[arg-type]


async def outbox(hub: Hub, order_id: str, event_type: str) -> int:
    container = await hub.platform.store.container(SHIPMENTS, PARTITION_KEY_PATH)
    return await container.count(
        Query(where=And(Eq("kind", "outbox"), Eq("event_type", f"holidaypeak.events.v1.{event_type}"))),
        partition_key=order_id,
    )


# --- the journey -------------------------------------------------------------------------------


async def test_a_paid_order_is_shipped_tracked_and_delivered(hub: Hub) -> None:
    sku_a, sku_b = await stocked_products(hub, 2)
    order = await an_order(hub, "noor", {sku_a: 2, sku_b: 1})
    assert order.status == order_pb2.ORDER_STATUS_PAID

    request = create_request(order.id, package_length_mm=400, package_width_mm=300, package_height_mm=200)
    created = await shipments(hub).CreateShipment(request, metadata=staff(hub))
    assert created.id.startswith("SHP-") and created.order_id == order.id and created.user_id == "noor"
    assert created.status == ST.SHIPMENT_STATUS_LABEL_CREATED
    assert created.tracking_url == f"https://www.ups.com/track?tracknum={UPS_NUMBER}"
    assert {(i.product_id, i.quantity) for i in created.items} == {(sku_a, 2), (sku_b, 1)}
    assert created.destination.postal_code == "94103"
    assert [e.status for e in created.events] == [ST.SHIPMENT_STATUS_LABEL_CREATED]
    assert created.HasField("estimated_delivery_at")  # from UPS expedited transit days
    assert (await order_of(hub, order.id)).status == order_pb2.ORDER_STATUS_FULFILLING

    replayed = await shipments(hub).CreateShipment(request, metadata=staff(hub))
    assert replayed.id == created.id
    reused = await expect_error(
        shipments(hub).CreateShipment(
            create_request(order.id, request_id=request.request_id, carrier="fedex", tracking_number=""),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert reason(reused) == "IDEMPOTENCY_KEY_REUSED"
    nothing = await expect_error(
        shipments(hub).CreateShipment(create_request(order.id), metadata=staff(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(nothing) == "NOTHING_TO_SHIP"

    me = hub.auth("customer", "noor")
    start = datetime.now(UTC) + timedelta(seconds=1)
    steps = [
        (ST.SHIPMENT_STATUS_PICKED_UP, "Oakland, CA, US", "Picked up", order_pb2.ORDER_STATUS_SHIPPED),
        (ST.SHIPMENT_STATUS_IN_TRANSIT, "Louisville, KY, US", "Arrived at hub", order_pb2.ORDER_STATUS_SHIPPED),
        (ST.SHIPMENT_STATUS_IN_TRANSIT, "Louisville, KY, US", "Departed hub", order_pb2.ORDER_STATUS_SHIPPED),
        (ST.SHIPMENT_STATUS_OUT_FOR_DELIVERY, "San Francisco, CA, US", "On vehicle", order_pb2.ORDER_STATUS_SHIPPED),
        (ST.SHIPMENT_STATUS_DELIVERED, "San Francisco, CA, US", "Front door", order_pb2.ORDER_STATUS_DELIVERED),
    ]
    for index, (status, location, description, order_status) in enumerate(steps):
        when = start + timedelta(seconds=index)
        request_id = f"ups-scan-{index}"
        tracked = await shipments(hub).AddShipmentEvent(
            event(created.id, status, when, location=location, description=description, request_id=request_id),
            metadata=staff(hub),
        )
        assert tracked.status == status
        last = tracked.events[-1]
        assert (last.status, last.location, last.description) == (status, location, description)
        assert last.occurred_at.ToDatetime(tzinfo=UTC) == when.replace(microsecond=when.microsecond)
        again = await shipments(hub).AddShipmentEvent(
            event(created.id, status, when, location=location, description=description, request_id=request_id),
            metadata=staff(hub),
        )
        assert len(again.events) == len(tracked.events)  # the retry recorded nothing
        assert (await order_of(hub, order.id)).status == order_status
        tracking = await shipments(hub).GetOrderTracking(pb.GetOrderTrackingRequest(order_id=order.id), metadata=me)
        assert tracking.status == status and tracking.shipments[0].events[-1].description == description

    delivered = await order_of(hub, order.id)
    assert delivered.status == order_pb2.ORDER_STATUS_DELIVERED
    assert delivered.HasField("shipped_at") and delivered.HasField("delivered_at")
    shipment = await shipments(hub).GetShipment(pb.GetShipmentRequest(shipment_id=created.id), metadata=staff(hub))
    assert len(shipment.events) == 6 and shipment.HasField("shipped_at") and shipment.HasField("delivered_at")
    assert shipment.delivered_at.ToDatetime(tzinfo=UTC) == start + timedelta(seconds=4)

    # Delivered is final; hearing it again changes nothing.
    late = await expect_error(
        shipments(hub).AddShipmentEvent(
            event(created.id, ST.SHIPMENT_STATUS_IN_TRANSIT, start + timedelta(seconds=10)), metadata=staff(hub)
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(late) == "ILLEGAL_TRANSITION"
    repeat = await shipments(hub).AddShipmentEvent(
        event(created.id, ST.SHIPMENT_STATUS_DELIVERED, start + timedelta(seconds=11)), metadata=staff(hub)
    )
    assert len(repeat.events) == 6

    # The events went out through the outbox, each once.
    assert await outbox(hub, order.id, "ShipmentCreated") == 1
    assert await outbox(hub, order.id, "ShipmentStatusChanged") == 6  # label_created + five scans
    assert await outbox(hub, order.id, "ShipmentDelivered") == 1

    tracking = await shipments(hub).GetOrderTracking(pb.GetOrderTrackingRequest(order_id=order.id), metadata=me)
    assert tracking.status == ST.SHIPMENT_STATUS_DELIVERED and not tracking.HasField("estimated_delivery_at")
    listed = await shipments(hub).ListShipments(pb.ListShipmentsRequest(order_id=order.id), metadata=staff(hub))
    assert [s.id for s in listed.shipments] == [created.id] and not listed.shipments[0].events


async def test_an_order_ships_in_parcels_and_is_delivered_when_all_are(hub: Hub) -> None:
    sku_a, sku_b = await stocked_products(hub, 2)
    order = await an_order(hub, "omar", {sku_a: 3, sku_b: 1})
    first = await shipments(hub).CreateShipment(
        create_request(order.id, items=[shipment_pb2.ShipmentItem(product_id=sku_a, quantity=2)]), metadata=staff(hub)
    )
    too_many = await expect_error(
        shipments(hub).CreateShipment(
            create_request(order.id, items=[shipment_pb2.ShipmentItem(product_id=sku_a, quantity=2)]),
            metadata=staff(hub),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(too_many) == "ITEMS_EXCEED_ORDER"
    start = datetime.now(UTC)
    await shipments(hub).AddShipmentEvent(
        event(first.id, ST.SHIPMENT_STATUS_DELIVERED, start + timedelta(seconds=1)), metadata=staff(hub)
    )
    # One parcel delivered (skipping missed scans) while units are left: the order is shipped.
    assert (await order_of(hub, order.id)).status == order_pb2.ORDER_STATUS_SHIPPED
    second = await shipments(hub).CreateShipment(
        create_request(order.id, carrier="usps", tracking_number="", service_level=0), metadata=staff(hub)
    )
    assert second.id.endswith("-2") and second.service_level == shipment_pb2.SERVICE_LEVEL_STANDARD
    assert {(i.product_id, i.quantity) for i in second.items} == {(sku_a, 1), (sku_b, 1)}
    tracking = await shipments(hub).GetOrderTracking(
        pb.GetOrderTrackingRequest(order_id=order.id), metadata=hub.auth("customer", "omar")
    )
    assert tracking.status == ST.SHIPMENT_STATUS_LABEL_CREATED and len(tracking.shipments) == 2
    assert tracking.HasField("estimated_delivery_at")
    # An exception from label_created, resumed; a tracking number assigned late.
    await shipments(hub).AddShipmentEvent(
        event(second.id, ST.SHIPMENT_STATUS_EXCEPTION, start + timedelta(seconds=2), description="Address problem"),
        metadata=staff(hub),
    )
    overall = await shipments(hub).GetOrderTracking(pb.GetOrderTrackingRequest(order_id=order.id), metadata=staff(hub))
    assert overall.status == ST.SHIPMENT_STATUS_EXCEPTION
    resumed = await shipments(hub).AddShipmentEvent(
        event(
            second.id,
            ST.SHIPMENT_STATUS_IN_TRANSIT,
            start + timedelta(seconds=3),
            tracking_number="9400 1118 9922 3817 5765 84",
        ),
        metadata=staff(hub),
    )
    assert resumed.tracking_number == "9400111899223817576584" and resumed.tracking_url.startswith("https://tools.usps")
    # A late scan that happened before the exception fits where it happened.
    late = await shipments(hub).AddShipmentEvent(
        event(
            second.id,
            ST.SHIPMENT_STATUS_LABEL_CREATED,
            start + timedelta(seconds=1, milliseconds=500),
            description="Awaiting pickup",
        ),
        metadata=staff(hub),
    )
    assert late.status == ST.SHIPMENT_STATUS_IN_TRANSIT and late.events[1].description == "Awaiting pickup"
    back = await expect_error(
        shipments(hub).AddShipmentEvent(
            event(second.id, ST.SHIPMENT_STATUS_PICKED_UP, start + timedelta(seconds=4)), metadata=staff(hub)
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(back) == "ILLEGAL_TRANSITION"
    await shipments(hub).AddShipmentEvent(
        event(second.id, ST.SHIPMENT_STATUS_DELIVERED, start + timedelta(seconds=5)), metadata=staff(hub)
    )
    final = await order_of(hub, order.id)
    assert final.status == order_pb2.ORDER_STATUS_DELIVERED and final.HasField("delivered_at")
    assert await outbox(hub, order.id, "ShipmentDelivered") == 2


# --- refusals ----------------------------------------------------------------------------------


async def test_bad_requests_name_their_fields(hub: Hub) -> None:
    bad = pb.CreateShipmentRequest(
        order_id="nope",
        carrier="pigeon",
        tracking_number="x" * 65,
        tracking_url="http://example.com/track",
        package_weight_grams=0,
        package_length_mm=-1,
        items=[
            shipment_pb2.ShipmentItem(product_id="A", quantity=0),
            shipment_pb2.ShipmentItem(product_id="A", quantity=1),
        ],
    )
    error = await expect_error(
        shipments(hub).CreateShipment(bad, metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(error)) >= {
        "order_id",
        "carrier",
        "tracking_url",
        "package_weight_grams",
        "package_length_mm",
        "items[0].quantity",
        "items[1].product_id",
        "request_id",
    }
    order_id = "ORD-0123456789ABCDEF"
    wrong = [
        (create_request(order_id, carrier="usps", service_level=shipment_pb2.SERVICE_LEVEL_ECONOMY), "service_level"),
        (create_request(order_id, tracking_number="1Z12"), "tracking_number"),
        (create_request(order_id, carrier="usps", package_weight_grams=40_000), "package_weight_grams"),
        (create_request(order_id, package_length_mm=100, package_width_mm=200), "package_length_mm"),
        (create_request(order_id, estimated_delivery_at=at(datetime(2001, 1, 1, tzinfo=UTC))), "estimated_delivery_at"),
    ]
    for request, field in wrong:
        error = await expect_error(
            shipments(hub).CreateShipment(request, metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
        )
        assert field in violated_fields(error), (field, violated_fields(error))
    await expect_error(
        shipments(hub).CreateShipment(create_request(order_id), metadata=staff(hub)), grpc.StatusCode.NOT_FOUND
    )
    future = await expect_error(
        shipments(hub).AddShipmentEvent(
            event("SHP-0123456789ABCDEF-1", ST.SHIPMENT_STATUS_PICKED_UP, datetime.now(UTC) + timedelta(hours=1)),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "occurred_at" in violated_fields(future)
    no_status = await expect_error(
        shipments(hub).AddShipmentEvent(pb.AddShipmentEventRequest(shipment_id="bad"), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(no_status)) == {"shipment_id", "status"}
    await expect_error(
        shipments(hub).AddShipmentEvent(
            pb.AddShipmentEventRequest(shipment_id="SHP-0123456789ABCDEF-1", status=ST.SHIPMENT_STATUS_PICKED_UP),
            metadata=staff(hub),
        ),
        grpc.StatusCode.NOT_FOUND,
    )
    listing = await expect_error(
        shipments(hub).ListShipments(pb.ListShipmentsRequest(carrier="pigeon", page_size=1000), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(listing)) == {"carrier", "page_size"}


async def test_unpaid_orders_are_not_shipped_and_customers_cannot_ship(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1)
    pending = await an_order(hub, "pia", {sku: 1}, pay=False)
    refused = await expect_error(
        shipments(hub).CreateShipment(create_request(pending.id), metadata=staff(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(refused) == "ORDER_NOT_SHIPPABLE"
    assert (await order_of(hub, pending.id)).status == order_pb2.ORDER_STATUS_PENDING
    me = hub.auth("customer", "pia")
    await expect_error(
        shipments(hub).CreateShipment(create_request(pending.id), metadata=me), grpc.StatusCode.PERMISSION_DENIED
    )
    await expect_error(
        shipments(hub).ListShipments(pb.ListShipmentsRequest(), metadata=me), grpc.StatusCode.PERMISSION_DENIED
    )


async def test_customers_see_only_their_own_tracking(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1)
    shipped = await an_order(hub, "quinn", {sku: 1})
    unshipped = await an_order(hub, "quinn", {sku: 1})
    await shipments(hub).CreateShipment(create_request(shipped.id), metadata=staff(hub))
    quinn, rae = hub.auth("customer", "quinn"), hub.auth("customer", "rae")
    mine = await shipments(hub).GetOrderTracking(pb.GetOrderTrackingRequest(order_id=shipped.id), metadata=quinn)
    assert len(mine.shipments) == 1 and mine.shipments[0].user_id == "quinn"
    waiting = await shipments(hub).GetOrderTracking(pb.GetOrderTrackingRequest(order_id=unshipped.id), metadata=quinn)
    assert waiting.order_id == unshipped.id and not waiting.shipments
    assert waiting.status == ST.SHIPMENT_STATUS_UNSPECIFIED
    # Someone else's order, shipped or not, and an order that does not exist all read the same.
    for order_id in (shipped.id, unshipped.id, "ORD-0123456789ABCDEF"):
        error = await expect_error(
            shipments(hub).GetOrderTracking(pb.GetOrderTrackingRequest(order_id=order_id), metadata=rae),
            grpc.StatusCode.NOT_FOUND,
        )
        assert shipped.id not in (error.details() or "") or order_id == shipped.id
    await expect_error(
        shipments(hub).GetOrderTracking(pb.GetOrderTrackingRequest(order_id=shipped.id)),
        grpc.StatusCode.UNAUTHENTICATED,
    )
    await expect_error(
        shipments(hub).GetShipment(pb.GetShipmentRequest(shipment_id=mine.shipments[0].id), metadata=quinn),
        grpc.StatusCode.PERMISSION_DENIED,
    )


# --- the order update lost after the commit ----------------------------------------------------


@pytest.mark.parametrize("repair", ["retry", "sweeper"])
async def test_the_order_still_moves_when_its_update_failed_after_the_commit(hub: Hub, repair: str) -> None:
    (sku,) = await stocked_products(hub, 1)
    order = await an_order(hub, "sol", {sku: 1})
    created = await shipments(hub).CreateShipment(create_request(order.id), metadata=staff(hub))
    # A second shipments process on the same store whose orders service is unreachable.
    with refused_address() as down:
        settings = replace(hub.settings, grpc_port=0, service_addresses=f"orders={down}")
        cut_off = await start_platform(settings, select_services(["shipments"]), seed=False)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{cut_off.grpc.port}")
        pickup = event(created.id, ST.SHIPMENT_STATUS_PICKED_UP, datetime.now(UTC), request_id="scan-1")
        try:
            lost = await expect_error(
                pb_grpc.ShipmentServiceStub(channel).AddShipmentEvent(pickup, metadata=staff(hub)),
                grpc.StatusCode.UNAVAILABLE,
            )
            assert "recorded" in (lost.details() or "")
        finally:
            await channel.close()
            await cut_off.stop()
    recorded = await shipments(hub).GetShipment(pb.GetShipmentRequest(shipment_id=created.id), metadata=staff(hub))
    assert recorded.status == ST.SHIPMENT_STATUS_PICKED_UP
    assert (await order_of(hub, order.id)).status == order_pb2.ORDER_STATUS_FULFILLING

    if repair == "retry":
        retried = await shipments(hub).AddShipmentEvent(pickup, metadata=staff(hub))
        assert len(retried.events) == 2  # recorded once
    else:
        (sweeper,) = [task for task in hub.platform.deps.background if isinstance(task, OrderSyncSweeper)]
        assert await sweeper.sweep_once(now=datetime.now(UTC) + timedelta(minutes=1)) == 1
        assert await sweeper.sweep_once(now=datetime.now(UTC) + timedelta(minutes=1)) == 0
    assert (await order_of(hub, order.id)).status == order_pb2.ORDER_STATUS_SHIPPED
    assert await outbox(hub, order.id, "ShipmentStatusChanged") == 2
