"""The payment-provider port: what the payments service asks of Stripe or of the offline simulator.

Owns the `PaymentProvider` protocol, the value objects it returns and the errors it raises. Amounts
are integer minor units and currencies ISO 4217 upper case ("USD"), whatever the provider's wire form.

A decline is the customer's business, not an error: it comes back as a `ProviderPayment` with status
"failed" and a `failure_code` ("card_declined", "insufficient_funds", "expired_card", ...). Exceptions
are for what the caller must handle differently:

- `ProviderUnavailable`: the provider could not be reached or answered with a server error; nothing is
  known about the charge, so the caller retries with the *same* idempotency key.
- `RefundRefused`: the refund would exceed what was captured (minus earlier refunds), or the payment
  captured nothing.
- `IdempotencyMismatch`: an idempotency key was reused for a different request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.errors import FailedPrecondition, InvalidArgument, Unavailable

# "pending" is only for what a provider leaves open (e.g. Stripe's "processing"); a webhook settles it.
PaymentOutcome = Literal["succeeded", "requires_action", "failed", "pending"]
RefundOutcome = Literal["succeeded", "pending", "failed"]

REASON_REFUND_EXCEEDS_CAPTURED = ErrorReason.ERROR_REASON_REFUND_EXCEEDS_CAPTURED
REASON_PAYMENT_NOT_CAPTURED = ErrorReason.ERROR_REASON_PAYMENT_NOT_CAPTURED
REASON_IDEMPOTENCY_MISMATCH = ErrorReason.ERROR_REASON_IDEMPOTENCY_KEY_REUSED

_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class ProviderPayment:
    """One charge attempt as the provider reports it; `id` is the provider's ("pi_...")."""

    id: str
    status: PaymentOutcome
    amount_minor: int
    currency: str
    failure_code: str = ""
    failure_message: str = ""
    # Set when status is "requires_action": the storefront completes the step (3-D Secure) with it.
    client_secret: str = ""


@dataclass(frozen=True)
class ProviderRefund:
    id: str
    status: RefundOutcome
    amount_minor: int


@dataclass(frozen=True)
class ProviderIntent:
    """A payment intent the storefront confirms itself (Stripe.js) with `client_secret`."""

    id: str
    client_secret: str


@dataclass
class ProviderUnavailable(Unavailable):
    """The provider could not be reached or failed; the outcome is unknown, retry with the same key."""

    reason: ErrorReason = ErrorReason.ERROR_REASON_PAYMENT_PROVIDER_UNAVAILABLE


@dataclass
class RefundRefused(FailedPrecondition):
    """The refund is above what remains refundable, or nothing was captured."""

    reason: ErrorReason = REASON_REFUND_EXCEEDS_CAPTURED


@dataclass
class IdempotencyMismatch(InvalidArgument):
    """The idempotency key was already used with different parameters."""

    reason: ErrorReason = REASON_IDEMPOTENCY_MISMATCH


class PaymentProvider(Protocol):
    """Charges saved payment methods, refunds charges and opens intents for the storefront.

    Every call takes an idempotency key: repeating a call with the same key and the same parameters
    returns the first result and never charges or refunds twice.
    """

    @property
    def name(self) -> str:
        """The adapter's name: "offline" or "stripe"."""
        ...

    async def create_payment(
        self,
        *,
        amount_minor: int,
        currency: str,
        payment_method: str,
        customer_ref: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProviderPayment:
        """Charges `payment_method` (the provider's id, e.g. "pm_card_visa") at once."""
        ...

    async def refund(
        self, *, provider_payment_id: str, amount_minor: int, idempotency_key: str, reason: str
    ) -> ProviderRefund:
        """Returns `amount_minor` of a succeeded charge; RefundRefused above what remains."""
        ...

    async def create_intent(
        self,
        *,
        amount_minor: int,
        currency: str,
        customer_ref: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProviderIntent:
        """Opens an intent the storefront confirms with its client secret; a webhook settles it."""
        ...


def check_amount(amount_minor: int) -> None:
    """Amounts are positive integers; anything else is a bug in the caller, not customer input."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValueError(f"amount_minor must be a positive integer, got {amount_minor!r}")


def check_currency(currency: str) -> None:
    if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
        raise ValueError(f"currency must be an upper-case ISO 4217 code, got {currency!r}")


def check_idempotency_key(key: str) -> None:
    if not isinstance(key, str) or not key.strip():
        raise ValueError("an idempotency key is required")
