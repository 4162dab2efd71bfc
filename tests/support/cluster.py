"""Several `hph` hosts on the local-cluster profile for the multi-host proofs (issue #13): each a real
`hph serve` (or `hph up`) process with a data dir and ports of its own, all sharing a PostgreSQL
database of the test's own, one Redis (the event log's streams, the hot cache, the rate limits and the
memory hot tier, all under a key prefix of the test's own) and one dev issuer key directory, so a
token works on every host.

`running_cluster` starts the first host with the demo data, then the others, and afterwards stops
every host still running (SIGTERM, then SIGKILL), drops the database and deletes the Redis keys.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis

from hph.runtime.auth.dev_issuer import DevIssuer
from hph.runtime.eventlog.redis_streams import RedisEventLog
from tests.support import postgres
from tests.support.hph_process import grpc_address, rest_url, start_hph, stop_hph

# Every service, the REST surface beside them; no agents (a fallback answers for them), so three
# hosts fit on two cores.
SERVE_ARGS = ("--services", "all", "--rest")
# Short enough that a dead host's partitions move within a few seconds, long enough that a busy
# machine's renewals (every third of it) are not late.
LEASE_SECONDS = 4


@dataclass
class ClusterHost:
    name: str
    data_dir: Path
    process: subprocess.Popen[str]
    banner: str

    @property
    def grpc(self) -> str:
        return grpc_address(self.banner)

    @property
    def rest(self) -> str:
        return rest_url(self.banner)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class Cluster:
    env: dict[str, str]
    dsn: str
    redis_url: str
    event_log_prefix: str
    key_dir: Path
    hosts: list[ClusterHost] = field(default_factory=list)

    def bearer(self, role: str, sub: str, *, ttl: int = 3600) -> str:
        """A token from the cluster's shared dev issuer (what `hph token` on any host prints)."""
        issuer = DevIssuer(self.hosts[0].data_dir, key_dir=self.key_dir)
        return issuer.issue(sub, role, email=f"{sub}@example.com", ttl_seconds=ttl)

    def headers(self, role: str, sub: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.bearer(role, sub)}"}

    def metadata(self, role: str, sub: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.bearer(role, sub)}"),)

    def event_log(self) -> RedisEventLog:
        """The shared log, as a host opens it (close it afterwards)."""
        return RedisEventLog.connect(self.redis_url, key_prefix=self.event_log_prefix)

    @property
    def live(self) -> list[ClusterHost]:
        return [host for host in self.hosts if host.alive]

    def kill(self, host: ClusterHost) -> None:
        """SIGKILL: no drain, no lease released, nothing flushed."""
        host.process.send_signal(signal.SIGKILL)
        host.process.wait()


def cluster_env(dsn: str, redis_url: str, prefix: str, key_dir: Path) -> dict[str, str]:
    """The local-cluster profile pointed at the test's own database, Redis keys and issuer keys."""
    return {
        "HPH_PROFILE": "local-cluster",
        "HPH_POSTGRES_DSN": dsn,
        "HPH_POSTGRES_POOL_SIZE": "4",
        "HPH_REDIS_URL": redis_url,
        "HPH_REDIS_KEY_PREFIX": f"{prefix}eventlog:",
        "HPH_RATE_LIMIT_REDIS_PREFIX": f"{prefix}limits:",
        "HPH_CACHE_REDIS_PREFIX": f"{prefix}cache:",
        "HPH_MEMORY_REDIS_PREFIX": f"{prefix}memory:",
        "HPH_DEV_ISSUER_KEY_DIR": str(key_dir),
        "HPH_MEMORY_COLD": "files",  # the cold tier plays no part in these proofs
        # The proofs send many requests from one address and a few users: the limits are not under test.
        "HPH_RATE_LIMIT_PER_IP_PER_MINUTE": "0",
        "HPH_RATE_LIMIT_PER_USER_PER_MINUTE": "0",
        "HPH_REDIS_CALL_TIMEOUT_SECONDS": "2",
        "HPH_ANALYTICS_CACHE_SECONDS": "0",
        "HPH_CONSUMER_LEASE_SECONDS": str(LEASE_SECONDS),
        "HPH_OUTBOX_POLL_SECONDS": "0.5",
    }


@contextmanager
def running_cluster(
    root: Path,
    redis_url: str,
    *,
    hosts: int = 3,
    args: Sequence[str] = SERVE_ARGS,
    command: str = "serve",
    env: Mapping[str, str] | None = None,
) -> Iterator[Cluster]:
    """`hosts` hosts under `root` (data dirs a, b, c ...) sharing a new database and Redis prefix;
    `env` adds or overrides settings of every host."""
    database = postgres.run_sync(postgres.create_database)
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    key_dir = root / "cluster-issuer"
    cluster = Cluster(
        env={**cluster_env(postgres.dsn_for(database), redis_url, prefix, key_dir), **(env or {})},
        dsn=postgres.dsn_for(database),
        redis_url=redis_url,
        event_log_prefix=f"{prefix}eventlog:",
        key_dir=key_dir,
    )

    def start(index: int) -> ClusterHost:
        name = "abcdefgh"[index]
        seed = ["--seed"] if index == 0 and command == "serve" else []
        extra = ["--no-seed"] if index > 0 and command == "up" else []
        process, banner = start_hph(root / name, *args, *seed, *extra, env=cluster.env, command=command)
        return ClusterHost(name, root / name, process, banner)

    try:
        # The first host creates the schema and seeds; the others start together once it serves.
        cluster.hosts.append(start(0))
        with ThreadPoolExecutor(max_workers=hosts) as starting:
            cluster.hosts += list(starting.map(start, range(1, hosts)))
        for host in cluster.hosts:
            assert "REST" in host.banner, f"host {host.name} did not start: {host.banner}\n{_log_tail(host.data_dir)}"
        yield cluster
    finally:
        for host in cluster.hosts:
            if host.alive:
                stop_hph(host.process)
        postgres.run_sync(lambda: postgres.drop_database(database))
        client = redis.Redis.from_url(redis_url)
        try:
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            client.close()


def _log_tail(data_dir: Path, lines: int = 30) -> str:
    logs = sorted(data_dir.glob("*.log"), key=os.path.getmtime)
    if not logs:
        return ""
    return "\n".join(logs[-1].read_text(errors="replace").splitlines()[-lines:])
