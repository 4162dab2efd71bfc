"""Events: envelopes, the transactional outbox, the bus port with its in-process adapter, the relay.

A service builds an envelope with `new_event`, commits `outbox_op(...)` in the same batch as its state
change and calls `relay.notify()`; `OutboxRelay` publishes to an `EventBus` at least once; consumers
`subscribe(topic, group, handler)` and are deduplicated by event_id per group.
"""

from hph.runtime.events.bus import (
    DEAD_LETTER_SUFFIX,
    BusClosedError,
    EventBus,
    Handler,
    InProcessBus,
    dead_letter_topic,
)
from hph.runtime.events.envelope import (
    EVENT_TOPICS,
    SCHEMA_VERSION,
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
    "DEAD_LETTER_SUFFIX",
    "EVENT_TOPICS",
    "IS_OUTBOX",
    "NOT_OUTBOX",
    "OUTBOX_ID_PREFIX",
    "OUTBOX_KIND",
    "PENDING",
    "SCHEMA_VERSION",
    "TOPICS",
    "BusClosedError",
    "EventBus",
    "Handler",
    "InProcessBus",
    "OutboxRelay",
    "dead_letter_topic",
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
