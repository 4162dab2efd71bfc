"""The catalog's hot cache shared in Redis (HPH_HOT_CACHE=redis) by two hosts: a product changed
through one host is not served stale by the other beyond the documented bound.

The two hosts are two platforms in this process on one data dir (the same SQLite store, as the
workers of `hph up` share it, standing in for a store the hosts share) and one Redis: the event
log on Redis Streams (the real event path: outbox, relay, each host's per-replica consumer group)
and the cache, each under key prefixes of the test's own. Each host has its own local copy (L1).
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from holidaypeak.commerce.v1 import catalog_service_pb2 as pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as pb_grpc
from tests.support.platform_harness import Hub, start_hub, stop_hub
from tests.support.redis_server import running_redis_server
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

PRODUCT = "CSH-1001"


def catalog(hub: Hub) -> pb_grpc.CatalogServiceStub:
    return pb_grpc.CatalogServiceStub(hub.channel)


@dataclass
class TwoHosts:
    a: Hub
    b: Hub
    cache_prefix: str

    async def caught_up(self) -> None:
        for hub in (self.a, self.b):
            bus = hub.platform.deps.bus
            assert bus is not None
            await bus.wait_until_caught_up()

    async def name_on(self, hub: Hub) -> str:
        product = await catalog(hub).GetProduct(pb.GetProductRequest(product_id=PRODUCT))
        return product.name

    async def names_listed_on(self, hub: Hub) -> list[str]:
        page = await catalog(hub).ListProducts(pb.ListProductsRequest(limit=10))
        return [product.name for product in page.products]

    async def rename(self, name: str) -> None:
        staff = self.a.auth("staff", "staff-sam")
        current = await catalog(self.a).GetProduct(pb.GetProductRequest(product_id=PRODUCT))
        request = pb.UpdateProductRequest(product_id=PRODUCT, name=name, etag=current.etag)
        await catalog(self.a).UpdateProduct(request, metadata=staff)


async def _two_hosts(tmp_path: Path, redis_url: str, *, local_seconds: float) -> AsyncIterator[TwoHosts]:
    tag = uuid.uuid4().hex[:12]
    overrides: dict[str, Any] = {
        "event_log": "redis",
        "redis_url": redis_url,
        "redis_key_prefix": f"test-{tag}:eventlog:",
        "memory_redis_prefix": f"test-{tag}:memory:",
        "hot_cache": "redis",
        "cache_redis_prefix": f"test-{tag}:cache:",
        "cache_local_seconds": local_seconds,
        # Long enough that only a drop (the writer's, or a product event's) can refresh an entry here.
        "catalog_cache_seconds": 120.0,
        "consumer_poll_seconds": 0.05,
    }
    a = await start_hub(tmp_path, services=["catalog"], seed=False, settings_overrides=overrides)
    try:
        b = await start_hub(tmp_path, services=["catalog"], seed=False, settings_overrides=overrides)
        try:
            staff = a.auth("staff", "staff-sam")
            await catalog(a).CreateCategory(
                pb.CreateCategoryRequest(category_id="cache-test", name="Cache"), metadata=staff
            )
            await catalog(a).CreateProduct(
                pb.CreateProductRequest(
                    product_id=PRODUCT,
                    name="Original",
                    price=10.0,
                    category_id="cache-test",
                    request_id=uuid.uuid4().hex,
                ),
                metadata=staff,
            )
            hosts = TwoHosts(a, b, overrides["cache_redis_prefix"])
            await hosts.caught_up()  # the creation's events have dropped what they drop
            yield hosts
        finally:
            await stop_hub(b)
    finally:
        await stop_hub(a)


@pytest.fixture
async def hosts_with_local_copies(tmp_path: Path, redis_url: str) -> AsyncIterator[TwoHosts]:
    # Local copies outliving the test: only a product event can drop host B's.
    async for hosts in _two_hosts(tmp_path, redis_url, local_seconds=60.0):
        yield hosts


@pytest.fixture
async def hosts_without_local_copies(tmp_path: Path, redis_url: str) -> AsyncIterator[TwoHosts]:
    async for hosts in _two_hosts(tmp_path, redis_url, local_seconds=0.0):
        yield hosts


async def test_a_change_on_one_host_reaches_the_other_hosts_local_copy_by_its_product_event(
    hosts_with_local_copies: TwoHosts,
) -> None:
    hosts = hosts_with_local_copies
    assert await hosts.name_on(hosts.b) == "Original"
    assert await hosts.names_listed_on(hosts.b) == ["Original"]
    await hosts.rename("Renamed")
    changed_at = time.monotonic()
    assert await hosts.name_on(hosts.a) == "Renamed"  # the writer's own copies went with the write

    async def b_serves_the_change() -> bool:
        return await hosts.name_on(hosts.b) == "Renamed" and await hosts.names_listed_on(hosts.b) == ["Renamed"]

    await eventually(b_serves_the_change, within=10.0)
    # The event path's latency: relay on commit, a consumer poll (50 ms here), the drop.
    assert time.monotonic() - changed_at < 5.0


async def test_without_local_copies_the_other_host_serves_the_change_at_once_from_redis(
    hosts_without_local_copies: TwoHosts, redis_url: str
) -> None:
    hosts = hosts_without_local_copies
    assert await hosts.name_on(hosts.a) == "Original"
    client = aioredis.Redis.from_url(redis_url)
    try:
        cached = f"{hosts.cache_prefix}catalog-products:v:{PRODUCT}"
        assert await client.exists(cached), "the read through host A left one shared copy in Redis"
        assert await hosts.name_on(hosts.b) == "Original"  # served from that copy
        await hosts.rename("Renamed")
        assert not await client.exists(cached), "the writer dropped the shared copy before answering"
    finally:
        await client.aclose()
    assert await hosts.name_on(hosts.b) == "Renamed"  # no waiting: nothing stale was left anywhere
    assert await hosts.names_listed_on(hosts.b) == ["Renamed"]


async def test_with_redis_gone_reads_go_to_storage_counted_and_the_cache_comes_back_with_it(tmp_path: Path) -> None:
    server = running_redis_server(tmp_path / "redis")
    url = server.__enter__()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    try:
        overrides = {"hot_cache": "redis", "redis_url": url, "cache_local_seconds": 0.0, "catalog_cache_seconds": 60.0}
        hub = await start_hub(tmp_path / "hub", services=["catalog"], seed=False, settings_overrides=overrides)
    except BaseException:
        server.__exit__(None, None, None)
        raise
    # Started again on the same port before the hub stops: the memory tier (also in this Redis)
    # needs it to stop cleanly.
    with contextlib.ExitStack() as restarted:
        try:
            staff = hub.auth("staff", "staff-sam")
            await catalog(hub).CreateCategory(
                pb.CreateCategoryRequest(category_id="cache-test", name="Cache"), metadata=staff
            )
            await catalog(hub).CreateProduct(
                pb.CreateProductRequest(
                    product_id=PRODUCT,
                    name="Original",
                    price=10.0,
                    category_id="cache-test",
                    request_id=uuid.uuid4().hex,
                ),
                metadata=staff,
            )
            caches = hub.platform.deps.caches
            assert caches.redis_failures == 0
            server.__exit__(None, None, None)
            product = await catalog(hub).GetProduct(pb.GetProductRequest(product_id=PRODUCT))
            assert product.name == "Original"  # served from storage
            assert caches.redis_failures >= 1
            restarted.enter_context(running_redis_server(tmp_path / "redis-again", port=port))
            client = aioredis.Redis.from_url(url)
            try:

                async def cached_again() -> bool:
                    await catalog(hub).GetProduct(pb.GetProductRequest(product_id=PRODUCT))
                    return bool(await client.exists(f"hph:cache:catalog-products:v:{PRODUCT}"))

                await eventually(cached_again, within=5.0, pause=0.2)  # after the second left alone
            finally:
                await client.aclose()
        finally:
            await stop_hub(hub)
