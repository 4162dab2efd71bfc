"""Azure Event Hubs adapter of the event log (`HPH_EVENT_LOG=eventhubs`), checkpoints and partition
ownership in Blob Storage through the Event Hubs blob checkpoint store.

How the port maps onto Event Hubs, and where it differs (docs/adapters.md has the table):

- A topic is an event hub of the namespace, with the registry's partition count and consumer groups
  (services/hph/runtime/events/registry.json, provisioned by infra/eventhubs.bicep). Hubs are not
  created from here: `create_topic` checks that the hub exists with that count
  (`PartitionCountMismatch` otherwise) and `topics` lists the registry's hubs that exist.
- `append` sends each partition's events, in order, in `EventDataBatch`es created for that partition
  id (`create_batch(partition_id=...)`), a new batch whenever one is full. The partition is the
  port's `partition_for(partition_key)`, not the hub's own key hash, so a key lands on the same
  partition on every engine; the key travels as the application property `hph-partition-key`. A
  partition's events are atomic per batch only (the port promises at most per partition). Event Hubs
  does not report the positions of sent events, so the events `append` returns carry their partition
  and `UNKNOWN_SEQUENCE`; the relay only needs the partition (to wake its consumers).
- Sequence numbers and enqueued times are Event Hubs' own (dense per partition, from 0), so lag is
  `last sequence - checkpoint`, what KEDA's Event Hubs scaler computes.
- Reads: Event Hubs pushes events to a receiver rather than answering reads, so each reader (a
  consumer group of the framework, or plain reads) keeps one receiver per partition
  (`receive_batch(partition_id=..., starting_position=...)`) that fills a small buffer; a read takes
  from it, waiting at most `receive_wait` seconds, and a read from another position restarts the
  receiver there. A framework group reads through the Event Hubs consumer group of its name when the
  registry lists it for the topic (a per-replica group `<g>.r-...` through `<g>`'s), any other reader
  through `$Default`; Event Hubs allows 5 receivers per partition and consumer group, which bounds
  the replicas of a per-replica group. No owner level (epoch) is set: ownership is the framework's.
- Checkpoints are the checkpoint store's (`update_checkpoint`, `list_checkpoints`) under the
  framework group's name, with the sequence number and, when this process read the event, its
  offset (else "-1": an Event Hubs SDK reader of the checkpoint replays from the start rather than
  skip). The store overwrites, so "never backwards" is a read-then-write: only the partition's lease
  holder writes a group's checkpoint. There is no per-message acknowledgement in Event Hubs; the
  checkpoint after a handled batch is the only record of progress, as with the other adapters.
  `reset` deletes checkpoint blobs (to the earliest) or writes the sequence before the first event
  enqueued at or after the time.
- Ownership (`OwnershipStore`): leases are the store's ownership blobs (`list_ownership`;
  renewals, takeovers and releases by `claim_ownership` with the listed blob's ETag, so two claimers
  cannot both win; a partition's first claim creates its blob with a create-if-absent). A lease is
  expired when its blob's last-modified time is older than the lease time, judged by this host's
  clock as the Event Hubs SDK does (hosts need NTP; blob times have whole seconds, so a lease may
  end up to a second early). Releasing writes an empty owner, the SDK's convention. Membership, which
  Event Hubs has no record for, is a blob per consumer beside them (`<namespace>/members/<group>/`).
- Retention is the hub's own: `trim` removes nothing and returns 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.eventhub import EventData, EventDataBatch
from azure.eventhub.exceptions import EventHubError
from azure.storage.blob.aio import ContainerClient
from google.protobuf.message import DecodeError

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.eventlog.port import (
    UNKNOWN_SEQUENCE,
    EventLogError,
    LoggedEvent,
    PartitionCountMismatch,
    PartitionCounts,
    PartitionInfo,
    PartitionLag,
    Position,
    ReadBatch,
    StartAt,
    by_partition,
    envelopes_of,
    validate_max_events,
    validate_name,
    validate_partition_count,
    validate_sequence,
)

log = logging.getLogger(__name__)

DEFAULT_CONSUMER_GROUP = "$Default"
PARTITION_KEY_PROPERTY = "hph-partition-key"
EVENT_ID_PROPERTY = "hph-event-id"
CONTENT_TYPE = "application/x-protobuf"
# Events a receiver hands to its callback at once, and how many batches it buffers ahead of reads.
_RECEIVE_BATCH = 300
_BUFFERED_BATCHES = 4
# Offsets remembered per receiver for the checkpoints of events it handed out.
_REMEMBERED_OFFSETS = 20_000
# Offset written with a checkpoint of an event this process did not read: the stream's start.
_UNKNOWN_OFFSET = "-1"
# How long `reset` to a time waits for the first event at or after it to arrive.
_RESET_RECEIVE_SECONDS = 30.0
_REPLICA_MARK = ".r-"


# --- the SDK surfaces the adapter uses (EventHubProducerClient, EventHubConsumerClient, the blob
# checkpoint store); the SDK-boundary tests give fakes of exactly these -----------------------------


class Producer(Protocol):
    async def create_batch(self, *, partition_id: str | None = None) -> EventDataBatch: ...

    async def send_batch(self, event_data_batch: EventDataBatch) -> None: ...

    async def get_eventhub_properties(self) -> dict[str, Any]: ...

    async def get_partition_properties(self, partition_id: str) -> dict[str, Any]: ...

    async def close(self) -> None: ...


class Consumer(Protocol):
    async def receive_batch(
        self,
        on_event_batch: Callable[[Any, list[EventData]], Awaitable[None]],
        *,
        partition_id: str | None = None,
        starting_position: str | int | datetime | None = None,
        starting_position_inclusive: bool = False,
        max_batch_size: int = 300,
        prefetch: int = 300,
        on_error: Callable[[Any, Exception], Awaitable[None]] | None = None,
    ) -> None: ...

    async def close(self) -> None: ...


class CheckpointStore(Protocol):
    async def list_ownership(
        self, fully_qualified_namespace: str, eventhub_name: str, consumer_group: str
    ) -> Any: ...  # Iterable[dict[str, Any]]

    async def claim_ownership(self, ownership_list: Any) -> Any: ...

    async def update_checkpoint(self, checkpoint: dict[str, Any]) -> None: ...

    async def list_checkpoints(
        self, fully_qualified_namespace: str, eventhub_name: str, consumer_group: str
    ) -> Any: ...

    async def close(self) -> None: ...


def _starting(position: Position) -> tuple[str | int | datetime, bool]:
    """The receiver's starting position and inclusiveness for a port position (not LATEST)."""
    if position.start is StartAt.EARLIEST:
        return "-1", False  # offset -1: the start of the stream
    if position.start is StartAt.SEQUENCE:
        return position.sequence, position.inclusive
    assert position.time is not None
    return position.time, True


def _body(event: EventData) -> bytes:
    """The bytes of a data body (the SDK yields a data body's sections)."""
    body: Any = event.body
    if isinstance(body, bytes):
        return body
    sections = list(body) if not isinstance(body, str | dict) and hasattr(body, "__iter__") else None
    if sections is None or not all(isinstance(section, bytes) for section in sections):
        raise EventLogError(f"event {event.sequence_number} of the hub is not an hph envelope (not a data body)")
    return b"".join(sections)


def _envelope(event: EventData) -> EventEnvelope:
    try:
        return EventEnvelope.FromString(_body(event))
    except DecodeError as exc:
        raise EventLogError(f"event {event.sequence_number} of the hub is not an hph envelope: {exc}") from exc


class _Receiver:
    """One reader's receiver of one partition: `receive_batch` in a task, filling a small buffer."""

    def __init__(self, client: Consumer, partition: int, start: Position) -> None:
        self.client = client
        self.partition = partition
        self.expected = start  # the position a read continuing this stream asks for
        self.offsets: OrderedDict[int, str] = OrderedDict()
        self._queue: asyncio.Queue[list[EventData]] = asyncio.Queue(maxsize=_BUFFERED_BATCHES)
        self._pending: list[EventData] = []
        self._error: Exception | None = None
        starting, inclusive = _starting(start)
        self._task = asyncio.create_task(
            client.receive_batch(
                self._on_batch,
                partition_id=str(partition),
                starting_position=starting,
                starting_position_inclusive=inclusive,
                max_batch_size=_RECEIVE_BATCH,
                prefetch=_RECEIVE_BATCH,
                on_error=self._on_error,
            ),
            name=f"hph-eventhubs-receiver:{partition}",
        )

    async def _on_batch(self, _context: Any, events: list[EventData]) -> None:
        if events:
            self._error = None
            await self._queue.put(events)  # a full buffer holds the receiver back

    async def _on_error(self, _context: Any, error: Exception) -> None:
        # The SDK closes the link and opens it again by itself; a read that finds nothing meanwhile
        # reports the error, so a consumer group the hub lacks or a lost identity is not silent.
        self._error = error
        log.warning("event hubs receiver error", extra={"partition": self.partition, "error": repr(error)})

    async def take(self, max_events: int, wait: float) -> list[EventData]:
        if self._task.done() and not self._pending and self._queue.empty():
            error = None if self._task.cancelled() else self._task.exception()
            raise EventLogError(f"the receiver of partition {self.partition} stopped: {error!r}")
        if not self._pending:
            try:
                self._pending = await asyncio.wait_for(self._queue.get(), wait)
            except TimeoutError:
                error, self._error = self._error, None
                if error is not None:
                    raise EventLogError(f"the receiver of partition {self.partition} failed: {error!r}") from error
                return []
        while len(self._pending) < max_events and not self._queue.empty():
            self._pending.extend(self._queue.get_nowait())
        taken, self._pending = self._pending[:max_events], self._pending[max_events:]
        for event in taken:
            if event.sequence_number is not None:
                self.offsets[event.sequence_number] = event.offset or _UNKNOWN_OFFSET
        while len(self.offsets) > _REMEMBERED_OFFSETS:
            self.offsets.popitem(last=False)
        return taken

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task


class EventHubsEventLog:
    """An `EventLog` and `OwnershipStore` over Event Hubs and its blob checkpoint store (see the
    module docstring). Built by `open_event_log` from AzureClients; tests hand in SDK fakes."""

    def __init__(
        self,
        *,
        namespace: str,
        producer: Callable[[str], Producer],
        consumer: Callable[[str, str], Consumer],
        checkpoint_store: CheckpointStore,
        container: ContainerClient,
        topics: Mapping[str, int],
        consumer_groups: Mapping[str, Sequence[str]],
        lease_seconds: float,
        receive_wait: float = 0.2,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._namespace = namespace
        self._new_producer = producer
        self._new_consumer = consumer
        self._store = checkpoint_store
        self._container = container
        self._registry = dict(topics)
        self._groups = {topic: frozenset(groups) for topic, groups in consumer_groups.items()}
        self._lease = timedelta(seconds=lease_seconds)
        self._receive_wait = receive_wait
        self._clock = clock
        self._on_close = on_close
        self._producers: dict[str, Producer] = {}
        self._consumers: dict[tuple[str, str], Consumer] = {}
        self._receivers: dict[tuple[str, str, int], _Receiver] = {}
        self._unregistered: set[tuple[str, str]] = set()
        self._partitions = PartitionCounts(self._hub_partitions)
        self._container_ready = False

    # --- clients ----------------------------------------------------------------------------------

    def _producer(self, topic: str) -> Producer:
        client = self._producers.get(topic)
        if client is None:
            client = self._producers[topic] = self._new_producer(topic)
        return client

    def eventhub_consumer_group(self, group: str, topic: str) -> str:
        """The Event Hubs consumer group a framework group reads `topic` through (module docstring)."""
        registered = self._groups.get(topic, frozenset())
        base = group.split(_REPLICA_MARK, 1)[0]
        for name in (group, base):
            if name in registered:
                return name
        if (group, topic) not in self._unregistered:
            self._unregistered.add((group, topic))
            log.warning(
                "consumer group not in the topic registry: reading through $Default",
                extra={"group": group, "topic": topic},
            )
        return DEFAULT_CONSUMER_GROUP

    def _consumer(self, topic: str, eventhub_group: str) -> Consumer:
        key = (topic, eventhub_group)
        client = self._consumers.get(key)
        if client is None:
            client = self._consumers[key] = self._new_consumer(topic, eventhub_group)
        return client

    async def _call(self, awaitable: Awaitable[Any]) -> Any:
        try:
            return await awaitable
        except (EventHubError, AzureError) as exc:
            raise EventLogError(f"event hubs: {exc}") from exc

    # --- topics -----------------------------------------------------------------------------------

    async def _hub_partitions(self, topic: str) -> int | None:
        try:
            properties = await self._producer(topic).get_eventhub_properties()
        except EventHubError:
            return None
        return len(properties["partition_ids"])

    async def create_topic(self, topic: str, partitions: int) -> None:
        validate_name("topic", topic)
        validate_partition_count(partitions)
        existing = await self._hub_partitions(topic)
        if existing is None:
            raise EventLogError(
                f"event hub {topic!r} does not exist in {self._namespace}: provision it from the topic registry "
                "(infra/eventhubs.bicep)"
            )
        if existing != partitions:
            raise PartitionCountMismatch(topic, existing, partitions)
        self._partitions.created(topic, partitions)

    async def topics(self) -> Mapping[str, int]:
        found = {}
        for topic in self._registry:
            count = await self._hub_partitions(topic)
            if count is not None:
                found[topic] = count
        return found

    # --- append -----------------------------------------------------------------------------------

    async def append(self, topic: str, envelopes: EventEnvelope | Sequence[EventEnvelope]) -> list[LoggedEvent]:
        batch = envelopes_of(envelopes)
        partitions = await self._partitions.of(topic)
        if not batch:
            return []
        producer = self._producer(topic)
        logged: list[LoggedEvent | None] = [None] * len(batch)
        for partition, indexes in by_partition(batch, partitions).items():
            await self._send_partition(producer, topic, partition, [batch[index] for index in indexes])
            sent_at = self._clock()
            for index in indexes:
                logged[index] = LoggedEvent(topic, partition, UNKNOWN_SEQUENCE, sent_at, batch[index])
        return [event for event in logged if event is not None]

    async def _send_partition(
        self, producer: Producer, topic: str, partition: int, envelopes: list[EventEnvelope]
    ) -> None:
        """Sends the events in order, in as few batches as their size allows."""
        current = await self._call(producer.create_batch(partition_id=str(partition)))
        for envelope in envelopes:
            event = EventData(envelope.SerializeToString())
            event.content_type = CONTENT_TYPE
            event.properties = {PARTITION_KEY_PROPERTY: envelope.partition_key, EVENT_ID_PROPERTY: envelope.event_id}
            try:
                current.add(event)
                continue
            except ValueError:
                if len(current) == 0:
                    raise EventLogError(
                        f"event {envelope.event_id!r} is larger than an Event Hubs batch may be "
                        f"({current.max_size_in_bytes} bytes)"
                    ) from None
            await self._call(producer.send_batch(current))
            current = await self._call(producer.create_batch(partition_id=str(partition)))
            current.add(event)
        if len(current):
            await self._call(producer.send_batch(current))

    # --- reading ----------------------------------------------------------------------------------

    async def read(self, topic: str, partition: int, start: Position, max_events: int = 100) -> ReadBatch:
        return await self.read_as("", topic, partition, start, max_events)

    async def read_as(
        self, group: str, topic: str, partition: int, start: Position, max_events: int = 100
    ) -> ReadBatch:
        """`read` through `group`'s receiver (the framework's readers; "" for plain reads)."""
        return await self._read(group, topic, partition, start, max_events)

    async def _read(
        self,
        reader: str,
        topic: str,
        partition: int,
        start: Position,
        max_events: int,
        eventhub_group: str | None = None,
    ) -> ReadBatch:
        """A read through `reader`'s receiver of the partition, in `eventhub_group` (default: the
        reader's registered consumer group, `$Default` for plain reads)."""
        await self._partitions.check(topic, partition)
        validate_max_events(max_events)
        if start.start is StartAt.LATEST:
            properties = await self._partition_properties(topic, partition)
            last = None if properties["is_empty"] else int(properties["last_enqueued_sequence_number"])
            return ReadBatch([], Position.following(last))
        key = (reader, topic, partition)
        receiver = self._receivers.get(key)
        if receiver is None or receiver.expected != start:
            if receiver is not None:
                await receiver.stop()
            if eventhub_group is None:
                eventhub_group = self.eventhub_consumer_group(reader, topic) if reader else DEFAULT_CONSUMER_GROUP
            receiver = self._receivers[key] = _Receiver(self._consumer(topic, eventhub_group), partition, start)
        received = await receiver.take(max_events, self._receive_wait)
        events = [
            LoggedEvent(
                topic,
                partition,
                int(event.sequence_number or 0),
                event.enqueued_time or self._clock(),
                _envelope(event),
            )
            for event in received
        ]
        batch = ReadBatch.read_from(start, events)
        receiver.expected = batch.next_position
        return batch

    async def _stop_receiver(self, group: str, topic: str, partition: int) -> None:
        receiver = self._receivers.pop((group, topic, partition), None)
        if receiver is not None:
            await receiver.stop()

    async def _partition_properties(self, topic: str, partition: int) -> dict[str, Any]:
        properties: dict[str, Any] = await self._call(self._producer(topic).get_partition_properties(str(partition)))
        return properties

    async def partition_info(self, topic: str, partition: int) -> PartitionInfo:
        await self._partitions.check(topic, partition)
        properties = await self._partition_properties(topic, partition)
        if properties["is_empty"]:
            return PartitionInfo(partition, None, None, None)
        return PartitionInfo(
            partition,
            int(properties["beginning_sequence_number"]),
            int(properties["last_enqueued_sequence_number"]),
            properties["last_enqueued_time_utc"],
        )

    async def last_sequences(self, topic: str) -> dict[int, int]:
        partitions = await self._partitions.of(topic)
        infos = await asyncio.gather(*(self.partition_info(topic, partition) for partition in range(partitions)))
        return {info.partition: info.last_sequence for info in infos if info.last_sequence is not None}

    # --- checkpoints ------------------------------------------------------------------------------

    def _checkpoint_blob(self, group: str, topic: str, partition: int) -> str:
        # The checkpoint store's documented layout (shared by every Event Hubs SDK).
        return f"{self._namespace}/{topic}/{group}/checkpoint/{partition}".lower()

    async def checkpoint(self, group: str, topic: str, partition: int, sequence: int) -> bool:
        validate_name("group", group)
        await self._partitions.check(topic, partition)
        validate_sequence(sequence)
        properties = await self._partition_properties(topic, partition)
        if properties["is_empty"] or sequence > int(properties["last_enqueued_sequence_number"]):
            raise ValueError(f"{topic!r} partition {partition} holds no sequence number {sequence} yet")
        current = (await self.checkpoints(group, topic)).get(partition)
        if current is not None and current >= sequence:
            return False
        await self._write_checkpoint(
            group, topic, partition, sequence, self._offset_of(group, topic, partition, sequence)
        )
        return True

    def _offset_of(self, group: str, topic: str, partition: int, sequence: int) -> str:
        receiver = self._receivers.get((group, topic, partition))
        return receiver.offsets.get(sequence, _UNKNOWN_OFFSET) if receiver is not None else _UNKNOWN_OFFSET

    async def _write_checkpoint(self, group: str, topic: str, partition: int, sequence: int, offset: str) -> None:
        await self._ensure_container()
        await self._call(
            self._store.update_checkpoint(
                {
                    "fully_qualified_namespace": self._namespace,
                    "eventhub_name": topic,
                    "consumer_group": group,
                    "partition_id": str(partition),
                    "sequence_number": sequence,
                    "offset": offset,
                }
            )
        )

    async def checkpoints(self, group: str, topic: str) -> dict[int, int]:
        validate_name("group", group)
        await self._partitions.of(topic)
        try:
            listed = await self._store.list_checkpoints(self._namespace, topic, group)
        except ResourceNotFoundError:
            return {}  # no container yet: no checkpoint was ever written
        except AzureError as exc:
            raise EventLogError(f"checkpoint store: {exc}") from exc
        return {int(entry["partition_id"]): int(entry["sequence_number"]) for entry in listed}

    async def reset(
        self, group: str, topic: str, to: datetime | None = None, *, partitions: Sequence[int] | None = None
    ) -> None:
        validate_name("group", group)
        chosen = await self._partitions.chosen(topic, partitions)
        for partition in chosen:
            before = None if to is None else await self._last_before(topic, partition, to)
            if before is None:
                try:
                    await self._container.delete_blob(self._checkpoint_blob(group, topic, partition))
                except ResourceNotFoundError:
                    pass
                except AzureError as exc:
                    raise EventLogError(f"checkpoint store: {exc}") from exc
            else:
                await self._write_checkpoint(group, topic, partition, before, _UNKNOWN_OFFSET)
            await self._stop_receiver(group, topic, partition)

    async def _last_before(self, topic: str, partition: int, moment: datetime) -> int | None:
        """The sequence number of the last event enqueued before `moment` (None: there is none)."""
        properties = await self._partition_properties(topic, partition)
        if properties["is_empty"]:
            return None
        if properties["last_enqueued_time_utc"] < moment:
            return int(properties["last_enqueued_sequence_number"])  # every event is older
        # Some event is at or after the moment: receive the first one (Event Hubs has no lookup).
        reader = f"reset:{moment.isoformat()}"  # ":" keeps it apart from every group name
        deadline = asyncio.get_running_loop().time() + _RESET_RECEIVE_SECONDS
        try:
            while asyncio.get_running_loop().time() < deadline:
                batch = await self._read(
                    reader, topic, partition, Position.since(moment), 1, eventhub_group=DEFAULT_CONSUMER_GROUP
                )
                if batch.events:
                    first = batch.events[0].sequence
                    beginning = int(properties["beginning_sequence_number"])
                    return first - 1 if first > beginning else None
        finally:
            await self._stop_receiver(reader, topic, partition)
        raise EventLogError(f"no event at or after {moment} arrived from {topic!r} partition {partition}")

    async def lag(self, group: str, topic: str) -> list[PartitionLag]:
        checkpoints = await self.checkpoints(group, topic)
        lags = []
        for partition in range(await self._partitions.of(topic)):
            checkpoint = checkpoints.get(partition)
            properties = await self._partition_properties(topic, partition)
            if properties["is_empty"]:
                lags.append(PartitionLag(partition, None, checkpoint, 0))
                continue
            last = int(properties["last_enqueued_sequence_number"])
            done = int(properties["beginning_sequence_number"]) - 1
            if checkpoint is not None:
                done = max(done, checkpoint)
            lags.append(PartitionLag(partition, last, checkpoint, max(0, last - done)))
        return lags

    async def trim(self, topic: str, older_than: datetime) -> int:
        await self._partitions.of(topic)
        return 0  # the hub applies its own retention

    # --- ownership (the port's OwnershipStore) ----------------------------------------------------

    async def _ensure_container(self) -> None:
        if self._container_ready:
            return
        try:
            await self._container.create_container()
        except AzureError as exc:
            if getattr(exc, "error_code", None) != "ContainerAlreadyExists":
                raise EventLogError(f"checkpoint store container: {exc}") from exc
        self._container_ready = True

    def _member_prefix(self, group: str) -> str:
        return f"{self._namespace}/members/{group}/".lower()

    async def join(self, group: str, consumer: str, ttl: timedelta) -> list[str]:
        validate_name("group", group)
        validate_name("consumer", consumer)
        await self._ensure_container()
        prefix = self._member_prefix(group)
        try:
            await self._container.upload_blob(prefix + consumer, b"", overwrite=True)
            now = self._clock()
            members = []
            async for blob in self._container.list_blobs(name_starts_with=prefix):
                if blob.last_modified is not None and blob.last_modified + ttl > now:
                    members.append(blob.name.removeprefix(prefix))
        except AzureError as exc:
            raise EventLogError(f"checkpoint store membership: {exc}") from exc
        return sorted(members)

    async def leave(self, group: str, consumer: str) -> None:
        validate_name("group", group)
        try:
            await self._container.delete_blob(self._member_prefix(group) + consumer)
        except ResourceNotFoundError:
            pass
        except AzureError as exc:
            raise EventLogError(f"checkpoint store membership: {exc}") from exc

    async def _ownership(self, group: str, topic: str) -> dict[int, dict[str, Any]]:
        try:
            listed = await self._store.list_ownership(self._namespace, topic, group)
        except ResourceNotFoundError:
            return {}
        except AzureError as exc:
            raise EventLogError(f"checkpoint store ownership: {exc}") from exc
        return {int(entry["partition_id"]): entry for entry in listed}

    def _live(self, entry: dict[str, Any], ttl: timedelta) -> bool:
        modified = entry.get("last_modified_time")
        if not entry.get("owner_id") or modified is None:
            return False
        return datetime.fromtimestamp(float(modified), UTC) + ttl > self._clock()

    async def claim(self, group: str, topic: str, partition: int, consumer: str, ttl: timedelta) -> bool:
        validate_name("group", group)
        validate_name("consumer", consumer)
        await self._partitions.check(topic, partition)
        await self._ensure_container()
        current = (await self._ownership(group, topic)).get(partition)
        if current is not None and current.get("owner_id") != consumer and self._live(current, ttl):
            return False
        if current is None:
            return await self._create_ownership(group, topic, partition, consumer)
        claim = {**current, "owner_id": consumer}  # with the listed ETag: lost if anyone wrote since
        claimed = await self._call(self._store.claim_ownership([claim]))
        # The store answers a claim that failed for another reason than the ETag as kept (so its own
        # load balancer retries later); only a new ETag proves the write.
        return any(entry.get("etag") and entry.get("etag") != current.get("etag") for entry in claimed)

    def _ownership_blob(self, group: str, topic: str, partition: int) -> str:
        return f"{self._namespace}/{topic}/{group}/ownership/{partition}".lower()

    async def _create_ownership(self, group: str, topic: str, partition: int, consumer: str) -> bool:
        """The first claim of a partition creates its ownership blob in the store's layout, with a
        create that fails if the blob exists (the store's own create path sets metadata with
        If-None-Match first, which azurite does not enforce; this holds on both)."""
        try:
            await self._container.upload_blob(
                self._ownership_blob(group, topic, partition), b"", metadata={"ownerid": consumer}, overwrite=False
            )
        except ResourceExistsError:
            return False
        except AzureError as exc:
            raise EventLogError(f"checkpoint store ownership: {exc}") from exc
        return True

    async def release(self, group: str, topic: str, partition: int, consumer: str) -> None:
        validate_name("group", group)
        await self._partitions.check(topic, partition)
        await self._stop_receiver(group, topic, partition)
        current = (await self._ownership(group, topic)).get(partition)
        if current is None or current.get("owner_id") != consumer:
            return
        await self._call(self._store.claim_ownership([{**current, "owner_id": ""}]))

    async def owners(self, group: str, topic: str) -> dict[int, str]:
        validate_name("group", group)
        await self._partitions.of(topic)
        return {
            partition: str(entry["owner_id"])
            for partition, entry in sorted((await self._ownership(group, topic)).items())
            if self._live(entry, self._lease)
        }

    # --- closing ----------------------------------------------------------------------------------

    async def close(self) -> None:
        for receiver in list(self._receivers.values()):
            await receiver.stop()
        self._receivers.clear()
        clients: list[Producer | Consumer] = [*self._producers.values(), *self._consumers.values()]
        self._producers.clear()
        self._consumers.clear()
        try:
            for client in clients:
                with contextlib.suppress(Exception):
                    await client.close()
            await self._store.close()
            await self._container.close()
        finally:
            if self._on_close is not None:
                await self._on_close()
