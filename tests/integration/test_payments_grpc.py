"""Payments over real gRPC, with real orders, cart, inventory and users: charging, idempotency,
refunds, webhooks and who sees what. Orders are placed through the cart and CreateOrder."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.api import httpbody_pb2

from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as cart_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import order_pb2, payment_method_pb2, refund_pb2, reservation_pb2
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc
from holidaypeak.commerce.v1 import payment_pb2 as payment
from holidaypeak.commerce.v1 import payment_service_pb2 as pb
from holidaypeak.commerce.v1 import payment_service_pb2_grpc as pb_grpc
from hph.runtime import clock as clocks
from hph.runtime.money import to_minor
from hph.runtime.storage import And, Eq, Query
from hph.services.payments import rules
from hph.services.payments.ledger import CONTAINER, PARTITION_KEY_PATH
from hph.services.payments.providers import OfflinePaymentProvider, sign_stripe_payload
from hph.services.payments.providers.offline import CONTAINER as SIMULATOR
from hph.services.payments.providers.offline import PARTITION_KEY_PATH as SIMULATOR_KEY
from hph.services.payments.recovery import DEFAULT_GRACE, AbandonedPaymentSweeper
from tests.support.platform_harness import Hub, running_hub
from tests.support.rich_status import expect_error, reason, violated_fields
from tests.support.shoppers import Shopper, a_shopper, admin, staff, stocked_products

pytestmark = pytest.mark.integration

HUB_SERVICES = ("catalog", "users", "inventory", "cart", "checkout", "orders", "payments")
WEBHOOK_SECRET = "whsec_test_" + "a" * 32
# The `hub` fixture (conftest) configures a Stripe webhook secret.
HUB_SETTINGS = {"stripe_webhook_secret": WEBHOOK_SECRET}
PAYMENT_SUCCEEDED = "holidaypeak.events.v1.PaymentSucceeded"
PAYMENT_FAILED = "holidaypeak.events.v1.PaymentFailed"
REFUND_ISSUED = "holidaypeak.events.v1.RefundIssued"


def payments(hub: Hub) -> pb_grpc.PaymentServiceStub:
    return pb_grpc.PaymentServiceStub(hub.channel)


def orders(hub: Hub) -> orders_grpc.OrderServiceStub:
    return orders_grpc.OrderServiceStub(hub.channel)


async def a_stocked_product(hub: Hub) -> str:
    """An active product with plenty of stock (set by staff, so the tests never run short)."""
    [sku] = await stocked_products(hub, 1)
    return sku


async def an_order(hub: Hub, shopper: Shopper, sku: str, quantity: int = 2) -> order_pb2.Order:
    """A pending order placed the way the storefront does: cart, then CreateOrder."""
    cart = cart_grpc.CartServiceStub(hub.channel)
    await cart.AddCartItem(
        cart_pb.AddCartItemRequest(product_id=sku, quantity=quantity, request_id=uuid.uuid4().hex), metadata=shopper.me
    )
    order: order_pb2.Order = await orders(hub).CreateOrder(
        orders_pb.CreateOrderRequest(
            shipping_address_id=shopper.address_id,
            payment_method_id=shopper.card_id,
            request_id=uuid.uuid4().hex,
        ),
        metadata=shopper.me,
    )
    assert order.status == order_pb2.ORDER_STATUS_PENDING and order.total > 0
    return order


def pay_request(order: order_pb2.Order, method_id: str, key: str, **overrides: Any) -> pb.CreatePaymentRequest:
    fields: dict[str, Any] = {"order_id": order.id, "payment_method_id": method_id, "amount": order.total}
    fields.update(overrides)
    return pb.CreatePaymentRequest(request_id=key, **fields)


async def get_order(hub: Hub, shopper: Shopper, order_id: str) -> order_pb2.Order:
    order: order_pb2.Order = await orders(hub).GetOrder(
        orders_pb.GetOrderRequest(order_id=order_id), metadata=shopper.me
    )
    return order


async def reservation_status(hub: Hub, reservation_id: str) -> int:
    found = await inventory_grpc.InventoryServiceStub(hub.channel).GetReservation(
        inventory_pb.GetReservationRequest(reservation_id=reservation_id), metadata=staff(hub)
    )
    return int(found.status)


async def events(hub: Hub, user_id: str, event_type: str) -> int:
    container = await hub.platform.store.container(CONTAINER, PARTITION_KEY_PATH)
    return await container.count(Query(where=Eq("event_type", event_type)), partition_key=user_id)


async def simulator_charges(hub: Hub, order_id: str) -> int:
    container = await hub.platform.store.container(SIMULATOR, SIMULATOR_KEY)
    return await container.count(Query(where=And(Eq("kind", "payment"), Eq("metadata.order_id", order_id))))


# --- charging ----------------------------------------------------------------------------------


async def test_a_good_card_pays_the_order_and_confirms_its_stock(hub: Hub) -> None:
    shopper = await a_shopper(hub, "pays-well")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    paid = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_visa"], "pay-1"), metadata=shopper.me
    )
    assert paid.status == payment.PAYMENT_STATUS_SUCCEEDED
    assert (paid.order_id, paid.user_id, paid.amount, paid.currency_code) == (
        order.id,
        "pays-well",
        order.total,
        order.currency_code,
    )
    assert paid.transaction_id.startswith("pi_sim_") and paid.id.startswith("pay_")
    assert (paid.card_brand, paid.card_last4, paid.failure_code) == ("visa", "4242", "")
    assert paid.provider == payment_method_pb2.PAYMENT_PROVIDER_SIMULATOR
    assert paid.HasField("succeeded_at") and paid.client_secret == ""

    after = await get_order(hub, shopper, order.id)
    assert (after.status, after.payment_status, after.payment_id) == (
        order_pb2.ORDER_STATUS_PAID,
        order_pb2.ORDER_PAYMENT_STATUS_PAID,
        paid.id,
    )
    assert await reservation_status(hub, order.reservation_id) == reservation_pb2.RESERVATION_STATUS_CONFIRMED
    assert await events(hub, shopper.sub, PAYMENT_SUCCEEDED) == 1

    # A paid order takes no second payment, whatever the key.
    refused = await expect_error(
        payments(hub).CreatePayment(pay_request(order, shopper.cards["pm_card_visa"], "pay-2"), metadata=shopper.me),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(refused) == "ORDER_NOT_PAYABLE"
    assert await simulator_charges(hub, order.id) == 1


async def test_a_declined_card_fails_with_the_reason_and_leaves_the_order_pending(hub: Hub) -> None:
    shopper = await a_shopper(hub, "declined", cards=("pm_card_chargeDeclined", "pm_card_visa"))
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    declined = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_chargeDeclined"], "try-1"), metadata=shopper.me
    )
    assert declined.status == payment.PAYMENT_STATUS_FAILED
    assert declined.failure_code == "card_declined" and declined.failure_message
    after = await get_order(hub, shopper, order.id)
    assert (after.status, after.payment_status) == (
        order_pb2.ORDER_STATUS_PENDING,
        order_pb2.ORDER_PAYMENT_STATUS_FAILED,
    )
    assert await reservation_status(hub, order.reservation_id) == reservation_pb2.RESERVATION_STATUS_HELD
    assert await events(hub, shopper.sub, PAYMENT_FAILED) == 1

    # Retrying the declined request replays the decline; another card with a new key pays.
    again = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_chargeDeclined"], "try-1"), metadata=shopper.me
    )
    assert (again.id, again.status) == (declined.id, payment.PAYMENT_STATUS_FAILED)
    paid = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_visa"], "try-2"), metadata=shopper.me
    )
    assert paid.status == payment.PAYMENT_STATUS_SUCCEEDED
    assert (await get_order(hub, shopper, order.id)).status == order_pb2.ORDER_STATUS_PAID


async def test_the_amount_must_equal_the_order_total_in_its_currency(hub: Hub) -> None:
    shopper = await a_shopper(hub, "wrong-amount")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    method = shopper.cards["pm_card_visa"]
    for overrides in ({"amount": round(order.total + 0.01, 2)}, {"currency_code": "EUR"}):
        refused = await expect_error(
            payments(hub).CreatePayment(pay_request(order, method, uuid.uuid4().hex, **overrides), metadata=shopper.me),
            grpc.StatusCode.FAILED_PRECONDITION,
        )
        assert reason(refused) == "AMOUNT_MISMATCH"
        assert str(order.total) in refused.details() or "expected" in refused.details()
    mine = await payments(hub).ListPayments(pb.ListPaymentsRequest(), metadata=shopper.me)
    assert list(mine.payments) == [] and await simulator_charges(hub, order.id) == 0


async def test_requests_are_checked_field_by_field_and_need_an_idempotency_key(hub: Hub) -> None:
    shopper = await a_shopper(hub, "sloppy")
    bad = await expect_error(
        payments(hub).CreatePayment(pb.CreatePaymentRequest(amount=-1, currency_code="usd"), metadata=shopper.me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) == {"order_id", "payment_method_id", "amount", "currency_code", "request_id"}
    # The `idempotency-key` header is as good as request_id.
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    request = pay_request(order, shopper.cards["pm_card_visa"], "")
    paid = await payments(hub).CreatePayment(request, metadata=(*shopper.me, ("idempotency-key", "hdr-1")))
    assert paid.status == payment.PAYMENT_STATUS_SUCCEEDED
    replay = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_visa"], "hdr-1"), metadata=shopper.me
    )
    assert replay.id == paid.id


async def test_someone_elses_order_or_card_cannot_be_used(hub: Hub) -> None:
    sku = await a_stocked_product(hub)
    owner = await a_shopper(hub, "owner")
    other = await a_shopper(hub, "other")
    order = await an_order(hub, owner, sku)
    # Another customer's order is not found; another customer's card is not one of the caller's.
    await expect_error(
        payments(hub).CreatePayment(pay_request(order, other.cards["pm_card_visa"], "x"), metadata=other.me),
        grpc.StatusCode.NOT_FOUND,
    )
    wrong_card = await expect_error(
        payments(hub).CreatePayment(pay_request(order, other.cards["pm_card_visa"], "y"), metadata=owner.me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "payment_method_id" in violated_fields(wrong_card)
    assert await simulator_charges(hub, order.id) == 0


# --- idempotency -------------------------------------------------------------------------------


async def test_a_payment_retried_with_the_same_key_charges_once(hub: Hub) -> None:
    sku = await a_stocked_product(hub)
    shopper = await a_shopper(hub, "retries")
    order = await an_order(hub, shopper, sku)
    request = pay_request(order, shopper.cards["pm_card_visa"], "same-key")
    first = await payments(hub).CreatePayment(request, metadata=shopper.me)
    second = await payments(hub).CreatePayment(request, metadata=shopper.me)
    assert first.id == second.id and second.status == payment.PAYMENT_STATUS_SUCCEEDED
    assert await simulator_charges(hub, order.id) == 1
    assert await events(hub, shopper.sub, PAYMENT_SUCCEEDED) == 1

    # The same key for a different request is refused, and charges nothing.
    other = await expect_error(
        payments(hub).CreatePayment(
            pay_request(order, shopper.cards["pm_card_visa"], "same-key", amount=order.total + 1), metadata=shopper.me
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert reason(other) == "IDEMPOTENCY_KEY_REUSED"
    assert await simulator_charges(hub, order.id) == 1


LONG_AGO = "2020-01-01T00:00:00.000000Z"


async def left_by_a_crash(
    hub: Hub,
    shopper: Shopper,
    order: order_pb2.Order,
    key: str,
    *,
    claimed: bool = True,
    charged: bool = True,
    stored: str = rules.PENDING,
) -> str:
    """What a host that died mid-charge leaves behind, long ago: the payment (status `stored`, its
    lease run out, follow-ups not run), the order's claim on it when `claimed` (taken before the
    provider is called), and the provider's charge when `charged`. Returns the payment id."""
    method_id = shopper.cards["pm_card_visa"]
    payment_id = rules.payment_id_for_charge(shopper.sub, key)
    total_minor = to_minor(order.total, order.currency_code)
    transaction_id = ""
    if charged:
        simulator = await OfflinePaymentProvider.open(hub.platform.store)
        charge = await simulator.create_payment(
            amount_minor=total_minor,
            currency=order.currency_code,
            payment_method="pm_card_visa",
            customer_ref=shopper.sub,
            idempotency_key=rules.provider_key(payment_id),
            metadata={"payment_id": payment_id, "order_id": order.id},
        )
        transaction_id = charge.id if stored != rules.PENDING else ""
    container = await hub.platform.store.container(CONTAINER, PARTITION_KEY_PATH)
    if claimed:
        await container.create(
            {
                "id": rules.claim_id_for(order.id),
                "kind": "order_claim",
                "user_id": shopper.sub,
                "order_id": order.id,
                "payment_id": payment_id,
            }
        )
    await container.create(
        {
            "id": payment_id,
            "kind": "payment",
            "source": rules.SOURCE_CHARGE,
            "request": rules.charge_fingerprint(order.id, method_id, order.total, ""),
            "order_id": order.id,
            "user_id": shopper.sub,
            "reservation_id": order.reservation_id,
            "amount_minor": total_minor,
            "currency": order.currency_code,
            "status": stored,
            "provider": "offline",
            "payment_method_id": method_id,
            "provider_payment_method_id": "pm_card_visa",
            "card_brand": "visa",
            "card_last4": "4242",
            "transaction_id": transaction_id,
            "client_secret": "",
            "failure_code": "",
            "failure_message": "",
            "amount_refunded_minor": 0,
            "refunds": [],
            "lease_until": LONG_AGO if stored == rules.PENDING else "",
            "attempt": 1,
            "awaiting_provider": False,
            "order_recorded": False,
            "created_at": LONG_AGO,
            "updated_at": LONG_AGO,
            "succeeded_at": LONG_AGO if stored == rules.SUCCEEDED else "",
        }
    )
    return payment_id


async def test_a_retry_after_a_crash_between_charging_and_storing_charges_once(hub: Hub) -> None:
    shopper = await a_shopper(hub, "crashed")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    payment_id = await left_by_a_crash(hub, shopper, order, "crash-key")
    retried = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_visa"], "crash-key"), metadata=shopper.me
    )
    assert (retried.id, retried.status) == (payment_id, payment.PAYMENT_STATUS_SUCCEEDED)
    assert await simulator_charges(hub, order.id) == 1  # the provider replayed the first charge
    assert (await get_order(hub, shopper, order.id)).status == order_pb2.ORDER_STATUS_PAID
    assert await events(hub, shopper.sub, PAYMENT_SUCCEEDED) == 1


async def test_ten_parallel_sends_of_one_payment_charge_once(hub: Hub) -> None:
    sku = await a_stocked_product(hub)
    shopper = await a_shopper(hub, "impatient")
    order = await an_order(hub, shopper, sku)
    request = pay_request(order, shopper.cards["pm_card_visa"], "burst")
    outcomes = await asyncio.gather(
        *(payments(hub).CreatePayment(request, metadata=shopper.me) for _ in range(10)), return_exceptions=True
    )
    succeeded = [o for o in outcomes if isinstance(o, payment.Payment)]
    aborted = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert succeeded and len(succeeded) + len(aborted) == 10, outcomes
    assert {p.id for p in succeeded} == {succeeded[0].id}
    assert all(p.status == payment.PAYMENT_STATUS_SUCCEEDED for p in succeeded)
    assert {(e.code(), reason(e)) for e in aborted} <= {(grpc.StatusCode.ABORTED, "REQUEST_IN_FLIGHT")}
    # Once the first finished, a retry replays it.
    replay = await payments(hub).CreatePayment(request, metadata=shopper.me)
    assert (replay.id, replay.status) == (succeeded[0].id, payment.PAYMENT_STATUS_SUCCEEDED)
    assert await simulator_charges(hub, order.id) == 1
    assert await events(hub, shopper.sub, PAYMENT_SUCCEEDED) == 1


async def test_parallel_payments_of_one_order_with_different_keys_charge_it_once(hub: Hub) -> None:
    sku = await a_stocked_product(hub)
    shopper = await a_shopper(hub, "double-click")
    order = await an_order(hub, shopper, sku)
    method = shopper.cards["pm_card_visa"]
    outcomes = await asyncio.gather(
        *(payments(hub).CreatePayment(pay_request(order, method, f"k{i}"), metadata=shopper.me) for i in range(6)),
        return_exceptions=True,
    )
    succeeded = [o for o in outcomes if isinstance(o, payment.Payment)]
    refused = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert len(succeeded) == 1, outcomes
    assert {reason(e) for e in refused} <= {"PAYMENT_IN_PROGRESS", "ORDER_NOT_PAYABLE"}
    assert await simulator_charges(hub, order.id) == 1


# --- recovery: what a dead host left half done, with nobody retrying -------------------------------


async def recovery_sweeper(hub: Hub) -> AbandonedPaymentSweeper:
    """The hub's sweeper, stopped so that only the test's own passes run."""
    [sweeper] = [task for task in hub.platform.deps.background if isinstance(task, AbandonedPaymentSweeper)]
    await sweeper.stop()
    return sweeper


async def payment_doc(hub: Hub, shopper: Shopper, payment_id: str) -> dict[str, Any] | None:
    container = await hub.platform.store.container(CONTAINER, PARTITION_KEY_PATH)
    page = await container.query(Query(where=Eq("id", payment_id)), partition_key=shopper.sub, max_items=1)
    return page.items[0] if page.items else None


async def test_a_charge_abandoned_after_the_provider_charged_is_completed_without_a_retry(hub: Hub) -> None:
    sweeper = await recovery_sweeper(hub)
    shopper = await a_shopper(hub, "walked-away")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    payment_id = await left_by_a_crash(hub, shopper, order, "gone")

    assert await sweeper.sweep_once() == {"resumed": 1}
    doc = await payment_doc(hub, shopper, payment_id)
    assert doc is not None and (doc["status"], doc["order_recorded"]) == (rules.SUCCEEDED, True)
    assert await simulator_charges(hub, order.id) == 1  # the provider replayed its charge
    assert (await get_order(hub, shopper, order.id)).status == order_pb2.ORDER_STATUS_PAID
    assert await reservation_status(hub, order.reservation_id) == reservation_pb2.RESERVATION_STATUS_CONFIRMED
    assert await events(hub, shopper.sub, PAYMENT_SUCCEEDED) == 1
    assert await sweeper.sweep_once() == {}  # nothing left to do
    # The customer's late retry replays the outcome.
    retried = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_visa"], "gone"), metadata=shopper.me
    )
    assert (retried.id, retried.status) == (payment_id, payment.PAYMENT_STATUS_SUCCEEDED)
    assert await simulator_charges(hub, order.id) == 1


async def test_an_attempt_that_never_claimed_its_order_is_discarded_and_its_key_reusable(hub: Hub) -> None:
    sweeper = await recovery_sweeper(hub)
    shopper = await a_shopper(hub, "never-started")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    payment_id = await left_by_a_crash(hub, shopper, order, "unclaimed", claimed=False, charged=False)

    assert await sweeper.sweep_once() == {"discarded": 1}
    assert await payment_doc(hub, shopper, payment_id) is None
    assert await simulator_charges(hub, order.id) == 0
    assert (await get_order(hub, shopper, order.id)).status == order_pb2.ORDER_STATUS_PENDING
    paid = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_visa"], "unclaimed"), metadata=shopper.me
    )
    assert (paid.id, paid.status) == (payment_id, payment.PAYMENT_STATUS_SUCCEEDED)
    assert await simulator_charges(hub, order.id) == 1


async def test_a_stored_outcome_whose_follow_ups_never_ran_pays_the_order(hub: Hub) -> None:
    sweeper = await recovery_sweeper(hub)
    shopper = await a_shopper(hub, "half-recorded")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    payment_id = await left_by_a_crash(hub, shopper, order, "stored", stored=rules.SUCCEEDED)

    assert await sweeper.sweep_once() == {"completed": 1}
    assert (await get_order(hub, shopper, order.id)).status == order_pb2.ORDER_STATUS_PAID
    assert await reservation_status(hub, order.reservation_id) == reservation_pb2.RESERVATION_STATUS_CONFIRMED
    doc = await payment_doc(hub, shopper, payment_id)
    assert doc is not None and doc["order_recorded"] is True
    assert await simulator_charges(hub, order.id) == 1
    assert await sweeper.sweep_once() == {}


async def test_a_charge_recovered_after_its_order_was_cancelled_is_refunded(hub: Hub) -> None:
    sweeper = await recovery_sweeper(hub)
    shopper = await a_shopper(hub, "too-late")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    payment_id = await left_by_a_crash(hub, shopper, order, "late")
    await orders(hub).CancelOrder(
        orders_pb.CancelOrderRequest(order_id=order.id, reason="payment overdue", request_id="c-late"),
        metadata=shopper.me,
    )

    assert await sweeper.sweep_once() == {"resumed": 1}
    doc = await payment_doc(hub, shopper, payment_id)
    assert doc is not None and doc["status"] == rules.REFUNDED  # never charged for nothing
    assert doc["amount_refunded_minor"] == doc["amount_minor"]
    assert (await get_order(hub, shopper, order.id)).status == order_pb2.ORDER_STATUS_CANCELLED
    assert await events(hub, shopper.sub, REFUND_ISSUED) == 1


async def test_an_attempt_is_left_to_its_request_until_its_lease_and_the_grace_run_out(hub: Hub) -> None:
    sweeper = await recovery_sweeper(hub)
    shopper = await a_shopper(hub, "in-flight")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    payment_id = await left_by_a_crash(hub, shopper, order, "busy")
    # The attempt started now: its lease runs for CHARGE_LEASE.
    started = datetime.now(UTC)
    container = await hub.platform.store.container(CONTAINER, PARTITION_KEY_PATH)
    doc = await payment_doc(hub, shopper, payment_id)
    assert doc is not None
    await container.replace(
        {**doc, "lease_until": clocks.to_iso(started + rules.CHARGE_LEASE), "updated_at": clocks.to_iso(started)}
    )
    grace = DEFAULT_GRACE
    assert await sweeper.sweep_once(now=started) == {}
    assert await sweeper.sweep_once(now=started + rules.CHARGE_LEASE + grace - timedelta(seconds=1)) == {}
    assert (await payment_doc(hub, shopper, payment_id) or {}).get("status") == rules.PENDING
    assert await sweeper.sweep_once(now=started + rules.CHARGE_LEASE + grace + timedelta(seconds=1)) == {"resumed": 1}
    assert await simulator_charges(hub, order.id) == 1


async def test_two_sweepers_racing_for_one_abandoned_charge_drive_it_once(hub: Hub) -> None:
    sweeper = await recovery_sweeper(hub)
    shopper = await a_shopper(hub, "raced")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    await left_by_a_crash(hub, shopper, order, "raced")
    # A second host's sweeper over the same store.
    other = AbandonedPaymentSweeper(sweeper._ledger, sweeper._charger, clock=hub.platform.deps.clock)
    first, second = await asyncio.gather(sweeper.sweep_once(), other.sweep_once())
    together = first + second
    assert together["resumed"] == 1 and set(together) <= {"resumed", "taken", "failed", "completed"}, together
    assert await simulator_charges(hub, order.id) == 1
    assert (await get_order(hub, shopper, order.id)).status == order_pb2.ORDER_STATUS_PAID
    assert await events(hub, shopper.sub, PAYMENT_SUCCEEDED) == 1


# --- refunds -----------------------------------------------------------------------------------


async def test_refunds_partial_then_the_rest_never_beyond_the_capture_and_admin_only(hub: Hub) -> None:
    shopper = await a_shopper(hub, "refunded")
    order = await an_order(hub, shopper, await a_stocked_product(hub), quantity=3)
    paid = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_visa"], "pay"), metadata=shopper.me
    )
    refund_of = pb.RefundPaymentRequest
    for who in (shopper.me, staff(hub)):
        await expect_error(
            payments(hub).RefundPayment(refund_of(payment_id=paid.id, reason="nope"), metadata=who),
            grpc.StatusCode.PERMISSION_DENIED,
        )

    partial = await payments(hub).RefundPayment(
        refund_of(payment_id=paid.id, amount=1.0, reason="damaged box", request_id="r1"), metadata=admin(hub)
    )
    assert (partial.status, partial.amount, partial.requested_by) == (
        refund_pb2.REFUND_STATUS_SUCCEEDED,
        1.0,
        "admin-ada",
    )
    assert partial.transaction_id.startswith("re_sim_") and partial.order_id == order.id
    again = await payments(hub).RefundPayment(
        refund_of(payment_id=paid.id, amount=1.0, reason="damaged box", request_id="r1"), metadata=admin(hub)
    )
    assert again.id == partial.id  # the same key refunds once
    after_partial = await payments(hub).GetPayment(pb.GetPaymentRequest(payment_id=paid.id), metadata=shopper.me)
    assert (after_partial.status, after_partial.amount_refunded) == (payment.PAYMENT_STATUS_PARTIALLY_REFUNDED, 1.0)

    too_much = await expect_error(
        payments(hub).RefundPayment(
            refund_of(payment_id=paid.id, amount=round(paid.amount - 1.0 + 0.01, 2), reason="x", request_id="r2"),
            metadata=admin(hub),
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(too_much) == "AMOUNT_MISMATCH"

    rest = await payments(hub).RefundPayment(
        refund_of(payment_id=paid.id, reason="customer changed their mind", request_id="r3"), metadata=admin(hub)
    )
    assert rest.amount == round(paid.amount - 1.0, 2)
    final = await payments(hub).GetPayment(pb.GetPaymentRequest(payment_id=paid.id), metadata=staff(hub))
    assert (final.status, final.amount_refunded) == (payment.PAYMENT_STATUS_REFUNDED, paid.amount)
    nothing_left = await expect_error(
        payments(hub).RefundPayment(
            refund_of(payment_id=paid.id, amount=0.01, reason="x", request_id="r4"), metadata=admin(hub)
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(nothing_left) == "ILLEGAL_TRANSITION"

    listed = await payments(hub).ListRefunds(
        pb.ListRefundsRequest(payment_id=paid.id, page_size=1), metadata=staff(hub)
    )
    assert [r.id for r in listed.refunds] == [rest.id] and listed.next_page_token
    older = await payments(hub).ListRefunds(
        pb.ListRefundsRequest(payment_id=paid.id, page_size=1, page_token=listed.next_page_token), metadata=staff(hub)
    )
    assert [r.id for r in older.refunds] == [partial.id] and not older.next_page_token
    assert await events(hub, shopper.sub, REFUND_ISSUED) == 2
    refunded_order = await get_order(hub, shopper, order.id)
    assert refunded_order.amount_refunded == paid.amount
    assert refunded_order.payment_status == order_pb2.ORDER_PAYMENT_STATUS_REFUNDED


async def test_an_unpaid_payment_cannot_be_refunded(hub: Hub) -> None:
    shopper = await a_shopper(hub, "never-paid", cards=("pm_card_chargeDeclinedInsufficientFunds",))
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    declined = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_chargeDeclinedInsufficientFunds"], "k"), metadata=shopper.me
    )
    assert declined.failure_code == "insufficient_funds"
    refused = await expect_error(
        payments(hub).RefundPayment(pb.RefundPaymentRequest(payment_id=declined.id, reason="x"), metadata=admin(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(refused) == "ILLEGAL_TRANSITION"


async def test_cancelling_a_paid_order_refunds_its_payment(hub: Hub) -> None:
    shopper = await a_shopper(hub, "cancels")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    paid = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_visa"], "pay"), metadata=shopper.me
    )
    await orders(hub).CancelOrder(
        orders_pb.CancelOrderRequest(order_id=order.id, reason="changed my mind", request_id="c1"), metadata=shopper.me
    )
    deadline = time.monotonic() + 10
    current = paid
    while current.status != payment.PAYMENT_STATUS_REFUNDED and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        current = await payments(hub).GetPayment(pb.GetPaymentRequest(payment_id=paid.id), metadata=shopper.me)
    assert (current.status, current.amount_refunded) == (payment.PAYMENT_STATUS_REFUNDED, paid.amount)
    refunds = await payments(hub).ListRefunds(pb.ListRefundsRequest(payment_id=paid.id), metadata=staff(hub))
    assert len(refunds.refunds) == 1 and refunds.refunds[0].reason.startswith("order cancelled")
    assert await events(hub, shopper.sub, REFUND_ISSUED) == 1
    cancelled = await get_order(hub, shopper, order.id)
    assert (cancelled.status, cancelled.amount_refunded) == (order_pb2.ORDER_STATUS_CANCELLED, paid.amount)


# --- webhooks ----------------------------------------------------------------------------------


def stripe_event(event_id: str, event_type: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": event_type, "data": {"object": obj}}).encode()


async def send_webhook(hub: Hub, body: bytes, signature: str) -> pb.HandleStripeWebhookResponse:
    request = pb.HandleStripeWebhookRequest(http_body=httpbody_pb2.HttpBody(content_type="application/json", data=body))
    response: pb.HandleStripeWebhookResponse = await payments(hub).HandleStripeWebhook(
        request, metadata=(("stripe-signature", signature),)
    )
    return response


async def test_a_signed_webhook_settles_a_payment_that_needed_action_once(hub: Hub) -> None:
    shopper = await a_shopper(hub, "three-ds", cards=("pm_card_authenticationRequired",))
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    pending = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_authenticationRequired"], "3ds"), metadata=shopper.me
    )
    assert pending.status == payment.PAYMENT_STATUS_REQUIRES_ACTION and pending.client_secret
    seen_by_staff = await payments(hub).GetPayment(pb.GetPaymentRequest(payment_id=pending.id), metadata=staff(hub))
    assert seen_by_staff.client_secret == ""  # the secret only ever goes to the owner
    assert (await get_order(hub, shopper, order.id)).status == order_pb2.ORDER_STATUS_PENDING

    body = stripe_event(
        "evt_3ds_ok",
        "payment_intent.succeeded",
        {"id": pending.transaction_id, "object": "payment_intent", "metadata": {"payment_id": pending.id}},
    )
    signature = sign_stripe_payload(body, WEBHOOK_SECRET, timestamp=int(time.time()))
    bad = await expect_error(
        send_webhook(hub, body, sign_stripe_payload(body, "whsec_wrong", timestamp=int(time.time()))),
        grpc.StatusCode.UNAUTHENTICATED,
    )
    assert reason(bad) == "WEBHOOK_SIGNATURE_INVALID"
    await expect_error(send_webhook(hub, body + b" ", signature), grpc.StatusCode.UNAUTHENTICATED)

    first = await send_webhook(hub, body, signature)
    assert (first.received, first.duplicate, first.event_id, first.event_type) == (
        True,
        False,
        "evt_3ds_ok",
        "payment_intent.succeeded",
    )
    settled = await payments(hub).GetPayment(pb.GetPaymentRequest(payment_id=pending.id), metadata=shopper.me)
    assert settled.status == payment.PAYMENT_STATUS_SUCCEEDED and settled.client_secret == ""
    after = await get_order(hub, shopper, order.id)
    assert (after.status, after.payment_id) == (order_pb2.ORDER_STATUS_PAID, pending.id)
    assert await reservation_status(hub, order.reservation_id) == reservation_pb2.RESERVATION_STATUS_CONFIRMED

    replay = await send_webhook(hub, body, signature)
    assert (replay.received, replay.duplicate) == (True, True)
    assert await events(hub, shopper.sub, PAYMENT_SUCCEEDED) == 1

    # Unrelated event types are acknowledged and ignored.
    other = stripe_event("evt_other", "customer.created", {"id": "cus_1"})
    ignored = await send_webhook(hub, other, sign_stripe_payload(other, WEBHOOK_SECRET, timestamp=int(time.time())))
    assert (ignored.received, ignored.duplicate) == (True, False)


async def test_a_failed_intent_webhook_fails_the_payment_with_its_reason(hub: Hub) -> None:
    shopper = await a_shopper(hub, "three-ds-fails", cards=("pm_card_authenticationRequired",))
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    pending = await payments(hub).CreatePayment(
        pay_request(order, shopper.cards["pm_card_authenticationRequired"], "3ds"), metadata=shopper.me
    )
    body = stripe_event(
        "evt_3ds_failed",
        "payment_intent.payment_failed",
        {
            "id": pending.transaction_id,
            "last_payment_error": {"code": "card_declined", "decline_code": "authentication_required", "message": "No"},
        },
    )
    await send_webhook(hub, body, sign_stripe_payload(body, WEBHOOK_SECRET, timestamp=int(time.time())))
    failed = await payments(hub).GetPayment(pb.GetPaymentRequest(payment_id=pending.id), metadata=shopper.me)
    assert (failed.status, failed.failure_code) == (payment.PAYMENT_STATUS_FAILED, "authentication_required")
    assert (await get_order(hub, shopper, order.id)).status == order_pb2.ORDER_STATUS_PENDING


# --- intents and visibility ----------------------------------------------------------------------


async def test_an_order_has_one_payment_intent_for_its_total(hub: Hub) -> None:
    shopper = await a_shopper(hub, "intent")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    first = await payments(hub).CreatePaymentIntent(
        pb.CreatePaymentIntentRequest(order_id=order.id), metadata=shopper.me
    )
    assert first.client_secret.startswith(first.transaction_id + "_secret_")
    assert (first.amount, first.currency_code, first.status) == (
        order.total,
        order.currency_code,
        payment.PAYMENT_STATUS_PENDING,
    )
    again = await payments(hub).CreatePaymentIntent(
        pb.CreatePaymentIntentRequest(order_id=order.id), metadata=shopper.me
    )
    assert (again.payment_id, again.client_secret) == (first.payment_id, first.client_secret)
    stranger = await a_shopper(hub, "stranger")
    await expect_error(
        payments(hub).CreatePaymentIntent(pb.CreatePaymentIntentRequest(order_id=order.id), metadata=stranger.me),
        grpc.StatusCode.NOT_FOUND,
    )


async def test_customers_see_their_own_payments_and_staff_see_and_filter_all(hub: Hub) -> None:
    sku = await a_stocked_product(hub)
    alice = await a_shopper(hub, "alice", cards=("pm_card_visa", "pm_card_chargeDeclined"))
    bob = await a_shopper(hub, "bob")
    alice_order = await an_order(hub, alice, sku)
    failed = await payments(hub).CreatePayment(
        pay_request(alice_order, alice.cards["pm_card_chargeDeclined"], "a1"), metadata=alice.me
    )
    paid = await payments(hub).CreatePayment(
        pay_request(alice_order, alice.cards["pm_card_visa"], "a2"), metadata=alice.me
    )
    bob_order = await an_order(hub, bob, sku)
    bobs = await payments(hub).CreatePayment(pay_request(bob_order, bob.cards["pm_card_visa"], "b1"), metadata=bob.me)

    await expect_error(
        payments(hub).GetPayment(pb.GetPaymentRequest(payment_id=paid.id), metadata=bob.me), grpc.StatusCode.NOT_FOUND
    )
    await expect_error(
        payments(hub).GetPayment(pb.GetPaymentRequest(payment_id="pay_" + "0" * 24), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )
    assert (await payments(hub).GetPayment(pb.GetPaymentRequest(payment_id=paid.id), metadata=staff(hub))).id == paid.id

    mine = await payments(hub).ListPayments(pb.ListPaymentsRequest(), metadata=alice.me)
    assert [p.id for p in mine.payments] == [paid.id, failed.id]  # newest first
    by_order = await payments(hub).ListPayments(pb.ListPaymentsRequest(order_id=bob_order.id), metadata=alice.me)
    assert list(by_order.payments) == []

    everyone = await payments(hub).ListAllPayments(pb.ListAllPaymentsRequest(), metadata=staff(hub))
    assert {p.id for p in everyone.payments} == {failed.id, paid.id, bobs.id}
    succeeded = await payments(hub).ListAllPayments(
        pb.ListAllPaymentsRequest(status=[payment.PAYMENT_STATUS_SUCCEEDED], user_id="alice"), metadata=staff(hub)
    )
    assert [p.id for p in succeeded.payments] == [paid.id]
    unspecified = await payments(hub).ListAllPayments(
        pb.ListAllPaymentsRequest(status=[payment.PAYMENT_STATUS_UNSPECIFIED]), metadata=staff(hub)
    )
    assert list(unspecified.payments) == []
    await expect_error(
        payments(hub).ListAllPayments(pb.ListAllPaymentsRequest(), metadata=alice.me), grpc.StatusCode.PERMISSION_DENIED
    )


async def test_webhooks_are_refused_until_a_signing_secret_is_configured(tmp_path: Path) -> None:
    async with running_hub(tmp_path / "data", services=("payments",), seed=False) as bare:
        body = stripe_event("evt_1", "payment_intent.succeeded", {"id": "pi_1"})
        refused = await expect_error(
            send_webhook(bare, body, sign_stripe_payload(body, WEBHOOK_SECRET, timestamp=int(time.time()))),
            grpc.StatusCode.FAILED_PRECONDITION,
        )
        assert "webhooks not configured" in (refused.details() or "")


# --- exact amounts: the minor-unit twins -------------------------------------------------------


async def test_an_order_is_paid_and_refunded_with_exact_minor_units(hub: Hub) -> None:
    shopper = await a_shopper(hub, "exact")
    order = await an_order(hub, shopper, await a_stocked_product(hub), quantity=3)
    assert order.total_minor == to_minor(order.total, order.currency_code) > 0
    assert order.subtotal_minor + order.shipping_minor + order.tax_minor == order.total_minor
    intent = await payments(hub).CreatePaymentIntent(
        pb.CreatePaymentIntentRequest(order_id=order.id), metadata=shopper.me
    )
    assert intent.amount_minor == order.total_minor
    method = shopper.cards["pm_card_visa"]
    request = pb.CreatePaymentRequest(order_id=order.id, payment_method_id=method, amount_minor=order.total_minor)
    paid = await payments(hub).CreatePayment(request, metadata=(*shopper.me, ("idempotency-key", "exact-1")))
    assert paid.status == payment.PAYMENT_STATUS_SUCCEEDED
    assert (paid.amount, paid.amount_minor, paid.amount_refunded_minor) == (order.total, order.total_minor, 0)
    # A retry sends the same fields; the amount in the other form is another request.
    replay = await payments(hub).CreatePayment(request, metadata=(*shopper.me, ("idempotency-key", "exact-1")))
    assert replay.id == paid.id
    switched = await expect_error(
        payments(hub).CreatePayment(pay_request(order, method, "exact-1"), metadata=shopper.me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert reason(switched) == "IDEMPOTENCY_KEY_REUSED"

    partial = await payments(hub).RefundPayment(
        pb.RefundPaymentRequest(payment_id=paid.id, amount_minor=101, reason="dented", request_id="exact-r1"),
        metadata=admin(hub),
    )
    assert (partial.amount_minor, partial.amount) == (101, 1.01)
    both = await payments(hub).RefundPayment(
        pb.RefundPaymentRequest(payment_id=paid.id, amount=0.29, amount_minor=29, reason="x", request_id="exact-r2"),
        metadata=admin(hub),
    )
    assert both.amount_minor == 29
    after = await payments(hub).GetPayment(pb.GetPaymentRequest(payment_id=paid.id), metadata=shopper.me)
    assert (after.amount_refunded_minor, after.amount_refunded) == (130, 1.3)
    # Payments told the order the cumulative refund in both forms; the order stores and shows it exactly.
    refunded_order = await get_order(hub, shopper, order.id)
    assert (refunded_order.amount_refunded_minor, refunded_order.amount_refunded) == (130, 1.3)
    # amount_minor 0 is "everything still refundable", like amount 0.
    rest = await payments(hub).RefundPayment(
        pb.RefundPaymentRequest(payment_id=paid.id, amount_minor=0, reason="x", request_id="exact-r3"),
        metadata=admin(hub),
    )
    assert rest.amount_minor == order.total_minor - 130
    listed = await payments(hub).ListRefunds(pb.ListRefundsRequest(payment_id=paid.id), metadata=staff(hub))
    assert sorted(r.amount_minor for r in listed.refunds) == sorted([101, 29, order.total_minor - 130])


async def test_the_double_and_its_minor_twin_must_agree_and_the_twin_be_in_range(hub: Hub) -> None:
    shopper = await a_shopper(hub, "disagrees")
    order = await an_order(hub, shopper, await a_stocked_product(hub))
    method = shopper.cards["pm_card_visa"]

    async def refused_fields(code: grpc.StatusCode, **fields: Any) -> dict[str, str]:
        request = pb.CreatePaymentRequest(order_id=order.id, payment_method_id=method, request_id=uuid.uuid4().hex)
        for name, value in fields.items():
            setattr(request, name, value)
        return violated_fields(await expect_error(payments(hub).CreatePayment(request, metadata=shopper.me), code))

    invalid = grpc.StatusCode.INVALID_ARGUMENT
    disagree = await refused_fields(invalid, amount=order.total, amount_minor=order.total_minor - 1)
    assert set(disagree) == {"amount", "amount_minor"}
    assert f"is {order.total_minor} minor units" in disagree["amount_minor"]
    assert set(await refused_fields(invalid, amount_minor=-1)) == {"amount_minor"}
    assert set(await refused_fields(invalid, amount_minor=0)) == {"amount_minor"}
    assert set(await refused_fields(invalid, amount_minor=10**13 + 1)) == {"amount_minor"}
    assert set(await refused_fields(invalid)) == {"amount"}  # neither form: the double is required, as before
    # Sub-minor precision in the double stays refused, whatever the twin says.
    assert set(await refused_fields(invalid, amount=order.total + 0.001, amount_minor=order.total_minor)) == {"amount"}
    # An exact amount that is not the total is the same mismatch as ever.
    mismatch = await expect_error(
        payments(hub).CreatePayment(
            pb.CreatePaymentRequest(
                order_id=order.id, payment_method_id=method, amount_minor=order.total_minor + 1, request_id="m"
            ),
            metadata=shopper.me,
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(mismatch) == "AMOUNT_MISMATCH"
    assert await simulator_charges(hub, order.id) == 0

    paid = await payments(hub).CreatePayment(
        pay_request(order, method, "agree", amount_minor=order.total_minor), metadata=shopper.me
    )
    assert paid.amount_minor == order.total_minor
    refund_disagrees = await expect_error(
        payments(hub).RefundPayment(
            pb.RefundPaymentRequest(payment_id=paid.id, amount=1.0, amount_minor=0, reason="x"), metadata=admin(hub)
        ),
        invalid,
    )
    assert set(violated_fields(refund_disagrees)) == {"amount", "amount_minor"}
    negative = await expect_error(
        payments(hub).RefundPayment(
            pb.RefundPaymentRequest(payment_id=paid.id, amount_minor=-5, reason="x"), metadata=admin(hub)
        ),
        invalid,
    )
    assert set(violated_fields(negative)) == {"amount_minor"}
    untouched = await payments(hub).GetPayment(pb.GetPaymentRequest(payment_id=paid.id), metadata=shopper.me)
    assert untouched.amount_refunded_minor == 0 and untouched.status == payment.PAYMENT_STATUS_SUCCEEDED
