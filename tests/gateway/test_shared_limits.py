"""The shared rate limiter: RateLimiter's semantics, one budget across instances and processes, and its file."""

from __future__ import annotations

import errno
import fcntl
import logging
import multiprocessing
import os
import struct
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import pytest

from hph.gateway import shared_limits
from hph.gateway.shared_limits import HEADER, MAGIC, SLOT, VERSION, SharedRateLimiter
from tests.support.clocks import ManualClock
from tests.support.rate_limits import check_user_limit_applies_across_ips_and_ip_limit_still_applies_to_users


def frozen_clock() -> float:
    return 1000.0


@pytest.fixture
def table(tmp_path: Path) -> Path:
    return tmp_path / "limits.bin"


@pytest.fixture
def clock() -> ManualClock[float]:
    return ManualClock(1000.0)


class Opener:
    """Opens limiters on one path and closes them after the test."""

    def __init__(self, path: Path, clock: ManualClock[float]) -> None:
        self.path = path
        self.clock = clock
        self.opened: list[SharedRateLimiter] = []

    def __call__(self, *, ip: int = 0, user: int = 0, slots: int = 1024) -> SharedRateLimiter:
        limiter = SharedRateLimiter.open(
            self.path, per_ip_per_minute=ip, per_user_per_minute=user, clock=self.clock, slots=slots
        )
        self.opened.append(limiter)
        return limiter


@pytest.fixture
def opener(table: Path, clock: ManualClock[float]) -> Iterator[Opener]:
    opener = Opener(table, clock)
    yield opener
    for limiter in opener.opened:
        limiter.close()


def header_of(path: Path) -> tuple[bytes, int, int]:
    magic, version, slots = HEADER.unpack(path.read_bytes()[: HEADER.size])
    return magic, version, slots


# ------------------------------------------------------------------------ RateLimiter's semantics


def test_allows_the_burst_then_refuses_with_retry_after(opener: Opener, clock: ManualClock[float]) -> None:
    limiter = opener(ip=3)
    assert [limiter.check("10.0.0.1", None) for _ in range(3)] == [0, 0, 0]
    # 3 per minute refills one token every 20 s.
    assert limiter.check("10.0.0.1", None) == 20
    clock.now += 5.5
    assert limiter.check("10.0.0.1", None) == 15  # 14.5 s left, rounded up
    clock.now += 14
    assert limiter.check("10.0.0.1", None) == 1  # 0.5 s left, rounded up to whole seconds
    clock.now += 0.5
    assert limiter.check("10.0.0.1", None) == 0
    assert limiter.check("10.0.0.2", None) == 0  # other IPs have their own bucket


def test_refills_continuously_up_to_the_capacity(opener: Opener, clock: ManualClock[float]) -> None:
    limiter = opener(ip=60)
    assert all(limiter.check("10.0.0.1", None) == 0 for _ in range(60))
    assert limiter.check("10.0.0.1", None) == 1
    clock.now += 10  # one token per second
    assert [limiter.check("10.0.0.1", None) for _ in range(11)] == [0] * 10 + [1]
    clock.now += 3600  # idle far longer than a refill: capped at the capacity, not 3600 tokens
    allowed = sum(1 for _ in range(100) if limiter.check("10.0.0.1", None) == 0)
    assert allowed == 60


def test_user_limit_applies_across_ips_and_ip_limit_still_applies_to_users(opener: Opener) -> None:
    check_user_limit_applies_across_ips_and_ip_limit_still_applies_to_users(opener(ip=5, user=2))


def test_refusal_by_one_bucket_does_not_drain_the_other(opener: Opener) -> None:
    limiter = opener(ip=2, user=1)
    assert limiter.check("10.0.0.1", "ava") == 0
    assert limiter.check("10.0.0.1", "ava") > 0  # user bucket empty; the IP token is not taken
    assert limiter.check("10.0.0.1", None) == 0  # so the IP still has one left
    assert limiter.check("10.0.0.1", None) > 0


def test_refusal_by_the_ip_bucket_does_not_drain_the_user(opener: Opener) -> None:
    limiter = opener(ip=1, user=2)
    assert limiter.check("10.0.0.1", None) == 0
    assert limiter.check("10.0.0.1", "ava") > 0  # the IP is spent; ava's token is not taken
    assert limiter.check("10.0.0.2", "ava") == 0
    assert limiter.check("10.0.0.3", "ava") == 0  # so ava still had both of hers


def test_zero_disables_a_dimension(opener: Opener) -> None:
    limiter = opener(ip=0, user=0)
    assert not limiter.enabled
    assert all(limiter.check("10.0.0.1", "ava") == 0 for _ in range(1000))
    assert limiter.bucket_count() == 0

    users_only = opener(ip=0, user=1)
    assert users_only.enabled
    assert all(users_only.check("10.0.0.1", None) == 0 for _ in range(100))  # anonymous: unlimited
    assert users_only.check("10.0.0.1", "ava") == 0
    assert users_only.check("10.0.0.1", "ava") == 60

    ips_only = opener(ip=1, user=0)
    assert ips_only.check("10.0.0.9", "ava") == 0
    assert ips_only.check("10.0.0.8", "ava") == 0  # the user limit is off
    assert ips_only.check("10.0.0.9", "bob") == 60


def test_an_ip_and_a_user_with_the_same_name_have_separate_buckets(opener: Opener) -> None:
    limiter = opener(ip=1, user=1)
    assert limiter.check("ava", None) == 0
    assert limiter.check("10.0.0.1", "ava") == 0  # the user ava is not the IP "ava"
    assert limiter.check("10.0.0.2", "ava") > 0


def test_any_subject_string_is_a_key(opener: Opener) -> None:
    limiter = opener(user=1)
    # An unverified JWT `sub` may decode to a lone surrogate, which plain UTF-8 cannot encode.
    assert limiter.check("10.0.0.1", "\ud800") == 0
    assert limiter.check("10.0.0.1", "\ud800") == 60
    assert limiter.check("10.0.0.1", "\ud801") == 0


def test_bucket_count_counts_buckets_until_they_refill(opener: Opener, clock: ManualClock[float]) -> None:
    limiter = opener(ip=60, user=60)
    assert limiter.bucket_count() == 0
    limiter.check("10.0.0.1", "ava")
    limiter.check("10.0.0.2", None)
    assert limiter.bucket_count() == 3
    clock.now += 1  # one token per second: full again, the same as no bucket
    assert limiter.bucket_count() == 0


# --------------------------------------------------------------------------------- sharing


def test_two_instances_on_one_path_share_the_budget(opener: Opener) -> None:
    first, second = opener(ip=4, user=3), opener(ip=4, user=3)
    assert first.check("10.0.0.1", "ava") == 0
    assert second.check("10.0.0.2", "ava") == 0
    assert first.check("10.0.0.3", "ava") == 0
    assert second.check("10.0.0.4", "ava") == 20  # ava's 3 were spent through both instances
    assert second.check("10.0.0.1", None) == 0
    assert first.check("10.0.0.1", None) == 0
    assert second.check("10.0.0.1", None) == 0
    assert first.check("10.0.0.1", None) == 15  # and 10.0.0.1's 4


def test_a_reopened_table_keeps_its_buckets(opener: Opener) -> None:
    with SharedRateLimiter.open(
        opener.path, per_ip_per_minute=1, per_user_per_minute=0, clock=opener.clock, slots=1024
    ) as limiter:
        assert limiter.check("10.0.0.1", None) == 0
    assert opener(ip=1).check("10.0.0.1", None) == 60


HAMMER = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path

    from hph.gateway.shared_limits import SharedRateLimiter


    def frozen_clock() -> float:
        return 1000.0


    path, ip, checks, limit, go = sys.argv[1:]
    limiter = SharedRateLimiter.open(
        Path(path), per_ip_per_minute=0, per_user_per_minute=int(limit), clock=frozen_clock, slots=1024
    )
    print("ready", flush=True)
    while not Path(go).exists():
        time.sleep(0.001)
    allowed = sum(1 for _ in range(int(checks)) if limiter.check(ip, "ava") == 0)
    print(allowed, limiter.lock_timeouts, flush=True)
    """
)


@pytest.mark.integration  # processes racing on one table
def test_two_processes_never_lose_an_update(table: Path, tmp_path: Path) -> None:
    checks, limit = 20_000, 15_000  # more checks than the limit in total, fewer in each process
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", HAMMER, str(table), f"10.0.0.{index}", str(checks), str(limit), str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in (1, 2)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        go.touch()  # both are mapped: start together so their checks interleave
        outputs = [worker.communicate(timeout=60)[0].split() for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert all(worker.returncode == 0 for worker in workers)
    allowed, timeouts = (sum(int(output[column]) for output in outputs) for column in (0, 1))
    # A lost update (two processes reading the same token count) would allow more than the limit.
    # A check that timed out waiting for the lock (its holder descheduled for over LOCK_WAIT on a
    # busy machine) is served without touching the table: every other check took a token or not.
    assert allowed - timeouts == limit, outputs


def run_forked(
    target: Callable[..., None], before: tuple[Any, ...], after: tuple[Any, ...], *, count: int
) -> list[tuple[int, int]]:
    """Forks `count` processes running `target(*before, go, *after, results)`, lets them all go at
    once and returns what each put in `results`."""
    context = multiprocessing.get_context("fork")
    go = context.Event()
    results: Queue[tuple[int, int]] = context.Queue()
    children = [context.Process(target=target, args=(*before, go, *after, results)) for _ in range(count)]
    try:
        for child in children:
            child.start()
        go.set()
        return [results.get(timeout=60) for _ in children]
    finally:
        for child in children:
            child.join(timeout=10)
            if child.is_alive():
                child.kill()


def hammer_inherited(limiter: SharedRateLimiter, go: Event, checks: int, results: Queue[tuple[int, int]]) -> None:
    go.wait()
    allowed = sum(1 for _ in range(checks) if limiter.check("10.0.0.1", "ava") == 0)
    results.put((allowed, limiter.lock_timeouts))


@pytest.mark.integration  # processes racing on one table
def test_an_instance_inherited_over_fork_still_excludes_other_processes(table: Path) -> None:
    checks, limit = 20_000, 15_000
    limiter = SharedRateLimiter.open(table, per_ip_per_minute=0, per_user_per_minute=limit, clock=frozen_clock)
    try:
        outcomes = run_forked(hammer_inherited, (limiter,), (checks,), count=2)
    finally:
        limiter.close()
    # Children sharing the parent's descriptor would share its flock too, which then excludes nothing.
    # Checks served unchecked after a lock timeout (see the test above) did not touch the table.
    assert sum(allowed - timeouts for allowed, timeouts in outcomes) == limit, outcomes


# ------------------------------------------------------------------------------------ the file


def test_creates_the_file_sized_for_its_slots(opener: Opener) -> None:
    opener(ip=1, slots=100)
    assert opener.path.stat().st_size == HEADER.size + 100 * SLOT.size
    assert header_of(opener.path) == (MAGIC, VERSION, 100)
    assert not [path for path in opener.path.parent.iterdir() if path != opener.path]  # no leftovers


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff" * (HEADER.size + 64 * SLOT.size), id="garbage of the right size"),
        pytest.param(HEADER.pack(MAGIC, VERSION + 1, 64) + b"\xff" * (64 * SLOT.size), id="another version"),
        pytest.param(HEADER.pack(MAGIC, VERSION, 32) + b"\xff" * (64 * SLOT.size), id="another slot count"),
        pytest.param(HEADER.pack(MAGIC, VERSION, 64) + b"\xff" * (32 * SLOT.size), id="truncated"),
    ],
)
def test_a_file_with_a_wrong_size_or_header_is_reinitialised(opener: Opener, content: bytes) -> None:
    opener.path.write_bytes(content)
    limiter = opener(ip=1, slots=64)
    assert opener.path.stat().st_size == HEADER.size + 64 * SLOT.size
    assert header_of(opener.path) == (MAGIC, VERSION, 64)
    assert limiter.bucket_count() == 0  # every slot empty, none left from the old bytes
    assert limiter.check("10.0.0.1", None) == 0
    assert limiter.check("10.0.0.1", None) == 60


def test_replacing_a_mismatched_table_leaves_its_current_users_working(opener: Opener) -> None:
    old = opener(ip=1, slots=64)
    assert old.check("10.0.0.1", None) == 0
    new = opener(ip=1, slots=128)  # another slot count: a new file, renamed over the old one
    assert header_of(opener.path) == (MAGIC, VERSION, 128)
    assert new.check("10.0.0.1", None) == 0
    # The old mapping still points at valid memory (a truncated one would fault) and its own buckets.
    assert old.check("10.0.0.1", None) == 60
    assert old.check("10.0.0.2", None) == 0


def test_closed_limiter_refuses_to_check(opener: Opener) -> None:
    limiter = opener(ip=1)
    limiter.close()
    limiter.close()  # idempotent
    with pytest.raises(ValueError):
        limiter.check("10.0.0.1", None)


def test_rejects_a_table_without_slots(table: Path) -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        SharedRateLimiter.open(table, per_ip_per_minute=1, per_user_per_minute=0, clock=frozen_clock, slots=0)


def test_a_bucket_updated_after_the_clock_reading_counts_as_fresh(opener: Opener, clock: ManualClock[float]) -> None:
    # A file kept over a reboot holds times of the previous boot's monotonic clock, far ahead of the
    # new one; honouring them would refuse those keys until the new clock caught up.
    limiter = opener(ip=1)
    clock.now = 1_000_000.0
    assert limiter.check("10.0.0.1", None) == 0
    assert limiter.check("10.0.0.1", None) == 60
    clock.now = 5.0
    assert limiter.check("10.0.0.1", None) == 0


# ------------------------------------------------------------------------------- the slots


def test_more_keys_than_slots_degrades_by_serving(opener: Opener, clock: ManualClock[float]) -> None:
    limiter = opener(ip=1, user=1, slots=4)
    assert all(limiter.check(f"10.0.{index // 256}.{index % 256}", f"user{index}") == 0 for index in range(1000))
    assert limiter.bucket_count() <= 4
    # The table still limits the keys it holds: the most recent ones are stored.
    assert limiter.check("10.0.3.231", None) == 60
    clock.now += 60
    assert limiter.bucket_count() == 0


def allowed(limiter: SharedRateLimiter, ip: str, checks: int) -> int:
    return sum(1 for _ in range(checks) if limiter.check(ip, None) == 0)


def test_a_refilled_bucket_gives_its_slot_before_a_refilling_one_is_replaced(
    opener: Opener, clock: ManualClock[float]
) -> None:
    limiter = opener(ip=60, slots=2)  # both slots in every key's probe; one token per second
    assert allowed(limiter, "10.0.0.1", 10) == 10  # full again 10 s from now
    clock.now += 5
    assert allowed(limiter, "10.0.0.2", 10) == 10  # full again at +15 s
    clock.now += 7
    # 10.0.0.3 gets a slot (a key without one would be unlimited): 10.0.0.1's, refilled at +10 s.
    assert allowed(limiter, "10.0.0.3", 100) == 60
    assert allowed(limiter, "10.0.0.2", 100) == 57  # kept its bucket: 50 + 7 refilled


def test_when_no_probed_bucket_has_refilled_the_one_full_soonest_is_replaced(
    opener: Opener, clock: ManualClock[float]
) -> None:
    limiter = opener(ip=60, slots=2)
    assert allowed(limiter, "10.0.0.1", 10) == 10  # full again at +10 s
    clock.now += 2
    assert allowed(limiter, "10.0.0.2", 20) == 20  # full again at +22 s
    clock.now += 3
    assert allowed(limiter, "10.0.0.3", 100) == 60  # replaces 10.0.0.1's bucket, full soonest
    assert allowed(limiter, "10.0.0.2", 100) == 43  # kept its bucket: 40 + 3 refilled
    assert allowed(limiter, "10.0.0.1", 100) == 60  # starts over with a full bucket: errs towards serving


def test_a_new_key_never_replaces_the_bucket_of_the_other_key_in_its_check(opener: Opener) -> None:
    limiter = opener(ip=1, user=1, slots=2)
    assert limiter.check("10.0.0.1", "ava") == 0  # both new: each gets one of the two slots
    assert limiter.check("10.0.0.1", None) == 60
    # 10.0.0.2 must replace a refilling bucket: 10.0.0.1's, never ava's, which would let ava through.
    assert limiter.check("10.0.0.2", "ava") == 60


def test_a_new_ip_and_a_new_user_never_share_a_slot(opener: Opener) -> None:
    limiter = opener(ip=1, user=1, slots=1)
    assert limiter.check("10.0.0.1", "ava") == 0  # the one slot goes to the IP; ava goes unstored
    assert limiter.check("10.0.0.1", None) == 60  # and did not overwrite the IP's bucket


def test_a_new_ip_may_take_the_refilled_slot_of_the_user_in_the_same_check(
    opener: Opener, clock: ManualClock[float]
) -> None:
    opener(user=1, slots=1).check("10.0.0.9", "ava")  # ava's bucket in the only slot
    clock.now += 60  # refilled: the slot is free
    limiter = opener(ip=1, user=1, slots=1)
    assert limiter.check("10.0.0.1", "ava") == 0  # the IP takes ava's slot; ava must not write there too
    assert limiter.check("10.0.0.1", None) == 60


def test_slot_layout_is_little_endian_key_tokens_updated(opener: Opener, clock: ManualClock[float]) -> None:
    limiter = opener(ip=60, slots=1)
    assert limiter.check("10.0.0.1", None) == 0
    key, tokens, updated = struct.unpack_from("<Qdd", opener.path.read_bytes(), HEADER.size)
    assert key != 0
    assert key & 1 == 0  # the IP dimension
    assert (tokens, updated) == (59.0, clock.now)


# ------------------------------------------------------------------------------------ the lock


class Held:
    """The table's flock held through another open file description, as another worker's would be."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_RDWR)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # releases the flock
            self.fd = -1


@pytest.fixture
def hold(table: Path) -> Iterator[Callable[[], Held]]:
    held: list[Held] = []

    def take() -> Held:
        held.append(Held(table))
        return held[-1]

    yield take
    for lock in held:
        lock.release()


def timed(call: Callable[[], int], release: Callable[[], None], bound: float) -> tuple[int, float]:
    """Runs `call` in a thread: its result and duration, failing (not hanging) if it outlasts `bound`.

    A check that blocks on the lock would wait for the holder; `release` frees it so the thread ends.
    """
    outcome: list[tuple[int, float]] = []

    def run() -> None:
        started = time.perf_counter()
        result = call()
        outcome.append((result, time.perf_counter() - started))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=bound)
    if thread.is_alive():
        release()
        thread.join(timeout=10)
        pytest.fail(f"the call still waited for the lock after {bound} s")
    assert outcome, "the call raised"
    return outcome[0]


def test_a_check_that_cannot_lock_the_table_is_served_without_touching_it(
    opener: Opener, hold: Callable[[], Held], caplog: pytest.LogCaptureFixture
) -> None:
    limiter = opener(ip=1)
    assert limiter.check("10.0.0.1", None) == 0  # 10.0.0.1 has spent its one token
    stored = opener.path.read_bytes()
    held = hold()
    caplog.set_level(logging.WARNING, logger="hph.gateway.limits")

    # The first check waits LOCK_WAIT (2 ms) for the lock, then serves: fail open.
    result, elapsed = timed(lambda: limiter.check("10.0.0.1", None), held.release, bound=1.0)
    assert (result, limiter.lock_timeouts) == (0, 1)
    assert elapsed < 0.05, elapsed
    # Until the lock is had again the others do not wait at all (100 waits of 2 ms would take 0.2 s).
    total = 0.0
    for count in range(2, 102):
        result, elapsed = timed(partial(limiter.check, f"10.0.1.{count}", "ava"), held.release, bound=1.0)
        assert (result, limiter.lock_timeouts) == (0, count)
        total += elapsed
    assert total < 0.1, total
    assert opener.path.read_bytes() == stored  # nothing read, nothing written
    # One warning, not one per request.
    warnings = [record for record in caplog.records if record.name == "hph.gateway.limits"]
    assert len(warnings) == 1, [record.getMessage() for record in warnings]
    assert str(opener.path) in warnings[0].getMessage()
    assert warnings[0].levelno == logging.WARNING

    held.release()
    assert limiter.check("10.0.0.1", None) == 60  # counted again: its bucket is still empty
    assert limiter.check("10.0.0.2", None) == 0
    assert limiter.check("10.0.0.2", None) == 60
    assert limiter.lock_timeouts == 101
    assert limiter.bucket_count() == 2


def test_the_warning_about_unchecked_requests_comes_once_an_interval_with_their_count(
    opener: Opener, hold: Callable[[], Held], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiter = opener(ip=1)
    hold()
    caplog.set_level(logging.WARNING, logger="hph.gateway.limits")
    assert all(limiter.check("10.0.0.1", None) == 0 for _ in range(50))
    monkeypatch.setattr(shared_limits, "WARN_INTERVAL", 0.0)  # as if the interval had passed
    assert limiter.check("10.0.0.1", None) == 0
    messages = [record.getMessage() for record in caplog.records if record.name == "hph.gateway.limits"]
    assert len(messages) == 2, messages
    assert " 1 request(s) served unchecked" in messages[0]
    assert " 50 request(s) served unchecked" in messages[1]  # the 49 unreported and this one
    assert limiter.lock_timeouts == 51


def test_a_check_does_not_wait_behind_another_thread_waiting_for_the_lock(
    opener: Opener, hold: Callable[[], Held]
) -> None:
    limiter = opener(ip=1)
    held = hold()
    # bucket_count waits for the file lock as long as it takes, holding the limiter's thread lock.
    counter = threading.Thread(target=limiter.bucket_count, daemon=True)
    counter.start()
    deadline = time.monotonic() + 5
    while not limiter._thread_lock.locked():
        assert time.monotonic() < deadline
        time.sleep(0.001)
    try:
        result, elapsed = timed(lambda: limiter.check("10.0.0.1", None), held.release, bound=1.0)
        assert (result, limiter.lock_timeouts) == (0, 1)
        assert elapsed < 0.05, elapsed
    finally:
        held.release()
        counter.join(timeout=10)
    assert limiter.check("10.0.0.1", None) == 0
    assert limiter.check("10.0.0.1", None) == 60


# --------------------------------------------------------------------- without hard links


def no_hard_links(monkeypatch: pytest.MonkeyPatch, before: Callable[[], None] | None = None) -> list[int]:
    """Makes os.link fail as on vfat (EPERM), after running `before` on the first call; counts calls."""
    calls: list[int] = []

    def link(source: object, target: object, *args: object, **kwargs: object) -> None:
        calls.append(1)
        if before is not None and len(calls) == 1:
            before()
        raise OSError(errno.EPERM, "Operation not permitted", str(source), None, str(target))

    monkeypatch.setattr(os, "link", link)
    return calls


def inode(fd: int) -> int:
    return os.fstat(fd).st_ino


def test_without_hard_links_the_table_is_created_in_place(opener: Opener, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = no_hard_links(monkeypatch)
    limiter = opener(ip=1, slots=64)
    assert calls  # the fallback was taken
    assert opener.path.stat().st_size == HEADER.size + 64 * SLOT.size
    assert header_of(opener.path) == (MAGIC, VERSION, 64)
    assert not [path for path in opener.path.parent.iterdir() if path != opener.path]  # no leftovers
    assert limiter.bucket_count() == 0
    assert limiter.check("10.0.0.1", None) == 0
    assert opener(ip=1, slots=64).check("10.0.0.1", None) == 60  # the next opener maps the same table


def test_without_hard_links_two_racing_openers_share_one_table(opener: Opener, monkeypatch: pytest.MonkeyPatch) -> None:
    # The second opener runs all through while the first is about to publish the table it built:
    # publishing must not put the first one's file over the table the second has mapped.
    racer: list[SharedRateLimiter] = []
    no_hard_links(monkeypatch, before=lambda: racer.append(opener(ip=1, user=2, slots=64)))
    first = opener(ip=1, user=2, slots=64)
    (second,) = racer
    at_path = opener.path.stat().st_ino
    assert inode(first._fd) == inode(second._fd) == at_path
    assert first.check("10.0.0.1", "ava") == 0
    assert second.check("10.0.0.1", None) == 60
    assert second.check("10.0.0.2", "ava") == 0
    assert first.check("10.0.0.3", "ava") == 30
    assert not [path for path in opener.path.parent.iterdir() if path != opener.path]


def open_and_report(path: Path, go: Event, results: Queue[tuple[int, int]]) -> None:
    go.wait()
    limiter = SharedRateLimiter.open(path, per_ip_per_minute=1, per_user_per_minute=0, clock=frozen_clock, slots=64)
    results.put((inode(limiter._fd), limiter.check("10.0.0.1", None)))
    limiter.close()


@pytest.mark.integration  # processes racing on one table
def test_without_hard_links_many_racing_processes_share_one_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_hard_links(monkeypatch)  # inherited over fork
    for round in range(5):
        path = tmp_path / f"limits-{round}.bin"
        outcomes = run_forked(open_and_report, (path,), (), count=6)
        assert {opened for opened, _ in outcomes} == {path.stat().st_ino}, outcomes
        assert sorted(result for _, result in outcomes) == [0] + [60] * 5, outcomes  # one budget
