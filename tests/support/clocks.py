"""A clock the test moves by hand, for code that takes its clock as a callable (monotonic seconds or
an aware datetime)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Generic, TypeVar

Moment = TypeVar("Moment", float, datetime)


class ManualClock(Generic[Moment]):
    """Stands still at `now` until the test sets or advances it."""

    def __init__(self, now: Moment) -> None:
        self.now: Moment = now

    def __call__(self) -> Moment:
        return self.now

    def advance(self, seconds: float) -> None:
        """Moves the clock on by `seconds`."""
        if isinstance(self.now, datetime):
            self.now = self.now + timedelta(seconds=seconds)
        else:
            self.now = self.now + seconds
