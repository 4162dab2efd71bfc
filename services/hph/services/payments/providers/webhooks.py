"""Stripe webhooks: verifying the `Stripe-Signature` header on the raw body, and remembering event ids.

`verify_stripe_webhook` implements Stripe's scheme (https://docs.stripe.com/webhooks#verify-manually):
the header is `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, each v1 an HMAC-SHA256 keyed with the
endpoint secret ("whsec_...") over `f"{t}.{raw body}"`. The body must be the bytes as received: any
re-serialisation changes them and breaks the signature. Several v1 entries appear while a secret is
being rolled; one match is enough. `sign_stripe_payload` produces such a header (tests, local tools).

`WebhookDeduplicator` records event ids (container "stripe_webhook_events", partition key "/id") so a
redelivered event is processed once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.clock import Clock, system_clock, to_iso
from hph.runtime.errors import InvalidArgument, Unauthenticated
from hph.runtime.storage import ConflictError, Container, DocumentStore, NotFoundError

SIGNATURE_HEADER = "stripe-signature"
DEFAULT_TOLERANCE_SECONDS = 300
SIGNATURE_SCHEME = "v1"
DEDUP_CONTAINER = "stripe_webhook_events"
DEDUP_PARTITION_KEY_PATH = "/id"

REASON_BAD_SIGNATURE = ErrorReason.ERROR_REASON_WEBHOOK_SIGNATURE_INVALID
BODY_FIELD = "body"

# Stripe event ids are "evt_" plus letters and digits; this also keeps them valid document ids.
_EVENT_ID = re.compile(r"[A-Za-z0-9_\-]{1,255}")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class WebhookEvent:
    """A verified event: its id, its type ("payment_intent.succeeded") and the object it is about."""

    id: str
    type: str
    object_id: str  # data.object.id, e.g. the PaymentIntent "pi_..."; empty when absent
    data: Mapping[str, Any]  # data.object as Stripe sent it


@dataclass
class WebhookSignatureInvalid(Unauthenticated):
    """The request was not signed by Stripe with our endpoint secret (or too long ago)."""

    reason: ErrorReason = REASON_BAD_SIGNATURE


def sign_stripe_payload(raw_body: bytes, secret: str, *, timestamp: int) -> str:
    """The `Stripe-Signature` header Stripe would send for `raw_body` at `timestamp`."""
    return f"t={timestamp},{SIGNATURE_SCHEME}={_signature(raw_body, secret, timestamp)}"


def verify_stripe_webhook(
    raw_body: bytes,
    signature_header: str,
    secret: str,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> WebhookEvent:
    """The event in `raw_body` once its signature checks out.

    WebhookSignatureInvalid (UNAUTHENTICATED) for a missing or malformed header, no matching
    signature, or a timestamp more than `tolerance_seconds` away from `now` (replays); InvalidArgument
    for a correctly signed body that is not a Stripe event.
    """
    if not secret:
        raise ValueError("the Stripe webhook secret is not configured")
    timestamp, signatures = _parse_header(signature_header)
    expected = _signature(raw_body, secret, timestamp)
    # Compare against every candidate without stopping early, so timing says nothing about which.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(candidate, expected)
    if not matched:
        raise WebhookSignatureInvalid("Stripe-Signature does not match the body for this endpoint's secret")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        raise WebhookSignatureInvalid(
            f"Stripe-Signature timestamp is more than {tolerance_seconds} seconds away from now"
        )
    return _parse_event(raw_body)


def _signature(raw_body: bytes, secret: str, timestamp: int) -> str:
    signed = str(timestamp).encode() + b"." + raw_body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _parse_header(header: str) -> tuple[int, list[str]]:
    if not header or not header.strip():
        raise WebhookSignatureInvalid("the Stripe-Signature header is missing")
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            timestamps.append(value)
        elif key == SIGNATURE_SCHEME and _HEX_SHA256.fullmatch(value):
            signatures.append(value)
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        raise WebhookSignatureInvalid("the Stripe-Signature header has no valid timestamp")
    if not signatures:
        raise WebhookSignatureInvalid(f"the Stripe-Signature header has no {SIGNATURE_SCHEME} signature")
    return int(timestamps[0]), signatures


def _parse_event(raw_body: bytes) -> WebhookEvent:
    try:
        event = json.loads(raw_body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidArgument.for_field(BODY_FIELD, "is not JSON") from exc
    if not isinstance(event, dict):
        raise InvalidArgument.for_field(BODY_FIELD, "is not a Stripe event object")
    event_id, event_type = event.get("id"), event.get("type")
    if not isinstance(event_id, str) or not _EVENT_ID.fullmatch(event_id):
        raise InvalidArgument.for_field(f"{BODY_FIELD}.id", "is not a Stripe event id")
    if not isinstance(event_type, str) or not event_type:
        raise InvalidArgument.for_field(f"{BODY_FIELD}.type", "is required")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not isinstance(obj, dict):
        raise InvalidArgument.for_field(f"{BODY_FIELD}.data.object", "is required")
    object_id = obj.get("id")
    return WebhookEvent(
        id=event_id, type=event_type, object_id=object_id if isinstance(object_id, str) else "", data=obj
    )


class WebhookDeduplicator:
    """Remembers which event ids were accepted, so Stripe's redeliveries are handled once.

    Usage: `if await dedup.first_time(event.id, event_type=event.type): handle it`, and
    `await dedup.forget(event.id)` when handling fails, so Stripe's next delivery is processed rather
    than dropped as a duplicate.
    """

    def __init__(self, container: Container, *, clock: Clock = system_clock) -> None:
        self._container = container
        self._clock = clock

    @classmethod
    async def open(cls, store: DocumentStore, *, clock: Clock = system_clock) -> WebhookDeduplicator:
        return cls(await store.container(DEDUP_CONTAINER, DEDUP_PARTITION_KEY_PATH), clock=clock)

    async def first_time(self, event_id: str, *, event_type: str = "") -> bool:
        """True exactly once per event id, however many deliveries race (create-if-absent)."""
        record = {"id": event_id, "type": event_type, "received_at": to_iso(self._clock())}
        try:
            await self._container.create(record)
        except ConflictError:
            return False
        return True

    async def forget(self, event_id: str) -> None:
        """Lets the next delivery of `event_id` through again (after its handling failed)."""
        try:
            await self._container.delete(event_id, event_id)
        except NotFoundError:
            return
