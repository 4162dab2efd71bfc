"""Payment and refund documents -> wire messages and event envelopes.

Documents keep integer minor units and lower-case statuses; the wire gets major units and enums.
The client secret of a payment that needs the customer's action is only put on the wire for its
owner (`with_secret`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from holidaypeak.commerce.v1 import payment_method_pb2, payment_pb2, refund_pb2
from holidaypeak.events.v1 import payment_events_pb2
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.events import resource_event
from hph.runtime.money import to_major
from hph.services.payments import rules

SOURCE = "payments"

PAYMENT_STATUS: dict[str, int] = {
    rules.PENDING: payment_pb2.PAYMENT_STATUS_PENDING,
    rules.REQUIRES_ACTION: payment_pb2.PAYMENT_STATUS_REQUIRES_ACTION,
    rules.SUCCEEDED: payment_pb2.PAYMENT_STATUS_SUCCEEDED,
    rules.FAILED: payment_pb2.PAYMENT_STATUS_FAILED,
    rules.REFUNDED: payment_pb2.PAYMENT_STATUS_REFUNDED,
    rules.PARTIALLY_REFUNDED: payment_pb2.PAYMENT_STATUS_PARTIALLY_REFUNDED,
}
STATUS_NAME: dict[int, str] = {wire: name for name, wire in PAYMENT_STATUS.items()}
REFUND_STATUS: dict[str, int] = {
    rules.REFUND_PENDING: refund_pb2.REFUND_STATUS_PENDING,
    rules.REFUND_SUCCEEDED: refund_pb2.REFUND_STATUS_SUCCEEDED,
    rules.REFUND_FAILED: refund_pb2.REFUND_STATUS_FAILED,
}
PROVIDER: dict[str, int] = {
    "offline": payment_method_pb2.PAYMENT_PROVIDER_SIMULATOR,
    "stripe": payment_method_pb2.PAYMENT_PROVIDER_STRIPE,
}


def payment_message(doc: Mapping[str, Any], *, with_secret: bool = False) -> payment_pb2.Payment:
    currency = doc["currency"]
    secret = doc.get("client_secret", "") if with_secret and doc["status"] == rules.REQUIRES_ACTION else ""
    return payment_pb2.Payment(
        id=doc["id"],
        order_id=doc["order_id"],
        user_id=doc["user_id"],
        amount=to_major(doc["amount_minor"], currency),
        currency_code=currency,
        status=PAYMENT_STATUS[doc["status"]],  # type: ignore[arg-type]
        transaction_id=doc.get("transaction_id", ""),
        failure_code=doc.get("failure_code", "") if doc["status"] == rules.FAILED else "",
        failure_message=doc.get("failure_message", "") if doc["status"] == rules.FAILED else "",
        amount_refunded=to_major(doc.get("amount_refunded_minor", 0), currency),
        provider=PROVIDER.get(doc["provider"], payment_method_pb2.PAYMENT_PROVIDER_UNSPECIFIED),  # type: ignore[arg-type]
        payment_method_id=doc.get("payment_method_id", ""),
        card_brand=doc.get("card_brand", ""),
        card_last4=doc.get("card_last4", ""),
        created_at=clocks.to_timestamp(doc.get("created_at")),
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        succeeded_at=clocks.to_timestamp(doc.get("succeeded_at")),
        client_secret=secret,
        amount_minor=doc["amount_minor"],
        amount_refunded_minor=doc.get("amount_refunded_minor", 0),
    )


def refund_message(payment: Mapping[str, Any], refund: Mapping[str, Any]) -> refund_pb2.Refund:
    currency = payment["currency"]
    return refund_pb2.Refund(
        id=refund["id"],
        payment_id=payment["id"],
        order_id=payment["order_id"],
        user_id=payment["user_id"],
        amount=to_major(refund["amount_minor"], currency),
        currency_code=currency,
        status=REFUND_STATUS[refund["status"]],  # type: ignore[arg-type]
        reason=refund["reason"],
        return_id=refund.get("return_id", ""),
        transaction_id=refund.get("transaction_id", ""),
        failure_message=refund.get("failure_message", ""),
        requested_by=refund.get("requested_by", ""),
        created_at=clocks.to_timestamp(refund.get("created_at")),
        updated_at=clocks.to_timestamp(refund.get("updated_at")),
        amount_minor=refund["amount_minor"],
    )


# --- events --------------------------------------------------------------------------------------


def _envelope(payload: Any, doc: Mapping[str, Any], clock: Clock, correlation_id: str) -> EventEnvelope:
    return resource_event(
        payload,
        source=SOURCE,
        collection="payments",
        resource_id=doc["id"],
        partition_key=doc["order_id"],  # a payment's events stay in order with its order's
        correlation_id=correlation_id,
        clock=clock,
    )


def outcome_event(doc: Mapping[str, Any], *, clock: Clock, correlation_id: str = "") -> EventEnvelope | None:
    """PaymentSucceeded, or PaymentFailed (action_required for a pending customer step); None otherwise."""
    status = doc["status"]
    if status == rules.SUCCEEDED:
        payload: Any = payment_events_pb2.PaymentSucceeded(
            payment_id=doc["id"],
            order_id=doc["order_id"],
            user_id=doc["user_id"],
            amount_minor=doc["amount_minor"],
            currency_code=doc["currency"],
            provider=doc["provider"],
            transaction_id=doc.get("transaction_id", ""),
            card_brand=doc.get("card_brand", ""),
        )
    elif status in (rules.FAILED, rules.REQUIRES_ACTION):
        payload = payment_events_pb2.PaymentFailed(
            payment_id=doc["id"],
            order_id=doc["order_id"],
            user_id=doc["user_id"],
            amount_minor=doc["amount_minor"],
            currency_code=doc["currency"],
            provider=doc["provider"],
            failure_code=doc.get("failure_code", "") or ("authentication_required" if status != rules.FAILED else ""),
            failure_message=doc.get("failure_message", ""),
            action_required=status == rules.REQUIRES_ACTION,
        )
    else:
        return None
    return _envelope(payload, doc, clock, correlation_id)


def refund_issued_event(
    payment: Mapping[str, Any], refund: Mapping[str, Any], *, clock: Clock, correlation_id: str = ""
) -> EventEnvelope:
    payload = payment_events_pb2.RefundIssued(
        refund_id=refund["id"],
        payment_id=payment["id"],
        order_id=payment["order_id"],
        user_id=payment["user_id"],
        return_id=refund.get("return_id", ""),
        amount_minor=refund["amount_minor"],
        total_refunded_minor=payment["amount_refunded_minor"],
        currency_code=payment["currency"],
        reason=refund["reason"],
        transaction_id=refund.get("transaction_id", ""),
    )
    return _envelope(payload, payment, clock, correlation_id)
