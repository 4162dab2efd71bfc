"""Agent logistics-eta-computation's projections rebuild from the event log: after its consumer
group re-reads the whole log (`hph events replay --group logistics-eta-computation`, the framework's
reset) over the existing documents, and after a rebuild into emptied containers, every document is
the same and the agent gives the same answers (a parcel in transit with an exception, a delivered
one, a paid order not shipped, checkout's hypothetical routes with the carrier's on-time record)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest

from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2 as eta_pb
from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2_grpc as eta_grpc
from holidaypeak.commerce.v1 import shipment_pb2
from holidaypeak.commerce.v1 import shipment_service_pb2 as ship_pb
from holidaypeak.commerce.v1 import shipment_service_pb2_grpc as ship_grpc
from hph.agents.logistics_eta_computation.projection import CONTAINERS, GROUP
from hph.runtime.storage import Query
from tests.integration.test_order_status_eta_grpc import a_paid_order
from tests.support.clocks import ManualClock
from tests.support.events import consumers_of, settle
from tests.support.platform_harness import Hub, start_hub, stop_hub
from tests.support.rich_status import expect_error
from tests.support.shoppers import staff

pytestmark = pytest.mark.integration

AGENT = "logistics-eta-computation"
HUB_SERVICES = ("catalog", "users", "inventory", "cart", "checkout", "orders", "payments", "shipments", AGENT)
ST = shipment_pb2.ShipmentStatus
START = datetime(2026, 11, 30, 9, tzinfo=UTC)  # a Monday morning
UPS_NUMBERS = ("1Z999AA10123456784", "1Z999AA10123456795")


@pytest.fixture
async def clock() -> ManualClock[datetime]:
    return ManualClock(START)


@pytest.fixture
async def hub(tmp_path: Path, clock: ManualClock[datetime]) -> AsyncIterator[Hub]:
    running = await start_hub(tmp_path / "data", services=HUB_SERVICES, seed=True, clock=clock)
    try:
        yield running
    finally:
        await stop_hub(running)


async def shipped(hub: Hub, clock: ManualClock[datetime], sub: str, number: str, scans: list[int]) -> str:
    order, _ = await a_paid_order(hub, sub)
    shipments = ship_grpc.ShipmentServiceStub(hub.channel)
    created = await shipments.CreateShipment(
        ship_pb.CreateShipmentRequest(
            order_id=order.id,
            carrier="ups",
            service_level=shipment_pb2.SERVICE_LEVEL_STANDARD,
            tracking_number=number,
            package_weight_grams=1200,
            request_id=uuid.uuid4().hex,
        ),
        metadata=staff(hub),
    )
    for index, status in enumerate(scans):
        clock.advance(3600)
        await shipments.AddShipmentEvent(
            ship_pb.AddShipmentEventRequest(
                shipment_id=created.id,
                status=status,  # type: ignore[arg-type]
                location="Louisville, KY, US",
                description="scan",
                request_id=f"{created.id}-{index}",
            ),
            metadata=staff(hub),
        )
    return str(created.id)


async def answers(hub: Hub, moving: str, delivered: str, order_id: str) -> list[Any]:
    agent = eta_grpc.LogisticsEtaComputationServiceStub(hub.channel)
    route = eta_pb.EtaRoute(
        carrier="ups", service_level=shipment_pb2.SERVICE_LEVEL_STANDARD, destination_country_code="US"
    )
    return [
        await agent.ComputeEta(eta_pb.ComputeEtaRequest(shipment_id=moving), metadata=staff(hub)),
        await agent.ComputeEta(eta_pb.ComputeEtaRequest(shipment_id=delivered), metadata=staff(hub)),
        await agent.ComputeEta(eta_pb.ComputeEtaRequest(order_id=order_id), metadata=staff(hub)),
        await agent.EstimateRoutes(eta_pb.EstimateRoutesRequest(routes=[route]), metadata=staff(hub)),
    ]


async def documents(hub: Hub) -> dict[str, list[dict[str, Any]]]:
    """Every document of the agent's containers, without the store's own fields (etag, timestamps)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for spec in CONTAINERS:
        container = await spec.open(hub.platform.deps.store)
        items = (await container.query(Query(), max_items=1000)).items
        found[spec.name] = sorted(
            ({k: v for k, v in doc.items() if not k.startswith("_")} for doc in items), key=lambda d: str(d["id"])
        )
    return found


async def empty(hub: Hub) -> None:
    for spec in CONTAINERS:
        container = await spec.open(hub.platform.deps.store)
        for doc in (await container.query(Query(), max_items=1000)).items:
            key = doc[spec.partition_key_path.strip("/")]
            await container.delete(doc["id"], key)


async def test_the_projections_rebuild_from_the_log_to_the_same_answers(hub: Hub, clock: ManualClock[datetime]) -> None:
    moving = await shipped(
        hub,
        clock,
        "rosa",
        UPS_NUMBERS[0],
        [ST.SHIPMENT_STATUS_PICKED_UP, ST.SHIPMENT_STATUS_EXCEPTION, ST.SHIPMENT_STATUS_IN_TRANSIT],
    )
    delivered = await shipped(
        hub,
        clock,
        "dan",
        UPS_NUMBERS[1],
        [
            ST.SHIPMENT_STATUS_PICKED_UP,
            ST.SHIPMENT_STATUS_IN_TRANSIT,
            ST.SHIPMENT_STATUS_OUT_FOR_DELIVERY,
            ST.SHIPMENT_STATUS_DELIVERED,
        ],
    )
    waiting, _ = await a_paid_order(hub, "paz")
    await settle(hub)
    before_docs = await documents(hub)
    assert len(before_docs["eta_deliveries"]) == 1  # the delivered parcel is on the carrier's record
    assert len(before_docs["eta_parcels"]) == 5  # three orders and two shipments
    before = await answers(hub, moving, delivered, waiting.id)
    assert before[0].observed_delay_days >= 1  # the exception scan counts
    assert before[3].estimates[0].carrier_on_time_rate > 0.9  # one on-time delivery over the 90% prior

    # The whole log again over the existing documents: nothing counted twice.
    await consumers_of(hub).reset(GROUP)
    await settle(hub)
    assert await documents(hub) == before_docs
    assert await answers(hub, moving, delivered, waiting.id) == before

    # A rebuild into emptied containers: everything counted again, once.
    await empty(hub)
    agent = eta_grpc.LogisticsEtaComputationServiceStub(hub.channel)
    await expect_error(
        agent.ComputeEta(eta_pb.ComputeEtaRequest(shipment_id=moving), metadata=staff(hub)), grpc.StatusCode.NOT_FOUND
    )
    await consumers_of(hub).reset(GROUP)
    await settle(hub)
    assert await documents(hub) == before_docs
    assert await answers(hub, moving, delivered, waiting.id) == before
