"""Search through REST, side by side in one run: the catalog-search agent (`GET /api/search`, and
`GET /api/products?search=` ranked through it) against today's word matching (`?search=` on a
platform without the agent, which answers with `search_fallback`), plus the time from a product
change to it being searchable (event to index).

It starts `hph up` (every service and agent), `hph serve --services all --rest` (no agent) and, for
the worst case, `hph up` with the agent's answer cache off (`HPH_SEARCH_CACHE_SECONDS=0`: every
answer recomputed, as when index commits follow each other faster than queries repeat) on free
ports with fresh data dirs, `--workers` each (default one), and drives each read with wrk; rounds
interleave them.

    apt-get install wrk   # once
    .venv/bin/python tests/perf/bench_search.py --duration 6 --warmup 2 --connections 32 --rounds 2

Targets (issue #11): REST p99 under 20 ms at 32 clients on the demo catalog; a product change
searchable within 1 s. Not a test: a measurement.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from bench_common import start_platform
from bench_reads import Figures, wrk

from tests.support.hph_process import hph_token

AGENT_READS = {
    "agent: /api/search xmas lites in stock": "/api/search?q=xmas%20lites&in_stock=true",
    "agent: /api/search gift (broad) + facets": "/api/search?q=gift",
    "agent: /api/products?search=lights": "/api/products?search=lights&limit=20",
}
UNCACHED_READS = {
    "agent, no answer cache: /api/search xmas lites in stock": "/api/search?q=xmas%20lites&in_stock=true",
    "agent, no answer cache: /api/search gift (broad) + facets": "/api/search?q=gift",
}
TODAY_READS = {
    "today: /api/products?search=lights": "/api/products?search=lights&limit=20",
    "today: /api/products?search=gift": "/api/products?search=gift&limit=20",
}


def get(url: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.load(answer)  # type: ignore[no-any-return]


def wait_for_search(base: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            get(f"{base}/api/search?q=gift")
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the catalog-search agent did not become ready")


def event_to_index(base: str, data_dir: str, samples: int) -> list[float]:
    """Seconds from a product update's answer to the new word being found by /api/search."""
    token = hph_token(data_dir, "staff-sam", "staff")
    product_id = get(f"{base}/api/products?limit=1")["products"][0]["id"]
    latencies = []
    for i in range(samples):
        word = f"quokka{i}x"
        request = urllib.request.Request(
            f"{base}/api/staff/products/{product_id}",
            data=json.dumps({"name": f"Festive {word} Snow Globe"}).encode(),
            headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
            method="PATCH",
        )
        urllib.request.urlopen(request, timeout=10).read()
        changed = time.perf_counter()
        while not get(f"{base}/api/search?q={word}")["hits"]:
            if time.perf_counter() - changed > 10:
                raise SystemExit(f"{word} not searchable after 10 s")
        latencies.append(time.perf_counter() - changed)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=8, help="seconds each read is driven (default 8)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent keep-alive connections (default 32)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, each running every read once")
    parser.add_argument("--samples", type=int, default=30, help="product changes timed to searchable (default 30)")
    parser.add_argument("--workers", type=int, default=1, help="server workers of each platform (default 1)")
    parser.add_argument(
        "--no-uncached", action="store_true", help="skip the platform with the agent's answer cache off"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="hph-bench-search-") as root:
        agent_dir = f"{root}/agent"
        platforms: dict[str, tuple[subprocess.Popen[str], str, int]] = {}
        try:
            platforms["agent"] = start_platform(agent_dir, workers=args.workers)
            platforms["today"] = start_platform(
                f"{root}/today", workers=args.workers, command=("serve", "--services", "all", "--rest", "--seed")
            )
            if not args.no_uncached:
                platforms["uncached"] = start_platform(
                    f"{root}/uncached", workers=args.workers, extra_env={"HPH_SEARCH_CACHE_SECONDS": "0"}
                )
            bases = {name: f"http://127.0.0.1:{port}" for name, (_, _, port) in platforms.items()}
            agent_base = bases["agent"]
            wait_for_search(agent_base)
            reads = {name: agent_base + path for name, path in AGENT_READS.items()}
            if "uncached" in bases:
                wait_for_search(bases["uncached"])
                reads |= {name: bases["uncached"] + path for name, path in UNCACHED_READS.items()}
            reads |= {name: bases["today"] + path for name, path in TODAY_READS.items()}
            assert get(reads["today: /api/products?search=lights"]).get("search_fallback") is True
            assert not get(reads["agent: /api/products?search=lights"]).get("search_fallback")
            figures: dict[str, Figures] = {}
            for round_number in range(1, args.rounds + 1):
                print(f"round {round_number}/{args.rounds}", file=sys.stderr, flush=True)
                for name, url in reads.items():
                    wrk(url, args.warmup, args.connections)
                    p50, p99, rps = wrk(url, args.duration, args.connections)
                    entry = figures.setdefault(name, Figures())
                    entry.p50.append(p50)
                    entry.p99.append(p99)
                    entry.rps.append(rps)
            latencies = event_to_index(agent_base, agent_dir, args.samples)
        finally:
            for process, _, _ in platforms.values():
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
    workers = "one worker" if args.workers == 1 else f"{args.workers} workers"
    print(f"\n{args.connections} connections, {args.duration} s per read, {args.rounds} round(s), {workers}\n")
    print("| read | p50 ms | p99 ms | requests/s |")
    print("|---|---|---|---|")
    for name, entry in figures.items():
        p50s = " / ".join(f"{v:.1f}" for v in entry.p50)
        p99s = " / ".join(f"{v:.1f}" for v in entry.p99)
        rates = " / ".join(f"{v:.0f}" for v in entry.rps)
        print(f"| {name} | {p50s} | {p99s} | {rates} |")
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    print(
        f"\nproduct change -> searchable ({len(latencies)} changes, REST PATCH answered -> /api/search finds it): "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
