"""Agent checkout-support over real gRPC: blockers from CheckoutService's own checks, the fraud risk
of real orders projected from order events, and CreateOrder consulting it (review flags the order
for staff, deny refuses it with ORDER_RISK_DENIED, an agent not hosted is noted as skipped)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import checkout_support_service_pb2 as pb
from holidaypeak.agents.v1 import checkout_support_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import checkout_service_pb2 as checkout_pb
from holidaypeak.commerce.v1 import order_pb2
from holidaypeak.commerce.v1 import order_service_pb2 as orders_pb
from holidaypeak.commerce.v1 import order_service_pb2_grpc as orders_grpc
from hph.agents.checkout_support import risk
from tests.support.events import settle
from tests.support.platform_harness import Hub, running_hub
from tests.support.rich_status import details, expect_error, reason, violated_fields
from tests.support.shoppers import Shopper, a_shopper, staff, stock_up, stocked_products

pytestmark = pytest.mark.integration

AGENT = "checkout-support"
COMMERCE = ("catalog", "users", "inventory", "cart", "checkout", "orders", "payments")
HUB_SERVICES = (*COMMERCE, AGENT)
# A generous deadline so a busy test machine never turns an answer into a skip.
HUB_SETTINGS = {"risk_check_deadline_seconds": 5.0}
_shoppers = itertools.count(1)


def agent(hub: Hub) -> pb_grpc.CheckoutSupportServiceStub:
    return pb_grpc.CheckoutSupportServiceStub(hub.channel)


async def new_shopper(hub: Hub) -> Shopper:
    return await a_shopper(hub, f"risk-shopper-{next(_shoppers)}")


def error_metadata(error: grpc.aio.AioRpcError) -> dict[str, str]:
    for detail in details(error):
        if isinstance(detail, error_details_pb2.ErrorInfo):
            return dict(detail.metadata)
    return {}


async def order_one(shopper: Shopper, sku: str, key: str) -> order_pb2.Order:
    await shopper.add(sku, 1)
    return await shopper.place(key)


async def flagged(hub: Hub, user_id: str) -> list[str]:
    listed = await orders_grpc.OrderServiceStub(hub.channel).ListAllOrders(
        orders_pb.ListAllOrdersRequest(user_id=user_id, review=True), metadata=staff(hub)
    )
    return [order.id for order in listed.orders]


async def test_validate_checkout_reports_checkouts_own_blockers(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1, on_hand=50)
    shopper = await new_shopper(hub)
    empty = await agent(hub).ValidateCheckout(pb.ValidateCheckoutRequest(), metadata=shopper.me)
    assert not empty.can_proceed
    assert [b.code for b in empty.blockers] == [pb.CHECKOUT_BLOCKER_CODE_CART_EMPTY]
    assert "rpc:CheckoutService.ValidateCheckout" in empty.explanation.freshness.sources

    await shopper.add(sku, 2)
    fine = await agent(hub).ValidateCheckout(pb.ValidateCheckoutRequest(), metadata=shopper.me)
    assert fine.can_proceed and not fine.blockers

    await stock_up(hub, [sku], 0)
    short = await agent(hub).ValidateCheckout(pb.ValidateCheckoutRequest(user_id=shopper.sub), metadata=staff(hub))
    assert not short.can_proceed
    assert [(b.code, b.product_id) for b in short.blockers] == [(pb.CHECKOUT_BLOCKER_CODE_OUT_OF_STOCK, sku)]

    await stock_up(hub, [sku], 50)
    validated = await shopper.checkout.ValidateCheckout(
        checkout_pb.ValidateCheckoutRequest(payment_method_id=shopper.card_id), metadata=shopper.me
    )
    assert validated.valid and [c for c in validated.skipped_checks if c.startswith(AGENT)] == []
    assert validated.risk_assessment.decision == "approve"
    assert validated.risk_assessment.drivers == ["new_account=1(+0.1)"]

    for malformed in ("a/b", "x?y"):  # found by the OpenAPI fuzzer: a 503 before, now the caller's mistake
        await expect_error(
            agent(hub).ValidateCheckout(pb.ValidateCheckoutRequest(user_id=malformed), metadata=staff(hub)),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        await expect_error(
            shopper.checkout.ValidateCheckout(
                checkout_pb.ValidateCheckoutRequest(user_id=malformed), metadata=staff(hub)
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
        )

    other = await new_shopper(hub)
    await expect_error(
        agent(hub).ValidateCheckout(pb.ValidateCheckoutRequest(user_id=shopper.sub), metadata=other.me),
        grpc.StatusCode.PERMISSION_DENIED,
    )


async def test_assess_risk_explains_every_driver_and_is_staff_only(hub: Hub) -> None:
    shopper = await new_shopper(hub)
    request = pb.AssessRiskRequest(
        user_id=shopper.sub,
        amount=agent_types_pb2.Money(currency_code="USD", amount_minor=5000),
        payment_method_id=shopper.card_id,
    )
    answer = await agent(hub).AssessRisk(request, metadata=staff(hub))
    assert answer.decision == pb.RISK_DECISION_APPROVE
    assert (answer.review_threshold, answer.deny_threshold) == (risk.REVIEW_THRESHOLD, risk.DENY_THRESHOLD)
    drivers = {d.name: d for d in answer.explanation.drivers}
    assert drivers["new_account"].contribution == pytest.approx(risk.NEW_ACCOUNT.weight)
    assert drivers["card_orders_last_minute"].value == 1
    assert "no billing country" in drivers["country_mismatch"].reason
    assert "projection:checkout-support-orders" in answer.explanation.freshness.sources

    await expect_error(agent(hub).AssessRisk(request, metadata=shopper.me), grpc.StatusCode.PERMISSION_DENIED)
    bad = await expect_error(
        agent(hub).AssessRisk(pb.AssessRiskRequest(user_id=shopper.sub), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "amount.currency_code" in violated_fields(bad)
    # A signed-in shopper without a registered profile: assessed, with the account age unknown.
    unknown = await agent(hub).AssessRisk(
        pb.AssessRiskRequest(user_id="nobody-here", amount=request.amount), metadata=staff(hub)
    )
    age = next(d for d in unknown.explanation.drivers if d.name == "new_account")
    assert age.reason == "account age unknown" and age.contribution == 0


async def test_a_burst_on_one_card_is_flagged_for_review_then_denied(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1, on_hand=10_000)
    shopper = await new_shopper(hub)
    for n in range(9):
        placed = await order_one(shopper, sku, f"burst-{n}")
        assert not placed.review_required
    await settle(hub)

    tenth = await order_one(shopper, sku, "burst-9")  # the 10th order on one card within a minute
    assert tenth.review_required
    assert "10 orders on this card in the last minute" in tenth.review_reason
    assert [c for c in tenth.skipped_checks if c.startswith(AGENT)] == []
    assert await flagged(hub, shopper.sub) == [tenth.id]

    for n in range(10, 14):
        await settle(hub)
        assert (await order_one(shopper, sku, f"burst-{n}")).review_required
    await settle(hub)
    await shopper.add(sku, 1)
    denied = await expect_error(shopper.place("burst-14"), grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(denied) == "ORDER_RISK_DENIED"
    metadata = error_metadata(denied)
    assert float(metadata["risk_score"]) >= risk.DENY_THRESHOLD
    assert (
        "card_orders_last_minute=15" in metadata["drivers"] and "shopper_orders_last_minute=15" in metadata["drivers"]
    )
    assert "deny threshold" in (denied.details() or "")
    assert len(await flagged(hub, shopper.sub)) == 5, "the denied order was never placed"


@pytest.fixture
async def hub_without_agent(tmp_path: Path) -> AsyncIterator[Hub]:
    """The commerce services only: checkout-support is not hosted anywhere."""
    async with running_hub(tmp_path / "data", services=COMMERCE, seed=True) as running:
        yield running


async def test_without_the_agent_the_order_is_placed_and_says_the_assessment_was_skipped(
    hub_without_agent: Hub,
) -> None:
    hub = hub_without_agent
    (sku,) = await stocked_products(hub, 1, on_hand=50)
    shopper = await new_shopper(hub)
    order = await order_one(shopper, sku, "unassessed")
    assert order.status == order_pb2.ORDER_STATUS_PENDING and not order.review_required
    assert f"{AGENT}: unimplemented" in list(order.skipped_checks)
    await shopper.add(sku, 1)
    validated = await shopper.checkout.ValidateCheckout(checkout_pb.ValidateCheckoutRequest(), metadata=shopper.me)
    assert validated.valid and not validated.HasField("risk_assessment")
    assert [c for c in validated.skipped_checks if c.startswith(AGENT)] == [f"{AGENT}: unimplemented"]
