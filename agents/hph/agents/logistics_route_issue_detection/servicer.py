"""LogisticsRouteIssueDetectionService over gRPC, the agent's event handling and its sweep.

- Every shipment event updates the parcel (`watch`) and, when it is recent (the rules'
  `events_judged_within_hours`), judges it as of the event's own time: never "no scan for 30 days"
  for a parcel whose later scans have not been replayed yet, and a replay or a backfilled history
  of parcels delivered long ago raises nothing.
- The sweep (a background job, where the host runs them) evaluates every parcel in transit as of
  now: a parcel that went silent produces no event, so only the sweep can find it.
- Each issue found is raised through `RouteWatch.raise_issue` (issue document + event, one batch,
  deduplicated); the group's ShipmentIssueRaised handler opens the ticket of a HIGH/CRITICAL one.
- DetectIssues evaluates the parcels in transit as of now and joins what was raised (first
  detection, ticket).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import logistics_route_issue_detection_service_pb2 as pb
from holidaypeak.agents.v1 import logistics_route_issue_detection_service_pb2_grpc as pb_grpc
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.logistics_route_issue_detection import core
from hph.agents.logistics_route_issue_detection.rules import (
    TICKET_SEVERITIES,
    RouteIssueRules,
    default_rules,
    severity_rank,
)
from hph.agents.logistics_route_issue_detection.tickets import IssueTickets
from hph.agents.logistics_route_issue_detection.watch import (
    CONTAINERS,
    GROUP,
    KIND_FROM_EVENT,
    SEVERITY_FROM_EVENT,
    SOURCE,
    TOPIC,
    WATCH,
    WATCH_KEY,
    RouteWatch,
    parcel_of,
)
from hph.agents.runtime import data_freshness, explanation, narrate_if_asked
from hph.agents.runtime.paging import offset_token, query_digest, token_offset
from hph.runtime import validation
from hph.runtime.clock import Clock, from_iso, to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import NotFound, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.periodic import PeriodicJob, Sweeper
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import Document

__all__ = ["CONTAINERS", "RouteIssueServicer", "create_binding"]

log = logging.getLogger("hph.agents.logistics_route_issue_detection")

SWEEP_INTERVAL_SECONDS = 60.0
# Room for the "issue:" prefix and ".<kind>" suffix within a document id; no / \\ ? # (storage ids).
SHIPMENT_ID = re.compile(r"[A-Za-z0-9_.-]{1,200}")
KIND_TO_PB = {
    "no_scan": pb.ROUTE_ISSUE_KIND_NO_SCAN,
    "eta_passed": pb.ROUTE_ISSUE_KIND_ETA_PASSED,
    "exception_scan": pb.ROUTE_ISSUE_KIND_EXCEPTION_SCAN,
    "stuck_at_hub": pb.ROUTE_ISSUE_KIND_STUCK_AT_HUB,
}
KIND_FROM_PB = {value: name for name, value in KIND_TO_PB.items()}
SEVERITY_TO_PB = {
    "info": agent_types_pb2.SEVERITY_INFO,
    "low": agent_types_pb2.SEVERITY_LOW,
    "medium": agent_types_pb2.SEVERITY_MEDIUM,
    "high": agent_types_pb2.SEVERITY_HIGH,
    "critical": agent_types_pb2.SEVERITY_CRITICAL,
}


class RouteIssueAgent:
    """The agent's effects: evaluate a parcel, raise what it has, open tickets."""

    def __init__(
        self,
        watch: RouteWatch,
        rules: RouteIssueRules,
        tickets: IssueTickets,
        clock: Clock,
        *,
        caught_up: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self.watch = watch
        self._caught_up = caught_up
        self.rules = rules
        self._tickets = tickets
        self._clock = clock
        self._judged_within = timedelta(hours=rules.events_judged_within_hours)

    async def handle(self, envelope: EventEnvelope) -> None:
        """The consumer group's handler for every shipment-events event."""
        if envelope.WhichOneof("payload") == "shipment_issue_raised":
            await self._open_ticket(envelope)
            return
        parcel = await self.watch.apply(envelope)
        occurred = envelope.occurred_at.ToDatetime(tzinfo=UTC)
        if parcel is not None and self._clock() - occurred <= self._judged_within:
            await self.evaluate(parcel, occurred)

    async def evaluate(self, parcel: Document, at: datetime) -> int:
        """Raises the parcel's issues as of `at`; how many events it raised."""
        raised = 0
        for issue in core.detect(parcel_of(parcel), at, self.rules):
            raised += await self.watch.raise_issue(parcel, issue, at)
        return raised

    async def sweep_once(self, *, now: datetime | None = None) -> int:
        """Evaluates every parcel in transit as of now; how many events it raised. Skipped while the
        group has events to apply: a parcel whose latest scans wait in the log is not silent."""
        if self._caught_up is not None and not await self._caught_up():
            log.info("route issue sweep skipped: the shipment events are not all applied yet")
            return 0
        moment = now or self._clock()
        raised = 0
        async for parcel in self.watch.in_transit():
            try:
                raised += await self.evaluate(parcel, moment)
            except Exception:
                log.exception("could not evaluate shipment %s; retrying next sweep", parcel.get("shipment_id"))
        return raised

    async def _open_ticket(self, envelope: EventEnvelope) -> None:
        event = envelope.shipment_issue_raised
        severity = SEVERITY_FROM_EVENT.get(event.severity, "")
        if severity not in TICKET_SEVERITIES:
            return
        stored = await self.watch.issue(event.shipment_id, event.issue_id)
        if stored is None or stored["ticket_id"]:
            return  # already ticketed (a redelivery, or a severity raised again)
        kind = KIND_FROM_EVENT.get(event.kind, "no_scan")
        ticket_id = await self._tickets.open(
            issue_id=event.issue_id,
            shipment_id=event.shipment_id,
            order_id=event.order_id,
            severity=severity,
            message=event.message,
            action=self.rules.actions[kind].description,
        )
        await self.watch.set_ticket(event.shipment_id, event.issue_id, ticket_id)


class RouteIssueSweeper(Sweeper):
    """Finds parcels that went silent (no event arrives for "no scan") every interval."""

    def __init__(self, agent: RouteIssueAgent, *, interval: float = SWEEP_INTERVAL_SECONDS) -> None:
        self.agent = agent
        self._job = PeriodicJob(
            agent.sweep_once,
            interval=interval,
            name="hph-route-issue-sweep",
            log=log,
            failure="route issue sweep failed",
            first_pass="now",
        )


class RouteIssueServicer(pb_grpc.LogisticsRouteIssueDetectionServiceServicer):
    def __init__(self, agent: RouteIssueAgent, clock: Clock, narrator: Narrator | None = None) -> None:
        self._agent = agent
        self._clock = clock
        self._narrator = narrator or Narrator.off()

    async def DetectIssues(self, request: pb.DetectIssuesRequest, context: Any) -> pb.DetectIssuesResponse:
        kinds, size, offset, digest = _check(request)
        now = self._clock()
        watch, rules = self._agent.watch, self._agent.rules
        if request.shipment_id:
            one = await watch.parcel(request.shipment_id)
            if one is None:
                raise NotFound(f"shipment {request.shipment_id!r} not found")
            parcels = [one] if not one["delivered_at"] else []
        else:
            parcels = [doc async for doc in watch.in_transit()]
        minimum = request.min_severity
        found: list[tuple[Document, core.Issue]] = []
        for parcel in parcels:
            for issue in core.detect(parcel_of(parcel), now, rules):
                if kinds and issue.kind not in kinds:
                    continue
                if SEVERITY_TO_PB[issue.severity] < minimum:
                    continue
                found.append((parcel, issue))
        oldest = datetime.min.replace(tzinfo=UTC)
        found.sort(key=lambda pair: (-pair[1].rank, pair[1].last_scan_at or oldest, pair[1].issue_id))
        page = found[offset : offset + size]
        issues = [await self._view(parcel, issue, now) for parcel, issue in page]
        following = offset + size if offset + size < len(found) else None
        summary = _summary([issue for _, issue in found], len(parcels))
        response = pb.DetectIssuesResponse(
            issues=issues,
            next_page_token=offset_token(following, digest) if following is not None else "",
            shipments_checked=len(parcels),
            explanation=explanation(
                summary,
                core.thresholds(rules),
                method=f"{core.METHOD}+{rules.version}",
                freshness=data_freshness(
                    now,
                    data_as_of=watch.freshness.data_as_of,
                    sources=[SOURCE, "file:route_issue_rules.json"],
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="route issues")
        return response

    async def _view(self, parcel: Document, issue: core.Issue, now: datetime) -> pb.RouteIssue:
        stored = await self._agent.watch.issue(parcel["shipment_id"], issue.issue_id)
        detected = from_iso(stored["detected_at"]) if stored else now
        return pb.RouteIssue(
            issue_id=issue.issue_id,
            shipment_id=parcel["shipment_id"],
            order_id=parcel["order_id"],
            carrier=parcel["carrier"],
            kind=KIND_TO_PB[issue.kind],
            severity=SEVERITY_TO_PB[issue.severity],
            message=issue.message,
            action=agent_types_pb2.SuggestedAction(
                code=issue.action_code,
                description=issue.action_description,
                priority=1,
                target_id=parcel["shipment_id"],
            ),
            detected_at=to_timestamp(detected),
            last_scan_at=to_timestamp(issue.last_scan_at) if issue.last_scan_at else None,
            last_location=issue.last_location,
            ticket_id=stored["ticket_id"] if stored else "",
            drivers=[driver.to_proto() for driver in issue.drivers],
        )


def _summary(found: list[core.Issue], checked: int) -> str:
    shipments = len({issue.shipment_id for issue in found})
    text = f"{len(found)} issue(s) on {shipments} of {checked} shipment(s) in transit"
    severities = sorted({issue.severity for issue in found}, key=severity_rank, reverse=True)
    counts = [f"{sum(1 for issue in found if issue.severity == s)} {s}" for s in severities]
    return f"{text}: {', '.join(counts)}" if counts else text


def _digest(request: pb.DetectIssuesRequest) -> str:
    parts = [request.shipment_id, request.min_severity, sorted(request.kinds), request.page_size]
    return query_digest(parts)


def _check(request: pb.DetectIssuesRequest) -> tuple[set[str], int, int, str]:
    violations = Violations()
    violations.check(
        not request.shipment_id or bool(SHIPMENT_ID.fullmatch(request.shipment_id)),
        "shipment_id",
        "is not a shipment id (letters, digits, '-', '_', '.', at most 200 characters)",
    )
    violations.check(
        request.min_severity == 0 or request.min_severity in SEVERITY_TO_PB.values(), "min_severity", "unknown severity"
    )
    kinds: set[str] = set()
    for i, kind in enumerate(request.kinds):
        if kind in KIND_FROM_PB:
            kinds.add(KIND_FROM_PB[kind])
        else:
            violations.add(
                f"kinds[{i}]", "unknown kind (ROUTE_ISSUE_KIND_NO_SCAN, _ETA_PASSED, _EXCEPTION_SCAN, _STUCK_AT_HUB)"
            )
    size = validation.page_size(violations, "page_size", request.page_size)
    digest = _digest(request)
    offset = 0
    token = validation.page_token(violations, "page_token", request.page_token)
    if token is not None:
        decoded = token_offset(token, digest)
        violations.check(
            decoded is not None, "page_token", "is not a token of this query; keep the other parameters as they were"
        )
        offset = decoded or 0
    violations.raise_if_any()
    return kinds, size, offset, digest


async def create_binding(deps: Dependencies) -> ServiceBinding:
    watch = RouteWatch(await deps.store.container(WATCH, WATCH_KEY), deps.clock, notify=deps.notify_relay)
    bus = deps.bus

    async def caught_up() -> bool:
        return bus is None or sum(lag.events for lag in await bus.lag(GROUP)) == 0

    tickets = IssueTickets(deps.channels, deps.service_credentials)
    agent = RouteIssueAgent(watch, default_rules(), tickets, deps.clock, caught_up=caught_up)
    if bus is not None:
        bus.subscribe(TOPIC, GROUP, agent.handle)
    deps.background.append(RouteIssueSweeper(agent))
    servicer = RouteIssueServicer(agent, deps.clock, deps.narrator)
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["LogisticsRouteIssueDetectionService"].full_name,
        add_to_server=lambda server: pb_grpc.add_LogisticsRouteIssueDetectionServiceServicer_to_server(
            servicer, server
        ),
    )
