"""The circuit breaker's states, driven by a hand-moved clock: closed -> open on failures in the window,
open -> half open after open_seconds, one probe at a time, probe outcome closes or re-opens."""

from __future__ import annotations

import pytest

from hph.runtime.breaker import BreakerPolicy, BreakerState, CircuitBreaker, CircuitBreakers, Permit
from tests.support.clocks import ManualClock

pytestmark = pytest.mark.unit

POLICY = BreakerPolicy(failure_threshold=3, window_calls=5, open_seconds=10.0)


def breaker(policy: BreakerPolicy = POLICY) -> tuple[CircuitBreaker, ManualClock[float], list[tuple[str, str]]]:
    clock = ManualClock(100.0)
    moves: list[tuple[str, str]] = []
    made = CircuitBreaker(
        "agent-x", policy, clock=clock, on_change=lambda name, old, new: moves.append((old.value, new.value))
    )
    return made, clock, moves


def permit(cb: CircuitBreaker) -> Permit:
    granted = cb.acquire()
    assert granted is not None, f"expected a permit while {cb.state}"
    return granted


def fail(cb: CircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        permit(cb).failed()


def succeed(cb: CircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        permit(cb).succeeded()


def open_breaker() -> tuple[CircuitBreaker, ManualClock[float], list[tuple[str, str]]]:
    cb, clock, moves = breaker()
    fail(cb, 3)
    assert cb.state == BreakerState.OPEN
    return cb, clock, moves


def test_a_closed_breaker_lets_calls_through_and_opens_at_the_threshold() -> None:
    cb, _, moves = breaker()
    fail(cb, 2)
    assert cb.state == BreakerState.CLOSED
    assert cb.failures_in_window == 2
    fail(cb)
    assert cb.state == BreakerState.OPEN
    assert moves == [("closed", "open")]
    assert cb.acquire() is None


def test_failures_count_within_the_window_not_only_in_a_row() -> None:
    cb, _, _ = breaker()
    for _ in range(2):
        fail(cb)
        succeed(cb)
    assert cb.state == BreakerState.CLOSED
    fail(cb)  # 3 failures among the last 5 calls
    assert cb.state == BreakerState.OPEN


def test_failures_that_slid_out_of_the_window_no_longer_count() -> None:
    cb, _, _ = breaker()
    fail(cb, 2)
    succeed(cb, 5)  # the window holds 5: both failures are gone
    assert cb.failures_in_window == 0
    fail(cb, 2)
    assert cb.state == BreakerState.CLOSED


def test_an_open_breaker_refuses_until_open_seconds_have_passed() -> None:
    cb, clock, _ = open_breaker()
    clock.advance(9.9)
    assert cb.acquire() is None
    assert cb.retry_after() == pytest.approx(0.1)
    clock.advance(0.1)
    assert cb.state == BreakerState.HALF_OPEN
    assert cb.retry_after() == 0.0


def test_half_open_lets_one_probe_through_at_a_time() -> None:
    cb, clock, _ = open_breaker()
    clock.advance(10)
    probe = permit(cb)
    assert probe.probe
    assert cb.acquire() is None, "a second call while the probe is out falls back"


def test_a_successful_probe_closes_the_breaker_with_a_fresh_window() -> None:
    cb, clock, moves = open_breaker()
    clock.advance(10)
    permit(cb).succeeded()
    assert cb.state == BreakerState.CLOSED
    assert cb.failures_in_window == 0
    assert moves == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
    fail(cb, 2)
    assert cb.state == BreakerState.CLOSED


def test_a_failed_probe_opens_the_breaker_for_another_period() -> None:
    cb, clock, _ = open_breaker()
    clock.advance(10)
    permit(cb).failed()
    assert cb.state == BreakerState.OPEN
    clock.advance(9)
    assert cb.acquire() is None
    clock.advance(1)
    assert cb.state == BreakerState.HALF_OPEN


def test_an_abandoned_probe_frees_its_slot_without_deciding() -> None:
    cb, clock, _ = open_breaker()
    clock.advance(10)
    permit(cb).abandoned()
    assert cb.state == BreakerState.HALF_OPEN
    assert permit(cb).probe


def test_an_outcome_from_an_earlier_state_changes_nothing() -> None:
    cb, clock, _ = breaker()
    slow = permit(cb)  # started while closed
    fail(cb, 3)
    clock.advance(10)
    probe = permit(cb)
    slow.succeeded()  # arrives while half open: says nothing about the probe's outcome
    assert cb.state == BreakerState.HALF_OPEN
    probe.failed()
    assert cb.state == BreakerState.OPEN


def test_an_outcome_is_counted_once() -> None:
    cb, _, _ = breaker()
    granted = permit(cb)
    granted.failed()
    granted.failed()
    granted.succeeded()
    assert cb.failures_in_window == 1


def test_several_probes_when_the_policy_allows_them() -> None:
    cb, clock, _ = breaker(BreakerPolicy(failure_threshold=1, window_calls=1, open_seconds=1, half_open_probes=2))
    fail(cb)
    clock.advance(1)
    first, second = permit(cb), permit(cb)
    assert cb.acquire() is None
    first.succeeded()
    assert cb.state == BreakerState.CLOSED
    second.failed()  # from the half-open generation: ignored once closed
    assert cb.state == BreakerState.CLOSED


@pytest.mark.parametrize(
    "policy",
    [
        {"failure_threshold": 0},
        {"failure_threshold": 5, "window_calls": 4},
        {"open_seconds": -1},
        {"half_open_probes": 0},
    ],
)
def test_a_policy_that_cannot_work_is_refused(policy: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        BreakerPolicy(**policy)  # type: ignore[arg-type]


def test_the_board_keeps_one_breaker_per_name() -> None:
    clock = ManualClock(0.0)
    board = CircuitBreakers(clock=clock)
    first = board.get("a", BreakerPolicy(failure_threshold=1, window_calls=1))
    assert board.get("a") is first
    assert board.get("b") is not first
    fail(first)
    assert board.states() == {"a": BreakerState.OPEN, "b": BreakerState.CLOSED}
