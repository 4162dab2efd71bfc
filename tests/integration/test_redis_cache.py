"""RedisCache on a real Redis: one copy for every instance (host), drops reaching all of them, a load
racing a drop never storing what it read before, single flight, and the local copy's bound."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import redis.asyncio as aioredis

from hph.runtime.redis_cache import Codec, RedisCache
from hph.runtime.redis_client import RedisOutage, request_path_client

pytestmark = pytest.mark.integration

TEXT: Codec[str] = Codec(str.encode, bytes.decode)
Opener = Callable[..., RedisCache[str]]


@pytest.fixture
async def hosts(redis_url: str) -> AsyncIterator[Opener]:
    """Opens caches ("hosts") of one name on a key prefix of the test's own."""
    prefix = f"test-{uuid.uuid4().hex[:12]}:cache:"
    clients: list[aioredis.Redis] = []

    def open_cache(*, local_seconds: float = 0.0, ttl_seconds: float = 60.0) -> RedisCache[str]:
        client = request_path_client(redis_url, 1.0)
        clients.append(client)
        outage = RedisOutage(logging.getLogger("test"), "test cache", total_field="test_total")
        return RedisCache(
            client,
            "things",
            TEXT,
            ttl_seconds=ttl_seconds,
            local_seconds=local_seconds,
            key_prefix=prefix,
            outage=outage,
        )

    yield open_cache
    for client in clients:
        await client.aclose()


class Source:
    """The source of truth the caches load from, counting loads."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {"k": "v1"}
        self.loads = 0

    def loader(self, key: str) -> Callable[[], Awaitable[str]]:
        async def load() -> str:
            self.loads += 1
            await asyncio.sleep(0)
            return self.values[key]

        return load


async def test_one_copy_serves_every_host_and_a_drop_reaches_them_all(hosts: Opener) -> None:
    a, b = hosts(), hosts()
    source = Source()
    assert await a.get_or_load("k", source.loader("k")) == "v1"
    assert await b.get_or_load("k", source.loader("k")) == "v1"
    assert source.loads == 1  # host B read host A's copy
    source.values["k"] = "v2"
    await a.drop("k")
    assert await b.get_or_load("k", source.loader("k")) == "v2"
    source.values["k"] = "v3"
    await b.drop_all()
    assert await a.get_or_load("k", source.loader("k")) == "v3"


async def test_a_load_that_began_before_a_drop_stores_nothing(hosts: Opener) -> None:
    a, b = hosts(), hosts()
    source = Source()
    released = asyncio.Event()

    async def slow_old_read() -> str:
        value = source.values["k"]  # read before the write
        await released.wait()
        return value

    reading = asyncio.ensure_future(a.get_or_load("k", slow_old_read))
    await asyncio.sleep(0.05)
    source.values["k"] = "v2"
    await b.drop("k")  # the writer's drop, after its commit
    released.set()
    assert await reading == "v1"  # the caller gets what it read...
    assert await b.get_or_load("k", source.loader("k")) == "v2"  # ...but nobody else ever does


async def test_concurrent_misses_share_one_load(hosts: Opener) -> None:
    cache = hosts()
    source = Source()
    values = await asyncio.gather(*(cache.get_or_load("k", source.loader("k")) for _ in range(20)))
    assert values == ["v1"] * 20 and source.loads == 1


async def test_a_local_copy_is_served_without_redis_until_dropped_or_expired(hosts: Opener) -> None:
    a, b = hosts(local_seconds=30.0), hosts(local_seconds=0.2)
    source = Source()
    assert await a.get_or_load("k", source.loader("k")) == "v1"
    assert await b.get_or_load("k", source.loader("k")) == "v1"
    assert a.fresh("k", source.loader("k")) == "v1"  # no await: this process's copy
    source.values["k"] = "v2"
    await a.drop("k")
    assert await a.get_or_load("k", source.loader("k")) == "v2"
    assert await b.get_or_load("k", source.loader("k")) == "v1"  # B's local copy, within its bound
    await asyncio.sleep(0.3)
    assert await b.get_or_load("k", source.loader("k")) == "v2"  # past local_seconds: from Redis


async def test_an_entry_that_cannot_be_decoded_is_a_miss(hosts: Opener, redis_url: str) -> None:
    cache = hosts()
    source = Source()
    client = aioredis.Redis.from_url(redis_url)
    try:
        await client.set(cache._value_key(b"k"), b"0:0|\xff\xfe not UTF-8")
        assert await cache.get_or_load("k", source.loader("k")) == "v1"
        assert await client.get(cache._value_key(b"k")) == b"0:0|v1"  # overwritten with the loaded value
    finally:
        await client.aclose()
