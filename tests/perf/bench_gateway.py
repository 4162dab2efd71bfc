"""REST through the gateway vs the same RPCs over gRPC directly: same data, same machine, one run.

Starts `hph up` (services process + gateway child process, as shipped) on free ports with a fresh
data dir, then drives each scenario for a fixed time with N concurrent clients from this process
(asyncio; a raw keep-alive HTTP/1.1 client and a grpc.aio client, both lean so the load generator
is not the bottleneck), and reports requests/s, p50 and p99 and the REST/gRPC ratio.

    .venv/bin/python tests/perf/bench_gateway.py --duration 10 --concurrency 32

Not a test: a measurement. Rate limits are lifted for the run (HPH_RATE_LIMIT_* env).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable

import grpc
from bench_common import RawHttpClient, Result, start_platform

from holidaypeak.commerce.v1 import catalog_service_pb2 as pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as pb_grpc
from tests.support.hph_process import stop_hph


async def drive(
    name: str, workers: int, duration: float, make_call: Callable[[], Awaitable[Callable[[], Awaitable[bool]]]]
) -> Result:
    """Runs `workers` loops for `duration` seconds; each loop owns one connection/caller."""
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal errors
        call = await make_call()
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            ok = await call()
            latencies.append((time.perf_counter() - started) * 1000)
            errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return Result(name, len(latencies), errors, time.perf_counter() - started, latencies)


def http_caller(host: str, port: int, path: str) -> Callable[[], Awaitable[Callable[[], Awaitable[bool]]]]:
    async def connect() -> Callable[[], Awaitable[bool]]:
        client = await RawHttpClient.connect(host, port)

        async def call() -> bool:
            status, _ = await client.request("GET", path)
            return status == 200

        return call

    return connect


def grpc_caller(target: str, request: object, method: str) -> Callable[[], Awaitable[Callable[[], Awaitable[bool]]]]:
    channels: list[grpc.aio.Channel] = []

    async def connect() -> Callable[[], Awaitable[bool]]:
        # A few channels shared round-robin, as a real client pool would (one HTTP/2 connection
        # multiplexes many calls).
        if len(channels) < 4:
            channels.append(grpc.aio.insecure_channel(target))
        stub = pb_grpc.CatalogServiceStub(channels[len(channels) - 1])
        rpc = getattr(stub, method)

        async def call() -> bool:
            try:
                await rpc(request, timeout=10)
                return True
            except grpc.aio.AioRpcError:
                return False

        return call

    return connect


async def run(args: argparse.Namespace) -> list[tuple[Result, Result]]:
    with tempfile.TemporaryDirectory(prefix="hph-bench-") as data_dir:
        process, grpc_address, rest_port = start_platform(data_dir)
        try:
            async with grpc.aio.insecure_channel(grpc_address) as channel:
                product = (
                    await pb_grpc.CatalogServiceStub(channel).ListProducts(pb.ListProductsRequest(limit=1))
                ).products[0]
            scenarios = [
                (
                    "GetProduct",
                    f"/api/products/{product.id}",
                    "GetProduct",
                    pb.GetProductRequest(product_id=product.id),
                ),
                ("ListProducts limit=20", "/api/products?limit=20", "ListProducts", pb.ListProductsRequest(limit=20)),
            ]
            results = []
            for name, path, method, request in scenarios:
                # Warm both paths (connections, caches, JIT-less Python still benefits from warm pools).
                await drive("warm", args.concurrency, 1.0, grpc_caller(grpc_address, request, method))
                await drive("warm", args.concurrency, 1.0, http_caller("127.0.0.1", rest_port, path))
                direct = await drive(
                    f"{name} gRPC", args.concurrency, args.duration, grpc_caller(grpc_address, request, method)
                )
                rest = await drive(
                    f"{name} REST", args.concurrency, args.duration, http_caller("127.0.0.1", rest_port, path)
                )
                results.append((direct, rest))
            return results
        finally:
            stop_hph(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario and transport")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    rows = []
    print(f"{'scenario':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for direct, rest in results:
        for r in (direct, rest):
            print(f"{r.name:32} {r.rps:9.0f} {r.percentile(0.5):8.2f} {r.percentile(0.99):8.2f} {r.errors:7d}")
        ratio = rest.rps / direct.rps
        print(f"{'  REST / gRPC throughput ratio':32} {ratio:9.2f}")
        rows.append(
            {
                "scenario": direct.name.rsplit(" ", 1)[0],
                "grpc_rps": direct.rps,
                "rest_rps": rest.rps,
                "ratio": ratio,
                "grpc_p50_ms": direct.percentile(0.5),
                "grpc_p99_ms": direct.percentile(0.99),
                "rest_p50_ms": rest.percentile(0.5),
                "rest_p99_ms": rest.percentile(0.99),
                "errors": direct.errors + rest.errors,
                "concurrency": args.concurrency,
                "cores": os.cpu_count(),
                "mean_latency_ms": statistics.fmean(rest.latencies_ms),
            }
        )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=2)


if __name__ == "__main__":
    main()
