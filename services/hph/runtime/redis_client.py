"""What every Redis use on a request's path shares: a small bounded client, and the outage bookkeeping
of a use that goes on without Redis (a rate limit failing open, a cache read going to storage).

A request must never wait long for Redis: calls time out after `timeout_seconds` and are not
retried, connections are few and reused (a burst of requests would otherwise open one each, and a
burst of connects is what times out first), and after a failure Redis is left alone for
`RedisOutage.retry_seconds`, so an outage costs each request nothing but the fallback.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

# Connections a client keeps; calls beyond wait for one (at most CONNECT_TIMEOUT_SECONDS).
MAX_CONNECTIONS = 16
# Opening a connection may take longer than a call on a busy host; a refused one fails at once.
CONNECT_TIMEOUT_SECONDS = 1.0
# How long after a failed call Redis is not asked again, seconds.
RETRY_SECONDS = 1.0
# The least time between two warnings about one use going on without Redis, seconds.
WARN_INTERVAL = 60.0


def request_path_client(
    url: str, timeout_seconds: float, *, max_connections: int = MAX_CONNECTIONS, decode_responses: bool = False
) -> aioredis.Redis:
    """A client for calls made while a request waits (see the module docstring); closing it closes its pool."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        # Waiting for a connection is queueing behind other calls (or behind the first connects of a
        # burst), not Redis being slow: allowed as long as a connect.
        timeout=max(timeout_seconds, CONNECT_TIMEOUT_SECONDS),
        socket_timeout=timeout_seconds,
        socket_connect_timeout=max(timeout_seconds, CONNECT_TIMEOUT_SECONDS),
        retry=Retry(NoBackoff(), 0),
        decode_responses=decode_responses,
    )
    return aioredis.Redis.from_pool(pool)


class RedisOutage:
    """Counts the operations one use of Redis did without it, warns about them at most once a
    minute (with the running total in the log record's `extra`, a log-based metric), and says when
    Redis may be tried again."""

    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        *,
        total_field: str,
        retry_seconds: float = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = logger
        self._what = what
        self._total_field = total_field
        self._retry_seconds = retry_seconds
        self._clock = clock
        self.count = 0
        self._skip_until = -math.inf
        self._warned_at = -math.inf
        self._warned_count = 0

    @property
    def skipping(self) -> bool:
        """Whether Redis failed recently enough to be left alone."""
        return self._clock() < self._skip_until

    def failed(self, error: BaseException | None, operations: int = 1) -> None:
        """`operations` went on without Redis (`error` None: Redis was skipped after a failure)."""
        if error is not None:
            self._skip_until = self._clock() + self._retry_seconds
        self.count += operations
        now = time.monotonic()
        if now - self._warned_at >= WARN_INTERVAL:
            self._log.warning(
                "%s: Redis is unreachable (%s); %d operation(s) without it since the last warning",
                self._what,
                error if error is not None else "still retrying",
                self.count - self._warned_count,
                extra={self._total_field: self.count},
            )
            self._warned_at = now
            self._warned_count = self.count
