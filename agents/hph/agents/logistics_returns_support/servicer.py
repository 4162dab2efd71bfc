"""LogisticsReturnsSupportService over gRPC: checks the request, reads the order, its shipments,
its returns so far and its products over the services' APIs, and answers with the decision core's
verdict, refund estimate, next steps and explanation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import logistics_returns_support_service_pb2 as pb
from holidaypeak.agents.v1 import logistics_returns_support_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import order_pb2, return_pb2
from hph.agents.logistics_returns_support import decisions
from hph.agents.logistics_returns_support.decisions import Ineligible, Order, OrderLine, Verdict
from hph.agents.logistics_returns_support.policy import Condition, ReturnPolicy, load_policy
from hph.agents.logistics_returns_support.sources import Delivery, PlatformReads
from hph.agents.runtime import Driver, data_freshness, explanation, narrate_if_asked
from hph.commerce import identifiers
from hph.commerce.clients import CatalogClient
from hph.commerce.identifiers import PRODUCT_ID, PRODUCT_ID_HINT
from hph.runtime import validation
from hph.runtime.clock import Clock, to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import DomainError, NotFound, Violations
from hph.runtime.money import to_major, to_minor
from hph.runtime.narrator import Narrator
from hph.runtime.rpc.call_context import require_owner
from hph.runtime.server import ServiceBinding

log = logging.getLogger("hph.agents.logistics_returns_support")

# The agent keeps nothing: it reads the services on each request.
CONTAINERS = ()
MAX_ITEMS = 100
SOURCES = ("rpc:OrderService.GetOrder", "rpc:ReturnService.ListAllReturns", "rpc:CatalogService.GetProduct")
SHIPMENTS_SOURCE = "rpc:ShipmentService.ListShipments"
_ORDER_STATUS_PREFIX = "ORDER_STATUS_"

REASONS: Mapping[int, str] = {
    return_pb2.RETURN_REASON_UNSPECIFIED: "no_longer_needed",
    return_pb2.RETURN_REASON_DAMAGED: "damaged",
    return_pb2.RETURN_REASON_DEFECTIVE: "defective",
    return_pb2.RETURN_REASON_WRONG_ITEM: "wrong_item",
    return_pb2.RETURN_REASON_NOT_AS_DESCRIBED: "not_as_described",
    return_pb2.RETURN_REASON_SIZE_OR_FIT: "size_or_fit",
    return_pb2.RETURN_REASON_ARRIVED_LATE: "arrived_late",
    return_pb2.RETURN_REASON_NO_LONGER_NEEDED: "no_longer_needed",
    return_pb2.RETURN_REASON_OTHER: "other",
}
CONDITIONS: Mapping[int, Condition] = {
    pb.ITEM_CONDITION_UNSPECIFIED: Condition.OPENED,
    pb.ITEM_CONDITION_UNOPENED: Condition.UNOPENED,
    pb.ITEM_CONDITION_OPENED: Condition.OPENED,
    pb.ITEM_CONDITION_USED: Condition.USED,
    pb.ITEM_CONDITION_DAMAGED: Condition.DAMAGED,
}
INELIGIBLE_TO_PB: Mapping[Ineligible, pb.IneligibilityReason] = {
    Ineligible.NOT_DELIVERED: pb.INELIGIBILITY_REASON_NOT_DELIVERED,
    Ineligible.WINDOW_CLOSED: pb.INELIGIBILITY_REASON_WINDOW_CLOSED,
    Ineligible.FINAL_SALE: pb.INELIGIBILITY_REASON_FINAL_SALE,
    Ineligible.CATEGORY_EXCLUDED: pb.INELIGIBILITY_REASON_CATEGORY_EXCLUDED,
    Ineligible.CONDITION: pb.INELIGIBILITY_REASON_CONDITION,
    Ineligible.ALREADY_RETURNED: pb.INELIGIBILITY_REASON_ALREADY_RETURNED,
}


class ReturnsSupportServicer(pb_grpc.LogisticsReturnsSupportServiceServicer):
    def __init__(
        self,
        policy: ReturnPolicy,
        reads: PlatformReads,
        catalog: CatalogClient,
        clock: Clock,
        window_days: int,
        narrator: Narrator | None = None,
    ) -> None:
        self._policy = policy
        self._reads = reads
        self._catalog = catalog
        self._clock = clock
        self._window_days = window_days
        self._narrator = narrator or Narrator.off()

    async def CheckReturnEligibility(
        self, request: pb.CheckReturnEligibilityRequest, context: Any
    ) -> pb.CheckReturnEligibilityResponse:
        wanted = _check_request(request)
        found = await self._reads.order(request.order_id)
        if found is None:
            raise NotFound(f"order {request.order_id!r} not found")
        require_owner(found.user_id, resource="order", hide_existence=True)
        _check_against_order(wanted, found)
        claimed, delivery, products = await asyncio.gather(
            self._reads.claimed(found.id),
            self._delivery(found.id),
            self._catalog.products(item.product_id for item in found.items),
        )
        order = _order(found, {p: (prod.category_id, frozenset(prod.tags)) for p, prod in products.items()})
        now = self._clock()
        verdict = decisions.decide(
            order,
            wanted,
            claimed,
            now=now,
            window_days=self._window_days,
            reason=REASONS.get(request.reason, "other"),
            condition=CONDITIONS.get(request.condition, Condition.OPENED),
            policy=self._policy,
        )
        sources = [*SOURCES, f"policy:{self._policy.version}"]
        drivers = list(verdict.drivers)
        if delivery is not None:
            sources.insert(2, SHIPMENTS_SOURCE)
            drivers.append(
                Driver(
                    "shipments_delivered",
                    delivery.delivered,
                    f"{delivery.delivered} of {delivery.shipments} shipment(s) delivered; the window runs from "
                    "the order's delivery date",
                    threshold=delivery.shipments,
                    unit="shipments",
                )
            )
        response = _response(verdict, order.currency_code)
        response.explanation.CopyFrom(
            explanation(
                verdict.summary,
                drivers,
                method=f"{decisions.METHOD}+{self._policy.version}",
                freshness=data_freshness(now, data_as_of=now, sources=sources, degraded=delivery is None),
            )
        )
        await narrate_if_asked(self._narrator, response, context, subject="return eligibility")
        return response

    async def _delivery(self, order_id: str) -> Delivery | None:
        """The shipments add context only, so the answer goes on (degraded) without them."""
        try:
            return await self._reads.delivery(order_id)
        except DomainError as exc:
            log.warning("shipments of order %s unreadable, answering without them: %s", order_id, exc)
            return None


def _check_request(request: pb.CheckReturnEligibilityRequest) -> dict[str, int] | None:
    violations = Violations()
    identifiers.check_order_id(violations, request.order_id)
    violations.check(len(request.items) <= MAX_ITEMS, "items", f"at most {MAX_ITEMS} items")
    violations.check(request.reason in REASONS, "reason", f"{request.reason} is not a ReturnReason")
    violations.check(request.condition in CONDITIONS, "condition", f"{request.condition} is not an ItemCondition")
    wanted: dict[str, int] = {}
    for index, item in enumerate(request.items):
        at = f"items[{index}]"
        if violations.check(bool(item.product_id), f"{at}.product_id", "is required"):
            validation.identifier(violations, f"{at}.product_id", item.product_id, PRODUCT_ID, PRODUCT_ID_HINT)
        violations.check(item.product_id not in wanted, f"{at}.product_id", "is listed twice")
        violations.check(item.quantity >= 1, f"{at}.quantity", "must be at least 1")
        wanted[item.product_id] = item.quantity
    violations.raise_if_any()
    return wanted or None


def _check_against_order(wanted: dict[str, int] | None, order: order_pb2.Order) -> None:
    if wanted is None:
        return
    ordered: dict[str, int] = {}
    for item in order.items:
        ordered[item.product_id] = ordered.get(item.product_id, 0) + item.quantity
    violations = Violations()
    for index, (product_id, quantity) in enumerate(wanted.items()):
        if violations.check(product_id in ordered, f"items[{index}].product_id", f"is not on order {order.id}"):
            violations.check(
                quantity <= ordered[product_id],
                f"items[{index}].quantity",
                f"must be at most the {ordered[product_id]} unit(s) ordered",
            )
    violations.raise_if_any()


def _order(found: order_pb2.Order, products: Mapping[str, tuple[str, frozenset[str]]]) -> Order:
    currency = found.currency_code
    lines: dict[str, OrderLine] = {}
    for item in found.items:
        category, tags = products.get(item.product_id, ("", frozenset()))
        known = lines.get(item.product_id)
        quantity = item.quantity + (known.ordered if known else 0)
        lines[item.product_id] = OrderLine(
            item.product_id, quantity, to_minor(item.unit_price, currency), category_id=category, tags=tags
        )
    return Order(
        order_id=found.id,
        status=order_pb2.OrderStatus.Name(found.status).removeprefix(_ORDER_STATUS_PREFIX).lower(),
        delivered_at=found.delivered_at.ToDatetime(tzinfo=UTC) if found.HasField("delivered_at") else None,
        currency_code=currency,
        subtotal_minor=found.subtotal_minor or to_minor(found.subtotal, currency),
        shipping_minor=found.shipping_minor or to_minor(found.shipping, currency),
        tax_minor=found.tax_minor or to_minor(found.tax, currency),
        lines=list(lines.values()),
    )


def money(minor: int, currency: str) -> agent_types_pb2.Money:
    return agent_types_pb2.Money(currency_code=currency, amount_minor=minor, amount=to_major(minor, currency))


def _response(verdict: Verdict, currency: str) -> pb.CheckReturnEligibilityResponse:
    estimate = verdict.estimate
    order = verdict.order
    return pb.CheckReturnEligibilityResponse(
        order_id=order.order_id,
        eligible=verdict.eligible,
        lines=[
            pb.ReturnLineEligibility(
                product_id=line.product_id,
                quantity=line.quantity,
                returnable_quantity=line.returnable,
                eligible=line.eligible,
                ineligibility_reason=INELIGIBLE_TO_PB[line.reason]
                if line.reason is not None
                else pb.INELIGIBILITY_REASON_UNSPECIFIED,
                message=line.message,
                item_refund=money(line.item_refund_minor, currency),
                restocking_fee=money(line.restocking_fee_minor, currency),
            )
            for line in verdict.lines
        ],
        delivered_at=to_timestamp(order.delivered_at) if order.delivered_at is not None else None,
        window_closes_at=to_timestamp(verdict.window_closes_at) if verdict.window_closes_at is not None else None,
        refund=pb.RefundEstimate(
            items=money(estimate.items_minor, currency),
            tax=money(estimate.tax_minor, currency),
            shipping=money(estimate.shipping_minor, currency),
            restocking_fees=money(estimate.restocking_fees_minor, currency),
            return_shipping_fee=money(estimate.return_shipping_fee_minor, currency),
            total=money(estimate.total_minor, currency),
        ),
        next_steps=[
            agent_types_pb2.SuggestedAction(code=code, description=text, priority=index + 1, target_id=order.order_id)
            for index, (code, text) in enumerate(verdict.next_steps)
        ],
    )


async def create_binding(deps: Dependencies) -> ServiceBinding:
    servicer = ReturnsSupportServicer(
        load_policy(deps.settings.returns_policy_path),
        PlatformReads(deps.channels, deps.service_credentials),
        CatalogClient(deps.channels),
        deps.clock,
        deps.settings.return_window_days,
        deps.narrator,
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["LogisticsReturnsSupportService"].full_name,
        add_to_server=lambda server: pb_grpc.add_LogisticsReturnsSupportServiceServicer_to_server(servicer, server),
    )
