"""`hph events` as an operator runs it, from async tests: a real subprocess beside the platform, and
a `tail --follow` whose lines the test reads as they come."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.hph_process import HPH

COMMAND_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Finished:
    """A command's exit code and output."""

    code: int
    out: str
    err: str

    def json_lines(self) -> list[dict[str, Any]]:
        """stdout as JSON lines (a --json command's output)."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


def _environment(env: dict[str, str] | None) -> dict[str, str]:
    return {**os.environ, **(env or {})}


async def hph_events(*args: str, data_dir: Path, env: dict[str, str] | None = None) -> Finished:
    """`hph events ARGS --data-dir DATA_DIR` to completion."""
    process = await asyncio.create_subprocess_exec(
        *HPH,
        "events",
        *args,
        "--data-dir",
        str(data_dir),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_environment(env),
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), COMMAND_TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return Finished(process.returncode, out.decode(), err.decode())


class Follower:
    """`hph events tail TOPIC --follow ...` running; `line()` is its next line of output."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process

    @classmethod
    async def start(cls, topic: str, *args: str, data_dir: Path, env: dict[str, str] | None = None) -> Follower:
        process = await asyncio.create_subprocess_exec(
            *HPH,
            "events",
            "tail",
            topic,
            "--follow",
            *args,
            "--data-dir",
            str(data_dir),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=_environment(env),
        )
        follower = cls(process)
        await follower._started()
        return follower

    async def _started(self, within: float = 15.0) -> None:
        """Returns once it said it follows (its start is fixed: later events will come out)."""
        assert self._process.stderr is not None
        try:
            said = await asyncio.wait_for(self._process.stderr.readline(), within)
        except TimeoutError:
            raise AssertionError(f"`hph events tail --follow` did not start within {within} s") from None
        assert said.startswith(b"following "), f"`hph events tail --follow` said {said!r}"

    async def line(self, within: float = 10.0) -> str:
        """The next line it prints; fails the test if none comes within `within` seconds."""
        assert self._process.stdout is not None
        try:
            raw = await asyncio.wait_for(self._process.stdout.readline(), within)
        except TimeoutError:
            raise AssertionError(f"`hph events tail --follow` printed nothing within {within} s") from None
        assert raw, f"`hph events tail --follow` ended: {await self._stderr()}"
        return raw.decode().rstrip("\n")

    async def _stderr(self) -> str:
        assert self._process.stderr is not None
        return (await self._process.stderr.read()).decode()

    async def stop(self) -> int:
        """Ctrl-C, as an operator stops it; its exit code."""
        if self._process.returncode is None:
            self._process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self._process.wait(), 30)  # a loaded machine is slow to stop it
            except TimeoutError:
                self._process.kill()
                await self._process.wait()
        assert self._process.returncode is not None
        return self._process.returncode
