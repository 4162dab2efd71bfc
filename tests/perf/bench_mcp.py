"""What a product search costs through MCP next to the same search through REST, side by side.

Starts `hph up` (one worker, free ports, fresh data dir) and drives, from keep-alive connections of a
lean raw HTTP client, the same search three ways in interleaved rounds:

- REST: `GET /api/products?search=...&limit=5` (the storefront's read);
- MCP, protocol 2026-07-28: one POST per `tools/call` of `search_products` (single exchange);
- MCP, protocol 2025-11-25 (stateless): the same call on the handshake-era path.

Every call carries a customer's bearer token (MCP asks the platform who it is, cached for
HPH_REVOCATION_CACHE_SECONDS). Reports requests/s, p50/p99 latency and the server's CPU per call, and
the MCP/REST ratios:

    .venv/bin/python tests/perf/bench_mcp.py --seconds 5 --connections 8 --rounds 3

Not a test: a measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import tempfile
import time

from bench_common import RawHttpClient, Result, cpu_spent, start_platform, tree_cpu_seconds

from tests.support.hph_process import hph_token

SEARCH = {"search": "lights", "limit": 5}
ACCEPT = ("accept", "application/json, text/event-stream")


def modern_call(token: str) -> tuple[bytes, tuple[tuple[str, str], ...]]:
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "search_products", "arguments": SEARCH, "_meta": meta},
    }
    headers = (
        ("authorization", f"Bearer {token}"),
        ACCEPT,
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "search_products"),
    )
    return json.dumps(body).encode(), headers


def handshake_era_call(token: str) -> tuple[bytes, tuple[tuple[str, str], ...]]:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "search_products", "arguments": SEARCH},
    }
    headers = (("authorization", f"Bearer {token}"), ACCEPT, ("mcp-protocol-version", "2025-11-25"))
    return json.dumps(body).encode(), headers


async def drive(
    name: str,
    port: int,
    method: str,
    path: str,
    body: bytes,
    headers: tuple[tuple[str, str], ...],
    args: argparse.Namespace,
) -> Result:
    clients = [await RawHttpClient.connect("127.0.0.1", port) for _ in range(args.connections)]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + args.seconds

    async def loop(client: RawHttpClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status, answer = await client.request(method, path, body, headers)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200 or b'"isError":true' in answer:
                errors += 1

    started = time.perf_counter()
    try:
        await asyncio.gather(*(loop(client) for client in clients))
    finally:
        for client in clients:
            await client.close()
    return Result(name, len(latencies), errors, time.perf_counter() - started, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement")
    parser.add_argument("--connections", type=int, default=8, help="concurrent keep-alive connections")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the three ways")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hph-bench-mcp-") as data_dir:
        process, _, port = start_platform(data_dir)
        try:
            token = hph_token(data_dir, "customer-ava")
            ways = {
                "REST GET /api/products": (
                    "GET",
                    "/api/products?search=lights&limit=5",
                    b"",
                    (("authorization", f"Bearer {token}"),),
                ),
                "MCP 2026-07-28": ("POST", "/mcp", *modern_call(token)),
                "MCP 2025-11-25": ("POST", "/mcp", *handshake_era_call(token)),
            }
            figures: dict[str, list[tuple[Result, float]]] = {name: [] for name in ways}
            for name, (method, path, body, headers) in ways.items():  # warm-up
                asyncio.run(
                    drive(name, port, method, path, body, headers, argparse.Namespace(seconds=1, connections=2))
                )
            for _ in range(args.rounds):
                for name, (method, path, body, headers) in ways.items():
                    before = tree_cpu_seconds(process.pid)
                    result = asyncio.run(drive(name, port, method, path, body, headers, args))
                    cpu_ms = cpu_spent(before, tree_cpu_seconds(process.pid)) * 1000 / max(result.requests, 1)
                    figures[name].append((result, cpu_ms))
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    print(f"{'way':26} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/call':>12} {'errors':>7}")
    medians: dict[str, tuple[float, float, float]] = {}
    for name, runs in figures.items():
        rps = sorted(result.rps for result, _ in runs)[len(runs) // 2]
        p50 = sorted(result.percentile(0.5) for result, _ in runs)[len(runs) // 2]
        p99 = sorted(result.percentile(0.99) for result, _ in runs)[len(runs) // 2]
        cpu = sorted(cpu for _, cpu in runs)[len(runs) // 2]
        errors = sum(result.errors for result, _ in runs)
        medians[name] = (rps, p50, cpu)
        print(f"{name:26} {rps:8.0f} {p50:8.2f} {p99:8.2f} {cpu:12.2f} {errors:7d}")
    rest = medians["REST GET /api/products"]
    for name in ("MCP 2026-07-28", "MCP 2025-11-25"):
        rps, p50, cpu = medians[name]
        ratios = f"throughput x{rps / rest[0]:.2f}, p50 x{p50 / rest[1]:.2f}, CPU per call x{cpu / rest[2]:.2f}"
        print(f"{name} / REST: {ratios}")


if __name__ == "__main__":
    main()
