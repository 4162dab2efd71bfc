"""CheckoutService over gRPC: checks and prices a cart before it becomes an order; stores nothing.

ValidateCheckout answers business problems as errors/warnings (valid=false), never as an RPC error;
a valid cart also gets the fraud risk CreateOrder will weigh (agent checkout-support, through
hph.commerce.risk_assessment; "checkout-support: <why>" in skipped_checks when it cannot answer);
QuoteCheckout refuses with FAILED_PRECONDITION (the first error's reason, every message). Both gather
their inputs through `sources` and price with `rules.assess`, exactly as CreateOrder does. Both ask
agent logistics-eta-computation for the shipping options' delivery windows to the destination
(hph.commerce.delivery_windows); without its answer the shipping table's day counts stand, each
option's window_source says "table" and skipped_checks says why.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from holidaypeak.commerce.v1 import checkout_pb2
from holidaypeak.commerce.v1 import checkout_service_pb2 as pb
from holidaypeak.commerce.v1 import checkout_service_pb2_grpc as pb_grpc
from hph.commerce.delivery_windows import TABLE_SOURCE, DeliveryWindows, Windows
from hph.commerce.pricing import rules
from hph.commerce.pricing.sources import (
    CheckoutSources,
    GatherRequest,
    check_request_fields,
    checkout_sources,
    postal_address,
)
from hph.commerce.pricing.tables import ShippingTable, TaxTable, default_shipping_table, default_tax_table
from hph.commerce.risk_assessment import RiskAssessor, RiskResult
from hph.runtime import clock as clocks
from hph.runtime import money, validation
from hph.runtime.deps import Dependencies
from hph.runtime.errors import Violations
from hph.runtime.rpc.call_context import require_owner, require_subject
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import ContainerSpec
from hph.runtime.storage.port import MAX_ID_LENGTH, is_valid_id

# Checkout keeps nothing: it prices what the cart, catalog, inventory and users services hold.
CONTAINERS: tuple[ContainerSpec, ...] = ()


def issue_message(issue: rules.Issue) -> checkout_pb2.CheckoutIssue:
    return checkout_pb2.CheckoutIssue(
        code=checkout_pb2.CheckoutIssueCode.Value(f"CHECKOUT_ISSUE_CODE_{issue.code.value}"),  # type: ignore[arg-type]
        message=issue.message,
        product_id=issue.product_id,
        field=issue.field,
    )


def option_message(option: rules.OfferedOption, currency: str, window_source: str) -> checkout_pb2.ShippingOption:
    return checkout_pb2.ShippingOption(
        window_source=window_source,
        id=option.option_id,
        name=option.name,
        amount=money.to_major(option.amount_minor, currency),
        currency_code=currency,
        min_delivery_days=option.min_days,
        max_delivery_days=option.max_days,
        earliest_delivery_at=clocks.to_timestamp(option.earliest_delivery_at),
        latest_delivery_at=clocks.to_timestamp(option.latest_delivery_at),
    )


def line_message(line: rules.PricedLine, currency: str) -> checkout_pb2.CheckoutLine:
    return checkout_pb2.CheckoutLine(
        product_id=line.product_id,
        name=line.name,
        quantity=line.quantity,
        unit_price=money.to_major(line.unit_price_minor, currency),
        line_total=money.to_major(line.line_total_minor, currency),
        image_url=line.image_url,
    )


def _on_behalf_of(user_id: str) -> str:
    """ "" for the caller's own cart, else the named user (staff only: PERMISSION_DENIED otherwise)."""
    violations = Violations()
    validation.text(violations, "user_id", user_id, max_length=MAX_ID_LENGTH)
    # The cart service refuses what cannot be a user id: refused here, it is the caller's mistake
    # (INVALID_ARGUMENT), not a cart service that "could not answer".
    violations.check(not user_id or is_valid_id(user_id), "user_id", "is not a user id")
    violations.raise_if_any()
    if not user_id or user_id == require_subject():
        return ""
    require_owner(user_id, resource="cart")
    return user_id


class CheckoutServicer(pb_grpc.CheckoutServiceServicer):
    def __init__(
        self,
        sources: CheckoutSources,
        shipping: ShippingTable,
        taxes: TaxTable,
        risk: RiskAssessor | None = None,
        windows: DeliveryWindows | None = None,
    ) -> None:
        self._risk = risk
        self._windows = windows
        self._sources = sources
        self._shipping = shipping
        self._taxes = taxes

    async def ValidateCheckout(self, request: pb.ValidateCheckoutRequest, context: Any) -> pb.ValidateCheckoutResponse:
        violations = Violations()
        check_request_fields(
            violations,
            address_id=request.shipping_address_id,
            payment_method_id=request.payment_method_id,
            shipping_option=request.shipping_option,
        )
        violations.raise_if_any()
        on_behalf = _on_behalf_of(request.user_id)
        gathered = await self._sources.gather(
            GatherRequest(
                user_id=on_behalf,
                address_id=request.shipping_address_id,
                payment_method_id=request.payment_method_id,
                shipping_option=request.shipping_option,
            )
        )
        result = rules.assess(gathered.checkout, self._shipping, self._taxes)
        currency = result.currency_code
        # The risk assessment and the delivery windows are independent: asked at once, one deadline.
        risk, windows = await asyncio.gather(
            self._risk.assess(
                user_id=on_behalf or require_subject(),
                amount_minor=result.total_minor,
                currency_code=currency,
                payment_method_id=request.payment_method_id,
                shipping_address_id=request.shipping_address_id,
            )
            if result.valid and self._risk is not None
            else _no_risk(),
            self._delivery_windows(result, gathered.checkout.now),
        )
        return pb.ValidateCheckoutResponse(
            risk_assessment=(
                pb.CheckoutRiskAssessment(
                    decision=risk.decision,
                    risk_score=risk.answer.risk_score,
                    summary=risk.summary,
                    drivers=risk.drivers(),
                )
                if risk.answer is not None
                else None
            ),
            skipped_checks=[*risk.skipped, *windows.skipped],
            valid=result.valid,
            errors=[issue_message(i) for i in result.errors],
            warnings=[issue_message(i) for i in result.warnings],
            subtotal=money.to_major(result.subtotal_minor, currency),
            estimated_shipping=money.to_major(result.shipping_minor, currency),
            estimated_tax=money.to_major(result.tax_minor, currency),
            estimated_total=money.to_major(result.total_minor, currency),
            currency_code=currency,
            shipping_options=[option_message(o, currency, windows.sources[o.option_id]) for o in windows.options],
            shipping_option=result.selected.option_id if result.selected else "",
            subtotal_minor=result.subtotal_minor,
            estimated_shipping_minor=result.shipping_minor,
            estimated_tax_minor=result.tax_minor,
            estimated_total_minor=result.total_minor,
        )

    async def QuoteCheckout(self, request: pb.QuoteCheckoutRequest, context: Any) -> pb.QuoteCheckoutResponse:
        violations = Violations()
        check_request_fields(
            violations, address_id=request.shipping_address_id, shipping_option=request.shipping_option
        )
        violations.raise_if_any()
        gathered = await self._sources.gather(
            GatherRequest(
                user_id=_on_behalf_of(request.user_id),
                address_id=request.shipping_address_id,
                shipping_option=request.shipping_option,
                check_payment=False,
                strict=True,
            )
        )
        result = rules.assess(gathered.checkout, self._shipping, self._taxes)
        if result.errors:
            raise rules.refusal(result.errors)
        currency = result.currency_code
        windows = await self._delivery_windows(result, gathered.checkout.now)
        offered = {o.option_id: o for o in windows.options}
        selected = offered[result.selected.option_id] if result.selected else None
        return pb.QuoteCheckoutResponse(
            lines=[line_message(line, currency) for line in result.lines],
            subtotal=money.to_major(result.subtotal_minor, currency),
            shipping=money.to_major(result.shipping_minor, currency),
            tax=money.to_major(result.tax_minor, currency),
            total=money.to_major(result.total_minor, currency),
            currency_code=currency,
            selected_shipping_option=(
                option_message(selected, currency, windows.sources[selected.option_id]) if selected else None
            ),
            shipping_options=[option_message(o, currency, windows.sources[o.option_id]) for o in windows.options],
            shipping_address=postal_address(gathered.address) if gathered.address else None,
            warnings=[issue_message(i) for i in result.warnings],
            quoted_at=clocks.to_timestamp(gathered.checkout.now),
            subtotal_minor=result.subtotal_minor,
            shipping_minor=result.shipping_minor,
            tax_minor=result.tax_minor,
            total_minor=result.total_minor,
            skipped_checks=windows.skipped,
        )

    async def _delivery_windows(self, result: rules.Assessment, now: datetime) -> Windows:
        if self._windows is None or not result.options:
            return Windows(result.options, {o.option_id: TABLE_SOURCE for o in result.options})
        return await self._windows.windows(result.options, result.destination, now)


async def _no_risk() -> RiskResult:
    return RiskResult()


async def create_binding(deps: Dependencies) -> ServiceBinding:
    servicer = CheckoutServicer(
        checkout_sources(deps), default_shipping_table(), default_tax_table(), RiskAssessor(deps), DeliveryWindows(deps)
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["CheckoutService"].full_name,
        add_to_server=lambda server: pb_grpc.add_CheckoutServiceServicer_to_server(servicer, server),
    )
