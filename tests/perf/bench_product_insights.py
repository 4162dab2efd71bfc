"""Product and cart insights through REST, side by side in one run: `GET /api/products/{id}/insights`
and `/similar` served by the product-detail-enrichment agent with its answer cache (the default 10 s),
the same with the cache off (`HPH_PRODUCT_INSIGHTS_CACHE_SECONDS=0`: every answer computed whole:
product, reviews, category, stock, co-purchases), and the catalog's own `GET /api/products/{id}` as
the baseline of a product page read; then `GET /api/cart/insights` (cart-intelligence) for shoppers
with a three-line cart, answered from the agent's memory while the cart is unchanged (the default
`HPH_CART_INSIGHTS_CACHE_SECONDS=5`) and with it off (`=0`, on the no-cache platform: the cart
re-priced, live stock, the checkout history, the drivers, every time), beside `GET /api/cart` as
the baseline of a cart read.

It starts `hph up` twice (cache on, cache off) on free ports with fresh data dirs and drives each
read with wrk, over one hot product or, with `--products N`, cycling over N products (a wrk script), and one
shopper or, with `--shoppers N`, cycling over N shoppers' tokens; rounds interleave them.

    apt-get install wrk   # once
    .venv/bin/python tests/perf/bench_product_insights.py --duration 6 --warmup 2 --connections 32

Target (issue #12): product insights and cart insights p99 under 30 ms at 32 clients. Not a test: a measurement.
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

from tests.support.hph_process import hph_token

CYCLE = """
paths = {%s}
tokens = {%s}
i = 0
request = function()
  i = i %% #paths + 1
  if #tokens > 0 then
    return wrk.format("GET", paths[i], {["Authorization"] = "Bearer " .. tokens[i %% #tokens + 1]})
  end
  return wrk.format("GET", paths[i])
end
"""


def get(url: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)  # type: ignore[no-any-return]


def post(url: str, body: dict[str, object], token: str) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30):
        pass


def shoppers_with_carts(base: str, data_dir: str, count: int, product_ids: list[str]) -> list[str]:
    """Tokens of `count` new shoppers, each with a cart of three in-stock products."""
    in_stock = [i for i in product_ids if get(f"{base}/api/products/{i}").get("in_stock")]
    if len(in_stock) < 3:
        raise SystemExit("fewer than three products in stock to fill carts with")
    tokens = []
    for n in range(count):
        token = hph_token(data_dir, f"bench-cart-{n}")
        for offset in range(3):
            product_id = in_stock[(n + offset) % len(in_stock)]
            post(f"{base}/api/cart/items", {"product_id": product_id, "quantity": 1 + offset}, token)
        tokens.append(token)
    return tokens


def wrk(
    base: str, paths: list[str], duration: int, connections: int, script_dir: str, tokens: list[str] | None = None
) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, requests/s) of one wrk run over `paths` in turn (as the shoppers of `tokens`
    in turn, if given); a non-2xx answer fails it."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    if len(paths) > 1 or tokens:
        script = Path(script_dir) / "cycle.lua"
        script.write_text(
            CYCLE % (", ".join(json.dumps(path) for path in paths), ", ".join(json.dumps(t) for t in tokens or ()))
        )
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
    parser.add_argument("--shoppers", type=int, default=1, help="shoppers' carts cycled over (default 1)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="hph-bench-insights-") as root:
        platforms: dict[str, tuple[subprocess.Popen[str], str, int]] = {}
        try:
            platforms["cached"] = start_platform(f"{root}/cached")
            platforms["uncached"] = start_platform(
                f"{root}/uncached",
                extra_env={"HPH_PRODUCT_INSIGHTS_CACHE_SECONDS": "0", "HPH_CART_INSIGHTS_CACHE_SECONDS": "0"},
            )
            bases = {name: f"http://127.0.0.1:{port}" for name, (_, _, port) in platforms.items()}
            listed = get(f"{bases['cached']}/api/products?limit={min(max(args.products, 1), 100)}")["products"]
            ids = [product["id"] for product in listed][: args.products]
            catalog = [product["id"] for product in get(f"{bases['cached']}/api/products?limit=20")["products"]]
            tokens = shoppers_with_carts(bases["cached"], f"{root}/cached", max(args.shoppers, 1), catalog)
            uncached_tokens = shoppers_with_carts(bases["uncached"], f"{root}/uncached", max(args.shoppers, 1), catalog)
            reads: dict[str, tuple[str, list[str], list[str] | None]] = {
                "agent, cached: /insights": (bases["cached"], [f"/api/products/{i}/insights" for i in ids], None),
                "agent, cached: /similar": (bases["cached"], [f"/api/products/{i}/similar" for i in ids], None),
                "agent, no cache: /insights": (bases["uncached"], [f"/api/products/{i}/insights" for i in ids], None),
                "agent, no cache: /similar": (bases["uncached"], [f"/api/products/{i}/similar" for i in ids], None),
                "catalog: /api/products/{id}": (bases["cached"], [f"/api/products/{i}" for i in ids], None),
                "agent, memory: /api/cart/insights": (bases["cached"], ["/api/cart/insights"], tokens),
                "agent, no memory: /api/cart/insights": (bases["uncached"], ["/api/cart/insights"], uncached_tokens),
                "cart: /api/cart": (bases["cached"], ["/api/cart"], tokens),
            }
            figures: dict[str, Figures] = {}
            for round_number in range(1, args.rounds + 1):
                print(f"round {round_number}/{args.rounds}", file=sys.stderr, flush=True)
                for name, (base, paths, shoppers) in reads.items():
                    wrk(base, paths, args.warmup, args.connections, root, shoppers)
                    p50, p99, rps = wrk(base, paths, args.duration, args.connections, root, shoppers)
                    entry = figures.setdefault(name, Figures())
                    entry.p50.append(p50)
                    entry.p99.append(p99)
                    entry.rps.append(rps)
        finally:
            for process, _, _ in platforms.values():
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
    print(
        f"\n{args.connections} connections, {args.duration} s per read, {args.rounds} round(s), {len(ids)} product(s), "
        f"{len(tokens)} shopper(s)\n"
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
