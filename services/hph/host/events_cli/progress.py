"""A one-line progress bar on stderr for long `hph events` work (a replay catching up).

On a terminal the line is redrawn in place; otherwise (a pipe, a CI log) a plain line is written
only when the shown percentage changes by a tenth or more, so logs stay short. stdout stays free for
the command's result.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 30
_PLAIN_STEP = 10  # percent between two lines when not on a terminal


class ProgressBar:
    """`update(done)` out of `total`; `finish(message)` ends the line (and says `message`, if any)."""

    def __init__(self, label: str, total: int, *, stream: TextIO | None = None) -> None:
        self._label = label
        self._total = max(total, 0)
        self._stream = stream if stream is not None else sys.stderr
        self._interactive = self._stream.isatty()
        self._started = time.monotonic()
        self._last_plain = -_PLAIN_STEP
        self._drawn = False

    def update(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self._total = max(total, 0)
        percent = 100 if self._total == 0 else min(100, max(0, done) * 100 // self._total)
        if self._interactive:
            filled = percent * BAR_WIDTH // 100
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            elapsed = time.monotonic() - self._started
            line = f"\r{self._label} [{bar}] {percent:3d}%  {done}/{self._total}  {elapsed:.0f}s"
            self._stream.write(line)
            self._stream.flush()
            self._drawn = True
        elif percent >= self._last_plain + _PLAIN_STEP or (percent == 100 and self._last_plain < 100):
            self._last_plain = percent
            self._stream.write(f"{self._label}: {percent}% ({done}/{self._total})\n")
            self._stream.flush()

    def finish(self, message: str = "") -> None:
        if self._drawn:
            self._stream.write("\n")
            self._drawn = False
        if message:
            self._stream.write(message + "\n")
        self._stream.flush()
