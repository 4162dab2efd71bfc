"""Search through the REST gateway: `GET /api/search` (filters, facets, explanation) and
`GET /api/search/suggest` served by the catalog-search agent, and `GET /api/products?search=` ranked
by it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hph.host.app import SERVICE_NAMES
from tests.support.rest_harness import RestHub, start_rest_hub, stop_rest_hub
from tests.support.waiting import eventually


@pytest.fixture
async def rest(tmp_path: Path) -> AsyncIterator[RestHub]:
    running = await start_rest_hub(tmp_path / "data", services=(*SERVICE_NAMES, "catalog-search"))
    try:

        async def ready() -> bool:
            return (await running.http.get("/api/search", params={"q": "gift"})).status_code == 200

        await eventually(ready, within=30)
        yield running
    finally:
        await stop_rest_hub(running)


async def test_xmas_lites_in_stock_finds_christmas_lights_with_facets(rest: RestHub) -> None:
    answer = await rest.http.get("/api/search?q=xmas%20lites&in_stock=true")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["hits"] and {hit["category_id"] for hit in body["hits"]} == {"string-lights"}
    assert all(hit["in_stock"] for hit in body["hits"])
    assert {facet["name"] for facet in body["facets"]} == {"category", "brand", "price", "availability"}
    assert body["interpretation"]["effective"] == "christmas lights"
    assert body["explanation"]["freshness"]["sources"][0] == "projection:search-index"


async def test_filters_and_price_words_narrow_the_hits(rest: RestHub) -> None:
    # Spaces as %20: a "+" for a space is the gateway's to decode (issue #11's "Also"), not search's.
    answer = await rest.http.get(
        "/api/search?q=lights%20under%20%2430&brand=Aurora&brand=Glowmere&category=home-holiday-decor"
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["hits"]
    assert all(hit["price"] <= 29.99 and hit["brand"] in ("Aurora", "Glowmere") for hit in body["hits"])
    assert body["interpretation"]["max_price"] == 29.99


async def test_suggest_and_bad_parameters(rest: RestHub) -> None:
    answer = await rest.http.get("/api/search/suggest", params={"prefix": "aur", "limit": 3})
    assert answer.status_code == 200, answer.text
    assert answer.json()["suggestions"][0] == {
        "text": "Aurora",
        "kind": "SUGGESTION_KIND_BRAND",
        "id": "Aurora",
        "product_count": answer.json()["suggestions"][0]["product_count"],
    }
    refused = await rest.http.get("/api/search", params={"q": "lights", "page_size": 1000})
    assert refused.status_code == 400


async def test_products_search_goes_through_the_agent(rest: RestHub) -> None:
    answer = await rest.http.get("/api/products?search=xmas%20lites&limit=5")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["products"] and not body.get("search_fallback", False)
    assert {p["category_id"] for p in body["products"]} == {"string-lights"}


async def test_a_product_change_is_never_answered_stale_once_searchable(rest: RestHub) -> None:
    """Hot answers are cached twice on the way out (the agent's answers per index commit, the
    gateway's JSON per answer bytes): a renamed product must still show its new name in both reads
    as soon as the index has it, and never its old one after that."""

    async def search_names() -> list[str]:
        body = (await rest.http.get("/api/search", params={"q": "gift", "page_size": 50})).json()
        return [hit["name"] for hit in body["hits"]]

    async def products_names() -> list[str]:
        body = (await rest.http.get("/api/products", params={"search": "gift", "limit": 50})).json()
        assert not body.get("search_fallback", False)
        return [product["name"] for product in body["products"]]

    for _ in range(3):  # hot: both answers are now kept by the agent and by the gateway
        before, listed = await search_names(), await products_names()
    top = (await rest.http.get("/api/search", params={"q": "gift", "page_size": 1})).json()["hits"][0]
    renamed = f"{top['name']} Deluxe"
    staff = rest.bearer("staff", "staff-sam")
    patched = await rest.http.patch(f"/api/staff/products/{top['product_id']}", json={"name": renamed}, headers=staff)
    assert patched.status_code == 200, patched.text
    assert renamed not in before and renamed not in listed

    async def search_has_it() -> bool:
        return renamed in await search_names()

    await eventually(search_has_it, within=5)
    for _ in range(3):  # once searchable, every later answer has it
        assert renamed in await search_names()
        assert top["name"] not in await search_names()

    async def products_have_it() -> bool:
        return renamed in await products_names()

    # The catalog's own product cache lags its other replicas by at most HPH_CATALOG_CACHE_SECONDS.
    await eventually(products_have_it, within=5)
