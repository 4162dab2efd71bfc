"""Checkout and orders over real gRPC, against the real cart, users, catalog and inventory services:
validation, placing orders (idempotent, stock reserved, cart cleared), the lifecycle, ownership."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf import timestamp_pb2

from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import checkout_pb2, order_pb2
from holidaypeak.commerce.v1 import checkout_service_pb2 as checkout_pb
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from hph.runtime.money import to_minor
from hph.services.orders.expiry import OverdueOrderSweeper
from tests.support.events import published
from tests.support.platform_harness import Hub
from tests.support.rich_status import details, expect_error, reason, violated_fields
from tests.support.shoppers import APPROVED_CARD, HOME, Shopper, a_shopper, staff
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

HUB_SERVICES = ("catalog", "users", "inventory", "cart", "checkout", "orders")
_shoppers = itertools.count(1)
Issue = checkout_pb2.CheckoutIssueCode


async def new_shopper(hub: Hub, *, with_address: bool = True, with_card: bool = True) -> Shopper:
    """A fresh customer (not registered), with the home address and an approved card unless told not to."""
    return await a_shopper(
        hub,
        f"shopper-{next(_shoppers)}",
        cards=(APPROVED_CARD,) if with_card else (),
        address=HOME if with_address else None,
        register=False,
    )


def inventory(hub: Hub) -> inventory_grpc.InventoryServiceStub:
    return inventory_grpc.InventoryServiceStub(hub.channel)


async def stocked_skus(hub: Hub, count: int, *, at_least: int = 30) -> list[str]:
    """Active products with plenty of stock, taken from the seeded inventory."""
    page = await inventory(hub).ListInventoryItems(
        inventory_pb.ListInventoryItemsRequest(page_size=100), metadata=staff(hub)
    )
    skus = [item.sku for item in page.inventory_items if item.quantity_available >= at_least]
    assert len(skus) >= count
    return skus[:count]


async def reserved(hub: Hub, sku: str) -> int:
    item = await inventory(hub).GetInventoryItem(inventory_pb.GetInventoryItemRequest(sku=sku), metadata=staff(hub))
    return int(item.quantity_reserved)


async def set_stock(hub: Hub, sku: str, on_hand: int) -> None:
    await inventory(hub).UpdateInventoryItem(
        inventory_pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand=on_hand, reason="cycle count"),
        metadata=staff(hub),
    )


def codes(issues: object) -> list[int]:
    return [issue.code for issue in issues]  # type: ignore[attr-defined]


# --- checkout --------------------------------------------------------------------------------


async def test_validate_reports_an_empty_cart_and_missing_or_unknown_choices(hub: Hub) -> None:
    shopper = await new_shopper(hub, with_address=False, with_card=False)
    bare = await shopper.checkout.ValidateCheckout(checkout_pb.ValidateCheckoutRequest(), metadata=shopper.me)
    assert not bare.valid
    assert codes(bare.errors) == [Issue.CHECKOUT_ISSUE_CODE_CART_EMPTY]
    assert codes(bare.warnings) == [
        Issue.CHECKOUT_ISSUE_CODE_SHIPPING_ADDRESS_REQUIRED,
        Issue.CHECKOUT_ISSUE_CODE_PAYMENT_METHOD_REQUIRED,
    ]
    assert bare.currency_code == "USD" and bare.estimated_total == bare.estimated_shipping > 0

    [sku] = await stocked_skus(hub, 1)
    await shopper.add(sku, 1)
    unknown = await shopper.checkout.ValidateCheckout(
        checkout_pb.ValidateCheckoutRequest(
            shipping_address_id="adr_0000000000000000", payment_method_id="pmt_0000000000000000"
        ),
        metadata=shopper.me,
    )
    assert not unknown.valid
    assert codes(unknown.errors) == [
        Issue.CHECKOUT_ISSUE_CODE_SHIPPING_ADDRESS_INVALID,
        Issue.CHECKOUT_ISSUE_CODE_PAYMENT_METHOD_INVALID,
    ]
    assert [e.field for e in unknown.errors] == ["shipping_address_id", "payment_method_id"]

    refused = await expect_error(
        shopper.checkout.QuoteCheckout(checkout_pb.QuoteCheckoutRequest(), metadata=shopper.me),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(refused) == "SHIPPING_ADDRESS_REQUIRED"


async def test_validate_and_quote_price_the_cart_with_shipping_and_tax(hub: Hub) -> None:
    shopper = await new_shopper(hub)
    first, second = await stocked_skus(hub, 2)
    await shopper.add(first, 2)
    await shopper.add(second, 1)
    result = await shopper.checkout.ValidateCheckout(checkout_pb.ValidateCheckoutRequest(), metadata=shopper.me)
    assert result.valid, result.errors
    assert result.shipping_option == "standard"
    assert [o.id for o in result.shipping_options] == ["standard", "express"]
    cart = await shopper.cart.GetCart(cart_pb.GetCartRequest(), metadata=shopper.me)
    assert result.subtotal == cart.subtotal
    subtotal = to_minor(result.subtotal, "USD")
    assert to_minor(result.estimated_tax, "USD") == round(subtotal * 0.0725)  # San Francisco, CA
    assert to_minor(result.estimated_total, "USD") == subtotal + to_minor(result.estimated_shipping, "USD") + to_minor(
        result.estimated_tax, "USD"
    )

    quote = await shopper.checkout.QuoteCheckout(
        checkout_pb.QuoteCheckoutRequest(shipping_option="express"), metadata=shopper.me
    )
    assert [line.product_id for line in quote.lines] == [first, second]
    assert quote.selected_shipping_option.id == "express"
    assert quote.shipping_address.city == "San Francisco"
    assert quote.total == round(quote.subtotal + quote.shipping + quote.tax, 2)

    other = await new_shopper(hub)
    denied = await expect_error(
        other.checkout.ValidateCheckout(checkout_pb.ValidateCheckoutRequest(user_id=shopper.sub), metadata=other.me),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    assert denied.details()
    for_staff = await shopper.checkout.ValidateCheckout(
        checkout_pb.ValidateCheckoutRequest(user_id=shopper.sub), metadata=staff(hub)
    )
    assert for_staff.subtotal == result.subtotal
    # What cannot be a user id is the caller's mistake, named, never the cart service "unavailable".
    for bad in ("a/b", "x" * 300):
        refused = await expect_error(
            shopper.checkout.ValidateCheckout(checkout_pb.ValidateCheckoutRequest(user_id=bad), metadata=staff(hub)),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        assert list(violated_fields(refused)) == ["user_id"]


# --- placing orders --------------------------------------------------------------------------


async def test_an_order_is_placed_from_the_cart_with_stock_held_and_replayed_on_retry(hub: Hub) -> None:
    events = published(hub, "order-events")
    shopper = await new_shopper(hub)
    first, second = await stocked_skus(hub, 2)
    await shopper.add(first, 3)
    await shopper.add(second, 1)
    before = {sku: await reserved(hub, sku) for sku in (first, second)}
    estimate = await shopper.checkout.ValidateCheckout(checkout_pb.ValidateCheckoutRequest(), metadata=shopper.me)

    order = await shopper.place("order-key-1", expected_total=estimate.estimated_total)
    assert order.status == order_pb2.ORDER_STATUS_PENDING
    assert order.payment_status == order_pb2.ORDER_PAYMENT_STATUS_UNPAID
    assert order.user_id == shopper.sub
    assert [(i.product_id, i.quantity) for i in order.items] == [(first, 3), (second, 1)]
    assert (order.subtotal, order.shipping, order.tax, order.total) == (
        estimate.subtotal,
        estimate.estimated_shipping,
        estimate.estimated_tax,
        estimate.estimated_total,
    )
    assert order.shipping_address.line1 == HOME["line1"] and order.shipping_address_id == shopper.address_id
    assert order.reservation_id and order.HasField("payment_due_at")
    assert await reserved(hub, first) == before[first] + 3
    assert await reserved(hub, second) == before[second] + 1
    cart = await shopper.cart.GetCart(cart_pb.GetCartRequest(), metadata=shopper.me)
    assert not cart.items

    replay = await shopper.place("order-key-1", expected_total=estimate.estimated_total)
    assert replay == order
    assert await reserved(hub, first) == before[first] + 3  # nothing reserved twice
    stored = await shopper.orders.GetOrder(orders_pb.GetOrderRequest(order_id=order.id), metadata=shopper.me)
    assert stored.id == order.id and stored.etag

    reused = await expect_error(shopper.place("order-key-1"), grpc.StatusCode.INVALID_ARGUMENT)
    assert reason(reused) == "IDEMPOTENCY_KEY_REUSED"
    assert "request_id" in violated_fields(reused)

    listed = await shopper.orders.ListOrders(orders_pb.ListOrdersRequest(), metadata=shopper.me)
    assert [o.id for o in listed.orders] == [order.id]
    await eventually(lambda: len([e for e in events if e.order_created.order_id == order.id]) == 1)
    created = next(e for e in events if e.WhichOneof("payload") == "order_created").order_created
    assert created.total_minor == to_minor(order.total, "USD") and created.ship_to_region == "CA"


async def test_the_key_is_required_and_the_header_works_like_the_field(hub: Hub) -> None:
    shopper = await new_shopper(hub)
    [sku] = await stocked_skus(hub, 1)
    await shopper.add(sku, 1)
    missing = await expect_error(shopper.place(""), grpc.StatusCode.INVALID_ARGUMENT)
    assert "request_id" in violated_fields(missing)
    by_header = (*shopper.me, ("idempotency-key", "header-key"))
    order = await shopper.orders.CreateOrder(shopper.order_request(""), metadata=by_header)
    again = await shopper.orders.CreateOrder(shopper.order_request("header-key"), metadata=shopper.me)
    assert again == order


async def test_the_same_order_sent_20_times_in_parallel_creates_one_order(hub: Hub) -> None:
    shopper = await new_shopper(hub)
    [sku] = await stocked_skus(hub, 1)
    await shopper.add(sku, 2)
    before = await reserved(hub, sku)

    outcomes = await asyncio.gather(*(shopper.place("same-key") for _ in range(20)), return_exceptions=True)
    placed = [o for o in outcomes if isinstance(o, order_pb2.Order)]
    failed = [o for o in outcomes if not isinstance(o, order_pb2.Order)]
    assert placed, failed
    assert len({o.id for o in placed}) == 1
    for error in failed:
        assert isinstance(error, grpc.aio.AioRpcError)
        assert error.code() == grpc.StatusCode.ABORTED and reason(error) == "REQUEST_IN_FLIGHT"
    listed = await shopper.orders.ListOrders(orders_pb.ListOrdersRequest(), metadata=shopper.me)
    assert len(listed.orders) == 1
    assert await reserved(hub, sku) == before + 2
    # A retry after the dust settles replays the one order.
    assert (await shopper.place("same-key")).id == placed[0].id


async def test_refusals_release_the_key_so_a_corrected_retry_succeeds(hub: Hub) -> None:
    shopper = await new_shopper(hub)
    [sku] = await stocked_skus(hub, 1)
    empty = await expect_error(shopper.place("retry-key"), grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(empty) == "CART_EMPTY"

    await shopper.add(sku, 5)
    await set_stock(hub, sku, await reserved(hub, sku) + 2)  # only 2 left for this cart of 5
    validated = await shopper.checkout.ValidateCheckout(checkout_pb.ValidateCheckoutRequest(), metadata=shopper.me)
    assert codes(validated.errors) == [Issue.CHECKOUT_ISSUE_CODE_INSUFFICIENT_STOCK]
    short = await expect_error(shopper.place("retry-key"), grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(short) == "OUT_OF_STOCK"
    assert any(sku in str(detail) for detail in details(short))
    cart = await shopper.cart.GetCart(cart_pb.GetCartRequest(), metadata=shopper.me)
    assert len(cart.items) == 1  # a refused order leaves the cart alone

    mismatch = await expect_error(shopper.place("retry-key", expected_total=0.01), grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(mismatch) in {"AMOUNT_MISMATCH", "OUT_OF_STOCK"}

    unknown = await expect_error(
        shopper.orders.CreateOrder(
            orders_pb.CreateOrderRequest(shipping_address_id="adr_0000000000000000", request_id="retry-key"),
            metadata=shopper.me,
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(unknown) == "SHIPPING_ADDRESS_INVALID"

    await set_stock(hub, sku, await reserved(hub, sku) + 50)
    order = await shopper.place("retry-key")
    assert order.items[0].quantity == 5


# --- lifecycle -------------------------------------------------------------------------------


async def test_cancelling_a_pending_order_gives_the_stock_back(hub: Hub) -> None:
    events = published(hub, "order-events")
    shopper = await new_shopper(hub)
    [sku] = await stocked_skus(hub, 1)
    await shopper.add(sku, 4)
    before = await reserved(hub, sku)
    order = await shopper.place("cancel-me")
    assert await reserved(hub, sku) == before + 4

    cancelled = await shopper.orders.CancelOrder(
        orders_pb.CancelOrderRequest(order_id=order.id, reason="changed my mind"), metadata=shopper.me
    )
    assert cancelled.status == order_pb2.ORDER_STATUS_CANCELLED
    assert cancelled.cancel_reason == "changed my mind" and cancelled.HasField("cancelled_at")
    assert not cancelled.HasField("payment_due_at")
    assert await reserved(hub, sku) == before
    again = await shopper.orders.CancelOrder(orders_pb.CancelOrderRequest(order_id=order.id), metadata=shopper.me)
    assert again.status == order_pb2.ORDER_STATUS_CANCELLED and again.etag == cancelled.etag

    illegal = await expect_error(
        shopper.orders.UpdateOrderStatus(
            orders_pb.UpdateOrderStatusRequest(order_id=order.id, status=order_pb2.ORDER_STATUS_FULFILLING),
            metadata=staff(hub),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(illegal) == "ILLEGAL_TRANSITION"
    await eventually(lambda: any(e.order_cancelled.order_id == order.id for e in events))
    event = next(e.order_cancelled for e in events if e.order_cancelled.order_id == order.id)
    assert event.refund_minor == 0 and event.actor_id == shopper.sub


async def test_payment_fulfilment_and_illegal_transitions(hub: Hub) -> None:
    events = published(hub, "order-events")
    shopper = await new_shopper(hub)
    [sku] = await stocked_skus(hub, 1)
    await shopper.add(sku, 1)
    order = await shopper.place("lifecycle")
    orders = shopper.orders

    async def move(status: int) -> order_pb2.Order:
        return await orders.UpdateOrderStatus(
            orders_pb.UpdateOrderStatusRequest(order_id=order.id, status=status),  # type: ignore[arg-type]
            metadata=staff(hub),
        )

    too_early = await expect_error(move(order_pb2.ORDER_STATUS_SHIPPED), grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(too_early) == "ILLEGAL_TRANSITION"
    await expect_error(
        orders.UpdateOrderStatus(
            orders_pb.UpdateOrderStatusRequest(order_id=order.id, status=order_pb2.ORDER_STATUS_FULFILLING),
            metadata=shopper.me,
        ),
        grpc.StatusCode.PERMISSION_DENIED,
    )

    def record(status: int, payment_id: str = "pay_1", refunded: float = 0.0) -> Awaitable[order_pb2.Order]:
        return orders.RecordOrderPayment(
            orders_pb.RecordOrderPaymentRequest(
                order_id=order.id,
                payment_id=payment_id,
                payment_status=status,  # type: ignore[arg-type]
                amount_refunded=refunded,
            ),
            metadata=staff(hub),
        )

    failed = await record(order_pb2.ORDER_PAYMENT_STATUS_FAILED, "pay_0")
    assert failed.status == order_pb2.ORDER_STATUS_PENDING
    assert failed.payment_status == order_pb2.ORDER_PAYMENT_STATUS_FAILED
    paid = await record(order_pb2.ORDER_PAYMENT_STATUS_PAID)
    assert paid.status == order_pb2.ORDER_STATUS_PAID and paid.payment_id == "pay_1"
    assert (await record(order_pb2.ORDER_PAYMENT_STATUS_PAID)).etag == paid.etag
    late_failure = await record(order_pb2.ORDER_PAYMENT_STATUS_FAILED, "pay_0")
    assert late_failure.payment_status == order_pb2.ORDER_PAYMENT_STATUS_PAID
    twice = await expect_error(
        record(order_pb2.ORDER_PAYMENT_STATUS_PAID, "pay_2"), grpc.StatusCode.FAILED_PRECONDITION
    )
    assert reason(twice) == "ORDER_ALREADY_PAID"

    for status in (order_pb2.ORDER_STATUS_FULFILLING, order_pb2.ORDER_STATUS_SHIPPED, order_pb2.ORDER_STATUS_DELIVERED):
        moved = await move(status)
        assert moved.status == status
    assert moved.HasField("shipped_at") and moved.HasField("delivered_at")
    assert (await move(order_pb2.ORDER_STATUS_DELIVERED)).etag == moved.etag  # no change, no error
    too_late = await expect_error(
        orders.CancelOrder(orders_pb.CancelOrderRequest(order_id=order.id), metadata=shopper.me),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(too_late) == "ILLEGAL_TRANSITION"
    stale = await expect_error(
        orders.UpdateOrderStatus(
            orders_pb.UpdateOrderStatusRequest(
                order_id=order.id,
                status=order_pb2.ORDER_STATUS_RETURNED,
                etag=paid.etag,
            ),
            metadata=staff(hub),
        ),
        grpc.StatusCode.ABORTED,
    )
    assert stale.details()
    await eventually(
        lambda: (
            [e.order_status_changed.new_status for e in events if e.order_status_changed.order_id == order.id]
            == [1, 2, 3, 4, 5]
        )
    )


async def test_cancelling_a_paid_order_asks_for_a_refund(hub: Hub) -> None:
    events = published(hub, "order-events")
    shopper = await new_shopper(hub)
    [sku] = await stocked_skus(hub, 1)
    await shopper.add(sku, 2)
    before = await reserved(hub, sku)
    order = await shopper.place("paid-then-cancelled")
    await shopper.orders.RecordOrderPayment(
        orders_pb.RecordOrderPaymentRequest(
            order_id=order.id, payment_id="pay_9", payment_status=order_pb2.ORDER_PAYMENT_STATUS_PAID
        ),
        metadata=staff(hub),
    )
    cancelled = await shopper.orders.CancelOrder(orders_pb.CancelOrderRequest(order_id=order.id), metadata=staff(hub))
    assert cancelled.status == order_pb2.ORDER_STATUS_CANCELLED and cancelled.cancel_reason == "cancelled by staff"
    assert await reserved(hub, sku) == before
    await eventually(lambda: any(e.order_cancelled.order_id == order.id for e in events))
    event = next(e.order_cancelled for e in events if e.order_cancelled.order_id == order.id)
    assert event.refund_minor == to_minor(order.total, "USD") and event.previous_status == 2

    refunded = await shopper.orders.RecordOrderPayment(
        orders_pb.RecordOrderPaymentRequest(
            order_id=order.id,
            payment_id="pay_9",
            payment_status=order_pb2.ORDER_PAYMENT_STATUS_REFUNDED,
            amount_refunded=order.total,
        ),
        metadata=staff(hub),
    )
    assert refunded.payment_status == order_pb2.ORDER_PAYMENT_STATUS_REFUNDED
    assert refunded.amount_refunded == order.total
    late_paid = await expect_error(
        shopper.orders.RecordOrderPayment(
            orders_pb.RecordOrderPaymentRequest(
                order_id=order.id, payment_id="pay_10", payment_status=order_pb2.ORDER_PAYMENT_STATUS_PAID
            ),
            metadata=staff(hub),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(late_paid) == "ORDER_ALREADY_PAID"


# --- who sees what ---------------------------------------------------------------------------


async def test_customers_see_their_own_orders_and_staff_see_and_filter_all(hub: Hub) -> None:
    ava, bo = await new_shopper(hub), await new_shopper(hub)
    [sku] = await stocked_skus(hub, 1)
    await ava.add(sku, 1)
    ava_order = await ava.place("a-1")
    await bo.add(sku, 1)
    bo_order = await bo.place("b-1")
    await bo.orders.CancelOrder(orders_pb.CancelOrderRequest(order_id=bo_order.id), metadata=bo.me)

    hidden = await expect_error(
        bo.orders.GetOrder(orders_pb.GetOrderRequest(order_id=ava_order.id), metadata=bo.me),
        grpc.StatusCode.NOT_FOUND,
    )
    made_up = "ORD-0000000000000000"
    absent = await expect_error(
        bo.orders.GetOrder(orders_pb.GetOrderRequest(order_id=made_up), metadata=bo.me), grpc.StatusCode.NOT_FOUND
    )
    # Someone else's order is indistinguishable from one that does not exist.
    assert hidden.details() == (absent.details() or "").replace(made_up, ava_order.id)
    await expect_error(
        bo.orders.CancelOrder(orders_pb.CancelOrderRequest(order_id=ava_order.id), metadata=bo.me),
        grpc.StatusCode.NOT_FOUND,
    )
    mine = await bo.orders.ListOrders(orders_pb.ListOrdersRequest(), metadata=bo.me)
    assert [o.id for o in mine.orders] == [bo_order.id]
    only_pending = await bo.orders.ListOrders(
        orders_pb.ListOrdersRequest(status=[order_pb2.ORDER_STATUS_PENDING]), metadata=bo.me
    )
    assert not only_pending.orders
    await expect_error(
        ava.orders.ListAllOrders(orders_pb.ListAllOrdersRequest(), metadata=ava.me), grpc.StatusCode.PERMISSION_DENIED
    )

    seen = await ava.orders.GetOrder(orders_pb.GetOrderRequest(order_id=ava_order.id), metadata=staff(hub))
    assert seen.user_id == ava.sub
    everyone = await ava.orders.ListAllOrders(orders_pb.ListAllOrdersRequest(), metadata=staff(hub))
    assert [o.id for o in everyone.orders][:2] == [bo_order.id, ava_order.id]  # newest first
    by_user = await ava.orders.ListAllOrders(orders_pb.ListAllOrdersRequest(user_id=ava.sub), metadata=staff(hub))
    assert [o.id for o in by_user.orders] == [ava_order.id]
    cancelled = await ava.orders.ListAllOrders(
        orders_pb.ListAllOrdersRequest(status=[order_pb2.ORDER_STATUS_CANCELLED]), metadata=staff(hub)
    )
    assert [o.id for o in cancelled.orders] == [bo_order.id]
    unpaid = await ava.orders.ListAllOrders(
        orders_pb.ListAllOrdersRequest(payment_status=[order_pb2.ORDER_PAYMENT_STATUS_UNPAID], page_size=1),
        metadata=staff(hub),
    )
    assert len(unpaid.orders) == 1 and unpaid.next_page_token
    rest = await ava.orders.ListAllOrders(
        orders_pb.ListAllOrdersRequest(
            payment_status=[order_pb2.ORDER_PAYMENT_STATUS_UNPAID], page_size=1, page_token=unpaid.next_page_token
        ),
        metadata=staff(hub),
    )
    assert rest.orders[0].id != unpaid.orders[0].id

    def stamp(moment: datetime) -> timestamp_pb2.Timestamp:
        value = timestamp_pb2.Timestamp()
        value.FromDatetime(moment)
        return value

    future = await ava.orders.ListAllOrders(
        orders_pb.ListAllOrdersRequest(created_after=stamp(datetime.now(UTC) + timedelta(hours=1))),
        metadata=staff(hub),
    )
    assert not future.orders
    past = await ava.orders.ListAllOrders(
        orders_pb.ListAllOrdersRequest(created_before=stamp(datetime.now(UTC) + timedelta(hours=1))),
        metadata=staff(hub),
    )
    assert {ava_order.id, bo_order.id} <= {o.id for o in past.orders}
    backwards = await expect_error(
        ava.orders.ListAllOrders(
            orders_pb.ListAllOrdersRequest(
                created_after=stamp(datetime.now(UTC)), created_before=stamp(datetime.now(UTC) - timedelta(days=1))
            ),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "created_before" in violated_fields(backwards)


async def test_unpaid_orders_are_cancelled_once_payment_is_overdue(hub: Hub) -> None:
    shopper = await new_shopper(hub)
    [sku] = await stocked_skus(hub, 1)
    before = await reserved(hub, sku)
    await shopper.add(sku, 1)
    unpaid = await shopper.place("overdue")
    await shopper.add(sku, 1)
    paid = await shopper.place("paid-in-time")
    await shopper.orders.RecordOrderPayment(
        orders_pb.RecordOrderPaymentRequest(
            order_id=paid.id, payment_id="pay_5", payment_status=order_pb2.ORDER_PAYMENT_STATUS_PAID
        ),
        metadata=staff(hub),
    )
    [sweeper] = [task for task in hub.platform.deps.background if isinstance(task, OverdueOrderSweeper)]
    assert await sweeper.sweep_once() == 0  # nothing is due yet
    due = unpaid.payment_due_at.ToDatetime(tzinfo=UTC)
    assert await sweeper.sweep_once(now=due + timedelta(minutes=5)) == 1

    swept = await shopper.orders.GetOrder(orders_pb.GetOrderRequest(order_id=unpaid.id), metadata=shopper.me)
    assert swept.status == order_pb2.ORDER_STATUS_CANCELLED and swept.cancel_reason == "payment not received"
    kept = await shopper.orders.GetOrder(orders_pb.GetOrderRequest(order_id=paid.id), metadata=shopper.me)
    assert kept.status == order_pb2.ORDER_STATUS_PAID
    assert await reserved(hub, sku) == before + 1  # only the paid order's unit is still reserved
    assert await sweeper.sweep_once(now=due + timedelta(minutes=5)) == 0


# --- exact amounts: the minor-unit twins -------------------------------------------------------


async def test_the_shown_total_is_sent_back_exactly_in_minor_units(hub: Hub) -> None:
    shopper = await new_shopper(hub)
    [sku] = await stocked_skus(hub, 1)
    await shopper.add(sku, 3)
    estimate = await shopper.checkout.ValidateCheckout(checkout_pb.ValidateCheckoutRequest(), metadata=shopper.me)
    quote = await shopper.checkout.QuoteCheckout(checkout_pb.QuoteCheckoutRequest(), metadata=shopper.me)
    assert (quote.subtotal_minor, quote.shipping_minor, quote.tax_minor, quote.total_minor) == (
        estimate.subtotal_minor,
        estimate.estimated_shipping_minor,
        estimate.estimated_tax_minor,
        estimate.estimated_total_minor,
    )
    assert (
        quote.total_minor
        == to_minor(quote.total, "USD")
        == quote.subtotal_minor + quote.shipping_minor + quote.tax_minor
    )

    disagree = await expect_error(
        shopper.place("exact", expected_total=quote.total, expected_total_minor=quote.total_minor + 1),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(disagree)) == {"expected_total", "expected_total_minor"}
    negative = await expect_error(shopper.place("exact", expected_total_minor=-1), grpc.StatusCode.INVALID_ARGUMENT)
    assert set(violated_fields(negative)) == {"expected_total_minor"}
    mismatch = await expect_error(
        shopper.place("exact", expected_total_minor=quote.total_minor - 1), grpc.StatusCode.FAILED_PRECONDITION
    )
    assert reason(mismatch) == "AMOUNT_MISMATCH"
    cart = await shopper.cart.GetCart(cart_pb.GetCartRequest(), metadata=shopper.me)
    assert len(cart.items) == 1  # nothing was placed

    order = await shopper.place("exact", expected_total_minor=quote.total_minor)
    assert (order.subtotal_minor, order.shipping_minor, order.tax_minor, order.total_minor) == (
        quote.subtotal_minor,
        quote.shipping_minor,
        quote.tax_minor,
        quote.total_minor,
    )
    assert (order.total, order.amount_refunded_minor) == (quote.total, 0)

    orders = shopper.orders

    def record(status: int, **amounts: object) -> Awaitable[order_pb2.Order]:
        return orders.RecordOrderPayment(
            orders_pb.RecordOrderPaymentRequest(
                order_id=order.id,
                payment_id="pay_exact",
                payment_status=status,  # type: ignore[arg-type]
                **amounts,  # type: ignore[arg-type]
            ),
            metadata=staff(hub),
        )

    await record(order_pb2.ORDER_PAYMENT_STATUS_PAID)
    partial = await record(order_pb2.ORDER_PAYMENT_STATUS_PARTIALLY_REFUNDED, amount_refunded_minor=129)
    assert (partial.amount_refunded_minor, partial.amount_refunded) == (129, 1.29)
    both = await record(
        order_pb2.ORDER_PAYMENT_STATUS_PARTIALLY_REFUNDED, amount_refunded=1.3, amount_refunded_minor=130
    )
    assert both.amount_refunded_minor == 130
    refused = await expect_error(
        record(order_pb2.ORDER_PAYMENT_STATUS_PARTIALLY_REFUNDED, amount_refunded=1.4, amount_refunded_minor=141),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(refused)) == {"amount_refunded", "amount_refunded_minor"}
    too_large = await expect_error(
        record(order_pb2.ORDER_PAYMENT_STATUS_REFUNDED, amount_refunded_minor=10**13 + 1),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(too_large)) == {"amount_refunded_minor"}
