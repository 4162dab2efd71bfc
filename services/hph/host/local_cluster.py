"""What `hph up` / `hph serve` do first on the local-cluster profile (hph.runtime.profiles): make sure
the shared engines are there, or say in one line which is missing and how to get it.

- PostgreSQL: its database is created when missing (several hosts may race to create it; the loser
  finds it made). An unreachable server is an error naming host and port, never the password.
- Redis: one PING; an unreachable server is an error naming what the profile keeps there.
- azurite (the cold memory tier): when nothing listens on its local port, azurite's blob service is
  started from `.ci/tools` (installed by `bash .ci/setup`) in a session of its own, storing under
  `.hph-cluster/azurite`, and left running for the other hosts: it is the cluster's, not this
  host's. Where azurite is not installed, the error says how to start one or leave blob storage off.

Each step runs only when the settings still use that engine (an explicit variable may have moved
one back to its embedded adapter).
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from hph.runtime.settings import Settings
from hph.runtime.storage.postgres import describe_dsn

ROOT = Path(__file__).resolve().parents[3]
AZURITE_BLOB = ROOT / ".ci" / "tools" / "node_modules" / ".bin" / "azurite-blob"
AZURITE_DIR = Path(".hph-cluster") / "azurite"
CONNECT_TIMEOUT_SECONDS = 5.0
AZURITE_START_SECONDS = 30.0


async def prepare(settings: Settings) -> list[str]:
    """Checks (and creates or starts) the engines the settings use; returns lines for the banner.
    ValueError with one line saying what is missing."""
    lines: list[str] = []
    if settings.storage == "postgres":
        lines += await ensure_postgres_database(settings.postgres_dsn)
    if settings.redis_url and "redis" in (settings.event_log, settings.hot_cache, settings.rate_limits):
        await check_redis(settings.redis_url)
    if settings.memory_cold == "blob" and settings.azure_emulator:
        lines += await asyncio.to_thread(ensure_azurite, settings.azure_storage_connection_string)
    return lines


async def ensure_postgres_database(dsn: str) -> list[str]:
    """Creates the DSN's database when the server has none of that name."""
    import asyncpg

    server = describe_dsn(dsn)
    try:
        connection = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_SECONDS)
    except asyncpg.InvalidCatalogNameError:
        pass  # the server answered: only the database is missing
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise ValueError(
            f"cannot reach PostgreSQL at {server} (the local-cluster profile's store): {type(exc).__name__}: {exc}; "
            "start it, or point HPH_POSTGRES_DSN at one"
        ) from None
    else:
        await connection.close()
        return []
    parts = urlsplit(dsn)
    database = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    try:
        connection = await asyncpg.connect(maintenance, timeout=CONNECT_TIMEOUT_SECONDS)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise ValueError(
            f"PostgreSQL at {server} has no database {database!r} and cannot be asked to create it "
            f"({type(exc).__name__}: {exc}); create it, or point HPH_POSTGRES_DSN at one that exists"
        ) from None
    try:
        quoted = '"' + database.replace('"', '""') + '"'
        await connection.execute(f"CREATE DATABASE {quoted}")
    except asyncpg.DuplicateDatabaseError:
        return []  # another host made it meanwhile
    except asyncpg.PostgresError as exc:
        raise ValueError(f"cannot create the PostgreSQL database {database!r} at {server}: {exc}") from None
    finally:
        await connection.close()
    return [f"  created  PostgreSQL database {database} at {server}"]


async def check_redis(url: str) -> None:
    """One PING; ValueError naming the server (never its password) when it does not answer."""
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError

    parts = urlsplit(url)
    where = f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"
    client = aioredis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        await asyncio.wait_for(client.ping(), CONNECT_TIMEOUT_SECONDS)
    except (RedisError, OSError, TimeoutError) as exc:
        raise ValueError(
            f"cannot reach Redis at {where} (the local-cluster profile's event log, hot cache, rate limits and "
            f"memory hot tier): {type(exc).__name__}: {exc}; start redis-server, or point HPH_REDIS_URL at one"
        ) from None
    finally:
        await client.aclose()


def blob_address(connection_string: str) -> tuple[str, int]:
    """Host and port of a connection string's BlobEndpoint."""
    fields = dict(part.split("=", 1) for part in connection_string.split(";") if "=" in part)
    endpoint = urlsplit(fields.get("BlobEndpoint", ""))
    if not endpoint.hostname:
        raise ValueError("HPH_AZURE_STORAGE_CONNECTION_STRING names no BlobEndpoint for the cold memory tier")
    return endpoint.hostname, endpoint.port or 10000


def ensure_azurite(connection_string: str) -> list[str]:
    """Starts azurite's blob service when nothing listens at the connection string's local endpoint."""
    host, port = blob_address(connection_string)
    if _listening(host, port):
        return []
    if host not in ("127.0.0.1", "localhost"):
        raise ValueError(f"nothing answers at {host}:{port}, the blob endpoint of the cold memory tier")
    if not AZURITE_BLOB.is_file():
        raise ValueError(
            f"nothing listens on {host}:{port} for the cold memory tier and azurite is not installed here "
            f"({AZURITE_BLOB}; `bash .ci/setup` installs it); start one (npx azurite-blob --blobPort {port}) "
            "or keep cold memory in files (HPH_MEMORY_COLD=files)"
        )
    AZURITE_DIR.mkdir(parents=True, exist_ok=True)
    with (AZURITE_DIR.parent / "azurite.log").open("ab") as log:
        process = subprocess.Popen(
            azurite_command(port, AZURITE_DIR),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # the cluster's emulator: it outlives this host
        )
    deadline = time.monotonic() + AZURITE_START_SECONDS
    while not _listening(host, port):
        if process.poll() is not None and not _listening(host, port):
            raise ValueError(f"azurite exited with {process.returncode}; see {AZURITE_DIR.parent / 'azurite.log'}")
        if time.monotonic() > deadline:
            raise ValueError(f"azurite did not listen on {host}:{port} within {AZURITE_START_SECONDS:.0f} s")
        time.sleep(0.1)
    if process.poll() is not None:
        return []  # another host's azurite won the port
    return [
        f"  started  azurite (pid {process.pid}) on {host}:{port}, data in {AZURITE_DIR.resolve()}; "
        f"it serves every host of the cluster (stop it with: kill {process.pid})"
    ]


def azurite_command(port: int, location: Path) -> list[str]:
    """azurite's blob service on 127.0.0.1:`port`, storing under `location`, without the checks of
    API versions and headers that newer SDKs would fail."""
    return [
        str(AZURITE_BLOB),
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        str(port),
        "--location",
        str(location),
        "--skipApiVersionCheck",
        "--loose",
        "--disableTelemetry",
    ]


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
