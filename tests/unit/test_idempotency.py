"""Idempotency records on the real SQLite store: claim, replay, key reuse, in-flight duplicates,
stale takeover, release, and completion inside the caller's own batch."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from holidaypeak.commerce.v1 import order_service_pb2 as pb
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.errors import Aborted, InvalidArgument
from hph.runtime.idempotency import Claim, IdempotencyRecords, Replay, request_fingerprint
from hph.runtime.storage import BatchError, Container, CreateOp, SqliteDocumentStore
from hph.services.orders.idempotency import create_fingerprint
from tests.support.clocks import ManualClock

START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
async def container(store: SqliteDocumentStore) -> Container:
    return await store.container("orders", "/user_id")


def records(container: Container, clock: ManualClock[datetime]) -> IdempotencyRecords:
    return IdempotencyRecords(container, scope="test.create", clock=clock, stale_after=timedelta(seconds=60))


async def claimed(outcome: Claim | Replay) -> Claim:
    assert isinstance(outcome, Claim)
    return outcome


async def test_first_claim_wins_then_the_completed_response_is_replayed(container: Container) -> None:
    clock = ManualClock(START)
    idem = records(container, clock)
    claim = await claimed(await idem.claim("u1", "key-1", "hash-a"))
    await idem.complete(claim, b"first response")
    again = await idem.claim("u1", "key-1", "hash-a")
    assert again == Replay(b"first response")


async def test_same_key_different_request_is_invalid_argument(container: Container) -> None:
    idem = records(container, ManualClock(START))
    await claimed(await idem.claim("u1", "key-1", "hash-a"))
    with pytest.raises(InvalidArgument) as refused:
        await idem.claim("u1", "key-1", "hash-b")
    assert refused.value.reason == ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED
    assert refused.value.violations[0].field == "request_id"


async def test_keys_are_per_owner_and_scope(container: Container) -> None:
    clock = ManualClock(START)
    idem = records(container, clock)
    await claimed(await idem.claim("u1", "key-1", "hash-a"))
    await claimed(await idem.claim("u2", "key-1", "hash-b"))
    other = IdempotencyRecords(container, scope="test.other", clock=clock)
    await claimed(await other.claim("u1", "key-1", "hash-c"))


async def test_concurrent_duplicates_get_exactly_one_claim(container: Container) -> None:
    idem = records(container, ManualClock(START))
    outcomes = await asyncio.gather(*(idem.claim("u1", "key-1", "hash-a") for _ in range(20)), return_exceptions=True)
    claims = [o for o in outcomes if isinstance(o, Claim)]
    aborted = [o for o in outcomes if isinstance(o, Aborted)]
    assert len(claims) == 1 and len(aborted) == 19
    assert {a.reason for a in aborted} == {ErrorReason.ERROR_REASON_REQUEST_IN_FLIGHT}


async def test_a_stale_claim_is_taken_over_and_the_old_holder_cannot_complete(container: Container) -> None:
    clock = ManualClock(START)
    idem = records(container, clock)
    old = await claimed(await idem.claim("u1", "key-1", "hash-a"))
    clock.now += timedelta(seconds=30)
    with pytest.raises(Aborted):
        await idem.claim("u1", "key-1", "hash-a")
    clock.now += timedelta(seconds=31)
    new = await claimed(await idem.claim("u1", "key-1", "hash-a"))
    assert new.etag != old.etag
    # The old holder's batch fails as a whole: its state write is not applied either.
    with pytest.raises(BatchError):
        await container.batch("u1", [CreateOp({"id": "state", "user_id": "u1"}), idem.completion_op(old, b"old")])
    await container.batch("u1", [CreateOp({"id": "state", "user_id": "u1"}), idem.completion_op(new, b"new")])
    assert await idem.claim("u1", "key-1", "hash-a") == Replay(b"new")


async def test_release_lets_a_corrected_retry_run_but_never_undoes_a_completion(container: Container) -> None:
    idem = records(container, ManualClock(START))
    failed = await claimed(await idem.claim("u1", "key-1", "hash-a"))
    await idem.release(failed)
    retry = await claimed(await idem.claim("u1", "key-1", "hash-b"))  # a different body is fine now
    await idem.complete(retry, b"done")
    await idem.release(retry)  # stale etag: a no-op
    assert await idem.claim("u1", "key-1", "hash-b") == Replay(b"done")


async def test_records_can_live_in_a_container_partitioned_by_id(store: SqliteDocumentStore) -> None:
    idem = records(await store.container("idempotency", "/id"), ManualClock(START))
    claim = await claimed(await idem.claim("u1", "key-1", "hash-a"))
    assert claim.partition_key == claim.record["id"]
    await idem.complete(claim, b"ok")
    assert await idem.claim("u1", "key-1", "hash-a") == Replay(b"ok")


def test_fingerprint_ignores_where_the_key_came_from() -> None:
    with_field = pb.CreateOrderRequest(shipping_address_id="adr_1", request_id="k1")
    with_header = pb.CreateOrderRequest(shipping_address_id="adr_1")
    assert create_fingerprint(with_field) == create_fingerprint(with_header)
    other = pb.CreateOrderRequest(shipping_address_id="adr_2", request_id="k1")
    assert create_fingerprint(other) != create_fingerprint(with_field)
    shown = pb.CreateOrderRequest(shipping_address_id="adr_1", expected_total=0.0)
    assert create_fingerprint(shown) != create_fingerprint(with_header)  # presence counts
    assert request_fingerprint(with_header) == request_fingerprint(pb.CreateOrderRequest(shipping_address_id="adr_1"))


# --- retention: a record lives `retention`, on every engine ----------------------------------------

RETENTION = timedelta(hours=24)


async def test_a_record_past_its_retention_counts_as_absent(container: Container) -> None:
    clock = ManualClock(START)
    idem = records(container, clock)
    claim = await claimed(await idem.claim("u1", "key-1", "hash-a"))
    await idem.complete(claim, b"first response")
    clock.now += RETENTION - timedelta(seconds=1)
    assert await idem.claim("u1", "key-1", "hash-a") == Replay(b"first response")
    with pytest.raises(InvalidArgument):
        await idem.claim("u1", "key-1", "hash-b")
    # As on Cosmos DB, where the item is gone: the key is free for any request again.
    clock.now += timedelta(seconds=1)
    again = await claimed(await idem.claim("u1", "key-1", "hash-b"))
    assert again.record["request_hash"] == "hash-b" and again.record["status"] == "in_flight"


async def test_expiry_deletes_only_this_scopes_expired_records(container: Container) -> None:
    clock = ManualClock(START)
    idem = records(container, clock)
    other = IdempotencyRecords(container, scope="test.other", clock=clock)
    for n in range(3):
        await idem.complete(await claimed(await idem.claim(f"u{n}", "old", "h")), b"r")
    await claimed(await other.claim("u1", "old", "h"))
    state = await container.create({"id": "order-1", "user_id": "u1", "kind": "order"})
    clock.now += timedelta(hours=12)
    await claimed(await idem.claim("u1", "young", "h"))
    expiry = idem.expiry()

    assert await expiry.sweep_once(now=START + timedelta(hours=23)) == 0
    assert await expiry.sweep_once(now=START + RETENTION + timedelta(seconds=1)) == 3
    assert await idem.claim("u1", "old", "h") != Replay(b"r")  # gone: claimed afresh
    assert await container.read(state["id"], "u1")  # state documents are never touched
    assert await container.read(other.record_id("u1", "old"), "u1")  # another scope's record stays
    assert await expiry.sweep_once(now=START + timedelta(hours=36, seconds=1)) == 2  # "young", then the new "old"


async def test_a_key_claimed_again_after_its_retention_is_not_purged(container: Container) -> None:
    clock = ManualClock(START)
    idem = records(container, clock)
    await idem.complete(await claimed(await idem.claim("u1", "key-1", "hash-a")), b"r")
    clock.now = START + RETENTION + timedelta(minutes=1)
    renewed = await claimed(await idem.claim("u1", "key-1", "hash-b"))  # a new request took the key
    assert await idem.purge_expired(now=clock.now) == 0
    kept = await container.read(renewed.record["id"], "u1")
    assert (kept["request_hash"], kept["_etag"]) == ("hash-b", renewed.etag)
