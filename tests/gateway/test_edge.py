"""Edge policies without sockets: token bucket math on an injected clock, CORS decisions, identities."""

from __future__ import annotations

import base64

import pytest

from hph.gateway.edge import (
    BucketTable,
    CorsPolicy,
    RateLimiter,
    SubjectReader,
    TokenBucket,
    request_id,
    unverified_subject,
)
from tests.support.clocks import ManualClock
from tests.support.rate_limits import check_user_limit_applies_across_ips_and_ip_limit_still_applies_to_users
from tests.support.tokens import unsigned_bearer

# ---------------------------------------------------------------------------------- buckets


def test_bucket_starts_full_and_refills_continuously() -> None:
    bucket = TokenBucket(capacity=60, rate=1.0, now=0.0)
    assert bucket.refill(0.0) == 60
    bucket.tokens = 0
    assert bucket.refill(0.5) == pytest.approx(0.5)
    assert bucket.wait_seconds() == pytest.approx(0.5)
    assert bucket.refill(10.5) == pytest.approx(10.5)
    assert bucket.refill(1000) == 60  # capped at capacity


def test_bucket_ignores_a_clock_going_backwards() -> None:
    bucket = TokenBucket(capacity=10, rate=1.0, now=5.0)
    bucket.tokens = 2
    assert bucket.refill(4.0) == 2
    assert bucket.updated == 5.0


def test_bucket_full_at_is_when_it_equals_a_fresh_one() -> None:
    bucket = TokenBucket(capacity=10, rate=2.0, now=100.0)
    bucket.tokens = 4
    assert bucket.full_at() == pytest.approx(103.0)


def test_limiter_allows_the_burst_then_refuses_with_retry_after() -> None:
    clock = ManualClock(1000.0)
    limiter = RateLimiter(per_ip_per_minute=3, per_user_per_minute=0, clock=clock)
    assert [limiter.check("10.0.0.1", None) for _ in range(3)] == [0, 0, 0]
    # 3 per minute refills one token every 20 s.
    assert limiter.check("10.0.0.1", None) == 20
    clock.now += 19.5
    assert limiter.check("10.0.0.1", None) == 1  # 0.5 s left, rounded up to whole seconds
    clock.now += 0.5
    assert limiter.check("10.0.0.1", None) == 0
    assert limiter.check("10.0.0.2", None) == 0  # other IPs have their own bucket


def test_user_limit_applies_across_ips_and_ip_limit_still_applies_to_users() -> None:
    clock = ManualClock(1000.0)
    limiter = RateLimiter(per_ip_per_minute=5, per_user_per_minute=2, clock=clock)
    check_user_limit_applies_across_ips_and_ip_limit_still_applies_to_users(limiter)


def test_refusal_by_one_bucket_does_not_drain_the_other() -> None:
    clock = ManualClock(1000.0)
    limiter = RateLimiter(per_ip_per_minute=2, per_user_per_minute=1, clock=clock)
    assert limiter.check("10.0.0.1", "ava") == 0
    assert limiter.check("10.0.0.1", "ava") > 0  # user bucket empty; the IP token is not taken
    assert limiter.check("10.0.0.1", None) == 0  # so the IP still has one left


def test_zero_disables_a_dimension() -> None:
    limiter = RateLimiter(per_ip_per_minute=0, per_user_per_minute=0, clock=ManualClock(1000.0))
    assert not limiter.enabled
    assert all(limiter.check("10.0.0.1", "ava") == 0 for _ in range(1000))
    assert limiter.bucket_count() == 0


def test_idle_buckets_are_evicted_once_refilled() -> None:
    table = BucketTable(60, sweep_seconds=10)
    for index in range(50):
        table.bucket(f"ip{index}", 0.0).tokens -= 1
    assert len(table) == 50
    # 1 s later all are full again (1 token/s): the next new key triggers a sweep after sweep_seconds.
    table.bucket("late", 11.0)
    assert len(table) == 1


def test_bucket_table_memory_is_bounded_under_many_distinct_keys() -> None:
    table = BucketTable(60, max_buckets=100)
    for index in range(1000):
        table.bucket(f"ip{index}", 0.0).tokens -= 10  # nobody is refilled yet
    assert len(table) <= 100


# ------------------------------------------------------------------------------------- CORS


def test_cors_preflight_only_for_allowed_origins_with_a_requested_method() -> None:
    cors = CorsPolicy(["https://shop.example"])
    assert cors.is_preflight("OPTIONS", "https://shop.example", "POST")
    assert not cors.is_preflight("OPTIONS", "https://evil.example", "POST")
    assert not cors.is_preflight("OPTIONS", "https://shop.example", None)  # a plain OPTIONS routes
    assert not cors.is_preflight("OPTIONS", None, "POST")
    assert not cors.is_preflight("GET", "https://shop.example", "POST")
    # Exact match: scheme and port are part of the origin.
    assert not cors.allows("http://shop.example")
    assert not cors.allows("https://shop.example:8443")


def test_cors_preflight_headers() -> None:
    cors = CorsPolicy(["https://shop.example"], allow_credentials=True)
    headers = dict(cors.preflight_headers("https://shop.example", "authorization, content-type"))
    assert headers["access-control-allow-origin"] == "https://shop.example"
    assert headers["access-control-allow-credentials"] == "true"
    assert headers["access-control-allow-headers"] == "authorization, content-type"
    assert "POST" in headers["access-control-allow-methods"]
    assert headers["vary"] == "Origin"
    assert int(headers["access-control-max-age"]) > 0


def test_cors_response_headers() -> None:
    cors = CorsPolicy(["https://shop.example"])
    headers = dict(cors.response_headers("https://shop.example"))
    assert headers == {
        "access-control-allow-origin": "https://shop.example",
        "vary": "Origin",
        "access-control-expose-headers": "x-request-id",
    }
    assert cors.response_headers("https://evil.example") == [("vary", "Origin")]
    assert cors.response_headers(None) == []
    assert CorsPolicy([]).response_headers("https://shop.example") == []


def test_cors_wildcard_never_with_credentials() -> None:
    with pytest.raises(ValueError, match="wildcard"):
        CorsPolicy(["*"], allow_credentials=True)
    cors = CorsPolicy(["*"])
    headers = dict(cors.response_headers("https://any.example"))
    assert headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in headers


# ------------------------------------------------------------------------------- identities


def test_unverified_subject_reads_sub_without_verifying() -> None:
    assert unverified_subject(unsigned_bearer({"sub": "customer-ava", "roles": ["customer"]})) == "customer-ava"
    assert unverified_subject(unsigned_bearer({"roles": ["customer"]})) is None
    assert unverified_subject(unsigned_bearer({"sub": 42})) is None
    assert unverified_subject("Basic dXNlcjpwYXNz") is None
    assert unverified_subject("Bearer not-a-jwt") is None
    assert unverified_subject("Bearer a.!!!.c") is None
    assert unverified_subject("Bearer a." + base64.urlsafe_b64encode(b"[1]").decode() + ".c") is None


def test_subject_reader_caches_and_stays_bounded() -> None:
    reader = SubjectReader(cache_size=2)
    assert reader(None) is None
    tokens = [unsigned_bearer({"sub": f"user-{index}"}) for index in range(5)]
    assert [reader(token) for token in tokens] == [f"user-{index}" for index in range(5)]
    assert len(reader._cache) <= 2


def test_request_id_echoes_sane_ids_and_generates_otherwise() -> None:
    assert request_id("abc-123") == "abc-123"
    generated = request_id(None)
    assert len(generated) == 32 and generated != request_id(None)
    assert request_id("x" * 500) != "x" * 500
    assert request_id("bad\x01id") != "bad\x01id"
    assert request_id("caf\xe9") != "caf\xe9"
