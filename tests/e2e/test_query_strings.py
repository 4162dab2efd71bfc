"""Query strings as browsers and HTTP client libraries write them, through the real gateway and the
real catalog: a space may come as "+" or "%20" and reads the same either way."""

from __future__ import annotations

import pytest

from tests.support.rest_harness import RestHub
from tests.support.rest_json import answer

pytestmark = pytest.mark.integration


async def test_a_plus_in_a_search_is_a_space_as_browsers_send_it(rest_either: RestHub) -> None:
    http = rest_either.http
    spaced = answer(await http.get("/api/products?search=dutch%20oven&limit=100"), 200)["products"]
    assert any("dutch oven" in p["name"].lower() for p in spaced), [p["name"] for p in spaced]
    plus = answer(await http.get("/api/products?search=dutch+oven&limit=100"), 200)["products"]
    assert [p["id"] for p in plus] == [p["id"] for p in spaced]
    # A client library encoding a space as "+" (httpx does, as HTML forms do) finds the same.
    library = await http.get("/api/products", params={"search": "dutch oven", "limit": 100})
    assert b"search=dutch+oven" in library.request.url.query
    assert [p["id"] for p in answer(library, 200)["products"]] == [p["id"] for p in spaced]
