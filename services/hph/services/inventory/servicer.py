"""InventoryService over gRPC: checks requests, then hands them to the ledger or the reservations."""

from __future__ import annotations

import functools
from typing import Any

from holidaypeak.commerce.v1 import inventory_item_pb2, reservation_pb2
from holidaypeak.commerce.v1 import inventory_service_pb2 as pb
from holidaypeak.commerce.v1 import inventory_service_pb2_grpc as pb_grpc
from hph.runtime import validation
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Violations
from hph.runtime.rpc.call_context import current_call, current_principal, idempotency_key
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import ContainerSpec
from hph.services.inventory import messages, rules
from hph.services.inventory.catalog_client import CatalogProducts
from hph.services.inventory.ledger import INVENTORY, PARTITION_KEY, StockLedger
from hph.services.inventory.reservations import RESERVATIONS, Reservations
from hph.services.inventory.sweeper import ReservationSweeper, interval_for

# What this service keeps (the host creates these and registers the stock levels' outbox with the
# relay; reservations hold none: events are written per SKU).
CONTAINERS = (ContainerSpec(INVENTORY, PARTITION_KEY, outbox=True), ContainerSpec(RESERVATIONS, "/id"))
DEFAULT_LIST_SIZE = 50


def _check_reservation_id(violations: Violations, reservation_id: str) -> None:
    if violations.check(bool(reservation_id), "reservation_id", "is required"):
        validation.identifier(
            violations, "reservation_id", reservation_id, rules.RESERVATION_ID, "is not a reservation id"
        )


def _idempotency_key(violations: Violations, request_id: str) -> str:
    key = idempotency_key(request_id)
    validation.request_id(violations, key)
    return key


class InventoryServicer(pb_grpc.InventoryServiceServicer):
    def __init__(
        self, deps: Dependencies, ledger: StockLedger, reservations: Reservations, catalog: CatalogProducts
    ) -> None:
        self._deps = deps
        self._ledger = ledger
        self._reservations = reservations
        self._catalog = catalog

    # --- staff -------------------------------------------------------------------------------

    async def ListInventoryItems(
        self, request: pb.ListInventoryItemsRequest, context: Any
    ) -> pb.ListInventoryItemsResponse:
        violations = Violations()
        size = validation.page_size(violations, "page_size", request.page_size, default=DEFAULT_LIST_SIZE)
        token = validation.page_token(violations, "page_token", request.page_token)
        if request.sku_prefix:
            validation.identifier(
                violations,
                "sku_prefix",
                request.sku_prefix,
                rules.SKU_PREFIX,
                "must be 1..64 of A-Z, a-z, 0-9, '-', '_'",
            )
        health: list[str] | None = None
        if request.health:
            health = []
            for index, value in enumerate(request.health):
                if value in messages.HEALTH_NAMES:
                    health.append(messages.HEALTH_NAMES[value])
                else:  # UNSPECIFIED matches nothing (so is simply left out); unknown numbers are errors
                    violations.check(
                        value == inventory_item_pb2.INVENTORY_HEALTH_UNSPECIFIED,
                        f"health[{index}]",
                        "is not an inventory health class",
                    )
        violations.raise_if_any()
        page = await self._ledger.page(health=health, sku_prefix=request.sku_prefix, page_size=size, continuation=token)
        return pb.ListInventoryItemsResponse(
            inventory_items=[messages.inventory_item(doc["sku"], doc) for doc in page.items],
            next_page_token=page.continuation or "",
        )

    async def GetInventoryItem(
        self, request: pb.GetInventoryItemRequest, context: Any
    ) -> inventory_item_pb2.InventoryItem:
        violations = Violations()
        rules.check_sku(violations, "sku", request.sku)
        violations.raise_if_any()
        doc = await self._ledger.read_stock(request.sku)
        if doc is None and not await self._catalog.exists(request.sku):
            raise NotFound(f"product {request.sku!r} not found")
        return messages.inventory_item(request.sku, doc)

    async def UpdateInventoryItem(
        self, request: pb.UpdateInventoryItemRequest, context: Any
    ) -> inventory_item_pb2.InventoryItem:
        violations = Violations()
        rules.check_sku(violations, "sku", request.sku)
        change = rules.Adjustment(
            on_hand=request.quantity_on_hand if request.HasField("quantity_on_hand") else None,
            delta=request.quantity_on_hand_delta if request.HasField("quantity_on_hand_delta") else None,
            reorder_point=request.reorder_point if request.HasField("reorder_point") else None,
            safety_stock=request.safety_stock if request.HasField("safety_stock") else None,
            overstock_threshold=request.overstock_threshold if request.HasField("overstock_threshold") else None,
        )
        rules.check_adjustment(violations, change, request.reason)
        violations.check(len(request.etag) <= 256, "etag", "is not an etag this API issued")
        key = _idempotency_key(violations, request.request_id)
        violations.raise_if_any()
        adjust = functools.partial(
            self._ledger.adjust,
            request.sku,
            change,
            reason=request.reason.strip(),
            actor_id=current_principal().subject,
            expected_etag=request.etag,
            idempotency_key=key,
            correlation_id=current_call().request_id,
        )
        try:
            doc = await adjust(may_create=False)
        except NotFound:
            # No stock record yet: the first adjustment of a product the catalog knows creates it.
            if not await self._catalog.exists(request.sku):
                raise
            doc = await adjust(may_create=True)
        return messages.inventory_item(request.sku, doc)

    # --- shoppers ----------------------------------------------------------------------------

    async def BatchGetAvailability(
        self, request: pb.BatchGetAvailabilityRequest, context: Any
    ) -> pb.BatchGetAvailabilityResponse:
        violations = Violations()
        skus = list(dict.fromkeys(request.skus))
        if violations.check(bool(skus), "skus", "at least one SKU is required"):
            violations.check(len(skus) <= rules.MAX_LOOKUP_SKUS, "skus", f"at most {rules.MAX_LOOKUP_SKUS} SKUs")
        for index, sku in enumerate(request.skus):
            rules.check_sku(violations, f"skus[{index}]", sku)
        violations.raise_if_any()
        stocks = await self._ledger.read_stocks(skus)
        return pb.BatchGetAvailabilityResponse(
            availabilities=[messages.availability(sku, stocks.get(sku)) for sku in skus]
        )

    # --- internal (orders, payments) ---------------------------------------------------------

    async def ReserveStock(self, request: pb.ReserveStockRequest, context: Any) -> reservation_pb2.Reservation:
        violations = Violations()
        if violations.check(bool(request.order_id), "order_id", "is required"):
            validation.identifier(
                violations, "order_id", request.order_id, rules.ORDER_ID, "must be 1..128 of A-Z, a-z, 0-9, '.:_-'"
            )
        validation.text(violations, "user_id", request.user_id, required=True, max_length=rules.MAX_KEY_LENGTH)
        lines = rules.check_lines(violations, [(line.sku, line.quantity) for line in request.lines])
        ttl = rules.check_ttl(
            violations, request.ttl.seconds, request.ttl.nanos, self._deps.settings.reservation_hold_seconds
        )
        key = _idempotency_key(violations, request.request_id)
        violations.raise_if_any()
        doc = await self._reservations.reserve(
            order_id=request.order_id,
            user_id=request.user_id,
            lines=lines,
            ttl_seconds=ttl,
            request_id=key,
            correlation_id=current_call().request_id,
        )
        return messages.reservation(doc)

    async def ConfirmReservation(
        self, request: pb.ConfirmReservationRequest, context: Any
    ) -> reservation_pb2.Reservation:
        violations = Violations()
        _check_reservation_id(violations, request.reservation_id)
        _idempotency_key(violations, request.request_id)  # confirming is idempotent by itself
        violations.raise_if_any()
        doc = await self._reservations.confirm(request.reservation_id, current_call().request_id)
        return messages.reservation(doc)

    async def ReleaseReservation(
        self, request: pb.ReleaseReservationRequest, context: Any
    ) -> reservation_pb2.Reservation:
        violations = Violations()
        _check_reservation_id(violations, request.reservation_id)
        validation.text(violations, "reason", request.reason, max_length=rules.MAX_RELEASE_REASON)
        _idempotency_key(violations, request.request_id)  # releasing is idempotent by itself
        violations.raise_if_any()
        reason = request.reason.strip() or "released"
        doc = await self._reservations.release(request.reservation_id, reason, current_call().request_id)
        return messages.reservation(doc)

    async def GetReservation(self, request: pb.GetReservationRequest, context: Any) -> reservation_pb2.Reservation:
        violations = Violations()
        _check_reservation_id(violations, request.reservation_id)
        violations.raise_if_any()
        return messages.reservation(await self._reservations.get(request.reservation_id))


async def create_binding(deps: Dependencies) -> ServiceBinding:
    inventory = await deps.store.container(INVENTORY, PARTITION_KEY)
    reservation_docs = await deps.store.container(RESERVATIONS, "/id")
    ledger = StockLedger(inventory, clock=deps.clock, notify=deps.notify_relay)
    reservations = Reservations(reservation_docs, ledger, clock=deps.clock)
    interval = interval_for(deps.settings.reservation_hold_seconds)
    deps.background.append(ReservationSweeper(reservations, ledger, clock=deps.clock, interval_seconds=interval))
    servicer = InventoryServicer(deps, ledger, reservations, CatalogProducts(deps.channels, deps.service_credentials))
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["InventoryService"].full_name,
        add_to_server=lambda server: pb_grpc.add_InventoryServiceServicer_to_server(servicer, server),
    )
