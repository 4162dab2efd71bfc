"""Return rules: every legal and every illegal transition, the return window (day 30 in, day 31 out),
what may be returned, refund amounts, ids, and the stored document's wire form and events."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from holidaypeak.commerce.v1 import return_pb2
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from holidaypeak.events.v1 import return_events_pb2
from hph.runtime.errors import FailedPrecondition, InvalidArgument, Violations
from hph.runtime.events import payload_of, topic_of
from hph.services.returns import messages, rules
from hph.services.returns.rules import OrderedLine, Reason, Role, Status

RETURN_ID = "RET-0123456789ABCDEF-1"
ORDER_ID = "ORD-0123456789ABCDEF"
# The lifecycle as the contract states it, written out independently of rules.TRANSITIONS.
LEGAL: dict[tuple[Status, Status], Role] = {
    (Status.REQUESTED, Status.APPROVED): Role.ADMIN,
    (Status.REQUESTED, Status.REJECTED): Role.ADMIN,
    (Status.APPROVED, Status.RECEIVED): Role.STAFF,
    (Status.RECEIVED, Status.RESTOCKED): Role.STAFF,
    (Status.RESTOCKED, Status.REFUNDED): Role.ADMIN,
}
EDGES = [(c, t) for c, t in itertools.product(Status, Status) if c != t]
DELIVERED = datetime(2024, 12, 1, 15, 30, tzinfo=UTC)


# --- the lifecycle -----------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), list(LEGAL))
def test_every_legal_transition_passes_and_names_its_role(current: Status, target: Status) -> None:
    assert rules.check_transition(current, target, return_id=RETURN_ID) == LEGAL[(current, target)]


@pytest.mark.parametrize(("current", "target"), [e for e in EDGES if e not in LEGAL])
def test_every_other_transition_is_illegal(current: Status, target: Status) -> None:
    with pytest.raises(FailedPrecondition) as refused:
        rules.check_transition(current, target, return_id=RETURN_ID)
    assert refused.value.reason == ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION
    assert refused.value.subject == f"returns/{RETURN_ID}"
    assert dict(refused.value.metadata) == {"from": current.value, "to": target.value}


def test_the_table_is_exactly_the_contract_lifecycle() -> None:
    assert dict(rules.TRANSITIONS) == LEGAL
    assert len(EDGES) == 6 * 5
    assert {Status.REJECTED, Status.REFUNDED} == rules.TERMINAL
    assert all(not any(c == t for c, _ in LEGAL) for t in rules.TERMINAL)
    assert set(rules.REACHED_AT) == set(Status) - {Status.REQUESTED}


def test_the_same_status_is_no_change_and_refusals_say_what_is_possible() -> None:
    assert all(rules.is_no_change(s, s) for s in Status)
    assert not rules.is_no_change(Status.REQUESTED, Status.APPROVED)
    with pytest.raises(FailedPrecondition, match="does not change any more"):
        rules.check_transition(Status.REFUNDED, Status.REQUESTED)
    with pytest.raises(FailedPrecondition, match="from requested it can go to approved, rejected"):
        rules.check_transition(Status.REQUESTED, Status.RECEIVED)
    with pytest.raises(FailedPrecondition, match="from received it can go to restocked"):
        rules.check_transition(Status.RECEIVED, Status.REFUNDED)


# --- the window --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "open_"),
    [
        (timedelta(0), True),
        (timedelta(days=29, hours=23), True),
        (timedelta(days=30), True),  # day 30: the last moment of the window
        (timedelta(days=30, seconds=1), False),
        (timedelta(days=31), False),  # day 31
        (timedelta(days=400), False),
    ],
)
def test_the_window_is_thirty_days_from_delivery_inclusive(after: timedelta, open_: bool) -> None:
    if open_:
        rules.check_window(DELIVERED, DELIVERED + after, 30, order_id=ORDER_ID)
        return
    with pytest.raises(FailedPrecondition) as refused:
        rules.check_window(DELIVERED, DELIVERED + after, 30, order_id=ORDER_ID)
    assert refused.value.reason == ErrorReason.ERROR_REASON_WINDOW_CLOSED
    assert refused.value.metadata["window_closed_at"] == (DELIVERED + timedelta(days=30)).isoformat()


def test_the_window_length_is_a_setting_and_undelivered_orders_are_refused() -> None:
    rules.check_window(DELIVERED, DELIVERED + timedelta(days=7), 7, order_id=ORDER_ID)
    with pytest.raises(FailedPrecondition, match="closed 7 days"):
        rules.check_window(DELIVERED, DELIVERED + timedelta(days=8), 7, order_id=ORDER_ID)
    with pytest.raises(FailedPrecondition) as refused:
        rules.check_window(None, DELIVERED, 30, order_id=ORDER_ID)
    assert refused.value.reason == ErrorReason.ERROR_REASON_ORDER_NOT_DELIVERED
    for status in ("delivered", "partially_returned"):
        rules.check_order_returnable(status, order_id=ORDER_ID)
    for status in ("pending", "paid", "fulfilling", "shipped", "cancelled", "returned"):
        with pytest.raises(FailedPrecondition) as not_yet:
            rules.check_order_returnable(status, order_id=ORDER_ID)
        assert not_yet.value.reason == ErrorReason.ERROR_REASON_ORDER_NOT_DELIVERED


# --- quantities --------------------------------------------------------------------------------

ORDERED = {
    "SKU-A": OrderedLine("SKU-A", 3, 1999),
    "SKU-B": OrderedLine("SKU-B", 1, 500),
}


def test_items_are_checked_field_by_field() -> None:
    violations = Violations()
    assert rules.check_items(violations, [("SKU-A", 2), ("SKU-B", 1)]) == {"SKU-A": 2, "SKU-B": 1}
    assert not violations

    for items, field in [
        ([], "items"),
        ([("", 1)], "items[0].product_id"),
        ([("bad id!", 1)], "items[0].product_id"),
        ([("SKU-A", 0)], "items[0].quantity"),
        ([("SKU-A", -2)], "items[0].quantity"),
        ([("SKU-A", 1), ("SKU-A", 1)], "items[1].product_id"),
        ([(f"SKU-{n}", 1) for n in range(101)], "items"),
    ]:
        violations = Violations()
        rules.check_items(violations, items)
        assert field in {v.field for v in violations.items}, (items, violations.items)


def test_never_more_than_bought_minus_already_claimed() -> None:
    rules.check_quantities({"SKU-A": 3, "SKU-B": 1}, ORDERED, {}, order_id=ORDER_ID)
    rules.check_quantities({"SKU-A": 1}, ORDERED, {"SKU-A": 2}, order_id=ORDER_ID)
    with pytest.raises(FailedPrecondition) as refused:
        rules.check_quantities({"SKU-A": 2}, ORDERED, {"SKU-A": 2}, order_id=ORDER_ID)
    assert refused.value.reason == ErrorReason.ERROR_REASON_QUANTITY_EXCEEDED
    assert dict(refused.value.metadata) == {"SKU-A": "1"}
    with pytest.raises(FailedPrecondition, match="SKU-B: 0"):
        rules.check_quantities({"SKU-B": 1}, ORDERED, {"SKU-B": 1}, order_id=ORDER_ID)
    with pytest.raises(FailedPrecondition, match="SKU-A: 3"):
        rules.check_quantities({"SKU-A": 4}, ORDERED, {}, order_id=ORDER_ID)
    with pytest.raises(InvalidArgument) as unknown:
        rules.check_quantities({"SKU-A": 1, "SKU-Z": 1}, ORDERED, {}, order_id=ORDER_ID)
    assert [v.field for v in unknown.value.violations] == ["items[1].product_id"]


def test_claims_add_up_and_give_back() -> None:
    claimed = rules.add_claims({}, {"SKU-A": 2})
    claimed = rules.add_claims(claimed, {"SKU-A": 1, "SKU-B": 1})
    assert claimed == {"SKU-A": 3, "SKU-B": 1}
    assert rules.add_claims(claimed, {"SKU-B": 1}, sign=-1) == {"SKU-A": 3}
    assert not rules.fully_returned(ORDERED.values(), {"SKU-A": 3})
    assert rules.fully_returned(ORDERED.values(), {"SKU-A": 3, "SKU-B": 1})


def test_restock_items_default_to_everything_and_allow_zero() -> None:
    returned = {"SKU-A": 2, "SKU-B": 1}
    violations = Violations()
    assert rules.check_restock_items(violations, [], returned) == returned
    assert rules.check_restock_items(violations, [("SKU-A", 0)], returned) == {"SKU-A": 0, "SKU-B": 0}
    assert rules.check_restock_items(violations, [("SKU-A", 1), ("SKU-B", 1)], returned) == {"SKU-A": 1, "SKU-B": 1}
    assert not violations
    for items, field in [
        ([("SKU-A", 3)], "items[0].quantity"),
        ([("SKU-A", -1)], "items[0].quantity"),
        ([("SKU-Z", 1)], "items[0].product_id"),
        ([("SKU-A", 1), ("SKU-A", 1)], "items[1].product_id"),
    ]:
        violations = Violations()
        rules.check_restock_items(violations, items, returned)
        assert [v.field for v in violations.items] == [field]


# --- money -------------------------------------------------------------------------------------


def test_the_refund_is_what_was_paid_for_the_units_with_their_tax_share_rounded_down() -> None:
    # Subtotal 6497, tax 520 (8%): two of SKU-A are 3998 of it, tax share 3998*520/6497 = 319.99 -> 319.
    assert rules.refund_estimate({"SKU-A": 2}, ORDERED, 6497, 520) == 3998 + 319
    assert rules.refund_estimate({"SKU-A": 3, "SKU-B": 1}, ORDERED, 6497, 520) == 6497 + 520
    assert rules.refund_estimate({"SKU-B": 1}, ORDERED, 6497, 0) == 500
    shares = [rules.refund_estimate({"SKU-A": 1}, ORDERED, 6497, 520) for _ in range(3)]
    assert sum(shares) + rules.refund_estimate({"SKU-B": 1}, ORDERED, 6497, 520) <= 6497 + 520


def test_a_refund_amount_is_positive_and_never_more_than_the_estimate() -> None:
    assert rules.check_refund_amount(None, 4317, return_id=RETURN_ID) == 4317
    assert rules.check_refund_amount(4000, 4317, return_id=RETURN_ID) == 4000
    assert rules.check_refund_amount(4317, 4317, return_id=RETURN_ID) == 4317
    with pytest.raises(FailedPrecondition) as refused:
        rules.check_refund_amount(4318, 4317, return_id=RETURN_ID)
    assert refused.value.reason == ErrorReason.ERROR_REASON_AMOUNT_MISMATCH
    with pytest.raises(InvalidArgument):
        rules.check_refund_amount(0, 4317, return_id=RETURN_ID)


# --- ids and fields ----------------------------------------------------------------------------


def test_a_return_id_names_its_order() -> None:
    assert rules.return_id_for(ORDER_ID, 1) == RETURN_ID
    assert rules.return_id_for(ORDER_ID, 999) == "RET-0123456789ABCDEF-999"
    assert rules.order_id_of("RET-0123456789ABCDEF-42") == ORDER_ID
    for bad in ("", "RET-0123456789ABCDEF-0", "RET-0123456789abcdef-1", "RET-0123456789ABCDEF-1000", "ORD-1"):
        violations = Violations()
        assert not rules.check_return_id(violations, bad)
        with pytest.raises(ValueError):
            rules.order_id_of(bad)
    with pytest.raises(ValueError):
        rules.return_id_for(ORDER_ID, 1000)
    with pytest.raises(ValueError):
        rules.return_id_for("ORD-nothex", 1)


def test_reason_detail_is_required_only_for_other() -> None:
    violations = Violations()
    rules.check_reason(violations, Reason.DAMAGED, "")
    assert not violations
    rules.check_reason(violations, Reason.OTHER, "  ")
    rules.check_reason(violations, None, "")
    rules.check_reason(violations, Reason.DAMAGED, "x" * 2001)
    assert [v.field for v in violations.items] == ["reason_detail", "reason", "reason_detail"]


# --- wire form and events ----------------------------------------------------------------------


def _doc(status: Status, **fields: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "id": RETURN_ID,
        "order_id": ORDER_ID,
        "user_id": "ava",
        "kind": "return",
        "status": status.value,
        "reason": "damaged",
        "reason_detail": "box crushed",
        "items": [{"product_id": "SKU-A", "quantity": 2, "unit_price_minor": 1999}],
        "currency_code": "USD",
        "refund_estimate_minor": 4317,
        "refund_amount_minor": 0,
        "history": [
            {"status": "requested", "actor_id": "ava", "note": "", "changed_at": "2024-12-02T10:00:00.000000Z"}
        ],
        "created_at": "2024-12-02T10:00:00.000000Z",
        "updated_at": "2024-12-02T10:00:00.000000Z",
        "_etag": "e1",
    }
    doc.update(fields)
    return doc


def test_the_wire_form_shows_major_units_and_the_history() -> None:
    message = messages.return_message(_doc(Status.REQUESTED))
    assert message.status == return_pb2.RETURN_STATUS_REQUESTED
    assert message.reason == return_pb2.RETURN_REASON_DAMAGED
    assert (message.items[0].product_id, message.items[0].quantity, message.items[0].unit_price) == ("SKU-A", 2, 19.99)
    assert message.refund_amount == 43.17 and message.currency_code == "USD" and message.etag == "e1"
    assert [h.status for h in message.history] == [return_pb2.RETURN_STATUS_REQUESTED]
    assert not message.HasField("approved_at")
    refunded = messages.return_message(
        _doc(Status.REFUNDED, refund_amount_minor=4000, refunded_at="2024-12-09T10:00:00.000000Z", refund_id="re_1")
    )
    assert refunded.refund_amount == 40.0 and refunded.HasField("refunded_at") and refunded.refund_id == "re_1"
    assert set(messages.STATUS_TO_PB) == set(Status) and set(messages.REASON_TO_PB) == set(Reason)


@pytest.mark.parametrize(
    ("status", "event_type"),
    [
        (Status.REQUESTED, return_events_pb2.ReturnRequested),
        (Status.APPROVED, return_events_pb2.ReturnApproved),
        (Status.REJECTED, return_events_pb2.ReturnRejected),
        (Status.RECEIVED, return_events_pb2.ReturnReceived),
        (Status.RESTOCKED, return_events_pb2.ReturnRestocked),
        (Status.REFUNDED, return_events_pb2.ReturnRefunded),
    ],
)
def test_each_status_has_its_event_on_the_return_topic_keyed_by_order(status: Status, event_type: type) -> None:
    doc = _doc(
        status,
        restock_lines=[{"product_id": "SKU-A", "quantity": 0, "unit_price_minor": 1999}],
        refund_amount_minor=4317,
        refund_id="re_1",
        payment_id="pay_1",
        rejection_reason="outside policy",
    )
    envelope = messages.event_for(doc, actor_id="admin-ada", note="ok", correlation_id="c1", clock=lambda: DELIVERED)
    payload = payload_of(envelope)
    assert isinstance(payload, event_type)
    assert topic_of(envelope) == "return-events"
    assert (envelope.partition_key, envelope.subject, envelope.source) == (ORDER_ID, f"returns/{RETURN_ID}", "returns")
    if isinstance(payload, return_events_pb2.ReturnRequested):
        assert payload.reason == return_events_pb2.RETURN_REASON_DAMAGED and payload.refund_estimate_minor == 4317
        assert [(line.sku, line.quantity, line.unit_price_minor) for line in payload.lines] == [("SKU-A", 2, 1999)]
    if isinstance(payload, return_events_pb2.ReturnRestocked):
        assert [(line.sku, line.quantity) for line in payload.lines] == [("SKU-A", 0)]  # written off
    if isinstance(payload, return_events_pb2.ReturnRefunded):
        assert (payload.amount_minor, payload.refund_id, payload.payment_id) == (4317, "re_1", "pay_1")
    if isinstance(payload, return_events_pb2.ReturnRejected):
        assert payload.reason == "outside policy"
