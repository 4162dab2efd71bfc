"""ShipmentService over gRPC: staff ship paid orders and record carrier tracking; customers follow
the tracking of their own orders.

Storage: container `shipments`, partition key /order_id. An order's parcels, its fulfilment record
(units ordered/shipped, each parcel's status, the order status they imply, see `sync`), the
idempotency records of CreateShipment and every outbox event share the order's partition, so each
change commits its state, its events and (on creation) its stored response in ONE batch. A shipment
id names its order (SHP-<order hex>-<n>), so every lookup is a point read.

CreateShipment (idempotent by request_id, required):
1. claim the key (replay / IDEMPOTENCY_KEY_REUSED / REQUEST_IN_FLIGHT, hph.runtime.idempotency);
   a replay still runs `OrderSync.ensure`;
2. read the order as the platform: paid, fulfilling or shipped, else ORDER_NOT_SHIPPABLE;
3. allocate the units (NOTHING_TO_SHIP / ITEMS_EXCEED_ORDER against the fulfilment record);
4. move the order to fulfilling BEFORE the parcel exists: from then on the customer can no longer
   cancel it, so no label is ever bought for a cancelled order. If the commit below fails, the order
   stays fulfilling and the released key lets the retry create the parcel;
5. commit fulfilment record (etag) + parcel + ShipmentCreated + ShipmentStatusChanged + stored
   response in one batch; a concurrent parcel for the same order loses the etag and re-decides.

AddShipmentEvent: validate, decide against the parcel (rules.walk over the history by occurred_at),
commit parcel + fulfilment record + events in one batch, then move the order (`OrderSync.ensure`).
A retry (same request_id, or the same scan again) records nothing twice but still moves the order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from google.protobuf import timestamp_pb2

from holidaypeak.commerce.v1 import order_pb2, shipment_pb2
from holidaypeak.commerce.v1 import shipment_service_pb2 as pb
from holidaypeak.commerce.v1 import shipment_service_pb2_grpc as pb_grpc
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.commerce.carriers import Carrier, CarrierTable, ServiceLevel, default_carrier_table
from hph.commerce.identifiers import check_order_id
from hph.runtime import clock as clocks
from hph.runtime import idempotency, validation
from hph.runtime.commit import Done, Write, Written, commit, stored
from hph.runtime.deps import Dependencies
from hph.runtime.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    Unavailable,
    Violations,
)
from hph.runtime.idempotency import Claim, IdempotencyRecords, Replay
from hph.runtime.rpc.call_context import current_request_id, idempotency_key, require_owner
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import (
    And,
    BatchOperation,
    Container,
    ContainerSpec,
    CreateOp,
    Document,
    Eq,
    NotFoundError,
    OrderBy,
    Query,
    ReplaceOp,
    Term,
)
from hph.services.shipments import messages, rules
from hph.services.shipments.carrier_choice import REQUESTED, CarrierChooser, Choice
from hph.services.shipments.messages import FULFILMENT_KIND, KIND
from hph.services.shipments.orders_client import OrdersClient, order_status_name
from hph.services.shipments.rules import OrderStatus, ParcelState, Status
from hph.services.shipments.sync import OrderSync, OrderSyncSweeper

log = logging.getLogger("hph.shipments")

SHIPMENTS = "shipments"
PARTITION_KEY_PATH = "/order_id"
# What this service keeps (the host creates it and registers its outbox with the relay).
CONTAINERS = (ContainerSpec(SHIPMENTS, PARTITION_KEY_PATH, outbox=True),)
CREATE_SCOPE = "shipments.create"
NEWEST_FIRST = (OrderBy("created_at", descending=True),)
OLDEST_FIRST = (OrderBy("created_at"),)


@dataclass(frozen=True)
class _Recorded:
    """A tracking event's outcome: the parcel and its order's fulfilment record as they are now,
    and whether this call stored the event (else it was a retry of one stored before)."""

    shipment: Document
    fulfilment: Document
    recorded: bool


def _moment(violations: Violations, field: str, stamp: timestamp_pb2.Timestamp) -> datetime | None:
    """The timestamp as a UTC datetime; a violation when it is out of range."""
    try:
        return stamp.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        violations.add(field, "is not a valid timestamp")
        return None


def _ordered_units(order: order_pb2.Order) -> dict[str, int]:
    units: dict[str, int] = {}
    for item in order.items:
        units[item.product_id] = units.get(item.product_id, 0) + item.quantity
    return units


class ShipmentServicer(pb_grpc.ShipmentServiceServicer):
    def __init__(
        self,
        deps: Dependencies,
        shipments: Container,
        records: IdempotencyRecords,
        orders: OrdersClient,
        carriers: CarrierTable,
        sync: OrderSync,
        chooser: CarrierChooser,
    ) -> None:
        self._chooser = chooser
        self._deps = deps
        self._shipments = shipments
        self._records = records
        self._orders = orders
        self._carriers = carriers
        self._sync = sync

    # --- creating ---------------------------------------------------------------------------

    async def CreateShipment(self, request: pb.CreateShipmentRequest, context: Any) -> shipment_pb2.Shipment:
        now = self._deps.clock()
        violations = Violations()
        check_order_id(violations, request.order_id)
        named = bool(request.carrier.strip())
        carrier = self._check_carrier(violations, request.carrier) if named else None
        level = self._check_level(violations, request.service_level, carrier)
        tracking_number = rules.normalize_tracking_number(request.tracking_number)
        if carrier is not None:
            rules.check_tracking_number(
                violations, "tracking_number", tracking_number, carrier.tracking_number, carrier.name
            )
        _check_https(violations, "tracking_url", request.tracking_url)
        _check_parcel(violations, request, carrier)
        items = _check_items(violations, request.items)
        estimate = None
        if request.HasField("estimated_delivery_at"):
            estimate = _moment(violations, "estimated_delivery_at", request.estimated_delivery_at)
            if estimate is not None:
                violations.check(
                    now - rules.CLOCK_SKEW <= estimate <= now + rules.ESTIMATE_HORIZON,
                    "estimated_delivery_at",
                    "must be in the coming year",
                )
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key, required=True)
        violations.raise_if_any()
        assert level is not None

        claimed = await self._records.claim(request.order_id, key, idempotency.keyed_request_fingerprint(request))
        if isinstance(claimed, Replay):
            await self._follow(request.order_id)
            return shipment_pb2.Shipment.FromString(claimed.response)
        try:
            order: order_pb2.Order | None = None
            if carrier is None:
                order = await self._orders.get_order(request.order_id)
                choice = await self._chooser.choose(request, order, estimate)
                _check_chosen(choice, tracking_number)
            else:
                choice = Choice(carrier, level, REQUESTED, "named by the request")
            return await self._create(request, choice, tracking_number, items, estimate, key, claimed, order)
        except BaseException:
            await self._records.release(claimed)
            raise

    def _check_carrier(self, violations: Violations, code: str) -> Carrier | None:
        normalized = code.strip().lower()
        if not violations.check(bool(normalized), "carrier", "is required"):
            return None
        carrier = self._carriers.get(normalized)
        violations.check(carrier is not None, "carrier", f"must be one of {', '.join(self._carriers.codes)}")
        return carrier

    @staticmethod
    def _check_level(violations: Violations, value: int, carrier: Carrier | None) -> ServiceLevel | None:
        level = ServiceLevel.STANDARD if value == 0 else messages.LEVEL_FROM_PB.get(value)
        if not violations.check(level is not None, "service_level", "is not a known service level"):
            return None
        assert level is not None
        if carrier is not None:
            sold = ", ".join(lv.value for lv in carrier.transit_days)
            violations.check(carrier.offers(level), "service_level", f"{carrier.name} sells {sold}")
        return level

    async def _create(
        self,
        request: pb.CreateShipmentRequest,
        choice: Choice,
        tracking_number: str,
        items: Sequence[tuple[str, int]],
        estimate: datetime | None,
        key: str,
        claim: Claim,
        known_order: order_pb2.Order | None = None,
    ) -> shipment_pb2.Shipment:
        order_id = request.order_id
        carrier, level = choice.carrier, choice.level
        order = known_order or await self._orders.get_order(order_id)
        order_status = order_status_name(order)
        if order_status not in rules.SHIPPABLE_ORDER_STATUSES:
            raise FailedPrecondition(
                f"order {order_id} is {order_status}: only paid orders are shipped",
                reason=rules.ORDER_NOT_SHIPPABLE,
                subject=f"orders/{order_id}",
                metadata={"order_status": order_status},
            )
        reached = ""

        async def plan(attempt: int) -> Write[shipment_pb2.Shipment]:
            nonlocal reached
            ordered = _ordered_units(order)
            fulfilment = await self._sync.fulfilment(order_id)
            shipped: dict[str, int] = dict(fulfilment["shipped"]) if fulfilment else {}
            if fulfilment:
                ordered = dict(fulfilment["ordered"])
            allocation = rules.allocate(items, ordered, shipped, order_id=order_id)
            number = fulfilment["next_number"] if fulfilment else 1
            if number > rules.MAX_SHIPMENTS_PER_ORDER:
                raise FailedPrecondition(
                    f"order {order_id} already has {rules.MAX_SHIPMENTS_PER_ORDER} shipments",
                    reason=rules.TOO_MANY_SHIPMENTS,
                    subject=f"orders/{order_id}",
                )
            if not reached:
                # Before the parcel exists: see the module docstring (step 4).
                reached = await self._orders.advance(
                    order_id, order_status, OrderStatus.FULFILLING, reason="a shipment is being prepared"
                )
                if rules.order_rank(order_status) > rules.order_rank(reached):
                    reached = order_status
            now_moment = self._deps.clock()
            now = clocks.to_iso(now_moment)
            shipment_id = rules.shipment_id(order_id, number)
            doc = self._new_shipment(
                shipment_id, number, order, carrier, level, tracking_number, request, allocation, now_moment, estimate
            )
            doc["request_id"] = key
            doc["carrier_choice"] = choice.document()
            updated = self._fulfilment_with(fulfilment, order, ordered, shipped, allocation, shipment_id, reached, now)
            response = messages.shipment_message(doc, with_etag=False)
            events = messages.created_events(doc, correlation_id=current_request_id(), clock=self._deps.clock)
            first: BatchOperation = (
                ReplaceOp(updated, if_match=fulfilment["_etag"]) if fulfilment else CreateOp(updated)
            )
            # Another parcel of this order committing first fails `first`: decide again.
            return Write(
                [first, CreateOp(doc)],
                lambda _: response,
                events=events,
                completion=self._records.completion(claim, response.SerializeToString(deterministic=True)),
            )

        return await commit(
            self._shipments,
            order_id,
            plan,
            busy=f"order {order_id} is being shipped by others at the same time; retry",
            notify=self._deps.notify_relay,
        )

    def _new_shipment(
        self,
        shipment_id: str,
        number: int,
        order: order_pb2.Order,
        carrier: Carrier,
        level: ServiceLevel,
        tracking_number: str,
        request: pb.CreateShipmentRequest,
        allocation: dict[str, int],
        now: datetime,
        estimate: datetime | None,
    ) -> Document:
        stamp = clocks.to_iso(now)
        eta = clocks.to_iso(estimate or carrier.estimate_delivery(now, level))
        label = {
            "id": messages.tracking_event_id(1),
            "seq": 1,
            "status": Status.LABEL_CREATED.value,
            "location": "",
            "description": f"Label created with {carrier.name}",
            "occurred_at": stamp,
            "recorded_at": stamp,
            "request_id": "",
            "request_hash": "",
        }
        return {
            "id": shipment_id,
            "kind": KIND,
            "order_id": order.id,
            "user_id": order.user_id,
            "number": number,
            "status": Status.LABEL_CREATED.value,
            "carrier": carrier.code,
            "service_level": level.value,
            "tracking_number": tracking_number,
            "tracking_url": request.tracking_url.strip() or carrier.tracking_url(tracking_number),
            "package_weight_grams": request.package_weight_grams,
            "package_length_mm": request.package_length_mm,
            "package_width_mm": request.package_width_mm,
            "package_height_mm": request.package_height_mm,
            "items": [{"product_id": sku, "quantity": quantity} for sku, quantity in allocation.items()],
            "destination": messages.address_document(order.shipping_address),
            "events": [label],
            "event_count": 1,
            "estimated_delivery_at": eta,
            "initial_estimated_delivery_at": eta,
            "shipped_at": "",
            "delivered_at": "",
            "created_at": stamp,
            "updated_at": stamp,
        }

    @staticmethod
    def _fulfilment_with(
        current: Document | None,
        order: order_pb2.Order,
        ordered: dict[str, int],
        shipped: dict[str, int],
        allocation: dict[str, int],
        shipment_id: str,
        reached: str,
        now: str,
    ) -> Document:
        doc: Document = (
            dict(current)
            if current
            else {
                "id": messages.fulfilment_id(order.id),
                "kind": FULFILMENT_KIND,
                "order_id": order.id,
                "user_id": order.user_id,
                "ordered": ordered,
                "parcels": {},
                "next_number": 1,
                "order_synced": "",
                "created_at": now,
            }
        )
        doc["shipped"] = {sku: shipped.get(sku, 0) + allocation.get(sku, 0) for sku in {*shipped, *allocation}}
        doc["parcels"] = {**doc["parcels"], shipment_id: {"status": Status.LABEL_CREATED.value, "picked_up": False}}
        doc["next_number"] = doc["next_number"] + 1
        doc["updated_at"] = now
        return _with_order_target(doc, reached)

    # --- tracking ---------------------------------------------------------------------------

    async def AddShipmentEvent(self, request: pb.AddShipmentEventRequest, context: Any) -> shipment_pb2.Shipment:
        now = self._deps.clock()
        violations = Violations()
        rules.check_shipment_id(violations, request.shipment_id)
        target = messages.STATUS_FROM_PB.get(request.status)
        violations.check(target is not None, "status", "is required: the status after the event")
        validation.text(violations, "location", request.location, max_length=rules.LOCATION_MAX)
        validation.text(violations, "description", request.description, max_length=rules.DESCRIPTION_MAX)
        occurred = now
        if request.HasField("occurred_at"):
            given = _moment(violations, "occurred_at", request.occurred_at)
            if given is not None and violations.check(
                given <= now + rules.CLOCK_SKEW, "occurred_at", "must not be in the future"
            ):
                occurred = given
        estimate = None
        if request.HasField("estimated_delivery_at"):
            estimate = _moment(violations, "estimated_delivery_at", request.estimated_delivery_at)
            if estimate is not None:
                violations.check(
                    estimate <= now + rules.ESTIMATE_HORIZON, "estimated_delivery_at", "must be within a year"
                )
        tracking_number = rules.normalize_tracking_number(request.tracking_number)
        violations.check(
            len(tracking_number) <= rules.TRACKING_NUMBER_MAX,
            "tracking_number",
            f"must be at most {rules.TRACKING_NUMBER_MAX} characters",
        )
        key = idempotency_key(request.request_id)
        validation.request_id(violations, key, required=False)
        violations.raise_if_any()
        assert target is not None

        order_id = rules.order_of(request.shipment_id)
        fingerprint = idempotency.keyed_request_fingerprint(request)

        async def plan(attempt: int) -> Write[_Recorded] | Done[_Recorded]:
            doc = await self._read_shipment(request.shipment_id)
            fulfilment = await self._sync.fulfilment(order_id)
            if fulfilment is None:  # pragma: no cover - written in the parcel's own batch
                raise NotFound(f"shipment {request.shipment_id!r} not found")
            change = self._decide_event(
                doc,
                target,
                request,
                occurred=occurred,
                estimate=estimate,
                tracking_number=tracking_number,
                key=key,
                fingerprint=fingerprint,
            )
            if change is None:
                return Done(_Recorded(doc, fulfilment, recorded=False))  # a retry: still move the order
            updated, events = change
            parcel = {"status": updated["status"], "picked_up": bool(updated["shipped_at"])}
            operations: list[BatchOperation] = [ReplaceOp(updated, if_match=doc["_etag"])]
            new_fulfilment = fulfilment
            if fulfilment["parcels"].get(updated["id"]) != parcel:
                new_fulfilment = _with_order_target(
                    {
                        **fulfilment,
                        "parcels": {**fulfilment["parcels"], updated["id"]: parcel},
                        "updated_at": updated["updated_at"],
                    },
                    "",
                )
                # The parcel or its order's record changing meanwhile fails the batch: decide again.
                operations.append(ReplaceOp(new_fulfilment, if_match=fulfilment["_etag"]))

            def recorded(written: Written) -> _Recorded:
                after = (written[1] or new_fulfilment) if new_fulfilment is not fulfilment else fulfilment
                return _Recorded(stored(0)(written), after, recorded=True)

            return Write(operations, recorded, events=events)

        outcome = await commit(
            self._shipments,
            order_id,
            plan,
            busy=f"shipment {request.shipment_id!r} is being changed by others; retry",
            notify=self._deps.notify_relay,
        )
        await self._follow(order_id, outcome.fulfilment, recorded=outcome.recorded)
        return messages.shipment_message(outcome.shipment)

    def _decide_event(
        self,
        doc: Document,
        target: Status,
        request: pb.AddShipmentEventRequest,
        *,
        occurred: datetime,
        estimate: datetime | None,
        tracking_number: str,
        key: str,
        fingerprint: str,
    ) -> tuple[Document, list[EventEnvelope]] | None:
        """The parcel after the event and the events to publish; None when there is nothing to record
        (a retry, an exact repeat of a recorded scan, or delivered reported again)."""
        shipment_id, recorded = doc["id"], doc["events"]
        if key:
            prior = next((e for e in recorded if e.get("request_id") == key), None)
            if prior is not None:
                if prior.get("request_hash") != fingerprint:
                    raise InvalidArgument(
                        "this idempotency key was already used for a different event; use a new key",
                        reason=idempotency.KEY_REUSED,
                        violations=(FieldViolation("request_id", "was already used for a different event"),),
                    )
                return None
        created_at = clocks.from_iso(doc["created_at"])
        if occurred < created_at - rules.CLOCK_SKEW:
            raise InvalidArgument.for_field("occurred_at", "is before the shipment was created")
        occurred = max(occurred, created_at)  # within clock skew: the label stays the first event
        carrier = self._carriers.get(doc["carrier"])
        if tracking_number:
            if carrier is not None:
                violations = Violations()
                rules.check_tracking_number(
                    violations, "tracking_number", tracking_number, carrier.tracking_number, carrier.name
                )
                violations.raise_if_any()
            if doc.get("tracking_number") and doc["tracking_number"] != tracking_number:
                raise FailedPrecondition(
                    f"shipment {shipment_id} already has tracking number {doc['tracking_number']}",
                    reason=rules.TRACKING_NUMBER_MISMATCH,
                    subject=f"shipments/{shipment_id}",
                )
        if target == Status.DELIVERED and doc["status"] == Status.DELIVERED.value:
            return None  # delivered is final; hearing it again changes nothing
        stamp = clocks.to_iso(occurred)
        location, description = request.location.strip(), request.description.strip()
        for event in recorded:
            if (event["status"], event["occurred_at"], event.get("location", ""), event.get("description", "")) == (
                target.value,
                stamp,
                location,
                description,
            ):
                return None  # the same scan reported again
        if len(recorded) >= rules.MAX_EVENTS_PER_SHIPMENT:
            raise FailedPrecondition(
                f"shipment {shipment_id} has {rules.MAX_EVENTS_PER_SHIPMENT} tracking events already",
                reason=rules.TOO_MANY_EVENTS,
                subject=f"shipments/{shipment_id}",
            )
        now = clocks.to_iso(self._deps.clock())
        seq = doc["event_count"] + 1
        event = {
            "id": messages.tracking_event_id(seq),
            "seq": seq,
            "status": target.value,
            "location": location,
            "description": description,
            "occurred_at": stamp,
            "recorded_at": now,
            "request_id": key,
            "request_hash": fingerprint if key else "",
        }
        history = messages.sorted_events([*recorded, event])
        positions = rules.walk([Status(e["status"]) for e in history], shipment_id=shipment_id)
        index = next(i for i, e in enumerate(history) if e["id"] == event["id"])
        previous = positions[index - 1].status if index > 0 else None
        final = positions[-1].status
        shipped_at = next((e["occurred_at"] for e in history if Status(e["status"]) in rules.PICKED_UP_STATUSES), "")
        delivered_at = history[-1]["occurred_at"] if final == Status.DELIVERED else ""
        updated: Document = {
            **doc,
            "events": history,
            "event_count": seq,
            "status": final.value,
            "shipped_at": shipped_at,
            "delivered_at": delivered_at,
            "updated_at": now,
        }
        if estimate is not None:
            updated["estimated_delivery_at"] = clocks.to_iso(estimate)
        if tracking_number and not doc.get("tracking_number"):
            updated["tracking_number"] = tracking_number
            if not doc.get("tracking_url") and carrier is not None:
                updated["tracking_url"] = carrier.tracking_url(tracking_number)
        envelopes = [
            messages.status_changed_event(
                updated, event, previous, correlation_id=current_request_id(), clock=self._deps.clock
            )
        ]
        if final == Status.DELIVERED and not doc.get("delivered_at"):
            envelopes.append(
                messages.delivered_event(
                    updated,
                    estimate_before=doc.get("estimated_delivery_at", ""),
                    correlation_id=current_request_id(),
                    clock=self._deps.clock,
                )
            )
        return updated, envelopes

    async def _follow(self, order_id: str, fulfilment: Document | None = None, *, recorded: bool = False) -> None:
        """Moves the order after its parcels (see `sync`); says what happened when it cannot."""
        try:
            await self._sync.ensure(order_id, fulfilment)
        except Unavailable as exc:
            done = "the shipment change was recorded, but " if recorded else ""
            raise Unavailable(
                f"{done}order {order_id} could not be updated yet ({exc.message}); "
                "retry the same request to finish (it is not recorded twice)",
                metadata={"service": "orders"},
            ) from None

    # --- reading ----------------------------------------------------------------------------

    async def GetShipment(self, request: pb.GetShipmentRequest, context: Any) -> shipment_pb2.Shipment:
        violations = Violations()
        rules.check_shipment_id(violations, request.shipment_id)
        violations.raise_if_any()
        return messages.shipment_message(await self._read_shipment(request.shipment_id))

    async def ListShipments(self, request: pb.ListShipmentsRequest, context: Any) -> pb.ListShipmentsResponse:
        violations = Violations()
        status = messages.STATUS_FROM_PB.get(request.status)
        violations.check(request.status == 0 or status is not None, "status", "is not a known status")
        if request.order_id:
            check_order_id(violations, request.order_id)
        carrier = request.carrier.strip().lower()
        if carrier:
            known = self._carriers.codes
            violations.check(carrier in known, "carrier", f"must be one of {', '.join(known)}")
        size = validation.page_size(violations, "page_size", request.page_size)
        token = validation.page_token(violations, "page_token", request.page_token)
        violations.raise_if_any()
        terms: list[Term] = [Eq("kind", KIND)]
        if status is not None:
            terms.append(Eq("status", status.value))
        if carrier:
            terms.append(Eq("carrier", carrier))
        page = await self._shipments.query(
            Query(where=And(*terms), order_by=NEWEST_FIRST),
            partition_key=request.order_id or None,
            max_items=size,
            continuation=token,
        )
        return pb.ListShipmentsResponse(
            shipments=[messages.shipment_message(d, with_events=False) for d in page.items],
            next_page_token=page.continuation or "",
        )

    async def GetOrderTracking(self, request: pb.GetOrderTrackingRequest, context: Any) -> pb.GetOrderTrackingResponse:
        violations = Violations()
        check_order_id(violations, request.order_id)
        violations.raise_if_any()
        order_id = request.order_id
        fulfilment = await self._sync.fulfilment(order_id)
        if fulfilment is None:
            # Nothing shipped: whether the order exists for this caller is the orders service's call.
            await self._orders.get_callers_order(order_id)
            return pb.GetOrderTrackingResponse(order_id=order_id)
        require_owner(fulfilment["user_id"], resource="order", hide_existence=True)
        page = await self._shipments.query(
            Query(where=Eq("kind", KIND), order_by=OLDEST_FIRST),
            partition_key=order_id,
            max_items=rules.MAX_SHIPMENTS_PER_ORDER,
        )
        parcels = page.items
        overall = rules.least_advanced(Status(d["status"]) for d in parcels)
        estimates = [
            d["estimated_delivery_at"]
            for d in parcels
            if d["status"] != Status.DELIVERED.value and d.get("estimated_delivery_at")
        ]
        return pb.GetOrderTrackingResponse(
            order_id=order_id,
            status=messages.STATUS_TO_PB[overall] if overall else 0,  # type: ignore[arg-type]
            estimated_delivery_at=clocks.to_timestamp(max(estimates)) if estimates else None,
            shipments=[messages.shipment_message(d) for d in parcels],
        )

    # --- helpers ----------------------------------------------------------------------------

    async def _read_shipment(self, shipment_id: str) -> Document:
        try:
            doc = await self._shipments.read(shipment_id, rules.order_of(shipment_id))
        except NotFoundError:
            raise NotFound(f"shipment {shipment_id!r} not found") from None
        if doc.get("kind") != KIND:  # pragma: no cover - ids of other kinds never match SHIPMENT_ID
            raise NotFound(f"shipment {shipment_id!r} not found")
        return doc


def _with_order_target(doc: Document, reached: str) -> Document:
    """`doc` (a fulfilment record) with the order status its parcels imply and whether the order is
    known to be there (`reached`: the order status just confirmed, "" for none)."""
    parcels = [ParcelState(Status(p["status"]), bool(p["picked_up"])) for p in doc["parcels"].values()]
    target = rules.order_target(doc["ordered"], doc["shipped"], parcels)
    assert target is not None  # a record exists only with a parcel
    synced = doc.get("order_synced", "")
    if rules.order_rank(reached) > rules.order_rank(synced):
        synced = reached
    return {
        **doc,
        "order_status": target.value,
        "order_synced": synced,
        "order_in_sync": rules.order_rank(synced) >= rules.order_rank(target.value),
    }


def _check_chosen(choice: Choice, tracking_number: str) -> None:
    """A tracking number given without a carrier must fit the carrier chosen for it."""
    violations = Violations()
    carrier = choice.carrier
    rules.check_tracking_number(violations, "tracking_number", tracking_number, carrier.tracking_number, carrier.name)
    violations.raise_if_any()


def _check_https(violations: Violations, field: str, value: str) -> None:
    if value and validation.http_url(violations, field, value.strip()):
        violations.check(value.strip().startswith("https://"), field, "must be an https URL")


def _check_parcel(violations: Violations, request: pb.CreateShipmentRequest, carrier: Carrier | None) -> None:
    heaviest = carrier.max_weight_grams if carrier else rules.MAX_WEIGHT_GRAMS
    longest = carrier.max_length_mm if carrier else rules.MAX_LENGTH_MM
    who = f" ({carrier.name}'s limit)" if carrier else ""
    violations.check(
        1 <= request.package_weight_grams <= heaviest, "package_weight_grams", f"must be 1..{heaviest} grams{who}"
    )
    sides = {
        "package_length_mm": request.package_length_mm,
        "package_width_mm": request.package_width_mm,
        "package_height_mm": request.package_height_mm,
    }
    for field, value in sides.items():
        violations.check(0 <= value <= longest, field, f"must be 0 (unknown) or 1..{longest} mm{who}")
    if request.package_length_mm:
        violations.check(
            request.package_length_mm >= max(request.package_width_mm, request.package_height_mm),
            "package_length_mm",
            "is the longest side: at least the width and the height",
        )


def _check_items(violations: Violations, items: Sequence[shipment_pb2.ShipmentItem]) -> list[tuple[str, int]]:
    violations.check(len(items) <= rules.MAX_ITEMS, "items", f"at most {rules.MAX_ITEMS} lines")
    seen: set[str] = set()
    checked: list[tuple[str, int]] = []
    for index, item in enumerate(items[: rules.MAX_ITEMS]):
        field = f"items[{index}]"
        if validation.text(
            violations, f"{field}.product_id", item.product_id, required=True, max_length=rules.PRODUCT_ID_MAX
        ):
            violations.check(item.product_id not in seen, f"{field}.product_id", "appears twice; merge the lines")
            seen.add(item.product_id)
        violations.check(
            1 <= item.quantity <= rules.MAX_QUANTITY, f"{field}.quantity", f"must be 1..{rules.MAX_QUANTITY}"
        )
        checked.append((item.product_id, item.quantity))
    return checked


async def create_binding(deps: Dependencies) -> ServiceBinding:
    shipments = await deps.store.container(SHIPMENTS, PARTITION_KEY_PATH)
    orders = OrdersClient(deps.channels, deps.service_credentials)
    sync = OrderSync(shipments, orders, clock=deps.clock)
    carriers = default_carrier_table()
    records = IdempotencyRecords(shipments, scope=CREATE_SCOPE, clock=deps.clock)
    servicer = ShipmentServicer(
        deps,
        shipments,
        records,
        orders,
        carriers,
        sync,
        CarrierChooser(deps, carriers, dict(messages.LEVEL_FROM_PB)),
    )
    deps.background.append(OrderSyncSweeper(shipments, sync, clock=deps.clock))
    deps.background.append(records.expiry())
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["ShipmentService"].full_name,
        add_to_server=lambda server: pb_grpc.add_ShipmentServiceServicer_to_server(servicer, server),
    )
