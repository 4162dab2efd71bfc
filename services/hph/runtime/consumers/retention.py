"""Retention of the event backbone: the host trims the log, and with it what only matters while an
event can still be delivered.

Every pass (hourly): each topic's events enqueued before now - `retention` are trimmed
(`EventLog.trim`; Event Hubs applies its hub's own retention instead), the groups' ledger marks of
events that old are purged (such an event can never be delivered again), and so are dead letters
replayed that long ago. Parked dead letters stay until an operator replays them: they are the only
copy of an event the log no longer holds.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from hph.runtime.clock import Clock, system_clock
from hph.runtime.consumers.dead_letters import DeadLetterStore
from hph.runtime.consumers.ledger import HandledLedger
from hph.runtime.eventlog import EventLog
from hph.runtime.periodic import PeriodicJob, Sweeper

log = logging.getLogger("hph.consumers")

RETENTION_PASS_SECONDS = 3600.0


class RetentionSweeper(Sweeper):
    """A `BackgroundTask`: one retention pass at start, then one every `interval` seconds."""

    def __init__(
        self,
        log_: EventLog,
        ledger: HandledLedger,
        dead_letters: DeadLetterStore,
        *,
        retention: timedelta,
        interval: float = RETENTION_PASS_SECONDS,
        clock: Clock = system_clock,
    ) -> None:
        if retention <= timedelta(0):
            raise ValueError("the event retention must be positive")
        self._log = log_
        self._ledger = ledger
        self._dead_letters = dead_letters
        self._retention = retention
        self._clock = clock
        self._job = PeriodicJob(
            self.sweep_once,
            interval=interval,
            name="hph-event-retention",
            log=log,
            failure="event retention pass failed; retried on the next pass",
            first_pass="now",
        )

    async def sweep_once(self) -> dict[str, int]:
        """One pass; returns how many events, ledger marks and dead letters it removed."""
        cutoff = self._clock() - self._retention
        events = 0
        for topic in await self._log.topics():
            events += await self._log.trim(topic, cutoff)
        removed = {
            "events": events,
            "ledger_marks": await self._ledger.purge(cutoff),
            "dead_letters": await self._dead_letters.purge_replayed(cutoff),
        }
        if any(removed.values()):
            log.info("event retention pass", extra={**removed, "older_than": cutoff.isoformat()})
        return removed
