"""Circuit breakers: stop calling a dependency that keeps failing, and try it again later, carefully.

A `CircuitBreaker` guards one dependency (one agent). It is

- CLOSED while the dependency works: every call goes out, and the outcome of each is remembered in a
  window of the last `window_calls` calls. When `failure_threshold` of those failed, it OPENS. (A
  count over a window, not only consecutive failures: an agent timing out on half its calls at peak
  never fails five times in a row, yet must be shed.)
- OPEN for `open_seconds`: no call goes out at all; the caller falls back at once, costing nothing.
- HALF_OPEN after that: `half_open_probes` calls (one by default) go out as probes while every other
  call still falls back. A probe that succeeds CLOSES the breaker with a fresh window; one that fails
  OPENS it for another `open_seconds`. (Unlike letting every call through once the timer ran out, a
  recovering agent meets one request, not the whole peak's backlog.)

Callers ask `acquire()` for a `Permit` before a call (None means: do not call, fall back) and report
the outcome on it: `succeeded()`, `failed()`, or `abandoned()` for a call that proves nothing either
way (the caller itself was cancelled). An outcome reported on a permit from an earlier state (a slow
call that started while CLOSED and ends after the breaker opened) changes nothing, so one breaker's
state always follows the calls made in that state.

The clock is injectable (monotonic seconds): tests drive it with a ManualClock. Everything runs on one
event loop and never awaits, so no lock is needed.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

log = logging.getLogger("hph.runtime.breaker")

MonotonicClock = Callable[[], float]


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerPolicy:
    """When a breaker opens and for how long (see the module docstring)."""

    # Failed calls within the window that open the breaker.
    failure_threshold: int = 5
    # How many of the latest calls the window holds.
    window_calls: int = 20
    # How long an open breaker refuses calls before it lets a probe through, seconds.
    open_seconds: float = 10.0
    # Probe calls allowed at once while half open.
    half_open_probes: int = 1

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.window_calls < self.failure_threshold:
            raise ValueError("failure_threshold must be >= 1 and window_calls >= failure_threshold")
        if self.open_seconds < 0 or self.half_open_probes < 1:
            raise ValueError("open_seconds must be >= 0 and half_open_probes >= 1")


# Called on every state change with (breaker name, from, to).
StateListener = Callable[[str, BreakerState, BreakerState], None]


class Permit:
    """Leave to make one call; report its outcome exactly once (later reports are ignored)."""

    __slots__ = ("_breaker", "_done", "_generation", "probe")

    def __init__(self, breaker: CircuitBreaker, generation: int, *, probe: bool) -> None:
        self._breaker = breaker
        self._generation = generation
        self._done = False
        # True when this call is a half-open probe.
        self.probe = probe

    def succeeded(self) -> None:
        """The dependency answered (an answer refusing our request counts: it is up)."""
        if self._finish():
            self._breaker._record(self._generation, success=True, probe=self.probe)

    def failed(self) -> None:
        """The dependency did not answer in time or could not answer (down, timed out, broken)."""
        if self._finish():
            self._breaker._record(self._generation, success=False, probe=self.probe)

    def abandoned(self) -> None:
        """The call proves nothing about the dependency (e.g. our own caller went away)."""
        if self._finish():
            self._breaker._release(self._generation, probe=self.probe)

    def _finish(self) -> bool:
        if self._done:
            return False
        self._done = True
        return True


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        policy: BreakerPolicy | None = None,
        *,
        clock: MonotonicClock = time.monotonic,
        on_change: StateListener | None = None,
    ) -> None:
        self.name = name
        self.policy = policy or BreakerPolicy()
        self._clock = clock
        self._on_change = on_change
        self._state = BreakerState.CLOSED
        # Bumped on every state change; permits of an older generation no longer count.
        self._generation = 0
        self._outcomes: deque[bool] = deque(maxlen=self.policy.window_calls)  # True = failed
        self._opened_at = 0.0
        self._probes_in_flight = 0

    @property
    def state(self) -> BreakerState:
        """The state now (an open breaker whose time ran out reads as half open)."""
        self._half_open_if_due()
        return self._state

    @property
    def failures_in_window(self) -> int:
        return sum(self._outcomes)

    def retry_after(self) -> float:
        """Seconds until an open breaker lets a probe through; 0 when it is not open."""
        if self.state != BreakerState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.policy.open_seconds - self._clock())

    def acquire(self) -> Permit | None:
        """A permit to call now, or None: the breaker is open (or half open with its probes out)."""
        state = self.state
        if state == BreakerState.CLOSED:
            return Permit(self, self._generation, probe=False)
        if state == BreakerState.HALF_OPEN and self._probes_in_flight < self.policy.half_open_probes:
            self._probes_in_flight += 1
            return Permit(self, self._generation, probe=True)
        return None

    def _half_open_if_due(self) -> None:
        if self._state == BreakerState.OPEN and self._clock() >= self._opened_at + self.policy.open_seconds:
            self._move(BreakerState.HALF_OPEN)

    def _record(self, generation: int, *, success: bool, probe: bool) -> None:
        if generation != self._generation:
            return  # started in an earlier state: says nothing about this one
        if probe:
            self._probes_in_flight -= 1
            self._move(BreakerState.CLOSED if success else BreakerState.OPEN)
            return
        self._outcomes.append(not success)
        if not success and self.failures_in_window >= self.policy.failure_threshold:
            self._move(BreakerState.OPEN)

    def _release(self, generation: int, *, probe: bool) -> None:
        if probe and generation == self._generation:
            self._probes_in_flight -= 1

    def _move(self, to: BreakerState) -> None:
        previous = self._state
        self._state = to
        self._generation += 1
        self._outcomes.clear()
        self._probes_in_flight = 0
        if to == BreakerState.OPEN:
            self._opened_at = self._clock()
        log.log(
            logging.WARNING if to == BreakerState.OPEN else logging.INFO,
            "circuit breaker %s: %s -> %s",
            self.name,
            previous.value,
            to.value,
            extra={"breaker": self.name, "from_state": previous.value, "to_state": to.value},
        )
        if self._on_change is not None:
            self._on_change(self.name, previous, to)


class CircuitBreakers:
    """The breakers of one process, one per name (per agent), created on first use; shared by every
    service in the process that calls the same dependency, so they learn from each other's calls."""

    def __init__(self, *, clock: MonotonicClock = time.monotonic, on_change: StateListener | None = None) -> None:
        self._clock = clock
        self._on_change = on_change
        self._breakers: dict[str, CircuitBreaker] = {}

    def get(self, name: str, policy: BreakerPolicy | None = None) -> CircuitBreaker:
        """The breaker of `name`; `policy` applies when it is created (the first caller's wins)."""
        breaker = self._breakers.get(name)
        if breaker is None:
            breaker = CircuitBreaker(name, policy, clock=self._clock, on_change=self._on_change)
            self._breakers[name] = breaker
        return breaker

    def states(self) -> dict[str, BreakerState]:
        """Each known breaker's state now, by name."""
        return {name: breaker.state for name, breaker in sorted(self._breakers.items())}
