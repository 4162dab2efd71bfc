"""Inventory over real gRPC: staff stock records, availability, the reservation lifecycle, expiry,
events, and the oversell race (200 buyers, 25 units)."""

from __future__ import annotations

import asyncio
import collections
from datetime import timedelta
from pathlib import Path

import grpc
import pytest
from google.protobuf import duration_pb2

from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import inventory_item_pb2 as item_pb
from holidaypeak.commerce.v1 import inventory_service_pb2 as pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import reservation_pb2 as res_pb
from holidaypeak.events.v1 import inventory_events_pb2 as ev
from hph.host.app import select_services, start_platform
from hph.runtime.auth.dev_issuer import DevIssuer
from hph.runtime.clock import system_clock
from hph.runtime.settings import Settings
from hph.runtime.storage import And, Eq, Query, SqliteDocumentStore
from hph.services.inventory.ledger import INVENTORY, PARTITION_KEY, LineRef, StockLedger
from hph.services.inventory.rules import Shortage
from hph.services.inventory.sweeper import ReservationSweeper
from tests.support.events import Recorder
from tests.support.platform_harness import Hub
from tests.support.rich_status import expect_error, precondition_violations, reason, violated_fields
from tests.support.shoppers import staff
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

HUB_SERVICES = ("catalog", "inventory")


def inventory(hub: Hub) -> pb_grpc.InventoryServiceStub:
    return pb_grpc.InventoryServiceStub(hub.channel)


async def skus_with_stock(hub: Hub, *levels: int) -> list[str]:
    """Distinct seeded SKUs, each set to the given on-hand level (reorder point 2, safety stock 1)."""
    page = await inventory(hub).ListInventoryItems(pb.ListInventoryItemsRequest(page_size=100), metadata=staff(hub))
    chosen = [item.sku for item in page.inventory_items][10 : 10 + len(levels)]
    for sku, level in zip(chosen, levels, strict=True):
        await inventory(hub).UpdateInventoryItem(
            pb.UpdateInventoryItemRequest(
                sku=sku, quantity_on_hand=level, reorder_point=2, safety_stock=1, reason="test setup count"
            ),
            metadata=staff(hub),
        )
    return chosen


async def item(hub: Hub, sku: str) -> item_pb.InventoryItem:
    return await inventory(hub).GetInventoryItem(pb.GetInventoryItemRequest(sku=sku), metadata=staff(hub))


def reserve_request(order_id: str, *lines: tuple[str, int], ttl_seconds: int = 0) -> pb.ReserveStockRequest:
    request = pb.ReserveStockRequest(
        order_id=order_id,
        user_id="shopper-1",
        lines=[res_pb.ReservationLine(sku=sku, quantity=quantity) for sku, quantity in lines],
    )
    if ttl_seconds:
        request.ttl.CopyFrom(duration_pb2.Duration(seconds=ttl_seconds))
    return request


async def reserve(hub: Hub, order_id: str, *lines: tuple[str, int]) -> res_pb.Reservation:
    return await inventory(hub).ReserveStock(reserve_request(order_id, *lines), metadata=staff(hub))


async def holds(hub: Hub, sku: str, status: str = "held") -> int:
    """Units in holds of `sku` with `status`, read straight from the store."""
    container = await hub.platform.deps.store.container(INVENTORY, PARTITION_KEY)
    page = await container.query(
        Query(And(Eq("kind", "hold"), Eq("status", status))), partition_key=sku, max_items=1000
    )
    return sum(int(doc["quantity"]) for doc in page.items)


def sweeper(hub: Hub) -> ReservationSweeper:
    return next(task for task in hub.platform.deps.background if isinstance(task, ReservationSweeper))


# --- staff: read, adjust, list ------------------------------------------------------------------


async def test_staff_reads_a_seeded_record_and_unknown_or_malformed_skus_are_refused(hub: Hub) -> None:
    page = await inventory(hub).ListInventoryItems(pb.ListInventoryItemsRequest(page_size=1), metadata=staff(hub))
    first = page.inventory_items[0]
    got = await item(hub, first.sku)
    assert got == first
    assert got.quantity_available == max(0, got.quantity_on_hand - got.quantity_reserved)
    assert got.etag and got.overstock_threshold >= 500

    missing = await expect_error(item(hub, "NOPE-0000"), grpc.StatusCode.NOT_FOUND)
    assert "NOPE-0000" in (missing.details() or "")
    bad = await expect_error(item(hub, "a/b"), grpc.StatusCode.INVALID_ARGUMENT)
    assert set(violated_fields(bad)) == {"sku"}
    customer = hub.auth("customer", "shopper-1")
    await expect_error(
        inventory(hub).GetInventoryItem(pb.GetInventoryItemRequest(sku=first.sku), metadata=customer),
        grpc.StatusCode.PERMISSION_DENIED,
    )


async def test_adjustments_absolute_and_relative_with_etag_and_guard_rails(hub: Hub) -> None:
    (sku,) = await skus_with_stock(hub, 10)
    before = await item(hub, sku)
    received = await inventory(hub).UpdateInventoryItem(
        pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand_delta=48, reason="PO-1234 received", etag=before.etag),
        metadata=staff(hub),
    )
    assert (received.quantity_on_hand, received.quantity_available) == (58, 58)
    assert received.etag != before.etag

    stale = await expect_error(
        inventory(hub).UpdateInventoryItem(
            pb.UpdateInventoryItemRequest(sku=sku, reorder_point=9, etag=before.etag), metadata=staff(hub)
        ),
        grpc.StatusCode.ABORTED,
    )
    assert "etag" in (stale.details() or "")

    await reserve(hub, "ORD-ADJ-1", (sku, 30))
    below = await expect_error(
        inventory(hub).UpdateInventoryItem(
            pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand=29, reason="cycle count"), metadata=staff(hub)
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(below) == "BELOW_RESERVED"
    negative = await expect_error(
        inventory(hub).UpdateInventoryItem(
            pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand_delta=-59, reason="damaged"), metadata=staff(hub)
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(negative) == "NEGATIVE_STOCK"
    at_reserved = await inventory(hub).UpdateInventoryItem(
        pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand=30, reason="cycle count"), metadata=staff(hub)
    )
    assert (at_reserved.quantity_reserved, at_reserved.quantity_available) == (30, 0)
    assert at_reserved.health == item_pb.INVENTORY_HEALTH_OUT_OF_STOCK


async def test_update_reports_every_bad_field_at_once(hub: Hub) -> None:
    (sku,) = await skus_with_stock(hub, 5)
    nothing = await expect_error(
        inventory(hub).UpdateInventoryItem(pb.UpdateInventoryItemRequest(sku=sku), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(nothing)) == {"quantity_on_hand"}
    many = await expect_error(
        inventory(hub).UpdateInventoryItem(
            pb.UpdateInventoryItemRequest(
                sku="x",
                quantity_on_hand=-1,
                quantity_on_hand_delta=3,
                reorder_point=-2,
                safety_stock=-1,
                overstock_threshold=-5,
                request_id="k" * 129,
            ),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(many)) == {
        "sku",
        "quantity_on_hand",
        "quantity_on_hand_delta",
        "reorder_point",
        "safety_stock",
        "overstock_threshold",
        "reason",
        "request_id",
    }


async def test_a_retried_adjustment_applies_once_and_a_reused_key_is_refused(hub: Hub) -> None:
    (sku,) = await skus_with_stock(hub, 10)
    request = pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand_delta=5, reason="return R-88 restocked")
    first = await inventory(hub).UpdateInventoryItem(request, metadata=(*staff(hub), ("idempotency-key", "adj-1")))
    again = await inventory(hub).UpdateInventoryItem(request, metadata=(*staff(hub), ("idempotency-key", "adj-1")))
    assert first.quantity_on_hand == again.quantity_on_hand == 15
    assert again.etag == first.etag  # nothing changed since, so the replay still carries a usable etag
    assert (await item(hub, sku)).quantity_on_hand == 15

    other = pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand_delta=7, reason="return R-89", request_id="adj-1")
    reused = await expect_error(
        inventory(hub).UpdateInventoryItem(other, metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(reused)) == {"request_id"}


async def test_a_new_product_has_zero_stock_until_its_first_update_creates_the_record(hub: Hub) -> None:
    catalog = catalog_grpc.CatalogServiceStub(hub.channel)
    seeded = (await catalog.ListProducts(catalog_pb.ListProductsRequest(limit=1))).products[0]
    created = await catalog.CreateProduct(
        catalog_pb.CreateProductRequest(
            product_id="GFT-4242", name="Cocoa Sampler", price=9.5, category_id=seeded.category_id
        ),
        metadata=staff(hub),
    )
    assert not created.in_stock
    empty = await item(hub, "GFT-4242")
    assert (empty.quantity_on_hand, empty.health, empty.etag) == (0, item_pb.INVENTORY_HEALTH_OUT_OF_STOCK, "")
    stocked = await inventory(hub).UpdateInventoryItem(
        pb.UpdateInventoryItemRequest(sku="GFT-4242", quantity_on_hand=40, reorder_point=5, reason="PO-77 received"),
        metadata=staff(hub),
    )
    assert (stocked.quantity_on_hand, stocked.reorder_point, stocked.overstock_threshold) == (40, 5, 500)
    assert stocked.health == item_pb.INVENTORY_HEALTH_HEALTHY

    async def listed_in_stock() -> bool:
        product = await catalog.GetProduct(catalog_pb.GetProductRequest(product_id="GFT-4242"))
        return product.in_stock

    await eventually(listed_in_stock)
    await expect_error(
        inventory(hub).UpdateInventoryItem(
            pb.UpdateInventoryItemRequest(sku="NOPE-0001", quantity_on_hand=1, reason="count"), metadata=staff(hub)
        ),
        grpc.StatusCode.NOT_FOUND,
    )


async def test_list_filters_by_health_and_prefix_and_pages_in_sku_order(hub: Hub) -> None:
    seen: list[item_pb.InventoryItem] = []
    token = ""
    while True:
        page = await inventory(hub).ListInventoryItems(
            pb.ListInventoryItemsRequest(page_size=70, page_token=token), metadata=staff(hub)
        )
        seen.extend(page.inventory_items)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) >= 300 and [i.sku for i in seen] == sorted({i.sku for i in seen})
    by_health = collections.Counter(i.health for i in seen)
    assert all(by_health[h] > 0 for h in HEALTH_CLASSES), by_health

    for health in HEALTH_CLASSES:
        page = await inventory(hub).ListInventoryItems(
            pb.ListInventoryItemsRequest(health=[health], page_size=100), metadata=staff(hub)
        )
        assert len(page.inventory_items) == min(100, by_health[health])
        assert {i.health for i in page.inventory_items} == {health}
    both = await inventory(hub).ListInventoryItems(
        pb.ListInventoryItemsRequest(
            health=[item_pb.INVENTORY_HEALTH_OUT_OF_STOCK, item_pb.INVENTORY_HEALTH_OVERSTOCKED], page_size=100
        ),
        metadata=staff(hub),
    )
    assert (
        len(both.inventory_items)
        == by_health[item_pb.INVENTORY_HEALTH_OUT_OF_STOCK] + by_health[item_pb.INVENTORY_HEALTH_OVERSTOCKED]
    )

    prefix = seen[0].sku[:4]
    prefixed = await inventory(hub).ListInventoryItems(
        pb.ListInventoryItemsRequest(sku_prefix=prefix, page_size=100), metadata=staff(hub)
    )
    assert [i.sku for i in prefixed.inventory_items] == [i.sku for i in seen if i.sku.startswith(prefix)][:100]

    bad = await expect_error(
        inventory(hub).ListInventoryItems(
            pb.ListInventoryItemsRequest(health=[99], sku_prefix="a b", page_size=101), metadata=staff(hub)
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) == {"health[0]", "sku_prefix", "page_size"}


HEALTH_CLASSES = (
    item_pb.INVENTORY_HEALTH_HEALTHY,
    item_pb.INVENTORY_HEALTH_LOW_STOCK,
    item_pb.INVENTORY_HEALTH_OUT_OF_STOCK,
    item_pb.INVENTORY_HEALTH_OVERSTOCKED,
)


async def test_health_follows_reservations_and_adjustments(hub: Hub) -> None:
    (sku,) = await skus_with_stock(hub, 10)
    assert (await item(hub, sku)).health == item_pb.INVENTORY_HEALTH_HEALTHY
    await reserve(hub, "ORD-HEALTH-1", (sku, 8))
    low = await item(hub, sku)
    assert (low.quantity_available, low.health) == (2, item_pb.INVENTORY_HEALTH_LOW_STOCK)
    listed = await inventory(hub).ListInventoryItems(
        pb.ListInventoryItemsRequest(health=[item_pb.INVENTORY_HEALTH_LOW_STOCK], sku_prefix=sku), metadata=staff(hub)
    )
    assert [i.sku for i in listed.inventory_items] == [sku]
    over = await inventory(hub).UpdateInventoryItem(
        pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand=900, overstock_threshold=600, reason="PO-9 received"),
        metadata=staff(hub),
    )
    assert over.health == item_pb.INVENTORY_HEALTH_OVERSTOCKED


# --- availability (anonymous) ---------------------------------------------------------------------


async def test_availability_is_public_capped_and_unknown_skus_are_out_of_stock(hub: Hub) -> None:
    plenty, few, none = await skus_with_stock(hub, 500, 2, 0)
    answer = await inventory(hub).BatchGetAvailability(
        pb.BatchGetAvailabilityRequest(skus=[plenty, few, none, "NOPE-0000", plenty])
    )
    got = {a.sku: (a.in_stock, a.quantity_available, a.low_stock) for a in answer.availabilities}
    assert [a.sku for a in answer.availabilities] == [plenty, few, none, "NOPE-0000"]
    assert got == {
        plenty: (True, 99, False),
        few: (True, 2, True),
        none: (False, 0, False),
        "NOPE-0000": (False, 0, False),
    }
    empty = await expect_error(
        inventory(hub).BatchGetAvailability(pb.BatchGetAvailabilityRequest()), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(empty)) == {"skus"}
    too_many = [f"SKU-{n:04d}" for n in range(101)]
    many = await expect_error(
        inventory(hub).BatchGetAvailability(pb.BatchGetAvailabilityRequest(skus=[*too_many, "?"])),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(many)) == {"skus", "skus[101]"}


# --- reservations ---------------------------------------------------------------------------------


async def test_reserve_confirm_release_lifecycle(hub: Hub) -> None:
    first, second = await skus_with_stock(hub, 10, 20)
    held = await reserve(hub, "ORD-LIFE-1", (second, 5), (first, 3))
    assert held.status == res_pb.RESERVATION_STATUS_HELD and held.id.startswith("rsv-")
    assert [(line.sku, line.quantity) for line in held.lines] == sorted([(first, 3), (second, 5)])
    lifetime = held.expires_at.ToDatetime() - held.created_at.ToDatetime()
    assert timedelta(minutes=14, seconds=59) <= lifetime <= timedelta(minutes=15, seconds=1)
    assert ((await item(hub, first)).quantity_reserved, (await item(hub, first)).quantity_available) == (3, 7)

    paid = await inventory(hub).ConfirmReservation(
        pb.ConfirmReservationRequest(reservation_id=held.id), metadata=staff(hub)
    )
    assert paid.status == res_pb.RESERVATION_STATUS_CONFIRMED and paid.HasField("confirmed_at")
    sold = await item(hub, first)
    assert (sold.quantity_on_hand, sold.quantity_reserved, sold.quantity_available) == (7, 0, 7)
    again = await inventory(hub).ConfirmReservation(
        pb.ConfirmReservationRequest(reservation_id=held.id), metadata=staff(hub)
    )
    assert again.status == res_pb.RESERVATION_STATUS_CONFIRMED and (await item(hub, first)).quantity_on_hand == 7

    cancelled = await inventory(hub).ReleaseReservation(
        pb.ReleaseReservationRequest(reservation_id=held.id, reason="order cancelled"), metadata=staff(hub)
    )
    assert cancelled.status == res_pb.RESERVATION_STATUS_RELEASED and cancelled.release_reason == "order cancelled"
    restocked = await item(hub, first)
    assert (restocked.quantity_on_hand, restocked.quantity_reserved) == (10, 0)
    await inventory(hub).ReleaseReservation(pb.ReleaseReservationRequest(reservation_id=held.id), metadata=staff(hub))
    assert (await item(hub, second)).quantity_on_hand == 20

    illegal = await expect_error(
        inventory(hub).ConfirmReservation(pb.ConfirmReservationRequest(reservation_id=held.id), metadata=staff(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(illegal) == "ILLEGAL_TRANSITION"
    fetched = await inventory(hub).GetReservation(pb.GetReservationRequest(reservation_id=held.id), metadata=staff(hub))
    assert fetched.status == res_pb.RESERVATION_STATUS_RELEASED


async def test_releasing_a_held_reservation_returns_its_units(hub: Hub) -> None:
    (sku,) = await skus_with_stock(hub, 4)
    held = await reserve(hub, "ORD-REL-1", (sku, 4))
    assert (await item(hub, sku)).quantity_available == 0
    await inventory(hub).ReleaseReservation(
        pb.ReleaseReservationRequest(reservation_id=held.id, reason="payment failed"), metadata=staff(hub)
    )
    back = await item(hub, sku)
    assert (back.quantity_on_hand, back.quantity_reserved, back.quantity_available) == (4, 0, 4)
    assert await holds(hub, sku) == 0 and await holds(hub, sku, "released") == 4


async def test_reserve_is_idempotent_per_order_and_other_lines_for_the_same_order_are_refused(hub: Hub) -> None:
    (sku,) = await skus_with_stock(hub, 10)
    calls = [reserve(hub, "ORD-IDEM-1", (sku, 2)) for _ in range(20)]
    results = await asyncio.gather(*calls)
    assert len({r.id for r in results}) == 1 and {r.status for r in results} == {res_pb.RESERVATION_STATUS_HELD}
    assert (await item(hub, sku)).quantity_reserved == 2 and await holds(hub, sku) == 2
    conflict = await expect_error(reserve(hub, "ORD-IDEM-1", (sku, 3)), grpc.StatusCode.ALREADY_EXISTS)
    assert "ORD-IDEM-1" in (conflict.details() or "")
    missing = await expect_error(
        inventory(hub).GetReservation(pb.GetReservationRequest(reservation_id="rsv-" + "0" * 32), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )
    assert missing.details()


async def test_a_short_line_reserves_nothing_and_names_every_short_sku(hub: Hub) -> None:
    plenty, short, also_short = await skus_with_stock(hub, 50, 1, 0)
    refused = await expect_error(
        reserve(hub, "ORD-SHORT-1", (plenty, 5), (short, 2), (also_short, 1)), grpc.StatusCode.FAILED_PRECONDITION
    )
    assert reason(refused) == "OUT_OF_STOCK"
    assert precondition_violations(refused) == {
        f"skus/{short}": "requested 2, available 1",
        f"skus/{also_short}": "requested 1, available 0",
    }
    for sku in (plenty, short, also_short):
        assert (await item(hub, sku)).quantity_reserved == 0 and await holds(hub, sku) == 0

    # The same order may try again once stock arrived.
    await inventory(hub).UpdateInventoryItem(
        pb.UpdateInventoryItemRequest(sku=also_short, quantity_on_hand=5, reason="PO-5 received"), metadata=staff(hub)
    )
    await inventory(hub).UpdateInventoryItem(
        pb.UpdateInventoryItemRequest(sku=short, quantity_on_hand=5, reason="PO-5 received"), metadata=staff(hub)
    )
    held = await reserve(hub, "ORD-SHORT-1", (plenty, 5), (short, 2), (also_short, 1))
    assert held.status == res_pb.RESERVATION_STATUS_HELD and not held.release_reason


async def test_multi_line_buyers_racing_never_keep_partial_holds(hub: Hub) -> None:
    """40 orders of one A and one B; B has 5 units. Many pass the availability look, take A, then
    find B gone: compensation must give every such A back."""
    sku_a, sku_b = await skus_with_stock(hub, 10, 5)

    async def buy(n: int) -> str:
        try:
            await reserve(hub, f"ORD-PAIR-{n}", (sku_a, 1), (sku_b, 1))
            return "held"
        except grpc.aio.AioRpcError as error:
            return reason(error)

    outcomes = collections.Counter(await asyncio.gather(*(buy(n) for n in range(40))))
    assert outcomes == {"held": 5, "OUT_OF_STOCK": 35}
    assert (await item(hub, sku_a)).quantity_reserved == 5 and await holds(hub, sku_a) == 5
    assert (await item(hub, sku_b)).quantity_reserved == 5 and await holds(hub, sku_b) == 5


async def test_200_buyers_racing_for_25_units_end_with_exactly_25_paid_or_held(hub: Hub) -> None:
    (sku,) = await skus_with_stock(hub, 25)

    async def buy(n: int) -> res_pb.Reservation | grpc.aio.AioRpcError:
        try:
            return await reserve(hub, f"ORD-RACE-{n}", (sku, 1))
        except grpc.aio.AioRpcError as error:
            return error

    outcomes = await asyncio.gather(*(buy(n) for n in range(200)))
    won = [o for o in outcomes if isinstance(o, res_pb.Reservation)]
    lost = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
    assert len(won) == 25 and len(lost) == 175
    assert {e.code() for e in lost} == {grpc.StatusCode.FAILED_PRECONDITION}
    assert {reason(e) for e in lost} == {"OUT_OF_STOCK"}
    assert {tuple(precondition_violations(e)) for e in lost} == {(f"skus/{sku}",)}
    record = await item(hub, sku)
    assert (record.quantity_on_hand, record.quantity_reserved, record.quantity_available) == (25, 25, 0)
    assert await holds(hub, sku) == 25

    # Ten winners pay: paid + held stays 25, and on-hand only counts what is still in the warehouse.
    for reservation in won[:10]:
        await inventory(hub).ConfirmReservation(
            pb.ConfirmReservationRequest(reservation_id=reservation.id), metadata=staff(hub)
        )
    record = await item(hub, sku)
    assert (record.quantity_on_hand, record.quantity_reserved) == (15, 15)
    assert await holds(hub, sku, "confirmed") + await holds(hub, sku) == 25


async def test_reserve_stock_is_internal_and_validates_every_field(hub: Hub) -> None:
    (sku,) = await skus_with_stock(hub, 5)
    customer = await expect_error(
        inventory(hub).ReserveStock(reserve_request("ORD-X", (sku, 1)), metadata=hub.auth("customer", "shopper-1")),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    assert customer.details()
    await expect_error(inventory(hub).ReserveStock(reserve_request("ORD-X", (sku, 1))), grpc.StatusCode.UNAUTHENTICATED)
    bad = await expect_error(
        inventory(hub).ReserveStock(
            pb.ReserveStockRequest(
                order_id="",
                user_id="",
                lines=[
                    res_pb.ReservationLine(sku=sku, quantity=0),
                    res_pb.ReservationLine(sku=sku, quantity=100),
                    res_pb.ReservationLine(sku="?", quantity=1),
                ],
                ttl=duration_pb2.Duration(seconds=10),
            ),
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) == {
        "order_id",
        "user_id",
        "lines[0].quantity",
        "lines[1].sku",
        "lines[1].quantity",
        "lines[2].sku",
        "ttl",
    }
    no_lines = await expect_error(
        inventory(hub).ReserveStock(reserve_request("ORD-X"), metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(no_lines)) == {"lines"}
    bad_id = await expect_error(
        inventory(hub).ConfirmReservation(pb.ConfirmReservationRequest(reservation_id="x/y"), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad_id)) == {"reservation_id"}


# --- expiry ---------------------------------------------------------------------------------------


async def test_an_expired_hold_returns_its_units_and_confirming_it_later_re_acquires_if_possible(hub: Hub) -> None:
    sku, other = await skus_with_stock(hub, 3, 10)
    stale = await reserve(hub, "ORD-EXP-1", (sku, 2), (other, 1))
    fresh = await inventory(hub).ReserveStock(
        reserve_request("ORD-EXP-2", (other, 1), ttl_seconds=3600), metadata=staff(hub)
    )
    assert await sweeper(hub).sweep_once(system_clock()) == 0

    later = system_clock() + timedelta(minutes=16)
    assert await sweeper(hub).sweep_once(later) == 2  # both lines of the stale one, none of the fresh
    expired = await inventory(hub).GetReservation(
        pb.GetReservationRequest(reservation_id=stale.id), metadata=staff(hub)
    )
    assert expired.status == res_pb.RESERVATION_STATUS_EXPIRED and expired.release_reason == "expired"
    assert (await item(hub, sku)).quantity_available == 3 and (await item(hub, other)).quantity_reserved == 1
    assert await sweeper(hub).sweep_once(later) == 0
    still = await inventory(hub).GetReservation(pb.GetReservationRequest(reservation_id=fresh.id), metadata=staff(hub))
    assert still.status == res_pb.RESERVATION_STATUS_HELD

    # Paid after expiry while stock lasts: the units are taken again and sold.
    paid = await inventory(hub).ConfirmReservation(
        pb.ConfirmReservationRequest(reservation_id=stale.id), metadata=staff(hub)
    )
    assert paid.status == res_pb.RESERVATION_STATUS_CONFIRMED
    assert (await item(hub, sku)).quantity_on_hand == 1

    # Expired again with the stock gone meanwhile: OUT_OF_STOCK and nothing held.
    gone = await reserve(hub, "ORD-EXP-3", (sku, 1))
    await sweeper(hub).sweep_once(later)
    await reserve(hub, "ORD-EXP-4", (sku, 1))
    refused = await expect_error(
        inventory(hub).ConfirmReservation(pb.ConfirmReservationRequest(reservation_id=gone.id), metadata=staff(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(refused) == "OUT_OF_STOCK"
    record = await item(hub, sku)
    assert (record.quantity_on_hand, record.quantity_reserved) == (1, 1)
    again = await inventory(hub).GetReservation(pb.GetReservationRequest(reservation_id=gone.id), metadata=staff(hub))
    assert again.status == res_pb.RESERVATION_STATUS_EXPIRED


async def test_an_expired_hold_released_by_its_cancelled_order_is_never_confirmed_later(hub: Hub) -> None:
    # The order was cancelled for its overdue payment after the hold had expired; the payment that then
    # arrives (a retry after its host died) must be refused, not sell the units again for nothing.
    [sku] = await skus_with_stock(hub, 5)
    stale = await reserve(hub, "ORD-EXP-CANCELLED", (sku, 2))
    await sweeper(hub).sweep_once(system_clock() + timedelta(minutes=16))
    assert (await item(hub, sku)).quantity_available == 5
    released = await inventory(hub).ReleaseReservation(
        pb.ReleaseReservationRequest(reservation_id=stale.id, reason="order cancelled"), metadata=staff(hub)
    )
    assert released.status == res_pb.RESERVATION_STATUS_EXPIRED  # its units went back at expiry
    refused = await expect_error(
        inventory(hub).ConfirmReservation(pb.ConfirmReservationRequest(reservation_id=stale.id), metadata=staff(hub)),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(refused) == "ILLEGAL_TRANSITION"
    record = await item(hub, sku)
    assert (record.quantity_on_hand, record.quantity_available, record.quantity_reserved) == (5, 5, 0)
    again = await inventory(hub).ReleaseReservation(  # idempotent
        pb.ReleaseReservationRequest(reservation_id=stale.id, reason="order cancelled"), metadata=staff(hub)
    )
    assert again.status == res_pb.RESERVATION_STATUS_EXPIRED


async def test_the_running_sweeper_expires_holds_after_the_configured_hold_time(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        grpc_port=0,
        log_format="text",
        shutdown_grace_seconds=1.0,
        reservation_hold_seconds=1,
    )
    platform = await start_platform(settings, select_services(HUB_SERVICES), seed=True)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{platform.grpc.port}")
    token = DevIssuer(settings.data_dir, audience=settings.jwt_audience).issue("staff-sam", "staff")
    metadata = (("authorization", f"Bearer {token}"),)
    stub = pb_grpc.InventoryServiceStub(channel)
    try:
        page = await stub.ListInventoryItems(
            pb.ListInventoryItemsRequest(health=[item_pb.INVENTORY_HEALTH_HEALTHY], page_size=1), metadata=metadata
        )
        sku = page.inventory_items[0].sku
        held = await stub.ReserveStock(reserve_request("ORD-TTL-1", (sku, 2)), metadata=metadata)
        assert held.expires_at.ToDatetime() - held.created_at.ToDatetime() <= timedelta(seconds=1)
        assert (await stub.GetInventoryItem(pb.GetInventoryItemRequest(sku=sku), metadata=metadata)).quantity_reserved

        async def expired() -> bool:
            got = await stub.GetReservation(pb.GetReservationRequest(reservation_id=held.id), metadata=metadata)
            return got.status == res_pb.RESERVATION_STATUS_EXPIRED

        await eventually(expired, within=10)
        record = await stub.GetInventoryItem(pb.GetInventoryItemRequest(sku=sku), metadata=metadata)
        assert record.quantity_reserved == 0
    finally:
        await channel.close()
        await platform.stop()


# --- events ---------------------------------------------------------------------------------------


async def test_every_change_publishes_its_event_with_the_stock_level_after_it(hub: Hub) -> None:
    (sku,) = await skus_with_stock(hub, 10)
    recorder = await Recorder.subscribe(hub, "inventory-events", "inventory-test")
    held = await reserve(hub, "ORD-EVT-1", (sku, 8))  # 10 -> 2 available: crosses the reorder point (2)
    await inventory(hub).ConfirmReservation(pb.ConfirmReservationRequest(reservation_id=held.id), metadata=staff(hub))
    await inventory(hub).ReleaseReservation(
        pb.ReleaseReservationRequest(reservation_id=held.id, reason="order cancelled"), metadata=staff(hub)
    )
    await inventory(hub).UpdateInventoryItem(
        pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand_delta=-10, reason="damaged in transit"),
        metadata=staff(hub),
    )

    async def all_arrived() -> bool:
        return len([e for e in recorder.events if e.partition_key == sku]) >= 6

    await eventually(all_arrived)
    kinds = [e.WhichOneof("payload") for e in recorder.events if e.partition_key == sku]
    assert kinds == [
        "inventory_reserved",
        "low_stock",
        "inventory_confirmed",
        "inventory_released",
        "inventory_adjusted",
        "low_stock",
    ]
    (reserved_event,) = recorder.of("inventory_reserved", sku)
    assert reserved_event.source == "inventory" and reserved_event.subject == f"inventory/{sku}"
    payload = reserved_event.inventory_reserved
    assert (payload.quantity, payload.reservation_id, payload.order_id) == (8, held.id, "ORD-EVT-1")
    assert (payload.level.on_hand, payload.level.reserved, payload.level.available) == (10, 8, 2)
    confirmed = recorder.of("inventory_confirmed", sku)[0].inventory_confirmed
    assert (confirmed.level.on_hand, confirmed.level.reserved) == (2, 0)
    released = recorder.of("inventory_released", sku)[0].inventory_released
    assert released.reason == ev.RELEASE_REASON_ORDER_CANCELLED and released.level.on_hand == 10
    adjusted = recorder.of("inventory_adjusted", sku)[0].inventory_adjusted
    assert (adjusted.delta, adjusted.reason, adjusted.actor_id) == (
        -10,
        ev.ADJUSTMENT_REASON_DAMAGED_OR_LOST,
        "staff-sam",
    )
    assert recorder.of("low_stock", sku)[-1].low_stock.out_of_stock

    catalog = catalog_grpc.CatalogServiceStub(hub.channel)

    async def listed_out_of_stock() -> bool:
        product = await catalog.GetProduct(catalog_pb.GetProductRequest(product_id=sku))
        return not product.in_stock

    await eventually(listed_out_of_stock)


async def test_expiry_events_say_why(hub: Hub) -> None:
    (sku,) = await skus_with_stock(hub, 10)
    recorder = await Recorder.subscribe(hub, "inventory-events", "expiry-test")
    held = await reserve(hub, "ORD-EVT-2", (sku, 1))
    await sweeper(hub).sweep_once(system_clock() + timedelta(hours=1))

    async def arrived() -> bool:
        return len(recorder.of("inventory_released", sku)) == 1

    await eventually(arrived)
    released = recorder.of("inventory_released", sku)[0].inventory_released
    assert (released.reason, released.reservation_id, released.level.reserved) == (
        ev.RELEASE_REASON_EXPIRED,
        held.id,
        0,
    )


# --- the ledger across processes ------------------------------------------------------------------


async def test_two_processes_sharing_the_store_cannot_oversell(tmp_path: Path) -> None:
    """Two ledgers with their own in-process locks (as two processes would have): only the etag
    compare-and-swap stands between them and an oversell."""
    store = await SqliteDocumentStore.open(tmp_path / "shared.sqlite3")
    try:
        container = await store.container(INVENTORY, PARTITION_KEY)
        await container.create({"id": "TOY-0001", "sku": "TOY-0001", "quantity_on_hand": 20, "quantity_reserved": 0})
        ledgers = [StockLedger(container, clock=system_clock, notify=lambda: None) for _ in range(2)]

        async def take(n: int) -> bool:
            line = LineRef(f"rsv-{n:032x}", f"ORD-{n}", "u", "TOY-0001", 1)
            try:
                await ledgers[n % 2].acquire(line, "2999-01-01T00:00:00.000000Z", "")
            except Shortage:
                return False
            return True

        taken = await asyncio.gather(*(take(n) for n in range(60)))
        assert sum(taken) == 20
        stock = await container.read("TOY-0001", "TOY-0001")
        assert (stock["quantity_reserved"], stock["health"]) == (20, "out_of_stock")
        page = await container.query(Query(And(Eq("kind", "hold"), Eq("status", "held"))), max_items=100)
        assert len(page.items) == 20
        outbox = await container.count(Query(Eq("kind", "outbox")))
        assert outbox == 21  # 20 InventoryReserved + one LowStock at the crossing
    finally:
        await store.close()
