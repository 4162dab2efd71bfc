"""SDK-boundary fakes of the Event Hubs broker: `EventHubProducerClient` and `EventHubConsumerClient`
as the Event Hubs adapter (hph.runtime.eventlog.eventhubs) calls them, over an in-memory namespace
that keeps Event Hubs' rules (fixed partitions, dense sequence numbers from 0, byte offsets,
millisecond enqueued times, starting positions by offset "-1" / sequence number / enqueued time,
5 receivers per partition and consumer group). Every call is recorded in `FakeNamespace.calls`, so
the tests assert the exact SDK calls. No broker runs on this machine; the checkpoint store beside
it is the real one, on azurite."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from azure.eventhub import EventData, EventDataBatch
from azure.eventhub.exceptions import ConnectError, EventHubError

RECEIVERS_PER_GROUP = 5
# The pause before the fake's receiver tries a failed link again (the SDK waits about a second).
RETRY_PAUSE = 0.05


@dataclass
class FakeHub:
    name: str
    partitions: list[list[EventData]]
    consumer_groups: set[str]
    arrived: asyncio.Condition = field(default_factory=asyncio.Condition)
    next_offset: list[int] = field(default_factory=list)
    beginning: list[int] = field(default_factory=list)  # index of the first retained event


@dataclass
class FakeNamespace:
    """An Event Hubs namespace in memory; `max_batch_bytes` is what `create_batch` allows."""

    host: str = "fake.servicebus.windows.net"
    max_batch_bytes: int = 1_048_576
    hubs: dict[str, FakeHub] = field(default_factory=dict)
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    receivers: dict[tuple[str, str, str], int] = field(default_factory=dict)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def create_hub(self, name: str, partitions: int, consumer_groups: tuple[str, ...] = ()) -> None:
        self.hubs[name] = FakeHub(
            name,
            [[] for _ in range(partitions)],
            {"$Default", *consumer_groups},
            next_offset=[0] * partitions,
            beginning=[0] * partitions,
        )

    def producer(self, hub: str) -> FakeProducer:
        return FakeProducer(self, hub)

    def consumer(self, hub: str, consumer_group: str) -> FakeConsumer:
        return FakeConsumer(self, hub, consumer_group)

    def hub(self, name: str) -> FakeHub:
        found = self.hubs.get(name)
        if found is None:
            raise ConnectError(f"The messaging entity '{self.host}/{name}' could not be found.")
        return found

    def expire(self, hub: str, partition: int, count: int) -> None:
        """Retention removes the partition's `count` oldest events."""
        self.hubs[hub].beginning[partition] += count

    def calls_named(self, name: str) -> list[tuple[Any, ...]]:
        return [call for call in self.calls if call[0] == name]


def _beyond(hub: FakeHub, partition: int, index: int) -> Callable[[], bool]:
    """Whether the partition holds an event at `index` (the receiver's next)."""
    return lambda: len(hub.partitions[partition]) > index


def _data(event: EventData) -> bytes:
    sections: Any = event.body
    return b"".join(sections)


class FakeProducer:
    def __init__(self, namespace: FakeNamespace, hub: str) -> None:
        self._namespace = namespace
        self._hub = hub

    async def create_batch(
        self, *, partition_id: str | None = None, partition_key: str | None = None
    ) -> EventDataBatch:
        self._namespace.calls.append(("create_batch", self._hub, partition_id, partition_key))
        self._namespace.hub(self._hub)
        return EventDataBatch(
            max_size_in_bytes=self._namespace.max_batch_bytes, partition_id=partition_id, partition_key=partition_key
        )

    async def send_batch(self, event_data_batch: EventDataBatch) -> None:
        hub = self._namespace.hub(self._hub)
        partition_id = event_data_batch._partition_id
        sent = [event for event in event_data_batch._internal_events if isinstance(event, EventData)]
        self._namespace.calls.append(
            (
                "send_batch",
                self._hub,
                partition_id,
                [dict(event.properties) for event in sent],
                event_data_batch.size_in_bytes,
            )
        )
        if partition_id is None:
            raise EventHubError("the fake only takes batches for a partition id (what the adapter sends)")
        partition = int(partition_id)
        millis = int(self._namespace.clock().timestamp() * 1000)
        async with hub.arrived:
            stored = hub.partitions[partition]
            for event in sent:
                body = _data(event)
                received = EventData(body)
                received.properties = dict(event.properties)
                received.content_type = event.content_type or ""
                received._raw_amqp_message.annotations = {
                    b"x-opt-sequence-number": len(stored),
                    b"x-opt-offset": str(hub.next_offset[partition]).encode(),
                    b"x-opt-enqueued-time": millis,
                }
                hub.next_offset[partition] += len(body)
                stored.append(received)
            hub.arrived.notify_all()

    async def get_eventhub_properties(self) -> dict[str, Any]:
        self._namespace.calls.append(("get_eventhub_properties", self._hub))
        hub = self._namespace.hub(self._hub)
        return {"eventhub_name": hub.name, "partition_ids": [str(p) for p in range(len(hub.partitions))]}

    async def get_partition_properties(self, partition_id: str) -> dict[str, Any]:
        hub = self._namespace.hub(self._hub)
        partition = int(partition_id)
        events = hub.partitions[partition]
        beginning = hub.beginning[partition]
        empty = beginning >= len(events)
        last = events[-1] if events else None
        return {
            "eventhub_name": hub.name,
            "id": partition_id,
            "beginning_sequence_number": beginning if not empty else len(events),
            "last_enqueued_sequence_number": last.sequence_number if last is not None else -1,
            "last_enqueued_offset": last.offset if last is not None else "-1",
            "last_enqueued_time_utc": last.enqueued_time if last is not None else None,
            "is_empty": empty,
        }

    async def close(self) -> None:
        self._namespace.calls.append(("close_producer", self._hub))


class FakeConsumer:
    def __init__(self, namespace: FakeNamespace, hub: str, consumer_group: str) -> None:
        self._namespace = namespace
        self._hub = hub
        self.consumer_group = consumer_group

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
    ) -> None:
        self._namespace.calls.append(
            (
                "receive_batch",
                self._hub,
                self.consumer_group,
                partition_id,
                starting_position,
                starting_position_inclusive,
                max_batch_size,
            )
        )
        hub = self._namespace.hub(self._hub)
        if partition_id is None:
            raise AssertionError("the adapter always receives from one partition")
        while self.consumer_group not in hub.consumer_groups:
            # What the SDK's processor does with a link that cannot open: reports the error to
            # on_error, closes the link and tries again after a pause, for as long as it runs.
            missing = EventHubError(f"consumer group {self.consumer_group!r} does not exist on {self._hub!r}")
            if on_error is not None:
                await on_error(None, missing)
            await asyncio.sleep(RETRY_PAUSE)
        key = (self._hub, self.consumer_group, partition_id)
        if self._namespace.receivers.get(key, 0) >= RECEIVERS_PER_GROUP:
            raise EventHubError("QuotaExceeded: at most 5 receivers per partition and consumer group")
        self._namespace.receivers[key] = self._namespace.receivers.get(key, 0) + 1
        partition = int(partition_id)
        try:
            index = self._start_index(hub, partition, starting_position, starting_position_inclusive)
            while True:
                async with hub.arrived:
                    await hub.arrived.wait_for(_beyond(hub, partition, index))
                    index = max(index, hub.beginning[partition])
                    chunk = hub.partitions[partition][index : index + max_batch_size]
                index += len(chunk)
                await on_event_batch(None, chunk)
        finally:
            self._namespace.receivers[key] -= 1

    @staticmethod
    def _start_index(hub: FakeHub, partition: int, position: str | int | datetime | None, inclusive: bool) -> int:
        events = hub.partitions[partition]
        beginning = hub.beginning[partition]
        if position == "-1":
            return beginning
        if position == "@latest" or position is None:
            return len(events)
        if isinstance(position, int):  # sequence numbers are list indexes here, dense from 0
            return max(beginning, position if inclusive else position + 1)
        if isinstance(position, datetime):
            for index in range(beginning, len(events)):
                enqueued = events[index].enqueued_time
                assert enqueued is not None
                if enqueued > position or (inclusive and enqueued == position):
                    return index
            return len(events)
        raise AssertionError(f"unexpected starting position {position!r}")

    async def close(self) -> None:
        self._namespace.calls.append(("close_consumer", self._hub, self.consumer_group))
