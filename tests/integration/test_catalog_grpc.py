"""Catalog over real gRPC: browsing, paging, search, staff management, auth and validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import jwt
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from holidaypeak.commerce.v1 import catalog_service_pb2 as pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import product_pb2
from holidaypeak.events.v1 import product_events_pb2 as ev
from hph.host.app import SERVICES
from hph.runtime.auth.dev_issuer import DevIssuer
from tests.support.events import Recorder
from tests.support.platform_harness import Hub
from tests.support.rich_status import expect_error, reason, violated_fields
from tests.support.tokens import bearer_metadata

pytestmark = pytest.mark.integration


def catalog(hub: Hub) -> pb_grpc.CatalogServiceStub:
    return pb_grpc.CatalogServiceStub(hub.channel)


async def test_reflection_lists_every_commerce_service_and_health_is_serving(hub: Hub) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(hub.channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = set()
    async for response in responses:
        names |= {s.name for s in response.list_services_response.service}
    assert {spec.full_name for spec in SERVICES} <= names
    health = health_pb2_grpc.HealthStub(hub.channel)
    reply = await health.Check(health_pb2.HealthCheckRequest(service="holidaypeak.commerce.v1.CatalogService"))
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_anonymous_listing_pages_through_the_whole_seeded_catalog_in_order(hub: Hub) -> None:
    seen: list[product_pb2.Product] = []
    token = ""
    while True:
        page = await catalog(hub).ListProducts(pb.ListProductsRequest(limit=100, page_token=token))
        assert len(page.products) <= 100
        seen.extend(page.products)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) >= 300
    assert len({p.id for p in seen}) == len(seen), "a product appeared on two pages"
    keys = [(p.name, p.id) for p in seen]
    assert keys == sorted(keys)
    assert any(p.in_stock for p in seen) and any(not p.in_stock for p in seen)


async def test_default_page_is_twenty_and_limit_is_honoured(hub: Hub) -> None:
    assert len((await catalog(hub).ListProducts(pb.ListProductsRequest())).products) == 20
    page = await catalog(hub).ListProducts(pb.ListProductsRequest(limit=5))
    assert len(page.products) == 5 and page.next_page_token
    first = page.products[0]
    assert first.price > 0 and first.currency_code == "USD" and first.category_id and first.image_url


@pytest.mark.parametrize("limit", [-1, 101, 1000])
async def test_out_of_range_limit_is_invalid_argument_naming_limit(hub: Hub, limit: int) -> None:
    error = await expect_error(
        catalog(hub).ListProducts(pb.ListProductsRequest(limit=limit)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert "limit" in violated_fields(error)


async def test_search_matches_every_word_case_insensitively(hub: Hub) -> None:
    everything = await catalog(hub).ListProducts(pb.ListProductsRequest(limit=100))
    word = everything.products[0].name.split()[0]
    found = await catalog(hub).ListProducts(pb.ListProductsRequest(search=word.upper(), limit=100))
    assert found.products
    for product in found.products:
        haystack = " ".join([product.name, product.brand, " ".join(product.tags), product.description]).lower()
        assert word.lower() in haystack
    none = await catalog(hub).ListProducts(pb.ListProductsRequest(search=f"{word} zzzqqqxxx"))
    assert list(none.products) == []


async def test_category_filter_includes_subcategories(hub: Hub) -> None:
    categories = (await catalog(hub).ListCategories(pb.ListCategoriesRequest())).categories
    parent = next(c for c in categories if not c.parent_id)
    children = {c.id for c in categories if c.parent_id == parent.id}
    assert children
    page = await catalog(hub).ListProducts(pb.ListProductsRequest(category=parent.id, limit=100))
    assert page.products and {p.category_id for p in page.products} <= children | {parent.id}
    child_only = await catalog(hub).ListCategories(pb.ListCategoriesRequest(parent_id=parent.id))
    assert {c.id for c in child_only.categories} == children


async def test_page_token_is_bound_to_its_query(hub: Hub) -> None:
    page = await catalog(hub).ListProducts(pb.ListProductsRequest(limit=2))
    error = await expect_error(
        catalog(hub).ListProducts(pb.ListProductsRequest(limit=2, search="lights", page_token=page.next_page_token)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "page_token" in violated_fields(error)
    error = await expect_error(
        catalog(hub).ListProducts(pb.ListProductsRequest(page_token="not-a-token")),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "page_token" in violated_fields(error)


async def test_get_product_and_not_found(hub: Hub) -> None:
    listed = (await catalog(hub).ListProducts(pb.ListProductsRequest(limit=1))).products[0]
    got = await catalog(hub).GetProduct(pb.GetProductRequest(product_id=listed.id))
    assert got == listed
    error = await expect_error(
        catalog(hub).GetProduct(pb.GetProductRequest(product_id="NOPE-0000")), grpc.StatusCode.NOT_FOUND
    )
    assert reason(error) == "NOT_FOUND"


async def test_staff_rpc_needs_staff_role(hub: Hub) -> None:
    request = pb.CreateProductRequest(name="Gift Box", price=9.99, category_id="ornaments")
    await expect_error(catalog(hub).CreateProduct(request), grpc.StatusCode.UNAUTHENTICATED)
    error = await expect_error(
        catalog(hub).CreateProduct(request, metadata=hub.auth("customer", "customer-ava")),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    assert reason(error) == "ROLE_REQUIRED"


async def _leaf_category(hub: Hub) -> str:
    products = (await catalog(hub).ListProducts(pb.ListProductsRequest(limit=1))).products
    return products[0].category_id


async def test_staff_creates_updates_archives_and_restores_a_product(hub: Hub) -> None:
    staff = hub.auth("staff", "staff-sam")
    category = await _leaf_category(hub)
    created = await catalog(hub).CreateProduct(
        pb.CreateProductRequest(
            product_id="GFT-9001",
            name="Peppermint Bark Tin",
            price=14.5,
            category_id=category,
            tags=["Candy", "candy", "Gift"],
            image_url="https://images.example/gft.jpg",
        ),
        metadata=staff,
    )
    assert created.status == product_pb2.PRODUCT_STATUS_ACTIVE and created.price == 14.5
    assert list(created.tags) == ["candy", "gift"] and created.etag and not created.in_stock

    updated = await catalog(hub).UpdateProduct(
        pb.UpdateProductRequest(product_id="GFT-9001", price=12.99, etag=created.etag), metadata=staff
    )
    assert updated.price == 12.99 and updated.name == "Peppermint Bark Tin" and updated.etag != created.etag
    error = await expect_error(
        catalog(hub).UpdateProduct(
            pb.UpdateProductRequest(product_id="GFT-9001", name="X", etag=created.etag), metadata=staff
        ),
        grpc.StatusCode.ABORTED,
    )
    assert reason(error) == "CONCURRENT_MODIFICATION"

    archived = await catalog(hub).ArchiveProduct(pb.ArchiveProductRequest(product_id="GFT-9001"), metadata=staff)
    assert archived.status == product_pb2.PRODUCT_STATUS_ARCHIVED
    again = await catalog(hub).ArchiveProduct(pb.ArchiveProductRequest(product_id="GFT-9001"), metadata=staff)
    assert again.etag == archived.etag, "archiving twice must change nothing"
    search = await catalog(hub).ListProducts(pb.ListProductsRequest(search="peppermint bark tin"))
    assert "GFT-9001" not in {p.id for p in search.products}
    restored = await catalog(hub).RestoreProduct(pb.RestoreProductRequest(product_id="GFT-9001"), metadata=staff)
    assert restored.status == product_pb2.PRODUCT_STATUS_ACTIVE
    search = await catalog(hub).ListProducts(pb.ListProductsRequest(search="peppermint bark tin"))
    assert "GFT-9001" in {p.id for p in search.products}


async def test_create_product_reports_every_bad_field(hub: Hub) -> None:
    error = await expect_error(
        catalog(hub).CreateProduct(
            pb.CreateProductRequest(product_id="x", name="", price=1.999, category_id="Bad Id", image_url="ftp://x"),
            metadata=hub.auth("staff", "staff-sam"),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert {"product_id", "name", "price", "category_id", "image_url"} <= set(violated_fields(error))
    error = await expect_error(
        catalog(hub).CreateProduct(
            pb.CreateProductRequest(name="A", price=-1, category_id="no-such-category"),
            metadata=hub.auth("staff", "staff-sam"),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "price" in violated_fields(error)


async def test_create_with_request_id_is_idempotent_and_duplicates_are_refused(hub: Hub) -> None:
    staff = hub.auth("staff", "staff-sam")
    request = pb.CreateProductRequest(
        name="Cocoa Kit", price=20, category_id=await _leaf_category(hub), request_id="req-cocoa-1"
    )
    first = await catalog(hub).CreateProduct(request, metadata=staff)
    second = await catalog(hub).CreateProduct(request, metadata=staff)
    assert first.id == second.id and first.etag == second.etag
    await expect_error(
        catalog(hub).CreateProduct(
            pb.CreateProductRequest(product_id=first.id, name="Other", price=1, category_id=first.category_id),
            metadata=staff,
        ),
        grpc.StatusCode.ALREADY_EXISTS,
    )


async def test_category_rules(hub: Hub) -> None:
    staff = hub.auth("staff", "staff-sam")
    top = await catalog(hub).CreateCategory(pb.CreateCategoryRequest(name="Stocking Stuffers"), metadata=staff)
    assert top.id == "stocking-stuffers"
    child = await catalog(hub).CreateCategory(
        pb.CreateCategoryRequest(name="Tiny Toys", parent_id=top.id), metadata=staff
    )
    error = await expect_error(
        catalog(hub).UpdateCategory(pb.UpdateCategoryRequest(category_id=top.id, parent_id=child.id), metadata=staff),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "parent_id" in violated_fields(error)
    error = await expect_error(
        catalog(hub).ArchiveCategory(pb.ArchiveCategoryRequest(category_id=top.id), metadata=staff),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    assert reason(error) == "CATEGORY_IN_USE"
    await catalog(hub).ArchiveCategory(pb.ArchiveCategoryRequest(category_id=child.id), metadata=staff)
    archived = await catalog(hub).ArchiveCategory(pb.ArchiveCategoryRequest(category_id=top.id), metadata=staff)
    assert archived.id == top.id
    listed = (await catalog(hub).ListCategories(pb.ListCategoriesRequest())).categories
    assert top.id not in {c.id for c in listed}


async def test_bad_tokens_are_unauthenticated_even_on_anonymous_rpcs(hub: Hub) -> None:
    data_dir = hub.settings.data_dir
    valid = hub.auth("admin", "mallory")[0][1].split()[1]
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    header_b64, payload_b64, _ = valid.split(".")
    unsigned = jwt.encode(jwt.decode(valid, options={"verify_signature": False}), key=None, algorithm="none")
    cases = {
        # Signed with the real key, so only the claim under test is wrong.
        "expired": bearer_metadata(hub.issuer.issue("mallory", "admin", now=two_hours_ago, ttl_seconds=3600)),
        "wrong audience": bearer_metadata(DevIssuer(data_dir, audience="api://someone-else").issue("mallory", "admin")),
        "wrong issuer": bearer_metadata(DevIssuer(data_dir, issuer="https://evil.example").issue("mallory", "admin")),
        "alg none": (("authorization", f"Bearer {unsigned}"),),
        "bad signature": (("authorization", f"Bearer {header_b64}.{payload_b64}.c2lnbmF0dXJl"),),
        "garbage": (("authorization", "Bearer not.a.jwt"),),
        "wrong scheme": (("authorization", f"Basic {valid}"),),
    }
    for name, metadata in cases.items():
        for call in (
            catalog(hub).ListProducts(pb.ListProductsRequest(limit=1), metadata=metadata),
            catalog(hub).CreateProduct(pb.CreateProductRequest(name="x"), metadata=metadata),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await call
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED, name


async def test_attributes_are_set_merged_removed_validated_and_published(hub: Hub) -> None:
    staff = hub.auth("staff", "staff-sam")
    category = await _leaf_category(hub)
    recorder = await Recorder.subscribe(hub, "product-events", group="test-attributes")
    created = await catalog(hub).CreateProduct(
        pb.CreateProductRequest(
            product_id="ATR-0001",
            name="Knit Scarf",
            price=20,
            category_id=category,
            attributes={"colour": "red", "material": "wool"},
        ),
        metadata=staff,
    )
    assert dict(created.attributes) == {"colour": "red", "material": "wool"}
    merged = await catalog(hub).UpdateProduct(
        pb.UpdateProductRequest(product_id="ATR-0001", attributes={"colour": "", "size": "M"}, etag=created.etag),
        metadata=staff,
    )
    assert dict(merged.attributes) == {"material": "wool", "size": "M"}  # colour removed, size added
    bad = await expect_error(
        catalog(hub).UpdateProduct(
            pb.UpdateProductRequest(product_id="ATR-0001", attributes={"Colour": "x", "size": "s" * 201}),
            metadata=staff,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(bad)) == {"attributes.Colour", "attributes.size"}
    bad_create = await expect_error(
        catalog(hub).CreateProduct(
            pb.CreateProductRequest(name="N", price=1, category_id=category, attributes={"size": ""}), metadata=staff
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert "attributes.size" in violated_fields(bad_create)
    await recorder.settle()
    updated = recorder.of("product_updated", "ATR-0001")[0].product_updated
    assert dict(updated.product.attributes) == {"material": "wool", "size": "M"}
    assert "attributes" in updated.changed_fields
    created_event = recorder.of("product_created", "ATR-0001")[0].product_created
    assert isinstance(created_event, ev.ProductCreated) and created_event.product.attributes["colour"] == "red"
