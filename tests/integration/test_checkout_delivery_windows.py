"""Checkout's delivery windows from agent logistics-eta-computation, over real gRPC and REST: each
shipping option's window is the agent's for the destination (one EstimateRoutes call), moved by the
cut-off and the holiday calendar; with the agent not hosted, or slower than its deadline, checkout
still answers with the shipping table's days, says the windows were skipped, and the breaker opens
and closes again."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2 as eta_pb
from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2_grpc as eta_grpc
from holidaypeak.commerce.v1 import checkout_pb2, shipment_pb2
from holidaypeak.commerce.v1 import checkout_service_pb2 as checkout_pb
from hph.commerce.agent_calls import ANSWERED
from hph.commerce.delivery_windows import AGENT, AGENT_SOURCE, TABLE_SOURCE, DeliveryWindows
from hph.commerce.pricing.rules import OfferedOption, option_name
from hph.commerce.pricing.tables import Destination
from hph.host.app import SERVICE_NAMES
from hph.runtime.clock import to_timestamp
from tests.support.clocks import ManualClock
from tests.support.platform_harness import Hub, start_hub, stop_hub
from tests.support.rest_harness import start_rest_hub, stop_rest_hub
from tests.support.rest_json import ADDRESS, ok
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import Shopper, a_shopper, staff, stocked_products

pytestmark = pytest.mark.integration

COMMERCE = ("catalog", "users", "inventory", "cart", "checkout", "orders", "payments")
ROUTES = f"/api/staff/agents/{AGENT}/estimate-routes"
WEDNESDAY = datetime(2026, 11, 11, 10, tzinfo=UTC)  # two weeks before Thanksgiving, before the cut-off
THANKSGIVING = date(2026, 11, 26)
# A generous deadline so a busy test machine never turns an answer into a skip.
SETTINGS = {"delivery_window_deadline_seconds": 5.0}


@pytest.fixture
async def clock() -> ManualClock[datetime]:
    return ManualClock(WEDNESDAY)


@pytest.fixture
async def hub(tmp_path: Path, clock: ManualClock[datetime]) -> AsyncIterator[Hub]:
    running = await start_hub(
        tmp_path / "data", services=(*COMMERCE, AGENT), seed=True, settings_overrides=SETTINGS, clock=clock
    )
    try:
        yield running
    finally:
        await stop_hub(running)


async def shopper_with_a_cart(hub: Hub, sub: str) -> Shopper:
    shopper = await a_shopper(hub, sub)
    (sku,) = await stocked_products(hub, 1)
    await shopper.add(sku, 1)
    return shopper


async def options(shopper: Shopper) -> dict[str, checkout_pb2.ShippingOption]:
    validated = await shopper.checkout.ValidateCheckout(
        checkout_pb.ValidateCheckoutRequest(shipping_address_id=shopper.address_id), metadata=shopper.me
    )
    assert validated.valid and not [c for c in validated.skipped_checks if c.startswith(AGENT)]
    return {option.id: option for option in validated.shipping_options}


def last_day(option: checkout_pb2.ShippingOption) -> date:
    return option.latest_delivery_at.ToDatetime().date()


def weekdays_after(start: date, end: date) -> int:
    """Mondays to Fridays after `start` up to and including `end`."""
    return sum((start + timedelta(days=n)).weekday() < 5 for n in range(1, (end - start).days + 1))


def first_day(option: checkout_pb2.ShippingOption) -> date:
    return option.earliest_delivery_at.ToDatetime().date()


async def test_each_option_gets_the_agents_window_moved_by_the_cut_off_and_the_holidays(
    hub: Hub, clock: ManualClock[datetime]
) -> None:
    shopper = await shopper_with_a_cart(hub, "wendy")
    morning = await options(shopper)
    assert {o.window_source for o in morning.values()} == {AGENT_SOURCE}

    # The same windows the agent gives staff for the same routes (ups, the default carrier, to 94103).
    routes = [
        eta_pb.EtaRoute(
            service_level=level,
            destination_country_code="US",
            destination_region="CA",
            destination_postal_code="94103",
            ready_at=to_timestamp(WEDNESDAY),
        )
        for level in (shipment_pb2.SERVICE_LEVEL_STANDARD, shipment_pb2.SERVICE_LEVEL_EXPEDITED)
    ]
    direct = await eta_grpc.LogisticsEtaComputationServiceStub(hub.channel).EstimateRoutes(
        eta_pb.EstimateRoutesRequest(routes=routes), metadata=staff(hub)
    )
    for option_id, estimate in zip(("standard", "express"), direct.estimates, strict=True):
        option = morning[option_id]
        assert option.earliest_delivery_at == estimate.estimate.window.start_time
        assert (option.min_delivery_days, option.max_delivery_days) == (
            estimate.window_start_business_days,
            estimate.window_end_business_days,
        )
        assert option.name.endswith(f"{option.min_delivery_days}-{option.max_delivery_days} business days)")
    # Express: ready Wednesday morning, shipped Thursday (1 day of handling), 2 days of transit: Monday.
    assert (direct.estimates[1].carrier, direct.estimates[1].zone) == ("ups", "us-national")
    assert direct.estimates[1].estimate.estimated_delivery_at.ToDatetime().date() == date(2026, 11, 16)
    assert morning["standard"].max_delivery_days > morning["express"].max_delivery_days

    # After the 19:00 UTC cut-off, handling starts a business day later: every window one day later.
    clock.now = WEDNESDAY.replace(hour=20)
    evening = await options(shopper)
    for option_id in ("standard", "express"):
        assert evening[option_id].max_delivery_days == morning[option_id].max_delivery_days + 1
        assert last_day(evening[option_id]) > last_day(morning[option_id])

    # Two weeks later the same business days take one more weekday: Thanksgiving is skipped (the
    # shipping table alone would count it, and Express would land on it).
    clock.now = WEDNESDAY + timedelta(days=14)
    holiday_week = await options(shopper)
    for option_id in ("standard", "express"):
        option, before = holiday_week[option_id], morning[option_id]
        assert option.max_delivery_days == before.max_delivery_days
        assert weekdays_after(WEDNESDAY.date(), last_day(before)) == before.max_delivery_days
        assert weekdays_after(clock.now.date(), last_day(option)) == option.max_delivery_days + 1
        assert first_day(option) > THANKSGIVING

    # The quote shows the same windows, the selected option too, and skipped nothing.
    quote = await shopper.checkout.QuoteCheckout(
        checkout_pb.QuoteCheckoutRequest(shipping_address_id=shopper.address_id, shipping_option="express"),
        metadata=shopper.me,
    )
    assert list(quote.skipped_checks) == []
    assert quote.selected_shipping_option == holiday_week["express"]
    assert {o.id: o for o in quote.shipping_options} == holiday_week


async def test_checkout_reuses_the_agents_windows_until_the_agent_says_and_asks_again_after_the_cut_off(
    hub: Hub, clock: ManualClock[datetime]
) -> None:
    """The agent's answer holds until the next cut-off or midnight, its carrier records' freshness
    (10 s) at most; checkout's windows reuse it until then and ask again after."""
    windows = DeliveryWindows(hub.platform.deps)  # checkout's own helper, over the hosted agent
    offered = tuple(
        OfferedOption(option_id, option_name(label, low, high), 599, low, high, WEDNESDAY, WEDNESDAY, label)
        for option_id, label, low, high in (("standard", "Standard", 3, 5), ("express", "Express", 1, 2))
    )
    home = Destination("US", "CA", "94103")

    async def valid_until(at: datetime) -> datetime:
        """The agent's `valid_until` for a standard parcel to 94103 asked at `at`, ready then."""
        clock.now = at
        route = eta_pb.EtaRoute(
            service_level=shipment_pb2.SERVICE_LEVEL_STANDARD,
            destination_country_code="US",
            destination_postal_code="94103",
        )
        direct = await eta_grpc.LogisticsEtaComputationServiceStub(hub.channel).EstimateRoutes(
            eta_pb.EstimateRoutesRequest(routes=[route]), metadata=staff(hub)
        )
        return direct.valid_until.ToDatetime(tzinfo=UTC)

    cutoff = WEDNESDAY.replace(hour=19)
    assert await valid_until(cutoff - timedelta(seconds=5)) == cutoff, "the cut-off before the records' freshness"
    assert await valid_until(WEDNESDAY) == WEDNESDAY + timedelta(seconds=10)
    assert await valid_until(cutoff) == cutoff + timedelta(seconds=10)

    clock.now = cutoff - timedelta(seconds=5)
    before = await windows.windows(offered, home, clock.now)
    clock.now = cutoff - timedelta(seconds=1)
    again = await windows.windows(offered, home, clock.now)
    assert windows.client.counts[ANSWERED] == 1, "asked once for the same destination before the cut-off"
    assert again == before and set(before.sources.values()) == {AGENT_SOURCE}
    clock.now = cutoff
    after = await windows.windows(offered, home, clock.now)
    assert windows.client.counts[ANSWERED] == 2, "asked again once the cut-off passed"
    for old, new in zip(before.options, after.options, strict=True):
        assert new.max_days == old.max_days + 1, "handling starts a business day later after the cut-off"


async def test_estimate_routes_refuses_what_it_cannot_answer(hub: Hub) -> None:
    estimate = eta_grpc.LogisticsEtaComputationServiceStub(hub.channel).EstimateRoutes
    us = eta_pb.EtaRoute(destination_country_code="US")
    empty = await expect_error(
        estimate(eta_pb.EstimateRoutesRequest(), metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(empty)) == {"routes"}
    too_many = await expect_error(
        estimate(eta_pb.EstimateRoutesRequest(routes=[us] * 11), metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(too_many)) == {"routes"}
    bad = await expect_error(
        estimate(
            eta_pb.EstimateRoutesRequest(routes=[us, eta_pb.EtaRoute(destination_country_code="usa")], confidence=2),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) == {"routes[1].destination_country_code", "confidence"}
    unsold = eta_pb.EtaRoute(
        carrier="usps", service_level=shipment_pb2.SERVICE_LEVEL_ECONOMY, destination_country_code="US"
    )
    refused = await expect_error(
        estimate(eta_pb.EstimateRoutesRequest(routes=[us, unsold]), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(refused)) == {"routes[1].carrier"}
    await expect_error(
        estimate(eta_pb.EstimateRoutesRequest(routes=[us]), metadata=hub.auth("customer", "wendy")),
        grpc.StatusCode.PERMISSION_DENIED,
    )


async def test_rest_shows_the_agents_windows_and_staff_can_ask_the_agent(tmp_path: Path) -> None:
    clock = ManualClock(WEDNESDAY + timedelta(days=14))
    rest = await start_rest_hub(
        tmp_path / "data", services=(*SERVICE_NAMES, AGENT), settings_overrides=SETTINGS, clock=clock
    )
    try:
        ava = rest.bearer("customer", "ava", email="ava@example.com", name="Ava Reyes")
        ok(await rest.http.post("/api/auth/register", json={}, headers=ava))
        address = ok(await rest.http.post("/api/users/me/addresses", json=ADDRESS, headers=ava))
        staff_sam = rest.bearer("staff", "staff-sam")
        sku = ok(await rest.http.get("/api/products", params={"limit": 1}))["products"][0]["id"]
        stock = {"quantity_on_hand": 100, "reason": "stock take"}
        ok(await rest.http.patch(f"/api/staff/inventory/{sku}", json=stock, headers=staff_sam))
        ok(await rest.http.post("/api/cart/items", json={"product_id": sku, "quantity": 1}, headers=ava))
        body = {"shipping_address_id": address["id"]}
        validated = ok(await rest.http.post("/api/checkout/validate", json=body, headers=ava))
        assert not [c for c in validated.get("skipped_checks", []) if c.startswith(AGENT)]
        offered = {o["id"]: o for o in validated["shipping_options"]}
        assert {o["window_source"] for o in offered.values()} == {AGENT_SOURCE}
        quoted = ok(
            await rest.http.post("/api/checkout/quote", json={**body, "shipping_option": "express"}, headers=ava)
        )
        assert quoted["selected_shipping_option"] == offered["express"]

        route = {
            "destination_country_code": "US",
            "destination_postal_code": "94105",
            "service_level": "SERVICE_LEVEL_EXPEDITED",
        }
        direct = ok(await rest.http.post(ROUTES, json={"routes": [route]}, headers=staff_sam))
        (estimate,) = direct["estimates"]
        assert estimate["estimate"]["window"]["start_time"] == offered["express"]["earliest_delivery_at"]
        assert estimate["window_end_business_days"] == offered["express"]["max_delivery_days"]
        assert date.fromisoformat(offered["express"]["earliest_delivery_at"][:10]) != THANKSGIVING
        assert (await rest.http.post(ROUTES, json={"routes": [route]}, headers=ava)).status_code == 403
    finally:
        await stop_rest_hub(rest)


async def test_without_the_agent_the_table_windows_stand_and_checkout_says_so(tmp_path: Path) -> None:
    running = await start_hub(tmp_path / "data", services=COMMERCE, seed=True)
    try:
        shopper = await shopper_with_a_cart(running, "nora")
        validated = await shopper.checkout.ValidateCheckout(
            checkout_pb.ValidateCheckoutRequest(shipping_address_id=shopper.address_id), metadata=shopper.me
        )
        assert validated.valid and f"{AGENT}: unimplemented" in list(validated.skipped_checks)
        table = {o.id: (o.min_delivery_days, o.max_delivery_days, o.window_source) for o in validated.shipping_options}
        assert table == {"standard": (3, 5, TABLE_SOURCE), "express": (1, 2, TABLE_SOURCE)}
        quote = await shopper.checkout.QuoteCheckout(
            checkout_pb.QuoteCheckoutRequest(shipping_address_id=shopper.address_id), metadata=shopper.me
        )
        assert list(quote.skipped_checks) == [f"{AGENT}: unimplemented"]
        assert quote.selected_shipping_option.window_source == TABLE_SOURCE
        order = await shopper.place(uuid.uuid4().hex)
        assert order.id
    finally:
        await stop_hub(running)


class SleepyEta(eta_grpc.LogisticsEtaComputationServiceServicer):
    """An ETA agent that answers far too late until told to wake up, then with a fixed window."""

    def __init__(self) -> None:
        self.asleep = True

    async def EstimateRoutes(
        self, request: eta_pb.EstimateRoutesRequest, context: Any
    ) -> eta_pb.EstimateRoutesResponse:
        if self.asleep:
            await asyncio.sleep(10)
        start = datetime(2026, 12, 7, tzinfo=UTC)
        window = agent_types_pb2.TimeWindow(
            start_time=to_timestamp(start), end_time=to_timestamp(start + timedelta(days=2))
        )
        answer = eta_pb.ComputeEtaResponse(
            estimate=agent_types_pb2.DeliveryEstimate(window=window),
            window_start_business_days=3,
            window_end_business_days=4,
        )
        return eta_pb.EstimateRoutesResponse(estimates=[answer] * len(request.routes))


async def test_a_slow_agent_costs_checkout_its_deadline_then_its_breaker_opens_and_closes(tmp_path: Path) -> None:
    agent = SleepyEta()
    server = grpc.aio.server()
    eta_grpc.add_LogisticsEtaComputationServiceServicer_to_server(agent, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    settings = {
        "service_addresses": f"{AGENT}=127.0.0.1:{port}",
        "delivery_window_deadline_seconds": 0.2,
        "agent_breaker_failures": 3,
        "agent_breaker_window_calls": 5,
        "agent_breaker_open_seconds": 0.5,
    }
    running = await start_hub(tmp_path / "data", services=COMMERCE, seed=True, settings_overrides=settings)
    try:
        shopper = await shopper_with_a_cart(running, "sid")
        request = checkout_pb.ValidateCheckoutRequest(shipping_address_id=shopper.address_id)

        async def skipped() -> list[str]:
            started = time.perf_counter()
            validated = await shopper.checkout.ValidateCheckout(request, metadata=shopper.me)
            assert time.perf_counter() - started < 5, "checkout never waits for the sleeping agent"
            assert validated.valid
            return [c for c in validated.skipped_checks if c.startswith(AGENT)]

        assert [await skipped() for _ in range(3)] == [[f"{AGENT}: deadline_exceeded"]] * 3
        assert await skipped() == [f"{AGENT}: breaker_open"]  # shed at once: the agent is not even asked
        order = await shopper.place(uuid.uuid4().hex)  # the journey completes
        assert order.id

        agent.asleep = False
        await asyncio.sleep(0.6)  # the breaker half-opens: one probe goes out, answers, and closes it
        await shopper.add((await stocked_products(running, 1))[0], 1)
        validated = await shopper.checkout.ValidateCheckout(request, metadata=shopper.me)
        assert not [c for c in validated.skipped_checks if c.startswith(AGENT)]
        assert {(o.window_source, o.min_delivery_days, o.max_delivery_days) for o in validated.shipping_options} == {
            (AGENT_SOURCE, 3, 4)
        }
    finally:
        await stop_hub(running)
        await server.stop(0)
