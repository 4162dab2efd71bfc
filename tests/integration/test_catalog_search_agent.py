"""The catalog-search agent on a real platform over gRPC: built from the services, current from their
events, explaining its answers, and the catalog's `ListProducts(search=)` through it, falling back
(flagged) when the agent is not hosted or too slow."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from holidaypeak.agents.v1 import catalog_search_service_pb2 as pb
from holidaypeak.agents.v1 import catalog_search_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import catalog_service_pb2 as catalog_pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as catalog_grpc
from holidaypeak.commerce.v1 import inventory_service_pb2 as inventory_pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as inventory_grpc
from hph.host import evaluate
from hph.host.app import SERVICE_NAMES
from tests.support.platform_harness import Hub, running_hub
from tests.support.ports import free_port
from tests.support.rich_status import expect_error, violated_fields
from tests.support.waiting import eventually

HUB_SERVICES = (*SERVICE_NAMES, "catalog-search")


async def search_ready(hub: Hub) -> pb_grpc.CatalogSearchServiceStub:
    """The agent's stub once its first index build is done (it builds in the background)."""
    stub = pb_grpc.CatalogSearchServiceStub(hub.channel)

    async def ready() -> bool:
        try:
            await stub.Search(pb.SearchRequest(q="gift", page_size=1))
        except grpc.aio.AioRpcError as exc:
            assert exc.code() == grpc.StatusCode.UNAVAILABLE, exc.details()
            return False
        return True

    await eventually(ready, within=30)
    return stub


def staff(hub: Hub) -> Any:
    return hub.auth("staff", "staff-sam")


async def test_xmas_lites_in_stock_finds_the_christmas_string_lights_with_facets_and_reasons(hub: Hub) -> None:
    stub = await search_ready(hub)
    answer = await stub.Search(pb.SearchRequest(q="xmas lites", in_stock=True, page_size=10))
    assert answer.hits and answer.total_size >= len(answer.hits)
    assert {hit.category_id for hit in answer.hits} == {"string-lights"}
    assert all(hit.in_stock for hit in answer.hits)
    assert answer.interpretation.effective == "christmas lights"
    assert [r.kind for r in answer.interpretation.rewrites] == [pb.REWRITE_KIND_SYNONYM, pb.REWRITE_KIND_SYNONYM]
    facets = {facet.name: facet for facet in answer.facets}
    assert set(facets) == {"category", "brand", "price", "availability"}
    assert {v.value for v in facets["category"].values} >= {"string-lights", "home-holiday-decor"}
    assert sum(v.count for v in facets["brand"].values) == answer.total_size
    assert [v.value for v in facets["availability"].values if v.selected] == ["in_stock"]
    hit = answer.hits[0]
    assert [d.name for d in hit.drivers] == ["bm25", "in_stock_boost"]  # the boosts that applied
    assert "name" in hit.matched_fields
    explanation = answer.explanation
    assert explanation.method == "bm25-tantivy-v1"
    assert "rewritten" in explanation.summary and "'xmas' -> 'christmas'" in explanation.summary
    assert {"rewrite_synonym", "matches", "in_stock_boost"} <= {d.name for d in explanation.drivers}
    assert "projection:search-index" in explanation.freshness.sources
    assert "rpc:CatalogService.ListProducts" in explanation.freshness.sources
    assert explanation.freshness.HasField("data_as_of") and not explanation.freshness.degraded


async def test_pages_cover_the_results_once_and_a_token_is_bound_to_its_query(hub: Hub) -> None:
    stub = await search_ready(hub)
    seen: list[str] = []
    token = ""
    while True:
        page = await stub.Search(pb.SearchRequest(q="ornament", page_size=6, page_token=token))
        seen += [hit.product_id for hit in page.hits]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) == page.total_size
    first = await stub.Search(pb.SearchRequest(q="ornament", page_size=6))
    error = await expect_error(
        stub.Search(pb.SearchRequest(q="wreath", page_size=6, page_token=first.next_page_token)),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert list(violated_fields(error)) == ["page_token"]


async def test_bad_requests_name_their_fields(hub: Hub) -> None:
    stub = await search_ready(hub)
    error = await expect_error(
        stub.Search(pb.SearchRequest(q="x" * 201, page_size=500, min_price=50, max_price=10, category="Not Valid")),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) == {"q", "page_size", "max_price", "category"}
    error = await expect_error(stub.Suggest(pb.SuggestRequest(prefix="")), grpc.StatusCode.INVALID_ARGUMENT)
    assert list(violated_fields(error)) == ["prefix"]


async def test_suggest_completes_a_prefix(hub: Hub) -> None:
    stub = await search_ready(hub)
    answer = await stub.Suggest(pb.SuggestRequest(prefix="wrea", limit=5))
    assert answer.suggestions[0].kind == pb.SUGGESTION_KIND_CATEGORY
    assert answer.suggestions[0].id == "wreaths-garlands"
    assert len(answer.suggestions) == 5
    assert answer.explanation.freshness.HasField("computed_at")


async def test_a_product_change_is_searchable_shortly_after_and_an_archived_one_is_gone(hub: Hub) -> None:
    stub = await search_ready(hub)
    catalog = catalog_grpc.CatalogServiceStub(hub.channel)
    product = (await catalog.ListProducts(catalog_pb.ListProductsRequest(limit=1))).products[0]
    await catalog.UpdateProduct(
        catalog_pb.UpdateProductRequest(product_id=product.id, name="Zanzibar Musical Snow Globe"),
        metadata=staff(hub),
    )

    async def found(word: str) -> list[str]:
        return [hit.product_id for hit in (await stub.Search(pb.SearchRequest(q=word))).hits]

    async def renamed_is_found() -> bool:
        return await found("zanzibar") == [product.id]

    await eventually(renamed_is_found, within=2)
    answer = await stub.Search(pb.SearchRequest(q="zanzibar"))
    assert answer.explanation.freshness.data_as_of.ToDatetime() >= product.updated_at.ToDatetime()
    await catalog.ArchiveProduct(catalog_pb.ArchiveProductRequest(product_id=product.id), metadata=staff(hub))

    async def archived_is_gone() -> bool:
        return await found("zanzibar") == []

    await eventually(archived_is_gone, within=2)


async def test_a_stock_out_leaves_the_in_stock_results_shortly_after(hub: Hub) -> None:
    stub = await search_ready(hub)
    in_stock = await stub.Search(pb.SearchRequest(q="dutch oven", in_stock=True))
    sku = in_stock.hits[0].product_id
    inventory = inventory_grpc.InventoryServiceStub(hub.channel)
    await inventory.UpdateInventoryItem(
        inventory_pb.UpdateInventoryItemRequest(sku=sku, quantity_on_hand=0, reason="count correction"),
        metadata=staff(hub),
    )

    async def gone_from_in_stock() -> bool:
        answer = await stub.Search(pb.SearchRequest(q="dutch oven", in_stock=True))
        return sku not in {hit.product_id for hit in answer.hits}

    await eventually(gone_from_in_stock, within=2)
    everything = await stub.Search(pb.SearchRequest(q="dutch oven"))
    assert sku in {hit.product_id for hit in everything.hits if not hit.in_stock}


async def test_list_products_search_is_ranked_by_the_agent(hub: Hub) -> None:
    await search_ready(hub)
    catalog = catalog_grpc.CatalogServiceStub(hub.channel)
    page = await catalog.ListProducts(catalog_pb.ListProductsRequest(search="xmas lites", limit=5))
    assert not page.search_fallback
    assert page.products and {p.category_id for p in page.products} == {"string-lights"}
    following = await catalog.ListProducts(
        catalog_pb.ListProductsRequest(search="xmas lites", limit=5, page_token=page.next_page_token)
    )
    assert not following.search_fallback
    assert not {p.id for p in page.products} & {p.id for p in following.products}


async def test_the_search_quality_of_the_running_agent_meets_the_floors(hub: Hub) -> None:
    await search_ready(hub)
    report = await evaluate.evaluate_platform(hub.address)
    assert report.overall.queries >= 60
    assert evaluate.below_floors(report.overall) == [], evaluate.render(report, per_query=True)


async def test_without_the_agent_list_products_falls_back_to_word_matching_and_says_so(tmp_path: Path) -> None:
    async with running_hub(tmp_path / "data", services=("catalog", "inventory"), seed=True) as hub:
        catalog = catalog_grpc.CatalogServiceStub(hub.channel)
        page = await catalog.ListProducts(catalog_pb.ListProductsRequest(search="lights", limit=5))
        assert page.search_fallback
        assert page.products and all("light" in p.name.lower() or "lights" in p.tags for p in page.products)
        unflagged = await catalog.ListProducts(catalog_pb.ListProductsRequest(limit=5))
        assert not unflagged.search_fallback


class SlowSearch(pb_grpc.CatalogSearchServiceServicer):
    """An agent that answers too late."""

    async def Search(self, request: pb.SearchRequest, context: Any) -> pb.SearchResponse:
        await asyncio.sleep(5)
        return pb.SearchResponse()


@pytest.fixture
async def slow_agent() -> AsyncIterator[str]:
    server = grpc.aio.server()
    pb_grpc.add_CatalogSearchServiceServicer_to_server(SlowSearch(), server)
    port = free_port()
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(0)


async def test_a_slow_agent_costs_at_most_its_deadline_then_the_catalog_falls_back(
    tmp_path: Path, slow_agent: str
) -> None:
    overrides = {"service_addresses": f"catalog-search={slow_agent}", "search_agent_deadline_seconds": 0.2}
    async with running_hub(
        tmp_path / "data", services=("catalog", "inventory"), seed=True, settings_overrides=overrides
    ) as hub:
        catalog = catalog_grpc.CatalogServiceStub(hub.channel)
        started = time.perf_counter()
        page = await catalog.ListProducts(catalog_pb.ListProductsRequest(search="lights", limit=5))
        elapsed = time.perf_counter() - started
        assert page.search_fallback and page.products
        assert elapsed < 1.5
