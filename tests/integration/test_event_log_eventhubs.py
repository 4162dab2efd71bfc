"""The Event Hubs adapter of the event log (hph.runtime.eventlog.eventhubs).

SDK-BOUNDARY CONTRACT TESTS for the broker side: no Event Hubs broker runs on this machine, so the
producer and consumer clients are fakes of exactly the SDK surface the adapter calls
(tests/support/fake_eventhubs.py, keeping Event Hubs' rules), and the tests assert the SDK calls:
partition ids, batch sizing, starting positions, consumer groups. The checkpoint store is the REAL
`azure-eventhub-checkpointstoreblob-aio` store on a private azurite (a real Blob emulator), wrapped
only to record its calls: checkpoints, ownership claims and membership are stored for real."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.eventhub.extensions.checkpointstoreblobaio import BlobCheckpointStore

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from holidaypeak.events.v1.order_events_pb2 import OrderCreated
from hph.runtime.azure_clients import AzureClients
from hph.runtime.consumers import ConsumerGroup, Delivery, EventConsumers, Subscription
from hph.runtime.consumers.runner import ConsumerSettings
from hph.runtime.eventlog import (
    UNKNOWN_SEQUENCE,
    EventLogError,
    OwnershipStore,
    PartitionCountMismatch,
    Position,
    UnknownTopicError,
    partition_for,
)
from hph.runtime.eventlog.eventhubs import (
    EVENT_ID_PROPERTY,
    PARTITION_KEY_PROPERTY,
    EventHubsEventLog,
)
from hph.runtime.events import new_event
from hph.runtime.settings import Settings
from hph.runtime.storage import SqliteDocumentStore
from tests.support.azurite import Azurite
from tests.support.fake_eventhubs import FakeNamespace

TOPIC = "order-events"
PARTITIONS = 4
GROUPS = {TOPIC: ("analytics", "payments", "catalog-search")}


class RecordingCheckpointStore:
    """The real blob checkpoint store, recording the calls the adapter makes."""

    def __init__(self, store: BlobCheckpointStore) -> None:
        self.store = store
        self.calls: list[tuple[str, Any]] = []

    async def list_ownership(self, namespace: str, eventhub: str, group: str) -> Any:
        return await self.store.list_ownership(namespace, eventhub, group)

    async def claim_ownership(self, ownership_list: Any) -> Any:
        claims = [dict(claim) for claim in ownership_list]
        self.calls.append(("claim_ownership", claims))
        return await self.store.claim_ownership(claims)

    async def update_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self.calls.append(("update_checkpoint", dict(checkpoint)))
        await self.store.update_checkpoint(checkpoint)

    async def list_checkpoints(self, namespace: str, eventhub: str, group: str) -> Any:
        return await self.store.list_checkpoints(namespace, eventhub, group)

    async def close(self) -> None:
        await self.store.close()


class Clock:
    """Real time plus a shift the test moves (lease expiry is judged by the host's clock)."""

    def __init__(self) -> None:
        self.shift = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift


Opener = Callable[[], Awaitable[tuple[EventHubsEventLog, RecordingCheckpointStore]]]


@pytest.fixture
def broker() -> FakeNamespace:
    namespace = FakeNamespace()
    namespace.create_hub(TOPIC, PARTITIONS, GROUPS[TOPIC])
    namespace.create_hub("payment-events", 2)
    return namespace


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def open_log(azurite: Azurite, broker: FakeNamespace, clock: Clock) -> AsyncIterator[Opener]:
    """Opens adapter instances (hosts) over one fake namespace and one checkpoint container."""
    container = f"checkpoints-{uuid.uuid4().hex[:12]}"
    settings = Settings(azure_emulator=True, azure_storage_connection_string=azurite.connection_string)
    opened: list[EventHubsEventLog] = []

    async def open_one() -> tuple[EventHubsEventLog, RecordingCheckpointStore]:
        clients = AzureClients.from_settings(settings)
        store = RecordingCheckpointStore(clients.checkpoint_store(container))
        log = EventHubsEventLog(
            namespace=broker.host,
            producer=broker.producer,
            consumer=broker.consumer,
            checkpoint_store=store,
            container=clients.container(container),
            topics={TOPIC: PARTITIONS, "payment-events": 2, "return-events": 4},
            consumer_groups=GROUPS,
            lease_seconds=10.0,
            receive_wait=0.5,
            clock=clock,
        )
        opened.append(log)
        return log, store

    yield open_one
    for log in opened:
        await log.close()


@pytest.fixture
async def log(open_log: Opener) -> EventHubsEventLog:
    opened, _ = await open_log()
    await opened.create_topic(TOPIC, PARTITIONS)
    return opened


def an_event(key: str, n: int = 0, padding: int = 0) -> EventEnvelope:
    return new_event(
        OrderCreated(order_id=f"{key}-{n}", user_id="u" * max(1, padding)),
        source="orders",
        subject=f"orders/{key}",
        partition_key=key,
    )


def keys_for(partition: int, count: int = 1) -> list[str]:
    found = [key for key in (f"order-{i}" for i in range(10_000)) if partition_for(key, PARTITIONS) == partition]
    return found[:count]


async def read_all(log: EventHubsEventLog, partition: int, start: Position) -> list[tuple[int, str]]:
    position, seen = start, []
    while True:
        batch = await log.read(TOPIC, partition, position, max_events=3)
        if not batch.events:
            return seen
        seen.extend((event.sequence, event.envelope.event_id) for event in batch.events)
        position = batch.next_position


# --- topics -------------------------------------------------------------------------------------


async def test_topics_are_the_registry_hubs_that_exist_with_their_counts(open_log: Opener) -> None:
    log, _ = await open_log()
    assert await log.topics() == {TOPIC: PARTITIONS, "payment-events": 2}  # return-events: no hub
    await log.create_topic(TOPIC, PARTITIONS)
    with pytest.raises(PartitionCountMismatch):
        await log.create_topic("payment-events", 8)
    with pytest.raises(EventLogError, match=r"infra/eventhubs\.bicep"):
        await log.create_topic("return-events", 4)
    with pytest.raises(UnknownTopicError):
        await log.append("return-events", an_event("k"))


# --- append: partition ids, properties, batch sizing (SDK boundary) -----------------------------


async def test_append_sends_each_partition_its_events_in_order_to_the_ports_partition(
    log: EventHubsEventLog, broker: FakeNamespace
) -> None:
    one, two = keys_for(1)[0], keys_for(2)[0]
    batch = [an_event(one, 0), an_event(two, 0), an_event(one, 1)]
    appended = await log.append(TOPIC, batch)

    assert [(event.partition, event.sequence) for event in appended] == [(1, UNKNOWN_SEQUENCE)] * 1 + [
        (2, UNKNOWN_SEQUENCE),
        (1, UNKNOWN_SEQUENCE),
    ]
    assert [event.envelope for event in appended] == batch
    # One batch per partition, created for the port's partition id (never a key the hub would hash).
    assert broker.calls_named("create_batch") == [
        ("create_batch", TOPIC, "1", None),
        ("create_batch", TOPIC, "2", None),
    ]
    sends = broker.calls_named("send_batch")
    assert [(call[2], call[3]) for call in sends] == [
        (
            "1",
            [
                {PARTITION_KEY_PROPERTY: one, EVENT_ID_PROPERTY: batch[0].event_id},
                {PARTITION_KEY_PROPERTY: one, EVENT_ID_PROPERTY: batch[2].event_id},
            ],
        ),
        ("2", [{PARTITION_KEY_PROPERTY: two, EVENT_ID_PROPERTY: batch[1].event_id}]),
    ]
    stored = broker.hubs[TOPIC].partitions[1]
    assert [EventEnvelope.FromString(b"".join(event.body)) for event in stored] == [batch[0], batch[2]]
    assert stored[0].content_type == "application/x-protobuf"


async def test_a_full_batch_is_sent_and_the_rest_goes_in_the_next(
    log: EventHubsEventLog, broker: FakeNamespace
) -> None:
    key = keys_for(3)[0]
    events = [an_event(key, n, padding=300) for n in range(12)]
    broker.max_batch_bytes = 2_000  # about five of these events

    await log.append(TOPIC, events)

    sends = broker.calls_named("send_batch")
    assert len(sends) > 2
    assert all(call[2] == "3" and call[4] <= 2_000 for call in sends)
    sent_ids = [properties[EVENT_ID_PROPERTY] for call in sends for properties in call[3]]
    assert sent_ids == [event.event_id for event in events]  # every event once, in order
    assert len(broker.calls_named("create_batch")) == len(sends)


async def test_an_event_larger_than_a_batch_is_refused_and_nothing_of_its_partition_is_half_sent(
    log: EventHubsEventLog, broker: FakeNamespace
) -> None:
    broker.max_batch_bytes = 500
    with pytest.raises(EventLogError, match="larger than an Event Hubs batch"):
        await log.append(TOPIC, an_event(keys_for(0)[0], padding=2_000))
    assert broker.calls_named("send_batch") == []


# --- reading ------------------------------------------------------------------------------------


async def test_reads_map_positions_to_receiver_starting_positions(
    log: EventHubsEventLog, broker: FakeNamespace
) -> None:
    key = keys_for(2)[0]
    await log.append(TOPIC, [an_event(key, n) for n in range(5)])
    stored = broker.hubs[TOPIC].partitions[2]
    everything = [(n, EventEnvelope.FromString(b"".join(stored[n].body)).event_id) for n in range(5)]

    assert await read_all(log, 2, Position.earliest()) == everything
    assert await read_all(log, 2, Position.at(1)) == everything[1:]
    assert await read_all(log, 2, Position.after(1)) == everything[2:]
    moment = stored[0].enqueued_time
    assert moment is not None
    assert await read_all(log, 2, Position.since(moment)) == everything

    starts = [(call[2], call[3], call[4], call[5]) for call in broker.calls_named("receive_batch")]
    # One receiver per start: reading on (the batch's next position) reuses it.
    assert starts == [
        ("$Default", "2", "-1", False),
        ("$Default", "2", 1, True),
        ("$Default", "2", 1, False),
        ("$Default", "2", moment, True),
    ]
    latest = await log.read(TOPIC, 2, Position.latest())
    assert latest.events == [] and latest.next_position == Position.after(4)
    empty = await log.read(TOPIC, 0, Position.latest())
    assert empty.next_position == Position.earliest()


async def test_a_group_reads_through_its_registered_consumer_group(log: EventHubsEventLog) -> None:
    assert log.eventhub_consumer_group("payments", TOPIC) == "payments"
    assert log.eventhub_consumer_group("catalog-search.r-1a2b3c", TOPIC) == "catalog-search"
    assert log.eventhub_consumer_group("probe", TOPIC) == "$Default"
    assert log.eventhub_consumer_group("payments", "payment-events") == "$Default"


async def test_partition_info_and_lag_follow_the_hubs_dense_sequence_numbers(
    log: EventHubsEventLog, broker: FakeNamespace
) -> None:
    key = keys_for(1)[0]
    await log.append(TOPIC, [an_event(key, n) for n in range(6)])
    info = await log.partition_info(TOPIC, 1)
    assert (info.first_sequence, info.last_sequence) == (0, 5)
    assert (await log.partition_info(TOPIC, 0)).last_sequence is None
    assert await log.last_sequences(TOPIC) == {1: 5}  # what the consumers' watch compares with

    await read_all(log, 1, Position.earliest())
    await log.checkpoint("payments", TOPIC, 1, 2)
    lag = {entry.partition: entry.events for entry in await log.lag("payments", TOPIC)}
    assert lag == {0: 0, 1: 3, 2: 0, 3: 0}
    assert (await log.lag("analytics", TOPIC))[1].events == 6
    broker.expire(TOPIC, 1, 4)  # the hub's retention dropped 0..3: a checkpoint at 2 has 2 left
    assert (await log.lag("payments", TOPIC))[1].events == 2
    assert await log.trim(TOPIC, datetime.now(UTC)) == 0  # the hub's retention, not ours


# --- checkpoints in the real blob checkpoint store (azurite) -------------------------------------


async def test_checkpoints_are_written_to_the_checkpoint_store_and_never_go_back(
    log: EventHubsEventLog, open_log: Opener, broker: FakeNamespace
) -> None:
    key = keys_for(0)[0]
    await log.append(TOPIC, [an_event(key, n) for n in range(4)])
    read = await log.read_as("payments", TOPIC, 0, Position.earliest(), max_events=10)
    assert [event.sequence for event in read.events] == [0, 1, 2, 3]
    store = log._store
    assert isinstance(store, RecordingCheckpointStore)

    assert await log.checkpoint("payments", TOPIC, 0, 2) is True
    assert await log.checkpoint("payments", TOPIC, 0, 1) is False  # backwards: kept
    assert await log.checkpoint("analytics", TOPIC, 0, 0) is True
    offset_of_2 = broker.hubs[TOPIC].partitions[0][2].offset
    assert [call for call in store.calls if call[0] == "update_checkpoint"] == [
        (
            "update_checkpoint",
            {
                "fully_qualified_namespace": broker.host,
                "eventhub_name": TOPIC,
                "consumer_group": "payments",
                "partition_id": "0",
                "sequence_number": 2,
                "offset": offset_of_2,  # the offset of the event this process read
            },
        ),
        (
            "update_checkpoint",
            {
                "fully_qualified_namespace": broker.host,
                "eventhub_name": TOPIC,
                "consumer_group": "analytics",
                "partition_id": "0",
                "sequence_number": 0,
                "offset": "-1",  # not read by this reader: the stream's start, never a skip
            },
        ),
    ]
    other, _ = await open_log()  # another host sees the same checkpoints
    assert await other.checkpoints("payments", TOPIC) == {0: 2}
    assert await other.checkpoints("analytics", TOPIC) == {0: 0}
    assert await other.checkpoints("catalog-search", TOPIC) == {}
    with pytest.raises(ValueError):
        await log.checkpoint("payments", TOPIC, 0, 4)  # not appended yet
    with pytest.raises(ValueError):
        await log.checkpoint("payments", TOPIC, 1, 0)  # an empty partition


async def test_reset_replays_from_the_earliest_or_from_a_time(log: EventHubsEventLog, broker: FakeNamespace) -> None:
    import asyncio

    key = keys_for(2)[0]
    await log.append(TOPIC, [an_event(key, n) for n in range(2)])
    await asyncio.sleep(0.005)
    await log.append(TOPIC, [an_event(key, n) for n in range(2, 5)])
    await log.checkpoint("payments", TOPIC, 2, 4)
    await log.checkpoint("analytics", TOPIC, 2, 4)
    late = broker.hubs[TOPIC].partitions[2][2].enqueued_time
    assert late is not None

    await log.reset("payments", TOPIC, to=late)
    assert await log.checkpoints("payments", TOPIC) == {2: 1}
    await log.reset("payments", TOPIC, to=datetime.now(UTC) + timedelta(seconds=5))
    assert await log.checkpoints("payments", TOPIC) == {2: 4}  # every event is older
    await log.reset("payments", TOPIC)
    assert await log.checkpoints("payments", TOPIC) == {}
    assert (await log.lag("payments", TOPIC))[2].events == 5
    assert await log.checkpoints("analytics", TOPIC) == {2: 4}  # other groups untouched
    assert await log.checkpoint("payments", TOPIC, 2, 0) is True


# --- ownership: leases as the store's ownership blobs (azurite) ----------------------------------


async def test_two_hosts_share_partitions_by_etag_guarded_claims_that_expire(
    log: EventHubsEventLog, open_log: Opener, clock: Clock
) -> None:
    other, other_store = await open_log()
    assert isinstance(log, OwnershipStore)
    ttl = timedelta(seconds=10)

    assert await log.claim("payments", TOPIC, 0, "host-a", ttl) is True
    assert await other.claim("payments", TOPIC, 0, "host-b", ttl) is False  # held
    assert await log.claim("payments", TOPIC, 0, "host-a", ttl) is True  # a renewal
    assert await other.claim("payments", TOPIC, 1, "host-b", ttl) is True
    assert await other.owners("payments", TOPIC) == {0: "host-a", 1: "host-b"}
    assert await other.owners("analytics", TOPIC) == {}

    clock.shift = ttl + timedelta(seconds=1)  # host-a stopped renewing: its lease expired
    assert await other.owners("payments", TOPIC) == {}
    assert await other.claim("payments", TOPIC, 0, "host-b", ttl) is True
    clock.shift = timedelta(0)
    assert await other.owners("payments", TOPIC) == {0: "host-b", 1: "host-b"}

    await other.release("payments", TOPIC, 1, "host-b")
    await other.release("payments", TOPIC, 0, "host-a")  # not its lease: nothing happens
    assert await log.owners("payments", TOPIC) == {0: "host-b"}
    assert await log.claim("payments", TOPIC, 1, "host-a", ttl) is True

    # host-b's first claim of partition 1 created its ownership blob; the takeover of 0 and the
    # release of 1 went through the store, guarded by the ETag of the record they replaced.
    claims = [call[1][0] for call in other_store.calls if call[0] == "claim_ownership"]
    assert [(claim["partition_id"], claim["owner_id"]) for claim in claims] == [("0", "host-b"), ("1", "")]
    assert all(claim["etag"] for claim in claims)
    assert {name: claims[0][name] for name in ("fully_qualified_namespace", "eventhub_name", "consumer_group")} == {
        "fully_qualified_namespace": "fake.servicebus.windows.net",
        "eventhub_name": TOPIC,
        "consumer_group": "payments",
    }
    listed = await other_store.store.list_ownership("fake.servicebus.windows.net", TOPIC, "payments")
    assert sorted((entry["partition_id"], entry["owner_id"]) for entry in listed) == [("0", "host-b"), ("1", "host-a")]


async def test_a_claim_racing_another_loses_on_the_etag(log: EventHubsEventLog, open_log: Opener) -> None:
    import asyncio

    others = [await open_log() for _ in range(3)]
    ttl = timedelta(seconds=10)
    won = await asyncio.gather(
        log.claim("analytics", TOPIC, 3, "host-0", ttl),
        *[other.claim("analytics", TOPIC, 3, f"host-{n + 1}", ttl) for n, (other, _) in enumerate(others)],
    )
    assert sum(won) == 1
    assert list((await log.owners("analytics", TOPIC)).values()) == [f"host-{won.index(True)}"]


async def test_membership_lists_live_consumers_and_drops_those_gone(log: EventHubsEventLog, open_log: Opener) -> None:
    other, _ = await open_log()
    ttl = timedelta(seconds=10)
    assert await log.join("payments", "host-a", ttl) == ["host-a"]
    assert await other.join("payments", "host-b", ttl) == ["host-a", "host-b"]
    assert await other.join("analytics", "host-b", ttl) == ["host-b"]
    await log.leave("payments", "host-a")
    assert await other.join("payments", "host-b", ttl) == ["host-b"]
    await log.join("payments", "host-a", ttl)
    # host-a stops renewing; host-b renews with a short membership time. Blob times have whole
    # seconds, so a membership can look up to a second older than it is, never younger.
    await asyncio.sleep(2.5)
    assert await other.join("payments", "host-b", timedelta(seconds=1.3)) == ["host-b"]


# --- the consumer framework over the adapter ----------------------------------------------------


async def test_the_consumer_framework_handles_every_event_in_order_and_checkpoints_it(
    log: EventHubsEventLog, broker: FakeNamespace, store: SqliteDocumentStore
) -> None:
    seen: list[tuple[int, str]] = []

    async def handle(delivery: Delivery) -> None:
        seen.append((delivery.event.partition, delivery.event.envelope.event_id))

    settings = ConsumerSettings(poll_interval=0.05, lease_seconds=3.0)
    bus = await EventConsumers.open(log, store, settings=settings)
    bus.declare(ConsumerGroup("payments", (Subscription.to(TOPIC, handle, OrderCreated),)))
    keys = [keys_for(partition)[0] for partition in range(PARTITIONS)]
    appended = await log.append(TOPIC, [an_event(key, n) for n in range(5) for key in keys])
    await bus.start()
    try:
        await bus.wait_until_caught_up(within=20)
    finally:
        await bus.stop()

    for partition in range(PARTITIONS):
        expected = [event.envelope.event_id for event in appended if event.partition == partition]
        assert [event_id for p, event_id in seen if p == partition] == expected
    assert await log.checkpoints("payments", TOPIC) == dict.fromkeys(range(PARTITIONS), 4)
    receives = broker.calls_named("receive_batch")
    assert {(call[2], call[3], call[4]) for call in receives} == {
        ("payments", str(partition), "-1") for partition in range(PARTITIONS)
    }
    # The leases were released at stop (an empty owner), so another host takes over at once.
    assert await log.owners("payments", TOPIC) == {}


async def test_two_hosts_split_a_groups_partitions_and_one_takes_over_when_the_other_dies(
    open_log: Opener, store: SqliteDocumentStore
) -> None:
    from tests.support.waiting import eventually

    handled: dict[str, list[str]] = {"host-a": [], "host-b": []}

    def handler(host: str) -> Callable[[Delivery], Awaitable[None]]:
        async def handle(delivery: Delivery) -> None:
            handled[host].append(delivery.event.envelope.event_id)

        return handle

    # Leases of 3 s: blob times have whole seconds, so a lease must outlast one by a margin.
    settings = ConsumerSettings(poll_interval=0.05, lease_seconds=3.0)
    hosts = {}
    for host in ("host-a", "host-b"):
        log, _ = await open_log()
        await log.create_topic(TOPIC, PARTITIONS)
        hosts[host] = await EventConsumers.open(log, store, settings=settings, consumer=host)
        hosts[host].declare(ConsumerGroup("payments", (Subscription.to(TOPIC, handler(host), OrderCreated),)))
        await hosts[host].start()
    a, b = hosts["host-a"], hosts["host-b"]
    try:

        def split() -> bool:
            mine, theirs = a.owned("payments", TOPIC), b.owned("payments", TOPIC)
            return len(mine) == len(theirs) == PARTITIONS // 2 and mine | theirs == set(range(PARTITIONS))

        await eventually(split, within=15)
        writer, _ = await open_log()
        await writer.create_topic(TOPIC, PARTITIONS)
        first = await writer.append(TOPIC, [an_event(keys_for(p)[0]) for p in range(PARTITIONS)])
        await eventually(lambda: len(handled["host-a"]) + len(handled["host-b"]) == PARTITIONS, within=15)
        for host, consumers in hosts.items():
            owned = consumers.owned("payments", TOPIC)
            assert sorted(handled[host]) == sorted(e.envelope.event_id for e in first if e.partition in owned)

        await a.abandon()  # a crash: no checkpoint, no release; its leases expire
        later = await writer.append(TOPIC, [an_event(keys_for(p)[0], 1) for p in range(PARTITIONS)])
        await eventually(lambda: b.owned("payments", TOPIC) == set(range(PARTITIONS)), within=15)
        await b.wait_until_caught_up(within=15)
        assert set(handled["host-b"]) >= {event.envelope.event_id for event in later}  # nothing lost

        async def checkpointed() -> bool:  # within the consumers' checkpoint interval
            return await writer.checkpoints("payments", TOPIC) == dict.fromkeys(range(PARTITIONS), 1)

        await eventually(checkpointed, within=settings.checkpoint_interval + 10)
    finally:
        await b.stop()


async def test_a_registered_group_the_hub_lacks_fails_its_reads_loudly(
    log: EventHubsEventLog, broker: FakeNamespace
) -> None:
    broker.hubs[TOPIC].consumer_groups.discard("analytics")  # infra drifted from the registry
    await log.append(TOPIC, an_event(keys_for(0)[0]))
    with pytest.raises(EventLogError, match="analytics"):  # the SDK retries; the read reports it
        await log.read_as("analytics", TOPIC, 0, Position.earliest())
    broker.hubs[TOPIC].consumer_groups.add("analytics")  # provisioned: the receiver's retry gets through
    batch = await log.read_as("analytics", TOPIC, 0, Position.earliest())
    assert [event.sequence for event in batch.events] == [0]


async def test_an_event_another_writer_put_on_the_hub_is_refused_by_name(
    log: EventHubsEventLog, broker: FakeNamespace
) -> None:
    from azure.eventhub import EventData

    foreign = broker.producer(TOPIC)
    batch = await foreign.create_batch(partition_id="1")
    batch.add(EventData(b"\xff\xfe not a protobuf envelope"))
    await foreign.send_batch(batch)
    with pytest.raises(EventLogError, match="not an hph envelope"):
        await log.read(TOPIC, 1, Position.earliest())
