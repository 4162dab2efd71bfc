"""The `hph` command as a user runs it: a real subprocess, a free port, a temporary data dir."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import jwt
import pytest

from holidaypeak.commerce.v1 import catalog_service_pb2 as pb
from holidaypeak.commerce.v1 import catalog_service_pb2_grpc as pb_grpc
from hph.host.app import AGENT_NAMES, SERVICE_NAMES, database_path
from hph.host.cohosted import shared_limits_path
from hph.runtime.settings import Settings
from hph.runtime.storage import SqliteDocumentStore
from tests.support.hph_process import run_hph, start_hph
from tests.support.raw_http import RawHttpClient

pytestmark = pytest.mark.integration


def test_token_prints_only_a_jwt_signed_by_the_data_dirs_issuer(tmp_path: Path) -> None:
    result = run_hph("token", "--role", "staff", "--sub", "staff-sam", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    assert result.stdout.count("\n") == 1 and token.count(".") == 2
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == "staff-sam" and claims["roles"] == ["staff"]
    assert (tmp_path / "auth").is_dir()


def test_unknown_service_is_a_clear_usage_error(tmp_path: Path) -> None:
    result = run_hph("serve", "--services", "catalog,nope", "--grpc-port", "0", data_dir=tmp_path)
    assert result.returncode == 2
    assert "unknown service(s) or agent(s) nope; choose from catalog" in result.stderr
    assert all(name in result.stderr for name in AGENT_NAMES)  # agents are named among the choices


def test_up_refuses_a_data_dir_with_an_older_container_layout_in_one_line(tmp_path: Path) -> None:
    async def write_old_layout() -> None:
        store = await SqliteDocumentStore.open(database_path(Settings(data_dir=tmp_path)))
        try:
            await store.container("products", "/id")  # products were partitioned by id before events
        finally:
            await store.close()

    asyncio.run(write_old_layout())
    result = run_hph("up", "--grpc-port", "0", "--http-port", "0", data_dir=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"hph: the data dir {tmp_path} was written by a version")
    assert "'products' has partition key path '/id', not '/product_id'" in result.stderr
    assert "--data-dir" in result.stderr


def test_up_serves_the_seeded_catalog_and_drains_on_sigterm(tmp_path: Path) -> None:
    process, banner = start_hph(tmp_path)
    try:
        match = re.search(r"gRPC\s+127\.0\.0\.1:(\d+)", banner)
        assert match, f"no gRPC address in the banner: {banner!r}"
        with grpc.insecure_channel(f"127.0.0.1:{match.group(1)}") as channel:
            stub = pb_grpc.CatalogServiceStub(channel)
            page = stub.ListProducts(pb.ListProductsRequest(limit=100), timeout=10)
            assert len(page.products) == 100 and page.next_page_token
            token = run_hph("token", "--role", "customer", "--sub", "c1", data_dir=tmp_path).stdout.strip()
            with pytest.raises(grpc.RpcError) as denied:
                stub.ArchiveProduct(
                    pb.ArchiveProductRequest(product_id=page.products[0].id),
                    metadata=[("authorization", f"Bearer {token}")],
                    timeout=10,
                )
            assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _tcp_sockets() -> Iterator[tuple[int, str, str]]:
    """(local port, TCP state in hex: 0A listen, 01 established, inode) of every local socket."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                yield int(fields[1].rsplit(":", 1)[1], 16), fields[3], fields[9]


def _tcp_sockets_on_port(port: int) -> dict[str, str]:
    """inode -> TCP state of local sockets bound to `port`."""
    return {inode: state for bound, state, inode in _tcp_sockets() if bound == port}


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _serving_processes(port: int, pids: list[int]) -> list[int]:
    """Which of `pids` listen on `port` and hold at least one established connection on it."""
    sockets = _tcp_sockets_on_port(port)
    serving = []
    for pid in pids:
        states = [sockets[inode] for inode in _socket_inodes(pid) if inode in sockets]
        if "0A" in states and "01" in states:
            serving.append(pid)
    return serving


def _running(pid: int) -> bool:
    """Whether `pid` is alive (an exited process not yet reaped is a zombie, "Z")."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _stop_and_reap(process: subprocess.Popen[str], children: list[int]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    for pid in children:
        assert not _running(pid)


class _RestConnections:
    """Many keep-alive HTTP/1.1 connections to one port, all open at once (as separate clients)."""

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.count = count
        self.opened: list[RawHttpClient] = []

    async def open(self) -> None:
        self.opened = [await RawHttpClient.connect("127.0.0.1", self.port) for _ in range(self.count)]

    async def get(self, path: str, token: str, *, calls_each: int) -> list[int]:
        """`calls_each` GETs of `path` on every connection; the statuses in order."""
        headers = (("Authorization", f"Bearer {token}"),) if token else ()
        return [
            (await client.request("GET", path, headers=headers))[0] for client in self.opened for _ in range(calls_each)
        ]

    async def close(self) -> None:
        for client in self.opened:
            await client.close()


def test_up_with_two_workers_shares_both_ports_and_the_rate_limits_and_stops_every_process(tmp_path: Path) -> None:
    process, banner = start_hph(tmp_path, "--workers", "2", env={"HPH_RATE_LIMIT_PER_USER_PER_MINUTE": "10"})
    try:
        hosted = rf"\({len(SERVICE_NAMES)} services, {len(AGENT_NAMES)} agents, 2 worker processes"
        match = re.search(r"gRPC\s+127\.0\.0\.1:(\d+)\s+" + hosted, banner)
        rest = re.search(r"REST\s+http://127\.0\.0\.1:(\d+)", banner)
        assert match and rest, f"unexpected banner: {banner!r}"
        port, http_port = int(match.group(1)), int(rest.group(1))
        children = _children(process.pid)
        commands = {pid: Path(f"/proc/{pid}/cmdline").read_text().split("\0") for pid in children}
        workers = [pid for pid, argv in commands.items() if "--worker" in argv]
        agents = [pid for pid, argv in commands.items() if "--agents-background" in argv]
        # The REST gateway runs inside each worker (HPH_GATEWAY_COHOSTED): no process of its own; the
        # agents' process is the only other child.
        assert len(workers) == 1 and len(agents) == 1 and len(children) == 2, commands
        both = [process.pid, workers[0]]

        # Connections with their own subchannel pools are separate TCP connections; the kernel spreads
        # them over the two listeners (24 of them all landing on one worker has odds of 2 in 2**24).
        channels = [
            grpc.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.use_local_subchannel_pool", 1)])
            for _ in range(24)
        ]
        try:
            for channel in channels:
                page = pb_grpc.CatalogServiceStub(channel).ListProducts(pb.ListProductsRequest(limit=1), timeout=10)
                assert len(page.products) == 1
            assert _serving_processes(port, both) == both
        finally:
            for channel in channels:
                channel.close()

        # REST the same way: 24 connections, all answered, spread over both workers. One user's limit
        # is 10 a minute whichever worker answers (the buckets are shared): of 48 calls, 10 pass, or
        # 11 if a token refills meanwhile; per-worker buckets would pass up to 20.
        token = run_hph("token", "--role", "customer", "--sub", "c1", data_dir=tmp_path).stdout.strip()

        async def rest_calls() -> list[int]:
            connections = _RestConnections(http_port, 24)
            await connections.open()
            try:
                statuses = await connections.get("/api/products?limit=1", token, calls_each=2)
                assert _serving_processes(http_port, both) == both
                return statuses
            finally:
                await connections.close()

        statuses = asyncio.run(rest_calls())
        assert statuses.count(200) in (10, 11) and statuses.count(200) + statuses.count(429) == 48, statuses

        table = shared_limits_path(Settings(data_dir=tmp_path))
        assert table.exists()
        _stop_and_reap(process, children)
        assert not table.exists()  # removed with the platform (tmpfs is memory)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_up_runs_the_gateway_as_a_process_of_its_own_when_asked(tmp_path: Path) -> None:
    process, banner = start_hph(tmp_path, env={"HPH_GATEWAY_COHOSTED": "false"})
    try:
        rest = re.search(r"REST\s+http://127\.0\.0\.1:(\d+)", banner)
        assert rest, f"unexpected banner: {banner!r}"
        http_port = int(rest.group(1))
        children = _children(process.pid)
        commands = {pid: Path(f"/proc/{pid}/cmdline").read_text().split("\0") for pid in children}
        gateways = [pid for pid, argv in commands.items() if "gateway" in argv]
        assert len(gateways) == 1 and len(children) == 2, commands  # and the agents' process

        async def rest_call() -> list[int]:
            connections = _RestConnections(http_port, 1)
            await connections.open()
            try:
                statuses = await connections.get("/api/products?limit=1", "", calls_each=1)
                assert _serving_processes(http_port, [process.pid, *gateways]) == gateways
                return statuses
            finally:
                await connections.close()

        assert asyncio.run(rest_call()) == [200]
        _stop_and_reap(process, children)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_with_rest_answers_for_the_services_it_hosts_only(tmp_path: Path) -> None:
    process, banner = start_hph(tmp_path, "--services", "catalog", "--seed", "--rest", command="serve")
    try:
        rest = re.search(r"REST\s+http://127\.0\.0\.1:(\d+)", banner)
        assert rest, f"unexpected banner: {banner!r}"
        token = run_hph("token", "--role", "customer", "--sub", "c1", data_dir=tmp_path).stdout.strip()

        async def rest_calls() -> list[int]:
            connections = _RestConnections(int(rest.group(1)), 1)
            await connections.open()
            try:
                return [
                    *await connections.get("/api/products?limit=1", "", calls_each=1),
                    *await connections.get("/api/users/me", token, calls_each=1),  # users is not hosted
                    *await connections.get("/ready", "", calls_each=1),  # the hosted services are up
                ]
            finally:
                await connections.close()

        assert asyncio.run(rest_calls()) == [200, 404, 200]
        _stop_and_reap(process, _children(process.pid))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_workers_refuse_ports_another_platform_listens_on(tmp_path: Path) -> None:
    first, banner = start_hph(tmp_path / "first", "--workers", "2")
    try:
        grpc_port = re.search(r"gRPC\s+127\.0\.0\.1:(\d+)", banner)
        http_port = re.search(r"REST\s+http://127\.0\.0\.1:(\d+)", banner)
        assert grpc_port and http_port, banner
        for taken in (
            ["--grpc-port", grpc_port.group(1), "--http-port", "0"],
            ["--grpc-port", "0", "--http-port", http_port.group(1)],
        ):
            second = run_hph(
                "up", "--workers", "2", *taken, data_dir=tmp_path / "second", env={"HPH_LOG_FORMAT": "text"}
            )
            assert second.returncode == 1, second.stdout + second.stderr
            assert "port" in second.stderr and "already in use" in second.stderr, second.stderr
        _stop_and_reap(first, _children(first.pid))
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()


def test_workers_do_not_outlive_a_killed_parent(tmp_path: Path) -> None:
    process, banner = start_hph(tmp_path, "--workers", "2", env={"HPH_SHUTDOWN_GRACE_SECONDS": "1"})
    try:
        assert "2 worker processes" in banner, banner
        children = _children(process.pid)  # the worker and the agents' process
        assert len(children) == 2, children
        process.kill()  # SIGKILL: no chance to stop its children
        process.wait()
        deadline = time.monotonic() + 30
        while any(_running(child) for child in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_running(child) for child in children), "a child kept running after its parent died"
    finally:
        shared_limits_path(Settings(data_dir=tmp_path)).unlink(missing_ok=True)  # the killed parent's
        if process.poll() is None:
            process.kill()
            process.wait()


def _agents_process(parent: int) -> int:
    [agents] = [
        pid
        for pid in _children(parent)
        if "--agents-background" in Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    ]
    return agents


def _listening_ports(pid: int) -> set[int]:
    inodes = _socket_inodes(pid)
    return {port for port, state, inode in _tcp_sockets() if state == "0A" and inode in inodes}


def test_stopping_while_the_agents_process_is_being_started_again_leaves_no_process_behind(
    tmp_path: Path,
) -> None:
    """SIGTERM lands while the replacement agents' process is still starting (it exists but has not
    said it is ready): the platform stops it too, and only then exits."""
    process, _ = start_hph(tmp_path)
    try:
        first = _agents_process(process.pid)
        os.kill(first, signal.SIGKILL)
        deadline, second = time.monotonic() + 60, first
        while second == first and time.monotonic() < deadline:
            time.sleep(0.02)
            with contextlib.suppress(ValueError, FileNotFoundError):
                second = _agents_process(process.pid)
        assert second != first, "the agents' process was not started again"
        _stop_and_reap(process, [second])
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _search_status(url: str, path: str) -> tuple[int, dict[str, object]]:
    import json
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url + path, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def _wait_for_search(url: str, within: float = 60) -> dict[str, object]:
    deadline, status, body = time.monotonic() + within, 0, {}
    while time.monotonic() < deadline:
        status, body = _search_status(url, "/api/search?q=ornament")
        if status == 200:
            return body
        time.sleep(0.2)
    raise AssertionError(f"search did not answer: {status} {body}")


def test_the_agents_process_is_started_again_on_its_port_when_it_dies(tmp_path: Path) -> None:
    """Search is answered by the agents' process (which keeps the index) through the serving
    process: while the former is down search is unavailable, and the catalog's own search falls
    back to word matching; once it is started again on its port, search answers again."""
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    from tests.support.hph_process import rest_url

    process, banner = start_hph(tmp_path)
    try:
        assert "REST" in banner, banner
        url = rest_url(banner)
        assert _wait_for_search(url)["hits"]
        first = _agents_process(process.pid)
        [port] = _listening_ports(first)
        os.kill(first, signal.SIGKILL)
        while _running(first):
            time.sleep(0.01)
        status, refused = _search_status(url, "/api/search?q=ornament")
        assert status == 503, refused
        status, products = _search_status(url, "/api/products?search=ornament&limit=3")
        assert status == 200 and products["products"], products
        deadline, second = time.monotonic() + 60, first
        while time.monotonic() < deadline:
            time.sleep(0.2)
            with contextlib.suppress(ValueError, FileNotFoundError):
                second = _agents_process(process.pid)
                if second != first and port in _listening_ports(second):
                    break
        assert second != first and port in _listening_ports(second), "the agents' process was not started again"
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
        assert _wait_for_search(url)["hits"]
        _stop_and_reap(process, [second])
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_agents_background_cohosted_keeps_one_process(tmp_path: Path) -> None:
    process, banner = start_hph(tmp_path, env={"HPH_AGENTS_BACKGROUND_COHOSTED": "true"})
    try:
        assert "REST" in banner, banner
        assert _children(process.pid) == []
        _stop_and_reap(process, [])
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_up_refuses_a_taken_port_or_a_data_dir_in_use_in_one_line(tmp_path: Path) -> None:
    first, banner = start_hph(tmp_path / "first")
    try:
        grpc_port = re.search(r"gRPC\s+127\.0\.0\.1:(\d+)", banner)
        http_port = re.search(r"REST\s+http://127\.0\.0\.1:(\d+)", banner)
        assert grpc_port and http_port, banner
        other, same = tmp_path / "second", tmp_path / "first"
        grpc_taken, http_taken = grpc_port.group(1), http_port.group(1)
        refusals = [
            # Another data dir, one of the first platform's ports (one worker, as `hph up` starts).
            (other, ("--grpc-port", grpc_taken, "--http-port", "0"), f"the gRPC port 127.0.0.1:{grpc_taken} is"),
            (other, ("--grpc-port", "0", "--http-port", http_taken), f"the HTTP port 127.0.0.1:{http_taken} is"),
            # The first platform's data dir, free ports: its sweepers and relay would run twice.
            (same, ("--grpc-port", "0", "--http-port", "0"), f"the data dir {same} is"),
        ]
        endings = {
            "port": " already in use",
            "dir": f" in use by another hph (pid {first.pid}); stop it, or give this one another --data-dir "
            "(HPH_DATA_DIR)",
        }
        for data_dir, ports, start in refusals:
            second = run_hph("up", "--no-seed", *ports, data_dir=data_dir)
            line = f"hph: {start}{endings['dir' if 'data dir' in start else 'port']}\n"
            assert (second.returncode, second.stderr) == (1, line), second.stdout + second.stderr
        assert run_hph("seed", data_dir=tmp_path / "first").returncode == 0  # not a platform: no lock
        _stop_and_reap(first, _children(first.pid))
        # The lock goes with the platform: the data dir serves again.
        again, banner = start_hph(tmp_path / "first")
        try:
            port = re.search(r"gRPC\s+127\.0\.0\.1:(\d+)", banner)
            assert port, banner
            with grpc.insecure_channel(f"127.0.0.1:{port.group(1)}") as channel:
                page = pb_grpc.CatalogServiceStub(channel).ListProducts(pb.ListProductsRequest(limit=1), timeout=10)
                assert len(page.products) == 1
            _stop_and_reap(again, _children(again.pid))
        finally:
            if again.poll() is None:
                again.kill()
                again.wait()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
