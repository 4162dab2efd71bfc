"""Cart over real gRPC: lines, limits, price snapshots, availability, exact totals, ownership,
idempotency, etags, concurrency, and how it degrades when catalog or inventory cannot answer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from holidaypeak.commerce.v1 import cart_pb2
from holidaypeak.commerce.v1 import cart_service_pb2 as pb
from holidaypeak.commerce.v1 import cart_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from hph.commerce.demo_data import DemoProduct, generate_catalog
from hph.services.cart import rules
from tests.support.platform_harness import Hub, Metadata, start_hub, stop_hub
from tests.support.rich_status import expect_error, reason, violated_fields
from tests.support.shoppers import staff

pytestmark = pytest.mark.integration

DEMO = generate_catalog()
# Seeded products with plenty of stock (well above their reorder point): no availability warning.
STOCKED = [p for p in DEMO.products if p.stock_on_hand >= 99 and p.stock_on_hand > p.reorder_point]


def cart(hub: Hub) -> pb_grpc.CartServiceStub:
    return pb_grpc.CartServiceStub(hub.channel)


def catalog(hub: Hub) -> catalog_grpc.CatalogServiceStub:
    return catalog_grpc.CatalogServiceStub(hub.channel)


def customer(hub: Hub, sub: str = "ava") -> Metadata:
    return hub.auth("customer", sub)


async def add(hub: Hub, product_id: str, quantity: int = 1, *, who: str = "ava", request_id: str = "") -> cart_pb2.Cart:
    request = pb.AddCartItemRequest(product_id=product_id, quantity=quantity, request_id=request_id)
    reply: cart_pb2.Cart = await cart(hub).AddCartItem(request, metadata=customer(hub, who))
    return reply


async def get(hub: Hub, who: str = "ava") -> cart_pb2.Cart:
    reply: cart_pb2.Cart = await cart(hub).GetCart(pb.GetCartRequest(), metadata=customer(hub, who))
    return reply


async def set_price(hub: Hub, product_id: str, price: float, currency: str = "") -> None:
    request = catalog_pb.UpdateProductRequest(product_id=product_id, price=price)
    if currency:
        request.currency_code = currency
    await catalog(hub).UpdateProduct(request, metadata=staff(hub))


def lines(reply: cart_pb2.Cart) -> list[tuple[str, int]]:
    return [(item.product_id, item.quantity) for item in reply.items]


async def inventory_answers(hub: Hub) -> bool:
    """Whether the inventory service is implemented in this build (its helper lands separately)."""
    stub = inventory_grpc.InventoryServiceStub(hub.channel)
    try:
        await stub.BatchGetAvailability(inventory_pb.BatchGetAvailabilityRequest(skus=[STOCKED[0].id]))
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
            return False
        raise
    return True


def checked_or_unchecked(item: cart_pb2.CartItem) -> bool:
    """A well-stocked line is available, unless this build has no inventory to ask."""
    return (item.available, item.availability_warning) in {(True, ""), (False, rules.NOT_CHECKED)}


# --- the basic journey ----------------------------------------------------------------------


async def test_a_cart_never_written_reads_as_an_empty_cart(hub: Hub) -> None:
    reply = await get(hub)
    assert (reply.user_id, list(reply.items), reply.subtotal, reply.total) == ("ava", [], 0.0, 0.0)
    assert (reply.currency_code, reply.item_count, reply.etag) == ("USD", 0, "")
    assert not reply.HasField("updated_at")


async def test_add_get_update_remove_and_clear(hub: Hub) -> None:
    first, second = STOCKED[0], STOCKED[1]
    await add(hub, first.id, 2)
    await add(hub, second.id, 1)
    merged = await add(hub, first.id, 1)
    assert lines(merged) == [(first.id, 3), (second.id, 1)]

    reply = await get(hub)
    assert lines(reply) == [(first.id, 3), (second.id, 1)]
    item = reply.items[0]
    assert (item.name, item.image_url) == (first.name, first.image_url)
    assert item.price == item.current_price == first.price_minor / 100 and not item.price_changed
    assert item.line_total == round(3 * first.price_minor / 100, 2)
    assert item.HasField("added_at") and checked_or_unchecked(item)
    assert reply.item_count == 4 and reply.currency_code == "USD" and reply.etag and reply.HasField("updated_at")
    assert reply.subtotal == reply.total == (3 * first.price_minor + second.price_minor) / 100

    updated = await cart(hub).UpdateCartItem(
        pb.UpdateCartItemRequest(product_id=second.id, quantity=5), metadata=customer(hub)
    )
    assert lines(updated) == [(first.id, 3), (second.id, 5)]
    zeroed = await cart(hub).UpdateCartItem(
        pb.UpdateCartItemRequest(product_id=first.id, quantity=0), metadata=customer(hub)
    )
    assert lines(zeroed) == [(second.id, 5)]
    removed = await cart(hub).RemoveCartItem(pb.RemoveCartItemRequest(product_id=second.id), metadata=customer(hub))
    assert lines(removed) == [] and removed.subtotal == 0
    again = await cart(hub).RemoveCartItem(pb.RemoveCartItemRequest(product_id=second.id), metadata=customer(hub))
    assert lines(again) == [], "removing an absent line is not an error"

    await add(hub, first.id, 4)
    cleared = await cart(hub).ClearCart(pb.ClearCartRequest(), metadata=customer(hub))
    assert lines(cleared) == [] and cleared.total == 0 and cleared.item_count == 0
    assert lines(await get(hub)) == []


async def test_totals_are_exact_without_float_drift(hub: Hub) -> None:
    first, second = STOCKED[0], STOCKED[1]
    await set_price(hub, first.id, 19.99)
    await set_price(hub, second.id, 0.1)
    await add(hub, first.id, 3)
    reply = await add(hub, second.id, 3)
    assert [item.line_total for item in reply.items] == [59.97, 0.3]
    assert reply.subtotal == 60.27 and reply.total == 60.27


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [0, 100, -1])
async def test_quantity_out_of_range_is_invalid_argument_naming_quantity(hub: Hub, quantity: int) -> None:
    error = await expect_error(add(hub, STOCKED[0].id, quantity), grpc.StatusCode.INVALID_ARGUMENT)
    assert "quantity" in violated_fields(error)


async def test_update_quantity_is_checked_and_a_missing_line_is_not_found(hub: Hub) -> None:
    product_id = STOCKED[0].id
    await add(hub, product_id)
    error = await expect_error(
        cart(hub).UpdateCartItem(pb.UpdateCartItemRequest(product_id=product_id, quantity=100), metadata=customer(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "quantity" in violated_fields(error)
    await expect_error(
        cart(hub).UpdateCartItem(
            pb.UpdateCartItemRequest(product_id=STOCKED[1].id, quantity=2), metadata=customer(hub)
        ),
        grpc.StatusCode.NOT_FOUND,
    )


async def test_a_line_may_not_grow_beyond_99(hub: Hub) -> None:
    product_id = STOCKED[0].id
    await add(hub, product_id, 98)
    error = await expect_error(add(hub, product_id, 2), grpc.StatusCode.INVALID_ARGUMENT)
    assert "would exceed 99" in violated_fields(error)["quantity"]
    assert lines(await add(hub, product_id, 1)) == [(product_id, 99)]


@pytest.mark.parametrize(("product_id", "why"), [("NOPE-0000", "no such product"), ("x", "must be 3..64")])
async def test_unknown_or_malformed_product_is_invalid_argument_naming_product_id(
    hub: Hub, product_id: str, why: str
) -> None:
    error = await expect_error(add(hub, product_id), grpc.StatusCode.INVALID_ARGUMENT)
    assert why in violated_fields(error)["product_id"]
    assert lines(await get(hub)) == []


async def test_an_archived_product_cannot_be_added_and_shows_as_no_longer_sold(hub: Hub) -> None:
    kept, archived = STOCKED[0], STOCKED[1]
    await add(hub, kept.id)
    await add(hub, archived.id)
    await catalog(hub).ArchiveProduct(catalog_pb.ArchiveProductRequest(product_id=archived.id), metadata=staff(hub))
    error = await expect_error(add(hub, archived.id), grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(error) == "PRODUCT_INACTIVE"
    reply = await get(hub)
    item = next(i for i in reply.items if i.product_id == archived.id)
    assert (item.available, item.availability_warning) == (False, rules.NO_LONGER_SOLD)


async def test_a_product_in_another_currency_is_refused(hub: Hub) -> None:
    usd, eur = STOCKED[0], STOCKED[1]
    await set_price(hub, eur.id, 12.5, currency="EUR")
    await add(hub, usd.id)
    error = await expect_error(add(hub, eur.id), grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(error) == "CURRENCY_MISMATCH"
    # Alone in a cart, the EUR product is fine and the cart is in EUR.
    only = await add(hub, eur.id, who="liam")
    assert only.currency_code == "EUR" and only.subtotal == 12.5


async def test_anonymous_callers_are_unauthenticated(hub: Hub) -> None:
    stub = cart(hub)
    for call in (
        stub.GetCart(pb.GetCartRequest()),
        stub.AddCartItem(pb.AddCartItemRequest(product_id=STOCKED[0].id, quantity=1)),
        stub.UpdateCartItem(pb.UpdateCartItemRequest(product_id=STOCKED[0].id, quantity=1)),
        stub.RemoveCartItem(pb.RemoveCartItemRequest(product_id=STOCKED[0].id)),
        stub.ClearCart(pb.ClearCartRequest()),
    ):
        await expect_error(call, grpc.StatusCode.UNAUTHENTICATED)


# --- prices -------------------------------------------------------------------------------------


async def test_a_price_change_after_adding_is_flagged_with_both_prices(hub: Hub) -> None:
    product = STOCKED[0]
    await set_price(hub, product.id, 20.0)
    await add(hub, product.id, 2)
    await set_price(hub, product.id, 24.5)
    item = (await get(hub)).items[0]
    assert (item.price, item.current_price, item.price_changed) == (20.0, 24.5, True)
    assert item.line_total == 49.0
    # Adding again shows the shopper today's price: it becomes the snapshot.
    readded = (await add(hub, product.id, 1)).items[0]
    assert (readded.price, readded.current_price, readded.price_changed, readded.quantity) == (24.5, 24.5, False, 3)


async def test_the_stored_view_returns_snapshots_without_pricing_or_checking(hub: Hub) -> None:
    product = STOCKED[0]
    await set_price(hub, product.id, 20.0)
    await add(hub, product.id, 2)
    await set_price(hub, product.id, 24.5)
    stored = await cart(hub).GetCart(pb.GetCartRequest(view=pb.CART_VIEW_STORED), metadata=customer(hub))
    item = stored.items[0]
    assert (item.product_id, item.quantity, item.price, item.current_price) == (product.id, 2, 20.0, 20.0)
    assert (item.price_changed, item.available, item.availability_warning) == (False, False, "")
    assert (stored.subtotal, stored.item_count, stored.currency_code) == (40.0, 2, "USD")
    full = await cart(hub).GetCart(pb.GetCartRequest(view=pb.CART_VIEW_FULL), metadata=customer(hub))
    assert (full.items[0].current_price, full.items[0].available, full.etag) == (24.5, True, stored.etag)


# --- ownership ------------------------------------------------------------------------------------


async def test_carts_are_private_to_their_owner_and_staff_may_read_and_clear_them(hub: Hub) -> None:
    await add(hub, STOCKED[0].id, 2, who="ava")
    assert lines(await get(hub, "liam")) == []
    for call in (
        cart(hub).GetCart(pb.GetCartRequest(user_id="ava"), metadata=customer(hub, "liam")),
        cart(hub).ClearCart(pb.ClearCartRequest(user_id="ava"), metadata=customer(hub, "liam")),
    ):
        await expect_error(call, grpc.StatusCode.PERMISSION_DENIED)
    assert lines(await get(hub, "ava")) == [(STOCKED[0].id, 2)]
    own = await cart(hub).GetCart(pb.GetCartRequest(user_id="ava"), metadata=customer(hub, "ava"))
    assert lines(own) == [(STOCKED[0].id, 2)]

    seen_by_staff = await cart(hub).GetCart(pb.GetCartRequest(user_id="ava"), metadata=staff(hub))
    assert seen_by_staff.user_id == "ava" and lines(seen_by_staff) == [(STOCKED[0].id, 2)]
    error = await expect_error(
        cart(hub).GetCart(pb.GetCartRequest(user_id="a/b"), metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert "user_id" in violated_fields(error)


async def test_the_platform_identity_clears_a_named_users_cart(hub: Hub) -> None:
    """What the order service does after an order: its own staff-role token, the user named."""
    await add(hub, STOCKED[0].id, 2, who="ava")
    platform = hub.platform.deps.service_credentials.metadata()
    assert platform, "embedded defaults mint a platform token"
    cleared = await cart(hub).ClearCart(pb.ClearCartRequest(user_id="ava", request_id="order-1"), metadata=platform)
    assert cleared.user_id == "ava" and lines(cleared) == []
    assert lines(await get(hub, "ava")) == []


# --- idempotency and etags ------------------------------------------------------------------------


async def test_a_retried_add_with_the_same_key_adds_once(hub: Hub) -> None:
    product_id = STOCKED[0].id
    await add(hub, product_id, 2, request_id="add-1")
    assert lines(await add(hub, product_id, 2, request_id="add-1")) == [(product_id, 2)]
    header = (*customer(hub), ("idempotency-key", "add-2"))
    request = pb.AddCartItemRequest(product_id=product_id, quantity=1)
    await cart(hub).AddCartItem(request, metadata=header)
    assert lines(await cart(hub).AddCartItem(request, metadata=header)) == [(product_id, 3)]
    error = await expect_error(add(hub, product_id, 5, request_id="add-1"), grpc.StatusCode.INVALID_ARGUMENT)
    assert "request_id" in violated_fields(error)


async def test_a_retried_clear_does_not_empty_the_cart_again(hub: Hub) -> None:
    await add(hub, STOCKED[0].id)
    clear = pb.ClearCartRequest(request_id="clear-1")
    await cart(hub).ClearCart(clear, metadata=customer(hub))
    await add(hub, STOCKED[1].id)
    assert lines(await cart(hub).ClearCart(clear, metadata=customer(hub))) == [(STOCKED[1].id, 1)]


async def test_a_stale_etag_is_aborted_and_a_current_one_applies(hub: Hub) -> None:
    product_id = STOCKED[0].id
    first = await add(hub, product_id)
    changed = await cart(hub).UpdateCartItem(
        pb.UpdateCartItemRequest(product_id=product_id, quantity=4, etag=first.etag), metadata=customer(hub)
    )
    assert lines(changed) == [(product_id, 4)] and changed.etag != first.etag
    for call in (
        cart(hub).UpdateCartItem(
            pb.UpdateCartItemRequest(product_id=product_id, quantity=5, etag=first.etag), metadata=customer(hub)
        ),
        cart(hub).RemoveCartItem(
            pb.RemoveCartItemRequest(product_id=product_id, etag=first.etag), metadata=customer(hub)
        ),
        cart(hub).ClearCart(pb.ClearCartRequest(etag=first.etag), metadata=customer(hub)),
    ):
        await expect_error(call, grpc.StatusCode.ABORTED)
    assert lines(await get(hub)) == [(product_id, 4)]
    await expect_error(
        cart(hub).UpdateCartItem(
            pb.UpdateCartItemRequest(product_id=product_id, quantity=1, etag="stale"), metadata=customer(hub, "liam")
        ),
        grpc.StatusCode.ABORTED,
    )


# --- concurrency --------------------------------------------------------------------------------


async def test_concurrent_adds_to_one_cart_lose_nothing(hub: Hub) -> None:
    products = STOCKED[:10]
    replies = await asyncio.gather(*(add(hub, p.id, i + 1) for i, p in enumerate(products)))
    assert all(reply.user_id == "ava" for reply in replies)
    final = await get(hub)
    assert sorted(lines(final)) == sorted((p.id, i + 1) for i, p in enumerate(products))
    assert final.item_count == sum(range(1, 11))

    same = STOCKED[10].id
    await asyncio.gather(*(add(hub, same, 2) for _ in range(10)))
    assert dict(lines(await get(hub)))[same] == 20


# --- degraded dependencies ----------------------------------------------------------------------


async def test_without_inventory_the_cart_still_works_and_says_availability_is_unchecked(tmp_path: Path) -> None:
    hub = await start_hub(tmp_path / "data", services=("catalog", "cart"), seed=True)
    try:
        reply = await add(hub, STOCKED[0].id, 2)
        item = reply.items[0]
        assert (item.available, item.availability_warning) == (False, rules.NOT_CHECKED)
        assert item.current_price == item.price and reply.subtotal == 2 * STOCKED[0].price_minor / 100
        assert lines(await get(hub)) == [(STOCKED[0].id, 2)]
    finally:
        await stop_hub(hub)


async def test_without_catalog_adding_is_unavailable_and_reading_keeps_the_snapshot(tmp_path: Path) -> None:
    hub = await start_hub(tmp_path / "data", services=("cart",), seed=True)
    try:
        error = await expect_error(add(hub, STOCKED[0].id), grpc.StatusCode.UNAVAILABLE)
        assert reason(error) == "DEPENDENCY_UNAVAILABLE"
        carts = await hub.platform.store.container("carts", "/id")
        cart_doc = rules.add_line(rules.new_cart("ava"), _info(STOCKED[0]), 3, "2024-12-01T10:00:00.000000Z")
        await carts.create(cart_doc)
        reply = await get(hub)
        item = reply.items[0]
        assert (item.product_id, item.quantity, item.name) == (STOCKED[0].id, 3, STOCKED[0].name)
        assert item.current_price == item.price == STOCKED[0].price_minor / 100 and not item.price_changed
        assert (item.available, item.availability_warning) == (False, rules.NOT_CHECKED)
    finally:
        await stop_hub(hub)


def _info(product: DemoProduct) -> rules.ProductInfo:
    return rules.ProductInfo(
        product_id=product.id,
        name=product.name,
        image_url=product.image_url,
        price_minor=product.price_minor,
        currency_code=product.currency_code,
        active=True,
    )


# --- availability (needs the inventory service) -------------------------------------------------


async def test_availability_warnings_and_out_of_stock_refusal(hub: Hub) -> None:
    if not await inventory_answers(hub):
        pytest.skip("the inventory service is not implemented in this build")
    sold_out = next(p for p in DEMO.products if p.stock_on_hand == 0)
    scarce = next(p for p in DEMO.products if 1 < p.stock_on_hand <= p.reorder_point)
    error = await expect_error(add(hub, sold_out.id), grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(error) == "OUT_OF_STOCK"

    reply = await add(hub, STOCKED[0].id)
    reply = await add(hub, scarce.id, 1)
    plenty, low = reply.items
    assert (plenty.available, plenty.availability_warning) == (True, "")
    assert (low.available, low.availability_warning) == (True, f"Only {scarce.stock_on_hand} left")
    too_many = await cart(hub).UpdateCartItem(
        pb.UpdateCartItemRequest(product_id=scarce.id, quantity=scarce.stock_on_hand + 1), metadata=customer(hub)
    )
    assert (too_many.items[1].available, too_many.items[1].availability_warning) == (
        False,
        f"Only {scarce.stock_on_hand} left",
    )
