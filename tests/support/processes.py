"""Stopping a child process a test or benchmark started (hph, localstripe, redis-server)."""

from __future__ import annotations

import subprocess
from typing import Any


def stop_process(process: subprocess.Popen[Any], timeout: float = 10) -> int | None:
    """SIGTERM (a graceful stop), then the exit code; kills it and returns None if it overstays."""
    process.terminate()
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None
