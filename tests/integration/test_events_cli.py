"""`hph events` against a real `hph up` on its data dir: the events are the platform's own (tickets
opened over gRPC, relayed to the embedded log), the CLI is a subprocess beside it, as an operator
runs it while the platform holds the data dir's lock.

The platform runs the probe group (tests/support/probe_consumer) on ticket-events, declared through
HPH_CONSUMER_EXTENSIONS, so a test can break its handler, fix it, and count what it handled.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest

from holidaypeak.commerce.v1 import support_ticket_service_pb2 as tickets_pb
from holidaypeak.commerce.v1 import support_ticket_service_pb2_grpc as tickets_grpc
from hph.runtime.events import TOPIC_PARTITIONS
from tests.support.events_cli import Finished, Follower, hph_events
from tests.support.hph_process import HPH, grpc_address, hph_token, start_hph, stop_hph
from tests.support.probe_consumer import BROKEN, PROBE_GROUP, probe_env, probe_lines
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

MAX_ATTEMPTS = 2
TOPIC = "ticket-events"


@dataclass
class Platform:
    """A running `hph up` with the probe group, and a customer who opens tickets on it."""

    data_dir: Path
    probe_dir: Path
    address: str
    customer: list[tuple[str, str]]

    async def open_ticket(self) -> str:
        """Opens a ticket (one TicketCreated on ticket-events); its id."""
        async with grpc.aio.insecure_channel(self.address) as channel:
            stub = tickets_grpc.SupportTicketServiceStub(channel)
            request = tickets_pb.CreateTicketRequest(
                subject="Where is my parcel?", body="It has not arrived yet.", request_id=uuid.uuid4().hex
            )
            ticket = await stub.CreateTicket(request, metadata=self.customer, timeout=10)
        return str(ticket.id)

    async def events(self, *args: str) -> Finished:
        return await hph_events(*args, data_dir=self.data_dir)

    async def logged(self) -> list[dict[str, Any]]:
        """Every event of the topic, as `tail --json` prints them."""
        tailed = await self.events("tail", TOPIC, "--json")
        assert tailed.code == 0, tailed.err
        return tailed.json_lines()

    def handled(self) -> Counter[str]:
        """How often the probe handled each event id."""
        return Counter(line.event_id for line in probe_lines(self.probe_dir))


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    root = tmp_path_factory.mktemp("events-cli")
    data_dir, probe_dir = root / "data", root / "probe"
    env = {
        **probe_env(probe_dir, TOPIC),
        "HPH_CONSUMER_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "HPH_CONSUMER_BACKOFF_SECONDS": "0.01",
        "HPH_CONSUMER_POLL_SECONDS": "0.1",
    }
    process, banner = start_hph(data_dir, env=env)
    try:
        assert "REST" in banner, banner
        token = hph_token(data_dir, "customer-eve")
        yield Platform(data_dir, probe_dir, grpc_address(banner), [("authorization", f"Bearer {token}")])
    finally:
        stop_hph(process)


def _ticket_event(lines: list[dict[str, Any]], ticket_id: str) -> dict[str, Any]:
    found = [line for line in lines if line["envelope"]["partition_key"] == ticket_id]
    assert len(found) == 1, f"{len(found)} events keyed {ticket_id} in {lines}"
    return found[0]


async def test_topics_and_tail_show_what_the_platform_logged_while_it_holds_the_data_dir(platform: Platform) -> None:
    ticket_id = await platform.open_ticket()
    # The relay appends at once; the tail reads it beside the running platform (no lock taken).
    await eventually(lambda: _has_key(platform, ticket_id), within=10)
    event = _ticket_event(await platform.logged(), ticket_id)
    envelope = event["envelope"]
    assert isinstance(envelope, dict)
    assert envelope["event_type"] == "holidaypeak.events.v1.TicketCreated"
    assert envelope["ticket_created"]["ticket_id"] == ticket_id
    assert event["topic"] == TOPIC and isinstance(event["sequence"], int)

    plain = await platform.events("tail", TOPIC, "--type", "TicketCreated", "--partition", str(event["partition"]))
    assert plain.code == 0, plain.err
    line = next(text for text in plain.out.splitlines() if f"key={ticket_id}" in text)
    assert line.startswith(f"{event['partition']}:{event['sequence']} ")
    assert "TicketCreated" in line and f"id={envelope['event_id']}" in line
    other_type = await platform.events("tail", TOPIC, "--type", "TicketAssigned")
    assert other_type.code == 0 and ticket_id not in other_type.out

    topics = await platform.events("topics", "--json")
    assert topics.code == 0, topics.err
    by_topic = {entry["topic"]: entry["partitions"] for entry in topics.json_lines()}
    assert {topic: len(partitions) for topic, partitions in by_topic.items()} == dict(TOPIC_PARTITIONS)
    holding = by_topic[TOPIC][event["partition"]]
    assert holding["first_sequence"] <= event["sequence"] <= holding["last_sequence"]
    table = await platform.events("topics")
    assert table.code == 0 and table.out.splitlines()[0].split()[:4] == ["TOPIC", "PARTITION", "FIRST", "LAST"]


async def _has_key(platform: Platform, key: str) -> bool:
    return any(line["envelope"]["partition_key"] == key for line in await platform.logged())


async def test_tail_follow_prints_an_event_as_the_platform_logs_it(platform: Platform) -> None:
    follower = await Follower.start(TOPIC, "--json", data_dir=platform.data_dir)
    try:
        # --follow starts at the latest event: only what is logged from now on comes out.
        ticket_id = await platform.open_ticket()
        line = await follower.line(within=15)
        assert f'"partition_key":"{ticket_id}"' in line and '"ticket_created"' in line
    finally:
        code = await follower.stop()
    assert code == 130  # interrupted, as by Ctrl-C, without a traceback


def test_tail_into_a_reader_that_went_away_ends_quietly(platform: Platform) -> None:
    # `hph events tail --follow | head -1`: once head exits, the next write finds no reader.
    follower = subprocess.Popen(
        [*HPH, "events", "tail", TOPIC, "--follow", "--data-dir", str(platform.data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert follower.stderr is not None and follower.stdout is not None
        assert follower.stderr.readline().startswith(b"following ")
        follower.stdout.close()
        asyncio.run(platform.open_ticket())
        assert follower.wait(timeout=15) == 0
        assert follower.stderr.read() == b""
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.wait()


async def test_lag_shows_every_group_caught_up(platform: Platform) -> None:
    ticket_id = await platform.open_ticket()
    await eventually(lambda: _has_key(platform, ticket_id), within=10)

    async def caught_up() -> bool:
        return (await platform.events("lag", "--exit-code")).code == 0

    await eventually(caught_up, within=20, pause=0.2)
    lag = await platform.events("lag")
    assert lag.code == 0, lag.err
    assert lag.out.splitlines()[-1].startswith("every group is caught up")
    rows = [line.split() for line in lag.out.splitlines()[1:-1]]
    assert {row[0] for row in rows} >= {"analytics", "catalog", "payments", PROBE_GROUP}
    assert all(row[-1] == "0" for row in rows)
    probe = await platform.events("lag", "--group", PROBE_GROUP, "--json")
    partitions = probe.json_lines()
    assert [(entry["topic"], entry["partition"]) for entry in partitions] == [
        (TOPIC, partition) for partition in range(TOPIC_PARTITIONS[TOPIC])
    ]
    assert all(entry["events"] == 0 for entry in partitions)
    unknown = await platform.events("lag", "--group", "nobody")
    assert unknown.code == 2 and unknown.err.count("\n") == 1 and PROBE_GROUP in unknown.err


async def test_an_event_that_always_fails_is_dead_lettered_and_replayed_once_fixed(platform: Platform) -> None:
    broken = platform.probe_dir / BROKEN
    broken.write_text("the warehouse feed is down")
    try:
        tickets = [await platform.open_ticket(), await platform.open_ticket()]

        async def parked() -> dict[str, dict[str, Any]]:
            """The parked dead letters of this test's tickets, by ticket id."""
            listed = await platform.events("dlq", "list", "--group", PROBE_GROUP, "--status", "parked", "--json")
            assert listed.code == 0, listed.err
            letters = {entry["envelope"]["partition_key"]: entry for entry in listed.json_lines()}
            return {ticket: letters[ticket] for ticket in tickets if ticket in letters}

        async def both_parked() -> bool:
            return len(await parked()) == 2

        await eventually(both_parked, within=20, pause=0.2)
    finally:
        broken.unlink()  # the cause is fixed
    letters = await parked()
    first, second = letters[tickets[0]], letters[tickets[1]]
    for letter in (first, second):
        assert letter["reason"] == "ProbeFailure: the warehouse feed is down"
        assert letter["attempts"] == MAX_ATTEMPTS and letter["group"] == PROBE_GROUP
        assert letter["id"] == f"{PROBE_GROUP}/{TOPIC}.{letter['partition']}.{letter['sequence']}"
        assert platform.handled()[letter["event_id"]] == 0

    # The group may be left out of an ID when only one group has a dead letter there.
    shown = await platform.events("dlq", "show", f"{TOPIC}.{first['partition']}.{first['sequence']}")
    assert shown.code == 0, shown.err
    assert "status:       parked" in shown.out and "the warehouse feed is down" in shown.out
    assert f'"partition_key": "{tickets[0]}"' in shown.out

    replayed = await platform.events("dlq", "replay", first["id"], "--wait", "30")
    assert replayed.code == 0, replayed.err
    assert "replayed: 1 handled" in replayed.out
    assert platform.handled()[first["event_id"]] == 1
    after = (await platform.events("dlq", "show", first["id"], "--json")).json_lines()[0]
    assert after["status"] == "replayed" and after["replays"] == 1

    # --all takes the parked ones (the second), not the one replayed already.
    every = await platform.events("dlq", "replay", "--all", "--group", PROBE_GROUP, "--wait", "30")
    assert every.code == 0, every.err
    assert f"replay requested: {second['id']}" in every.out and first["id"] not in every.out
    assert platform.handled()[second["event_id"]] == 1

    # Asked again: re-delivered, and the group's idempotency ledger keeps it at one effect.
    again = await platform.events("dlq", "replay", first["id"], "--wait", "30")
    assert again.code == 0, again.err
    assert platform.handled()[first["event_id"]] == 1

    missing = await platform.events("dlq", "show", f"{PROBE_GROUP}/{TOPIC}.0.999999")
    assert missing.code == 2 and "no dead letter" in missing.err and missing.err.count("\n") == 1


async def test_replay_from_earliest_hands_every_event_to_the_group_again(platform: Platform) -> None:
    await platform.open_ticket()

    async def settled() -> bool:
        return (await platform.events("lag", "--group", PROBE_GROUP, "--exit-code")).code == 0

    await eventually(settled, within=20, pause=0.2)
    logged = Counter(str(line["envelope"]["event_id"]) for line in await platform.logged())
    before = platform.handled()

    replay = await platform.events("replay", "--group", PROBE_GROUP, "--from", "earliest")
    assert replay.code == 0, replay.err
    assert replay.out.startswith(f"reset {PROBE_GROUP} on {TOPIC} to the earliest retained event: ")
    assert f"{PROBE_GROUP} has caught up" in replay.err  # the progress bar's last word
    # Every retained event once more (the ledger forgot them), nothing else.
    assert platform.handled() == before + logged
