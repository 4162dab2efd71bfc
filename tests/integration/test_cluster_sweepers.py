"""Two hosts' sweepers on one shared store (issue #13): two platforms in this process, each with its
own data dir, sharing a PostgreSQL database and a Redis Streams log, as `hph serve` hosts of one
cluster do. Both run the reservation sweeper over the same holds; the stock ledger's
compare-and-swap lets one of them expire each hold, so every unit comes back once and one
InventoryReleased event reports it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from holidaypeak.commerce.v1 import inventory_service_pb2 as pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import reservation_pb2 as res_pb
from holidaypeak.events.v1 import inventory_events_pb2 as ev
from hph.runtime.eventlog import Position
from hph.runtime.storage import And, Eq, Query
from hph.services.inventory.ledger import INVENTORY, PARTITION_KEY
from tests.support.platform_harness import Hub, start_hub, stop_hub
from tests.support.shoppers import staff
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

HOLDS_PER_SKU = 10


@pytest.fixture
async def two_hosts(tmp_path: Path, postgres_database: str, redis_url: str) -> AsyncIterator[list[Hub]]:
    shared = {
        "storage": "postgres",
        "postgres_dsn": postgres_database,
        "postgres_pool_size": 4,
        "event_log": "redis",
        "redis_url": redis_url,
        "redis_key_prefix": f"test:{uuid.uuid4().hex}:",
        "reservation_hold_seconds": 1,  # both sweepers pass every quarter second
    }
    hubs: list[Hub] = []
    try:
        for name in ("a", "b"):
            hubs.append(
                await start_hub(
                    tmp_path / name, services=("catalog", "inventory"), seed=not hubs, settings_overrides=shared
                )
            )
        yield hubs
    finally:
        for hub in hubs:
            await stop_hub(hub)


async def test_two_hosts_sweepers_return_each_expired_unit_once(two_hosts: list[Hub]) -> None:
    a, b = two_hosts
    stubs = [pb_grpc.InventoryServiceStub(hub.channel) for hub in two_hosts]
    page = await stubs[0].ListInventoryItems(pb.ListInventoryItemsRequest(page_size=4), metadata=staff(a))
    before = {item.sku: item for item in page.inventory_items if item.quantity_available >= HOLDS_PER_SKU}
    assert len(before) >= 2, page
    reservations = []
    for n in range(HOLDS_PER_SKU):
        for i, sku in enumerate(before):
            request = pb.ReserveStockRequest(
                order_id=f"ORD-SWEEP-{sku}-{n}",
                user_id="shopper-1",
                lines=[res_pb.ReservationLine(sku=sku, quantity=1)],
            )
            host = (n + i) % 2
            held = await stubs[host].ReserveStock(request, metadata=staff(two_hosts[host]))
            reservations.append((host, held))

    async def all_expired() -> bool:
        for stub, hub in zip(stubs, two_hosts, strict=True):
            for sku in before:
                item = await stub.GetInventoryItem(pb.GetInventoryItemRequest(sku=sku), metadata=staff(hub))
                if item.quantity_reserved:
                    return False
        return True

    await eventually(all_expired, within=60)

    inventory = await a.platform.deps.store.container(INVENTORY, PARTITION_KEY)
    for sku, item in before.items():
        after = await stubs[1].GetInventoryItem(pb.GetInventoryItemRequest(sku=sku), metadata=staff(b))
        assert (after.quantity_on_hand, after.quantity_available) == (item.quantity_on_hand, item.quantity_available)
        released = await inventory.count(
            Query(And(Eq("kind", "outbox"), Eq("event_type", ev.InventoryReleased.DESCRIPTOR.full_name))),
            partition_key=sku,
        )
        assert released == HOLDS_PER_SKU, f"{sku}: {released} releases for {HOLDS_PER_SKU} holds"
    for host, reservation in reservations:
        request = pb.GetReservationRequest(reservation_id=reservation.id)
        got = await stubs[1 - host].GetReservation(request, metadata=staff(two_hosts[1 - host]))
        assert got.status == res_pb.RESERVATION_STATUS_EXPIRED

    # And the shared log got each release once, whichever host relayed it.
    async def relayed() -> bool:
        pending = await inventory.count(Query(And(Eq("kind", "outbox"), Eq("sent", False))))
        return pending == 0

    await eventually(relayed, within=30)
    log = a.platform.log
    released_ids: list[str] = []
    for partition in range((await log.topics())["inventory-events"]):
        position = Position.earliest()
        while (batch := await log.read("inventory-events", partition, position, max_events=500)).events:
            released_ids += [
                event.envelope.event_id
                for event in batch.events
                if event.envelope.WhichOneof("payload") == "inventory_released"
            ]
            position = batch.next_position
    assert len(released_ids) == len(set(released_ids)) == HOLDS_PER_SKU * len(before)
