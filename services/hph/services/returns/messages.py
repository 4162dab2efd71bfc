"""Stored return documents <-> Return messages, and the return events (topic return-events).

A return document (kind "return") lives in the `returns` container in its order's partition
(partition key /order_id) beside the order's tally (kind "tally") and both documents' outbox records.
Amounts are stored in minor units and shown in major units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf.message import Message

from holidaypeak.commerce.v1 import return_pb2 as pb
from holidaypeak.events.v1 import return_events_pb2 as ev
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime import clock as clocks
from hph.runtime.clock import Clock
from hph.runtime.events import resource_event
from hph.runtime.money import to_major
from hph.runtime.storage import Document
from hph.services.returns.rules import Reason, Status

SOURCE = "returns"
COLLECTION = "returns"
RETURN_KIND, TALLY_KIND = "return", "tally"
TALLY_PREFIX = "tally-"

STATUS_TO_PB: Mapping[Status, int] = {
    Status.REQUESTED: pb.RETURN_STATUS_REQUESTED,
    Status.APPROVED: pb.RETURN_STATUS_APPROVED,
    Status.REJECTED: pb.RETURN_STATUS_REJECTED,
    Status.RECEIVED: pb.RETURN_STATUS_RECEIVED,
    Status.RESTOCKED: pb.RETURN_STATUS_RESTOCKED,
    Status.REFUNDED: pb.RETURN_STATUS_REFUNDED,
}
STATUS_FROM_PB: Mapping[int, Status] = {v: k for k, v in STATUS_TO_PB.items()}
REASON_TO_PB: Mapping[Reason, int] = {
    Reason.DAMAGED: pb.RETURN_REASON_DAMAGED,
    Reason.DEFECTIVE: pb.RETURN_REASON_DEFECTIVE,
    Reason.WRONG_ITEM: pb.RETURN_REASON_WRONG_ITEM,
    Reason.NOT_AS_DESCRIBED: pb.RETURN_REASON_NOT_AS_DESCRIBED,
    Reason.SIZE_OR_FIT: pb.RETURN_REASON_SIZE_OR_FIT,
    Reason.ARRIVED_LATE: pb.RETURN_REASON_ARRIVED_LATE,
    Reason.NO_LONGER_NEEDED: pb.RETURN_REASON_NO_LONGER_NEEDED,
    Reason.OTHER: pb.RETURN_REASON_OTHER,
}
REASON_FROM_PB: Mapping[int, Reason] = {v: k for k, v in REASON_TO_PB.items()}
# The events' ReturnReason numbers the same reasons the same way (both enums are in the contract).
_EVENT_REASON: Mapping[Reason, int] = {
    reason: ev.ReturnReason.Value(pb.ReturnReason.Name(number)) for reason, number in REASON_TO_PB.items()
}


def tally_id(order_id: str) -> str:
    return TALLY_PREFIX + order_id


def new_tally(order_id: str) -> Document:
    """The per-order record of return numbers, claimed units and refunded units."""
    return {
        "id": tally_id(order_id),
        "order_id": order_id,
        "kind": TALLY_KIND,
        "last_number": 0,
        "claimed": {},
        "refunded": {},
        "requests": {},
    }


def units(lines: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """product id -> quantity of stored lines."""
    return {line["product_id"]: int(line["quantity"]) for line in lines}


def _items(lines: Sequence[Mapping[str, Any]], currency: str) -> list[pb.ReturnItem]:
    return [
        pb.ReturnItem(
            product_id=line["product_id"],
            quantity=int(line["quantity"]),
            unit_price=to_major(int(line["unit_price_minor"]), currency),
        )
        for line in lines
    ]


def return_message(doc: Document) -> pb.Return:
    currency = doc["currency_code"]
    status = Status(doc["status"])
    amount = doc["refund_amount_minor"] if status == Status.REFUNDED else doc["refund_estimate_minor"]
    message = pb.Return(
        id=doc["id"],
        order_id=doc["order_id"],
        user_id=doc["user_id"],
        status=STATUS_TO_PB[status],  # type: ignore[arg-type]
        reason=REASON_TO_PB[Reason(doc["reason"])],  # type: ignore[arg-type]
        reason_detail=doc.get("reason_detail", ""),
        items=_items(doc["items"], currency),
        restocked_items=_items(doc.get("restocked_items", []), currency),
        refund_amount=to_major(int(amount), currency),
        refund_amount_minor=int(amount),
        currency_code=currency,
        refund_id=doc.get("refund_id", ""),
        rejection_reason=doc.get("rejection_reason", ""),
        history=[
            pb.ReturnStatusChange(
                status=STATUS_TO_PB[Status(step["status"])],  # type: ignore[arg-type]
                actor_id=step.get("actor_id", ""),
                note=step.get("note", ""),
                changed_at=clocks.to_timestamp(step["changed_at"]),
            )
            for step in doc.get("history", [])
        ],
        created_at=clocks.to_timestamp(doc["created_at"]),
        updated_at=clocks.to_timestamp(doc.get("updated_at")),
        approved_at=clocks.to_timestamp(doc.get("approved_at")),
        rejected_at=clocks.to_timestamp(doc.get("rejected_at")),
        received_at=clocks.to_timestamp(doc.get("received_at")),
        restocked_at=clocks.to_timestamp(doc.get("restocked_at")),
        refunded_at=clocks.to_timestamp(doc.get("refunded_at")),
        etag=doc.get("_etag", ""),
    )
    return message


# --- events ------------------------------------------------------------------------------------


def _lines(lines: Sequence[Mapping[str, Any]]) -> list[ev.ReturnLine]:
    return [
        ev.ReturnLine(
            sku=line["product_id"], quantity=int(line["quantity"]), unit_price_minor=int(line["unit_price_minor"])
        )
        for line in lines
    ]


def _envelope(payload: Message, doc: Document, correlation_id: str, clock: Clock) -> EventEnvelope:
    return resource_event(
        payload,
        source=SOURCE,
        collection=COLLECTION,
        resource_id=doc["id"],
        partition_key=doc["order_id"],  # the topic keeps an order's returns in order
        correlation_id=correlation_id,
        clock=clock,
    )


def event_for(doc: Document, *, actor_id: str, note: str, correlation_id: str, clock: Clock) -> EventEnvelope:
    """The event announcing that `doc` entered its current status."""
    ids: dict[str, Any] = {"return_id": doc["id"], "order_id": doc["order_id"], "user_id": doc["user_id"]}
    status = Status(doc["status"])
    payload: Message
    if status == Status.REQUESTED:
        payload = ev.ReturnRequested(
            **ids,
            lines=_lines(doc["items"]),
            reason=_EVENT_REASON[Reason(doc["reason"])],  # type: ignore[arg-type]
            reason_detail=doc.get("reason_detail", ""),
            refund_estimate_minor=doc["refund_estimate_minor"],
            currency_code=doc["currency_code"],
        )
    elif status == Status.APPROVED:
        payload = ev.ReturnApproved(**ids, actor_id=actor_id, note=note)
    elif status == Status.REJECTED:
        payload = ev.ReturnRejected(**ids, actor_id=actor_id, reason=doc.get("rejection_reason", ""))
    elif status == Status.RECEIVED:
        payload = ev.ReturnReceived(**ids, actor_id=actor_id, lines=_lines(doc["items"]), note=note)
    elif status == Status.RESTOCKED:
        payload = ev.ReturnRestocked(**ids, actor_id=actor_id, lines=_lines(doc.get("restock_lines", [])))
    else:
        payload = ev.ReturnRefunded(
            **ids,
            actor_id=actor_id,
            refund_id=doc.get("refund_id", ""),
            payment_id=doc.get("payment_id", ""),
            amount_minor=doc["refund_amount_minor"],
            currency_code=doc["currency_code"],
        )
    return _envelope(payload, doc, correlation_id, clock)
