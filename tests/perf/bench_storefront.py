"""The storefront as a first-time visitor sees it: first contentful paint, the load event and the
moment the page's own data is on screen ("ready"), for the home and a product page, in Debian's
chromium (playwright-core, `web/e2e/paint-timing.mjs`), against `hph up` as shipped (fresh data dir,
demo catalog, the built app from `web/dist`). Every sample is a fresh browser context (empty cache).
Also the JavaScript the app ships, gzipped.

    .venv/bin/python tests/perf/bench_storefront.py --samples 10
    .venv/bin/python tests/perf/bench_storefront.py --screenshot docs/img/storefront.png

Not a test: a measurement (issue #14 target on the embedded default: first contentful paint under
1 s and fully loaded under 2 s for home and product pages; JavaScript under 250 kB gzipped in all).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.hph_process import hph_running, rest_url

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
PAGES = [
    {"name": "home", "path": "/", "ready": "ul.grid li.card"},
    {"name": "product", "path": "/products/ORN-0923", "ready": "table.histogram tr"},
]


def shipped_javascript() -> list[tuple[str, int, int]]:
    """Every .js file of the build: name, bytes raw and gzipped (level 9, as a server would)."""
    files = sorted((WEB / "dist" / "assets").glob("*.js"))
    return [(path.name, path.stat().st_size, len(gzip.compress(path.read_bytes(), 9))) for path in files]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=10, help="page loads per page (after one warm-up)")
    parser.add_argument("--screenshot", default="", help="save the home page as the first visitor sees it")
    args = parser.parse_args()
    chromium = os.environ.get("HPH_CHROMIUM") or shutil.which("chromium")
    if chromium is None or not (WEB / "dist" / "index.html").is_file():
        print("needs chromium and the built storefront (bash .ci/setup)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp, hph_running(Path(tmp) / "data") as (_, banner):
        env = {
            **os.environ,
            "HPH_REST": rest_url(banner),
            "HPH_PAGES": json.dumps(PAGES),
            "HPH_SAMPLES": str(args.samples),
            "HPH_CHROMIUM": chromium,
            "HPH_SCREENSHOT": str(Path(args.screenshot).resolve()) if args.screenshot else "",
        }
        run = subprocess.run(
            ["node", "e2e/paint-timing.mjs"], cwd=WEB, env=env, capture_output=True, text=True, timeout=600
        )
    if run.returncode != 0:
        print(run.stdout, run.stderr, file=sys.stderr)
        return 1
    results = json.loads(run.stdout.strip().splitlines()[-1])
    print(f"{args.samples} first visits per page (fresh browser context each), milliseconds from navigation start")
    print("| page | FCP p50 | FCP max | load p50 | load max | ready p50 | ready max |")
    print("|---|---|---|---|---|---|---|")
    for name, samples in results.items():
        row = [name]
        for key in ("fcp_ms", "load_ms", "ready_ms"):
            values = [s[key] for s in samples if s[key] is not None]
            row += [f"{statistics.median(values):.0f}", f"{max(values):.0f}"]
        print("| " + " | ".join(row) + " |")
    files = shipped_javascript()
    for name, raw, packed in files:
        print(f"  {name}: {raw / 1000:.1f} kB, {packed / 1000:.1f} kB gzipped")
    total_raw, total_packed = sum(f[1] for f in files), sum(f[2] for f in files)
    print(f"JavaScript in all: {total_raw / 1000:.1f} kB, {total_packed / 1000:.1f} kB gzipped")
    js = [sample["js_transfer_bytes"] for samples in results.values() for sample in samples]
    print(f"JavaScript a page load fetches: {max(js) / 1000:.1f} kB on the wire")
    return 0


if __name__ == "__main__":
    sys.exit(main())
