"""What a service or agent declares: a consumer group, its subscriptions, and what a handler gets.

    from holidaypeak.events.v1.order_events_pb2 import OrderPaid

    async def record_sale(delivery: Delivery) -> None:
        paid = delivery.payload                     # an OrderPaid
        ...

    deps.bus.declare(ConsumerGroup("analytics", (Subscription.to("order-events", record_sale, OrderPaid),)))

A subscription names a topic, the event types it handles (message classes or full proto names;
none: every event of the topic) and a handler taking a `Delivery`. One group may subscribe to
several topics, and to one topic with several handlers of disjoint event types; events of a type no
subscription names are passed over (checkpointed, never handed to a handler).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from google.protobuf.message import Message

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.consumers.ledger import handled_mark_op, has_handled_mark, lost_on_mark
from hph.runtime.eventlog import LoggedEvent, Position, StartAt
from hph.runtime.eventlog.port import validate_name
from hph.runtime.events.envelope import EVENT_TOPICS, payload_of
from hph.runtime.storage import BatchError, BatchOperation, Container, CreateOp

Handler = Callable[[EventEnvelope], Awaitable[None]]
"""The handler of `subscribe(topic, group, handler)`: the envelope only."""


class Delivery:
    """One event handed to a handler: the event as logged, which attempt this is, and the group's
    handled mark for the same-batch path (hph.runtime.consumers.ledger says what each path
    guarantees)."""

    __slots__ = ("attempt", "event", "group")

    def __init__(self, group: str, event: LoggedEvent, attempt: int) -> None:
        self.group = group
        self.event = event
        self.attempt = attempt

    @property
    def envelope(self) -> EventEnvelope:
        return self.event.envelope

    @property
    def payload(self) -> Message:
        """The typed payload (an OrderPaid, a LowStock, ...)."""
        return payload_of(self.event.envelope)

    @property
    def enqueued_at(self) -> datetime:
        return self.event.enqueued_at

    def handled_mark(self, container: Container, partition_key: str) -> CreateOp:
        """The create of this group's mark for this event in `container`'s partition: put it in the
        batch that makes the effect (e.g. a `Write` of hph.runtime.commit), so the effect and the
        mark commit together and a redelivery's batch fails on the mark."""
        return handled_mark_op(container, partition_key, self.group, self.envelope.event_id)

    async def already_handled(self, container: Container, partition_key: str) -> bool:
        """Whether this event's mark is in that partition: a plan asks first and answers `Done`."""
        return await has_handled_mark(container, partition_key, self.group, self.envelope.event_id)

    async def commit(self, container: Container, partition_key: str, operations: Sequence[BatchOperation]) -> bool:
        """Writes `operations` and this event's mark in ONE batch of the partition: True when
        written, False (nothing written) when the mark was there, i.e. the effect already happened.
        Any other failure of the batch raises (BatchError), and the handler is retried."""
        mark = self.handled_mark(container, partition_key)
        batch = [*operations, mark]
        try:
            await container.batch(partition_key, batch)
        except BatchError as error:
            if lost_on_mark(error, batch, mark):
                return False
            raise
        return True


DeliveryHandler = Callable[[Delivery], Awaitable[None]]
# Leaves room for the per-process suffix ".r-" + 8 hex digits within a group name's 63 characters.
MAX_REPLICA_GROUP_NAME = 50


def event_type_name(event_type: type[Message] | str) -> str:
    """The full proto name of an event message class (or the name itself), checked to be an event."""
    name = event_type if isinstance(event_type, str) else event_type.DESCRIPTOR.full_name
    if name not in EVENT_TOPICS:
        raise ValueError(f"{name!r} is no event of EventEnvelope")
    return name


@dataclass(frozen=True)
class Subscription:
    """A topic, the event types handled (full proto names; empty: all) and the handler."""

    topic: str
    handler: DeliveryHandler
    event_types: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        validate_name("topic", self.topic)
        for name in self.event_types:
            if EVENT_TOPICS.get(name) != self.topic:
                raise ValueError(f"{name!r} is not an event of {self.topic!r}")

    @classmethod
    def to(cls, topic: str, handler: DeliveryHandler, *event_types: type[Message] | str) -> Subscription:
        """`handler` for the events of `topic` of these types (message classes or full proto names;
        none: every event of the topic)."""
        return cls(topic, handler, frozenset(event_type_name(kind) for kind in event_types))

    def handles(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


def _starting_point(position: Position) -> Position:
    if position.start not in (StartAt.EARLIEST, StartAt.LATEST, StartAt.TIME):
        raise ValueError("a group starts at the earliest event, the latest, or a time")
    return position


@dataclass(frozen=True)
class ConsumerGroup:
    """A consumer group: its name (one per service or agent), its subscriptions, and where it
    starts on a topic it never read before: the earliest retained event (the default, so a new
    projection sees everything the log still holds), the latest (`Position.latest()`: what is
    appended from its first start on) or a time (`Position.since(t)`)."""

    name: str
    subscriptions: tuple[Subscription, ...]
    start: Position = field(default_factory=Position.earliest)
    # Per replica (broadcast): every process hosting the declaration reads EVERY partition under a
    # name of its own (`<name>.r-<random>`), for projections kept in process memory (a search
    # index). Its positions are disposable: it starts at the log's end as of `EventConsumers.add`
    # (or its start), its ledger of recent event ids lives in memory, an event that fails every
    # attempt is logged and skipped (not dead-lettered), and its checkpoints and registry entry are
    # removed when the process stops or, after a crash, once its heartbeat expires.
    per_replica: bool = False
    # Idempotent handlers: a repeat of an event is a no-op by the handlers' own writes (a create
    # that conflicts, an entry keyed by the event's or the order's id, a merge that only moves one
    # way), the second way docs/events.md allows. The group then keeps no durable ledger marks (one
    # write per event it handles, the largest cost of a light handler): the ids of the events it
    # handled lately are kept in process memory, which absorbs what the relay appended twice, and
    # after a crash the handlers absorb the redelivered batch themselves.
    idempotent: bool = False

    def __post_init__(self) -> None:
        validate_name("group", self.name)
        if self.per_replica and len(self.name) > MAX_REPLICA_GROUP_NAME:
            raise ValueError(f"a per-replica group's name has at most {MAX_REPLICA_GROUP_NAME} characters")
        if not self.subscriptions:
            raise ValueError(f"consumer group {self.name!r} subscribes to nothing")
        _starting_point(self.start)
        for index, subscription in enumerate(self.subscriptions):
            for other in self.subscriptions[index + 1 :]:
                if other.topic == subscription.topic and _overlap(subscription, other):
                    raise ValueError(
                        f"consumer group {self.name!r} has two handlers for the same events of {subscription.topic!r}"
                    )

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(subscription.topic for subscription in self.subscriptions))

    def handler_for(self, topic: str, event_type: str) -> DeliveryHandler | None:
        """The handler of this event type on this topic, or None when the group passes it over."""
        for subscription in self.subscriptions:
            if subscription.topic == topic and subscription.handles(event_type):
                return subscription.handler
        return None

    def with_subscription(self, subscription: Subscription) -> ConsumerGroup:
        return replace(self, subscriptions=(*self.subscriptions, subscription))

    def renamed(self, name: str) -> ConsumerGroup:
        """The same subscriptions under another name (a per-replica group's per-process name)."""
        return replace(self, name=name, per_replica=False)


def _overlap(first: Subscription, second: Subscription) -> bool:
    return not first.event_types or not second.event_types or bool(first.event_types & second.event_types)


def envelope_handler(handler: Handler) -> DeliveryHandler:
    """A `subscribe`-style handler (envelope only) as a delivery handler."""

    async def deliver(delivery: Delivery) -> None:
        await handler(delivery.envelope)

    return deliver
