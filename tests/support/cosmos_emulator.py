"""A private Cosmos DB emulator for tests: `@vercel/cosmosdb-server` (installed by .ci/setup into
.ci/tools/node_modules) on a free port, over TLS with its self-signed certificate, in memory,
stopped afterwards.

It speaks the Cosmos DB REST protocol for point operations, queries (with ORDER BY and composite
indexes), ETag preconditions and containers; it has no atomic transactional batch and no change
feed (docs/adapters.md lists what is tested where)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.ports import free_port
from tests.support.processes import stop_process

EMULATOR = Path(__file__).resolve().parents[2] / ".ci" / "tools" / "node_modules" / "@vercel" / "cosmosdb-server"
# Starts it, with one fix (a read of a missing document answers 404, not 500): see the script.
LAUNCHER = Path(__file__).with_name("cosmos_emulator.js")
# The emulator accepts any key; this is the Cosmos DB emulator's published well-known key.
EMULATOR_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="


def emulator_installed() -> bool:
    return (EMULATOR / "lib" / "index.js").exists() and shutil.which("node") is not None


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@contextmanager
def running_cosmos_emulator(within: float = 20.0) -> Iterator[str]:
    """Starts the emulator on a free 127.0.0.1 port and yields its https endpoint once it accepts
    connections; stops it (and waits for it) when the block ends."""
    if not emulator_installed():
        raise RuntimeError(f"{EMULATOR} is not installed (run .ci/setup)")
    port = free_port()
    node = shutil.which("node") or "node"
    process = subprocess.Popen(
        [node, str(LAUNCHER), str(port)],
        env={**os.environ, "COSMOSDB_SERVER_DIR": str(EMULATOR)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + within
        while not _accepts(port):
            if process.poll() is not None:
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise RuntimeError(f"cosmosdb-server exited with {process.returncode}: {error}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"cosmosdb-server did not accept connections on port {port} within {within} s")
            time.sleep(0.05)
        yield f"https://127.0.0.1:{port}"
    finally:
        stop_process(process)
        if process.stderr:
            process.stderr.close()
