"""Agent logistics-returns-support over real gRPC with the real orders, payments, returns, shipments
and catalog, and PreviewReturn consulting it: a delivered order's lines are eligible with a refund
estimate that matches the service's own amount less the policy's fees; past the window they are
not, with the reason; another customer gets NOT_FOUND; staff may ask about any order; with the agent
not hosted the preview still answers and says the estimate was skipped.

Products come from the demo catalog by category (headphones carry a restocking fee once opened,
whiskey is excluded, ornaments follow the default rule)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from holidaypeak.agents.v1 import logistics_returns_support_service_pb2 as pb
from holidaypeak.agents.v1 import logistics_returns_support_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import return_pb2 as rpb
from holidaypeak.commerce.v1 import return_service_pb2 as returns_pb
from holidaypeak.commerce.v1 import return_service_pb2_grpc as returns_grpc
from hph.agents.logistics_returns_support.decisions import restocking_fee
from hph.commerce import returns_policy
from hph.commerce.demo_data import generate_catalog
from tests.integration.test_returns_grpc import a_delivered_order, create_request, set_delivered_at
from tests.support.platform_harness import Hub, running_hub
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import a_shopper, staff, stock_up

pytestmark = pytest.mark.integration

AGENT = "logistics-returns-support"
COMMERCE = ("catalog", "users", "inventory", "cart", "checkout", "orders", "payments", "returns", "shipments")
HUB_SERVICES = (*COMMERCE, AGENT)
_CATALOG = generate_catalog()
HEADPHONES = next(p.id for p in _CATALOG.products if p.category_id == "headphones-audio")
ORNAMENT = next(p.id for p in _CATALOG.products if p.category_id == "ornaments")
WHISKEY = next(p.id for p in _CATALOG.products if p.category_id == "bar-whiskey")


def agent(hub: Hub) -> pb_grpc.LogisticsReturnsSupportServiceStub:
    return pb_grpc.LogisticsReturnsSupportServiceStub(hub.channel)


def check_request(
    order_id: str, items: dict[str, int] | None = None, **fields: object
) -> pb.CheckReturnEligibilityRequest:
    return pb.CheckReturnEligibilityRequest(
        order_id=order_id,
        items=[pb.ReturnLineRequest(product_id=p, quantity=q) for p, q in (items or {}).items()],
        **fields,  # type: ignore[arg-type]
    )


async def test_a_delivered_order_is_eligible_with_an_itemised_estimate(hub: Hub) -> None:
    await stock_up(hub, [HEADPHONES, ORNAMENT, WHISKEY], 100)
    ava = await a_shopper(hub, "ava-returns-agent")
    order = await a_delivered_order(hub, ava, {HEADPHONES: 1, ORNAMENT: 2, WHISKEY: 1})

    answer = await agent(hub).CheckReturnEligibility(
        check_request(order.id, condition=pb.ITEM_CONDITION_OPENED, reason=rpb.RETURN_REASON_NO_LONGER_NEEDED),
        metadata=ava.me,
    )
    lines = {line.product_id: line for line in answer.lines}
    assert answer.eligible and set(lines) == {HEADPHONES, ORNAMENT, WHISKEY}
    assert lines[WHISKEY].ineligibility_reason == pb.INELIGIBILITY_REASON_CATEGORY_EXCLUDED
    headphones = lines[HEADPHONES]
    assert headphones.eligible and headphones.returnable_quantity == 1
    assert headphones.restocking_fee.amount_minor == restocking_fee(headphones.item_refund.amount_minor, 1500) > 0
    assert lines[ORNAMENT].restocking_fee.amount_minor == 0 and lines[ORNAMENT].quantity == 2

    refund = answer.refund
    items = headphones.item_refund.amount_minor + lines[ORNAMENT].item_refund.amount_minor
    tax = returns_policy.tax_share(items, order.subtotal_minor, order.tax_minor)
    assert (refund.items.amount_minor, refund.tax.amount_minor, refund.shipping.amount_minor) == (items, tax, 0)
    assert refund.return_shipping_fee.amount_minor == 599
    assert refund.total.amount_minor == items + tax - headphones.restocking_fee.amount_minor - 599
    assert refund.total.currency_code == order.currency_code
    assert answer.window_closes_at.ToDatetime() - answer.delivered_at.ToDatetime() == timedelta(days=30)
    assert [step.code for step in answer.next_steps][:2] == ["request_return", "pack_complete"]
    freshness = answer.explanation.freshness
    assert "rpc:OrderService.GetOrder" in freshness.sources and not freshness.degraded
    assert {d.name for d in answer.explanation.drivers} >= {
        "window_days_left",
        "tax_share",
        f"restocking_fee:{HEADPHONES}",
    }

    # Staff may ask about it too; the units in an open return are no longer returnable.
    await returns_grpc.ReturnServiceStub(hub.channel).CreateReturn(
        create_request(order.id, {ORNAMENT: 2}), metadata=ava.me
    )
    again = await agent(hub).CheckReturnEligibility(check_request(order.id, {ORNAMENT: 1}), metadata=staff(hub))
    assert (again.lines[0].ineligibility_reason, again.lines[0].returnable_quantity) == (
        pb.INELIGIBILITY_REASON_ALREADY_RETURNED,
        0,
    )


async def test_past_the_window_lines_are_ineligible_with_the_reason(hub: Hub) -> None:
    await stock_up(hub, [ORNAMENT], 100)
    ava = await a_shopper(hub, "ava-late")
    order = await a_delivered_order(hub, ava, {ORNAMENT: 1})
    await set_delivered_at(hub, order, timedelta(days=31))
    answer = await agent(hub).CheckReturnEligibility(check_request(order.id), metadata=ava.me)
    assert not answer.eligible
    assert answer.lines[0].ineligibility_reason == pb.INELIGIBILITY_REASON_WINDOW_CLOSED
    assert "window closed on" in answer.lines[0].message
    assert answer.refund.total.amount_minor == 0
    assert answer.next_steps[0].code == "contact_support"


async def test_another_customer_gets_not_found_and_bad_requests_are_invalid(hub: Hub) -> None:
    await stock_up(hub, [ORNAMENT], 100)
    ava = await a_shopper(hub, "ava-owner")
    bob = await a_shopper(hub, "bob-other")
    order = await a_delivered_order(hub, ava, {ORNAMENT: 1})
    await expect_error(
        agent(hub).CheckReturnEligibility(check_request(order.id), metadata=bob.me), grpc.StatusCode.NOT_FOUND
    )
    await expect_error(
        agent(hub).CheckReturnEligibility(check_request("ORD-0000000000000000"), metadata=ava.me),
        grpc.StatusCode.NOT_FOUND,
    )
    await expect_error(
        agent(hub).CheckReturnEligibility(check_request(order.id), metadata=()), grpc.StatusCode.UNAUTHENTICATED
    )
    wrong = await expect_error(
        agent(hub).CheckReturnEligibility(check_request(order.id, {WHISKEY: 1, ORNAMENT: 5}), metadata=ava.me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(wrong)) == {"items[0].product_id", "items[1].quantity"}
    malformed = await expect_error(
        agent(hub).CheckReturnEligibility(check_request("nope", {ORNAMENT: 0}), metadata=ava.me),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(malformed)) == {"order_id", "items[0].quantity"}


async def test_the_preview_shows_the_agents_estimate_before_the_customer_confirms(hub: Hub) -> None:
    await stock_up(hub, [HEADPHONES], 100)
    ava = await a_shopper(hub, "ava-preview")
    order = await a_delivered_order(hub, ava, {HEADPHONES: 1})
    returns = returns_grpc.ReturnServiceStub(hub.channel)
    preview = await returns.PreviewReturn(
        returns_pb.PreviewReturnRequest(
            order_id=order.id,
            items=[rpb.ReturnItem(product_id=HEADPHONES, quantity=1)],
            reason=rpb.RETURN_REASON_SIZE_OR_FIT,
            condition=returns_pb.RETURN_ITEM_CONDITION_OPENED,
        ),
        metadata=ava.me,
    )
    assert preview.returnable and preview.estimate_skipped == ""
    estimate = preview.estimate
    assert estimate.eligible and estimate.restocking_fees_minor > 0
    assert estimate.items_minor + estimate.tax_minor == preview.refundable_minor
    assert estimate.total_minor == preview.refundable_minor - estimate.restocking_fees_minor - 599
    assert estimate.next_steps and "refund" in estimate.summary
    # Confirming creates the return the service prices at refundable_minor (an admin applies the fees).
    created = await returns.CreateReturn(create_request(order.id, {HEADPHONES: 1}), metadata=ava.me)
    assert created.refund_amount_minor == preview.refundable_minor
    after = await returns.PreviewReturn(returns_pb.PreviewReturnRequest(order_id=order.id), metadata=ava.me)
    assert (after.returnable, after.not_returnable_reason) == (False, "QUANTITY_EXCEEDED")
    assert after.estimate.lines[0].ineligibility_reason == "INELIGIBILITY_REASON_ALREADY_RETURNED"
    late = await a_delivered_order(hub, ava, {HEADPHONES: 1})
    await set_delivered_at(hub, late, timedelta(days=40))
    closed = await returns.PreviewReturn(returns_pb.PreviewReturnRequest(order_id=late.id), metadata=ava.me)
    assert (closed.returnable, closed.not_returnable_reason) == (False, "WINDOW_CLOSED")
    bob = await a_shopper(hub, "bob-preview")
    await expect_error(
        returns.PreviewReturn(returns_pb.PreviewReturnRequest(order_id=order.id), metadata=bob.me),
        grpc.StatusCode.NOT_FOUND,
    )


async def test_without_the_agent_the_preview_answers_and_says_the_estimate_was_skipped(tmp_path: Path) -> None:
    async with running_hub(tmp_path / "data", services=COMMERCE, seed=True) as hub:
        await stock_up(hub, [ORNAMENT], 100)
        ava = await a_shopper(hub, "ava-no-agent")
        order = await a_delivered_order(hub, ava, {ORNAMENT: 2})
        returns = returns_grpc.ReturnServiceStub(hub.channel)
        preview = await returns.PreviewReturn(returns_pb.PreviewReturnRequest(order_id=order.id), metadata=ava.me)
        assert preview.returnable and not preview.HasField("estimate")
        assert preview.estimate_skipped == f"{AGENT}: unimplemented"
        assert preview.refundable_minor == order.subtotal_minor + order.tax_minor  # every unit: all the tax
        created = await returns.CreateReturn(create_request(order.id, {ORNAMENT: 2}), metadata=ava.me)
        assert created.status == rpb.RETURN_STATUS_REQUESTED


class SleepyAgent(pb_grpc.LogisticsReturnsSupportServiceServicer):
    """A returns-support agent that answers far too late."""

    async def CheckReturnEligibility(self, request: Any, context: Any) -> pb.CheckReturnEligibilityResponse:
        await asyncio.sleep(10)
        return pb.CheckReturnEligibilityResponse(eligible=False)


async def test_a_slow_agent_costs_the_preview_its_deadline_and_no_more(tmp_path: Path) -> None:
    server = grpc.aio.server()
    pb_grpc.add_LogisticsReturnsSupportServiceServicer_to_server(SleepyAgent(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    settings = {"service_addresses": f"{AGENT}=127.0.0.1:{port}", "return_estimate_deadline_seconds": 0.2}
    try:
        async with running_hub(tmp_path / "data", services=COMMERCE, seed=True, settings_overrides=settings) as hub:
            await stock_up(hub, [ORNAMENT], 100)
            ava = await a_shopper(hub, "ava-slow-agent")
            order = await a_delivered_order(hub, ava, {ORNAMENT: 1})
            returns = returns_grpc.ReturnServiceStub(hub.channel)
            started = time.perf_counter()
            preview = await returns.PreviewReturn(returns_pb.PreviewReturnRequest(order_id=order.id), metadata=ava.me)
            assert time.perf_counter() - started < 5, "the preview never waits for the sleeping agent"
            assert preview.returnable and preview.estimate_skipped == f"{AGENT}: deadline_exceeded"
            assert not preview.HasField("estimate")
    finally:
        await server.stop(0)
