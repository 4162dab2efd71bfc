"""Order rules: every legal and every illegal transition of the state machine, payment-status rules,
ids, and the order document's wire form."""

from __future__ import annotations

import itertools

import pytest

from holidaypeak.commerce.v1 import order_pb2
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from holidaypeak.events.v1 import order_events_pb2
from hph.commerce import identifiers
from hph.runtime import validation
from hph.runtime.errors import FailedPrecondition, Violations
from hph.services.orders import messages, rules
from hph.services.orders.rules import Actor, PaymentStatus, Status

# The lifecycle as the contract states it, written out independently of rules.TRANSITIONS.
LEGAL: dict[tuple[Status, Status], Actor] = {
    (Status.PENDING, Status.PAID): Actor.PAYMENT,
    (Status.PENDING, Status.CANCELLED): Actor.CANCELLATION,
    (Status.PAID, Status.CANCELLED): Actor.CANCELLATION,
    (Status.PAID, Status.FULFILLING): Actor.STAFF,
    (Status.FULFILLING, Status.SHIPPED): Actor.STAFF,
    (Status.SHIPPED, Status.DELIVERED): Actor.STAFF,
    (Status.DELIVERED, Status.PARTIALLY_RETURNED): Actor.STAFF,
    (Status.DELIVERED, Status.RETURNED): Actor.STAFF,
    (Status.PARTIALLY_RETURNED, Status.RETURNED): Actor.STAFF,
}
EDGES = [(c, t, a) for c, t in itertools.product(Status, Status) if c != t for a in Actor]


@pytest.mark.parametrize(("current", "target", "actor"), [(c, t, a) for (c, t), a in LEGAL.items()])
def test_every_legal_transition_passes_for_its_actor(current: Status, target: Status, actor: Actor) -> None:
    rules.check_transition(current, target, actor, order_id="ORD-0123456789ABCDEF")


@pytest.mark.parametrize(("current", "target", "actor"), [(c, t, a) for c, t, a in EDGES if LEGAL.get((c, t)) != a])
def test_every_other_transition_is_illegal(current: Status, target: Status, actor: Actor) -> None:
    with pytest.raises(FailedPrecondition) as refused:
        rules.check_transition(current, target, actor, order_id="ORD-0123456789ABCDEF")
    assert refused.value.reason == ErrorReason.ERROR_REASON_ILLEGAL_TRANSITION
    assert refused.value.subject == "orders/ORD-0123456789ABCDEF"
    assert dict(refused.value.metadata) == {"from": current.value, "to": target.value}


def test_the_table_is_exactly_the_contract_lifecycle() -> None:
    assert dict(rules.TRANSITIONS) == LEGAL
    assert len(EDGES) == 8 * 7 * 3


def test_refusals_say_what_to_do_instead() -> None:
    with pytest.raises(FailedPrecondition, match="cancel through CancelOrder"):
        rules.check_transition(Status.PAID, Status.CANCELLED, Actor.STAFF)
    with pytest.raises(FailedPrecondition, match="payment succeeds"):
        rules.check_transition(Status.PENDING, Status.PAID, Actor.STAFF)
    with pytest.raises(FailedPrecondition, match="does not change any more"):
        rules.check_transition(Status.CANCELLED, Status.PAID, Actor.PAYMENT)
    with pytest.raises(FailedPrecondition, match="from shipped it can go to delivered"):
        rules.check_transition(Status.SHIPPED, Status.CANCELLED, Actor.CANCELLATION)


def test_terminal_states_have_no_way_out_and_cancellation_only_before_fulfilment() -> None:
    for terminal in rules.TERMINAL:
        assert not [t for (c, t) in rules.TRANSITIONS if c == terminal]
    assert {c for (c, t) in rules.TRANSITIONS if t == Status.CANCELLED} == {Status.PENDING, Status.PAID}
    assert rules.staff_targets() == {
        Status.FULFILLING,
        Status.SHIPPED,
        Status.DELIVERED,
        Status.PARTIALLY_RETURNED,
        Status.RETURNED,
    }
    assert rules.is_no_change(Status.SHIPPED, Status.SHIPPED)
    assert not rules.is_no_change(Status.SHIPPED, Status.DELIVERED)


# --- payment status --------------------------------------------------------------------------


def test_refund_status_and_bounds() -> None:
    assert rules.refund_status(500, 1000) == PaymentStatus.PARTIALLY_REFUNDED
    assert rules.refund_status(1000, 1000) == PaymentStatus.REFUNDED
    for amount, ok in ((0, False), (1, True), (1000, True), (1001, False)):
        violations = Violations()
        rules.check_refund(violations, amount, 1000)
        assert (not violations) is ok, amount


def test_a_late_attempt_never_downgrades_a_captured_payment() -> None:
    assert rules.attempt_status_applies(PaymentStatus.UNPAID)
    assert rules.attempt_status_applies(PaymentStatus.FAILED)
    assert rules.attempt_status_applies(PaymentStatus.PENDING)
    for captured in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED):
        assert not rules.attempt_status_applies(captured)


# --- ids and fields --------------------------------------------------------------------------


def test_order_ids() -> None:
    ids = {rules.new_order_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(identifiers.ORDER_ID.fullmatch(order_id) for order_id in ids)
    for bad in ("", "ord-0123456789abcdef", "ORD-0123", "ORD-0123456789ABCDEG"):
        violations = Violations()
        identifiers.check_order_id(violations, bad)
        assert violations, bad


def test_request_id_and_reason_limits() -> None:
    violations = Violations()
    validation.request_id(violations, "k" * 129)
    rules.check_reason(violations, "r" * 501)
    assert [v.field for v in violations.items] == ["request_id", "reason"]


# --- wire forms ------------------------------------------------------------------------------


def test_every_status_maps_to_the_contract_both_ways() -> None:
    values = set(order_pb2.OrderStatus.values()) - {order_pb2.ORDER_STATUS_UNSPECIFIED}
    assert set(messages.STATUS_TO_PB.values()) == values
    payment_values = set(order_pb2.OrderPaymentStatus.values()) - {order_pb2.ORDER_PAYMENT_STATUS_UNSPECIFIED}
    assert set(messages.PAYMENT_TO_PB.values()) == payment_values
    event_names = set(order_events_pb2.OrderStatus.keys()) - {"ORDER_STATUS_UNSPECIFIED"}
    assert {f"ORDER_STATUS_{s.name}" for s in Status} == event_names


def test_order_message_converts_minor_units_and_omits_unset_times() -> None:
    doc = {
        "id": "ORD-0123456789ABCDEF",
        "kind": "order",
        "user_id": "customer-ava",
        "items": [
            {
                "product_id": "TOY-0001",
                "name": "Toy",
                "quantity": 3,
                "unit_price_minor": 1999,
                "line_total_minor": 5997,
                "image_url": "",
            }
        ],
        "subtotal_minor": 5997,
        "shipping_minor": 0,
        "tax_minor": 435,
        "total_minor": 6432,
        "currency_code": "USD",
        "status": "paid",
        "payment_status": "paid",
        "shipping_address": {"name": "Ava", "line1": "1 Main St", "city": "SF", "country_code": "US"},
        "created_at": "2026-11-27T15:30:00.000000Z",
        "updated_at": "2026-11-27T15:31:00.000000Z",
        "paid_at": "2026-11-27T15:31:00.000000Z",
        "_etag": "abc",
    }
    order = messages.order_message(doc)
    assert (order.subtotal, order.tax, order.total) == (59.97, 4.35, 64.32)
    assert order.items[0].line_total == 59.97
    assert order.status == order_pb2.ORDER_STATUS_PAID
    assert order.HasField("paid_at") and not order.HasField("shipped_at") and not order.HasField("payment_due_at")
    assert order.etag == "abc"
    assert messages.order_message(doc, with_etag=False).etag == ""


def test_returned_items_need_a_return_status_a_known_line_and_at_most_the_units_ordered() -> None:
    violations = Violations()
    rules.check_returned_items(violations, [("A", 1), ("A", 2), ("", 1), ("B", -1)], Status.SHIPPED)
    assert [v.field for v in violations.items] == [
        "returned_items",
        "returned_items[1].product_id",
        "returned_items[2].product_id",
        "returned_items[3].quantity",
    ]
    fine = Violations()
    assert rules.check_returned_items(fine, [("A", 2), ("B", 0)], Status.PARTIALLY_RETURNED) == {"A": 2, "B": 0}
    assert not fine
    against = Violations()
    rules.check_returned_against_order(against, [("A", 3), ("C", 1), ("B", 1)], {"A": 2, "B": 1}, order_id="ORD-1")
    assert [v.field for v in against.items] == ["returned_items[0].quantity", "returned_items[1].product_id"]


def test_returned_units_keep_the_larger_count_per_line_and_never_add() -> None:
    lines = [{"product_id": "A", "quantity": 3, "quantity_returned": 2}, {"product_id": "B", "quantity": 1}]
    assert rules.merge_returned(lines, {"A": 2}) is None  # a repeat
    assert rules.merge_returned(lines, {"A": 1, "B": 0}) is None  # an older report
    merged = rules.merge_returned(lines, {"A": 3, "B": 1})
    assert merged is not None
    assert [(line["product_id"], line["quantity_returned"]) for line in merged] == [("A", 3), ("B", 1)]
    assert lines[0]["quantity_returned"] == 2  # the stored lines are not changed in place
