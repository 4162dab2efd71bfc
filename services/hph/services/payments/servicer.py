"""PaymentService over gRPC: checks requests, then hands them to charging, refunds and webhooks.

Containers: "payments" (partition key "/id"; payments with their refunds, their outbox records and
per-order claims, see `ledger`), the offline simulator's "payment_simulator" and the webhook
deduplication's "stripe_webhook_events". The provider is chosen by `payment_provider` ("offline" or
"stripe"). The service consumes "order-events" as group "payments" to refund cancelled paid orders.
"""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

from holidaypeak.commerce.v1 import payment_pb2, refund_pb2
from holidaypeak.commerce.v1 import payment_service_pb2 as pb
from holidaypeak.commerce.v1 import payment_service_pb2_grpc as pb_grpc
from hph.runtime import clock as clocks
from hph.runtime import validation
from hph.runtime.auth.principal import ROLE_STAFF
from hph.runtime.deps import Dependencies
from hph.runtime.errors import InvalidArgument, NotFound, Violations
from hph.runtime.money import to_major
from hph.runtime.rpc.call_context import (
    current_principal,
    idempotency_key,
    require_owner,
    require_subject,
)
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import And, ContainerSpec, Document, Eq, Ge, In, Lt, Term
from hph.services.payments import rules
from hph.services.payments.charging import Charger, ChargeRequest
from hph.services.payments.ledger import CONTAINER, PARTITION_KEY_PATH, PaymentLedger
from hph.services.payments.messages import PROVIDER, STATUS_NAME, payment_message, refund_message
from hph.services.payments.order_cancellations import CancelledOrderRefunds
from hph.services.payments.orders_client import OrdersClient, ReservationsClient
from hph.services.payments.payment_methods_client import PaymentMethodsClient
from hph.services.payments.providers import OfflinePaymentProvider, PaymentProvider, WebhookDeduplicator
from hph.services.payments.providers import offline as offline_provider
from hph.services.payments.providers import webhooks as stripe_webhooks
from hph.services.payments.recovery import AbandonedPaymentSweeper
from hph.services.payments.refunds import Refunder
from hph.services.payments.stripe_events import StripeWebhooks

# What this service keeps (the host creates these and registers the payments' outbox with the
# relay): payments, the offline provider's simulated charges, the Stripe webhook deliveries seen.
CONTAINERS = (
    ContainerSpec(CONTAINER, PARTITION_KEY_PATH, outbox=True),
    ContainerSpec(offline_provider.CONTAINER, offline_provider.PARTITION_KEY_PATH),
    ContainerSpec(stripe_webhooks.DEDUP_CONTAINER, stripe_webhooks.DEDUP_PARTITION_KEY_PATH),
)
MAX_WEBHOOK_BYTES = 1_048_576


def _header(context: Any, key: str) -> str:
    for item in context.invocation_metadata() or ():
        if item.key == key:
            value = item.value
            return value.decode() if isinstance(value, bytes) else str(value)
    return ""


def _is_owner(doc: Document) -> bool:
    return bool(current_principal().subject) and current_principal().subject == doc["user_id"]


class PaymentServicer(pb_grpc.PaymentServiceServicer):
    def __init__(
        self,
        ledger: PaymentLedger,
        charger: Charger,
        refunder: Refunder,
        webhooks: StripeWebhooks,
    ) -> None:
        self._ledger = ledger
        self._charger = charger
        self._refunder = refunder
        self._webhooks = webhooks

    async def CreatePayment(self, request: pb.CreatePaymentRequest, context: Any) -> payment_pb2.Payment:
        violations = Violations()
        rules.check_reference(violations, "order_id", request.order_id)
        rules.check_reference(violations, "payment_method_id", request.payment_method_id)
        amount_minor = request.amount_minor if request.HasField("amount_minor") else None
        if request.amount or amount_minor is None:
            rules.check_positive_amount(violations, "amount", request.amount)
        validation.minor_amount(violations, "amount_minor", amount_minor, minimum=1)
        rules.check_currency(violations, request.currency_code)
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key, required=True)  # it is what makes a retry charge once
        violations.raise_if_any()
        doc = await self._charger.charge(
            ChargeRequest(
                user_id=require_subject(),
                order_id=request.order_id,
                payment_method_id=request.payment_method_id,
                amount=request.amount,
                amount_minor=amount_minor,
                currency_code=request.currency_code,
                idempotency_key=key,
            )
        )
        return payment_message(doc, with_secret=True)

    async def GetPayment(self, request: pb.GetPaymentRequest, context: Any) -> payment_pb2.Payment:
        violations = Violations()
        rules.check_payment_id(violations, request.payment_id)
        violations.raise_if_any()
        doc = await self._visible_payment(request.payment_id)
        return payment_message(doc, with_secret=_is_owner(doc))

    async def ListPayments(self, request: pb.ListPaymentsRequest, context: Any) -> pb.ListPaymentsResponse:
        violations = Violations()
        rules.check_reference(violations, "order_id", request.order_id, required=False)
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        terms: list[Term] = [Eq("order_id", request.order_id)] if request.order_id else []
        page = await self._ledger.page(And(*terms), user_id=require_subject(), page_size=size, continuation=token)
        return pb.ListPaymentsResponse(
            payments=[payment_message(d, with_secret=True) for d in page.items], next_page_token=page.continuation or ""
        )

    async def CreatePaymentIntent(
        self, request: pb.CreatePaymentIntentRequest, context: Any
    ) -> pb.CreatePaymentIntentResponse:
        violations = Violations()
        rules.check_reference(violations, "order_id", request.order_id)
        # One open intent per order makes every call idempotent; a key is accepted but not needed.
        validation.request_id(violations, idempotency_key(request.request_id))
        violations.raise_if_any()
        require_subject()
        doc = await self._charger.open_intent(request.order_id)
        return pb.CreatePaymentIntentResponse(
            payment_id=doc["id"],
            client_secret=doc["client_secret"],
            transaction_id=doc["transaction_id"],
            amount=to_major(doc["amount_minor"], doc["currency"]),
            amount_minor=doc["amount_minor"],
            currency_code=doc["currency"],
            status=payment_message(doc).status,
            provider=PROVIDER[doc["provider"]],  # type: ignore[arg-type]
            publishable_key="",
        )

    async def HandleStripeWebhook(
        self, request: pb.HandleStripeWebhookRequest, context: Any
    ) -> pb.HandleStripeWebhookResponse:
        raw = request.http_body.data
        if not raw:
            raise InvalidArgument.for_field("http_body", "is required: the raw event Stripe sent")
        if len(raw) > MAX_WEBHOOK_BYTES:
            raise InvalidArgument.for_field("http_body", f"must be at most {MAX_WEBHOOK_BYTES} bytes")
        receipt = await self._webhooks.receive(raw, _header(context, stripe_webhooks.SIGNATURE_HEADER))
        return pb.HandleStripeWebhookResponse(
            received=True, duplicate=receipt.duplicate, event_id=receipt.event_id, event_type=receipt.event_type
        )

    async def RefundPayment(self, request: pb.RefundPaymentRequest, context: Any) -> refund_pb2.Refund:
        violations = Violations()
        rules.check_payment_id(violations, request.payment_id)
        rules.check_refund_amount(violations, request.amount)
        amount_minor = request.amount_minor if request.HasField("amount_minor") else None
        validation.minor_amount(violations, "amount_minor", amount_minor)
        rules.check_reason(violations, request.reason)
        rules.check_reference(violations, "return_id", request.return_id, required=False)
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key)
        violations.raise_if_any()
        located = await self._ledger.find(request.payment_id)
        if located is None:
            raise NotFound(f"payment {request.payment_id!r} not found")
        requested = validation.exact_amount(
            located["currency"],
            major=request.amount or None,
            major_field="amount",
            minor=amount_minor,
            minor_field="amount_minor",
        )
        payment, refund = await self._refunder.refund(
            located,
            amount_minor=requested or 0,
            reason=request.reason.strip(),
            return_id=request.return_id,
            # Without a key every call is a new refund (still capped by what remains refundable).
            idempotency_key=key or uuid.uuid4().hex,
            requested_by=require_subject(),
        )
        return refund_message(payment, refund)

    async def ListAllPayments(self, request: pb.ListAllPaymentsRequest, context: Any) -> pb.ListAllPaymentsResponse:
        violations = Violations()
        rules.check_reference(violations, "order_id", request.order_id, required=False)
        rules.check_reference(violations, "user_id", request.user_id, required=False)
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        terms: list[Term] = []
        if request.status:
            # UNSPECIFIED (or an unknown number) matches nothing, as the contract says.
            terms.append(In("status", [STATUS_NAME[s] for s in request.status if s in STATUS_NAME]))
        if request.order_id:
            terms.append(Eq("order_id", request.order_id))
        if request.HasField("created_after"):
            terms.append(Ge("created_at", clocks.to_iso(request.created_after.ToDatetime(tzinfo=UTC))))
        if request.HasField("created_before"):
            terms.append(Lt("created_at", clocks.to_iso(request.created_before.ToDatetime(tzinfo=UTC))))
        # A user's payments are one partition of the container.
        page = await self._ledger.page(And(*terms), user_id=request.user_id or None, page_size=size, continuation=token)
        return pb.ListAllPaymentsResponse(
            payments=[payment_message(d, with_secret=_is_owner(d)) for d in page.items],
            next_page_token=page.continuation or "",
        )

    async def ListRefunds(self, request: pb.ListRefundsRequest, context: Any) -> pb.ListRefundsResponse:
        violations = Violations()
        rules.check_payment_id(violations, request.payment_id)
        size = validation.page_size(violations, "page_size", request.page_size)
        validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        offset = rules.decode_refund_page(request.page_token, request.payment_id)
        payment = await self._ledger.find(request.payment_id)
        if payment is None:
            raise NotFound(f"payment {request.payment_id!r} not found")
        refunds = rules.newest_first(payment["refunds"])
        chunk = refunds[offset : offset + size]
        more = offset + size < len(refunds)
        return pb.ListRefundsResponse(
            refunds=[refund_message(payment, r) for r in chunk],
            next_page_token=rules.encode_refund_page(request.payment_id, offset + size) if more else "",
        )

    async def _visible_payment(self, payment_id: str) -> Document:
        principal = current_principal()
        if principal.has_role(ROLE_STAFF):
            doc = await self._ledger.find(payment_id)
        else:  # a customer can only ever see their own partition
            doc = await self._ledger.get(payment_id, require_subject())
        if doc is None:
            raise NotFound(f"payment {payment_id!r} not found")
        require_owner(doc["user_id"], resource="payment", hide_existence=True)
        return doc


async def open_provider(deps: Dependencies) -> PaymentProvider:
    settings = deps.settings
    if settings.payment_provider == "offline":
        return await OfflinePaymentProvider.open(deps.store, clock=deps.clock)
    if settings.payment_provider == "stripe":
        # Imported here: the SDK is slow to import and embedded runs never need it.
        from hph.services.payments.providers.stripe_adapter import StripePaymentProvider

        return StripePaymentProvider(settings.stripe_api_key, api_base=settings.stripe_api_base or None)
    raise ValueError(f"HPH_PAYMENT_PROVIDER={settings.payment_provider!r}: choose 'offline' or 'stripe'")


async def create_binding(deps: Dependencies) -> ServiceBinding:
    container = await deps.store.container(CONTAINER, PARTITION_KEY_PATH)
    provider = await open_provider(deps)
    ledger = PaymentLedger(container, clock=deps.clock, notify=deps.notify_relay)
    orders = OrdersClient(deps.channels, deps.service_credentials)
    refunder = Refunder(ledger, provider, orders, clock=deps.clock)
    charger = Charger(
        ledger,
        provider,
        orders,
        ReservationsClient(deps.channels, deps.service_credentials),
        PaymentMethodsClient(deps.channels),
        refunder,
        clock=deps.clock,
    )
    dedup = await WebhookDeduplicator.open(deps.store, clock=deps.clock)
    webhooks = StripeWebhooks(deps.settings.stripe_webhook_secret, dedup, ledger, charger, refunder)
    if deps.bus is not None:
        deps.bus.declare(CancelledOrderRefunds(ledger, refunder).consumer_group())
    servicer = PaymentServicer(ledger, charger, refunder, webhooks)
    deps.background.append(AbandonedPaymentSweeper(ledger, charger, clock=deps.clock))
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["PaymentService"].full_name,
        add_to_server=lambda server: pb_grpc.add_PaymentServiceServicer_to_server(servicer, server),
    )
