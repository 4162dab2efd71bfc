"""A private `redis-server` for tests and benchmarks: a free port, a temporary dir, no persistence,
stopped afterwards, so nothing depends on (or leaves state in) a Redis the machine happens to run."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ports import free_port
from tests.support.processes import stop_process

REDIS_SERVER = "redis-server"
# No snapshots, no append-only file: the server's data lives and dies with the test.
_EPHEMERAL = ("--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning")


def redis_server_binary() -> str | None:
    """Path of `redis-server`, or None when it is not installed."""
    return shutil.which(REDIS_SERVER)


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def running_redis_server(directory: Path, within: float = 10.0, port: int | None = None) -> Iterator[str]:
    """Starts `redis-server` on a free 127.0.0.1 port (or `port`: a server started again where a
    stopped one was) with `directory` as its working dir and yields its URL once it answers PING;
    stops it (and waits for it) when the block ends."""
    binary = redis_server_binary()
    if binary is None:
        raise RuntimeError(f"{REDIS_SERVER} is not installed")
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory), *_EPHEMERAL],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + within
        while not _answers_ping(port):
            if process.poll() is not None:
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise RuntimeError(f"redis-server exited with {process.returncode}: {error}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer on port {port} within {within} s")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_process(process)
        if process.stderr:
            process.stderr.close()
