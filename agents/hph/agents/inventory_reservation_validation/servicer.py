"""InventoryReservationValidationService over gRPC: checks the request, reads live stock and the
shopper's purchases, and answers with the decision core's verdict and its explanation."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from holidaypeak.agents.v1 import inventory_reservation_validation_service_pb2 as pb
from holidaypeak.agents.v1 import inventory_reservation_validation_service_pb2_grpc as pb_grpc
from hph.agents.inventory_reservation_validation import decisions
from hph.agents.inventory_reservation_validation.decisions import LineDecision, LineRequest, Stock
from hph.agents.inventory_reservation_validation.policy import PeakWindow, Policy, load_policy
from hph.agents.inventory_reservation_validation.purchases import (
    CONTAINER,
    GROUP,
    PURCHASES,
    PURCHASES_KEY,
    SOURCE,
    TOPIC,
    HotPurchases,
)
from hph.agents.runtime import data_freshness, explanation, narrate_if_asked
from hph.commerce.clients import InventoryClient
from hph.commerce.identifiers import PRODUCT_ID, PRODUCT_ID_HINT
from hph.runtime import validation
from hph.runtime.clock import Clock, to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.server import ServiceBinding
from hph.runtime.storage.port import MAX_ID_LENGTH

# What this agent keeps (the host creates it): the hot-purchases projection.
CONTAINERS = (CONTAINER,)
MAX_LINES = 100
MAX_QUANTITY = 99
STOCK_SOURCE = "rpc:InventoryService.GetInventoryItem"

DECISION_TO_PB = {
    decisions.Decision.ALLOW: pb.RESERVATION_DECISION_ALLOW,
    decisions.Decision.LIMIT: pb.RESERVATION_DECISION_LIMIT,
    decisions.Decision.PARTIAL: pb.RESERVATION_DECISION_PARTIAL,
    decisions.Decision.BACKORDER: pb.RESERVATION_DECISION_BACKORDER,
    decisions.Decision.REFUSE: pb.RESERVATION_DECISION_REFUSE,
}
FACTOR_TO_PB = {
    decisions.Factor.NONE: pb.LIMITING_FACTOR_NONE,
    decisions.Factor.EFFECTIVE_AVAILABILITY: pb.LIMITING_FACTOR_EFFECTIVE_AVAILABILITY,
    decisions.Factor.PEAK_LIMIT: pb.LIMITING_FACTOR_PEAK_LIMIT,
}
OPTION_TO_PB = {
    decisions.OptionKind.PARTIAL: pb.RESERVATION_OPTION_KIND_PARTIAL,
    decisions.OptionKind.BACKORDER: pb.RESERVATION_OPTION_KIND_BACKORDER,
}


class ReservationValidationServicer(pb_grpc.InventoryReservationValidationServiceServicer):
    def __init__(
        self,
        policy: Policy,
        purchases: HotPurchases,
        inventory: InventoryClient,
        clock: Clock,
        narrator: Narrator | None = None,
    ) -> None:
        self._policy = policy
        self._purchases = purchases
        self._inventory = inventory
        self._clock = clock
        self._narrator = narrator or Narrator.off()

    async def ValidateReservation(
        self, request: pb.ValidateReservationRequest, context: Any
    ) -> pb.ValidateReservationResponse:
        lines = _check_request(request)
        now = self._clock()
        window = self._policy.window_at(now)
        rules = [self._policy.rule(line.sku) for line in lines]
        limited = {line.sku for line, rule in zip(lines, rules, strict=True) if rule.hot} if window.active else set()
        stocks, bought = await asyncio.gather(
            self._stocks(lines),
            self._bought(request.shopper_id, limited, window),
        )
        decided = [
            decisions.decide_line(line, stock, rule, purchased=bought.get(line.sku, 0), window=window)
            for line, stock, rule in zip(lines, stocks, rules, strict=True)
        ]
        decision = decisions.overall(decided)
        sources = [STOCK_SOURCE, f"policy:{self._policy.version}"]
        if limited:
            sources.insert(1, SOURCE)
        response = pb.ValidateReservationResponse(
            decision=DECISION_TO_PB[decision],
            lines=[_line_message(line) for line in decided],
            peak_window=_window_message(window),
            explanation=explanation(
                decisions.summary(decision, decided),
                decisions.drivers(decided),
                freshness=data_freshness(
                    now, data_as_of=self._purchases.data_as_of if limited else None, sources=sources
                ),
                method=f"{decisions.METHOD}+{self._policy.version}",
            ),
        )
        # CreateOrder never asks (its deadline is short); a staff what-if check may.
        await narrate_if_asked(self._narrator, response, context, subject="reservation validation")
        return response

    async def GetReservationPolicy(self, request: pb.GetReservationPolicyRequest, context: Any) -> pb.ReservationPolicy:
        policy = self._policy
        return pb.ReservationPolicy(
            version=policy.version,
            peak_window=_window_message(policy.window_at(self._clock())),
            default_safety_stock=policy.default_safety_stock,
            skus=[
                pb.SkuPolicy(
                    sku=rule.sku,
                    safety_stock=rule.safety_stock,
                    peak_limit_per_shopper=rule.peak_limit,
                    backorder_restock_days=rule.backorder_restock_days,
                )
                for rule in policy.skus.values()
            ],
            explanation=explanation(
                f"reservation policy {policy.version} from {policy.source}",
                freshness=data_freshness(self._clock(), sources=[f"file:{policy.source}"]),
                method=f"{decisions.METHOD}+{policy.version}",
            ),
        )

    async def _bought(self, shopper_id: str, skus: set[str], window: PeakWindow) -> dict[str, int]:
        """What the shopper bought of the limited `skus` since the window started (none: no query)."""
        if not skus or window.starts_at is None:
            return {}
        return await self._purchases.bought(shopper_id, skus, window.starts_at)

    async def _stocks(self, lines: Sequence[LineRequest]) -> list[Stock]:
        items = await asyncio.gather(*(self._inventory.item(line.sku) for line in lines))
        stocks = []
        for line, item in zip(lines, items, strict=True):
            if item is None:
                raise NotFound(f"product {line.sku!r} not found")
            stocks.append(Stock(on_hand=item.quantity_on_hand, reserved=item.quantity_reserved))
        return stocks


def _check_request(request: pb.ValidateReservationRequest) -> list[LineRequest]:
    violations = Violations()
    validation.text(violations, "shopper_id", request.shopper_id, required=True, max_length=MAX_ID_LENGTH)
    validation.text(violations, "order_id", request.order_id, max_length=MAX_ID_LENGTH)
    if violations.check(bool(request.lines), "lines", "at least one line is required"):
        violations.check(len(request.lines) <= MAX_LINES, "lines", f"at most {MAX_LINES} lines")
    lines: list[LineRequest] = []
    seen: set[str] = set()
    for index, line in enumerate(request.lines):
        at = f"lines[{index}]"
        if violations.check(bool(line.product_id), f"{at}.product_id", "is required"):
            validation.identifier(violations, f"{at}.product_id", line.product_id, PRODUCT_ID, PRODUCT_ID_HINT)
        sku = line.sku or line.product_id
        if line.sku:
            validation.identifier(violations, f"{at}.sku", line.sku, PRODUCT_ID, PRODUCT_ID_HINT)
        violations.check(1 <= line.quantity <= MAX_QUANTITY, f"{at}.quantity", f"must be 1..{MAX_QUANTITY} units")
        if sku:
            violations.check(sku not in seen, f"{at}.sku", f"SKU {sku!r} appears on an earlier line")
            seen.add(sku)
        lines.append(LineRequest(product_id=line.product_id, sku=sku, quantity=line.quantity))
    violations.raise_if_any()
    return lines


def _line_message(line: LineDecision) -> pb.LineValidation:
    return pb.LineValidation(
        product_id=line.request.product_id,
        sku=line.request.sku,
        requested_quantity=line.request.quantity,
        allowed_quantity=line.allowed,
        decision=DECISION_TO_PB[line.decision],
        limiting_factor=FACTOR_TO_PB[line.factor],
        quantity_on_hand=line.stock.on_hand,
        quantity_reserved=line.stock.reserved,
        safety_stock=line.safety_stock,
        effective_availability=line.effective_availability,
        hot_sku=line.hot,
        peak_limit=line.peak_limit,
        purchased_in_window=line.purchased,
        remaining_limit=line.remaining_limit,
        options=[
            pb.ReservationOption(
                kind=OPTION_TO_PB[option.kind],
                quantity_now=option.quantity_now,
                quantity_later=option.quantity_later,
                restock_days=option.restock_days,
                reason=option.reason,
            )
            for option in line.options
        ],
        reason=line.reason,
    )


def _window_message(window: PeakWindow) -> pb.PeakWindow:
    return pb.PeakWindow(
        active=window.active,
        starts_at=_stamp(window.starts_at),
        ends_at=_stamp(window.ends_at),
        source=window.source,
    )


def _stamp(moment: datetime | None) -> Any:
    return to_timestamp(moment) if moment is not None else None


async def create_binding(deps: Dependencies) -> ServiceBinding:
    policy = load_policy(deps.settings.reservation_policy_path, deps.settings.reservation_peak_window)
    container = await deps.store.container(PURCHASES, PURCHASES_KEY)
    purchases = HotPurchases(container, policy.hot_skus)
    if deps.bus is not None:
        # Idempotent: one document per order, a create that conflicts; a cancel only sets a flag.
        deps.bus.subscribe(TOPIC, GROUP, purchases.handle, idempotent=True)
    servicer = ReservationValidationServicer(
        policy, purchases, InventoryClient(deps.channels, deps.service_credentials), deps.clock, deps.narrator
    )
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["InventoryReservationValidationService"].full_name,
        add_to_server=lambda server: pb_grpc.add_InventoryReservationValidationServiceServicer_to_server(
            servicer, server
        ),
    )
