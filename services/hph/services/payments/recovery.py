"""Finishes what a dead host left half done with a payment, so no charge is left hanging.

A retry of the same CreatePayment already completes an interrupted charge (see `charging`). This
sweeper is for the charges nobody retries: a client that gave up, a browser closed while its host
died. Every `interval` seconds it looks for two leftovers older than `grace`:

1. **Abandoned charges**: pending, not waiting for a webhook, lease run out. The order's claim says
   whether the attempt could have reached the provider (the claim is taken before the provider is
   called):
   - the claim names the payment: the provider may have charged. The sweeper takes the payment over
     and calls the provider again with the same idempotency key, which replays a charge already made
     (or makes the one the customer asked for); the outcome then runs its follow-ups. If the order
     can no longer take it (cancelled for being overdue meanwhile), the follow-ups refund it, so the
     customer is never left charged for nothing.
   - no claim, or another payment's: nothing was charged. The payment is removed, freeing its key,
     exactly as a failed claim does in the request itself.
2. **Stored outcomes whose follow-ups never ran** (`order_recorded` false): the sweeper runs them:
   confirm the stock hold and record the payment on the order (or refund a capture the order
   refuses). Both are idempotent, so a pass racing a retry does no harm.

Intents (CreatePaymentIntent) are left alone: their charge is confirmed in the browser and settled by
the provider's webhook, which the provider retries for days.

Every host runs one; takeovers are compare-and-swap on the payment's etag, so two sweepers (or a
sweeper and a retry) never drive one payment twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Literal

from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.periodic import PeriodicJob, Sweeper
from hph.runtime.storage import And, Document, Eq, In, Lt, OrderBy, Query
from hph.services.payments import rules
from hph.services.payments.charging import Charger
from hph.services.payments.ledger import IS_PAYMENT, PaymentLedger

log = logging.getLogger("hph.payments.recovery")

DEFAULT_INTERVAL_SECONDS = 30.0
# Room for a request still finishing its follow-ups, beyond the lease of an abandoned attempt.
DEFAULT_GRACE = timedelta(seconds=60)
BATCH = 100
OLDEST_FIRST = (OrderBy("updated_at"),)
SETTLED_STATUSES = sorted({rules.SUCCEEDED, rules.FAILED, rules.REQUIRES_ACTION} | rules.CAPTURED_STATUSES)

Outcome = Literal["resumed", "discarded", "taken", "completed", "failed"]


class AbandonedPaymentSweeper(Sweeper):
    """A `BackgroundTask`: the host starts it after the server and stops it before exit."""

    def __init__(
        self,
        ledger: PaymentLedger,
        charger: Charger,
        *,
        clock: Clock,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        grace: timedelta = DEFAULT_GRACE,
    ) -> None:
        self._ledger = ledger
        self._charger = charger
        self._clock = clock
        self._grace = grace
        self._job = PeriodicJob(
            self.sweep_once,
            interval=interval,
            name="hph-payments-recovery-sweeper",
            log=log,
            failure="payment recovery sweep failed",
        )

    async def sweep_once(self, *, now: datetime | None = None) -> Counter[Outcome]:
        """One pass as of `now` (default: the clock): what happened to each leftover found."""
        cutoff = clocks.to_iso((now or self._clock()) - self._grace)
        outcomes: Counter[Outcome] = Counter()
        for doc in await self._leftovers(abandoned_charges(cutoff)):
            outcomes[await self._guarded(doc, self._recover_charge)] += 1
        for doc in await self._leftovers(unrecorded_outcomes(cutoff)):
            outcomes[await self._guarded(doc, self._complete)] += 1
        if outcomes:
            log.info("payment recovery pass", extra={"outcomes": dict(outcomes)})
        return outcomes

    async def _leftovers(self, where: And) -> list[Document]:
        page = await self._ledger.container.query(Query(where=where, order_by=OLDEST_FIRST), max_items=BATCH)
        return page.items

    async def _guarded(self, doc: Document, recover: Callable[[Document], Awaitable[Outcome]]) -> Outcome:
        try:
            return await recover(doc)
        except Exception:
            # The next pass tries again (the provider or the orders service may be back by then).
            log.exception("could not recover payment %s; retrying next pass", doc.get("id"))
            return "failed"

    async def _recover_charge(self, doc: Document) -> Outcome:
        claim = await self._ledger.read_claim(doc["user_id"], doc["order_id"])
        if claim is None or claim["payment_id"] != doc["id"]:
            await self._ledger.delete(doc)
            log.info("discarded payment %s: its attempt stopped before reaching the provider", doc["id"])
            return "discarded"
        resumed = await self._charger.resume_abandoned(doc)
        if resumed is None:
            return "taken"
        log.warning("resumed abandoned payment %s of order %s: %s", doc["id"], doc["order_id"], resumed["status"])
        return "resumed"

    async def _complete(self, doc: Document) -> Outcome:
        await self._charger.complete(doc)
        log.warning("ran the follow-ups of payment %s (order %s) left undone", doc["id"], doc["order_id"])
        return "completed"


def abandoned_charges(cutoff: str) -> And:
    """Charges nobody is working on: pending, no webhook awaited, lease gone since before `cutoff`."""
    return And(
        IS_PAYMENT,
        Eq("source", rules.SOURCE_CHARGE),
        Eq("status", rules.PENDING),
        Eq("awaiting_provider", False),
        Lt("lease_until", cutoff),  # "" (released) sorts first
        Lt("updated_at", cutoff),
    )


def unrecorded_outcomes(cutoff: str) -> And:
    """Outcomes stored before `cutoff` whose follow-ups (stock, order) are not known to have run."""
    return And(IS_PAYMENT, In("status", SETTLED_STATUSES), Eq("order_recorded", False), Lt("updated_at", cutoff))
