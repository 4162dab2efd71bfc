"""The events a profile write emits (UserRegistered, UserUpdated). Personal data stays off the bus:
UserUpdated names the fields that changed, not their values.

The topic partition key and the storage partition key are both the user id.
"""

from __future__ import annotations

from google.protobuf.message import Message

from holidaypeak.events.v1 import user_events_pb2 as ev
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.clock import Clock
from hph.runtime.events import resource_event
from hph.runtime.storage import Document

SOURCE = "users"
# Profile fields a user changes themselves, in the order UserUpdated names them.
PROFILE_FIELDS = ("name", "phone")


def _envelope(payload: Message, user_id: str, *, correlation_id: str, clock: Clock) -> EventEnvelope:
    return resource_event(
        payload, source=SOURCE, collection="users", resource_id=user_id, correlation_id=correlation_id, clock=clock
    )


def registered(doc: Document, *, correlation_id: str, clock: Clock) -> EventEnvelope:
    payload = ev.UserRegistered(user_id=doc["id"], has_phone=bool(doc.get("phone")))
    return _envelope(payload, doc["id"], correlation_id=correlation_id, clock=clock)


def updated(before: Document, after: Document, *, correlation_id: str, clock: Clock) -> list[EventEnvelope]:
    """UserUpdated naming the profile fields that changed; nothing when none did."""
    fields = [name for name in PROFILE_FIELDS if before.get(name, "") != after.get(name, "")]
    if not fields:
        return []
    payload = ev.UserUpdated(user_id=after["id"], changed_fields=fields)
    return [_envelope(payload, after["id"], correlation_id=correlation_id, clock=clock)]
