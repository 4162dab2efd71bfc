"""The Stripe payment provider: PaymentIntents and Refunds through the `stripe` SDK.

Owns the translation between the port and Stripe's API:

- A payment is one PaymentIntent created and confirmed in a single call (`confirm=True`) on the saved
  card, with redirect-based methods off (`allow_redirects: "never"`, so no `return_url` is needed;
  3-D Secure comes back as requires_action with the client secret for Stripe.js). The port's idempotency key
  is sent as Stripe's `Idempotency-Key`, so a retry replays the first response and never charges
  twice.
- A decline arrives from Stripe as HTTP 402 (`CardError`) carrying the failed PaymentIntent; it is
  returned as status "failed" with the decline code (`decline_code`, else `code`), never raised.
- Refunds are checked against the charge's captured-minus-refunded amount first, so an over-refund is
  refused with the amount that remains, and Stripe's own refusal (a concurrent refund won) maps to
  the same `RefundRefused`.
- Connection failures, timeouts, rate limits and Stripe server errors raise `ProviderUnavailable`;
  credentials Stripe rejects do too (the operator must fix them; the client can only retry later).

The SDK is synchronous here (its async mode needs an extra HTTP library), so calls run in a worker
thread. `api_base` points the client at another host (a local fake in tests).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import stripe

from hph.runtime.errors import InvalidArgument
from hph.services.payments.providers.port import (
    REASON_PAYMENT_NOT_CAPTURED,
    IdempotencyMismatch,
    PaymentOutcome,
    ProviderIntent,
    ProviderPayment,
    ProviderRefund,
    ProviderUnavailable,
    RefundOutcome,
    RefundRefused,
    check_amount,
    check_currency,
    check_idempotency_key,
)

if TYPE_CHECKING:
    from stripe.params import PaymentIntentCreateParams, RefundCreateParams

T = TypeVar("T")

DEFAULT_TIMEOUT_SECONDS = 30.0
# The SDK retries connection failures itself, re-sending the same Idempotency-Key.
DEFAULT_NETWORK_RETRIES = 2
CUSTOMER_REF_METADATA = "customer_ref"
IDEMPOTENCY_KEY_METADATA = "idempotency_key"
REASON_METADATA = "reason"
STRIPE_METADATA_VALUE_MAX = 500

# Stripe reports a generic decline as code card_declined + decline_code generic_decline; the port
# says card_declined for it, and the specific decline code (insufficient_funds, ...) otherwise.
_GENERIC_DECLINE = "generic_decline"
_OVER_REFUND_CODES = frozenset({"amount_too_large", "charge_already_refunded"})
_REFUND_STATUSES: dict[str, RefundOutcome] = {
    "succeeded": "succeeded",
    "pending": "pending",
    "requires_action": "pending",
    "failed": "failed",
    "canceled": "failed",
}


class StripePaymentProvider:
    """The `PaymentProvider` backed by Stripe (or anything that speaks its API)."""

    name = "stripe"

    def __init__(
        self,
        api_key: str,
        *,
        api_base: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        max_network_retries: int = DEFAULT_NETWORK_RETRIES,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("a Stripe secret key is required")
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=max_network_retries,
            http_client=http_client or stripe.RequestsClient(timeout=timeout_seconds),
        )

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
        params: PaymentIntentCreateParams = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "payment_method": payment_method,
            "confirm": True,
            # A saved card never leaves the page: 3-D Secure runs in Stripe.js with the client secret,
            # so redirect-based methods are off and no return_url is needed.
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
            "metadata": _metadata(metadata, customer_ref),
        }
        if customer_ref.startswith("cus_"):
            params["customer"] = customer_ref  # a saved card is attached to its Stripe Customer
        try:
            intent = await self._call(
                self._client.v1.payment_intents.create, params, {"idempotency_key": idempotency_key}
            )
        except stripe.CardError as exc:
            return await self._declined(exc, amount_minor, currency)
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing" and exc.param == "payment_method":
                raise InvalidArgument.for_field(
                    "payment_method_id", "the payment provider has no such payment method"
                ) from exc
            raise
        return _payment_of(intent)

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
        params: PaymentIntentCreateParams = {
            "amount": amount_minor,
            "currency": currency.lower(),
            # The storefront's Payment Element offers what the Dashboard enables and passes its own
            # return_url to stripe.confirmPayment for methods that redirect.
            "automatic_payment_methods": {"enabled": True},
            "metadata": _metadata(metadata, customer_ref),
        }
        if customer_ref.startswith("cus_"):
            params["customer"] = customer_ref
        intent = await self._call(self._client.v1.payment_intents.create, params, {"idempotency_key": idempotency_key})
        return ProviderIntent(id=intent.id, client_secret=intent.client_secret or "")

    async def refund(
        self, *, provider_payment_id: str, amount_minor: int, idempotency_key: str, reason: str
    ) -> ProviderRefund:
        check_amount(amount_minor)
        check_idempotency_key(idempotency_key)
        remaining = await self._refundable(provider_payment_id)
        if amount_minor > remaining:
            # A retry of a refund that already went through must return it, not be refused.
            earlier = await self._refund_with_key(provider_payment_id, idempotency_key)
            if earlier is not None:
                return _checked_replay(earlier, amount_minor)
            raise RefundRefused(
                f"refund of {amount_minor} exceeds the {remaining} minor units still refundable on payment "
                f"{provider_payment_id}",
                subject=provider_payment_id,
                metadata={"refundable_minor": str(remaining)},
            )
        params: RefundCreateParams = {
            "payment_intent": provider_payment_id,
            "amount": amount_minor,
            # Stripe's `reason` is an enum; ours is free text for the ledger, so it goes in metadata.
            "metadata": {
                IDEMPOTENCY_KEY_METADATA: idempotency_key,
                REASON_METADATA: reason[:STRIPE_METADATA_VALUE_MAX],
            },
        }
        try:
            refund = await self._call(self._client.v1.refunds.create, params, {"idempotency_key": idempotency_key})
        except stripe.InvalidRequestError as exc:
            if exc.code in _OVER_REFUND_CODES or "greater than" in (exc.user_message or ""):
                raise RefundRefused(
                    f"the payment provider refused the refund: {exc.user_message}", subject=provider_payment_id
                ) from exc
            raise
        return _refund_of(refund)

    async def _refundable(self, payment_id: str) -> int:
        """Captured minus refunded on the PaymentIntent's charge, in minor units."""
        try:
            intent = await self._call(
                self._client.v1.payment_intents.retrieve, payment_id, {"expand": ["latest_charge"]}, {}
            )
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing" or exc.http_status == 404:
                raise _not_captured(payment_id) from exc
            raise
        charge = intent.latest_charge
        if intent.status != "succeeded" or not isinstance(charge, stripe.Charge):
            raise _not_captured(payment_id)
        # Fakes may omit amount_captured; with automatic capture it equals the amount.
        captured = getattr(charge, "amount_captured", None)
        captured_minor = captured if isinstance(captured, int) else charge.amount
        return captured_minor - (getattr(charge, "amount_refunded", None) or 0)

    async def _refund_with_key(self, payment_id: str, idempotency_key: str) -> stripe.Refund | None:
        page = await self._call(self._client.v1.refunds.list, {"payment_intent": payment_id, "limit": 100}, {})
        for refund in await self._call(lambda: list(page.auto_paging_iter())):
            metadata = refund.metadata.to_dict() if refund.metadata is not None else {}
            if metadata.get(IDEMPOTENCY_KEY_METADATA) == idempotency_key:
                return refund
        return None

    async def _declined(self, exc: stripe.CardError, amount_minor: int, currency: str) -> ProviderPayment:
        """The failed payment behind a 402; Stripe embeds the PaymentIntent, some fakes only the charge."""
        error = exc.error
        intent = error.payment_intent if error is not None else None
        if intent is not None and getattr(intent, "status", None):
            return _payment_of(intent)
        intent_id = ""
        charge_id = error.charge if error is not None else None
        if charge_id:
            charge = await self._call(self._client.v1.charges.retrieve, charge_id, {}, {})
            intent_id = _id_of(charge.payment_intent)
        code = _failure_code(error.code if error else exc.code, error.decline_code if error else None)
        return ProviderPayment(
            id=intent_id,
            status="failed",
            amount_minor=amount_minor,
            currency=currency,
            failure_code=code,
            failure_message=(error.message if error else None) or exc.user_message or "",
        )

    async def _call(self, method: Callable[..., T], *args: Any) -> T:
        """Runs one SDK call off the event loop; transport and server failures become ProviderUnavailable."""
        try:
            return await asyncio.to_thread(method, *args)
        except stripe.IdempotencyError as exc:
            raise IdempotencyMismatch.for_field(
                "request_id", "this idempotency key was already used for a different payment request"
            ) from exc
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
            raise ProviderUnavailable(f"the payment provider is unavailable: {exc.user_message or exc}") from exc
        except (stripe.AuthenticationError, stripe.PermissionError) as exc:
            raise ProviderUnavailable("the payment provider rejected this platform's credentials") from exc


def _check_request(amount_minor: int, currency: str, idempotency_key: str) -> None:
    check_amount(amount_minor)
    check_currency(currency)
    check_idempotency_key(idempotency_key)


def _metadata(metadata: Mapping[str, str], customer_ref: str) -> dict[str, str]:
    return {**metadata, CUSTOMER_REF_METADATA: customer_ref} if customer_ref else dict(metadata)


def _failure_code(code: str | None, decline_code: str | None) -> str:
    if decline_code and decline_code != _GENERIC_DECLINE:
        return decline_code
    return code or "card_declined"


def _id_of(reference: object) -> str:
    """An expandable field's id, whether Stripe sent the id or the expanded object."""
    if isinstance(reference, str):
        return reference
    value = getattr(reference, "id", "")
    return value if isinstance(value, str) else ""


def _payment_of(intent: stripe.PaymentIntent) -> ProviderPayment:
    status: PaymentOutcome
    failure_code = failure_message = client_secret = ""
    if intent.status == "succeeded":
        status = "succeeded"
    elif intent.status == "requires_action":
        status = "requires_action"
        client_secret = intent.client_secret or ""
    elif intent.status in ("requires_payment_method", "canceled"):
        status = "failed"
        error = intent.last_payment_error
        failure_code = _failure_code(error.code, error.decline_code) if error else str(intent.status)
        failure_message = (error.message if error else None) or ""
    else:  # processing, requires_capture, requires_confirmation: settled later by a webhook
        status = "pending"
    return ProviderPayment(
        id=intent.id,
        status=status,
        amount_minor=intent.amount,
        currency=intent.currency.upper(),
        failure_code=failure_code,
        failure_message=failure_message,
        client_secret=client_secret,
    )


def _refund_of(refund: stripe.Refund) -> ProviderRefund:
    return ProviderRefund(
        id=refund.id, status=_REFUND_STATUSES.get(refund.status or "", "pending"), amount_minor=refund.amount
    )


def _checked_replay(refund: stripe.Refund, amount_minor: int) -> ProviderRefund:
    if refund.amount != amount_minor:
        raise IdempotencyMismatch.for_field(
            "request_id", "this idempotency key was used for a refund of another amount"
        )
    return _refund_of(refund)


def _not_captured(payment_id: str) -> RefundRefused:
    return RefundRefused(
        f"payment {payment_id} captured nothing to refund", reason=REASON_PAYMENT_NOT_CAPTURED, subject=payment_id
    )
