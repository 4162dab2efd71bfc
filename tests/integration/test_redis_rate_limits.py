"""Rate limits in Redis (HPH_RATE_LIMITS=redis): one budget across limiter instances (hosts), atomic
under concurrency, the embedded limiters' token-bucket semantics, and failing open, loudly, when
Redis goes away."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from hph.gateway.redis_limits import RedisRateLimiter
from tests.support.redis_server import running_redis_server

pytestmark = pytest.mark.integration

Opener = Callable[..., RedisRateLimiter]
# Generous: on a busy machine a slow answer would fail open, and these tests count exact budgets.
TIMEOUT = 5.0


@pytest.fixture
async def hosts(redis_url: str) -> AsyncIterator[Opener]:
    """Opens limiters ("hosts") on one private key prefix of the test's own; closes them after."""
    prefix = f"test-{uuid.uuid4().hex[:12]}:limits:"
    opened: list[RedisRateLimiter] = []

    def open_limiter(*, ip: int = 0, user: int = 0) -> RedisRateLimiter:
        limiter = RedisRateLimiter.connect(
            redis_url, per_ip_per_minute=ip, per_user_per_minute=user, key_prefix=prefix, timeout_seconds=TIMEOUT
        )
        opened.append(limiter)
        return limiter

    yield open_limiter
    for limiter in opened:
        await limiter.aclose()


async def test_one_users_budget_is_shared_by_every_host(hosts: Opener) -> None:
    first, second = hosts(user=6), hosts(user=6)
    answers = [await (first if i % 2 else second).check("10.0.0.1", "shopper-1") for i in range(9)]
    assert answers[:6] == [0] * 6
    # 6 per minute refill one token every 10 s: the 7th waits about 10 s, whichever host it reaches.
    assert all(8 <= wait <= 10 for wait in answers[6:]), answers
    assert await first.check("10.0.0.1", "shopper-2") == 0  # another user has a budget of their own


async def test_concurrent_checks_over_hosts_take_exactly_the_budget(hosts: Opener) -> None:
    limiters = [hosts(user=25) for _ in range(3)]
    answers = await asyncio.gather(*(limiters[i % 3].check(f"10.0.0.{i % 7}", "shopper-1") for i in range(120)))
    assert sum(1 for wait in answers if wait == 0) == 25


async def test_a_refusal_by_one_limit_takes_nothing_from_the_other(hosts: Opener) -> None:
    limiter = hosts(ip=3, user=100)
    for _ in range(3):
        assert await limiter.check("10.0.0.9", "shopper-1") == 0
    assert await limiter.check("10.0.0.9", "shopper-1") > 0  # the IP is spent
    # The refused request took no token from the user: 97 left, spent from other addresses.
    answers = [await limiter.check(f"10.1.0.{i}", "shopper-1") for i in range(98)]
    assert answers.count(0) == 97 and answers[-1] > 0


async def test_idle_buckets_expire_from_redis(hosts: Opener, redis_url: str) -> None:
    limiter = hosts(user=60)  # full again one second after a take
    assert await limiter.check("10.0.0.1", "shopper-1") == 0
    client = aioredis.Redis.from_url(redis_url)
    try:
        key = f"{limiter._prefix}user:shopper-1"
        ttl = await client.pttl(key)
        assert 0 < ttl <= 2_000
    finally:
        await client.aclose()


async def test_long_or_odd_subjects_get_hashed_keys(hosts: Opener) -> None:
    limiter = hosts(user=1)
    odd = "x" * 500
    assert await limiter.check("10.0.0.1", odd) == 0
    assert await limiter.check("10.0.0.1", odd) > 0
    assert await limiter.check("10.0.0.1", "line\nbreak") == 0


async def test_redis_down_fails_open_to_local_buckets_with_a_warning_and_a_count(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = running_redis_server(tmp_path / "redis")
    url = server.__enter__()
    limiter = RedisRateLimiter.connect(url, per_ip_per_minute=0, per_user_per_minute=3)
    try:
        assert await limiter.check("10.0.0.1", "shopper-1") == 0
        assert limiter.fail_open_checks == 0
        server.__exit__(None, None, None)
        # The server is stopped: requests are still served, on this host's own buckets (3 a minute).
        caplog.set_level(logging.WARNING, logger="hph.gateway.limits")
        answers = [await limiter.check("10.0.0.1", "shopper-1") for _ in range(4)]
    finally:
        await limiter.aclose()
    assert answers[:3] == [0, 0, 0] and answers[3] > 0
    assert limiter.fail_open_checks == 4
    assert limiter.status() == {"store": "redis", "fail_open_checks": 4}
    warnings = [record for record in caplog.records if "failing open" in record.getMessage()]
    assert len(warnings) == 1  # once a minute, not once a request
    assert getattr(warnings[0], "rate_limits_fail_open_total", None) == 1


async def test_checks_waiting_together_all_get_answers_when_redis_fails(tmp_path: Path) -> None:
    server = running_redis_server(tmp_path / "redis")
    url = server.__enter__()
    limiter = RedisRateLimiter.connect(url, per_ip_per_minute=0, per_user_per_minute=5)
    try:
        assert await limiter.check("10.0.0.1", "shopper-1") == 0
        server.__exit__(None, None, None)
        answers = await asyncio.gather(*(limiter.check("10.0.0.1", "shopper-1") for _ in range(8)))
    finally:
        await limiter.aclose()
    assert answers.count(0) == 5  # this host's own budget, every check answered
    assert limiter.fail_open_checks == 8
