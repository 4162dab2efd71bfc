"""A private azurite (the Blob Storage emulator, installed by .ci/setup into .ci/tools/node_modules):
a free port, a temporary dir, an account with a random key of its own, stopped afterwards.

The random key lets the identity tests prove that no log line or repr carries it (the well-known
dev key would be everywhere anyway)."""

from __future__ import annotations

import base64
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hph.host.local_cluster import AZURITE_BLOB, azurite_command
from tests.support.ports import free_port
from tests.support.processes import stop_process


@dataclass(frozen=True)
class Azurite:
    """One running emulator: its account, key and blob endpoint."""

    account: str
    key: str = field(repr=False)
    blob_endpoint: str

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={self.account};AccountKey={self.key};"
            f"BlobEndpoint={self.blob_endpoint};"
        )


def azurite_installed() -> bool:
    return AZURITE_BLOB.is_file() and os.access(AZURITE_BLOB, os.X_OK)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@contextmanager
def running_azurite(directory: Path, within: float = 60.0) -> Iterator[Azurite]:
    """Starts azurite's blob service on a free 127.0.0.1 port, storing under `directory`, with an
    account of a random name and key; yields it once it listens; stops it when the block ends."""
    if not azurite_installed():
        raise RuntimeError(f"azurite is not installed ({AZURITE_BLOB}); run `bash .ci/setup`")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    account = "hph" + secrets.token_hex(4)
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    environment = {**os.environ, "AZURITE_ACCOUNTS": f"{account}:{key}"}
    process = subprocess.Popen(
        [*azurite_command(port, directory), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment,
    )
    try:
        deadline = time.monotonic() + within
        while not _listening(port):
            if process.poll() is not None:
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise RuntimeError(f"azurite exited with {process.returncode}: {error}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"azurite did not listen on port {port} within {within} s")
            time.sleep(0.05)
        yield Azurite(account, key, f"http://127.0.0.1:{port}/{account}")
    finally:
        stop_process(process)
        if process.stderr:
            process.stderr.close()
