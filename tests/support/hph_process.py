"""`hph` as a user runs it: a real subprocess on free ports with its own data dir (the CLI tests, the
journeys against `hph up` as shipped, and the benchmarks)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.processes import stop_process

HPH = [sys.executable, "-m", "hph.host.cli"]
# Room for a loaded 2-core machine starting several hosts at once (the cluster proofs).
START_TIMEOUT_SECONDS = 120.0


def run_hph(*args: str, data_dir: Path | str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """One `hph` command to completion (stdout and stderr captured)."""
    return subprocess.run(
        [*HPH, *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env} if env else None,
    )


def hph_token(data_dir: Path | str, sub: str, role: str = "customer", *, ttl: int | None = None) -> str:
    """A token from `hph token`, signed by the data dir's development issuer."""
    ttl_args = ("--ttl", str(ttl)) if ttl is not None else ()
    result = run_hph("token", "--role", role, "--sub", sub, *ttl_args, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def start_hph(
    data_dir: Path,
    *args: str,
    env: dict[str, str] | None = None,
    command: str = "up",
    python: str = sys.executable,
) -> tuple[subprocess.Popen[str], str]:
    """`hph up` (or another serving command) on free ports, run by `python`; the process and its
    banner once it printed the REST line (what it printed so far if it stopped or took too long)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    ports = [] if "--grpc-port" in args else ["--grpc-port", "0", "--http-port", "0"]
    # The logs (an access line per REST call) go to a file: an unread pipe would fill and block them.
    with (data_dir / f"{command}-{time.monotonic_ns()}.log").open("w") as log:
        process = subprocess.Popen(
            [python, *HPH[1:], command, "--data-dir", str(data_dir), *ports, *args],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={**os.environ, "HPH_LOG_FORMAT": "text", **(env or {})},
        )
    assert process.stdout is not None
    banner = ""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while "REST" not in banner and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        banner += line
    return process, banner


def grpc_address(banner: str) -> str:
    """host:port of the gRPC listener a banner announces."""
    match = re.search(r"gRPC\s+([\d.]+:\d+)", banner)
    assert match, f"no gRPC address in the banner: {banner!r}"
    return match.group(1)


def rest_url(banner: str) -> str:
    """http://host:port of the REST listener a banner announces."""
    match = re.search(r"REST\s+(http://[\d.]+:\d+)", banner)
    assert match, f"no REST address in the banner: {banner!r}"
    return match.group(1)


def rest_port(banner: str) -> int:
    """The REST port a banner announces."""
    return int(rest_url(banner).rsplit(":", 1)[1])


def stop_hph(process: subprocess.Popen[str], timeout: float = 30) -> int | None:
    """SIGTERM (a graceful drain), then the exit code; kills it and returns None if it overstays."""
    return stop_process(process, timeout)


@contextmanager
def hph_running(
    data_dir: Path, *args: str, env: dict[str, str] | None = None, command: str = "up"
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`start_hph` for the length of a block: yields the process and its banner, then checks that it
    stops cleanly on SIGTERM (exit 0); a block that failed kills it instead of leaving it behind."""
    process, banner = start_hph(data_dir, *args, env=env, command=command)
    try:
        yield process, banner
        assert stop_hph(process) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
