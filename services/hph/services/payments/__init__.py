"""Payments: owns charging orders through the payment provider, refunds and the provider's webhooks."""
