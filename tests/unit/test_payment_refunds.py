"""Refunds against a real store and the offline provider: concurrent refunds never exceed the capture."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.auth.service_identity import ServiceCredentials
from hph.runtime.channels import ChannelPool
from hph.runtime.clock import system_clock, to_iso
from hph.runtime.errors import Aborted, FailedPrecondition, InvalidArgument
from hph.runtime.storage import And, Eq, Query, SqliteDocumentStore
from hph.services.payments import rules
from hph.services.payments.ledger import CONTAINER, PARTITION_KEY_PATH, PaymentLedger
from hph.services.payments.orders_client import OrdersClient
from hph.services.payments.providers import OfflinePaymentProvider
from hph.services.payments.providers.offline import CONTAINER as SIMULATOR
from hph.services.payments.refunds import Refunder

REFUND_ISSUED = "holidaypeak.events.v1.RefundIssued"


@pytest.fixture
async def ledger(store: SqliteDocumentStore) -> PaymentLedger:
    return PaymentLedger(await store.container(CONTAINER, PARTITION_KEY_PATH), clock=system_clock, notify=lambda: None)


@pytest.fixture
async def provider(store: SqliteDocumentStore) -> OfflinePaymentProvider:
    return await OfflinePaymentProvider.open(store)


@pytest.fixture
def refunder(ledger: PaymentLedger, provider: OfflinePaymentProvider) -> Refunder:
    # No orders service here: every refund is made with sync_order=False.
    return Refunder(ledger, provider, OrdersClient(ChannelPool(), ServiceCredentials(None)), clock=system_clock)


async def captured_payment(ledger: PaymentLedger, provider: OfflinePaymentProvider, amount_minor: int) -> Any:
    payment_id = rules.payment_id_for_charge("shopper-1", "pay-1")
    charge = await provider.create_payment(
        amount_minor=amount_minor,
        currency="USD",
        payment_method="pm_card_visa",
        customer_ref="shopper-1",
        idempotency_key=rules.provider_key(payment_id),
        metadata={},
    )
    now = to_iso(system_clock())
    return await ledger.create(
        {
            "id": payment_id,
            "order_id": "ORD-0000000000000001",
            "user_id": "shopper-1",
            "amount_minor": amount_minor,
            "currency": "USD",
            "status": rules.SUCCEEDED,
            "provider": "offline",
            "transaction_id": charge.id,
            "amount_refunded_minor": 0,
            "refunds": [],
            "created_at": now,
            "updated_at": now,
        }
    )


async def refund(refunder: Refunder, payment: Any, amount_minor: int, key: str) -> Any:
    return await refunder.refund(
        payment,
        amount_minor=amount_minor,
        reason="goodwill",
        return_id="",
        idempotency_key=key,
        requested_by="admin-1",
        sync_order=False,
    )


async def refund_events(ledger: PaymentLedger) -> int:
    return await ledger.container.count(Query(where=And(Eq("kind", "outbox"), Eq("event_type", REFUND_ISSUED))))


async def test_concurrent_refunds_never_add_up_to_more_than_was_captured(
    ledger: PaymentLedger, provider: OfflinePaymentProvider, refunder: Refunder, store: SqliteDocumentStore
) -> None:
    payment = await captured_payment(ledger, provider, 10_000)
    outcomes = await asyncio.gather(
        *(refund(refunder, payment, 1_000, f"r{i}") for i in range(20)), return_exceptions=True
    )
    succeeded = [o for o in outcomes if isinstance(o, tuple)]
    refused = [o for o in outcomes if isinstance(o, FailedPrecondition | Aborted)]
    assert len(succeeded) + len(refused) == 20, outcomes
    assert 1 <= len(succeeded) <= 10
    # Refused for the amount, or because the payment was already fully refunded.
    reasons = {o.reason for o in refused if isinstance(o, FailedPrecondition)}
    assert reasons <= {rules.AMOUNT_MISMATCH, rules.ILLEGAL_TRANSITION}

    stored = await ledger.reread(payment)
    assert stored is not None
    assert stored["amount_refunded_minor"] == 1_000 * len(succeeded) <= 10_000
    simulator = await (await store.container(SIMULATOR, "/id")).read(
        payment["transaction_id"], payment["transaction_id"]
    )
    assert simulator["amount_refunded"] == stored["amount_refunded_minor"]
    assert await refund_events(ledger) == len(succeeded)

    # "Everything that remains" tops it up to exactly the capture (when the race left anything).
    if len(succeeded) < 10:
        _, last = await refund(refunder, payment, 0, "rest")
        assert last["amount_minor"] == 10_000 - 1_000 * len(succeeded)
    stored = await ledger.reread(payment)
    assert stored is not None
    assert (stored["status"], stored["amount_refunded_minor"]) == (rules.REFUNDED, 10_000)
    with pytest.raises(FailedPrecondition) as caught:
        await refund(refunder, payment, 1, "more")
    assert caught.value.reason == rules.ILLEGAL_TRANSITION


async def test_a_refund_retried_with_its_key_refunds_once_even_in_parallel(
    ledger: PaymentLedger, provider: OfflinePaymentProvider, refunder: Refunder
) -> None:
    payment = await captured_payment(ledger, provider, 5_000)
    outcomes = await asyncio.gather(*(refund(refunder, payment, 1_250, "same") for _ in range(10)))
    assert len({r["id"] for _, r in outcomes}) == 1
    assert {r["status"] for _, r in outcomes} == {rules.REFUND_SUCCEEDED}
    stored = await ledger.reread(payment)
    assert stored is not None
    assert (stored["status"], stored["amount_refunded_minor"], len(stored["refunds"])) == (
        rules.PARTIALLY_REFUNDED,
        1_250,
        1,
    )
    assert await refund_events(ledger) == 1
    # The same key for another amount is a different request.
    with pytest.raises(InvalidArgument) as caught:
        await refund(refunder, payment, 1_300, "same")
    assert caught.value.reason == ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED


async def test_a_refund_interrupted_before_the_provider_answered_is_resumed_by_its_key(
    ledger: PaymentLedger, provider: OfflinePaymentProvider, refunder: Refunder
) -> None:
    payment = await captured_payment(ledger, provider, 5_000)
    # A crash after reserving the refund and before the provider call leaves it pending and reserved.
    reserved = {
        "id": rules.refund_id_for(payment["id"], "crashed"),
        "idempotency_key": "crashed",
        "amount_minor": 2_000,
        "status": rules.REFUND_PENDING,
        "reason": "goodwill",
        "return_id": "",
        "requested_by": "admin-1",
        "transaction_id": "",
        "failure_message": "",
        "sync_order": False,
        "created_at": payment["created_at"],
        "updated_at": payment["created_at"],
    }
    written = await ledger.write(payment, {**payment, "refunds": [reserved]})
    assert written is not None
    assert rules.refundable_minor(written) == 3_000  # the pending refund holds its amount
    _, resumed = await refund(refunder, payment, 2_000, "crashed")
    assert (resumed["id"], resumed["status"]) == (reserved["id"], rules.REFUND_SUCCEEDED)
    stored = await ledger.reread(payment)
    assert stored is not None and stored["amount_refunded_minor"] == 2_000
