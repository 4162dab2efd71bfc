"""Time, injectable: services take a Clock so tests can pin 'now'."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from google.protobuf import timestamp_pb2

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class SimulatedClock:
    """A clock a driver moves forward by hand (the demo history generator runs the platform on one
    to write the past): it stands at `now` and never goes back, so stored times stay in order."""

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self._now

    def advance_to(self, moment: datetime) -> None:
        """Moves the clock to `moment`; a moment earlier than now leaves it where it is."""
        self._now = max(self._now, moment.astimezone(UTC))


# The storage form, e.g. 2026-11-25T19:28:52.123456Z: fixed width, so text order is time order.
_ISO_LENGTH = len("2026-11-25T19:28:52.123456Z")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_iso(moment: datetime) -> str:
    """Storage form of a timestamp: RFC 3339 UTC with microseconds, sortable as text."""
    # isoformat() rather than strftime(): the same text at a fraction of the cost (it is on every write).
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_iso(text: str) -> datetime:
    """Parses the storage form (only that form: anything else is a ValueError)."""
    if len(text) == _ISO_LENGTH and text[-1] == "Z" and text[10] == "T" and text[19] == ".":
        # Python reads the "Z" as UTC itself: a fifth of the cost of parsing the naive prefix and
        # replacing its tzinfo (this runs for every stored timestamp a read turns into a datetime).
        return datetime.fromisoformat(text)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def to_timestamp(text_or_moment: str | datetime | None) -> timestamp_pb2.Timestamp | None:
    """Wire form of a stored timestamp (None stays unset)."""
    if not text_or_moment:
        return None
    moment = from_iso(text_or_moment) if isinstance(text_or_moment, str) else text_or_moment
    # Integer arithmetic on the timedelta: exact to the microsecond, and cheaper than FromDatetime.
    since_epoch = moment - _EPOCH
    return timestamp_pb2.Timestamp(
        seconds=since_epoch.days * 86_400 + since_epoch.seconds, nanos=since_epoch.microseconds * 1000
    )
