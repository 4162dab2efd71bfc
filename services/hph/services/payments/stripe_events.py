"""Stripe webhook events: verified on the raw body, handled once per event id, applied idempotently.

- `payment_intent.succeeded` / `payment_intent.payment_failed`: the payment whose provider id is the
  intent (found through the `payment_id` metadata we sent, else by transaction id) takes the
  outcome, with the same follow-ups as a synchronous charge (see `charging`).
- `refund.updated` / `refund.failed` / `charge.refund.updated`: a pending refund takes its outcome.
- Any other type is acknowledged and ignored; so is an event about a payment we do not know.

A handling failure forgets the event id again and fails the call, so Stripe's next delivery is
processed instead of being dropped as a duplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.errors import FailedPrecondition
from hph.runtime.storage import Document
from hph.services.payments import rules
from hph.services.payments.charging import Charger
from hph.services.payments.ledger import PaymentLedger
from hph.services.payments.providers import (
    ProviderPayment,
    RefundOutcome,
    WebhookDeduplicator,
    WebhookEvent,
    verify_stripe_webhook,
)
from hph.services.payments.refunds import Refunder

log = logging.getLogger("hph.payments")

INTENT_SUCCEEDED = "payment_intent.succeeded"
INTENT_FAILED = "payment_intent.payment_failed"
REFUND_EVENTS = frozenset({"refund.updated", "refund.failed", "charge.refund.updated"})
_REFUND_OUTCOMES: dict[str, RefundOutcome] = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}


@dataclass(frozen=True)
class WebhookReceipt:
    event_id: str
    event_type: str
    duplicate: bool


class StripeWebhooks:
    def __init__(
        self,
        secret: str,
        dedup: WebhookDeduplicator,
        ledger: PaymentLedger,
        charger: Charger,
        refunder: Refunder,
    ) -> None:
        self._secret = secret
        self._dedup = dedup
        self._ledger = ledger
        self._charger = charger
        self._refunder = refunder

    async def receive(self, raw_body: bytes, signature: str) -> WebhookReceipt:
        if not self._secret:
            raise FailedPrecondition(
                "webhooks not configured: set HPH_STRIPE_WEBHOOK_SECRET to the endpoint's signing secret",
                subject="webhooks/stripe",
                reason=ErrorReason.ERROR_REASON_WEBHOOKS_NOT_CONFIGURED,
            )
        event = verify_stripe_webhook(raw_body, signature, self._secret)
        if not await self._dedup.first_time(event.id, event_type=event.type):
            return WebhookReceipt(event.id, event.type, duplicate=True)
        try:
            await self._dispatch(event)
        except BaseException:
            await self._dedup.forget(event.id)
            raise
        return WebhookReceipt(event.id, event.type, duplicate=False)

    async def _dispatch(self, event: WebhookEvent) -> None:
        if event.type in (INTENT_SUCCEEDED, INTENT_FAILED):
            payment = await self._payment_of_intent(event.object_id, event.data)
            if payment is None:
                log.info("stripe event %s (%s) is about no payment of ours", event.id, event.type)
                return
            await self._charger.settle(payment, _intent_outcome(event, payment))
        elif event.type in REFUND_EVENTS:
            await self._settle_refund(event)

    async def _payment_of_intent(self, intent_id: str, data: Mapping[str, Any]) -> Document | None:
        metadata = data.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        payment_id, user_id = metadata.get("payment_id"), metadata.get("user_id")
        if isinstance(payment_id, str) and rules.is_payment_id(payment_id) and isinstance(user_id, str) and user_id:
            payment = await self._ledger.get(payment_id, user_id)
            # The metadata is only a hint: the intent must be the one the payment sent (or is sending).
            if payment is not None and payment["transaction_id"] in ("", intent_id):
                return payment
        return await self._ledger.find_by_transaction(intent_id) if intent_id else None

    async def _settle_refund(self, event: WebhookEvent) -> None:
        outcome = _REFUND_OUTCOMES.get(str(event.data.get("status", "")))
        intent_id = event.data.get("payment_intent")
        if outcome is None or not isinstance(intent_id, str) or not intent_id:
            return  # still pending at the provider, or not a refund of a payment intent
        payment = await self._ledger.find_by_transaction(intent_id)
        record = rules.find_refund(payment, transaction_id=event.object_id) if payment is not None else None
        if payment is None or record is None:
            log.info("stripe event %s (%s) is about no refund of ours", event.id, event.type)
            return
        failure = str(event.data.get("failure_reason") or "") if outcome == "failed" else ""
        await self._refunder.settle(payment, record["id"], outcome, failure_message=failure)


def _intent_outcome(event: WebhookEvent, payment: Document) -> ProviderPayment:
    if event.type == INTENT_SUCCEEDED:
        return ProviderPayment(
            id=event.object_id,
            status="succeeded",
            amount_minor=payment["amount_minor"],
            currency=payment["currency"],
        )
    error = event.data.get("last_payment_error")
    error = error if isinstance(error, dict) else {}
    code = error.get("decline_code") or error.get("code") or "card_declined"
    return ProviderPayment(
        id=event.object_id,
        status="failed",
        amount_minor=payment["amount_minor"],
        currency=payment["currency"],
        failure_code=str(code),
        failure_message=str(error.get("message") or ""),
    )
