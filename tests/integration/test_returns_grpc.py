"""Returns over real gRPC with the real orders, payments and inventory: a delivered order is returned,
approved, received, restocked (stock up exactly once under retries) and refunded (the payment shows
the refund, the order becomes partially_returned, then returned, its lines showing the units
returned); the window, quantities, idempotency and who sees what. Orders are delivered by staff with
UpdateOrderStatus (paid -> fulfilling -> shipped -> delivered)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import grpc
import pytest

from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as cart_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import order_pb2, payment_pb2, refund_pb2
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc
from holidaypeak.commerce.v1 import payment_service_pb2 as payments_pb
from holidaypeak.commerce.v1 import payment_service_pb2_grpc as payments_grpc
from holidaypeak.commerce.v1 import return_pb2 as rpb
from holidaypeak.commerce.v1 import return_service_pb2 as pb
from holidaypeak.commerce.v1 import return_service_pb2_grpc as pb_grpc
from hph.runtime import clock as clocks
from hph.runtime.money import to_minor
from hph.runtime.storage import Eq, Query
from hph.services.returns.servicer import PARTITION_KEY, RETURNS
from tests.support.platform_harness import Hub
from tests.support.rich_status import expect_error, reason, violated_fields
from tests.support.shoppers import Shopper, a_shopper, admin, staff
from tests.support.shoppers import stocked_products as stock_products

pytestmark = pytest.mark.integration

HUB_SERVICES = ("catalog", "users", "inventory", "cart", "checkout", "orders", "payments", "returns")


def returns(hub: Hub) -> pb_grpc.ReturnServiceStub:
    return pb_grpc.ReturnServiceStub(hub.channel)


def orders(hub: Hub) -> orders_grpc.OrderServiceStub:
    return orders_grpc.OrderServiceStub(hub.channel)


def inventory(hub: Hub) -> inventory_grpc.InventoryServiceStub:
    return inventory_grpc.InventoryServiceStub(hub.channel)


async def stocked_products(hub: Hub, count: int) -> list[str]:
    return await stock_products(hub, count, on_hand=1_000)


async def a_paid_order(hub: Hub, shopper: Shopper, lines: dict[str, int]) -> order_pb2.Order:
    cart = cart_grpc.CartServiceStub(hub.channel)
    for sku, quantity in lines.items():
        await cart.AddCartItem(
            cart_pb.AddCartItemRequest(product_id=sku, quantity=quantity, request_id=uuid.uuid4().hex),
            metadata=shopper.me,
        )
    order = await orders(hub).CreateOrder(
        orders_pb.CreateOrderRequest(
            shipping_address_id=shopper.address_id, payment_method_id=shopper.card_id, request_id=uuid.uuid4().hex
        ),
        metadata=shopper.me,
    )
    paid = await payments_grpc.PaymentServiceStub(hub.channel).CreatePayment(
        payments_pb.CreatePaymentRequest(
            order_id=order.id, payment_method_id=shopper.card_id, amount=order.total, request_id=uuid.uuid4().hex
        ),
        metadata=shopper.me,
    )
    assert paid.status == payment_pb2.PAYMENT_STATUS_SUCCEEDED
    return await get_order(hub, order.id)


async def deliver(hub: Hub, order_id: str) -> order_pb2.Order:
    """Moves a paid order the way staff do until shipments drive it: fulfilling, shipped, delivered."""
    moved = None
    for status in (order_pb2.ORDER_STATUS_FULFILLING, order_pb2.ORDER_STATUS_SHIPPED, order_pb2.ORDER_STATUS_DELIVERED):
        moved = await orders(hub).UpdateOrderStatus(
            orders_pb.UpdateOrderStatusRequest(order_id=order_id, status=status), metadata=staff(hub)
        )
    assert moved is not None and moved.status == order_pb2.ORDER_STATUS_DELIVERED
    return moved


async def a_delivered_order(hub: Hub, shopper: Shopper, lines: dict[str, int]) -> order_pb2.Order:
    order = await a_paid_order(hub, shopper, lines)
    return await deliver(hub, order.id)


async def get_order(hub: Hub, order_id: str) -> order_pb2.Order:
    order: order_pb2.Order = await orders(hub).GetOrder(
        orders_pb.GetOrderRequest(order_id=order_id), metadata=staff(hub)
    )
    return order


async def available(hub: Hub, sku: str) -> tuple[int, int]:
    item = await inventory(hub).GetInventoryItem(inventory_pb.GetInventoryItemRequest(sku=sku), metadata=staff(hub))
    return item.quantity_on_hand, item.quantity_available


def create_request(order_id: str, items: dict[str, int], **fields: Any) -> pb.CreateReturnRequest:
    fields.setdefault("reason", rpb.RETURN_REASON_DAMAGED)
    return pb.CreateReturnRequest(
        order_id=order_id, items=[rpb.ReturnItem(product_id=p, quantity=q) for p, q in items.items()], **fields
    )


def returned_units(order: order_pb2.Order) -> dict[str, int]:
    return {item.product_id: item.quantity_returned for item in order.items}


async def order_events(hub: Hub, order: order_pb2.Order) -> list[str]:
    container = await hub.platform.store.container("orders", "/user_id")
    page = await container.query(Query(where=Eq("kind", "outbox")), partition_key=order.user_id, max_items=100)
    return sorted(str(d["event_type"]).rsplit(".", 1)[-1] for d in page.items)


async def refund_a_return(hub: Hub, shopper: Shopper, order_id: str, items: dict[str, int]) -> rpb.Return:
    """A return of `items` taken all the way: requested, approved, received, restocked, refunded."""
    created = await returns(hub).CreateReturn(create_request(order_id, items), metadata=shopper.me)
    await returns(hub).ApproveReturn(pb.ApproveReturnRequest(return_id=created.id), metadata=admin(hub))
    await returns(hub).ReceiveReturn(pb.ReceiveReturnRequest(return_id=created.id), metadata=staff(hub))
    await returns(hub).RestockReturn(pb.RestockReturnRequest(return_id=created.id), metadata=staff(hub))
    refunded: rpb.Return = await returns(hub).RefundReturn(
        pb.RefundReturnRequest(return_id=created.id), metadata=admin(hub)
    )
    assert refunded.status == rpb.RETURN_STATUS_REFUNDED
    return refunded


def returned_request(order_id: str, status: int, items: dict[str, int]) -> orders_pb.UpdateOrderStatusRequest:
    return orders_pb.UpdateOrderStatusRequest(
        order_id=order_id,
        status=status,  # type: ignore[arg-type]
        returned_items=[orders_pb.ReturnedItem(product_id=p, quantity=q) for p, q in items.items()],
    )


async def return_events(hub: Hub, order_id: str) -> list[str]:
    container = await hub.platform.store.container(RETURNS, PARTITION_KEY)
    page = await container.query(Query(where=Eq("kind", "outbox")), partition_key=order_id, max_items=100)
    return sorted(str(d["event_type"]).rsplit(".", 1)[-1] for d in page.items)


async def set_delivered_at(hub: Hub, order: order_pb2.Order, ago: timedelta) -> None:
    """Backdates the stored delivery (what the return window is measured from)."""
    container = await hub.platform.store.container("orders", "/user_id")
    doc = await container.read(order.id, order.user_id)
    doc["delivered_at"] = clocks.to_iso(hub.platform.deps.clock() - ago)
    await container.replace(doc, if_match=doc["_etag"])


# --- the whole journey -------------------------------------------------------------------------


async def test_a_delivered_order_is_returned_restocked_once_and_refunded(hub: Hub) -> None:
    sku_a, sku_b = await stocked_products(hub, 2)
    ava = await a_shopper(hub, "ava-returns")
    order = await a_delivered_order(hub, ava, {sku_a: 2, sku_b: 1})
    stock_a = await available(hub, sku_a)

    requested = await returns(hub).CreateReturn(
        create_request(order.id, {sku_a: 2}, reason_detail="box crushed", request_id="r-1"), metadata=ava.me
    )
    assert (requested.status, requested.order_id, requested.user_id) == (
        rpb.RETURN_STATUS_REQUESTED,
        order.id,
        ava.sub,
    )
    price_a = next(i.unit_price for i in order.items if i.product_id == sku_a)
    assert [(i.product_id, i.quantity, i.unit_price) for i in requested.items] == [(sku_a, 2, price_a)]
    assert requested.currency_code == order.currency_code
    assert 2 * price_a <= requested.refund_amount <= order.total
    assert [h.status for h in requested.history] == [rpb.RETURN_STATUS_REQUESTED]

    # Staff may not approve (admin only); illegal steps are refused; the same step twice is no change.
    await expect_error(
        returns(hub).ApproveReturn(pb.ApproveReturnRequest(return_id=requested.id), metadata=staff(hub)),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    early = await expect_error(
        returns(hub).ReceiveReturn(pb.ReceiveReturnRequest(return_id=requested.id), metadata=staff(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(early) == "ILLEGAL_TRANSITION"
    approved = await returns(hub).ApproveReturn(
        pb.ApproveReturnRequest(return_id=requested.id, note="send it back", etag=requested.etag), metadata=admin(hub)
    )
    assert approved.status == rpb.RETURN_STATUS_APPROVED and approved.HasField("approved_at")
    again = await returns(hub).ApproveReturn(pb.ApproveReturnRequest(return_id=requested.id), metadata=admin(hub))
    assert again.etag == approved.etag and len(again.history) == 2
    stale = await expect_error(
        returns(hub).ReceiveReturn(
            pb.ReceiveReturnRequest(return_id=requested.id, etag=requested.etag), metadata=staff(hub)
        ),
        grpc.StatusCode.ABORTED,
    )
    assert stale.details()
    received = await returns(hub).ReceiveReturn(
        pb.ReceiveReturnRequest(return_id=requested.id, note="both units fine"), metadata=staff(hub)
    )
    assert received.status == rpb.RETURN_STATUS_RECEIVED
    too_early = await expect_error(
        returns(hub).RefundReturn(pb.RefundReturnRequest(return_id=requested.id), metadata=admin(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(too_early) == "ILLEGAL_TRANSITION"

    # Restock, retried concurrently and again afterwards under other keys: stock rises exactly once.
    restocks = await asyncio.gather(
        *(
            returns(hub).RestockReturn(
                pb.RestockReturnRequest(return_id=requested.id, request_id=f"restock-{n}"), metadata=staff(hub)
            )
            for n in range(4)
        ),
        return_exceptions=True,
    )
    done = [r for r in restocks if isinstance(r, rpb.Return)]
    assert done, restocks
    for failure in (r for r in restocks if not isinstance(r, rpb.Return)):
        assert isinstance(failure, grpc.aio.AioRpcError) and failure.code() == grpc.StatusCode.ABORTED
    restocked = await returns(hub).RestockReturn(
        pb.RestockReturnRequest(return_id=requested.id, request_id="restock-late"), metadata=staff(hub)
    )
    assert restocked.status == rpb.RETURN_STATUS_RESTOCKED and restocked.HasField("restocked_at")
    assert [(i.product_id, i.quantity) for i in restocked.restocked_items] == [(sku_a, 2)]
    assert await available(hub, sku_a) == (stock_a[0] + 2, stock_a[1] + 2)

    # Refund: never above what was paid for the items; the payment shows it; the order follows.
    over = await expect_error(
        returns(hub).RefundReturn(
            pb.RefundReturnRequest(return_id=requested.id, amount=requested.refund_amount + 0.01), metadata=admin(hub)
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(over) == "AMOUNT_MISMATCH"
    await expect_error(
        returns(hub).RefundReturn(pb.RefundReturnRequest(return_id=requested.id), metadata=staff(hub)),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    refunded = await returns(hub).RefundReturn(pb.RefundReturnRequest(return_id=requested.id), metadata=admin(hub))
    assert refunded.status == rpb.RETURN_STATUS_REFUNDED and refunded.refund_id
    assert refunded.refund_amount == requested.refund_amount
    retried = await returns(hub).RefundReturn(pb.RefundReturnRequest(return_id=requested.id), metadata=admin(hub))
    assert retried.refund_id == refunded.refund_id
    assert [h.status for h in refunded.history] == [
        rpb.RETURN_STATUS_REQUESTED,
        rpb.RETURN_STATUS_APPROVED,
        rpb.RETURN_STATUS_RECEIVED,
        rpb.RETURN_STATUS_RESTOCKED,
        rpb.RETURN_STATUS_REFUNDED,
    ]
    assert [h.actor_id for h in refunded.history] == [ava.sub, "admin-ada", "staff-sam", "staff-sam", "admin-ada"]

    payments = payments_grpc.PaymentServiceStub(hub.channel)
    payment = await payments.GetPayment(payments_pb.GetPaymentRequest(payment_id=order.payment_id), metadata=ava.me)
    assert payment.amount_refunded == requested.refund_amount
    assert payment.status == payment_pb2.PAYMENT_STATUS_PARTIALLY_REFUNDED
    refunds = await payments.ListRefunds(
        payments_pb.ListRefundsRequest(payment_id=order.payment_id), metadata=staff(hub)
    )
    assert [(r.id, r.return_id, r.status) for r in refunds.refunds] == [
        (refunded.refund_id, requested.id, refund_pb2.REFUND_STATUS_SUCCEEDED)
    ]
    after_first = await get_order(hub, order.id)
    assert after_first.status == order_pb2.ORDER_STATUS_PARTIALLY_RETURNED
    assert after_first.payment_status == order_pb2.ORDER_PAYMENT_STATUS_PARTIALLY_REFUNDED
    # The refunded units show on the order's lines; the retried refund above did not count twice.
    assert returned_units(after_first) == {sku_a: 2, sku_b: 0}

    # The last unit: a damaged one, written off (restocked with 0), refunded less a fee -> returned.
    stock_b = await available(hub, sku_b)
    second = await returns(hub).CreateReturn(
        create_request(order.id, {sku_b: 1}, reason=rpb.RETURN_REASON_DEFECTIVE), metadata=ava.me
    )
    await returns(hub).ApproveReturn(pb.ApproveReturnRequest(return_id=second.id), metadata=admin(hub))
    await returns(hub).ReceiveReturn(pb.ReceiveReturnRequest(return_id=second.id), metadata=staff(hub))
    written_off = await returns(hub).RestockReturn(
        pb.RestockReturnRequest(return_id=second.id, items=[rpb.ReturnItem(product_id=sku_b, quantity=0)]),
        metadata=staff(hub),
    )
    assert written_off.status == rpb.RETURN_STATUS_RESTOCKED and not written_off.restocked_items
    assert await available(hub, sku_b) == stock_b
    fee = await returns(hub).RefundReturn(
        pb.RefundReturnRequest(return_id=second.id, amount=1.0, note="restocking fee kept"), metadata=admin(hub)
    )
    assert fee.refund_amount == 1.0
    final = await get_order(hub, order.id)
    assert final.status == order_pb2.ORDER_STATUS_RETURNED
    assert final.amount_refunded == pytest.approx(requested.refund_amount + 1.0)
    assert returned_units(final) == {sku_a: 2, sku_b: 1}
    # Retrying either refund (which re-syncs the order) changes nothing on the returned order.
    for return_id in (requested.id, second.id):
        await returns(hub).RefundReturn(pb.RefundReturnRequest(return_id=return_id), metadata=admin(hub))
    repeated = await get_order(hub, order.id)
    assert returned_units(repeated) == {sku_a: 2, sku_b: 1} and repeated.etag == final.etag

    # Nothing is left to return; every step was published, in the order's partition.
    nothing_left = await expect_error(
        returns(hub).CreateReturn(create_request(order.id, {sku_b: 1}), metadata=ava.me),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(nothing_left) == "ORDER_NOT_DELIVERED"
    assert await return_events(hub, order.id) == sorted(
        ["ReturnRequested", "ReturnApproved", "ReturnReceived", "ReturnRestocked", "ReturnRefunded"] * 2
    )


# --- what may be returned ----------------------------------------------------------------------


async def test_quantities_never_exceed_what_was_bought_and_creates_are_idempotent(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1)
    ava = await a_shopper(hub, "ava-quantities")
    order = await a_delivered_order(hub, ava, {sku: 3})

    over = await expect_error(
        returns(hub).CreateReturn(create_request(order.id, {sku: 4}), metadata=ava.me),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(over) == "QUANTITY_EXCEEDED"
    first = await returns(hub).CreateReturn(create_request(order.id, {sku: 2}, request_id="k-1"), metadata=ava.me)
    replay = await returns(hub).CreateReturn(create_request(order.id, {sku: 2}, request_id="k-1"), metadata=ava.me)
    assert replay.id == first.id
    reused = await expect_error(
        returns(hub).CreateReturn(create_request(order.id, {sku: 1}, request_id="k-1"), metadata=ava.me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert reason(reused) == "IDEMPOTENCY_KEY_REUSED"
    # Two units are claimed by the open return: one is left.
    left = await expect_error(
        returns(hub).CreateReturn(create_request(order.id, {sku: 2}), metadata=ava.me),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(left) == "QUANTITY_EXCEEDED"
    # Concurrent requests for the last unit: exactly one wins.
    racing = await asyncio.gather(
        *(returns(hub).CreateReturn(create_request(order.id, {sku: 1}), metadata=ava.me) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, rpb.Return) for r in racing) == 1, racing
    # A rejection gives the units back.
    rejected = await returns(hub).RejectReturn(
        pb.RejectReturnRequest(return_id=first.id, reason="outside our policy for opened items"), metadata=admin(hub)
    )
    assert rejected.status == rpb.RETURN_STATUS_REJECTED and rejected.rejection_reason.startswith("outside")
    final = await expect_error(
        returns(hub).ApproveReturn(pb.ApproveReturnRequest(return_id=first.id), metadata=admin(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(final) == "ILLEGAL_TRANSITION"
    again = await returns(hub).CreateReturn(create_request(order.id, {sku: 2}), metadata=ava.me)
    assert again.id == first.id.rsplit("-", 1)[0] + "-3"  # rejected and losing creates use no number

    # Malformed requests name their fields.
    bad = await expect_error(
        returns(hub).CreateReturn(
            pb.CreateReturnRequest(
                order_id="nope",
                items=[rpb.ReturnItem(product_id=sku, quantity=0)],
                reason=rpb.RETURN_REASON_OTHER,
            ),
            metadata=ava.me,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) == {"order_id", "items[0].quantity", "reason_detail"}
    unknown = await expect_error(
        returns(hub).CreateReturn(create_request(order.id, {"SKU-NOT-ON-ORDER": 1}), metadata=ava.me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(unknown)) == {"items[0].product_id"}


async def test_the_window_is_thirty_days_from_the_stored_delivery(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1)
    ava = await a_shopper(hub, "ava-window")
    paid = await a_paid_order(hub, ava, {sku: 1})
    not_yet = await expect_error(
        returns(hub).CreateReturn(create_request(paid.id, {sku: 1}), metadata=ava.me),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(not_yet) == "ORDER_NOT_DELIVERED"

    day_30 = await a_delivered_order(hub, ava, {sku: 1})
    await set_delivered_at(hub, day_30, timedelta(days=30) - timedelta(minutes=1))
    accepted = await returns(hub).CreateReturn(create_request(day_30.id, {sku: 1}), metadata=ava.me)
    assert accepted.status == rpb.RETURN_STATUS_REQUESTED

    day_31 = await a_delivered_order(hub, ava, {sku: 1})
    await set_delivered_at(hub, day_31, timedelta(days=31))
    closed = await expect_error(
        returns(hub).CreateReturn(create_request(day_31.id, {sku: 1}), metadata=ava.me),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(closed) == "WINDOW_CLOSED"


async def test_a_customer_sees_only_their_own_returns_and_staff_see_all(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1)
    ava, ben = await a_shopper(hub, "ava-own"), await a_shopper(hub, "ben-own")
    avas_order = await a_delivered_order(hub, ava, {sku: 2})
    bens_order = await a_delivered_order(hub, ben, {sku: 1})
    avas = await returns(hub).CreateReturn(create_request(avas_order.id, {sku: 1}), metadata=ava.me)
    bens = await returns(hub).CreateReturn(create_request(bens_order.id, {sku: 1}), metadata=ben.me)

    # Someone else's order or return does not exist for a customer.
    await expect_error(
        returns(hub).CreateReturn(create_request(avas_order.id, {sku: 1}), metadata=ben.me), grpc.StatusCode.NOT_FOUND
    )
    await expect_error(
        returns(hub).GetReturn(pb.GetReturnRequest(return_id=avas.id), metadata=ben.me), grpc.StatusCode.NOT_FOUND
    )
    mine = await returns(hub).GetReturn(pb.GetReturnRequest(return_id=avas.id), metadata=ava.me)
    assert mine.id == avas.id
    listed = await returns(hub).ListReturns(pb.ListReturnsRequest(), metadata=ben.me)
    assert [r.id for r in listed.returns] == [bens.id]
    # Customers cannot use the staff surface.
    for call in (
        returns(hub).ListAllReturns(pb.ListAllReturnsRequest(), metadata=ava.me),
        returns(hub).GetAnyReturn(pb.GetAnyReturnRequest(return_id=avas.id), metadata=ava.me),
        returns(hub).ApproveReturn(pb.ApproveReturnRequest(return_id=avas.id), metadata=ava.me),
        returns(hub).ReceiveReturn(pb.ReceiveReturnRequest(return_id=avas.id), metadata=ava.me),
    ):
        await expect_error(call, grpc.StatusCode.PERMISSION_DENIED)

    # Staff read any return and filter the list.
    assert (await returns(hub).GetReturn(pb.GetReturnRequest(return_id=bens.id), metadata=staff(hub))).id == bens.id
    assert (await returns(hub).GetAnyReturn(pb.GetAnyReturnRequest(return_id=avas.id), metadata=staff(hub))).id
    everything = await returns(hub).ListAllReturns(pb.ListAllReturnsRequest(), metadata=staff(hub))
    assert [r.id for r in everything.returns] == [bens.id, avas.id]
    by_order = await returns(hub).ListAllReturns(pb.ListAllReturnsRequest(order_id=avas_order.id), metadata=staff(hub))
    assert [r.id for r in by_order.returns] == [avas.id]
    by_user = await returns(hub).ListAllReturns(pb.ListAllReturnsRequest(user_id=ben.sub), metadata=staff(hub))
    assert [r.id for r in by_user.returns] == [bens.id]
    await returns(hub).ApproveReturn(pb.ApproveReturnRequest(return_id=bens.id), metadata=admin(hub))
    approved = await returns(hub).ListAllReturns(
        pb.ListAllReturnsRequest(status=rpb.RETURN_STATUS_APPROVED), metadata=staff(hub)
    )
    assert [r.id for r in approved.returns] == [bens.id]
    paged = await returns(hub).ListAllReturns(pb.ListAllReturnsRequest(page_size=1), metadata=staff(hub))
    rest = await returns(hub).ListAllReturns(
        pb.ListAllReturnsRequest(page_size=1, page_token=paged.next_page_token), metadata=staff(hub)
    )
    assert [r.id for r in [*paged.returns, *rest.returns]] == [bens.id, avas.id] and not rest.next_page_token

    # Ids that cannot be returns are INVALID_ARGUMENT; well-formed unknown ones NOT_FOUND.
    await expect_error(
        returns(hub).GetAnyReturn(pb.GetAnyReturnRequest(return_id="x"), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    await expect_error(
        returns(hub).GetAnyReturn(pb.GetAnyReturnRequest(return_id="RET-0000000000000000-1"), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )


async def test_a_refund_the_payment_refuses_can_be_retried_with_another_amount(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1)
    ava = await a_shopper(hub, "ava-refused")
    order = await a_delivered_order(hub, ava, {sku: 1})
    created = await returns(hub).CreateReturn(create_request(order.id, {sku: 1}), metadata=ava.me)
    await returns(hub).ApproveReturn(pb.ApproveReturnRequest(return_id=created.id), metadata=admin(hub))
    await returns(hub).ReceiveReturn(pb.ReceiveReturnRequest(return_id=created.id), metadata=staff(hub))
    await returns(hub).RestockReturn(pb.RestockReturnRequest(return_id=created.id), metadata=staff(hub))

    # An admin refunded most of the payment directly: less is left than the return is worth.
    payments = payments_grpc.PaymentServiceStub(hub.channel)
    await payments.RefundPayment(
        payments_pb.RefundPaymentRequest(
            payment_id=order.payment_id, amount=round(order.total - 1.0, 2), reason="goodwill", request_id="gw-1"
        ),
        metadata=admin(hub),
    )
    refused = await expect_error(
        returns(hub).RefundReturn(pb.RefundReturnRequest(return_id=created.id), metadata=admin(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(refused) == "AMOUNT_MISMATCH"
    still = await returns(hub).GetAnyReturn(pb.GetAnyReturnRequest(return_id=created.id), metadata=staff(hub))
    assert still.status == rpb.RETURN_STATUS_RESTOCKED

    refunded = await returns(hub).RefundReturn(
        pb.RefundReturnRequest(return_id=created.id, amount=1.0), metadata=admin(hub)
    )
    assert (refunded.status, refunded.refund_amount) == (rpb.RETURN_STATUS_REFUNDED, 1.0)
    payment = await payments.GetPayment(payments_pb.GetPaymentRequest(payment_id=order.payment_id), metadata=ava.me)
    assert payment.status == payment_pb2.PAYMENT_STATUS_REFUNDED and payment.amount_refunded == order.total
    assert (await get_order(hub, order.id)).status == order_pb2.ORDER_STATUS_RETURNED


# --- the order's returned units -----------------------------------------------------------------


async def test_each_partial_return_raises_the_lines_returned_units_and_repeats_never_add(hub: Hub) -> None:
    sku_a, sku_b = await stocked_products(hub, 2)
    ava = await a_shopper(hub, "ava-units")
    order = await a_delivered_order(hub, ava, {sku_a: 3, sku_b: 1})
    events_before = await order_events(hub, order)

    # First partial return: the order moves to partially_returned (one OrderStatusChanged).
    await refund_a_return(hub, ava, order.id, {sku_a: 1})
    first = await get_order(hub, order.id)
    assert first.status == order_pb2.ORDER_STATUS_PARTIALLY_RETURNED
    assert returned_units(first) == {sku_a: 1, sku_b: 0}
    after_first = await order_events(hub, order)
    assert after_first == sorted([*events_before, "OrderStatusChanged"])

    # Second partial return while already partially_returned: the units grow, no status event.
    await refund_a_return(hub, ava, order.id, {sku_a: 1})
    second = await get_order(hub, order.id)
    assert second.status == order_pb2.ORDER_STATUS_PARTIALLY_RETURNED
    assert returned_units(second) == {sku_a: 2, sku_b: 0}
    assert await order_events(hub, order) == after_first

    # A repeat of the same counts, or an older, lower report arriving late, changes nothing.
    partial = order_pb2.ORDER_STATUS_PARTIALLY_RETURNED
    for stale in ({sku_a: 2}, {sku_a: 1, sku_b: 0}, {sku_a: 0}):
        same = await orders(hub).UpdateOrderStatus(returned_request(order.id, partial, stale), metadata=staff(hub))
        assert returned_units(same) == {sku_a: 2, sku_b: 0} and same.etag == second.etag

    # The rest: everything returned, every line shows all its units.
    await refund_a_return(hub, ava, order.id, {sku_a: 1, sku_b: 1})
    final = await get_order(hub, order.id)
    assert final.status == order_pb2.ORDER_STATUS_RETURNED
    assert returned_units(final) == {sku_a: 3, sku_b: 1}
    again = await orders(hub).UpdateOrderStatus(
        returned_request(order.id, order_pb2.ORDER_STATUS_RETURNED, {sku_a: 3, sku_b: 1}), metadata=staff(hub)
    )
    assert again.etag == final.etag


async def test_returned_items_are_validated_with_field_violations(hub: Hub) -> None:
    sku_a, sku_b = await stocked_products(hub, 2)
    ava = await a_shopper(hub, "ava-bad-units")
    order = await a_delivered_order(hub, ava, {sku_a: 2})
    partial, returned = order_pb2.ORDER_STATUS_PARTIALLY_RETURNED, order_pb2.ORDER_STATUS_RETURNED

    async def refused(request: orders_pb.UpdateOrderStatusRequest) -> dict[str, str]:
        error = await expect_error(
            orders(hub).UpdateOrderStatus(request, metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
        )
        return violated_fields(error)

    # Only with a return status (checked before the order is read).
    wrong = await refused(returned_request(order.id, order_pb2.ORDER_STATUS_SHIPPED, {sku_a: 1}))
    assert list(wrong) == ["returned_items"]
    # At most the units ordered; a product of the order; named once; not negative; named at all.
    assert list(await refused(returned_request(order.id, partial, {sku_a: 3}))) == ["returned_items[0].quantity"]
    assert list(await refused(returned_request(order.id, returned, {sku_b: 1}))) == ["returned_items[0].product_id"]
    twice = orders_pb.UpdateOrderStatusRequest(
        order_id=order.id,
        status=partial,
        returned_items=[orders_pb.ReturnedItem(product_id=sku_a, quantity=1)] * 2,
    )
    assert list(await refused(twice)) == ["returned_items[1].product_id"]
    assert list(await refused(returned_request(order.id, partial, {sku_a: -1}))) == ["returned_items[0].quantity"]
    assert list(await refused(returned_request(order.id, partial, {"": 1}))) == ["returned_items[0].product_id"]

    # Nothing was stored; a valid update records the units with the status.
    unchanged = await get_order(hub, order.id)
    assert unchanged.status == order_pb2.ORDER_STATUS_DELIVERED and returned_units(unchanged) == {sku_a: 0}
    moved = await orders(hub).UpdateOrderStatus(returned_request(order.id, partial, {sku_a: 1}), metadata=staff(hub))
    assert moved.status == partial and returned_units(moved) == {sku_a: 1}


# --- exact amounts: the minor-unit twins -------------------------------------------------------


async def test_a_return_is_refunded_with_an_exact_minor_unit_amount(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1)
    ava = await a_shopper(hub, "ava-exact")
    order = await a_delivered_order(hub, ava, {sku: 2})
    created = await returns(hub).CreateReturn(create_request(order.id, {sku: 2}), metadata=ava.me)
    assert created.refund_amount_minor == to_minor(created.refund_amount, created.currency_code) > 129
    await returns(hub).ApproveReturn(pb.ApproveReturnRequest(return_id=created.id), metadata=admin(hub))
    await returns(hub).ReceiveReturn(pb.ReceiveReturnRequest(return_id=created.id), metadata=staff(hub))
    await returns(hub).RestockReturn(pb.RestockReturnRequest(return_id=created.id), metadata=staff(hub))

    async def refused_fields(**fields: Any) -> dict[str, str]:
        request = pb.RefundReturnRequest(return_id=created.id, **fields)
        refused = await expect_error(
            returns(hub).RefundReturn(request, metadata=admin(hub)), grpc.StatusCode.INVALID_ARGUMENT
        )
        return violated_fields(refused)

    assert set(await refused_fields(amount=1.29, amount_minor=128)) == {"amount", "amount_minor"}
    assert set(await refused_fields(amount_minor=0)) == {"amount_minor"}
    assert set(await refused_fields(amount_minor=-129)) == {"amount_minor"}

    refunded = await returns(hub).RefundReturn(
        pb.RefundReturnRequest(return_id=created.id, amount=1.29, amount_minor=129, note="fee kept"),
        metadata=admin(hub),
    )
    assert (refunded.status, refunded.refund_amount, refunded.refund_amount_minor) == (
        rpb.RETURN_STATUS_REFUNDED,
        1.29,
        129,
    )
    # The return asked payments for the exact amount; payment and order show it in both forms.
    payments = payments_grpc.PaymentServiceStub(hub.channel)
    refunds = await payments.ListRefunds(
        payments_pb.ListRefundsRequest(payment_id=order.payment_id), metadata=staff(hub)
    )
    assert [(r.amount_minor, r.amount) for r in refunds.refunds] == [(129, 1.29)]
    payment = await payments.GetPayment(payments_pb.GetPaymentRequest(payment_id=order.payment_id), metadata=ava.me)
    assert (payment.amount_refunded_minor, payment.amount_minor) == (129, order.total_minor)
    after = await get_order(hub, order.id)
    assert (after.amount_refunded_minor, after.amount_refunded) == (129, 1.29)
