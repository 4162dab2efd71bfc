"""Catalog and user writes publish their events through the transactional outbox, over real gRPC.

Each test subscribes a consumer group to the running hub's bus, acts through the public RPCs and
then lets the relay finish (`drain_once` returns only once every pending event was delivered), so
"exactly once" and "nothing" are checked on what really went out.
"""

from __future__ import annotations

import asyncio

import grpc
import pytest

from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import user_service_pb2 as users_pb
from holidaypeak.commerce.v1 import user_service_pb2_grpc as users_grpc
from holidaypeak.events.v1 import product_events_pb2 as product_ev
from holidaypeak.events.v1 import user_events_pb2 as user_ev
from hph.runtime.events import IS_OUTBOX, OUTBOX_ID_PREFIX, payload_of
from hph.runtime.storage import Query
from hph.services.catalog.servicer import PRODUCT_PARTITION_KEY, PRODUCTS
from tests.support.events import Recorder
from tests.support.platform_harness import Hub
from tests.support.rich_status import expect_error
from tests.support.shoppers import staff

pytestmark = pytest.mark.integration

HUB_SERVICES = ("catalog", "users")


def catalog(hub: Hub) -> catalog_grpc.CatalogServiceStub:
    return catalog_grpc.CatalogServiceStub(hub.channel)


def users(hub: Hub) -> users_grpc.UserServiceStub:
    return users_grpc.UserServiceStub(hub.channel)


async def a_leaf_category(hub: Hub) -> str:
    return str((await catalog(hub).ListProducts(catalog_pb.ListProductsRequest(limit=1))).products[0].category_id)


async def listed_product_ids(hub: Hub, **filters: str) -> list[str]:
    ids: list[str] = []
    token = ""
    while True:
        page = await catalog(hub).ListProducts(catalog_pb.ListProductsRequest(limit=100, page_token=token, **filters))
        ids += [p.id for p in page.products]
        token = page.next_page_token
        if not token:
            return ids


# --- catalog --------------------------------------------------------------------------------------


async def test_product_writes_emit_created_updated_archived_once_each_in_order(hub: Hub) -> None:
    recorder = await Recorder.subscribe(hub, "product-events")
    category = await a_leaf_category(hub)
    created = await catalog(hub).CreateProduct(
        catalog_pb.CreateProductRequest(
            product_id="EVT-1001",
            name="Cinnamon Candle",
            description="Warm and spicy.",
            brand="Glow",
            price=14.5,
            category_id=category,
            tags=["Candle", "Gift"],
            image_url="https://images.example/evt.jpg",
        ),
        metadata=(*staff(hub), ("x-request-id", "req-create")),
    )
    repriced = await catalog(hub).UpdateProduct(
        catalog_pb.UpdateProductRequest(product_id="EVT-1001", price=12.99, etag=created.etag),
        metadata=(*staff(hub), ("x-request-id", "req-price")),
    )
    # The brand is set to what it already was: only the name is reported as changed.
    await catalog(hub).UpdateProduct(
        catalog_pb.UpdateProductRequest(product_id="EVT-1001", name="Cinnamon Candle XL", brand="Glow"),
        metadata=staff(hub),
    )
    await catalog(hub).ArchiveProduct(catalog_pb.ArchiveProductRequest(product_id="EVT-1001"), metadata=staff(hub))
    await catalog(hub).ArchiveProduct(catalog_pb.ArchiveProductRequest(product_id="EVT-1001"), metadata=staff(hub))
    await catalog(hub).RestoreProduct(catalog_pb.RestoreProductRequest(product_id="EVT-1001"), metadata=staff(hub))
    await recorder.settle()

    events = recorder.about("EVT-1001")
    assert recorder.kinds(events) == [
        "product_created",
        "product_updated",
        "product_updated",
        "product_archived",  # archiving twice changed nothing the second time: one event
        "product_updated",
    ]
    assert len({e.event_id for e in events}) == len(events)
    for event in events:
        assert (event.source, event.subject, event.partition_key) == ("catalog", "products/EVT-1001", "EVT-1001")
        assert event.event_type.startswith("holidaypeak.events.v1.Product")

    made = payload_of(events[0])
    assert isinstance(made, product_ev.ProductCreated) and made.actor_id == "staff-sam"
    assert events[0].correlation_id == "req-create"
    assert made.product == product_ev.ProductSnapshot(
        product_id="EVT-1001",
        name="Cinnamon Candle",
        description="Warm and spicy.",
        brand="Glow",
        category_id=category,
        price_minor=1450,
        currency_code="USD",
        image_url="https://images.example/evt.jpg",
        tags=["candle", "gift"],
        status=product_ev.PRODUCT_STATUS_ACTIVE,
    )

    price = payload_of(events[1])
    assert isinstance(price, product_ev.ProductUpdated) and events[1].correlation_id == "req-price"
    assert list(price.changed_fields) == ["price_minor"]
    assert price.HasField("previous_price_minor") and price.previous_price_minor == 1450
    assert price.product.price_minor == 1299 and repriced.price == 12.99

    name = payload_of(events[2])
    assert isinstance(name, product_ev.ProductUpdated)
    assert list(name.changed_fields) == ["name"] and not name.HasField("previous_price_minor")
    assert name.product.name == "Cinnamon Candle XL" and name.product.price_minor == 1299

    archived = payload_of(events[3])
    assert archived == product_ev.ProductArchived(product_id="EVT-1001", category_id=category, actor_id="staff-sam")

    restored = payload_of(events[4])
    assert isinstance(restored, product_ev.ProductUpdated)
    assert list(restored.changed_fields) == ["status"]
    assert restored.product.status == product_ev.PRODUCT_STATUS_ACTIVE


async def test_a_refused_product_write_emits_no_event(hub: Hub) -> None:
    category = await a_leaf_category(hub)
    request = catalog_pb.CreateProductRequest(name="Snow Globe", price=30, category_id=category, request_id="evt-r1")
    created = await catalog(hub).CreateProduct(request, metadata=staff(hub))
    recorder = await Recorder.subscribe(hub, "product-events")

    await catalog(hub).UpdateProduct(
        catalog_pb.UpdateProductRequest(product_id=created.id, price=25, etag=created.etag), metadata=staff(hub)
    )
    # The state write fails (stale etag): ABORTED, and its event must not exist either.
    await expect_error(
        catalog(hub).UpdateProduct(
            catalog_pb.UpdateProductRequest(product_id=created.id, price=1, etag=created.etag), metadata=staff(hub)
        ),
        grpc.StatusCode.ABORTED,
    )
    await expect_error(
        catalog(hub).UpdateProduct(
            catalog_pb.UpdateProductRequest(product_id=created.id, price=-1), metadata=staff(hub)
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    await expect_error(
        catalog(hub).CreateProduct(
            catalog_pb.CreateProductRequest(product_id=created.id, name="Other", price=1, category_id=category),
            metadata=staff(hub),
        ),
        grpc.StatusCode.ALREADY_EXISTS,
    )
    retried = await catalog(hub).CreateProduct(request, metadata=staff(hub))  # a retry: no second ProductCreated
    assert retried.id == created.id
    # Setting a field to the value it has is a write but no change of the product: no event.
    await catalog(hub).UpdateProduct(
        catalog_pb.UpdateProductRequest(product_id=created.id, name="Snow Globe"), metadata=staff(hub)
    )
    await recorder.settle()

    events = recorder.about(created.id)
    assert recorder.kinds(events) == ["product_updated"]
    update = payload_of(events[0])
    assert isinstance(update, product_ev.ProductUpdated) and update.product.price_minor == 2500

    # What the relay sees agrees: one record for the create, one for the successful update.
    products = await hub.platform.store.container(PRODUCTS, PRODUCT_PARTITION_KEY)
    assert await products.count(Query(IS_OUTBOX), partition_key=created.id) == 2


async def test_product_listings_and_counts_never_include_outbox_records(hub: Hub) -> None:
    before = await listed_product_ids(hub)
    leaf = await catalog(hub).CreateCategory(catalog_pb.CreateCategoryRequest(name="Event Tests"), metadata=staff(hub))
    made = [
        await catalog(hub).CreateProduct(
            catalog_pb.CreateProductRequest(
                product_id=f"EVT-L{i}", name=f"Tinsel Garland {i}", price=5 + i, category_id=leaf.id
            ),
            metadata=staff(hub),
        )
        for i in range(3)
    ]
    await catalog(hub).UpdateProduct(
        catalog_pb.UpdateProductRequest(product_id="EVT-L0", name="Tinsel Garland Gold"), metadata=staff(hub)
    )
    await catalog(hub).ArchiveProduct(catalog_pb.ArchiveProductRequest(product_id="EVT-L2"), metadata=staff(hub))
    relay = hub.platform.deps.relay
    assert relay is not None
    await relay.drain_once()
    products = await hub.platform.store.container(PRODUCTS, PRODUCT_PARTITION_KEY)
    assert await products.count(Query(IS_OUTBOX)) == 5, "the writes left their (sent) outbox records behind"

    after = await listed_product_ids(hub)
    assert sorted(after) == sorted([*before, "EVT-L0", "EVT-L1"])
    assert not [i for i in after if i.startswith(OUTBOX_ID_PREFIX)]
    assert sorted(await listed_product_ids(hub, category=leaf.id)) == ["EVT-L0", "EVT-L1"]
    # In name order: "Tinsel Garland 1" before "Tinsel Garland Gold"; the archived one is not listed.
    assert await listed_product_ids(hub, search="tinsel garland") == ["EVT-L1", "EVT-L0"]
    for product in made[:2]:
        await catalog(hub).ArchiveProduct(catalog_pb.ArchiveProductRequest(product_id=product.id), metadata=staff(hub))
    # No active product is left in the category, whatever its partitions' outbox records say.
    await catalog(hub).ArchiveCategory(catalog_pb.ArchiveCategoryRequest(category_id=leaf.id), metadata=staff(hub))


# --- users ----------------------------------------------------------------------------------------


async def test_register_and_profile_updates_emit_user_events_once(hub: Hub) -> None:
    recorder = await Recorder.subscribe(hub, "user-events")
    me = hub.auth("customer", "evt-shopper", name="Eve Shopper")
    registered = await users(hub).Register(users_pb.RegisterRequest(phone="+1 415 555 0100"), metadata=me)
    await users(hub).Register(users_pb.RegisterRequest(name="Again"), metadata=me)  # second sign-in: no event
    renamed = await users(hub).UpdateProfile(
        users_pb.UpdateProfileRequest(name="Eve  Shopper-Smith", etag=registered.etag), metadata=me
    )
    assert renamed.name == "Eve Shopper-Smith"
    await users(hub).UpdateProfile(users_pb.UpdateProfileRequest(name="Eve Shopper-Smith"), metadata=me)  # same
    await users(hub).UpdateProfile(users_pb.UpdateProfileRequest(), metadata=me)  # nothing asked
    await expect_error(
        users(hub).UpdateProfile(users_pb.UpdateProfileRequest(name="Stale", etag=registered.etag), metadata=me),
        grpc.StatusCode.ABORTED,
    )
    await users(hub).UpdateProfile(users_pb.UpdateProfileRequest(phone=""), metadata=me)

    # Two first sign-ins of one user racing: one profile, one UserRegistered.
    twin = hub.auth("customer", "evt-twin")
    first, second = await asyncio.gather(
        users(hub).Register(users_pb.RegisterRequest(), metadata=twin),
        users(hub).Register(users_pb.RegisterRequest(), metadata=twin),
    )
    assert first == second
    await recorder.settle()

    events = recorder.about("evt-shopper")
    assert recorder.kinds(events) == ["user_registered", "user_updated", "user_updated"]
    for event in events:
        assert (event.source, event.subject) == ("users", "users/evt-shopper")
    assert payload_of(events[0]) == user_ev.UserRegistered(user_id="evt-shopper", has_phone=True)
    assert payload_of(events[1]) == user_ev.UserUpdated(user_id="evt-shopper", changed_fields=["name"])
    assert payload_of(events[2]) == user_ev.UserUpdated(user_id="evt-shopper", changed_fields=["phone"])
    assert recorder.kinds(recorder.about("evt-twin")) == ["user_registered"]
    assert payload_of(recorder.about("evt-twin")[0]) == user_ev.UserRegistered(user_id="evt-twin")


async def test_list_users_never_returns_outbox_records(hub: Hub) -> None:
    staff_md = staff(hub)

    async def everyone() -> list[str]:
        ids: list[str] = []
        token = ""
        while True:
            page = await users(hub).ListUsers(
                users_pb.ListUsersRequest(page_size=100, page_token=token), metadata=staff_md
            )
            ids += [u.id for u in page.users]
            token = page.next_page_token
            if not token:
                return ids

    before = await everyone()
    for sub in ("evt-a", "evt-b"):
        me = hub.auth("customer", sub)
        await users(hub).Register(users_pb.RegisterRequest(), metadata=me)
        await users(hub).UpdateProfile(users_pb.UpdateProfileRequest(name=f"Name {sub}"), metadata=me)
    after = await everyone()
    assert sorted(after) == sorted([*before, "evt-a", "evt-b"])
    found = await users(hub).ListUsers(users_pb.ListUsersRequest(email="EVT-A@example.com"), metadata=staff_md)
    assert [u.id for u in found.users] == ["evt-a"]
