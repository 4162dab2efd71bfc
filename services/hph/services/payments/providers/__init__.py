"""Payment providers: the port the payments service charges through, and its adapters.

`offline` (embedded default) simulates Stripe's test cards with durable idempotency in the document
store; `stripe_adapter.StripePaymentProvider` talks to Stripe. The Stripe adapter is not re-exported
here so that importing the port does not import the `stripe` SDK (a third of a second) on embedded
runs: import it from `hph.services.payments.providers.stripe_adapter` when Stripe is configured.
`webhooks` verifies Stripe's webhook signatures and deduplicates events.
"""

from hph.services.payments.providers.offline import OfflinePaymentProvider
from hph.services.payments.providers.port import (
    IdempotencyMismatch,
    PaymentOutcome,
    PaymentProvider,
    ProviderIntent,
    ProviderPayment,
    ProviderRefund,
    ProviderUnavailable,
    RefundOutcome,
    RefundRefused,
)
from hph.services.payments.providers.webhooks import (
    WebhookDeduplicator,
    WebhookEvent,
    WebhookSignatureInvalid,
    sign_stripe_payload,
    verify_stripe_webhook,
)

__all__ = [
    "IdempotencyMismatch",
    "OfflinePaymentProvider",
    "PaymentOutcome",
    "PaymentProvider",
    "ProviderIntent",
    "ProviderPayment",
    "ProviderRefund",
    "ProviderUnavailable",
    "RefundOutcome",
    "RefundRefused",
    "WebhookDeduplicator",
    "WebhookEvent",
    "WebhookSignatureInvalid",
    "sign_stripe_payload",
    "verify_stripe_webhook",
]
