"""The transactional outbox: event records written in the same batch as the state change they report.

An outbox record lives in the SAME container and partition as the state it describes, so a service
commits both atomically (storage batches span one partition of one container):

    envelope = new_event(OrderCreated(...), source="orders", subject=f"orders/{order_id}", ...)
    await orders.batch(user_id, [CreateOp(order_doc), outbox_op(orders, envelope, user_id)])
    relay.notify()

`OutboxRelay` later publishes every unsent record and marks it sent. Rules for containers that hold
outbox records:

- State documents must not use ids starting with "outbox-", must not have `kind == "outbox"` and must
  not have a top-level `envelope_b64` field.
- The owning service's own queries must exclude outbox records: add `NOT_OUTBOX` to the filter
  (`And(your_filter, NOT_OUTBOX)`), or filter on an explicit `kind` its state documents carry.
  `NOT_OUTBOX` tests that `envelope_b64` is absent rather than `Not(Eq("kind", "outbox"))`, because
  under the storage semantics `Not`/`Ne` never match a document lacking the field, so the latter
  would also hide every state document without a `kind`.

Record fields: id, kind, the container's partition key field, topic, event_id, event_type,
envelope_b64 (serialized EventEnvelope, base64), created_at, sent (False until the relay marks it;
then sent_at is set too).
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.clock import to_iso
from hph.runtime.events.envelope import topic_of
from hph.runtime.storage import And, Container, CreateOp, Document, Eq, IsDefined, Not, Term
from hph.runtime.storage.port import validate_partition_key, validate_partition_key_path

OUTBOX_KIND = "outbox"
OUTBOX_ID_PREFIX = "outbox-"
KIND_FIELD = "kind"
ENVELOPE_FIELD = "envelope_b64"
SENT_FIELD = "sent"
SENT_AT_FIELD = "sent_at"
CREATED_AT_FIELD = "created_at"
_RECORD_FIELDS = frozenset(
    {"id", KIND_FIELD, "topic", "event_id", "event_type", ENVELOPE_FIELD, CREATED_AT_FIELD, SENT_FIELD, SENT_AT_FIELD}
)

NOT_OUTBOX: Term = Not(IsDefined(ENVELOPE_FIELD))
"""Matches every document that is not an outbox record (including documents without a `kind`)."""

IS_OUTBOX: Term = Eq(KIND_FIELD, OUTBOX_KIND)
PENDING: Term = And(IS_OUTBOX, Eq(SENT_FIELD, False))
"""Outbox records the relay has not marked sent yet."""


class _CreationOrder:
    """Hands out strictly increasing creation times within this process, per clock.

    The relay publishes in `created_at` order (ties fall back to the random record id), so two events
    stamped in the same microsecond, e.g. OrderCreated and OrderStatusChanged built in one request or
    anything under a pinned test clock, would otherwise leave the outbox in random order. Bumping a
    repeated time by a microsecond keeps them in the order they were written.

    Only a time at, or less than `SAME_CLOCK` behind, the last one handed out is bumped. A time
    further behind comes from another clock in the same process (a simulated or pinned one ahead of
    the wall clock, e.g. the history generator's): bumping every later record past that clock's
    future would keep them from ever looking settled to another process's relay, whose periodic
    scan leaves records younger than its poll interval to the process that wrote them.
    """

    SAME_CLOCK = timedelta(seconds=1)

    def __init__(self) -> None:
        self._last: datetime | None = None
        self._lock = threading.Lock()

    def next(self, moment: datetime) -> datetime:
        with self._lock:
            if self._last is not None and self._last - self.SAME_CLOCK < moment <= self._last:
                moment = self._last + timedelta(microseconds=1)
            self._last = moment
            return moment


_creation_order = _CreationOrder()


def outbox_id(event_id: str) -> str:
    return OUTBOX_ID_PREFIX + event_id


def is_outbox(doc: Document) -> bool:
    """True for an outbox record (so a service can skip one it met through a point read or page)."""
    return doc.get(KIND_FIELD) == OUTBOX_KIND and str(doc.get("id", "")).startswith(OUTBOX_ID_PREFIX)


def encode_envelope(envelope: EventEnvelope) -> str:
    return base64.b64encode(envelope.SerializeToString()).decode("ascii")


def decode_envelope(record: Document) -> EventEnvelope:
    """The envelope an outbox record carries; ValueError if the record is not a readable one."""
    try:
        raw = base64.b64decode(record[ENVELOPE_FIELD], validate=True)
        return EventEnvelope.FromString(raw)
    except Exception as exc:  # binascii.Error, DecodeError, KeyError, TypeError: all mean unreadable.
        raise ValueError(f"outbox record {record.get('id')!r} holds no readable envelope: {exc}") from exc


def _with_partition_key(record: Document, segments: Sequence[str], partition_key: str) -> None:
    """Sets the partition key value at its (possibly nested) path."""
    if segments[0] in _RECORD_FIELDS:
        raise ValueError(f"partition key path /{'/'.join(segments)} collides with an outbox record field")
    node: dict[str, Any] = record
    for segment in segments[:-1]:
        node = node.setdefault(segment, {})
    node[segments[-1]] = partition_key


def outbox_op(container: Container, envelope: EventEnvelope, partition_key: str) -> CreateOp:
    """The batch operation that writes `envelope` to the outbox of `container`'s partition
    `partition_key` (the STORAGE partition of the state change, e.g. the user id of an order, which
    may differ from the envelope's topic partition key). Put it in the same `container.batch` as the
    state change; the record's creation time is the envelope's occurred_at.
    """
    segments = validate_partition_key_path(container.partition_key_path)
    validate_partition_key(partition_key)
    if not envelope.event_id:
        raise ValueError("the envelope has no event_id (build it with new_event)")
    occurred_at = envelope.occurred_at.ToDatetime(tzinfo=UTC)
    record: Document = {
        "id": outbox_id(envelope.event_id),
        KIND_FIELD: OUTBOX_KIND,
        "topic": topic_of(envelope),
        "event_id": envelope.event_id,
        "event_type": envelope.event_type,
        ENVELOPE_FIELD: encode_envelope(envelope),
        CREATED_AT_FIELD: to_iso(_creation_order.next(occurred_at)),
        SENT_FIELD: False,
    }
    _with_partition_key(record, segments, partition_key)
    return CreateOp(record)


def outbox_ops(container: Container, envelopes: Sequence[EventEnvelope], partition_key: str) -> list[CreateOp]:
    """`outbox_op` for several events of one change, published in the given order."""
    return [outbox_op(container, envelope, partition_key) for envelope in envelopes]
