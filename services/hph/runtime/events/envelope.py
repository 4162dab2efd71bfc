"""Event envelopes: building them around a typed payload, and reading back their payload and topic.

Owns the mapping from event message to envelope field and topic. It is derived once, at import, from
the contract rather than kept as a table here: `EventEnvelope.payload` numbers its fields in blocks
of ten per topic (10-19 order, 20-29 payment, ...), block `n` is the `Topic` enum value `n`, and a
topic's name is that value's name without `TOPIC_`, lower case, plus "-events" (both rules are
stated in envelope.proto). A new event therefore needs no change here; a new topic needs its
entry in registry.json, the topic registry (`TOPIC_PARTITIONS`, `TOPIC_CONSUMER_GROUPS`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC
from pathlib import Path
from types import MappingProxyType

import orjson
from google.protobuf.message import Message

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope, Topic
from hph.runtime.clock import Clock, system_clock

SCHEMA_VERSION = 1
_PAYLOAD_ONEOF = "payload"
_TOPIC_BLOCK = 10
_TOPIC_PREFIX = "TOPIC_"
_TOPIC_SUFFIX = "-events"
REGISTRY_FILE = "registry.json"


def topic_name(topic: int) -> str:
    """Bus name of a `Topic` value: TOPIC_ORDER -> "order-events"."""
    if topic == Topic.TOPIC_UNSPECIFIED or topic not in Topic.values():
        raise ValueError(f"not a topic: {topic!r}")
    return Topic.Name(topic).removeprefix(_TOPIC_PREFIX).lower() + _TOPIC_SUFFIX


def _payload_fields() -> tuple[dict[str, str], dict[str, str]]:
    """(event message full name -> envelope field name, envelope field name -> topic name)."""
    field_by_type: dict[str, str] = {}
    topic_by_field: dict[str, str] = {}
    for field in EventEnvelope.DESCRIPTOR.oneofs_by_name[_PAYLOAD_ONEOF].fields:
        block = field.number // _TOPIC_BLOCK
        if field.message_type is None or block == Topic.TOPIC_UNSPECIFIED or block not in Topic.values():
            # A contract change broke the numbering rule; fail at import, not on the first publish.
            raise RuntimeError(f"EventEnvelope.{field.name} = {field.number} is no message in a Topic block")
        field_by_type[field.message_type.full_name] = field.name
        topic_by_field[field.name] = topic_name(block)
    return field_by_type, topic_by_field


_FIELD_BY_TYPE, _TOPIC_BY_FIELD = _payload_fields()

TOPICS: tuple[str, ...] = tuple(topic_name(value) for value in Topic.values() if value != Topic.TOPIC_UNSPECIFIED)
"""Every topic name, in enum order."""

# The topic registry, one data file that infra/ reads too (registry.json beside this module):
# partitions per topic on the durable event log (fixed once a topic exists: Event Hubs cannot change
# them, and a key's partition is its hash modulo the count; more partitions let more consumers of one
# group work in parallel, each partition in order; the busiest topics of a checkout get 8), and the
# consumer groups reading each topic (Event Hubs consumer groups are provisioned per event hub).
_REGISTRY = orjson.loads((Path(__file__).parent / REGISTRY_FILE).read_bytes())["topics"]
if set(_REGISTRY) != set(TOPICS):  # a new Topic value needs its entry in the registry
    raise RuntimeError(f"registry entries for {sorted(set(TOPICS) ^ set(_REGISTRY))} are missing or stale")

TOPIC_PARTITIONS: Mapping[str, int] = MappingProxyType({topic: int(_REGISTRY[topic]["partitions"]) for topic in TOPICS})
"""The topic registry: every topic name (in enum order) -> its partition count on the event log.
The host creates exactly these topics at start; infrastructure (Event Hubs) reads the same table."""

TOPIC_CONSUMER_GROUPS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {topic: tuple(_REGISTRY[topic]["consumer_groups"]) for topic in TOPICS}
)
"""Every topic name -> the consumer groups of the hosted services and agents that read it (the
Event Hubs consumer groups infra provisions; the Event Hubs log reads as them)."""

EVENT_TOPICS: Mapping[str, str] = MappingProxyType(
    {full_name: _TOPIC_BY_FIELD[field] for full_name, field in _FIELD_BY_TYPE.items()}
)
"""Full proto name of every event message -> its topic name."""


def _field_for(payload: Message) -> str:
    field = _FIELD_BY_TYPE.get(payload.DESCRIPTOR.full_name)
    if field is None:
        raise TypeError(f"{payload.DESCRIPTOR.full_name} is not an event payload of EventEnvelope")
    return field


def _required(name: str, value: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} is required")
    return value


def new_event(
    payload: Message,
    *,
    source: str,
    subject: str,
    partition_key: str,
    correlation_id: str = "",
    causation_id: str = "",
    clock: Clock = system_clock,
) -> EventEnvelope:
    """An envelope around `payload` with a fresh event id, stamped now by `clock`.

    `partition_key` is the key on the topic (see `Topic`, e.g. the order id), not a storage key.
    TypeError if `payload` is not one of the envelope's event messages; ValueError if a required
    field is empty.
    """
    field = _field_for(payload)
    envelope = EventEnvelope(
        event_id=uuid.uuid4().hex,
        event_type=payload.DESCRIPTOR.full_name,
        schema_version=SCHEMA_VERSION,
        source=_required("source", source),
        subject=_required("subject", subject),
        correlation_id=correlation_id,
        partition_key=_required("partition_key", partition_key),
        causation_id=causation_id,
    )
    envelope.occurred_at.FromDatetime(clock().astimezone(UTC))
    getattr(envelope, field).CopyFrom(payload)
    return envelope


def resource_event(
    payload: Message,
    *,
    source: str,
    collection: str,
    resource_id: str,
    partition_key: str = "",
    correlation_id: str = "",
    clock: Clock = system_clock,
) -> EventEnvelope:
    """An event about one resource: subject "<collection>/<resource_id>", keyed on the topic by the
    resource id unless another `partition_key` keeps related events in order (a payment's order)."""
    return new_event(
        payload,
        source=source,
        subject=f"{collection}/{resource_id}",
        partition_key=partition_key or resource_id,
        correlation_id=correlation_id,
        clock=clock,
    )


def _payload_field_name(envelope: EventEnvelope) -> str:
    name: str | None = envelope.WhichOneof(_PAYLOAD_ONEOF)
    if name is None:
        raise ValueError(f"event {envelope.event_id!r} carries no payload")
    return name


def topic_of(envelope: EventEnvelope) -> str:
    """The topic the envelope's payload belongs on, e.g. "order-events" for OrderCreated."""
    return _TOPIC_BY_FIELD[_payload_field_name(envelope)]


def payload_of(envelope: EventEnvelope) -> Message:
    """The typed payload (an OrderCreated, a LowStock, ...); ValueError if none is set."""
    payload: Message = getattr(envelope, _payload_field_name(envelope))
    return payload
