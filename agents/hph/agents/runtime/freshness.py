"""A projection's "data as of": what DataFreshness.data_as_of reports.

The contract (explanation.proto) defines it as the enqueue time of the newest event the projection
applied; a projection built from the services' state also counts the time it read that state. The
handler calls `applied(delivery)` after an event changed the projection; the build calls
`observed(read_at)`. Times only move forward (partitions deliver out of order with each other).
"""

from __future__ import annotations

from datetime import datetime

from hph.runtime.consumers import Delivery


class FreshnessTracker:
    def __init__(self) -> None:
        self.data_as_of: datetime | None = None

    def observed(self, moment: datetime) -> None:
        """The projection holds the platform's state as of `moment`."""
        if self.data_as_of is None or moment > self.data_as_of:
            self.data_as_of = moment

    def applied(self, delivery: Delivery) -> None:
        """The projection applied this event (its enqueued time counts)."""
        self.observed(delivery.enqueued_at)
