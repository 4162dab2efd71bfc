"""Checkout's delivery windows from agent logistics-eta-computation: one EstimateRoutes call for all of
a destination's shipping options (each option's service level, to the address's postal code, ready
now), through the agent-call helper (its own short deadline, breaker, fallback). The agent knows what
the static shipping table cannot: today's cut-off, the holiday calendar, the destination's zone and
the carriers' recent lateness. When it cannot answer, the table's day counts stand, each option says
so (`window_source` "table") and the caller records "logistics-eta-computation: <why>" among its
skipped checks.

The agent says until when its answer stands (`valid_until`: the next cut-off or midnight, its
carrier records' freshness at most), so the same destination's windows are reused until then
instead of asked again for every ValidateCheckout and QuoteCheckout of the same minute.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2 as agent_pb
from holidaypeak.agents.v1 import logistics_eta_computation_service_pb2_grpc as agent_grpc
from holidaypeak.commerce.v1 import shipment_pb2
from hph.commerce.agent_calls import AgentClient
from hph.commerce.pricing.rules import OfferedOption, option_name
from hph.commerce.pricing.tables import Destination
from hph.runtime.cache import TtlCache
from hph.runtime.clock import to_timestamp
from hph.runtime.deps import Dependencies

AGENT = "logistics-eta-computation"
RPC = "EstimateRoutes"
AGENT_SOURCE = AGENT
TABLE_SOURCE = "table"
# The service level each shipping option is sold as (the shipping table's option ids).
OPTION_LEVELS: dict[str, shipment_pb2.ServiceLevel] = {
    "standard": shipment_pb2.SERVICE_LEVEL_STANDARD,
    "express": shipment_pb2.SERVICE_LEVEL_EXPEDITED,
}
# Longest an answer is reused whatever its `valid_until` says (the agent's own bound is 10 s).
ANSWER_LIFETIME_CAP_SECONDS = 60.0
# A window's end is exclusive (midnight after its last day); the latest delivery is just before it.
LAST_MOMENT = timedelta(seconds=1)


@dataclass(frozen=True)
class Windows:
    """The options with their windows, where each window came from, and what was skipped."""

    options: tuple[OfferedOption, ...]
    sources: dict[str, str] = field(default_factory=dict)  # option id -> AGENT_SOURCE | TABLE_SOURCE
    skipped: list[str] = field(default_factory=list)


def with_estimate(option: OfferedOption, estimate: agent_pb.ComputeEtaResponse) -> OfferedOption:
    """The option with the agent's window: its first and last day, in business days after today."""
    low, high = estimate.window_start_business_days, estimate.window_end_business_days
    return replace(
        option,
        name=option_name(option.label, low, high) if option.label else option.name,
        min_days=low,
        max_days=high,
        earliest_delivery_at=estimate.estimate.window.start_time.ToDatetime(tzinfo=option.earliest_delivery_at.tzinfo),
        latest_delivery_at=estimate.estimate.window.end_time.ToDatetime(tzinfo=option.latest_delivery_at.tzinfo)
        - LAST_MOMENT,
    )


def routes_request(
    options: Sequence[OfferedOption], destination: Destination, now: datetime
) -> agent_pb.EstimateRoutesRequest:
    """One route per option the agent can estimate (an option without a service level keeps the table's)."""
    return agent_pb.EstimateRoutesRequest(
        routes=[
            agent_pb.EtaRoute(
                service_level=OPTION_LEVELS[option.option_id],
                destination_country_code=destination.country_code,
                destination_region=destination.region,
                destination_postal_code=destination.postal_code,
                ready_at=to_timestamp(now),
            )
            for option in options
            if option.option_id in OPTION_LEVELS
        ]
    )


def apply_estimates(options: Sequence[OfferedOption], estimates: Sequence[agent_pb.ComputeEtaResponse]) -> Windows:
    """The agent's estimates (in the order of `routes_request`) put on the options they are for."""
    answers = iter(estimates)
    windowed, sources = [], {}
    for option in options:
        estimate = next(answers, None) if option.option_id in OPTION_LEVELS else None
        windowed.append(with_estimate(option, estimate) if estimate is not None else option)
        sources[option.option_id] = AGENT_SOURCE if estimate is not None else TABLE_SOURCE
    return Windows(tuple(windowed), sources)


def routes_key(request: agent_pb.EstimateRoutesRequest) -> bytes:
    """The request without its ready times (always "now"): what an answer is reused for."""
    timeless = agent_pb.EstimateRoutesRequest()
    timeless.CopyFrom(request)
    for route in timeless.routes:
        route.ClearField("ready_at")
    return timeless.SerializeToString(deterministic=True)


def keep_answer(
    answers: TtlCache[agent_pb.EstimateRoutesResponse], key: bytes, answer: agent_pb.EstimateRoutesResponse
) -> None:
    """Keeps the agent's answer until its `valid_until`; one without it is asked for every time."""
    if answer.HasField("valid_until"):
        answers.put(key, answer, expires_at=answer.valid_until.ToDatetime(tzinfo=UTC).timestamp())


class DeliveryWindows:
    def __init__(self, deps: Dependencies) -> None:
        self.client = AgentClient(
            deps,
            AGENT,
            agent_grpc.LogisticsEtaComputationServiceStub,
            deadline_seconds=deps.settings.delivery_window_deadline_seconds,
        )
        # The agent's answers by routes (keep_answer), on the services' clock as its `valid_until`.
        self.answers: TtlCache[agent_pb.EstimateRoutesResponse] = TtlCache(
            ttl_seconds=ANSWER_LIFETIME_CAP_SECONDS, max_entries=1_024, clock=lambda: deps.clock().timestamp()
        )

    async def windows(
        self, options: Sequence[OfferedOption], destination: Destination | None, now: datetime
    ) -> Windows:
        request = routes_request(options, destination, now) if destination is not None else None
        if request is None or not request.routes:
            return Windows(tuple(options), {option.option_id: TABLE_SOURCE for option in options})
        key = routes_key(request)
        answer = self.answers.get(key)
        if answer is None:
            result = await self.client.call(
                RPC, request, response=agent_pb.EstimateRoutesResponse, fallback=lambda: None
            )
            if result.value is None or len(result.value.estimates) != len(request.routes):
                why = result.skipped or "an answer for every option missing"
                table = {option.option_id: TABLE_SOURCE for option in options}
                return Windows(tuple(options), table, [f"{AGENT}: {why}"])
            answer = result.value
            keep_answer(self.answers, key, answer)
        return apply_estimates(options, answer.estimates)
