"""Agent cart-intelligence over real gRPC: the risk of a real cart read from CartService with live
stock from InventoryService, the shopper history projected from real orders, cross-sell from the
shared co-purchase projection, and who may see whose cart.

The hub hosts the commerce services a cart and an order need plus the agent (and seeds the demo
catalog); every test sets the stock and prices it relies on.
"""

from __future__ import annotations

import itertools

import grpc
import pytest

from holidaypeak.agents.v1 import agent_types_pb2, explanation_pb2
from holidaypeak.agents.v1 import cart_intelligence_service_pb2 as pb
from holidaypeak.agents.v1 import cart_intelligence_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import order_pb2
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import payment_service_pb2 as payments_pb
from holidaypeak.commerce.v1 import payment_service_pb2_grpc as payments_grpc
from hph.agents.cart_intelligence import risk
from tests.support.events import settle
from tests.support.platform_harness import Hub
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import Shopper, a_shopper, staff, stock_up, stocked_products

pytestmark = pytest.mark.integration

AGENT = "cart-intelligence"
HUB_SERVICES = ("catalog", "users", "inventory", "cart", "checkout", "orders", "payments", AGENT)
# Every answer computed afresh, so each read sees the stock and prices just set.
HUB_SETTINGS = {"cart_insights_cache_seconds": 0.0}
_shoppers = itertools.count(1)


def agent(hub: Hub) -> pb_grpc.CartIntelligenceServiceStub:
    return pb_grpc.CartIntelligenceServiceStub(hub.channel)


async def new_shopper(hub: Hub) -> Shopper:
    return await a_shopper(hub, f"cart-shopper-{next(_shoppers)}")


async def analyze(hub: Hub, shopper: Shopper, user_id: str = "") -> pb.AnalyzeCartResponse:
    answer: pb.AnalyzeCartResponse = await agent(hub).AnalyzeCart(
        pb.AnalyzeCartRequest(user_id=user_id), metadata=shopper.me
    )
    return answer


async def set_price(hub: Hub, sku: str, price: float) -> None:
    await catalog_grpc.CatalogServiceStub(hub.channel).UpdateProduct(
        catalog_pb.UpdateProductRequest(product_id=sku, price=price), metadata=staff(hub)
    )


async def price_of(hub: Hub, sku: str) -> float:
    product = await catalog_grpc.CatalogServiceStub(hub.channel).GetProduct(
        catalog_pb.GetProductRequest(product_id=sku)
    )
    return float(product.price)


async def pay(hub: Hub, shopper: Shopper, order: order_pb2.Order) -> None:
    await payments_grpc.PaymentServiceStub(hub.channel).CreatePayment(
        payments_pb.CreatePaymentRequest(
            order_id=order.id, payment_method_id=shopper.card_id, amount=order.total, request_id=f"pay-{order.id}"
        ),
        metadata=shopper.me,
    )


def driver(answer: pb.AnalyzeCartResponse, name: str) -> explanation_pb2.Driver:
    return next(d for d in answer.explanation.drivers if d.name == name)


async def test_low_stock_and_a_price_rise_raise_the_risk_with_those_drivers(hub: Hub) -> None:
    first, second = await stocked_products(hub, 2, on_hand=500)
    shopper = await new_shopper(hub)
    await shopper.add(first, 2)
    await shopper.add(second, 1)

    calm = await analyze(hub, shopper)
    assert calm.user_id == shopper.sub and calm.risk_level == agent_types_pb2.RISK_LEVEL_LOW
    assert [(line.product_id, line.quantity, line.quantity_available) for line in calm.lines] == [
        (first, 2, 99),
        (second, 1, 99),
    ]
    assert all(line.stock_risk == 0 and not line.out_of_stock for line in calm.lines)
    assert {d.name for d in calm.explanation.drivers} == {*risk.WEIGHTS, "risk_band"}

    old_price = await price_of(hub, first)
    await stock_up(hub, [first], 2)  # exactly the 2 in the cart are left
    await set_price(hub, first, round(old_price * 1.5, 2))
    risky = await analyze(hub, shopper)

    assert risky.abandonment_risk > calm.abandonment_risk
    assert [d.name for d in risky.explanation.drivers[:2]] == ["stock_risk", "price_increase"]
    stock, price = risky.explanation.drivers[:2]
    assert stock.value == pytest.approx(risk.LOW_STOCK_RISK) and stock.weight == risk.WEIGHTS["stock_risk"]
    assert stock.contribution == pytest.approx(risk.WEIGHTS["stock_risk"] * risk.LOW_STOCK_RISK)
    assert price.value > 0 and price.contribution > 0 and first in stock.reason
    line = risky.lines[0]
    assert line.quantity_available == 2 and line.stock_risk == pytest.approx(risk.LOW_STOCK_RISK)
    assert line.current_price.amount_minor > line.price_when_added.amount_minor
    assert line.price_when_added.amount == pytest.approx(old_price)
    codes = [action.code for action in risky.actions]
    assert codes[0] == "notify_low_stock" and "price_increase_note" in codes
    assert [action.priority for action in risky.actions] == list(range(1, len(codes) + 1))
    freshness = risky.explanation.freshness
    assert "rpc:CartService.GetCart" in freshness.sources and "rpc:InventoryService.BatchGetAvailability" in (
        freshness.sources
    )
    assert not freshness.degraded and freshness.HasField("computed_at")
    assert risky.explanation.method == risk.METHOD

    await stock_up(hub, [first], 0)
    gone = await analyze(hub, shopper)
    assert gone.lines[0].out_of_stock and gone.abandonment_risk > risky.abandonment_risk
    assert gone.actions[0].code == "restock_alert" and gone.actions[0].target_id == first


async def test_an_empty_cart_scores_zero_without_drivers(hub: Hub) -> None:
    answer = await analyze(hub, await new_shopper(hub))
    assert (answer.abandonment_risk, len(answer.lines), len(answer.actions)) == (0.0, 0, 0)
    assert not any(d.HasField("contribution") for d in answer.explanation.drivers)
    cross = await agent(hub).CrossSell(pb.CrossSellRequest(), metadata=(await new_shopper(hub)).me)
    assert not cross.products and cross.explanation.summary.startswith("empty cart")


async def test_a_customer_never_sees_another_customers_cart_insights(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1)
    owner, other = await new_shopper(hub), await new_shopper(hub)
    await owner.add(sku, 1)
    stub = agent(hub)
    for call in (
        stub.AnalyzeCart(pb.AnalyzeCartRequest(user_id=owner.sub), metadata=other.me),
        stub.CrossSell(pb.CrossSellRequest(user_id=owner.sub), metadata=other.me),
    ):
        await expect_error(call, grpc.StatusCode.PERMISSION_DENIED)
    # Their own (empty) cart is all the other customer sees; staff may read any.
    assert not (await analyze(hub, other)).lines
    seen_by_staff = await stub.AnalyzeCart(pb.AnalyzeCartRequest(user_id=owner.sub), metadata=staff(hub))
    assert seen_by_staff.user_id == owner.sub and [line.product_id for line in seen_by_staff.lines] == [sku]
    assert (await analyze(hub, owner, owner.sub)).user_id == owner.sub  # naming oneself is fine

    await expect_error(stub.AnalyzeCart(pb.AnalyzeCartRequest()), grpc.StatusCode.UNAUTHENTICATED)
    bad = await expect_error(
        stub.AnalyzeCart(pb.AnalyzeCartRequest(user_id="a/b"), metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(bad)) == {"user_id"}
    too_many = await expect_error(
        stub.CrossSell(pb.CrossSellRequest(limit=25), metadata=owner.me), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(too_many)) == {"limit"}


async def test_cross_sell_and_history_come_from_real_orders(hub: Hub) -> None:
    anchor, companion, other, unrelated = await stocked_products(hub, 4)
    buyers = [await new_shopper(hub) for _ in range(3)]
    for index, buyer in enumerate(buyers):
        await buyer.add(anchor, 1)
        await buyer.add(companion, 1)
        if index == 0:
            await buyer.add(other, 1)
        order = await buyer.place(f"cart-intel-order-{buyer.sub}")
        if index == 0:
            await pay(hub, buyer, order)
    # The second buyer also leaves a checkout unpaid and cancels it: an abandoned checkout.
    dropped = buyers[1]
    await dropped.add(unrelated, 1)
    left = await dropped.place(f"cart-intel-dropped-{dropped.sub}")
    await dropped.orders.CancelOrder(
        orders_pb.CancelOrderRequest(order_id=left.id, reason="changed my mind"), metadata=dropped.me
    )
    # Orders of other products, so the anchor's companions are rarer than chance elsewhere.
    for _ in range(3):
        loner = await new_shopper(hub)
        await loner.add(unrelated, 1)
        await loner.place(f"cart-intel-order-{loner.sub}")
    await settle(hub)

    shopper = buyers[0]  # one paid order so far, and a new cart with the anchor
    await shopper.add(anchor, 1)
    answer = await agent(hub).CrossSell(pb.CrossSellRequest(limit=3), metadata=shopper.me)
    suggested = [s.product.product_id for s in answer.products]
    assert suggested[0] == companion and anchor not in suggested
    top = answer.products[0]
    assert (top.association.co_occurrences, top.association.orders_considered) == (3, 6)
    assert top.association.confidence == pytest.approx(1.0) and top.association.lift == pytest.approx(2.0)
    assert top.product.name and top.product.price.amount_minor > 0 and top.product.in_stock
    assert "3 of 6 orders" in top.reason
    assert answer.explanation.drivers[0].name == "orders_considered" and answer.explanation.drivers[0].value == 6
    assert "projection:copurchases" in answer.explanation.freshness.sources
    assert answer.explanation.freshness.HasField("data_as_of")

    # The cart's own lines are never suggested, whatever their association.
    await shopper.add(companion, 1)
    again = await agent(hub).CrossSell(pb.CrossSellRequest(), metadata=shopper.me)
    assert {s.product.product_id for s in again.products}.isdisjoint({anchor, companion})

    paid = driver(await analyze(hub, shopper), "history")
    assert paid.value == pytest.approx(risk.ShopperHistory(completed=1).abandonment_rate, abs=1e-4)
    assert "0 checkout(s) abandoned unpaid, 1 paid" in paid.reason
    await dropped.add(anchor, 1)
    abandoning = driver(await analyze(hub, dropped), "history")
    assert abandoning.value == pytest.approx(risk.ShopperHistory(abandoned=1).abandonment_rate, abs=1e-4)
    assert abandoning.value > paid.value
    assert "1 checkout(s) abandoned unpaid, 0 paid" in abandoning.reason
