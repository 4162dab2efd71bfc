"""Agent logistics-carrier-selection over real gRPC, and CreateShipment asking it.

The hub hosts the order path, shipments and the agent. Variants: the agent answering (a described
parcel, a paid order, the on-time projection following ShipmentDelivered events, every refusal);
CreateShipment without a carrier taking the agent's choice; and the agent not hosted, where the
shipment gets the default carrier and says selection was skipped.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from holidaypeak.agents.v1 import logistics_carrier_selection_service_pb2 as pb
from holidaypeak.agents.v1 import logistics_carrier_selection_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import shipment_pb2
from holidaypeak.commerce.v1 import shipment_service_pb2 as ship_pb
from holidaypeak.commerce.v1 import shipment_service_pb2_grpc as ship_grpc
from hph.host import evaluate
from tests.integration.test_shipments_grpc import an_order, at
from tests.support.platform_harness import Hub, running_hub
from tests.support.rich_status import expect_error, reason, violated_fields
from tests.support.shoppers import staff as staff_of
from tests.support.shoppers import stocked_products
from tests.support.waiting import read_until

pytestmark = pytest.mark.integration

AGENT = "logistics-carrier-selection"
COMMERCE = ("catalog", "users", "inventory", "cart", "checkout", "orders", "payments", "shipments")
HUB_SERVICES = (*COMMERCE, AGENT)
ST = shipment_pb2


def agent(hub: Hub) -> pb_grpc.LogisticsCarrierSelectionServiceStub:
    return pb_grpc.LogisticsCarrierSelectionServiceStub(hub.channel)


def shipments(hub: Hub) -> ship_grpc.ShipmentServiceStub:
    return ship_grpc.ShipmentServiceStub(hub.channel)


def staff(hub: Hub) -> Any:
    return staff_of(hub)


def parcel(**fields: Any) -> pb.Parcel:
    base: dict[str, Any] = {"weight_grams": 1200, "destination_country_code": "US", "destination_postal_code": "94103"}
    base.update(fields)
    return pb.Parcel(**base)


async def select(hub: Hub, **fields: Any) -> pb.SelectCarrierResponse:
    answer: pb.SelectCarrierResponse = await agent(hub).SelectCarrier(
        pb.SelectCarrierRequest(**fields), metadata=staff(hub)
    )
    return answer


async def test_a_parcel_gets_the_cheapest_option_meeting_the_promise_with_ranked_reasons(hub: Hub) -> None:
    answer = await select(hub, parcel=parcel(length_mm=400, width_mm=300, height_mm=300), max_alternatives=5)
    chosen = answer.selected
    assert chosen.meets_promise and chosen.zone == "8"
    assert chosen.dimensional_weight_grams == 7200 or chosen.carrier == "usps"  # 36,000,000 mm3 / 5000
    assert chosen.billable_weight_grams == max(1200, chosen.dimensional_weight_grams)
    assert chosen.reason.startswith("cheapest meeting") or chosen.reason.startswith("best meeting")
    assert 1 <= len(answer.alternatives) <= 5 and all(o.reason for o in answer.alternatives)
    meeting = [o for o in answer.alternatives if o.meets_promise]
    assert all(o.score >= chosen.score for o in meeting)
    assert chosen.rate.currency_code == "USD" and chosen.rate.amount_minor > 0
    drivers = {d.name for d in answer.explanation.drivers}
    assert {"rate", "billable_weight", "transit_days", "on_time_rate", "late_cost"} <= drivers
    sources = list(answer.explanation.freshness.sources)
    assert "projection:carrier-deliveries" in sources and any(s.startswith("rates:") for s in sources)
    assert answer.explanation.method.startswith("carrier-selection-v1")


async def test_an_impossible_promise_gets_the_fastest_option_saying_so(hub: Hub) -> None:
    today = datetime.now(UTC)
    answer = await select(
        hub, parcel=parcel(destination_country_code="DE", destination_postal_code="10115"), promised_by=at(today)
    )
    assert not answer.selected.meets_promise and answer.selected.estimate.at_risk
    assert answer.selected.reason.startswith("no option meets")


async def test_a_paid_order_is_rated_from_its_address(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1)
    order = await an_order(hub, "carrier-olga", {sku: 2})
    answer = await select(hub, order_id=order.id)
    assert answer.selected.zone == "8"  # San Francisco from the origin's 1xxxx
    assert answer.selected.billable_weight_grams == 1000  # two units at 500 g


async def test_refusals(hub: Hub) -> None:
    neither = await expect_error(select(hub), grpc.StatusCode.INVALID_ARGUMENT)
    assert "order_id" in violated_fields(neither)
    bad = await expect_error(
        select(
            hub,
            order_id="ORD-0123456789ABCDEF",
            parcel=parcel(weight_grams=0, destination_country_code="USA"),
            carriers=["pigeon"],
            max_alternatives=11,
            min_service_level=9,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) >= {
        "order_id",
        "parcel.weight_grams",
        "parcel.destination_country_code",
        "carriers[0]",
        "max_alternatives",
        "min_service_level",
    }
    past = await expect_error(
        select(hub, parcel=parcel(), promised_by=at(datetime(2001, 1, 1, tzinfo=UTC))), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert "promised_by" in violated_fields(past)
    abroad = await expect_error(
        select(hub, parcel=parcel(destination_country_code="DE"), carriers=["usps"]),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(abroad) == "NO_CARRIER_SERVES"
    await expect_error(select(hub, order_id="ORD-0123456789ABCDEF"), grpc.StatusCode.NOT_FOUND)
    await expect_error(
        agent(hub).SelectCarrier(pb.SelectCarrierRequest(parcel=parcel()), metadata=()), grpc.StatusCode.UNAUTHENTICATED
    )


async def test_create_shipment_without_a_carrier_takes_the_agents_choice_and_deliveries_feed_the_on_time_rate(
    hub: Hub,
) -> None:
    (sku,) = await stocked_products(hub, 1)
    order = await an_order(hub, "carrier-ines", {sku: 1})
    advice = await select(hub, parcel=parcel(weight_grams=900, destination_postal_code="94103"), max_alternatives=1)
    created = await shipments(hub).CreateShipment(
        ship_pb.CreateShipmentRequest(order_id=order.id, package_weight_grams=900, request_id=uuid.uuid4().hex),
        metadata=staff(hub),
    )
    choice = created.carrier_choice
    assert (choice.method, choice.selection_skipped) == ("agent", False)
    assert created.carrier == advice.selected.carrier and choice.reason == advice.selected.reason
    assert choice.rate_minor == advice.selected.rate.amount_minor and choice.currency_code == "USD"
    assert created.service_level == advice.selected.service_level

    # Delivered on the promised day: the carrier's on-time record grows above the prior.
    now = datetime.now(UTC)
    await shipments(hub).AddShipmentEvent(
        ship_pb.AddShipmentEventRequest(
            shipment_id=created.id, status=ST.SHIPMENT_STATUS_DELIVERED, occurred_at=at(now)
        ),
        metadata=staff(hub),
    )

    def deliveries_of(answer: pb.SelectCarrierResponse) -> str:
        return next(d.reason for d in answer.explanation.drivers if d.name == "on_time_rate")

    counted = await read_until(
        lambda: select(hub, parcel=parcel(), carriers=[created.carrier], max_alternatives=0),
        lambda answer: deliveries_of(answer).startswith("1 deliveries"),
    )
    assert deliveries_of(counted).startswith("1 deliveries")
    assert counted.selected.on_time_rate > 0.9
    assert counted.explanation.freshness.HasField("data_as_of")


async def test_a_named_carrier_is_kept_and_said_so(hub: Hub) -> None:
    (sku,) = await stocked_products(hub, 1)
    order = await an_order(hub, "carrier-noah", {sku: 1})
    created = await shipments(hub).CreateShipment(
        ship_pb.CreateShipmentRequest(
            order_id=order.id, carrier="dhl", package_weight_grams=900, request_id=uuid.uuid4().hex
        ),
        metadata=staff(hub),
    )
    assert (created.carrier, created.carrier_choice.method) == ("dhl", "requested")


@pytest.fixture
async def hub_without_agent(tmp_path: Path) -> AsyncIterator[Hub]:
    async with running_hub(tmp_path / "data", services=COMMERCE, seed=True) as running:
        yield running


async def test_without_the_agent_the_shipment_gets_the_default_carrier_marked_skipped(hub_without_agent: Hub) -> None:
    hub = hub_without_agent
    (sku,) = await stocked_products(hub, 1)
    order = await an_order(hub, "carrier-leo", {sku: 1})
    started = datetime.now(UTC)
    created = await shipments(hub).CreateShipment(
        ship_pb.CreateShipmentRequest(order_id=order.id, package_weight_grams=900, request_id=uuid.uuid4().hex),
        metadata=staff(hub),
    )
    assert datetime.now(UTC) - started < timedelta(seconds=5)
    assert created.carrier == "ups" and created.service_level == ST.SERVICE_LEVEL_STANDARD
    choice = created.carrier_choice
    assert choice.method == "default" and choice.selection_skipped
    assert choice.reason.startswith("default carrier")
    assert "logistics-carrier-selection skipped: unimplemented" in choice.reason


def test_hph_eval_carrier_meets_its_floor(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    assert evaluate.run(parser.parse_args(["carrier", "--queries"])) == 0
    printed = capsys.readouterr().out
    assert "cases 16" in printed and "BAD" not in printed
    assert evaluate.run(parser.parse_args(["carrier", "--grpc", "127.0.0.1:1"])) == 2
