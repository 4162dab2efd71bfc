"""Shipment rules: every legal and illegal tracking step, exception resumption, histories by time,
what the parcels make the order, allocation, ids and the carrier table."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from hph.commerce.carriers import ServiceLevel, default_carrier_table, parse_carrier_table
from hph.runtime.errors import FailedPrecondition, Violations
from hph.services.shipments import rules
from hph.services.shipments.rules import OrderStatus, ParcelState, Position, Status

S = Status
LEGAL_STEPS = {
    (S.LABEL_CREATED, S.PICKED_UP),
    (S.LABEL_CREATED, S.IN_TRANSIT),
    (S.LABEL_CREATED, S.OUT_FOR_DELIVERY),
    (S.LABEL_CREATED, S.DELIVERED),
    (S.LABEL_CREATED, S.EXCEPTION),
    (S.PICKED_UP, S.IN_TRANSIT),
    (S.PICKED_UP, S.OUT_FOR_DELIVERY),
    (S.PICKED_UP, S.DELIVERED),
    (S.PICKED_UP, S.EXCEPTION),
    (S.IN_TRANSIT, S.OUT_FOR_DELIVERY),
    (S.IN_TRANSIT, S.DELIVERED),
    (S.IN_TRANSIT, S.EXCEPTION),
    (S.OUT_FOR_DELIVERY, S.DELIVERED),
    (S.OUT_FOR_DELIVERY, S.EXCEPTION),
}
PROGRESS_PAIRS = [(a, b) for a in rules.PROGRESS for b in Status if a != b]


@pytest.mark.parametrize(("current", "target"), PROGRESS_PAIRS)
def test_every_step_between_different_statuses(current: Status, target: Status) -> None:
    position = Position(current)
    if (current, target) in LEGAL_STEPS:
        after = rules.step(position, target)
        assert after.status == target
        assert after.interrupted == (current if target == S.EXCEPTION else None)
    else:
        with pytest.raises(FailedPrecondition) as refused:
            rules.step(position, target, shipment_id="SHP-0123456789ABCDEF-1")
        assert refused.value.reason == rules.ILLEGAL_TRANSITION
        assert refused.value.metadata == {"from": current.value, "to": target.value}
        assert refused.value.subject == "shipments/SHP-0123456789ABCDEF-1"


@pytest.mark.parametrize("status", list(Status))
def test_repeating_a_status_is_an_intermediate_scan(status: Status) -> None:
    position = Position(status, S.IN_TRANSIT if status == S.EXCEPTION else None)
    assert rules.step(position, status) == position


EXPECTED_RESUMPTIONS = {
    S.LABEL_CREATED: {S.LABEL_CREATED, S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED},
    S.PICKED_UP: {S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED},
    S.IN_TRANSIT: {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED},
    S.OUT_FOR_DELIVERY: {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED},
}


@pytest.mark.parametrize(
    ("interrupted", "target"),
    [(i, t) for i in EXPECTED_RESUMPTIONS for t in Status if t != S.EXCEPTION],
)
def test_an_exception_resumes_at_what_it_interrupted_or_later(interrupted: Status, target: Status) -> None:
    position = rules.step(Position(interrupted), S.EXCEPTION)
    assert position == Position(S.EXCEPTION, interrupted)
    if target in EXPECTED_RESUMPTIONS[interrupted]:
        assert rules.step(position, target) == Position(target)
    else:
        with pytest.raises(FailedPrecondition) as refused:
            rules.step(position, target)
        assert refused.value.reason == rules.ILLEGAL_TRANSITION
        assert f"after {interrupted}" in refused.value.message


def test_delivered_is_final() -> None:
    for target in (S.LABEL_CREATED, S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.EXCEPTION):
        with pytest.raises(FailedPrecondition, match="delivered is final"):
            rules.step(Position(S.DELIVERED), target)


def test_tables_cover_every_status() -> None:
    assert set(rules.TRANSITIONS) == set(rules.PROGRESS)
    assert set(rules.RESUMPTIONS) == set(rules.PROGRESS) - {S.DELIVERED}
    assert {(a, b) for a, targets in rules.TRANSITIONS.items() for b in targets} == LEGAL_STEPS


def test_a_history_is_walked_from_the_label() -> None:
    history = [S.LABEL_CREATED, S.PICKED_UP, S.IN_TRANSIT, S.IN_TRANSIT, S.EXCEPTION, S.OUT_FOR_DELIVERY, S.DELIVERED]
    positions = rules.walk(history)
    assert [p.status for p in positions] == history
    assert positions[4].interrupted == S.IN_TRANSIT
    with pytest.raises(FailedPrecondition):
        rules.walk([S.PICKED_UP])
    with pytest.raises(FailedPrecondition):
        rules.walk([])
    with pytest.raises(FailedPrecondition):
        rules.walk([S.LABEL_CREATED, S.IN_TRANSIT, S.PICKED_UP])


def test_every_forward_history_is_legal() -> None:
    for size in range(len(rules.PROGRESS)):
        for later in itertools.combinations(rules.PROGRESS[1:], size):
            assert rules.walk([S.LABEL_CREATED, *later])[-1].status == (later[-1] if later else S.LABEL_CREATED)


def test_overall_status_of_an_order() -> None:
    assert rules.least_advanced([]) is None
    assert rules.least_advanced([S.DELIVERED, S.IN_TRANSIT]) == S.IN_TRANSIT
    assert rules.least_advanced([S.DELIVERED, S.EXCEPTION, S.LABEL_CREATED]) == S.EXCEPTION
    assert rules.least_advanced([S.DELIVERED]) == S.DELIVERED


def parcel(status: Status, picked_up: bool = False) -> ParcelState:
    return ParcelState(status, picked_up)


def test_the_order_follows_its_parcels() -> None:
    ordered = {"A": 2, "B": 1}
    everything = {"A": 2, "B": 1}
    assert rules.order_target(ordered, {}, []) is None
    assert rules.order_target(ordered, everything, [parcel(S.LABEL_CREATED)]) == OrderStatus.FULFILLING
    assert rules.order_target(ordered, everything, [parcel(S.EXCEPTION)]) == OrderStatus.FULFILLING
    assert rules.order_target(ordered, everything, [parcel(S.EXCEPTION, True)]) == OrderStatus.SHIPPED
    assert rules.order_target(ordered, everything, [parcel(S.IN_TRANSIT, True)]) == OrderStatus.SHIPPED
    assert rules.order_target(ordered, everything, [parcel(S.DELIVERED, True)]) == OrderStatus.DELIVERED
    # Half shipped and delivered: the order waits for the rest.
    assert rules.order_target(ordered, {"A": 2}, [parcel(S.DELIVERED, True)]) == OrderStatus.SHIPPED
    two = [parcel(S.DELIVERED, True), parcel(S.LABEL_CREATED)]
    assert rules.order_target(ordered, everything, two) == OrderStatus.SHIPPED


def test_order_paths_walk_one_edge_at_a_time() -> None:
    assert rules.order_path("paid", OrderStatus.FULFILLING) == [OrderStatus.FULFILLING]
    assert rules.order_path("fulfilling", OrderStatus.DELIVERED) == [OrderStatus.SHIPPED, OrderStatus.DELIVERED]
    assert rules.order_path("", OrderStatus.SHIPPED) == [OrderStatus.FULFILLING, OrderStatus.SHIPPED]
    assert rules.order_path("delivered", OrderStatus.SHIPPED) == []
    assert rules.order_path("returned", OrderStatus.DELIVERED) == []


def test_allocation_takes_what_is_left() -> None:
    ordered = {"A": 3, "B": 1}
    assert rules.allocate([], ordered, {}, order_id="o") == {"A": 3, "B": 1}
    assert rules.allocate([], ordered, {"A": 1}, order_id="o") == {"A": 2, "B": 1}
    assert rules.allocate([("A", 2)], ordered, {"A": 1}, order_id="o") == {"A": 2}
    with pytest.raises(FailedPrecondition) as over:
        rules.allocate([("A", 3)], ordered, {"A": 1}, order_id="o")
    assert over.value.reason == rules.ITEMS_EXCEED_ORDER
    with pytest.raises(FailedPrecondition) as stranger:
        rules.allocate([("Z", 1)], ordered, {}, order_id="o")
    assert stranger.value.reason == rules.ITEMS_EXCEED_ORDER
    with pytest.raises(FailedPrecondition) as done:
        rules.allocate([], ordered, {"A": 3, "B": 1}, order_id="o")
    assert done.value.reason == rules.NOTHING_TO_SHIP


def test_shipment_ids_name_their_order() -> None:
    sid = rules.shipment_id("ORD-0123456789ABCDEF", 3)
    assert sid == "SHP-0123456789ABCDEF-3"
    assert rules.order_of(sid) == "ORD-0123456789ABCDEF"
    for bad in ("", "SHP-0123456789ABCDEF-0", "SHP-0123456789abcdef-1", "SHP-0123456789ABCDEF", "ORD-0123456789ABCDEF"):
        violations = Violations()
        rules.check_shipment_id(violations, bad)
        assert violations, bad


@pytest.mark.parametrize(
    ("carrier", "number", "ok"),
    [
        ("ups", "1Z 999A A101 2345 6784", True),
        ("ups", "1Z999AA1012345678", False),
        ("fedex", "1234-5678-9012", True),
        ("fedex", "12345678901", False),
        ("usps", "9400111899223817576584", True),
        ("usps", "EC123456789US", True),
        ("usps", "EC123456789GB", False),
        ("dhl", "1234567890", True),
        ("dhl", "12345", False),
    ],
)
def test_tracking_numbers_follow_their_carrier(carrier: str, number: str, ok: bool) -> None:
    entry = default_carrier_table().get(carrier)
    assert entry is not None
    violations = Violations()
    normalized = rules.normalize_tracking_number(number)
    assert (
        rules.check_tracking_number(violations, "tracking_number", normalized, entry.tracking_number, entry.name) is ok
    )


def test_the_carrier_table() -> None:
    table = default_carrier_table()
    assert table.codes == ("dhl", "fedex", "ups", "usps")
    ups = table.get("ups")
    assert ups is not None and ups.offers(ServiceLevel.OVERNIGHT)
    usps = table.get("usps")
    assert usps is not None and not usps.offers(ServiceLevel.ECONOMY)
    assert ups.tracking_url("1Z999AA10123456784") == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert ups.tracking_url("") == ""
    friday = datetime(2024, 12, 20, 15, 0, tzinfo=UTC)
    assert ups.estimate_delivery(friday, ServiceLevel.OVERNIGHT) == datetime(2024, 12, 23, 15, 0, tzinfo=UTC)
    assert ups.estimate_delivery(friday, ServiceLevel.EXPEDITED) == datetime(2024, 12, 24, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "broken",
    [
        {},
        {"carriers": []},
        {"carriers": [{"code": "UPS"}]},
        {"carriers": [{"code": "x1", "name": "X", "service_levels": {"warp": 1}}]},
        {"carriers": [{"code": "x1", "name": "X", "service_levels": {"standard": 0}}]},
        {
            "carriers": [
                {
                    "code": "x1",
                    "name": "X",
                    "service_levels": {"standard": 3},
                    "tracking_number": "[0-9]{10}",
                    "tracking_url": "http://insecure/{tracking_number}",
                    "max_weight_grams": 1000,
                    "max_length_mm": 1000,
                }
            ]
        },
        {
            "carriers": [
                {
                    "code": "x1",
                    "name": "X",
                    "service_levels": {"standard": 3},
                    "tracking_number": "[0-9]{10}",
                    "max_weight_grams": 90000,
                    "max_length_mm": 1000,
                }
            ]
        },
    ],
)
def test_a_malformed_carrier_table_is_refused(broken: object) -> None:
    with pytest.raises(ValueError):
        parse_carrier_table(broken)
