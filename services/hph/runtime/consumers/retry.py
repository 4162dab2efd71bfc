"""Bounded retries of a handler, with jittered exponential backoff and a deadline per attempt.

A handler that raises (or overruns `timeout`) is tried again, up to `max_attempts` in all, pausing
between attempts a random time between half and all of `first_backoff * 2**(attempt - 1)`, capped at
`max_backoff`: consumers that failed on the same downstream outage do not come back in step. The
partition waits meanwhile (its events stay in order), so the bound keeps a poison event from holding
it up for long: with the defaults (5 attempts from 0.1 s) about 0.75-1.5 s of pauses in all. After the
last attempt the caller dead-letters the event. Nothing here touches storage: the ledger and the
dead-letter store are the runner's.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger("hph.consumers")
_jitter = random.Random()


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    first_backoff: float = 0.1
    max_backoff: float = 5.0
    # Longest one attempt may take, seconds; a handler still running then is cancelled (and retried).
    timeout: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.first_backoff < 0 or self.max_backoff < 0 or self.timeout <= 0:
            raise ValueError("max_attempts must be >= 1, backoffs >= 0 and the timeout > 0")

    def pause(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.max_backoff, self.first_backoff * 2.0 ** (attempt - 1))
        return ceiling * (0.5 + 0.5 * (rng or _jitter).random())


@dataclass(frozen=True)
class Outcome:
    """How a handler fared: `error` None once an attempt succeeded, else the last attempt's error."""

    attempts: int
    error: BaseException | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None

    @property
    def reason(self) -> str:
        """The failure as an operator reads it: the error's type and message."""
        if self.error is None:
            return ""
        if isinstance(self.error, TimeoutError):
            return "TimeoutError: the handler did not finish within its deadline"
        return f"{type(self.error).__name__}: {self.error}"

    @property
    def error_type(self) -> str:
        return "" if self.error is None else type(self.error).__name__


async def with_retries(
    policy: RetryPolicy,
    attempt: Callable[[int], Awaitable[None]],
    *,
    context: dict[str, object],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Outcome:
    """Runs `attempt(n)` for n = 1, 2, ... until one returns or `policy.max_attempts` have failed;
    `context` (group, topic, event id ...) goes into the warning logged for each failure."""
    error: BaseException | None = None
    for number in range(1, policy.max_attempts + 1):
        try:
            async with asyncio.timeout(policy.timeout):  # no task per attempt, unlike wait_for
                await attempt(number)
            return Outcome(number)
        except Exception as exc:  # any handler failure counts; CancelledError (a stop) goes through
            error = exc
            log.warning(
                "event handler failed",
                extra={**context, "attempt": number, "max_attempts": policy.max_attempts, "error": repr(exc)},
            )
        if number < policy.max_attempts:
            await sleep(policy.pause(number))
    return Outcome(policy.max_attempts, error)
