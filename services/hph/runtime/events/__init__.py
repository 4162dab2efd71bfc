"""Events: envelopes, the topic registry, the transactional outbox and the relay.

A service builds an envelope with `new_event`, commits `outbox_op(...)` in the same batch as its state
change and calls `relay.notify()`; `OutboxRelay` appends it to the durable event log
(hph.runtime.eventlog) at least once; consumer groups read it there through the consumer framework
(hph.runtime.consumers: `deps.bus.subscribe(topic, group, handler)` or a declared `ConsumerGroup`),
deduplicated by event_id per group.
"""

from hph.runtime.events.envelope import (
    EVENT_TOPICS,
    SCHEMA_VERSION,
    TOPIC_CONSUMER_GROUPS,
    TOPIC_PARTITIONS,
    TOPICS,
    new_event,
    payload_of,
    resource_event,
    topic_name,
    topic_of,
)
from hph.runtime.events.outbox import (
    IS_OUTBOX,
    NOT_OUTBOX,
    OUTBOX_ID_PREFIX,
    OUTBOX_KIND,
    PENDING,
    decode_envelope,
    encode_envelope,
    is_outbox,
    outbox_id,
    outbox_op,
    outbox_ops,
)
from hph.runtime.events.relay import OutboxRelay

__all__ = [
    "EVENT_TOPICS",
    "IS_OUTBOX",
    "NOT_OUTBOX",
    "OUTBOX_ID_PREFIX",
    "OUTBOX_KIND",
    "PENDING",
    "SCHEMA_VERSION",
    "TOPICS",
    "TOPIC_CONSUMER_GROUPS",
    "TOPIC_PARTITIONS",
    "OutboxRelay",
    "decode_envelope",
    "encode_envelope",
    "is_outbox",
    "new_event",
    "outbox_id",
    "outbox_op",
    "outbox_ops",
    "payload_of",
    "resource_event",
    "topic_name",
    "topic_of",
]
