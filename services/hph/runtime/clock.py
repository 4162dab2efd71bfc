"""Time, injectable: services take a Clock so tests can pin 'now'."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from google.protobuf import timestamp_pb2

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """Storage form of a timestamp: RFC 3339 UTC with microseconds, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def to_timestamp(text_or_moment: str | datetime | None) -> timestamp_pb2.Timestamp | None:
    """Wire form of a stored timestamp (None stays unset)."""
    if not text_or_moment:
        return None
    moment = from_iso(text_or_moment) if isinstance(text_or_moment, str) else text_or_moment
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp
