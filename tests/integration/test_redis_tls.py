"""The Azure profile's Redis URL, `rediss://:<access key>@host:6380/0` (docs/azure.md), works for
every use of Redis the settings open: the rate limits, the hot cache, the memory hot tier and the
Redis Streams event log, over TLS with the certificate verified and the key as password, as Azure
Cache for Redis (infra/redis.bicep: TLS only) asks. The server is a private TLS-only redis-server
with a random password (tests/support/redis_server.py); the key appears in no repr, log line or
error, and a plain `redis://` URL or a wrong key gets nowhere."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hph.gateway.redis_limits import RedisRateLimiter
from hph.gateway.server import limiter_from_settings
from hph.runtime.eventlog.opening import open_event_log
from hph.runtime.eventlog.port import EventLogError
from hph.runtime.hot_caches import HotCaches
from hph.runtime.memory.factory import open_memory
from hph.runtime.memory.records import Namespace
from hph.runtime.redis_cache import Codec
from hph.runtime.settings import Settings
from hph.runtime.storage import SqliteDocumentStore
from tests.support.redis_server import TlsRedis, redis_server_binary, running_tls_redis_server

pytestmark = pytest.mark.integration

TEXT: Codec[str] = Codec(str.encode, bytes.decode)


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsRedis]:
    if redis_server_binary() is None:
        pytest.skip("redis-server is not installed")
    with running_tls_redis_server(tmp_path_factory.mktemp("redis-tls")) as server:
        yield server


def _settings(url: str, data_dir: Path) -> Settings:
    prefix = f"t{uuid.uuid4().hex[:8]}:"
    return Settings(
        data_dir=data_dir,
        redis_url=url,
        event_log="redis",
        hot_cache="redis",
        rate_limits="redis",
        redis_key_prefix=f"{prefix}log:",
        cache_redis_prefix=f"{prefix}cache:",
        memory_redis_prefix=f"{prefix}memory:",
        rate_limit_redis_prefix=f"{prefix}limits:",
        redis_call_timeout_seconds=2.0,
    )


async def test_every_redis_use_works_over_tls_with_the_key_as_password(
    tls_redis: TlsRedis, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = _settings(tls_redis.url, tmp_path)

    limiter = limiter_from_settings(settings)
    assert isinstance(limiter, RedisRateLimiter)
    try:
        assert await limiter.check("203.0.113.9", "user-1") == 0
        # A limiter that could not reach Redis would have let the request through all the same.
        assert limiter.fail_open_checks == 0
    finally:
        await limiter.aclose()

    caches = HotCaches.from_settings(settings)
    try:
        cache = caches.open("products", TEXT, ttl_seconds=30)
        loads: list[str] = []

        async def load() -> str:
            loads.append("loaded")
            return "value"

        assert await cache.get_or_load("p1", load) == "value"
        assert caches.redis_failures == 0
    finally:
        await caches.close()

    log = await open_event_log(settings)
    try:
        await log.create_topic("tls-topic", 2)
        assert (await log.topics())["tls-topic"] == 2
    finally:
        await log.close()

    store = await SqliteDocumentStore.open(tmp_path / "hub.sqlite")
    memory = await open_memory(settings, store)
    try:
        namespace = Namespace("tls-test", "values")
        await memory.put(namespace, "k1", {"n": 1})
        recalled = await memory.get(namespace, "k1")
        assert recalled is not None and (recalled.value, recalled.tier) == ({"n": 1}, "hot")
    finally:
        await memory.close()
        await store.close()

    for text in [caplog.text, repr(settings), str(settings)]:
        assert tls_redis.password not in text


async def test_a_plain_url_or_a_wrong_key_gets_nowhere_and_errors_never_show_the_key(
    tls_redis: TlsRedis, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    plain = f"redis://:{tls_redis.password}@127.0.0.1:{tls_redis.port}/0"
    wrong = tls_redis.url.replace(tls_redis.password, "not-the-key")
    failures: list[str] = []
    for url in (plain, wrong):
        log = await open_event_log(_settings(url, tmp_path))
        try:
            with pytest.raises(EventLogError) as refused:
                await log.topics()
            failures.append(f"{refused.value!r} {refused.value}")
        finally:
            await log.close()

    assert len(failures) == 2
    for text in [caplog.text, *failures]:
        assert tls_redis.password not in text
