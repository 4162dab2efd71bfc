"""Checkout's delivery windows from the ETA agent's answers, without I/O: one route per option the
agent can estimate, each answer put on its option (days, dates, the name), options it cannot
estimate keeping the shipping table's window and saying so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2 as agent_pb
from holidaypeak.commerce.v1 import shipment_pb2
from hph.commerce.delivery_windows import (
    AGENT_SOURCE,
    TABLE_SOURCE,
    apply_estimates,
    keep_answer,
    routes_key,
    routes_request,
    with_estimate,
)
from hph.commerce.pricing.rules import OfferedOption, add_business_days, option_name
from hph.commerce.pricing.tables import Destination
from hph.runtime.cache import TtlCache
from hph.runtime.clock import to_timestamp
from tests.support.clocks import ManualClock

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)  # the Wednesday before Thanksgiving
HOME = Destination("US", "CA", "94103")


def offered(option_id: str, label: str, low: int, high: int) -> OfferedOption:
    return OfferedOption(
        option_id=option_id,
        name=option_name(label, low, high),
        amount_minor=599,
        min_days=low,
        max_days=high,
        earliest_delivery_at=add_business_days(NOW, low),
        latest_delivery_at=add_business_days(NOW, high),
        label=label,
    )


STANDARD, EXPRESS = offered("standard", "Standard", 3, 5), offered("express", "Express", 1, 2)


def answer(first: datetime, end: datetime, low: int, high: int) -> agent_pb.ComputeEtaResponse:
    return agent_pb.ComputeEtaResponse(
        estimate=agent_types_pb2.DeliveryEstimate(
            estimated_delivery_at=to_timestamp(first),
            window=agent_types_pb2.TimeWindow(start_time=to_timestamp(first), end_time=to_timestamp(end)),
            confidence=0.8,
        ),
        window_start_business_days=low,
        window_end_business_days=high,
    )


def test_one_route_per_option_with_its_service_level_to_the_destination_ready_now() -> None:
    request = routes_request([STANDARD, EXPRESS, offered("drone", "Drone", 0, 0)], HOME, NOW)
    assert [r.service_level for r in request.routes] == [
        shipment_pb2.SERVICE_LEVEL_STANDARD,
        shipment_pb2.SERVICE_LEVEL_EXPEDITED,
    ]
    first = request.routes[0]
    assert (first.destination_country_code, first.destination_region, first.destination_postal_code) == (
        "US",
        "CA",
        "94103",
    )
    assert first.ready_at.ToDatetime(tzinfo=UTC) == NOW and not first.carrier


def test_the_agents_window_replaces_the_tables_days_dates_and_name() -> None:
    # Thanksgiving skipped: the agent's window is Mon 30 Nov .. Tue 1 Dec (end exclusive: Wed 00:00).
    estimate = answer(datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC), 2, 3)
    windowed = with_estimate(EXPRESS, estimate)
    assert (windowed.min_days, windowed.max_days, windowed.name) == (2, 3, "Express (2-3 business days)")
    assert windowed.earliest_delivery_at == datetime(2026, 11, 30, tzinfo=UTC)
    assert windowed.latest_delivery_at == datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC)
    assert (windowed.option_id, windowed.amount_minor) == (EXPRESS.option_id, EXPRESS.amount_minor)


def test_answers_go_to_their_options_and_options_without_a_route_keep_the_table() -> None:
    drone = offered("drone", "Drone", 0, 0)
    estimates = [
        answer(datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 12, 5, tzinfo=UTC), 4, 6),
        answer(datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC), 2, 2),
    ]
    windows = apply_estimates([STANDARD, drone, EXPRESS], estimates)
    assert [(o.option_id, o.min_days, o.max_days) for o in windows.options] == [
        ("standard", 4, 6),
        ("drone", 0, 0),
        ("express", 2, 2),
    ]
    assert windows.options[1] == drone
    assert windows.sources == {"standard": AGENT_SOURCE, "drone": TABLE_SOURCE, "express": AGENT_SOURCE}
    assert windows.skipped == []


def test_an_answer_is_reused_for_the_same_routes_until_the_agent_says_and_not_after() -> None:
    clock = ManualClock(NOW.timestamp())
    answers: TtlCache[agent_pb.EstimateRoutesResponse] = TtlCache(60.0, clock=clock)
    key = routes_key(routes_request([STANDARD, EXPRESS], HOME, NOW))
    later = NOW + timedelta(seconds=5)
    assert routes_key(routes_request([STANDARD, EXPRESS], HOME, later)) == key, "the ready time is not the key"
    assert routes_key(routes_request([STANDARD, EXPRESS], Destination("US", "NY", "10001"), NOW)) != key
    until = NOW + timedelta(seconds=10)
    answer = agent_pb.EstimateRoutesResponse(valid_until=to_timestamp(until))
    keep_answer(answers, key, answer)
    clock.now = later.timestamp()
    assert answers.get(key) is answer
    clock.now = until.timestamp()
    assert answers.get(key) is None, "gone at valid_until"
    clock.now = NOW.timestamp()
    keep_answer(answers, key, agent_pb.EstimateRoutesResponse())
    assert answers.get(key) is None, "an answer without valid_until is not kept"
    clock.now = (until + timedelta(seconds=1)).timestamp()
    keep_answer(answers, key, answer)
    assert answers.get(key) is None, "an answer already expired is not kept"
