"""Which rate limiter and which hot caches the settings select, and the refusals of settings that
cannot work (no server or process starts: building a Redis client does not connect)."""

from __future__ import annotations

import pytest

from holidaypeak.commerce.v1 import product_pb2
from hph.gateway.edge import RateLimiter
from hph.gateway.redis_limits import RedisRateLimiter
from hph.gateway.server import limiter_from_settings
from hph.runtime.cache import TtlCache
from hph.runtime.hot_caches import HotCaches
from hph.runtime.redis_cache import RedisCache, proto_codec
from hph.runtime.settings import Settings

REDIS = "redis://127.0.0.1:1/0"
PRODUCTS = proto_codec(product_pb2.Product)


def test_local_limits_and_memory_caches_are_the_embedded_default() -> None:
    assert isinstance(limiter_from_settings(Settings()), RateLimiter)
    caches = HotCaches.from_settings(Settings())
    assert not caches.shared
    assert isinstance(caches.open("products", PRODUCTS, ttl_seconds=2.0), TtlCache)


async def test_redis_is_chosen_by_name() -> None:
    limiter = limiter_from_settings(Settings(rate_limits="redis", redis_url=REDIS))
    assert isinstance(limiter, RedisRateLimiter)
    caches = HotCaches.from_settings(Settings(hot_cache="redis", redis_url=REDIS))
    assert caches.shared
    assert isinstance(caches.open("products", PRODUCTS, ttl_seconds=2.0), RedisCache)
    await limiter.aclose()
    await caches.close()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (Settings(rate_limits="redis"), "HPH_RATE_LIMITS=redis needs HPH_REDIS_URL"),
        (Settings(rate_limits="memcached"), "HPH_RATE_LIMITS='memcached': choose local or redis"),
    ],
)
def test_rate_limit_settings_that_cannot_work_are_refused(settings: Settings, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        limiter_from_settings(settings)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (Settings(hot_cache="redis"), "HPH_HOT_CACHE=redis needs HPH_REDIS_URL"),
        (Settings(hot_cache="disk"), "HPH_HOT_CACHE='disk': choose memory or redis"),
    ],
)
def test_hot_cache_settings_that_cannot_work_are_refused(settings: Settings, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HotCaches.from_settings(settings)


def test_a_redis_check_decodes_its_keys_and_hashes_odd_subjects() -> None:
    limiter = RedisRateLimiter.connect(REDIS, per_ip_per_minute=1, per_user_per_minute=1, key_prefix="p:")
    assert limiter._key("user:", "shopper-1") == "p:user:shopper-1"
    hashed = limiter._key("user:", "x" * 500)
    assert hashed.startswith("p:user:#") and len(hashed) < 50
