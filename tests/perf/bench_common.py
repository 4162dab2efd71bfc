"""What the benchmarks share: starting `hph up` as shipped, and latency figures."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.hph_process import grpc_address, rest_port, start_hph
from tests.support.raw_http import RawHttpClient as RawHttpClient  # re-exported for the benchmarks


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def tree_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU time (user + system) used so far by a process and each descendant, keyed by
    "<pid> <command line>" (Linux /proc), so a caller can sum them or pick out one role."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            used[f"{current} {command}"] = (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return used


def cpu_spent(before: dict[str, float], after: dict[str, float], role: str = "") -> float:
    """CPU seconds spent between two tree_cpu_seconds readings by the processes whose command line
    contains `role` (all of them by default)."""
    return sum(seconds - before.get(key, 0.0) for key, seconds in after.items() if role in key)


def add_code_argument(parser: argparse.ArgumentParser) -> None:
    """`--code NAME=PYTHON` (repeatable): measure the `hph` that another interpreter imports (another
    checkout's `.venv/bin/python`), so two versions of the code are compared in one run."""
    parser.add_argument(
        "--code",
        action="append",
        metavar="NAME=PYTHON",
        help="a name and the interpreter whose hph to measure (repeatable; default: this one)",
    )


def code_variants(args: argparse.Namespace) -> dict[str, str]:
    """The `--code` variants by name, or this interpreter alone as "this"."""
    if not args.code:
        return {"this": sys.executable}
    pairs = [value.split("=", 1) for value in args.code]
    if any(len(pair) != 2 for pair in pairs):
        raise SystemExit("--code takes NAME=PYTHON")
    return dict(pairs)  # type: ignore[arg-type]


def start_platform(
    data_dir: str,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    python: str = sys.executable,
    command: tuple[str, ...] = ("up",),
) -> tuple[subprocess.Popen[str], str, int]:
    """`hph up` as shipped with the rate limits out of the way, run by `python` (another checkout's
    interpreter compares two versions of the code side by side): the process, its gRPC address and
    REST port. `command` may name another serving command and its arguments instead, e.g.
    ("serve", "--services", "all", "--seed", "--rest") for every service and no agent."""
    env = {
        **(extra_env or {}),
        "HPH_LOG_LEVEL": "WARNING",
        "HPH_RATE_LIMIT_PER_USER_PER_MINUTE": "100000000",
        "HPH_RATE_LIMIT_PER_IP_PER_MINUTE": "100000000",
    }
    name, *arguments = command
    process, banner = start_hph(
        Path(data_dir), *arguments, "--workers", str(workers), env=env, python=python, command=name
    )
    if "REST" not in banner:
        process.kill()
        raise SystemExit(f"hph up failed to start:\n{banner}")
    return process, grpc_address(banner), rest_port(banner)
