"""Agent acp-transformation over real gRPC and REST on a seeded platform: the feed is backfilled
from the catalog and inventory, follows product and stock changes within a second or two (seen
through the staff REST route as JSON Lines), pages by item id without repeats, keeps items that
fail the spec's required fields out with their reasons, answers one item from live reads, rebuilds
from the log (plus the backfill) into the same documents and answers, refuses what it cannot
answer, and refuses customers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from holidaypeak.agents.v1 import acp_transformation_service_pb2 as pb
from holidaypeak.agents.v1 import acp_transformation_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from hph.agents.acp_transformation.projection import CONTAINER, GROUP, FeedProjection
from hph.agents.acp_transformation.servicer import backfill_from_services
from hph.agents.catalog_search.sources import ServiceReader
from hph.commerce.clients import InventoryClient
from hph.commerce.demo_data import generate_catalog
from hph.runtime.storage import Query
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.rest_json import ok
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import staff, stock_up
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVICES = ("catalog", "users", "inventory", "acp-transformation")
FEED = "/api/staff/agents/acp-transformation/feed"
LINES = "/api/staff/agents/acp-transformation/feed:jsonl"
DEMO_PRODUCTS = len(generate_catalog().products)
REQUIRED = {
    "item_id",
    "title",
    "description",
    "url",
    "brand",
    "product_category",
    "image_url",
    "price",
    "availability",
    "inventory_quantity",
    "is_eligible_search",
    "is_eligible_checkout",
    "seller_name",
    "seller_url",
    "return_policy",
    "return_window",
    "store_country",
    "target_countries",
}


@pytest.fixture
async def rest(tmp_path: Path) -> AsyncIterator[RestHub]:
    hub = await start_rest_hub(
        tmp_path / "data",
        services=SERVICES,
        settings_overrides={"store_target_countries": "US,CA", "return_window_days": 45},
    )
    try:
        await eventually(lambda: _feed_size(hub), within=30)
        yield hub
    finally:
        await stop_rest_hub(hub)


def agent(rest: RestHub) -> pb_grpc.AcpTransformationServiceStub:
    return pb_grpc.AcpTransformationServiceStub(rest.hub.channel)


async def _feed_size(rest: RestHub) -> bool:
    answer = await agent(rest).ExportFeed(pb.ExportFeedRequest(page_size=1), metadata=staff(rest.hub))
    return bool(answer.valid_items + answer.invalid_items == DEMO_PRODUCTS)


async def feed_lines(rest: RestHub, **params: Any) -> list[dict[str, Any]]:
    answer = await rest.http.get(LINES, params=params, headers=rest.bearer("staff", "staff-sam"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/jsonl")
    return [json.loads(line) for line in answer.text.splitlines()]


async def line_of(rest: RestHub, product_id: str) -> dict[str, Any] | None:
    """The product's line in the JSON Lines feed, invalid items included."""
    lines = await feed_lines(rest, page_size=1000, include_invalid="true")
    return next((line for line in lines if line["item_id"] == product_id), None)


async def test_the_backfilled_feed_holds_every_product_with_live_stock_and_the_store_terms(rest: RestHub) -> None:
    answer = await agent(rest).ExportFeed(pb.ExportFeedRequest(page_size=5), metadata=staff(rest.hub))
    assert answer.valid_items == DEMO_PRODUCTS and answer.invalid_items == 0
    assert answer.spec_version and answer.next_page_token
    ids = [e.item.item_id for e in answer.entries]
    assert ids == sorted(ids)
    entry = answer.entries[0]
    item = entry.item
    assert entry.valid
    assert item.availability == pb.ACP_AVAILABILITY_IN_STOCK and item.inventory_quantity > 0
    assert item.is_eligible_search and item.is_eligible_checkout
    assert item.url.endswith(f"/products/{item.item_id}") and item.seller_url and item.return_policy
    assert (item.return_window_days, item.store_country, list(item.target_countries)) == (45, "US", ["US", "CA"])
    assert item.price.amount_minor > 0 and item.price.currency_code == "USD"
    assert item.product_category
    # ToAcpItem reads the same product live and agrees.
    live = await agent(rest).ToAcpItem(pb.ToAcpItemRequest(product_id=item.item_id), metadata=staff(rest.hub))
    assert live.entry == entry
    assert live.explanation.freshness.sources and {d.name for d in live.explanation.drivers} >= {
        "price",
        "inventory_quantity",
        "required_field_errors",
    }
    # The next page follows on without a repeat.
    following = await agent(rest).ExportFeed(
        pb.ExportFeedRequest(page_size=5, page_token=answer.next_page_token), metadata=staff(rest.hub)
    )
    assert following.entries[0].item.item_id > ids[-1]


async def test_json_lines_pages_by_item_id_through_the_whole_feed(rest: RestHub) -> None:
    seen: list[str] = []
    after = ""
    while True:
        params: dict[str, Any] = {"page_size": 150}
        if after:
            params["start_after"] = after
        lines = await feed_lines(rest, **params)
        if not lines:
            break
        assert all(set(line) == REQUIRED for line in lines)
        seen.extend(line["item_id"] for line in lines)
        after = lines[-1]["item_id"]
    assert len(seen) == len(set(seen)) == DEMO_PRODUCTS and seen == sorted(seen)
    first = (await feed_lines(rest, page_size=1))[0]
    assert first["availability"] == "in_stock" and first["price"].endswith(" USD")
    assert first["return_window"] == 45 and first["target_countries"] == ["US", "CA"]
    assert " > " in first["product_category"] or first["product_category"]
    # Staff only; a malformed request is a 400 naming the field.
    assert (await rest.http.get(LINES, headers=rest.bearer("customer", "rae"))).status_code == 403
    assert (await rest.http.get(FEED, headers=rest.bearer("customer", "rae"))).status_code == 403
    assert (await rest.http.get(LINES)).status_code == 401
    bad = await rest.http.get(LINES, params={"page_size": 1001}, headers=rest.bearer("staff", "staff-sam"))
    assert bad.status_code == 400 and "page_size" in bad.text
    page = ok(await rest.http.get(FEED, params={"page_size": 2}, headers=rest.bearer("staff", "staff-sam")))
    assert len(page["entries"]) == 2 and page["valid_items"] == DEMO_PRODUCTS


async def test_a_product_or_stock_change_reaches_the_feed_within_two_seconds(rest: RestHub) -> None:
    product_id = (await feed_lines(rest, page_size=1))[0]["item_id"]
    headers = rest.bearer("staff", "staff-sam")
    changed = ok(
        await rest.http.patch(
            f"/api/staff/products/{product_id}", json={"name": "Approved Festive Title", "price": 12.5}, headers=headers
        )
    )
    assert changed["name"] == "Approved Festive Title"

    async def renamed() -> bool:
        line = await line_of(rest, product_id)
        return line is not None and line["title"] == "Approved Festive Title" and line["price"] == "12.50 USD"

    await eventually(renamed, within=2.0)

    await stock_up(rest.hub, [product_id], 0)

    async def sold_out() -> bool:
        line = await line_of(rest, product_id)
        return line is not None and line["availability"] == "out_of_stock"

    await eventually(sold_out, within=2.0)
    line = await line_of(rest, product_id)
    assert line is not None and line["inventory_quantity"] == 0 and line["is_eligible_checkout"] is False
    assert line["is_eligible_search"] is True

    archived = await rest.http.post(f"/api/staff/products/{product_id}:archive", json={}, headers=headers)
    assert archived.status_code == 200, archived.text

    async def withdrawn() -> bool:
        line = await line_of(rest, product_id)
        return line is not None and line["is_eligible_search"] is False

    await eventually(withdrawn, within=2.0)
    answer = await agent(rest).ExportFeed(pb.ExportFeedRequest(page_size=1), metadata=staff(rest.hub))
    assert answer.explanation.freshness.HasField("data_as_of")


async def test_a_sku_taking_backorders_is_a_preorder_when_sold_out(rest: RestHub) -> None:
    backorder = "WNT-4358"  # the reservation policy gives it backorder terms
    await stock_up(rest.hub, [backorder], 0)
    live = await agent(rest).ToAcpItem(pb.ToAcpItemRequest(product_id=backorder), metadata=staff(rest.hub))
    assert live.entry.item.availability == pb.ACP_AVAILABILITY_PREORDER
    assert live.entry.item.is_eligible_search and not live.entry.item.is_eligible_checkout and live.entry.valid

    async def preordered() -> bool:
        line = await line_of(rest, backorder)
        return line is not None and line["availability"] == "preorder"

    await eventually(preordered, within=2.0)


async def test_an_item_missing_required_fields_is_kept_out_with_its_reasons(rest: RestHub) -> None:
    catalog = catalog_grpc.CatalogServiceStub(rest.hub.channel)
    category = (await catalog.ListCategories(catalog_pb.ListCategoriesRequest(page_size=1))).categories[0]
    bare = await catalog.CreateProduct(
        catalog_pb.CreateProductRequest(product_id="BARE-0001", name="Bare Item", price=9.99, category_id=category.id),
        metadata=staff(rest.hub),
    )
    answer = await agent(rest).ToAcpItem(pb.ToAcpItemRequest(product_id=bare.id), metadata=staff(rest.hub))
    assert not answer.entry.valid
    reasons = {(i.field, i.reason) for i in answer.entry.issues}
    assert {("description", "required, empty"), ("brand", "required, empty"), ("image_url", "required, empty")} <= (
        reasons
    )
    assert "kept out of the feed" in answer.explanation.summary

    async def counted() -> bool:
        page = await agent(rest).ExportFeed(pb.ExportFeedRequest(page_size=1000), metadata=staff(rest.hub))
        return bool(page.invalid_items == 1)

    await eventually(counted, within=5)
    valid_only = await agent(rest).ExportFeed(pb.ExportFeedRequest(page_size=1000), metadata=staff(rest.hub))
    assert bare.id not in {e.item.item_id for e in valid_only.entries}
    everything = await agent(rest).ExportFeed(
        pb.ExportFeedRequest(page_size=1000, include_invalid=True), metadata=staff(rest.hub)
    )
    flagged = next(e for e in everything.entries if e.item.item_id == bare.id)
    assert not flagged.valid and flagged.issues == answer.entry.issues
    assert any(d.name == "missing_brand" and d.value == 1 for d in valid_only.explanation.drivers)
    assert bare.id not in {line["item_id"] for line in await feed_lines(rest, page_size=1000)}


async def test_the_feed_rebuilds_from_the_log_and_the_services_into_the_same_documents(rest: RestHub) -> None:
    hub = rest.hub
    catalog = catalog_grpc.CatalogServiceStub(hub.channel)
    page = await catalog.ListProducts(catalog_pb.ListProductsRequest(limit=3))
    touched = [p.id for p in page.products]
    for n, product_id in enumerate(touched):
        await catalog.UpdateProduct(
            catalog_pb.UpdateProductRequest(product_id=product_id, name=f"Renamed {n}"), metadata=staff(hub)
        )
    await stock_up(hub, touched, 7)
    bus = hub.platform.deps.bus
    assert bus is not None

    async def caught_up() -> bool:
        return sum(lag.events for lag in await bus.lag(GROUP)) == 0

    await eventually(caught_up, within=20)
    container = await CONTAINER.open(hub.platform.deps.store)
    feed = FeedProjection(container)

    async def stock_applied() -> bool:
        docs = [await feed.one(p) for p in touched]
        return all(d is not None and d["stock"]["on_hand"] == 7 for d in docs)

    await eventually(stock_applied, within=10)
    docs_before = {p: await feed.one(p) for p in touched}
    request = pb.ExportFeedRequest(page_size=1000, include_invalid=True)
    before = await agent(rest).ExportFeed(request, metadata=staff(hub))

    for doc in (await container.query(Query(), max_items=10_000)).items:
        await container.delete(doc["id"], doc["item_id"])
    await bus.reset(GROUP)
    await eventually(caught_up, within=20)
    await eventually(stock_applied, within=10)
    assert {p: await feed.one(p) for p in touched} == docs_before  # event-fed documents: replayed as they were
    reader = ServiceReader(hub.platform.deps.channels, hub.platform.deps.service_credentials)
    inventory = InventoryClient(hub.platform.deps.channels, hub.platform.deps.service_credentials)
    assert await backfill_from_services(feed, reader, inventory) > 0  # seeded stock had no events
    after = await agent(rest).ExportFeed(request, metadata=staff(hub))
    # A second replay onto the documents and a second backfill change nothing.
    await bus.reset(GROUP)
    await eventually(caught_up, within=20)
    assert await backfill_from_services(feed, reader, inventory) == 0
    for answer in (before, after):
        answer.explanation.ClearField("freshness")
    assert after == before


async def test_every_refusal_of_the_feed_rpcs(rest: RestHub) -> None:
    hub = rest.hub
    stub = agent(rest)
    await expect_error(stub.ExportFeed(pb.ExportFeedRequest()), grpc.StatusCode.UNAUTHENTICATED)
    await expect_error(
        stub.ToAcpItem(pb.ToAcpItemRequest(product_id="NOPE-0000"), metadata=hub.auth("customer", "rae")),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    await expect_error(
        stub.ToAcpItem(pb.ToAcpItemRequest(product_id="NOPE-0000"), metadata=staff(hub)), grpc.StatusCode.NOT_FOUND
    )
    error = await expect_error(
        stub.ToAcpItem(pb.ToAcpItemRequest(product_id="a/b"), metadata=staff(hub)), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert set(violated_fields(error)) == {"product_id"}
    error = await expect_error(
        stub.ExportFeed(pb.ExportFeedRequest(page_size=1001, page_token="nope"), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"page_size", "page_token"}
    first = await stub.ExportFeed(pb.ExportFeedRequest(page_size=2), metadata=staff(hub))
    error = await expect_error(
        stub.ExportFeed(pb.ExportFeedRequest(page_size=3, page_token=first.next_page_token), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"page_token"}
    error = await expect_error(
        stub.ExportFeedLines(pb.ExportFeedLinesRequest(page_size=-1, start_after="a b"), metadata=staff(hub)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"page_size", "start_after"}
