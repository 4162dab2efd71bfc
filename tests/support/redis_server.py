"""A private `redis-server` for tests and benchmarks: a free port, a temporary dir, no persistence,
stopped afterwards, so nothing depends on (or leaves state in) a Redis the machine happens to run."""

from __future__ import annotations

import ipaddress
import secrets
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

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
def _running(arguments: list[str], answers: Callable[[], bool], port: int, within: float) -> Iterator[None]:
    binary = redis_server_binary()
    if binary is None:
        raise RuntimeError(f"{REDIS_SERVER} is not installed")
    process = subprocess.Popen([binary, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + within
        while not answers():
            if process.poll() is not None:
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                raise RuntimeError(f"redis-server exited with {process.returncode}: {error}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer on port {port} within {within} s")
            time.sleep(0.02)
        yield
    finally:
        stop_process(process)
        if process.stderr:
            process.stderr.close()


@contextmanager
def running_redis_server(directory: Path, within: float = 10.0, port: int | None = None) -> Iterator[str]:
    """Starts `redis-server` on a free 127.0.0.1 port (or `port`: a server started again where a
    stopped one was) with `directory` as its working dir and yields its URL once it answers PING;
    stops it (and waits for it) when the block ends."""
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    arguments = ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory), *_EPHEMERAL]
    with _running(arguments, lambda: _answers_ping(port), port, within):
        yield f"redis://127.0.0.1:{port}/0"


@dataclass(frozen=True)
class TlsRedis:
    """A TLS-only server asking for a password, as Azure Cache for Redis does: `url` is the
    rediss:// URL with the password, trusting the server's self-signed certificate (`ca_file`)."""

    port: int
    password: str
    ca_file: Path

    @property
    def url(self) -> str:
        return f"rediss://:{self.password}@127.0.0.1:{self.port}/0?ssl_ca_certs={self.ca_file}"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost (its own CA) and its key, as files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "redis.crt", directory / "redis.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def _answers_ping_over_tls(port: int, ca_file: Path) -> bool:
    context = ssl.create_default_context(cafile=str(ca_file))
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=0.2) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1") as connection,
        ):
            connection.sendall(b"PING\r\n")
            # Without the password the server still answers, with an authentication error.
            return connection.recv(16)[:1] in (b"+", b"-")
    except OSError:
        return False


@contextmanager
def running_tls_redis_server(directory: Path, within: float = 10.0) -> Iterator[TlsRedis]:
    """Starts `redis-server` on a free 127.0.0.1 port speaking TLS only (no plain port) and asking
    for a random password; yields it once it answers; stops it when the block ends."""
    directory.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = _self_signed(directory)
    server = TlsRedis(port=free_port(), password=secrets.token_urlsafe(24), ca_file=cert_file)
    arguments = [
        "--port", "0", "--tls-port", str(server.port), "--bind", "127.0.0.1", "--dir", str(directory),
        "--tls-cert-file", str(cert_file), "--tls-key-file", str(key_file), "--tls-ca-cert-file", str(cert_file),
        "--tls-auth-clients", "no", "--requirepass", server.password, *_EPHEMERAL,
    ]  # fmt: skip
    with _running(arguments, lambda: _answers_ping_over_tls(server.port, cert_file), server.port, within):
        yield server
