"""Search through REST, side by side in one run: the catalog-search agent (`GET /api/search`, and
`GET /api/products?search=` ranked through it) against today's word matching (`?search=` on a
platform without the agent, which answers with `search_fallback`), plus the time from a product
change to it being searchable (event to index).

It starts `hph up` (every service and agent, one worker) and `hph serve --services all --rest` (no
agent) on free ports with fresh data dirs, and drives each read with wrk; rounds interleave them.

    apt-get install wrk   # once
    .venv/bin/python tests/perf/bench_search.py --duration 8 --warmup 2 --connections 32 --rounds 2

Targets (issue #11): REST p99 under 20 ms at 32 clients on the demo catalog; a product change
searchable within 1 s. Not a test: a measurement.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_common import start_platform
from bench_reads import Figures, wrk

from tests.support.hph_process import hph_token, rest_port, start_hph

AGENT_READS = {
    "agent: /api/search xmas lites in stock": "/api/search?q=xmas%20lites&in_stock=true",
    "agent: /api/search gift (broad) + facets": "/api/search?q=gift",
    "agent: /api/products?search=lights": "/api/products?search=lights&limit=20",
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
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="hph-bench-search-") as root:
        agent_dir, today_dir = f"{root}/agent", f"{root}/today"
        agent, _, agent_port = start_platform(agent_dir)
        today, banner = start_hph(
            Path(today_dir),
            "--services",
            "all",
            "--rest",
            "--seed",
            command="serve",
            env={"HPH_LOG_LEVEL": "WARNING", "HPH_RATE_LIMIT_PER_IP_PER_MINUTE": "100000000"},
        )
        try:
            agent_base = f"http://127.0.0.1:{agent_port}"
            today_base = f"http://127.0.0.1:{rest_port(banner)}"
            wait_for_search(agent_base)
            reads = {name: agent_base + path for name, path in AGENT_READS.items()}
            reads |= {name: today_base + path for name, path in TODAY_READS.items()}
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
            for process in (agent, today):
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
    print(f"\n{args.connections} connections, {args.duration} s per read, {args.rounds} round(s), one worker\n")
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
