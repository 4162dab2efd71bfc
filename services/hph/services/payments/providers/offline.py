"""The offline payment provider: a deterministic stand-in for Stripe on embedded defaults.

Owns the simulator's own records (container "payment_simulator", one document per provider payment,
partition key "/id") and what charging a test card does. Outcomes follow Stripe's test
PaymentMethods through the shared `SIMULATED_CARDS` table (`hph.commerce`): "pm_card_visa" succeeds,
"pm_card_chargeDeclined" fails with card_declined, "pm_card_authenticationRequired" requires
action, and so on. Any other token is refused as an unknown payment method, as Stripe would.

Idempotency survives restarts and races because it lives in the store, not in memory: a payment's id
is derived from its idempotency key, so the first writer's `create` wins and every other caller
(a retry, a concurrent duplicate, another process) reads the stored result back. Reusing a key with
different parameters raises `IdempotencyMismatch`, like Stripe's idempotency_error.

Refunds live inside their payment's document and are written with an ETag compare-and-swap, so
concurrent refunds can never add up to more than was captured; each refund is idempotent by its key
within its payment.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from hph.commerce.simulated_cards import SIMULATED_CARDS
from hph.runtime.clock import Clock, system_clock, to_iso
from hph.runtime.commit import Done, Write, commit
from hph.runtime.errors import InvalidArgument
from hph.runtime.money import is_supported_currency
from hph.runtime.storage import (
    ConflictError,
    Container,
    Document,
    DocumentStore,
    NotFoundError,
    ReplaceOp,
)
from hph.services.payments.providers.port import (
    REASON_PAYMENT_NOT_CAPTURED,
    IdempotencyMismatch,
    PaymentOutcome,
    ProviderIntent,
    ProviderPayment,
    ProviderRefund,
    RefundRefused,
    check_amount,
    check_currency,
    check_idempotency_key,
)

CONTAINER = "payment_simulator"
PARTITION_KEY_PATH = "/id"
PAYMENT_PREFIX = "pi_sim_"
REFUND_PREFIX = "re_sim_"
KIND_PAYMENT = "payment"
KIND_INTENT = "intent"

_SUCCEEDS = "succeeds"
_AUTHENTICATION_REQUIRED = "authentication_required"

# What Stripe tells the customer for each decline the simulated cards reproduce.
DECLINE_MESSAGES: dict[str, str] = {
    "card_declined": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "lost_card": "Your card was declined.",
    "stolen_card": "Your card was declined.",
    "fraudulent": "Your card was declined.",
    "expired_card": "Your card has expired.",
    "incorrect_cvc": "Your card's security code is incorrect.",
    "processing_error": "An error occurred while processing your card. Try again in a little bit.",
}
_GENERIC_DECLINE = "Your card was declined."


def payment_id_for(idempotency_key: str) -> str:
    """The simulator's payment id for a key: one key can only ever name one payment."""
    return PAYMENT_PREFIX + _digest(idempotency_key)


def _refund_id_for(payment_id: str, idempotency_key: str) -> str:
    return REFUND_PREFIX + _digest(f"{payment_id}\n{idempotency_key}")


def _digest(text: str) -> str:
    # 96 bits: ids stay short and Stripe-like, collisions stay out of reach.
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class OfflinePaymentProvider:
    """The `PaymentProvider` that never leaves the process; state is in the document store."""

    name = "offline"

    def __init__(self, container: Container, *, clock: Clock = system_clock) -> None:
        self._container = container
        self._clock = clock

    @classmethod
    async def open(cls, store: DocumentStore, *, clock: Clock = system_clock) -> OfflinePaymentProvider:
        return cls(await store.container(CONTAINER, PARTITION_KEY_PATH), clock=clock)

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
        _check_request(amount_minor, currency, idempotency_key)
        card = SIMULATED_CARDS.get(payment_method)
        if card is None:
            raise InvalidArgument.for_field(
                "payment_method_id",
                f"the payment provider has no payment method {payment_method!r}; the simulator charges "
                "Stripe test tokens such as pm_card_visa",
            )
        payment_id = payment_id_for(idempotency_key)
        status, failure_code = _outcome(card.outcome)
        doc = self._new_record(
            KIND_PAYMENT, payment_id, idempotency_key, amount_minor, currency, customer_ref, metadata
        )
        doc.update(
            payment_method=payment_method,
            status=status,
            failure_code=failure_code,
            failure_message=DECLINE_MESSAGES.get(failure_code, _GENERIC_DECLINE) if failure_code else "",
            client_secret=doc["client_secret"] if status == "requires_action" else "",
        )
        stored = await self._create_once(doc)
        return _payment_of(stored)

    async def create_intent(
        self,
        *,
        amount_minor: int,
        currency: str,
        customer_ref: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProviderIntent:
        _check_request(amount_minor, currency, idempotency_key)
        payment_id = payment_id_for(idempotency_key)
        doc = self._new_record(KIND_INTENT, payment_id, idempotency_key, amount_minor, currency, customer_ref, metadata)
        doc.update(payment_method="", status="requires_payment_method", failure_code="", failure_message="")
        stored = await self._create_once(doc)
        return ProviderIntent(id=stored["id"], client_secret=stored["client_secret"])

    async def refund(
        self, *, provider_payment_id: str, amount_minor: int, idempotency_key: str, reason: str
    ) -> ProviderRefund:
        check_amount(amount_minor)
        check_idempotency_key(idempotency_key)

        async def plan(attempt: int) -> Write[ProviderRefund] | Done[ProviderRefund]:
            payment = await self._read_payment(provider_payment_id)
            earlier = _refund_with_key(payment, idempotency_key)
            if earlier is not None:
                if earlier["amount_minor"] != amount_minor:
                    raise IdempotencyMismatch.for_field(
                        "request_id", "this idempotency key was used for a refund of another amount"
                    )
                return Done(_refund_of(earlier))
            refund = self._refund_record(payment, amount_minor, idempotency_key, reason)
            updated = {
                **payment,
                "amount_refunded": payment["amount_refunded"] + amount_minor,
                "refunds": [*payment["refunds"], refund],
                "updated_at": refund["created_at"],
            }
            # Another refund landing first fails the write: re-read and judge against the new total.
            return Write([ReplaceOp(updated, if_match=payment["_etag"])], lambda _: _refund_of(refund))

        busy = f"refund of {provider_payment_id} kept conflicting with concurrent refunds; retry"
        return await commit(self._container, provider_payment_id, plan, busy=busy)

    def _new_record(
        self,
        kind: str,
        payment_id: str,
        idempotency_key: str,
        amount_minor: int,
        currency: str,
        customer_ref: str,
        metadata: Mapping[str, str],
    ) -> Document:
        now = to_iso(self._clock())
        return {
            "id": payment_id,
            "kind": kind,
            "idempotency_key": idempotency_key,
            "amount_minor": amount_minor,
            "currency": currency,
            "customer_ref": customer_ref,
            "metadata": dict(metadata),
            # Stripe's shape; only handed out when the customer has a step to complete.
            "client_secret": f"{payment_id}_secret_{secrets.token_hex(12)}",
            "amount_refunded": 0,
            "refunds": [],
            "created_at": now,
            "updated_at": now,
        }

    async def _create_once(self, doc: Document) -> Document:
        """Stores `doc` unless its key was used before; then returns the first request's record."""
        try:
            return await self._container.create(doc)
        except ConflictError:
            stored = await self._container.read(doc["id"], doc["id"])
        if any(stored.get(field) != doc[field] for field in _SAME_REQUEST_FIELDS):
            raise IdempotencyMismatch.for_field(
                "request_id", "this idempotency key was already used for a different payment request"
            )
        return stored

    async def _read_payment(self, payment_id: str) -> Document:
        try:
            payment = await self._container.read(payment_id, payment_id)
        except (NotFoundError, ValueError):
            payment = None
        if payment is None or payment["kind"] != KIND_PAYMENT or payment["status"] != "succeeded":
            raise RefundRefused(
                f"payment {payment_id} captured nothing to refund",
                reason=REASON_PAYMENT_NOT_CAPTURED,
                subject=payment_id,
            )
        return payment

    def _refund_record(self, payment: Document, amount_minor: int, idempotency_key: str, reason: str) -> Document:
        remaining = payment["amount_minor"] - payment["amount_refunded"]
        if amount_minor > remaining:
            raise RefundRefused(
                f"refund of {amount_minor} exceeds the {remaining} {payment['currency']} minor units still "
                f"refundable on payment {payment['id']}",
                subject=payment["id"],
                metadata={"refundable_minor": str(remaining)},
            )
        return {
            "id": _refund_id_for(payment["id"], idempotency_key),
            "idempotency_key": idempotency_key,
            "amount_minor": amount_minor,
            "reason": reason,
            "status": "succeeded",
            "created_at": to_iso(self._clock()),
        }


# What must match for a repeated key to count as the same request (metadata may legitimately vary).
_SAME_REQUEST_FIELDS = ("kind", "amount_minor", "currency", "payment_method", "customer_ref")


def _check_request(amount_minor: int, currency: str, idempotency_key: str) -> None:
    check_amount(amount_minor)
    check_currency(currency)
    if not is_supported_currency(currency):
        raise ValueError(f"the simulator does not know currency {currency!r}")
    check_idempotency_key(idempotency_key)


def _outcome(card_outcome: str) -> tuple[PaymentOutcome, str]:
    if card_outcome == _SUCCEEDS:
        return "succeeded", ""
    if card_outcome == _AUTHENTICATION_REQUIRED:
        return "requires_action", ""
    return "failed", card_outcome


def _payment_of(doc: Document) -> ProviderPayment:
    return ProviderPayment(
        id=doc["id"],
        status=doc["status"],
        amount_minor=doc["amount_minor"],
        currency=doc["currency"],
        failure_code=doc["failure_code"],
        failure_message=doc["failure_message"],
        client_secret=doc["client_secret"],
    )


def _refund_with_key(payment: Document, idempotency_key: str) -> dict[str, Any] | None:
    for refund in payment["refunds"]:
        if refund["idempotency_key"] == idempotency_key:
            found: dict[str, Any] = refund
            return found
    return None


def _refund_of(refund: Mapping[str, Any]) -> ProviderRefund:
    return ProviderRefund(id=refund["id"], status=refund["status"], amount_minor=refund["amount_minor"])
