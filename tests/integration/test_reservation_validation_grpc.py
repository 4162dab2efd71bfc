"""Agent inventory-reservation-validation over real gRPC, and CreateOrder consulting it.

The hub hosts the commerce services the order path needs plus the agent, with the policy shipped in
the repo and a peak window pinned by settings (so the limits apply whatever today's date). The
SKUs come from the shipped policy (a hot SKU, a backorderable one) and from the demo catalog (one the
policy does not list); every test sets the stock it relies on.

Variants: the agent answering; the agent not hosted (`hph serve` without it); the agent slower than
the deadline (a real gRPC server that sleeps, named by HPH_SERVICE_ADDRESSES); and 50 concurrent
orders for a few units with the agent up and down, which must never oversell.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from holidaypeak.agents.v1 import inventory_reservation_validation_service_pb2 as pb
from holidaypeak.agents.v1 import inventory_reservation_validation_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import cart_service_pb2 as cart_pb
from holidaypeak.commerce.v1 import inventory_item_pb2, order_pb2
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from hph.agents.inventory_reservation_validation.policy import SkuRule, load_policy
from tests.support.platform_harness import Hub, running_hub
from tests.support.rich_status import details, expect_error, reason, violated_fields
from tests.support.shoppers import APPROVED_CARD, HOME, Shopper, a_shopper, staff
from tests.support.waiting import read_until

pytestmark = pytest.mark.integration

AGENT = "inventory-reservation-validation"
COMMERCE = ("catalog", "users", "inventory", "cart", "checkout", "orders")
HUB_SERVICES = (*COMMERCE, AGENT)


def reservation_skips(order: order_pb2.Order) -> list[str]:
    """This agent's skipped checks (the hub does not host checkout-support, whose skip is noted too)."""
    return [check for check in order.skipped_checks if check.startswith(f"{AGENT}:")]


ALWAYS_PEAK = "2000-01-01T00:00:00Z/2100-01-01T00:00:00Z"
HUB_SETTINGS = {
    "reservation_peak_window": ALWAYS_PEAK,
    # These tests ask whether the agent was consulted, not how fast: 50 orders at once on a busy
    # machine must not miss the 0.2 s deadline (the deadline's own test sets it back).
    "reservation_check_deadline_seconds": 5.0,
}
POLICY = load_policy()
# A hot SKU that takes no backorders, a backorderable SKU, and a product the policy does not list.
HOT: SkuRule = next(r for r in POLICY.skus.values() if r.hot and r.backorder_restock_days is None)
BACKORDERABLE: SkuRule = next(r for r in POLICY.skus.values() if r.backorder_restock_days is not None)
PLAIN = "JWL-0033"  # a demo product the policy does not list (checked below)
_shoppers = itertools.count(1)


def agent(hub: Hub) -> pb_grpc.InventoryReservationValidationServiceStub:
    return pb_grpc.InventoryReservationValidationServiceStub(hub.channel)


async def set_stock(hub: Hub, sku: str, on_hand: int) -> None:
    await inventory_grpc.InventoryServiceStub(hub.channel).UpdateInventoryItem(
        inventory_pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand=on_hand, reason="peak drill"),
        metadata=staff(hub),
    )


async def stock(hub: Hub, sku: str) -> inventory_item_pb2.InventoryItem:
    return await inventory_grpc.InventoryServiceStub(hub.channel).GetInventoryItem(
        inventory_pb.GetInventoryItemRequest(sku=sku), metadata=staff(hub)
    )


async def shopper_with(hub: Hub, sku: str, quantity: int) -> Shopper:
    shopper = await a_shopper(hub, f"peak-shopper-{next(_shoppers)}", cards=(APPROVED_CARD,), address=HOME)
    await shopper.add(sku, quantity)
    return shopper


async def validate(hub: Hub, shopper_id: str, *lines: tuple[str, int]) -> pb.ValidateReservationResponse:
    return await agent(hub).ValidateReservation(
        pb.ValidateReservationRequest(
            shopper_id=shopper_id,
            lines=[pb.ReservationRequestLine(product_id=sku, quantity=quantity) for sku, quantity in lines],
        ),
        metadata=staff(hub),
    )


async def bought_seen(hub: Hub, shopper_id: str, sku: str, units: int) -> None:
    """Waits until the agent's projection counts `units` of `sku` for the shopper."""
    answer = await read_until(
        lambda: validate(hub, shopper_id, (sku, 1)), lambda found: found.lines[0].purchased_in_window == units
    )
    assert answer.lines[0].purchased_in_window == units


def test_the_skus_this_module_uses_fit_the_policy() -> None:
    assert HOT.peak_limit is not None and HOT.peak_limit < 5 and PLAIN not in POLICY.skus


# --- the agent ---------------------------------------------------------------------------------


async def test_the_agent_explains_limits_safety_stock_and_backorders_with_live_numbers(hub: Hub) -> None:
    await set_stock(hub, HOT.sku, 20)
    await set_stock(hub, PLAIN, 2)
    backorder_on_hand = BACKORDERABLE.safety_stock + 1
    await set_stock(hub, BACKORDERABLE.sku, backorder_on_hand)
    assert HOT.peak_limit is not None
    answer = await validate(hub, "ava", (HOT.sku, HOT.peak_limit + 1), (PLAIN, 3), (BACKORDERABLE.sku, 3))

    hot, plain, backorder = answer.lines
    assert (hot.decision, hot.limiting_factor, hot.allowed_quantity) == (
        pb.RESERVATION_DECISION_LIMIT,
        pb.LIMITING_FACTOR_PEAK_LIMIT,
        HOT.peak_limit,
    )
    assert (hot.quantity_on_hand, hot.quantity_reserved, hot.safety_stock) == (20, 0, HOT.safety_stock)
    assert hot.effective_availability == 20 - HOT.safety_stock
    assert hot.hot_sku and hot.peak_limit == HOT.peak_limit and hot.remaining_limit == HOT.peak_limit
    assert [(o.kind, o.quantity_now) for o in hot.options] == [(pb.RESERVATION_OPTION_KIND_PARTIAL, HOT.peak_limit)]

    assert (plain.decision, plain.allowed_quantity, plain.effective_availability) == (
        pb.RESERVATION_DECISION_PARTIAL,
        2,
        2,
    )
    assert not plain.hot_sku and not plain.HasField("peak_limit") and not plain.HasField("remaining_limit")

    assert (backorder.decision, backorder.allowed_quantity) == (pb.RESERVATION_DECISION_BACKORDER, 1)
    assert [(o.kind, o.quantity_now, o.quantity_later, o.restock_days) for o in backorder.options][-1] == (
        pb.RESERVATION_OPTION_KIND_BACKORDER,
        1,
        2,
        BACKORDERABLE.backorder_restock_days,
    )

    assert answer.decision == pb.RESERVATION_DECISION_LIMIT
    assert answer.peak_window.active and answer.peak_window.source == "settings"
    explanation = answer.explanation
    assert explanation.method == f"reservation-policy-v1+{POLICY.version}"
    assert explanation.summary.startswith("limit: 0 of 3 lines in full")
    assert explanation.drivers[0].name == "peak_limit_remaining"
    assert {d.name for d in explanation.drivers} == {"peak_limit_remaining", "effective_availability"}
    assert explanation.freshness.HasField("computed_at")
    assert list(explanation.freshness.sources) == [
        "rpc:InventoryService.GetInventoryItem",
        "projection:hot-purchases",
        f"policy:{POLICY.version}",
    ]


async def test_the_policy_in_force_is_readable_by_staff(hub: Hub) -> None:
    policy = await agent(hub).GetReservationPolicy(pb.GetReservationPolicyRequest(), metadata=staff(hub))
    assert policy.version == POLICY.version
    assert [s.sku for s in policy.skus] == sorted(POLICY.skus)
    hot = next(s for s in policy.skus if s.sku == HOT.sku)
    assert hot.peak_limit_per_shopper == HOT.peak_limit and not hot.HasField("backorder_restock_days")
    assert policy.peak_window.active and policy.peak_window.starts_at.ToJsonString() == "2000-01-01T00:00:00Z"


async def test_the_agent_refuses_customers_malformed_requests_and_unknown_products(hub: Hub) -> None:
    customer = hub.auth("customer", "ava")
    await expect_error(
        agent(hub).ValidateReservation(pb.ValidateReservationRequest(), metadata=customer),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    bad = await expect_error(
        agent(hub).ValidateReservation(
            pb.ValidateReservationRequest(
                lines=[
                    pb.ReservationRequestLine(product_id=PLAIN, quantity=0),
                    pb.ReservationRequestLine(product_id=PLAIN, quantity=1),
                    pb.ReservationRequestLine(product_id="no spaces", quantity=1),
                ]
            ),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) == {"shopper_id", "lines[0].quantity", "lines[1].sku", "lines[2].product_id"}
    await expect_error(validate(hub, "ava", ("NOPE-404", 1)), grpc.StatusCode.NOT_FOUND)


# --- CreateOrder consulting it -----------------------------------------------------------------


async def test_an_order_within_the_policy_is_placed_with_no_skipped_check(hub: Hub) -> None:
    await set_stock(hub, HOT.sku, 50)
    shopper = await shopper_with(hub, HOT.sku, 1)
    order = await shopper.place("within-policy")
    assert order.status == order_pb2.ORDER_STATUS_PENDING
    assert reservation_skips(order) == []


async def test_a_shopper_over_a_hot_skus_peak_limit_is_refused_naming_the_line(hub: Hub) -> None:
    assert HOT.peak_limit is not None
    await set_stock(hub, HOT.sku, 50)
    shopper = await shopper_with(hub, HOT.sku, HOT.peak_limit)
    first = await shopper.place("first")
    await bought_seen(hub, shopper.sub, HOT.sku, HOT.peak_limit)

    await shopper.add(PLAIN, 1)
    await shopper.add(HOT.sku, 1)
    reserved_before = (await stock(hub, HOT.sku)).quantity_reserved
    refused = await expect_error(shopper.place("second"), grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(refused) == "PURCHASE_LIMIT_EXCEEDED"
    fields = violated_fields(refused)
    assert list(fields) == ["cart.items[1].quantity"]  # the hot line, in cart order (PLAIN is first)
    assert fields["cart.items[1].quantity"].startswith(f"{HOT.sku}: 0 of 1 allowed; at most {HOT.peak_limit}")
    info = next(d for d in details(refused) if hasattr(d, "metadata"))
    assert dict(info.metadata) == {  # type: ignore[attr-defined]
        "skus": HOT.sku,
        "allowed": f"{HOT.sku}=0",
        "peak_window_ends_at": "2100-01-01T00:00:00Z",
    }
    assert (await stock(hub, HOT.sku)).quantity_reserved == reserved_before, "nothing was held"
    cart = await shopper.cart.GetCart(cart_pb.GetCartRequest(), metadata=shopper.me)
    assert len(cart.items) == 2, "a refused order leaves the cart alone"

    # Cancelling the first order gives the shopper their allowance back.
    await shopper.orders.CancelOrder(orders_pb.CancelOrderRequest(order_id=first.id), metadata=shopper.me)
    await bought_seen(hub, shopper.sub, HOT.sku, 0)
    assert (await shopper.place("third")).items[1].quantity == 1


async def test_safety_stock_held_back_by_policy_refuses_what_inventory_alone_would_hold(hub: Hub) -> None:
    assert HOT.safety_stock > 0
    await set_stock(hub, HOT.sku, HOT.safety_stock + 1)  # inventory would hold 2; the policy lets 1 go
    shopper = await shopper_with(hub, HOT.sku, 2)
    refused = await expect_error(shopper.place("short"), grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(refused) == "OUT_OF_STOCK"
    assert violated_fields(refused)["cart.items[0].quantity"] == (
        f"{HOT.sku}: 1 of 2 allowed; only 1 of 2 can be held now "
        f"({HOT.safety_stock + 1} on hand - 0 reserved - {HOT.safety_stock} safety stock). "
        "You can order the 1 available now"
    )


# --- CreateOrder when the agent cannot answer ---------------------------------------------------


@pytest.fixture
async def hub_without_agent(tmp_path: Path) -> AsyncIterator[Hub]:
    """`hph serve` with the commerce services only: the agent is not hosted anywhere."""
    settings = {**HUB_SETTINGS, "agent_breaker_failures": 2, "agent_breaker_window_calls": 2}
    async with running_hub(tmp_path / "data", services=COMMERCE, seed=True, settings_overrides=settings) as running:
        yield running


async def test_orders_proceed_on_inventorys_check_when_the_agent_is_not_hosted(hub_without_agent: Hub) -> None:
    hub = hub_without_agent
    assert HOT.peak_limit is not None
    await set_stock(hub, HOT.sku, 50)
    shopper = await shopper_with(hub, HOT.sku, HOT.peak_limit + 1)  # over the limit: nobody checks it
    order = await shopper.place("unchecked")
    assert reservation_skips(order) == [f"{AGENT}: unimplemented"]
    again = await shopper.place("unchecked")
    assert again == order, "the stored response (with its flag) is what a retry gets"

    for n in range(2):  # the breaker opens after two failures; then the agent is not even called
        await (await shopper_with(hub, PLAIN, 1)).place(f"more-{n}")
    shed = await (await shopper_with(hub, PLAIN, 1)).place("shed")
    assert reservation_skips(shed) == [f"{AGENT}: breaker_open"]
    stored = await shopper.orders.GetOrder(orders_pb.GetOrderRequest(order_id=order.id), metadata=shopper.me)
    assert reservation_skips(stored) == [f"{AGENT}: unimplemented"]


class SleepyAgent(pb_grpc.InventoryReservationValidationServiceServicer):
    """A reservation agent that answers far too late."""

    async def ValidateReservation(self, request: Any, context: Any) -> pb.ValidateReservationResponse:
        await asyncio.sleep(10)
        return pb.ValidateReservationResponse(decision=pb.RESERVATION_DECISION_REFUSE)


@pytest.fixture
async def hub_with_slow_agent(tmp_path: Path) -> AsyncIterator[Hub]:
    server = grpc.aio.server()
    pb_grpc.add_InventoryReservationValidationServiceServicer_to_server(SleepyAgent(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    settings = {
        **HUB_SETTINGS,
        "service_addresses": f"{AGENT}=127.0.0.1:{port}",
        "reservation_check_deadline_seconds": 0.2,
    }
    try:
        async with running_hub(tmp_path / "data", services=COMMERCE, seed=True, settings_overrides=settings) as hub:
            yield hub
    finally:
        await server.stop(0)


async def test_a_slow_agent_costs_an_order_its_deadline_and_no_more(hub_with_slow_agent: Hub) -> None:
    hub = hub_with_slow_agent
    shopper = await shopper_with(hub, PLAIN, 1)
    started = time.perf_counter()
    order = await shopper.place("slow-agent")
    assert time.perf_counter() - started < 5, "the order never waits for the sleeping agent"
    assert reservation_skips(order) == [f"{AGENT}: deadline_exceeded"]


# --- never oversell, agent up or down ----------------------------------------------------------

BUYERS, UNITS = 50, 4


async def race_for(hub: Hub, sku: str, on_hand: int) -> tuple[list[order_pb2.Order], list[grpc.aio.AioRpcError]]:
    await set_stock(hub, sku, on_hand)
    shoppers = [await shopper_with(hub, sku, 1) for _ in range(BUYERS)]
    outcomes = await asyncio.gather(*(s.place(f"race-{n}") for n, s in enumerate(shoppers)), return_exceptions=True)
    placed = [o for o in outcomes if isinstance(o, order_pb2.Order)]
    refused = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert len(placed) + len(refused) == BUYERS, [o for o in outcomes if not isinstance(o, order_pb2.Order)]
    for error in refused:
        assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and reason(error) == "OUT_OF_STOCK"
    item = await stock(hub, sku)
    assert item.quantity_reserved == len(placed) <= on_hand, "never more held than on hand"
    return placed, refused


async def test_50_concurrent_orders_for_few_units_never_oversell_with_the_agent_up(hub: Hub) -> None:
    placed, _ = await race_for(hub, PLAIN, UNITS)
    assert len(placed) == UNITS
    assert all(reservation_skips(order) == [] for order in placed)


async def test_50_concurrent_orders_for_few_units_never_oversell_with_the_agent_down(
    hub_without_agent: Hub,
) -> None:
    placed, _ = await race_for(hub_without_agent, PLAIN, UNITS)
    assert len(placed) == UNITS
    assert all(order.skipped_checks for order in placed)


async def test_50_concurrent_orders_for_a_hot_sku_with_safety_stock_never_oversell(hub: Hub) -> None:
    placed, _ = await race_for(hub, HOT.sku, HOT.safety_stock + UNITS)
    # The policy check and the hold are not one transaction: under a race a few checks may see the
    # same units free, and the hold (atomic) then decides. Never more than on hand, ever.
    assert UNITS <= len(placed) <= HOT.safety_stock + UNITS
