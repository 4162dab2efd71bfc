"""PeriodicJob: the loop every service sweeper runs on (hph.runtime.periodic)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from hph.runtime.periodic import PeriodicJob, StopMode

log = logging.getLogger("tests.periodic")


async def test_first_pass_waits_one_interval_by_default() -> None:
    passes: list[float] = []
    loop = asyncio.get_running_loop()

    async def run_pass() -> None:
        passes.append(loop.time())

    job = PeriodicJob(run_pass, interval=0.05, name="t-after", log=log, failure="failed")
    started = loop.time()
    await job.start()
    await asyncio.sleep(0.01)
    assert passes == []
    await asyncio.sleep(0.08)
    await job.stop()
    assert passes and passes[0] - started >= 0.04


async def test_first_pass_now_and_a_failing_pass_is_logged_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    calls = 0

    async def run_pass() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("boom")

    job = PeriodicJob(run_pass, interval=0.01, name="t-now", log=log, failure="pass failed", first_pass="now")
    with caplog.at_level(logging.ERROR, logger="tests.periodic"):
        await job.start()
        await asyncio.sleep(0.05)
        await job.stop()
    assert calls >= 2
    assert [r.getMessage() for r in caplog.records] == ["pass failed"]


async def test_start_is_idempotent_and_names_the_task() -> None:
    job = PeriodicJob(asyncio.sleep, interval=10, name="t-named", log=log, failure="failed")
    await job.start()
    await job.start()
    assert len([t for t in asyncio.all_tasks() if t.get_name() == "t-named"]) == 1
    await job.stop()
    await job.stop()  # stopping twice is a no-op
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "t-named"]


async def test_cancel_stop_interrupts_a_pass_and_after_pass_stop_lets_it_finish() -> None:
    finished: list[str] = []
    entered = asyncio.Event()

    def slow(mode: StopMode) -> PeriodicJob:
        async def run_pass() -> None:
            entered.set()
            await asyncio.sleep(0.05)
            finished.append(mode)

        return PeriodicJob(run_pass, interval=10, name=mode, log=log, failure="failed", first_pass="now", stop=mode)

    modes: tuple[StopMode, ...] = ("cancel", "after_pass")
    for mode in modes:
        entered.clear()
        job = slow(mode)
        await job.start()
        await entered.wait()
        await job.stop()
    assert finished == ["after_pass"]
