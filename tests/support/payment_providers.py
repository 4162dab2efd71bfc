"""The refund rules every payment provider adapter keeps, checked the same way against each one
(the offline simulator in the unit tests, the Stripe adapter against localstripe)."""

from __future__ import annotations

import grpc
import pytest

from hph.services.payments.providers import IdempotencyMismatch, PaymentProvider, ProviderPayment, RefundRefused
from hph.services.payments.providers.port import REASON_REFUND_EXCEEDS_CAPTURED


async def check_refunds_stop_at_the_capture(
    provider: PaymentProvider, payment: ProviderPayment, *, refund_id_prefix: str
) -> None:
    """`payment` captured 1,000: refunds add up to it and no further, naming what is left."""
    first = await provider.refund(provider_payment_id=payment.id, amount_minor=400, idempotency_key="r-1", reason="x")
    assert (first.status, first.amount_minor) == ("succeeded", 400)
    assert first.id.startswith(refund_id_prefix)

    with pytest.raises(RefundRefused) as caught:
        await provider.refund(provider_payment_id=payment.id, amount_minor=601, idempotency_key="r-2", reason="x")
    assert caught.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert caught.value.reason == REASON_REFUND_EXCEEDS_CAPTURED
    assert caught.value.metadata == {"refundable_minor": "600"}

    rest = await provider.refund(provider_payment_id=payment.id, amount_minor=600, idempotency_key="r-3", reason="x")
    assert rest.amount_minor == 600
    assert rest.id != first.id
    with pytest.raises(RefundRefused):
        await provider.refund(provider_payment_id=payment.id, amount_minor=1, idempotency_key="r-4", reason="x")


async def check_a_retried_full_refund_returns_the_first(provider: PaymentProvider, payment: ProviderPayment) -> None:
    """`payment` captured 700: the same key refunds once, and reused for another amount is refused."""
    first = await provider.refund(provider_payment_id=payment.id, amount_minor=700, idempotency_key="r", reason="x")
    again = await provider.refund(provider_payment_id=payment.id, amount_minor=700, idempotency_key="r", reason="x")
    assert again == first
    with pytest.raises(IdempotencyMismatch):
        await provider.refund(provider_payment_id=payment.id, amount_minor=300, idempotency_key="r", reason="x")
