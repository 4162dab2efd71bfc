"""Tail latency of the storefront's reads: p50 and p99 per read under a fixed load, side by side.

For each variant (`--code NAME=PYTHON`: a Python interpreter whose `hph` package is the code to measure: this checkout's
`.venv/bin/python` by default, or another checkout's, to compare two versions in one run) it starts
`hph up` with one worker on free ports and a fresh data dir, and drives each read with wrk (C, so
the load generator takes little of the two cores from the server it measures). Rounds interleave
the variants so drift on the machine hits them alike.

    apt-get install wrk   # once
    .venv/bin/python tests/perf/bench_reads.py --duration 8 --warmup 2 --connections 32 --rounds 3 \\
        --code before=../base/.venv/bin/python --code after=.venv/bin/python
    .venv/bin/python tests/perf/bench_reads.py --settings memory= \\
        --settings redis=HPH_HOT_CACHE=redis,HPH_RATE_LIMITS=redis,HPH_REDIS_URL=redis://127.0.0.1:6379/9

The target (issue #10): p99 at most 3x p50 on every read. Not a test: a measurement.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass, field

from bench_common import add_code_argument, code_variants, start_platform

WRK_PERCENTILE = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class Figures:
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    rps: list[float] = field(default_factory=list)

    def worst_ratio(self) -> float:
        return max(p99 / p50 for p50, p99 in zip(self.p50, self.p99, strict=True))


def reads(rest_port: int) -> dict[str, str]:
    """The reads to drive, with ids taken from the seeded catalog."""
    base = f"http://127.0.0.1:{rest_port}"
    with urllib.request.urlopen(f"{base}/api/products?limit=1") as answer:
        product_id = json.load(answer)["products"][0]["id"]
    return {
        "list products": f"{base}/api/products?limit=20",
        "search products": f"{base}/api/products?limit=20&search=gift",
        "get product": f"{base}/api/products/{product_id}",
        "list categories": f"{base}/api/categories",
        "list reviews": f"{base}/api/reviews?product_id={product_id}",
    }


def wrk(url: str, duration: int, connections: int) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, requests/s) of one wrk run; any non-2xx answer fails the benchmark."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if (errors := WRK_ERRORS.search(out)) is not None:
        raise SystemExit(f"{url}: {errors.group(1)} non-2xx answers\n{out}")
    percentiles = {q: float(v) * UNIT_MS[unit] for q, v, unit in WRK_PERCENTILE.findall(out)}
    rate = WRK_RATE.search(out)
    if len(percentiles) != 2 or rate is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    return percentiles["50"], percentiles["99"], float(rate.group(1))


def measure(
    python: str, duration: int, connections: int, warmup: int, env: dict[str, str] | None = None
) -> dict[str, tuple[float, float, float]]:
    with tempfile.TemporaryDirectory(prefix="hph-bench-reads-") as data_dir:
        process, _, rest_port = start_platform(data_dir, python=python, extra_env=env)
        try:
            results = {}
            for name, url in reads(rest_port).items():
                wrk(url, warmup, connections)
                results[name] = wrk(url, duration, connections)
            return results
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds each read is driven (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent keep-alive connections (default 32)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, each running every variant once")
    parser.add_argument(
        "--settings",
        action="append",
        metavar="NAME=VAR=VALUE[,VAR=VALUE]",
        help="a variant of this checkout run with these HPH_* variables (repeatable), e.g. "
        "redis=HPH_HOT_CACHE=redis,HPH_RATE_LIMITS=redis,HPH_REDIS_URL=redis://127.0.0.1:6379/0",
    )
    add_code_argument(parser)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    variants = (
        {name: (python, {}) for name, python in code_variants(args).items()} if args.code or not args.settings else {}
    )
    for given in args.settings or ():
        name, _, assignments = given.partition("=")
        env = dict(pair.split("=", 1) for pair in assignments.split(",") if pair)
        variants[name] = (sys.executable, env)
    figures: dict[tuple[str, str], Figures] = {}
    for round_number in range(1, args.rounds + 1):
        for name, (python, env) in variants.items():
            print(f"round {round_number}/{args.rounds}: {name} ({python} {env})", file=sys.stderr, flush=True)
            measured = measure(python, args.duration, args.connections, args.warmup, env)
            for read, (p50, p99, rps) in measured.items():
                entry = figures.setdefault((read, name), Figures())
                entry.p50.append(p50)
                entry.p99.append(p99)
                entry.rps.append(rps)
    print(f"\n{args.connections} connections, {args.duration:g} s per read, {args.rounds} round(s), one worker\n")
    print("| read | variant | p50 ms | p99 ms | worst p99/p50 | requests/s |")
    print("|---|---|---|---|---|---|")
    read_names = list(dict.fromkeys(read for read, _ in figures))
    for read, name in ((read, name) for read in read_names for name in variants):
        entry = figures[(read, name)]
        p50s = " / ".join(f"{v:.1f}" for v in entry.p50)
        p99s = " / ".join(f"{v:.1f}" for v in entry.p99)
        rates = " / ".join(f"{v:.0f}" for v in entry.rps)
        print(f"| {read} | {name} | {p50s} | {p99s} | {entry.worst_ratio():.1f} | {rates} |")


if __name__ == "__main__":
    main()
