"""Rate limits shared by every host of a platform: token buckets in Redis (`HPH_RATE_LIMITS=redis`).

Why: several `hph serve` / `hph up` hosts behind one load balancer each run a gateway; per host (or
per machine, `shared_limits`) buckets would give a user one budget per host. Here a user's bucket
(and a client IP's) is one Redis hash every host takes from, so the budget holds platform-wide.

Algorithm: the same token bucket as the embedded limiters (capacity = the per-minute limit, refilled
continuously at limit/60 per second), not a sliding window, so that moving a platform from one host
to several changes nothing a client sees: the same bursts are allowed and the same Retry-After is
computed (exactly, from the bucket's deficit). A bucket is two numbers per key (O(1) memory, where a
sliding log keeps one entry per request); a sliding-window counter would only approximate it.

Atomicity: a check is handled by one Lua script run (EVALSHA, one round trip): it reads both buckets
(IP and user), takes a token from both or from neither, and stores them, with nothing of another
host's check in between. The checks of one host that arrive while its previous script call is out
go together in its next call, handled one after the other in that run (`_send_batches`): one round
trip's cost shared by all of them. Time is the Redis server's (`TIME`), so hosts' clocks never
disagree about refills. An idle bucket expires once it would be full again (a full bucket equals
no bucket).

When Redis cannot be reached (refused, timed out, any RedisError) the limiter FAILS OPEN to this
host's own buckets (`edge.RateLimiter` with the same limits): the storefront keeps serving at peak,
each host enforcing the limits alone (a user spread over N hosts may then get up to N budgets).
Every such check is counted (`fail_open_checks`, also reported by the gateway's /ready) and a warning
is logged at most once a minute with the running total (`rate_limits_fail_open_total`); after a
failure Redis is left alone for a second, so an outage costs each request nothing more than the
local check (hph.runtime.redis_client).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hph.gateway.edge import RateLimiter
from hph.runtime.redis_client import RedisOutage, request_path_client

log = logging.getLogger("hph.gateway.limits")

DEFAULT_KEY_PREFIX = "hph:limits:"
# Keys longer than this are hashed (a JWT `sub` is the client's to choose).
_MAX_KEY_TEXT = 128

# Checks gathered while the previous batch was out; more wait for the next (one script's run is
# atomic, so a batch holds Redis for its length: keep it short).
MAX_BATCH = 128

# One batch of checks, in order, each as if alone. KEYS: every check's buckets, one after the other.
# ARGV: the number of checks, then per check its number of buckets and, per bucket, its capacity and
# its refill rate in tokens per microsecond. Returns, per check, 0 (tokens taken) or the microseconds
# until every one of its buckets holds a token (nothing taken).
_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local results = {}
local k = 1
local a = 2
for c = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a])
  a = a + 1
  local levels = {}
  local wait = 0
  for i = 0, n - 1 do
    local capacity = tonumber(ARGV[a + 2 * i])
    local rate = tonumber(ARGV[a + 2 * i + 1])
    local state = redis.call('HMGET', KEYS[k + i], 't', 'u')
    local level = capacity
    if state[1] and state[2] then
      local elapsed = now - tonumber(state[2])
      if elapsed < 0 then elapsed = 0 end
      level = math.min(capacity, tonumber(state[1]) + elapsed * rate)
    end
    levels[i] = level
    if level < 1 then
      local needed = (1 - level) / rate
      if needed > wait then wait = needed end
    end
  end
  if wait > 0 then
    results[c] = math.ceil(wait)
  else
    for i = 0, n - 1 do
      local capacity = tonumber(ARGV[a + 2 * i])
      local rate = tonumber(ARGV[a + 2 * i + 1])
      local left = levels[i] - 1
      redis.call('HSET', KEYS[k + i], 't', string.format('%.17g', left), 'u', string.format('%.17g', now))
      redis.call('PEXPIRE', KEYS[k + i], math.ceil((capacity - left) / rate / 1000) + 1000)
    end
    results[c] = 0
  end
  k = k + n
  a = a + 2 * n
end
return results
"""


@dataclass
class _Check:
    """One request's check waiting for its batch: its buckets' keys and arguments, and its answer."""

    ip: str
    user: str | None
    keys: list[str]
    args: list[str]
    answer: asyncio.Future[int]


class RedisRateLimiter:
    """Per client IP and per user token buckets in Redis, one budget across every host using it.

    A limit of 0 (or less) disables that dimension. `check` is a coroutine (one Redis round trip);
    the gateway awaits it where it calls the embedded limiters' `check` directly.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        per_ip_per_minute: int,
        per_user_per_minute: int,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._take = client.register_script(_TAKE)
        self._prefix = key_prefix
        self._ip = _Limit(per_ip_per_minute)
        self._user = _Limit(per_user_per_minute)
        self.enabled = self._ip.enabled or self._user.enabled
        # This host's own buckets: what a check falls back to while Redis is unreachable.
        self.local = RateLimiter(
            per_ip_per_minute=per_ip_per_minute, per_user_per_minute=per_user_per_minute, clock=clock
        )
        self._waiting: list[_Check] = []
        self._sender: asyncio.Task[None] | None = None
        self._outage = RedisOutage(
            log,
            "Rate limits failing open to this host's own buckets",
            total_field="rate_limits_fail_open_total",
            clock=clock,
        )

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        per_ip_per_minute: int,
        per_user_per_minute: int,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        timeout_seconds: float = 0.25,
    ) -> RedisRateLimiter:
        """A limiter over the Redis at `url`; a call slower than `timeout_seconds` counts as a failure."""
        client = request_path_client(url, timeout_seconds)
        return cls(
            client,
            per_ip_per_minute=per_ip_per_minute,
            per_user_per_minute=per_user_per_minute,
            key_prefix=key_prefix,
        )

    async def check(self, ip: str, user: str | None) -> int:
        """0 if the request may proceed (tokens taken), else whole seconds to wait (Retry-After)."""
        keys: list[str] = []
        args: list[str] = []
        if self._ip.enabled:
            keys.append(self._key("ip:", ip))
            args += self._ip.arguments
        if user and self._user.enabled:
            keys.append(self._key("user:", user))
            args += self._user.arguments
        if not keys:
            return 0
        if self._outage.skipping:
            self._outage.failed(None)
            return self.local.check(ip, user)
        answer: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Check(ip, user, keys, args, answer))
        if self._sender is None:
            self._sender = asyncio.create_task(self._send_batches())
        return await answer

    async def _send_batches(self) -> None:
        """Sends the waiting checks, a batch per script call, one call at a time, until none wait.

        Why batches: a call through redis-py costs the event loop about a hundred microseconds
        whatever it carries, as much as a whole cached REST read; the checks that arrive while one
        batch is out go together in the next, so under load the cost per check falls as the load
        rises, and alone a check waits for no one (docs/benchmarks.md has the figures).
        """
        batch: list[_Check] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
                keys = [key for check in batch for key in check.keys]
                args = [str(len(batch))]
                for check in batch:
                    args.append(str(len(check.keys)))
                    args += check.args
                try:
                    waits = [int(wait) for wait in await self._take(keys=keys, args=args)]
                    if len(waits) != len(batch):
                        raise RedisError(f"the rate-limit script answered {len(waits)} checks of {len(batch)}")
                except (RedisError, OSError, ValueError, TypeError) as error:  # unreachable, or an odd answer
                    self._fail_open(batch, error)
                    if self._outage.skipping:
                        waiting, self._waiting = self._waiting, []
                        self._fail_open(waiting, None)
                    continue
                for check, micros in zip(batch, waits, strict=True):
                    self._answer(check, 0 if micros <= 0 else max(1, math.ceil(micros / 1_000_000)))
        finally:
            # Cancelled (the gateway stopping) or failed unexpectedly: no request is left waiting.
            unanswered = [check for check in (*batch, *self._waiting) if not check.answer.done()]
            self._waiting = []
            self._sender = None
            if unanswered:
                self._fail_open(unanswered, None)

    def _fail_open(self, checks: list[_Check], error: BaseException | None) -> None:
        self._outage.failed(error, len(checks))
        for check in checks:
            self._answer(check, self.local.check(check.ip, check.user))

    @staticmethod
    def _answer(check: _Check, wait: int) -> None:
        if not check.answer.done():  # its request may have been cancelled meanwhile
            check.answer.set_result(wait)

    def _key(self, dimension: str, value: str) -> str:
        if len(value) > _MAX_KEY_TEXT or not value.isprintable():
            value = "#" + hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        return f"{self._prefix}{dimension}{value}"

    @property
    def fail_open_checks(self) -> int:
        """Checks made on this host's buckets alone because Redis was unreachable."""
        return self._outage.count

    def status(self) -> dict[str, object]:
        """What /ready reports about the limits: where they live and how many checks failed open."""
        return {"store": "redis", "fail_open_checks": self.fail_open_checks}

    def close(self) -> None:
        """Nothing to do synchronously: `aclose` releases the connections."""

    async def aclose(self) -> None:
        if self._sender is not None:
            await asyncio.gather(self._sender, return_exceptions=True)  # the checks out get answers
        await self._client.aclose()


class _Limit:
    """One dimension's bucket parameters, as the script's arguments."""

    __slots__ = ("arguments", "enabled")

    def __init__(self, per_minute: int) -> None:
        self.enabled = per_minute > 0
        # Tokens per microsecond, printed exactly enough for the script's doubles.
        rate = per_minute / 60_000_000.0 if self.enabled else 0.0
        self.arguments = [str(per_minute), repr(rate)]
