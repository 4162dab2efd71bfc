"""Product insights through REST, side by side in one run: `GET /api/products/{id}/insights` and
`/similar` served by the product-detail-enrichment agent with its answer cache (the default 10 s),
the same with the cache off (`HPH_PRODUCT_INSIGHTS_CACHE_SECONDS=0`: every answer computed whole:
product, reviews, category, stock, co-purchases), and the catalog's own `GET /api/products/{id}` as
the baseline of a product page read.

It starts `hph up` twice (cache on, cache off) on free ports with fresh data dirs and drives each
read with wrk, over one hot product or, with `--products N`, cycling over N products (a wrk script);
rounds interleave them.

    apt-get install wrk   # once
    .venv/bin/python tests/perf/bench_product_insights.py --duration 6 --warmup 2 --connections 32

Target (issue #12): product insights p99 under 30 ms at 32 clients. Not a test: a measurement.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from bench_common import start_platform
from bench_reads import UNIT_MS, WRK_ERRORS, WRK_PERCENTILE, WRK_RATE, Figures

CYCLE = """
paths = {%s}
i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def get(url: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)  # type: ignore[no-any-return]


def wrk(base: str, paths: list[str], duration: int, connections: int, script_dir: str) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, requests/s) of one wrk run over `paths` in turn; a non-2xx answer fails it."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    if len(paths) > 1:
        script = Path(script_dir) / "cycle.lua"
        script.write_text(CYCLE % ", ".join(json.dumps(path) for path in paths))
        command += ["-s", str(script)]
    out = subprocess.run([*command, base + paths[0]], capture_output=True, text=True, check=True).stdout
    if (errors := WRK_ERRORS.search(out)) is not None:
        raise SystemExit(f"{paths[0]}: {errors.group(1)} non-2xx answers\n{out}")
    percentiles = {q: float(v) * UNIT_MS[unit] for q, v, unit in WRK_PERCENTILE.findall(out)}
    rate = WRK_RATE.search(out)
    if len(percentiles) != 2 or rate is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    return percentiles["50"], percentiles["99"], float(rate.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=6, help="seconds each read is driven (default 6)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent keep-alive connections (default 32)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, each running every read once (default 1)")
    parser.add_argument("--products", type=int, default=1, help="products cycled over (default 1: one hot page)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="hph-bench-insights-") as root:
        platforms: dict[str, tuple[subprocess.Popen[str], str, int]] = {}
        try:
            platforms["cached"] = start_platform(f"{root}/cached")
            platforms["uncached"] = start_platform(
                f"{root}/uncached", extra_env={"HPH_PRODUCT_INSIGHTS_CACHE_SECONDS": "0"}
            )
            bases = {name: f"http://127.0.0.1:{port}" for name, (_, _, port) in platforms.items()}
            listed = get(f"{bases['cached']}/api/products?limit={min(max(args.products, 1), 100)}")["products"]
            ids = [product["id"] for product in listed][: args.products]
            reads = {
                "agent, cached: /insights": (bases["cached"], [f"/api/products/{i}/insights" for i in ids]),
                "agent, cached: /similar": (bases["cached"], [f"/api/products/{i}/similar" for i in ids]),
                "agent, no cache: /insights": (bases["uncached"], [f"/api/products/{i}/insights" for i in ids]),
                "agent, no cache: /similar": (bases["uncached"], [f"/api/products/{i}/similar" for i in ids]),
                "catalog: /api/products/{id}": (bases["cached"], [f"/api/products/{i}" for i in ids]),
            }
            figures: dict[str, Figures] = {}
            for round_number in range(1, args.rounds + 1):
                print(f"round {round_number}/{args.rounds}", file=sys.stderr, flush=True)
                for name, (base, paths) in reads.items():
                    wrk(base, paths, args.warmup, args.connections, root)
                    p50, p99, rps = wrk(base, paths, args.duration, args.connections, root)
                    entry = figures.setdefault(name, Figures())
                    entry.p50.append(p50)
                    entry.p99.append(p99)
                    entry.rps.append(rps)
        finally:
            for process, _, _ in platforms.values():
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
    print(
        f"\n{args.connections} connections, {args.duration} s per read, {args.rounds} round(s), {len(ids)} product(s)\n"
    )
    print("| read | p50 ms | p99 ms | requests/s |")
    print("|---|---|---|---|")
    for name, entry in figures.items():
        p50s = " / ".join(f"{v:.1f}" for v in entry.p50)
        p99s = " / ".join(f"{v:.1f}" for v in entry.p99)
        rates = " / ".join(f"{v:.0f}" for v in entry.rps)
        print(f"| {name} | {p50s} | {p99s} | {rates} |")


if __name__ == "__main__":
    main()
