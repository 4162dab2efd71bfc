"""One home for the background loops of services: run a pass every `interval` seconds until stopped.

Several services keep a sweeper (overdue orders, out-of-sync shipments, stale stock holds) that the
host starts after the server and stops before exit (`deps.BackgroundTask`). They all need the same
care: one task per sweeper, a failed pass logged and retried on the next interval instead of ending
the loop, and a stop that waits for the task so nothing runs after the host closes the store. A
sweeper is a `Sweeper`: it builds its `PeriodicJob` and keeps its own `sweep_once`; `start`/`stop`
are the job's.

The sweepers differ in two ways, both kept as parameters:
- `first_pass`: "after_interval" waits one interval before the first pass; "now" runs it at once
  (e.g. to expire what a previous process left behind).
- `stop`: "cancel" cancels the task wherever it is, a pass in progress included; "after_pass" lets
  a pass in progress finish and only interrupts the wait between passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Literal

FirstPass = Literal["after_interval", "now"]
StopMode = Literal["cancel", "after_pass"]


class PeriodicJob:
    """Runs `run_pass` every `interval` seconds in a task named `name`; a pass that raises is logged
    on `log` with `failure` (and the traceback) and the loop carries on."""

    def __init__(
        self,
        run_pass: Callable[[], Awaitable[object]],
        *,
        interval: float,
        name: str,
        log: logging.Logger,
        failure: str,
        first_pass: FirstPass = "after_interval",
        stop: StopMode = "cancel",
    ) -> None:
        self._run_pass = run_pass
        self._interval = interval
        self._name = name
        self._log = log
        self._failure = failure
        self._first_pass = first_pass
        self._stop_mode = stop
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        """Starts the loop (no-op when it is already running)."""
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        """Stops the loop and waits for its task (no-op when it is not running)."""
        task, self._task = self._task, None
        if task is None:
            return
        if self._stop_mode == "after_pass":
            self._stopping.set()
            await task
        else:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        if self._first_pass == "after_interval":
            await self._pause()
        while not self._stopping.is_set():
            try:
                await self._run_pass()
            except Exception:
                self._log.exception(self._failure)
            await self._pause()

    async def _pause(self) -> None:
        """Waits one interval, or less when an "after_pass" stop is asked for."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self._interval)


class Sweeper:
    """The `BackgroundTask` side of a sweeper: starting and stopping it starts and stops its job
    (`_job`, set by the subclass's constructor)."""

    _job: PeriodicJob

    async def start(self) -> None:
        await self._job.start()

    async def stop(self) -> None:
        await self._job.stop()
