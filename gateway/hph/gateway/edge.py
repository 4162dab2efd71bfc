"""Edge policies applied before a request reaches a route: CORS, rate limits and request ids.

Pure decisions over plain values (header strings, a clock reading), so the server stays a thin
caller and the rules are unit-testable without sockets.

Rate limits read the JWT `sub` claim WITHOUT verifying the token: services verify tokens, the edge
only needs a bucket key. A forged `sub` merely moves the caller into another user's bucket; the
per-IP bucket still applies to every request, so forging does not lift the overall limit.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

# ------------------------------------------------------------------------------------------- CORS

# Methods a browser may use against the REST surface (custom verbs such as OPTIONS included).
CORS_ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
CORS_MAX_AGE_SECONDS = 600
CORS_EXPOSE_HEADERS = "x-request-id"


class CorsPolicy:
    """Which browser origins may call the API, and the headers that say so.

    Origins match exactly (scheme, host and port as the browser sends them). "*" allows any origin
    but is refused together with credentials, which browsers reject anyway.
    """

    def __init__(self, origins: Sequence[str], *, allow_credentials: bool = False) -> None:
        self.any_origin = "*" in origins
        if self.any_origin and allow_credentials:
            raise ValueError(
                "CORS: a wildcard origin '*' cannot be combined with credentials; "
                "list the allowed origins in HPH_CORS_ALLOWED_ORIGINS instead"
            )
        self.origins = frozenset(o for o in origins if o != "*")
        self.allow_credentials = allow_credentials
        self.enabled = bool(self.origins) or self.any_origin

    def allows(self, origin: str) -> bool:
        return self.any_origin or origin in self.origins

    def is_preflight(self, method: str, origin: str | None, request_method: str | None) -> bool:
        """A preflight the edge answers itself; other OPTIONS requests route like any request."""
        return method == "OPTIONS" and bool(origin) and bool(request_method) and self.allows(origin or "")

    def preflight_headers(self, origin: str, request_headers: str | None) -> list[tuple[str, str]]:
        """Headers of the 204 answer to an allowed preflight."""
        headers = self._origin_headers(origin)
        headers.append(("access-control-allow-methods", CORS_ALLOW_METHODS))
        if request_headers:
            # Echoing is safe: the services authorise every call, the browser only needs permission.
            headers.append(("access-control-allow-headers", request_headers))
        headers.append(("access-control-max-age", str(CORS_MAX_AGE_SECONDS)))
        return headers

    def response_headers(self, origin: str | None) -> list[tuple[str, str]]:
        """Headers added to an actual (non-preflight) response."""
        if not self.enabled or not origin:
            return []
        if not self.allows(origin):
            return [("vary", "Origin")]
        headers = self._origin_headers(origin)
        headers.append(("access-control-expose-headers", CORS_EXPOSE_HEADERS))
        return headers

    def _origin_headers(self, origin: str) -> list[tuple[str, str]]:
        if self.any_origin and not self.origins:
            return [("access-control-allow-origin", "*")]
        headers = [("access-control-allow-origin", origin), ("vary", "Origin")]
        if self.allow_credentials:
            headers.append(("access-control-allow-credentials", "true"))
        return headers


# ------------------------------------------------------------------------------------ rate limits


class TokenBucket:
    """`capacity` tokens, refilled continuously at `rate` tokens per second."""

    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.updated = now

    def refill(self, now: float) -> float:
        elapsed = now - self.updated
        if elapsed > 0:
            self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
            self.updated = now
        return self.tokens

    def wait_seconds(self) -> float:
        """Time until one token is available (after a refill)."""
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def full_at(self) -> float:
        """When the bucket will be full again if untouched: from then on it equals a fresh one."""
        return self.updated + (self.capacity - self.tokens) / self.rate


class BucketTable:
    """Token buckets by key with bounded memory.

    A bucket idle long enough to have refilled is indistinguishable from a new one, so it is
    dropped by the periodic sweep. If the table still outgrows `max_buckets` (many distinct keys
    within one refill period), the oldest half is dropped: those keys get a fresh allowance, which
    errs towards serving rather than towards unbounded memory.
    """

    def __init__(self, per_minute: int, *, max_buckets: int = 100_000, sweep_seconds: float = 60.0) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_buckets = max_buckets
        self.sweep_seconds = sweep_seconds
        self._buckets: dict[str, TokenBucket] = {}
        self._next_sweep = 0.0

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def __len__(self) -> int:
        return len(self._buckets)

    def bucket(self, key: str, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if now >= self._next_sweep or len(self._buckets) >= self.max_buckets:
                self.sweep(now)
            bucket = self._buckets[key] = TokenBucket(self.capacity, self.rate, now)
        else:
            bucket.refill(now)
        return bucket

    def sweep(self, now: float) -> None:
        self._next_sweep = now + self.sweep_seconds
        idle = [key for key, bucket in self._buckets.items() if bucket.full_at() <= now]
        for key in idle:
            del self._buckets[key]
        if len(self._buckets) >= self.max_buckets:
            for key in list(self._buckets)[: len(self._buckets) // 2 + 1]:
                del self._buckets[key]


class Limiter(Protocol):
    """What the gateway asks of a rate limiter: this process's own (RateLimiter) or one shared by
    the worker processes serving one port (shared_limits.SharedRateLimiter)."""

    @property
    def enabled(self) -> bool:
        """Whether any limit applies (a request is checked at all)."""

    def check(self, ip: str, user: str | None) -> int:
        """0 if the request may proceed (tokens taken), else whole seconds to wait (Retry-After)."""

    def close(self) -> None:
        """Releases what the limiter holds (called when the gateway stops)."""


class RemoteLimiter(Protocol):
    """A rate limiter whose buckets live in a server several hosts share (redis_limits.RedisRateLimiter):
    a check is a round trip, so it is awaited."""

    @property
    def enabled(self) -> bool:
        """Whether any limit applies (a request is checked at all)."""

    async def check(self, ip: str, user: str | None) -> int:
        """0 if the request may proceed (tokens taken), else whole seconds to wait (Retry-After)."""

    def status(self) -> dict[str, object]:
        """Where the limits live and how many checks failed open (reported by /ready)."""

    def close(self) -> None:
        """Releases what can be released without awaiting."""

    async def aclose(self) -> None:
        """Releases the connections (called when the gateway stops)."""


class RateLimiter:
    """Per client IP and per authenticated user limits; a request needs a token from both.

    A limit of 0 (or less) disables that dimension.
    """

    def __init__(
        self,
        *,
        per_ip_per_minute: int,
        per_user_per_minute: int,
        clock: Callable[[], float],
        max_buckets: int = 100_000,
    ) -> None:
        self._ips = BucketTable(per_ip_per_minute, max_buckets=max_buckets)
        self._users = BucketTable(per_user_per_minute, max_buckets=max_buckets)
        self._clock = clock
        self.enabled = self._ips.enabled or self._users.enabled

    def check(self, ip: str, user: str | None) -> int:
        """0 if the request may proceed (tokens taken), else whole seconds to wait (Retry-After)."""
        now = self._clock()
        ip_bucket = self._ips.bucket(ip, now) if self._ips.enabled else None
        user_bucket = self._users.bucket(user, now) if user and self._users.enabled else None
        # Take from both or from neither, so a refusal by one does not drain the other.
        wait = max(
            ip_bucket.wait_seconds() if ip_bucket else 0.0,
            user_bucket.wait_seconds() if user_bucket else 0.0,
        )
        if wait > 0:
            return max(1, math.ceil(wait))
        if ip_bucket:
            ip_bucket.tokens -= 1
        if user_bucket:
            user_bucket.tokens -= 1
        return 0

    def bucket_count(self) -> int:
        return len(self._ips) + len(self._users)

    def close(self) -> None:
        """Nothing to release: the buckets are this process's memory."""


# ------------------------------------------------------------------------------------ identities


class SubjectReader:
    """Reads `sub` from a bearer JWT's payload without verifying it (see the module docstring)."""

    def __init__(self, cache_size: int = 4096) -> None:
        self._cache: dict[str, str | None] = {}
        self._cache_size = cache_size

    def __call__(self, authorization: str | None) -> str | None:
        if not authorization:
            return None
        cached = self._cache.get(authorization, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        subject = unverified_subject(authorization)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[authorization] = subject
        return subject


_MISSING = object()


def unverified_subject(authorization: str) -> str | None:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None
    parts = token.strip().split(".")
    if len(parts) != 3:
        return None
    payload = parts[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error):
        return None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    return subject if isinstance(subject, str) and subject else None


# ----------------------------------------------------------------------------------- request ids

MAX_REQUEST_ID_LENGTH = 128


def request_id(given: str | None) -> str:
    """The client's `x-request-id` when it is a sane token, else a new random one."""
    if given and len(given) <= MAX_REQUEST_ID_LENGTH and given.isascii() and given.isprintable():
        return given
    return os.urandom(16).hex()


@dataclass(frozen=True)
class EdgePolicies:
    """What the server consults per request; built once from settings."""

    cors: CorsPolicy
    limiter: RateLimiter
    subject: SubjectReader
