"""The TIME a user gives `hph events` (`tail --from`, `replay --from`): an ISO-8601 moment with a
timezone, or a moment relative to now.

- `2026-12-01T09:30:00Z`, `2026-12-01T09:30:00.250+01:00`, `2026-12-01 09:30+01:00` (a space for the
  `T` is accepted): the zone is required, since the log's times are UTC and a naive time would be
  read in whatever zone the operator's shell happens to be in.
- `-15m`, `-2h`, `-1d`, `-90s`, `-1h30m`, `-1w`: that long before now (units s, m, h, d, w, each at
  most once and from the largest down).

A time in the future is refused: replaying "from tomorrow" would skip every event until then, and
tailing from it would print nothing; neither is what anyone means.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hph.runtime.clock import Clock, system_clock

# In the order the relative pattern's groups capture them.
_UNITS = (timedelta(weeks=1), timedelta(days=1), timedelta(hours=1), timedelta(minutes=1), timedelta(seconds=1))
_RELATIVE = re.compile(r"^-(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
TIME_HELP = "an ISO-8601 time with its zone (2026-12-01T09:30:00Z, ...+01:00) or one relative to now (-15m, -2h, -1d)"


def parse_time(text: str, *, clock: Clock = system_clock) -> datetime:
    """The moment `text` names (timezone-aware, UTC); ValueError saying what is accepted otherwise."""
    raw = text.strip()
    now = clock()
    moment = now - _relative(raw) if raw.startswith("-") else _absolute(raw)
    if moment > now:
        raise ValueError(f"time {text!r} is in the future")
    return moment.astimezone(UTC)


def _relative(raw: str) -> timedelta:
    match = _RELATIVE.match(raw)
    if match is None or not any(match.groups()):
        raise ValueError(f"bad relative time {raw!r}: use -<n><unit>..., units w d h m s, e.g. -15m or -1h30m")
    amounts = (int(amount or 0) for amount in match.groups())
    return sum((unit * amount for unit, amount in zip(_UNITS, amounts, strict=True)), timedelta())


def _absolute(raw: str) -> datetime:
    try:
        # fromisoformat takes "Z" from Python 3.11 on, and a space instead of "T".
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"bad time {raw!r}: expected {TIME_HELP}") from None
    if moment.tzinfo is None:
        raise ValueError(f"time {raw!r} has no timezone: add Z (UTC) or an offset like +01:00")
    return moment
