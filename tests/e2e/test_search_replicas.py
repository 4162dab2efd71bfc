"""Whichever worker of `hph up --workers 2` answers, search finds a product renamed through REST
under its new name (each REST request on a new connection, which the kernel hands to either
worker's listener on the shared port). As shipped, both workers forward search to the agents'
process, which keeps the one index; with the agents in the first worker
(HPH_AGENTS_BACKGROUND_COHOSTED=true) every worker keeps an index of its own, following a
per-replica consumer group (before it did, the second worker's index stayed as it was built at
start)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hph.runtime.auth.dev_issuer import DevIssuer
from hph.runtime.settings import DEFAULT_AUDIENCE
from tests.support.hph_process import rest_port, start_hph, stop_hph
from tests.support.tokens import signed_bearer
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

# Fresh connections in a row that must all find the new name (both workers answer among them).
REQUESTS = 24


@pytest.fixture(params=["agents' process", "agents in the first worker"])
def two_workers(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path / "data"
    cohosted = request.param == "agents in the first worker"
    env = {"HPH_AGENTS_BACKGROUND_COHOSTED": "true" if cohosted else "false"}
    process, banner = start_hph(data_dir, "--workers", "2", env=env)
    try:
        assert "REST" in banner, banner
        yield f"http://127.0.0.1:{rest_port(banner)}", data_dir
        assert stop_hph(process) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def search_once(base: str, query: str) -> list[str]:
    """One search on a connection of its own; the product ids found ([] while an index is built)."""
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        answer = await http.get("/api/search", params={"q": query})
    if answer.status_code != 200:
        return []
    return [hit["product_id"] for hit in answer.json()["hits"]]


async def test_a_renamed_product_is_found_by_every_worker(two_workers: tuple[str, Path]) -> None:
    base, data_dir = two_workers
    staff = {"authorization": signed_bearer(DevIssuer(data_dir, audience=DEFAULT_AUDIENCE), "staff", "staff-sam")}
    word = f"zephyr{uuid.uuid4().hex[:6]}"

    # Both indexes are built.
    await eventually(lambda: _built(base), within=60, pause=0.2)
    product = (await search_once(base, "lights"))[0]

    async def every_worker_finds(query: str) -> bool:
        for _ in range(REQUESTS):
            if product not in await search_once(base, query):
                return False
        return True

    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        renamed = await http.patch(f"/api/staff/products/{product}", json={"name": f"Lantern {word}"}, headers=staff)
    assert renamed.status_code == 200, renamed.text

    await eventually(lambda: every_worker_finds(word), within=15, pause=0.1)


async def _built(base: str) -> bool:
    """Every worker answers searches (its index is built)."""
    for _ in range(REQUESTS):
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            if (await http.get("/api/search", params={"q": "lights"})).status_code != 200:
                return False
    return True
