"""The offline payment provider: Stripe test-card outcomes, durable idempotency and refund limits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.commerce.simulated_cards import SIMULATED_CARDS
from hph.runtime.errors import InvalidArgument
from hph.runtime.storage import Container, Query, SqliteDocumentStore
from hph.services.payments.providers import (
    IdempotencyMismatch,
    OfflinePaymentProvider,
    PaymentProvider,
    ProviderPayment,
    RefundRefused,
)
from hph.services.payments.providers.offline import CONTAINER, PARTITION_KEY_PATH
from hph.services.payments.providers.port import REASON_PAYMENT_NOT_CAPTURED
from tests.support.payment_providers import (
    check_a_retried_full_refund_returns_the_first,
    check_refunds_stop_at_the_capture,
)


@pytest.fixture
async def provider(store: SqliteDocumentStore) -> OfflinePaymentProvider:
    return await OfflinePaymentProvider.open(store)


async def pay(
    provider: PaymentProvider,
    key: str,
    *,
    method: str = "pm_card_visa",
    amount: int = 5_000,
    currency: str = "USD",
    customer: str = "user-1",
) -> ProviderPayment:
    return await provider.create_payment(
        amount_minor=amount,
        currency=currency,
        payment_method=method,
        customer_ref=customer,
        idempotency_key=key,
        metadata={"order_id": "order-1"},
    )


async def records(store: SqliteDocumentStore) -> Container:
    return await store.container(CONTAINER, PARTITION_KEY_PATH)


# --- outcomes ----------------------------------------------------------------------------------


async def test_visa_succeeds(provider: OfflinePaymentProvider) -> None:
    payment = await pay(provider, "k-visa", amount=12_345, currency="EUR")
    assert provider.name == "offline"
    assert payment.status == "succeeded"
    assert payment.id.startswith("pi_sim_")
    assert (payment.amount_minor, payment.currency) == (12_345, "EUR")
    assert (payment.failure_code, payment.failure_message, payment.client_secret) == ("", "", "")


@pytest.mark.parametrize(
    ("method", "code", "message"),
    [
        ("pm_card_chargeDeclined", "card_declined", "Your card was declined."),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "Your card has insufficient funds."),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", "Your card has expired."),
    ],
)
async def test_declines_are_failed_payments_not_errors(
    provider: OfflinePaymentProvider, method: str, code: str, message: str
) -> None:
    payment = await pay(provider, f"k-{method}", method=method)
    assert (payment.status, payment.failure_code, payment.failure_message) == ("failed", code, message)
    assert payment.id.startswith("pi_sim_")
    assert payment.client_secret == ""


async def test_every_simulated_card_charges_as_its_table_says(provider: OfflinePaymentProvider) -> None:
    for token, card in SIMULATED_CARDS.items():
        payment = await pay(provider, f"k-table-{token}", method=token)
        if card.outcome == "succeeds":
            assert payment.status == "succeeded", token
        elif card.outcome == "authentication_required":
            assert payment.status == "requires_action", token
        else:
            assert (payment.status, payment.failure_code) == ("failed", card.outcome), token
            assert payment.failure_message, token


async def test_authentication_required_hands_out_a_client_secret(provider: OfflinePaymentProvider) -> None:
    payment = await pay(provider, "k-3ds", method="pm_card_authenticationRequired")
    assert payment.status == "requires_action"
    assert payment.client_secret.startswith(f"{payment.id}_secret_")
    assert payment.failure_code == ""


async def test_unknown_payment_method_is_invalid_and_stores_nothing(
    provider: OfflinePaymentProvider, store: SqliteDocumentStore
) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await pay(provider, "k-unknown", method="pm_card_doesNotExist")
    assert caught.value.violations[0].field == "payment_method_id"
    assert await (await records(store)).count(Query()) == 0


@pytest.mark.parametrize(
    ("amount", "currency", "key"),
    [(0, "USD", "k"), (-5, "USD", "k"), (100, "usd", "k"), (100, "XXX", "k"), (100, "USD", " ")],
)
async def test_malformed_requests_are_caller_bugs(
    provider: OfflinePaymentProvider, amount: int, currency: str, key: str
) -> None:
    with pytest.raises(ValueError):
        await pay(provider, key, amount=amount, currency=currency)


# --- idempotency -------------------------------------------------------------------------------


async def test_retry_with_the_same_key_returns_the_first_payment(
    provider: OfflinePaymentProvider, store: SqliteDocumentStore
) -> None:
    first = await pay(provider, "k-retry")
    again = await pay(provider, "k-retry")
    assert again == first
    assert await (await records(store)).count(Query()) == 1


async def test_a_replayed_decline_stays_a_decline(provider: OfflinePaymentProvider) -> None:
    first = await pay(provider, "k-declined-twice", method="pm_card_chargeDeclined")
    assert await pay(provider, "k-declined-twice", method="pm_card_chargeDeclined") == first


async def test_concurrent_duplicates_charge_once(provider: OfflinePaymentProvider, store: SqliteDocumentStore) -> None:
    results = await asyncio.gather(*(pay(provider, "k-race") for _ in range(20)))
    assert len(set(results)) == 1
    assert await (await records(store)).count(Query()) == 1


async def test_concurrent_duplicates_through_two_connections_charge_once(db_path: Path) -> None:
    first_store = await SqliteDocumentStore.open(db_path)
    second_store = await SqliteDocumentStore.open(db_path)
    try:
        providers = [await OfflinePaymentProvider.open(first_store), await OfflinePaymentProvider.open(second_store)]
        results = await asyncio.gather(*(pay(providers[i % 2], "k-two-processes") for i in range(20)))
        assert len(set(results)) == 1
        assert await (await records(first_store)).count(Query()) == 1
    finally:
        await first_store.close()
        await second_store.close()


async def test_idempotency_survives_a_restart(db_path: Path) -> None:
    before_store = await SqliteDocumentStore.open(db_path)
    before = await pay(
        await OfflinePaymentProvider.open(before_store), "k-restart", method="pm_card_authenticationRequired"
    )
    await before_store.close()

    after_store = await SqliteDocumentStore.open(db_path)
    try:
        after = await pay(
            await OfflinePaymentProvider.open(after_store), "k-restart", method="pm_card_authenticationRequired"
        )
    finally:
        await after_store.close()
    assert after == before  # same id and the same client secret, not a fresh one


@pytest.mark.parametrize(
    "change",
    [{"amount": 5_001}, {"method": "pm_card_mastercard"}, {"currency": "EUR"}, {"customer": "user-2"}],
)
async def test_same_key_with_a_different_request_is_a_mismatch(
    provider: OfflinePaymentProvider, change: dict[str, object]
) -> None:
    await pay(provider, "k-mismatch")
    with pytest.raises(IdempotencyMismatch) as caught:
        await pay(provider, "k-mismatch", **change)  # type: ignore[arg-type]
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.reason == ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED


async def test_an_intent_key_cannot_be_reused_for_a_payment(provider: OfflinePaymentProvider) -> None:
    await provider.create_intent(
        amount_minor=5_000, currency="USD", customer_ref="user-1", idempotency_key="k-shared", metadata={}
    )
    with pytest.raises(IdempotencyMismatch):
        await pay(provider, "k-shared")


# --- intents -----------------------------------------------------------------------------------


async def test_intents_are_idempotent_and_carry_a_client_secret(provider: OfflinePaymentProvider) -> None:
    async def intent() -> tuple[str, str]:
        opened = await provider.create_intent(
            amount_minor=2_500, currency="USD", customer_ref="user-1", idempotency_key="k-intent", metadata={}
        )
        return opened.id, opened.client_secret

    first = await intent()
    assert first[0].startswith("pi_sim_")
    assert first[1].startswith(f"{first[0]}_secret_")
    assert await intent() == first


# --- refunds -----------------------------------------------------------------------------------


async def test_partial_refunds_up_to_the_captured_amount(provider: OfflinePaymentProvider) -> None:
    payment = await pay(provider, "k-refunds", amount=1_000)
    await check_refunds_stop_at_the_capture(provider, payment, refund_id_prefix="re_sim_")


async def test_a_retried_full_refund_returns_the_first_refund(provider: OfflinePaymentProvider) -> None:
    payment = await pay(provider, "k-full-refund", amount=700)
    await check_a_retried_full_refund_returns_the_first(provider, payment)


@pytest.mark.parametrize("method", ["pm_card_chargeDeclined", "pm_card_authenticationRequired"])
async def test_nothing_captured_nothing_to_refund(provider: OfflinePaymentProvider, method: str) -> None:
    payment = await pay(provider, f"k-uncaptured-{method}", method=method)
    with pytest.raises(RefundRefused) as caught:
        await provider.refund(provider_payment_id=payment.id, amount_minor=1, idempotency_key="r", reason="x")
    assert caught.value.reason == REASON_PAYMENT_NOT_CAPTURED


async def test_refund_of_an_unknown_payment_is_refused(provider: OfflinePaymentProvider) -> None:
    with pytest.raises(RefundRefused) as caught:
        await provider.refund(provider_payment_id="pi_sim_nope", amount_minor=1, idempotency_key="r", reason="x")
    assert caught.value.reason == REASON_PAYMENT_NOT_CAPTURED


async def test_concurrent_refunds_never_exceed_the_capture(db_path: Path) -> None:
    stores = [await SqliteDocumentStore.open(db_path), await SqliteDocumentStore.open(db_path)]
    try:
        providers = [await OfflinePaymentProvider.open(opened) for opened in stores]
        payment = await pay(providers[0], "k-refund-race", amount=100)

        async def refund(index: int) -> bool:
            try:
                await providers[index % 2].refund(
                    provider_payment_id=payment.id, amount_minor=30, idempotency_key=f"r-{index}", reason="race"
                )
            except RefundRefused:
                return False
            return True

        outcomes = await asyncio.gather(*(refund(index) for index in range(10)))
        assert outcomes.count(True) == 3
        stored = await (await records(stores[0])).read(payment.id, payment.id)
        assert stored["amount_refunded"] == 90
        assert len(stored["refunds"]) == 3
    finally:
        for opened in stores:
            await opened.close()
