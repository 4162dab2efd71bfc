"""The reservation sweeper: a background loop that expires stale holds so their units come back.

Each pass (`sweep_once`) first expires reservations past their expiry (status, then every held
line), then settles held holds past their expiry that no live reservation accounts for (left by a
crash between steps of a saga). Everything it does is an idempotent ledger change, so several
sweepers (one per process) or a sweeper racing a confirmation cannot return a unit twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.periodic import PeriodicJob, Sweeper
from hph.services.inventory.ledger import StockLedger
from hph.services.inventory.reservations import Reservations

log = logging.getLogger("hph.inventory.sweeper")

DEFAULT_INTERVAL_SECONDS = 5.0
PAGE = 100
MAX_PAGES_PER_PASS = 50  # bounds one pass; a larger backlog continues on the next


def interval_for(hold_seconds: float) -> float:
    """Sweep every 5 s, or more often when holds are short (tests, demos), so expiry is timely."""
    return min(DEFAULT_INTERVAL_SECONDS, max(0.2, hold_seconds / 4))


class ReservationSweeper(Sweeper):
    """A `BackgroundTask`: the host starts it after the server and stops it before exit."""

    def __init__(
        self,
        reservations: Reservations,
        ledger: StockLedger,
        *,
        clock: Clock,
        interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
    ) -> None:
        if interval_seconds <= 0:
            raise ValueError("interval_seconds must be > 0")
        self._reservations = reservations
        self._ledger = ledger
        self._clock = clock
        # The first pass runs at once (holds a previous process left behind come back at start-up);
        # stop lets a pass in progress finish.
        self._job = PeriodicJob(
            self._sweep_now,
            interval=interval_seconds,
            name="hph-reservation-sweeper",
            log=log,
            failure="reservation sweep failed; retrying on the next pass",
            first_pass="now",
            stop="after_pass",
        )

    async def sweep_once(self, now: datetime) -> int:
        """Expires what is due at `now`; returns how many held lines gave their units back."""
        moment = clocks.to_iso(now)
        returned = 0
        for _ in range(MAX_PAGES_PER_PASS):
            due = await self._reservations.due(moment, PAGE)
            for doc in due:
                returned += await self._reservations.expire(doc["id"], moment)
            if len(due) < PAGE:
                break
        # Holds still held past expiry: orphans of a crashed saga, or of reservations the first
        # step could not settle. Those a live reservation still uses are skipped, so a full page
        # of skips must not loop: one page per pass.
        for hold in await self._ledger.due_holds(moment, PAGE):
            returned += await self._reservations.expire_hold(hold, moment)
        return returned

    async def _sweep_now(self) -> None:
        returned = await self.sweep_once(self._clock())
        if returned:
            log.info("expired stale holds", extra={"lines": returned})
