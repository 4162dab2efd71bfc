"""Cancels pending orders whose payment is overdue (the contract: "awaiting payment until
payment_due_at, then cancelled automatically"), which also gives their stock back.

A background task: every `interval` seconds it looks for pending orders whose payment_due_at passed
more than `grace` ago (the grace lets a payment already being captured land first) and hands each
to `cancel`, which re-checks the order under its etag, so a payment that wins the race is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.periodic import PeriodicJob, Sweeper
from hph.runtime.storage import And, Container, Document, Eq, Lt, OrderBy, Query

log = logging.getLogger("hph.orders.expiry")

DEFAULT_INTERVAL_SECONDS = 30.0
DEFAULT_GRACE = timedelta(seconds=60)
BATCH = 100


class OverdueOrderSweeper(Sweeper):
    def __init__(
        self,
        orders: Container,
        cancel: Callable[[Document], Awaitable[None]],
        *,
        clock: Clock,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        grace: timedelta = DEFAULT_GRACE,
    ) -> None:
        self._orders = orders
        self._cancel = cancel
        self._clock = clock
        self._grace = grace
        self._job = PeriodicJob(
            self.sweep_once,
            interval=interval,
            name="hph-orders-overdue-sweeper",
            log=log,
            failure="overdue order sweep failed",
        )

    async def sweep_once(self, *, now: datetime | None = None) -> int:
        """Cancels up to one batch of overdue orders as of `now` (default: the clock); returns how
        many it handed to `cancel`."""
        cutoff = clocks.to_iso((now or self._clock()) - self._grace)
        page = await self._orders.query(
            Query(
                where=And(Eq("kind", "order"), Eq("status", "pending"), Lt("payment_due_at", cutoff)),
                order_by=(OrderBy("payment_due_at"),),
            ),
            max_items=BATCH,
        )
        for doc in page.items:
            try:
                await self._cancel(doc)
            except Exception:
                log.exception("could not cancel overdue order %s; retrying next sweep", doc.get("id"))
        return len(page.items)
