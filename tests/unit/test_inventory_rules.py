"""Inventory rules: stock arithmetic and health, hold transitions, adjustments, request checks."""

from __future__ import annotations

import pytest
from google.rpc import error_details_pb2

from hph.runtime.errors import FailedPrecondition, Violations, reason_text
from hph.services.inventory import rules
from hph.services.inventory.rules import HoldView, Level

NOW = "2026-12-01T12:00:00.000000Z"
LATER = "2026-12-01T12:15:00.000000Z"


def fields_of(violations: Violations) -> set[str]:
    return {v.field for v in violations.items}


# --- levels and health --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "health"),
    [
        (Level(on_hand=0), rules.OUT_OF_STOCK),
        (Level(on_hand=5, reserved=5, reorder_point=2), rules.OUT_OF_STOCK),
        (Level(on_hand=5, reserved=3, reorder_point=2), rules.LOW_STOCK),
        (Level(on_hand=5, reorder_point=5), rules.LOW_STOCK),
        (Level(on_hand=6, reorder_point=5), rules.HEALTHY),
        (Level(on_hand=601, reorder_point=5, overstock_threshold=600), rules.OVERSTOCKED),
        (Level(on_hand=600, reorder_point=5, overstock_threshold=600), rules.HEALTHY),
        (Level(on_hand=10_000, reorder_point=5, overstock_threshold=0), rules.HEALTHY),
        # Low beats overstocked: what can be sold matters more than what sits reserved on the shelf.
        (Level(on_hand=700, reserved=698, reorder_point=5, overstock_threshold=600), rules.LOW_STOCK),
    ],
)
def test_health_classes(level: Level, health: str) -> None:
    assert level.health == health


def test_available_never_goes_negative_and_safety_stock_is_not_withheld() -> None:
    assert Level(on_hand=3, reserved=5).available == 0
    assert Level(on_hand=10, reserved=4, safety_stock=5).available == 6


def test_a_seeded_record_gets_a_default_overstock_threshold_and_its_health() -> None:
    doc = rules.new_stock_document("TOY-0001", on_hand=800, reorder_point=12, safety_stock=4, now=NOW)
    assert doc["id"] == doc["sku"] == "TOY-0001"
    assert (doc["quantity_reserved"], doc["overstock_threshold"], doc["health"]) == (0, 500, rules.OVERSTOCKED)
    assert rules.default_overstock_threshold(80) == 800
    explicit = rules.new_stock_document("TOY-0002", on_hand=1, reorder_point=1, safety_stock=0, now=NOW,
                                        overstock_threshold=0)  # fmt: skip
    assert (explicit["overstock_threshold"], explicit["health"]) == (0, rules.LOW_STOCK)
    assert rules.level_of(doc) == Level(800, 0, 12, 4, 500)
    assert rules.level_of(None) == rules.NO_STOCK


def test_low_stock_is_reported_once_per_crossing() -> None:
    above, at, below = (
        Level(on_hand=10, reorder_point=5),
        Level(on_hand=5, reorder_point=5),
        Level(on_hand=1, reorder_point=5),
    )
    assert rules.crossed_into_low(above, at, existed=True)
    assert not rules.crossed_into_low(at, below, existed=True)  # already low: no second alert
    assert not rules.crossed_into_low(below, above, existed=True)
    assert not rules.crossed_into_low(rules.NO_STOCK, below, existed=False)  # a new record is no crossing


# --- hold transitions ---------------------------------------------------------------------------


def test_acquire_takes_only_what_is_available() -> None:
    level = Level(on_hand=5, reserved=3)
    change = rules.plan_acquire(level, None, 2)
    assert change is not None and (change.level.reserved, change.status, change.moved) == (5, rules.HELD, 2)
    with pytest.raises(rules.Shortage) as short:
        rules.plan_acquire(level, None, 3)
    assert (short.value.requested, short.value.available) == (3, 2)


def test_acquire_is_idempotent_and_revives_only_finished_holds() -> None:
    level = Level(on_hand=5, reserved=2)
    again = rules.plan_acquire(level, HoldView(rules.HELD, 2, NOW), 2)
    assert again is not None and again.moved == 0 and again.level == level
    grown = rules.plan_acquire(level, HoldView(rules.HELD, 2, NOW), 4)
    assert grown is not None and (grown.moved, grown.level.reserved) == (2, 4)
    shrunk = rules.plan_acquire(level, HoldView(rules.HELD, 2, NOW), 1)
    assert shrunk is not None and (shrunk.moved, shrunk.level.reserved) == (-1, 1)
    revived = rules.plan_acquire(Level(on_hand=5), HoldView(rules.EXPIRED, 2, NOW), 2)
    assert revived is not None and revived.level.reserved == 2
    assert rules.plan_acquire(level, HoldView(rules.CONFIRMED, 2, NOW), 2) is None


def test_confirm_sells_held_units_and_never_revives_a_finished_hold() -> None:
    change = rules.plan_confirm(Level(on_hand=5, reserved=3), HoldView(rules.HELD, 3, NOW))
    assert change is not None and (change.level.on_hand, change.level.reserved, change.status) == (
        2,
        0,
        rules.CONFIRMED,
    )
    assert rules.plan_confirm(Level(on_hand=2), HoldView(rules.CONFIRMED, 3, NOW)) is None
    for hold in (None, HoldView(rules.RELEASED, 3, NOW), HoldView(rules.EXPIRED, 3, NOW)):
        with pytest.raises(ValueError):
            rules.plan_confirm(Level(on_hand=5), hold)


def test_release_gives_held_units_back_and_restocks_sold_ones() -> None:
    held = rules.plan_release(Level(on_hand=5, reserved=3), HoldView(rules.HELD, 3, NOW))
    assert held is not None and (held.level.on_hand, held.level.reserved, held.status) == (5, 0, rules.RELEASED)
    sold = rules.plan_release(Level(on_hand=2), HoldView(rules.CONFIRMED, 3, NOW))
    assert sold is not None and (sold.level.on_hand, sold.level.reserved) == (5, 0)
    assert rules.plan_release(Level(on_hand=5), HoldView(rules.RELEASED, 3, NOW)) is None
    assert rules.plan_release(Level(on_hand=5), None) is None


def test_expire_only_touches_held_holds_past_their_expiry() -> None:
    level = Level(on_hand=5, reserved=3)
    assert rules.plan_expire(level, HoldView(rules.HELD, 3, LATER), NOW) is None
    due = rules.plan_expire(level, HoldView(rules.HELD, 3, NOW), NOW)
    assert due is not None and (due.level.reserved, due.status) == (0, rules.EXPIRED)
    assert rules.plan_expire(level, HoldView(rules.CONFIRMED, 3, NOW), LATER) is None


def test_no_sequence_of_transitions_lets_reserved_exceed_on_hand() -> None:
    level = Level(on_hand=4)
    holds: list[HoldView | None] = [None] * 6
    for index in range(6):
        try:
            change = rules.plan_acquire(level, holds[index], 1)
        except rules.Shortage:
            continue
        assert change is not None
        level, holds[index] = change.level, HoldView(change.status, change.quantity, NOW)
    assert level.reserved == 4 and sum(1 for h in holds if h is not None) == 4
    for index in (0, 1):
        change = rules.plan_confirm(level, holds[index])
        assert change is not None
        level, holds[index] = change.level, HoldView(change.status, change.quantity, NOW)
    assert (level.on_hand, level.reserved) == (2, 2) and level.reserved <= level.on_hand


# --- adjustments --------------------------------------------------------------------------------


def test_adjustments_absolute_relative_and_thresholds() -> None:
    level = Level(on_hand=10, reserved=4, reorder_point=3)
    assert rules.apply_adjustment(level, rules.Adjustment(on_hand=20), "S").on_hand == 20
    assert rules.apply_adjustment(level, rules.Adjustment(delta=-6), "S").on_hand == 4
    tuned = rules.apply_adjustment(level, rules.Adjustment(reorder_point=8, overstock_threshold=100), "S")
    assert (tuned.on_hand, tuned.reorder_point, tuned.overstock_threshold) == (10, 8, 100)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (rules.Adjustment(delta=-11), "NEGATIVE_STOCK"),
        (rules.Adjustment(on_hand=3), "BELOW_RESERVED"),
        (rules.Adjustment(delta=-7), "BELOW_RESERVED"),
        (rules.Adjustment(on_hand=rules.MAX_STOCK + 1), "STOCK_LIMIT"),
    ],
)
def test_adjustments_that_would_break_the_invariant_are_refused(change: rules.Adjustment, reason: str) -> None:
    with pytest.raises(FailedPrecondition) as refused:
        rules.apply_adjustment(Level(on_hand=10, reserved=4), change, "TOY-1")
    assert reason_text(refused.value.reason) == reason and refused.value.subject == "inventory/TOY-1"


def test_adjustment_checks_report_every_problem() -> None:
    violations = Violations()
    rules.check_adjustment(violations, rules.Adjustment(), "")
    assert fields_of(violations) == {"quantity_on_hand"}
    violations = Violations()
    rules.check_adjustment(violations, rules.Adjustment(on_hand=-1, delta=0, safety_stock=-3), "x" * 501)
    assert fields_of(violations) == {"quantity_on_hand", "quantity_on_hand_delta", "safety_stock", "reason"}
    violations = Violations()
    rules.check_adjustment(violations, rules.Adjustment(reorder_point=4), "")  # no units move: no reason needed
    assert not violations


def test_adjustment_kind_and_reference_come_from_the_reason() -> None:
    moves = rules.Adjustment(delta=5)
    assert rules.adjustment_kind("PO-1234 received", moves) == rules.RECEIVED
    assert rules.adjustment_kind("return R-88 restocked", moves) == rules.RETURN_RESTOCK
    assert rules.adjustment_kind("cycle count", moves) == rules.COUNT_CORRECTION
    assert rules.adjustment_kind("2 damaged in transit", moves) == rules.DAMAGED_OR_LOST
    assert rules.adjustment_kind("moved to store B", moves) == rules.OTHER
    assert rules.adjustment_kind("PO-1 received", rules.Adjustment(reorder_point=3)) == rules.SETTINGS
    assert rules.reference_in("PO-1234 received") == "PO-1234"
    assert rules.reference_in("return R-88 restocked") == "R-88"
    assert rules.reference_in("cycle count") == ""


def test_fingerprints_tell_requests_apart() -> None:
    first = rules.Adjustment(delta=5).fingerprint("TOY-1", "received")
    assert first == rules.Adjustment(delta=5).fingerprint("TOY-1", "received")
    assert first != rules.Adjustment(delta=6).fingerprint("TOY-1", "received")
    assert first != rules.Adjustment(on_hand=5).fingerprint("TOY-1", "received")
    assert first != rules.Adjustment(delta=5).fingerprint("TOY-2", "received")


# --- reservations -------------------------------------------------------------------------------


def test_reservation_ids_derive_from_the_order() -> None:
    first = rules.reservation_id_for("ORD-1")
    assert first == rules.reservation_id_for("ORD-1") != rules.reservation_id_for("ORD-2")
    assert rules.RESERVATION_ID.fullmatch(first)


def test_lines_are_checked_and_sorted_by_sku() -> None:
    violations = Violations()
    lines = rules.check_lines(violations, [("TOY-2", 1), ("TOY-1", 99)])
    assert not violations and lines == [rules.Line("TOY-1", 99), rules.Line("TOY-2", 1)]
    violations = Violations()
    rules.check_lines(violations, [("TOY-1", 0), ("TOY-1", 1), ("x", 100)])
    assert fields_of(violations) == {"lines[0].quantity", "lines[1].sku", "lines[2].sku", "lines[2].quantity"}
    violations = Violations()
    rules.check_lines(violations, [])
    assert fields_of(violations) == {"lines"}
    violations = Violations()
    rules.check_lines(violations, [(f"TOY-{n}", 1) for n in range(101)])
    assert fields_of(violations) == {"lines"}


def test_hold_time_defaults_and_bounds() -> None:
    violations = Violations()
    assert rules.check_ttl(violations, 0, 0, 900) == 900
    assert rules.check_ttl(violations, 60, 0, 900) == 60
    assert rules.check_ttl(violations, 86400, 0, 900) == 86400
    assert not violations
    rules.check_ttl(violations, 59, 999_999_999, 900)
    rules.check_ttl(violations, 86400, 1, 900)
    assert [v.field for v in violations.items] == ["ttl", "ttl"]


def test_out_of_stock_names_every_short_sku() -> None:
    error = rules.OutOfStock([rules.ShortLine("TOY-1", 3, 1), rules.ShortLine("TOY-2", 1, 0)])
    status = error.to_status()
    info, failure = error_details_pb2.ErrorInfo(), error_details_pb2.PreconditionFailure()
    assert status.details[0].Unpack(info) and status.details[1].Unpack(failure)
    assert info.reason == "OUT_OF_STOCK" and info.metadata["skus"] == "TOY-1,TOY-2"
    assert [(v.subject, v.description) for v in failure.violations] == [
        ("skus/TOY-1", "requested 3, available 1"),
        ("skus/TOY-2", "requested 1, available 0"),
    ]
    assert len(status.details) == 2  # exactly one PreconditionFailure, not one per base class


def test_prefix_bounds_cover_exactly_the_prefixed_strings() -> None:
    low, high = rules.prefix_bounds("TOY-")
    inside = ["TOY-", "TOY-0001", "TOY-zzz"]
    outside = ["TOY", "TOX-9", "TOY.", "TOZ", "toy-1"]
    assert all(low <= s < high for s in inside)
    assert not any(low <= s < high for s in outside)


def test_public_quantity_is_capped_at_the_cart_limit() -> None:
    assert rules.public_quantity(Level(on_hand=5000)) == 99
    assert rules.public_quantity(Level(on_hand=7, reserved=2)) == 5
