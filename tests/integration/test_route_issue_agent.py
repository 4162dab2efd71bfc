"""Agent logistics-route-issue-detection over real gRPC on a hub with the commerce services: a
shipment with an exception scan and one stuck at a hub become issues with their severities; a late
shipment (its estimate passed) becomes exactly one support ticket in the staff queue, also after the
group is replayed and the sweep runs again; every error status of DetectIssues."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf import timestamp_pb2

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import logistics_route_issue_detection_service_pb2 as pb
from holidaypeak.agents.v1 import logistics_route_issue_detection_service_pb2_grpc as pb_grpc
from holidaypeak.commerce.v1 import shipment_pb2, ticket_pb2
from holidaypeak.commerce.v1 import shipment_service_pb2 as ship_pb
from holidaypeak.commerce.v1 import shipment_service_pb2_grpc as ship_grpc
from holidaypeak.commerce.v1 import support_ticket_service_pb2 as tickets_pb
from holidaypeak.commerce.v1 import support_ticket_service_pb2_grpc as tickets_grpc
from hph.agents.logistics_route_issue_detection.servicer import RouteIssueSweeper
from hph.agents.logistics_route_issue_detection.watch import GROUP
from tests.integration.test_order_status_eta_grpc import a_paid_order
from tests.support.platform_harness import Hub
from tests.support.rich_status import expect_error, violated_fields
from tests.support.shoppers import a_shopper, staff
from tests.support.waiting import eventually, read_until

pytestmark = pytest.mark.integration

HUB_SERVICES = (
    "catalog",
    "users",
    "inventory",
    "cart",
    "checkout",
    "orders",
    "payments",
    "shipments",
    "tickets",
    "logistics-route-issue-detection",
)
ST = shipment_pb2.ShipmentStatus
UPS_NUMBER = "1Z999AA10123456784"


def stamp(moment: datetime) -> timestamp_pb2.Timestamp:
    result = timestamp_pb2.Timestamp()
    result.FromDatetime(moment)
    return result


def agent(hub: Hub) -> pb_grpc.LogisticsRouteIssueDetectionServiceStub:
    return pb_grpc.LogisticsRouteIssueDetectionServiceStub(hub.channel)


async def a_shipment(hub: Hub, sub: str, scans: list[tuple[int, str]], *, estimate: datetime | None = None) -> str:
    order, _ = await a_paid_order(hub, sub)
    shipments = ship_grpc.ShipmentServiceStub(hub.channel)
    created = await shipments.CreateShipment(
        ship_pb.CreateShipmentRequest(
            order_id=order.id,
            carrier="ups",
            service_level=shipment_pb2.SERVICE_LEVEL_STANDARD,
            tracking_number=UPS_NUMBER,
            package_weight_grams=1200,
            request_id=uuid.uuid4().hex,
        ),
        metadata=staff(hub),
    )
    await asyncio.sleep(0.01)
    start = datetime.now(UTC)
    for index, (status, location) in enumerate(scans):
        last = index == len(scans) - 1
        await shipments.AddShipmentEvent(
            ship_pb.AddShipmentEventRequest(
                shipment_id=created.id,
                status=status,  # type: ignore[arg-type]
                occurred_at=stamp(start + timedelta(milliseconds=index)),
                location=location,
                description=f"scan {index}",
                estimated_delivery_at=stamp(estimate) if estimate is not None and last else None,
                request_id=uuid.uuid4().hex,
            ),
            metadata=staff(hub),
        )
    return str(created.id)


async def issues_of(hub: Hub, shipment_id: str, count: int) -> list[pb.RouteIssue]:
    async def read() -> pb.DetectIssuesResponse | None:
        try:
            answer: pb.DetectIssuesResponse = await agent(hub).DetectIssues(
                pb.DetectIssuesRequest(shipment_id=shipment_id), metadata=staff(hub)
            )
            return answer
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.NOT_FOUND:
                raise
            return None

    answer = await read_until(read, lambda found: found is not None and len(found.issues) >= count)
    assert answer is not None, f"shipment {shipment_id} never reached the projection"
    return list(answer.issues)


async def route_tickets(hub: Hub, shipment_id: str) -> list[ticket_pb2.Ticket]:
    page = await tickets_grpc.SupportTicketServiceStub(hub.channel).ListAllTickets(
        tickets_pb.ListAllTicketsRequest(page_size=100), metadata=staff(hub)
    )
    return [t for t in page.tickets if shipment_id in t.subject]


def sweeper(hub: Hub) -> RouteIssueSweeper:
    return next(task for task in hub.platform.deps.background if isinstance(task, RouteIssueSweeper))


async def test_an_exception_scan_and_a_parcel_stuck_at_a_hub_are_issues_with_severities(hub: Hub) -> None:
    excepted = await a_shipment(
        hub, "eve", [(ST.SHIPMENT_STATUS_PICKED_UP, "Oakland, CA, US"), (ST.SHIPMENT_STATUS_EXCEPTION, "Reno, NV, US")]
    )
    stuck = await a_shipment(
        hub,
        "stu",
        [
            (ST.SHIPMENT_STATUS_PICKED_UP, "Oakland, CA, US"),
            (ST.SHIPMENT_STATUS_IN_TRANSIT, "Memphis, TN, US"),
            (ST.SHIPMENT_STATUS_IN_TRANSIT, "Memphis, TN, US"),
            (ST.SHIPMENT_STATUS_IN_TRANSIT, "Memphis, TN, US"),
        ],
    )
    (exception,) = await issues_of(hub, excepted, 1)
    assert exception.kind == pb.ROUTE_ISSUE_KIND_EXCEPTION_SCAN
    assert exception.severity == agent_types_pb2.SEVERITY_MEDIUM
    assert exception.action.code == "resolve_exception" and exception.last_location == "Reno, NV, US"
    assert exception.drivers[0].name == "exception_scans" and exception.drivers[0].value == 1
    assert exception.issue_id == f"{excepted}.exception_scan" and not exception.ticket_id

    (hub_issue,) = await issues_of(hub, stuck, 1)
    assert hub_issue.kind == pb.ROUTE_ISSUE_KIND_STUCK_AT_HUB
    assert hub_issue.severity == agent_types_pb2.SEVERITY_MEDIUM
    assert hub_issue.message.startswith("3 scans in a row at Memphis, TN, US")

    everything = await agent(hub).DetectIssues(pb.DetectIssuesRequest(), metadata=staff(hub))
    assert everything.shipments_checked >= 2 and len(everything.issues) >= 2
    assert everything.explanation.freshness.HasField("data_as_of")
    assert "no_scan_hours.standard" in [d.name for d in everything.explanation.drivers]
    only_hubs = await agent(hub).DetectIssues(
        pb.DetectIssuesRequest(kinds=[pb.ROUTE_ISSUE_KIND_STUCK_AT_HUB]), metadata=staff(hub)
    )
    assert [i.shipment_id for i in only_hubs.issues] == [stuck]
    high_only = await agent(hub).DetectIssues(
        pb.DetectIssuesRequest(min_severity=agent_types_pb2.SEVERITY_HIGH), metadata=staff(hub)
    )
    assert not [i for i in high_only.issues if i.shipment_id in (stuck, excepted)]
    first = await agent(hub).DetectIssues(pb.DetectIssuesRequest(page_size=1), metadata=staff(hub))
    second = await agent(hub).DetectIssues(
        pb.DetectIssuesRequest(page_size=1, page_token=first.next_page_token), metadata=staff(hub)
    )
    assert first.next_page_token and first.issues[0].issue_id != second.issues[0].issue_id


async def test_a_late_shipment_becomes_exactly_one_ticket_in_the_staff_queue(hub: Hub) -> None:
    passed = datetime.now(UTC) - timedelta(hours=2)
    late = await a_shipment(
        hub,
        "lou",
        [(ST.SHIPMENT_STATUS_PICKED_UP, "Oakland, CA, US"), (ST.SHIPMENT_STATUS_IN_TRANSIT, "Denver, CO, US")],
        estimate=passed,
    )
    (issue,) = await issues_of(hub, late, 1)
    assert issue.kind == pb.ROUTE_ISSUE_KIND_ETA_PASSED and issue.severity == agent_types_pb2.SEVERITY_HIGH
    assert issue.action.code == "notify_customer" and "h ago without delivery" in issue.message

    async def ticketed() -> bool:
        return len(await route_tickets(hub, late)) == 1

    await eventually(ticketed, within=10)
    (ticket,) = await route_tickets(hub, late)
    assert ticket.category == ticket_pb2.TICKET_CATEGORY_SHIPPING
    assert ticket.priority == ticket_pb2.TICKET_PRIORITY_HIGH
    (with_ticket,) = await read_until(lambda: issues_of(hub, late, 1), lambda found: bool(found and found[0].ticket_id))
    assert with_ticket.ticket_id == ticket.id

    # Redelivery (the whole group replayed) and repeated sweeps raise nothing new and open no ticket,
    # and the replay rebuilds the same documents.
    watch = sweeper(hub).agent.watch
    before = [await watch.parcel(late), await watch.issue(late, issue.issue_id)]
    assert hub.platform.deps.bus is not None
    bus = hub.platform.deps.bus
    await bus.reset(GROUP)

    async def replayed() -> bool:
        return sum(lag.events for lag in await bus.lag(GROUP)) == 0

    await eventually(replayed, within=10)
    for _ in range(3):
        await applied(hub)
        assert await sweeper(hub).agent.sweep_once() == 0
    await asyncio.sleep(0.5)  # a ticket handler that wrongly ran again would have answered by now
    assert len(await route_tickets(hub, late)) == 1
    after = [await watch.parcel(late), await watch.issue(late, issue.issue_id)]
    assert [_content(doc) for doc in after] == [_content(doc) for doc in before]


async def test_detect_issues_refuses_what_it_cannot_answer(hub: Hub) -> None:
    shopper = await a_shopper(hub, "nosy")
    await expect_error(
        agent(hub).DetectIssues(pb.DetectIssuesRequest(), metadata=shopper.me), grpc.StatusCode.PERMISSION_DENIED
    )
    await expect_error(agent(hub).DetectIssues(pb.DetectIssuesRequest()), grpc.StatusCode.UNAUTHENTICATED)
    error = await expect_error(
        agent(hub).DetectIssues(
            pb.DetectIssuesRequest(min_severity=9, kinds=[7], page_size=101, page_token="nope"),  # type: ignore[list-item]
            metadata=staff(hub),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    assert set(violated_fields(error)) >= {"min_severity", "kinds[0]", "page_size", "page_token"}
    for bad in ("a/b", "x" * 201):
        error = await expect_error(
            agent(hub).DetectIssues(pb.DetectIssuesRequest(shipment_id=bad), metadata=staff(hub)),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        assert set(violated_fields(error)) == {"shipment_id"}
    await expect_error(
        agent(hub).DetectIssues(pb.DetectIssuesRequest(shipment_id="shp_nope"), metadata=staff(hub)),
        grpc.StatusCode.NOT_FOUND,
    )


async def test_the_sweep_finds_a_parcel_gone_silent_and_escalates_it_once(hub: Hub) -> None:
    quiet = await a_shipment(hub, "sil", [(ST.SHIPMENT_STATUS_PICKED_UP, "Oakland, CA, US")])
    sweep = sweeper(hub).agent
    await eventually(lambda: _projected(hub, quiet))
    assert not await issues_of(hub, quiet, 0)  # a fresh scan: nothing wrong yet
    later = datetime.now(UTC) + timedelta(hours=50)  # standard allows 48 h: medium
    await applied(hub)
    assert await sweep.sweep_once(now=later) >= 1
    await applied(hub)
    assert await sweep.sweep_once(now=later) == 0  # the same issue again: nothing raised
    much_later = later + timedelta(hours=50)  # over 96 h: high, a ticket
    await applied(hub)
    assert await sweep.sweep_once(now=much_later) >= 1
    raised = await sweep.watch.issue(quiet, f"{quiet}.no_scan")
    assert raised is not None and raised["severity"] == "high"

    async def ticketed() -> bool:
        return len(await route_tickets(hub, quiet)) == 1

    await eventually(ticketed, within=10)
    await applied(hub)
    assert await sweep.sweep_once(now=much_later) == 0
    await asyncio.sleep(0.5)
    assert len(await route_tickets(hub, quiet)) == 1


async def _projected(hub: Hub, shipment_id: str) -> bool:
    parcel = await sweeper(hub).agent.watch.parcel(shipment_id)
    return parcel is not None and any(scan["status"] == "picked_up" for scan in parcel["scans"])


def _content(doc: dict | None) -> dict:  # type: ignore[type-arg]
    assert doc is not None
    return {name: value for name, value in doc.items() if not name.startswith("_")}


async def applied(hub: Hub) -> None:
    """Waits until the agent's group has applied every shipment event (the sweep waits for that too)."""
    bus = hub.platform.deps.bus
    assert bus is not None

    async def caught_up() -> bool:
        return sum(lag.events for lag in await bus.lag(GROUP)) == 0

    await eventually(caught_up, within=10)
