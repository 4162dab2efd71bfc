"""Issue #11's multi-process acceptance: two `hph serve` processes sharing one Redis Streams event log
split a consumer group's partitions, and when one is SIGKILLed the other takes over its partitions
and the events it was given and never acknowledged (XAUTOCLAIM); every event is handled.

The setup, and why: a data dir belongs to one platform (its lock), so each process has its own data
dir (its own store, outbox and relay), and they share what the issue is about, the log: HPH_EVENT_LOG
=redis with one HPH_REDIS_URL and key prefix. Both host the tickets service, whose TicketCreated
events they relay into the shared log, and both run the probe group (tests/support/probe_consumer,
declared through HPH_CONSUMER_EXTENSIONS) on ticket-events: the same consumer group, consumed by
two processes. The group's checkpoints, leases and pending entries live in Redis; its idempotency
ledger and dead letters live in each process's own store (in production both processes share
Cosmos DB, here they cannot share SQLite), so the probe records what it handled in a file both
write. A handler stalls in process A on purpose (a file names A's pid), so A holds delivered,
unacknowledged events when it is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from holidaypeak.commerce.v1 import support_ticket_service_pb2 as tickets_pb
from holidaypeak.commerce.v1 import support_ticket_service_pb2_grpc as tickets_grpc
from hph.runtime.eventlog import Position
from hph.runtime.eventlog.redis_streams import RedisEventLog
from hph.runtime.events import TOPIC_PARTITIONS
from tests.support.events_cli import hph_events
from tests.support.hph_process import grpc_address, hph_token, start_hph, stop_hph
from tests.support.probe_consumer import PROBE_GROUP, STARTED_LOG, probe_env, probe_lines
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

TOPIC = "ticket-events"
PARTITIONS = TOPIC_PARTITIONS[TOPIC]
LEASE_SECONDS = 1.5
# Enough tickets that every partition gets events (ticket ids are the server's: random keys).
MAX_TICKETS_PER_WAVE = 80


@dataclass
class Host:
    """One `hph serve` process, its data dir and a customer token of its dev issuer."""

    name: str
    process: subprocess.Popen[str]
    data_dir: Path
    address: str
    auth: list[tuple[str, str]]

    @property
    def pid(self) -> int:
        return self.process.pid

    async def open_ticket(self) -> None:
        async with grpc.aio.insecure_channel(self.address) as channel:
            request = tickets_pb.CreateTicketRequest(
                subject="Where is my parcel?", body="It has not arrived yet.", request_id=uuid.uuid4().hex
            )
            await tickets_grpc.SupportTicketServiceStub(channel).CreateTicket(request, metadata=self.auth, timeout=10)


@dataclass
class Cluster:
    first: Host
    second: Host
    probe_dir: Path
    env: dict[str, str]
    log: RedisEventLog

    async def owners(self) -> dict[int, int]:
        """partition -> pid of the process whose consumer holds its lease (consumer names end in
        -<pid>-<random>)."""
        leased = await self.log.owners(PROBE_GROUP, TOPIC)
        return {partition: int(consumer.rsplit("-", 2)[1]) for partition, consumer in leased.items()}

    async def event_ids(self) -> dict[str, int]:
        """Every event id of the topic in the shared log -> its partition."""
        ids: dict[str, int] = {}
        for partition in range(PARTITIONS):
            batch = await self.log.read(TOPIC, partition, Position.earliest(), 10_000)
            ids.update({event.envelope.event_id: partition for event in batch.events})
        return ids

    async def pending(self) -> dict[int, int]:
        return {partition: await self.log.pending(PROBE_GROUP, TOPIC, partition) for partition in range(PARTITIONS)}

    async def wave(self, host: Host, until_partitions: set[int]) -> None:
        """Opens tickets on `host` until its relay put at least one new event in the shared log, and
        each of `until_partitions` got one (an empty set: the first new event is enough, but it must
        be in the log before the wave ends, or a later snapshot of the log would miss it)."""
        before = set(await self.event_ids())
        for _ in range(MAX_TICKETS_PER_WAVE):
            await host.open_ticket()
            new = {partition for event_id, partition in (await self.event_ids()).items() if event_id not in before}
            if new and until_partitions <= new:
                return
        raise AssertionError(f"{MAX_TICKETS_PER_WAVE} tickets never reached partitions {until_partitions}")

    def handled(self) -> Counter[str]:
        return Counter(line.event_id for line in probe_lines(self.probe_dir))

    async def all_handled(self) -> bool:
        return set(await self.event_ids()) <= set(self.handled())


def _start(name: str, root: Path, env: dict[str, str]) -> Host:
    data_dir = root / name
    process, banner = start_hph(data_dir, "--services", "tickets", "--rest", command="serve", env=env)
    assert "REST" in banner, f"{name}: {banner}"
    token = hph_token(data_dir, f"customer-of-{name}")
    return Host(name, process, data_dir, grpc_address(banner), [("authorization", f"Bearer {token}")])


@pytest.fixture
async def cluster(tmp_path: Path, redis_url: str) -> AsyncIterator[Cluster]:
    probe_dir = tmp_path / "probe"
    env = {
        **probe_env(probe_dir, TOPIC),
        "HPH_EVENT_LOG": "redis",
        "HPH_REDIS_URL": redis_url,
        "HPH_REDIS_KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}:",
        "HPH_CONSUMER_LEASE_SECONDS": str(LEASE_SECONDS),
        "HPH_CONSUMER_POLL_SECONDS": "0.1",
        # Checkpoints (what `hph events lag` reads from another process) written within 0.2 s of a batch.
        "HPH_CONSUMER_CHECKPOINT_SECONDS": "0.2",
    }
    hosts: list[Host] = []
    try:
        hosts.append(_start("a", tmp_path, env))
        hosts.append(_start("b", tmp_path, env))
        log = RedisEventLog.connect(redis_url, key_prefix=env["HPH_REDIS_KEY_PREFIX"])
        try:
            yield Cluster(hosts[0], hosts[1], probe_dir, env, log)
        finally:
            await log.close()
    finally:
        for host in hosts:
            if host.process.poll() is None:
                stop_hph(host.process)


async def test_two_processes_split_a_group_and_one_takes_over_when_the_other_is_killed(cluster: Cluster) -> None:
    a, b = cluster.first, cluster.second

    # (a) Both processes consume the group, each its half of the partitions.
    async def split() -> bool:
        owners = await cluster.owners()
        halves = {a.pid: PARTITIONS // 2, b.pid: PARTITIONS // 2}
        return len(owners) == PARTITIONS and Counter(owners.values()) == halves

    await eventually(split, within=30, pause=0.1)
    owned_by_a = {partition for partition, pid in (await cluster.owners()).items() if pid == a.pid}

    # Events relayed into the shared log by both processes, handled where their partition is owned.
    await cluster.wave(a, set(range(PARTITIONS)))
    await cluster.wave(b, set())
    await eventually(cluster.all_handled, within=30, pause=0.1)
    ids = await cluster.event_ids()
    handlers = {(line.pid, ids[line.event_id]) for line in probe_lines(cluster.probe_dir)}
    assert {pid for pid, _ in handlers} == {a.pid, b.pid}
    assert {partition for pid, partition in handlers if pid == a.pid} == owned_by_a
    assert {partition for pid, partition in handlers if pid == b.pid} == set(range(PARTITIONS)) - owned_by_a

    async def acknowledged() -> bool:
        return not any((await cluster.pending()).values())

    async def caught_up() -> bool:
        """Every checkpoint written (a busy consumer writes them every HPH_CONSUMER_CHECKPOINT_SECONDS)."""
        lag = await hph_events("lag", "--group", PROBE_GROUP, "--exit-code", data_dir=b.data_dir, env=cluster.env)
        return lag.code == 0

    await eventually(acknowledged, within=10, pause=0.1)
    await eventually(caught_up, within=10, pause=0.1)
    lag = await hph_events("lag", "--group", PROBE_GROUP, "--exit-code", data_dir=b.data_dir, env=cluster.env)
    assert lag.code == 0, lag.out + lag.err
    assert lag.out.splitlines()[0].split() == ["GROUP", "TOPIC", "PARTITION", "CHECKPOINT", "LAST", "LAG", "OWNER"]
    assert {row.split()[-1].rsplit("-", 2)[1] for row in lag.out.splitlines()[1:-1]} == {str(a.pid), str(b.pid)}

    tailed = await hph_events("tail", TOPIC, "--json", data_dir=b.data_dir, env=cluster.env)
    assert tailed.code == 0, tailed.err
    assert {line["envelope"]["event_id"] for line in tailed.json_lines()} == set(ids)

    # (b) A stalls in the middle of a batch: the events it was given stay pending for it.
    stall = cluster.probe_dir / f"stall-{a.pid}"
    stall.touch()
    started_before = len(probe_lines(cluster.probe_dir, STARTED_LOG))
    await cluster.wave(b, owned_by_a)

    async def a_is_stuck_with_pending_events() -> bool:
        started = probe_lines(cluster.probe_dir, STARTED_LOG)[started_before:]
        pending = await cluster.pending()
        return any(line.pid == a.pid for line in started) and any(pending[p] for p in owned_by_a)

    await eventually(a_is_stuck_with_pending_events, within=15, pause=0.1)
    started = probe_lines(cluster.probe_dir, STARTED_LOG)[started_before:]
    stuck = {line.event_id for line in started if line.pid == a.pid}
    pending_at_kill = {partition: count for partition, count in (await cluster.pending()).items() if count}
    assert set(pending_at_kill) <= owned_by_a

    a.process.send_signal(signal.SIGKILL)
    a.process.wait(timeout=10)

    # B's share grows to every partition once A's lease expires; it reclaims A's pending events
    # before reading on, and handles everything, A's stuck events included, each once. Only a claim
    # (XAUTOCLAIM) can hand B the stuck events: XREADGROUP never delivers an entry a second time.
    async def b_owns_all() -> bool:
        return await cluster.owners() == dict.fromkeys(range(PARTITIONS), b.pid)

    await eventually(b_owns_all, within=LEASE_SECONDS * 10, pause=0.1)
    await cluster.wave(b, owned_by_a)  # and what is appended after the kill
    await eventually(cluster.all_handled, within=30, pause=0.1)
    await eventually(acknowledged, within=10, pause=0.1)
    await eventually(caught_up, within=10, pause=0.1)
    handled = cluster.handled()
    assert all(count == 1 for count in handled.values()), {k: v for k, v in handled.items() if v != 1}
    by_pid = {line.event_id: line.pid for line in probe_lines(cluster.probe_dir)}
    assert stuck and all(by_pid[event_id] == b.pid for event_id in stuck)
    lag = await hph_events("lag", "--group", PROBE_GROUP, "--exit-code", data_dir=b.data_dir, env=cluster.env)
    assert lag.code == 0, lag.out + lag.err
    assert {row.split()[-1].rsplit("-", 2)[1] for row in lag.out.splitlines()[1:-1]} == {str(b.pid)}
    os.unlink(stall)
