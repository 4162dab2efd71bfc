"""Stripe webhook signatures (accepted and refused) and event-id deduplication."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import stripe

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.errors import InvalidArgument
from hph.runtime.storage import SqliteDocumentStore
from hph.services.payments.providers import (
    WebhookDeduplicator,
    WebhookSignatureInvalid,
    sign_stripe_payload,
    verify_stripe_webhook,
)

SECRET = "whsec_test_0123456789abcdef"
NOW = 1_800_000_000
EVENT = {
    "id": "evt_1QabcDEF",
    "object": "event",
    "type": "payment_intent.succeeded",
    "data": {"object": {"id": "pi_3Qxyz", "object": "payment_intent", "amount": 5000, "status": "succeeded"}},
}
BODY = json.dumps(EVENT, indent=2).encode()


def stripe_header(body: bytes, secret: str, timestamp: int) -> str:
    """Written from Stripe's documentation, independently of the code under test."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# --- accepted ----------------------------------------------------------------------------------


def test_a_correctly_signed_event_is_returned() -> None:
    event = verify_stripe_webhook(BODY, stripe_header(BODY, SECRET, NOW), SECRET, now=NOW + 10)
    assert (event.id, event.type, event.object_id) == ("evt_1QabcDEF", "payment_intent.succeeded", "pi_3Qxyz")
    assert event.data["amount"] == 5000


def test_our_signer_is_what_the_stripe_sdk_verifies() -> None:
    header = sign_stripe_payload(BODY, SECRET, timestamp=NOW)
    assert header == stripe_header(BODY, SECRET, NOW)
    # The SDK checks against the wall clock, so sign at "now" for it.
    live = sign_stripe_payload(BODY, SECRET, timestamp=int(time.time()))
    event = stripe.Webhook.construct_event(BODY, live, SECRET)
    assert event.id == "evt_1QabcDEF"
    assert verify_stripe_webhook(BODY, live, SECRET).id == "evt_1QabcDEF"


def test_one_matching_signature_among_several_is_enough() -> None:
    # While a secret is rolled Stripe signs with both, and may add schemes we ignore.
    valid = stripe_header(BODY, SECRET, NOW).split(",")[1]
    other = stripe_header(BODY, "whsec_old", NOW).split(",")[1]
    header = f"t={NOW},v1={other},{valid},v0=deadbeef"
    assert verify_stripe_webhook(BODY, header, SECRET, now=NOW).id == "evt_1QabcDEF"


@pytest.mark.parametrize("skew", [-300, 300])
def test_timestamps_within_the_tolerance_are_accepted(skew: int) -> None:
    verify_stripe_webhook(BODY, stripe_header(BODY, SECRET, NOW), SECRET, now=NOW + skew)


# --- refused -----------------------------------------------------------------------------------


def refused(body: bytes, header: str, *, secret: str = SECRET, now: float = NOW) -> WebhookSignatureInvalid:
    with pytest.raises(WebhookSignatureInvalid) as caught:
        verify_stripe_webhook(body, header, secret, now=now)
    assert caught.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert caught.value.reason == ErrorReason.ERROR_REASON_WEBHOOK_SIGNATURE_INVALID
    return caught.value


def test_a_tampered_body_is_refused() -> None:
    tampered = BODY.replace(b"5000", b"1")
    refused(tampered, stripe_header(BODY, SECRET, NOW))


def test_a_reserialized_body_is_refused() -> None:
    # Verifying a parsed-and-dumped body instead of the raw bytes would fail: keep the raw body.
    compact = json.dumps(json.loads(BODY), separators=(",", ":")).encode()
    refused(compact, stripe_header(BODY, SECRET, NOW))


def test_another_secret_is_refused() -> None:
    refused(BODY, stripe_header(BODY, "whsec_someone_else", NOW))


def test_a_signature_for_another_timestamp_is_refused() -> None:
    digest = stripe_header(BODY, SECRET, NOW).split("v1=")[1]
    refused(BODY, f"t={NOW + 1},v1={digest}")


@pytest.mark.parametrize("header", ["", "   ", "garbage", f"v1={'a' * 64}", f"t={NOW}", f"t=abc,v1={'a' * 64}"])
def test_missing_or_malformed_headers_are_refused(header: str) -> None:
    refused(BODY, header)


def test_only_a_v0_signature_is_refused() -> None:
    digest = stripe_header(BODY, SECRET, NOW).split("v1=")[1]
    refused(BODY, f"t={NOW},v0={digest}")


@pytest.mark.parametrize("skew", [-301, 301, 86_400])
def test_timestamps_outside_the_tolerance_are_refused(skew: int) -> None:
    error = refused(BODY, stripe_header(BODY, SECRET, NOW), now=NOW + skew)
    assert "300 seconds" in error.message


def test_the_tolerance_is_configurable() -> None:
    header = stripe_header(BODY, SECRET, NOW)
    with pytest.raises(WebhookSignatureInvalid):
        verify_stripe_webhook(BODY, header, SECRET, now=NOW + 20, tolerance_seconds=10)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json at all", "body"),
        (b"\xff\xfe", "body"),
        (b"[1, 2]", "body"),
        (json.dumps({"type": "x", "data": {"object": {}}}).encode(), "body.id"),
        (json.dumps({"id": "evt/1", "type": "x", "data": {"object": {}}}).encode(), "body.id"),
        (json.dumps({"id": "evt_1", "data": {"object": {}}}).encode(), "body.type"),
        (json.dumps({"id": "evt_1", "type": "x"}).encode(), "body.data.object"),
    ],
)
def test_signed_bodies_that_are_not_events_are_invalid(body: bytes, field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        verify_stripe_webhook(body, stripe_header(body, SECRET, NOW), SECRET, now=NOW)
    assert caught.value.violations[0].field == field


def test_an_unsigned_non_json_body_is_refused_before_parsing() -> None:
    refused(b"not json", "t=1,v1=" + "0" * 64)


def test_an_unconfigured_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError):
        verify_stripe_webhook(BODY, stripe_header(BODY, "", NOW), "", now=NOW)


# --- deduplication -----------------------------------------------------------------------------


@pytest.fixture
async def dedup(db_path: Path) -> AsyncIterator[WebhookDeduplicator]:
    store = await SqliteDocumentStore.open(db_path)
    try:
        yield await WebhookDeduplicator.open(store)
    finally:
        await store.close()


async def test_an_event_is_new_once(dedup: WebhookDeduplicator) -> None:
    assert await dedup.first_time("evt_1", event_type="payment_intent.succeeded") is True
    assert await dedup.first_time("evt_1", event_type="payment_intent.succeeded") is False
    assert await dedup.first_time("evt_2") is True


async def test_racing_deliveries_see_one_new_event(dedup: WebhookDeduplicator) -> None:
    outcomes = await asyncio.gather(*(dedup.first_time("evt_race") for _ in range(20)))
    assert outcomes.count(True) == 1


async def test_seen_events_survive_a_restart(db_path: Path) -> None:
    store = await SqliteDocumentStore.open(db_path)
    assert await (await WebhookDeduplicator.open(store)).first_time("evt_kept") is True
    await store.close()
    store = await SqliteDocumentStore.open(db_path)
    try:
        assert await (await WebhookDeduplicator.open(store)).first_time("evt_kept") is False
    finally:
        await store.close()


async def test_a_forgotten_event_is_new_again(dedup: WebhookDeduplicator) -> None:
    assert await dedup.first_time("evt_failed") is True
    await dedup.forget("evt_failed")
    assert await dedup.first_time("evt_failed") is True
    await dedup.forget("evt_never_seen")  # nothing to forget is fine
