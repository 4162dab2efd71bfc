"""The route-issue projection and raising on the real SQLite store: events apply idempotently, an
issue is raised with its event once per (shipment, kind) and again only when its severity rises, old
events (replays, backfills) only update the projection, the sweep judges silence as of now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from holidaypeak.events.v1 import shipment_events_pb2 as ev
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.logistics_route_issue_detection.rules import default_rules
from hph.agents.logistics_route_issue_detection.servicer import RouteIssueAgent
from hph.agents.logistics_route_issue_detection.tickets import IssueTickets, ticket_request_id
from hph.agents.logistics_route_issue_detection.watch import WATCH, WATCH_KEY, RouteWatch
from hph.runtime.channels import ChannelPool
from hph.runtime.clock import to_timestamp
from hph.runtime.events import decode_envelope, resource_event
from hph.runtime.storage import Eq, Query, SqliteDocumentStore
from tests.support.clocks import ManualClock

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def created(clock: ManualClock[datetime]) -> EventEnvelope:
    payload = ev.ShipmentCreated(
        shipment_id="shp_1", order_id="ord_1", user_id="u1", carrier="ups", service_level=ev.SERVICE_LEVEL_STANDARD
    )
    return resource_event(payload, source="shipments", collection="shipments", resource_id="shp_1", clock=clock)


def scanned(clock: ManualClock[datetime], n: int, status: int, location: str = "Memphis, TN, US") -> EventEnvelope:
    payload = ev.ShipmentStatusChanged(
        shipment_id="shp_1",
        order_id="ord_1",
        user_id="u1",
        tracking_event_id=f"t{n}",
        carrier="ups",
        service_level=ev.SERVICE_LEVEL_STANDARD,
        new_status=status,  # type: ignore[arg-type]
        location=location,
        scanned_at=to_timestamp(clock()),
    )
    return resource_event(payload, source="shipments", collection="shipments", resource_id="shp_1", clock=clock)


async def raised_events(store: SqliteDocumentStore) -> list[ev.ShipmentIssueRaised]:
    container = await store.container(WATCH, WATCH_KEY)
    page = await container.query(Query(where=Eq("kind", "outbox")), partition_key="shp_1", max_items=100)
    return [decode_envelope(record).shipment_issue_raised for record in page.items]


async def an_agent(store: SqliteDocumentStore, clock: ManualClock[datetime]) -> RouteIssueAgent:
    watch = RouteWatch(await store.container(WATCH, WATCH_KEY), clock)
    return RouteIssueAgent(watch, default_rules(), IssueTickets(ChannelPool({}), None), clock)  # type: ignore[arg-type]


async def test_events_apply_once_and_an_issue_is_raised_once_then_again_when_it_worsens(
    store: SqliteDocumentStore,
) -> None:
    clock = ManualClock(NOW)
    agent = await an_agent(store, clock)
    await agent.handle(created(clock))
    first = scanned(clock, 1, ev.SHIPMENT_STATUS_EXCEPTION)
    await agent.handle(first)
    await agent.handle(first)  # redelivered
    parcel = await agent.watch.parcel("shp_1")
    assert parcel is not None and [s["id"] for s in parcel["scans"]] == ["t1"]
    (medium,) = await raised_events(store)
    assert (medium.kind, medium.severity) == (ev.SHIPMENT_ISSUE_KIND_EXCEPTION_SCAN, ev.SHIPMENT_ISSUE_SEVERITY_MEDIUM)

    clock.advance(60)
    await agent.handle(scanned(clock, 2, ev.SHIPMENT_STATUS_EXCEPTION, "Reno, NV, US"))
    severities = sorted((e.severity, e.previous_severity) for e in await raised_events(store))
    assert severities == [
        (ev.SHIPMENT_ISSUE_SEVERITY_MEDIUM, ev.SHIPMENT_ISSUE_SEVERITY_UNSPECIFIED),
        (ev.SHIPMENT_ISSUE_SEVERITY_HIGH, ev.SHIPMENT_ISSUE_SEVERITY_MEDIUM),
    ]
    issue = await agent.watch.issue("shp_1", "shp_1.exception_scan")
    assert issue is not None and issue["severity"] == "high" and issue["detected_at"].startswith("2026-12-03T12:00")


async def test_old_events_only_update_the_projection_and_the_sweep_judges_silence_now(
    store: SqliteDocumentStore,
) -> None:
    clock = ManualClock(NOW - timedelta(days=10))
    old_created, old_exception = created(clock), scanned(clock, 1, ev.SHIPMENT_STATUS_EXCEPTION)
    clock.now = NOW
    agent = await an_agent(store, clock)
    await agent.handle(old_created)
    await agent.handle(old_exception)
    assert await raised_events(store) == []
    assert await agent.sweep_once() == 2  # as of now: 240 h silent (critical) and the exception
    assert await agent.sweep_once() == 0
    kinds = sorted((e.kind, e.severity) for e in await raised_events(store))
    assert kinds == [
        (ev.SHIPMENT_ISSUE_KIND_NO_SCAN, ev.SHIPMENT_ISSUE_SEVERITY_CRITICAL),
        (ev.SHIPMENT_ISSUE_KIND_EXCEPTION_SCAN, ev.SHIPMENT_ISSUE_SEVERITY_MEDIUM),
    ]


def test_the_ticket_key_is_the_issues_alone_and_fits_a_request_id() -> None:
    assert ticket_request_id("shp_1.no_scan") == ticket_request_id("shp_1.no_scan")
    assert ticket_request_id("shp_1.no_scan") != ticket_request_id("shp_1.eta_passed")
    assert len(ticket_request_id("x" * 500)) <= 128


async def test_the_sweep_waits_until_the_groups_events_are_applied(store: SqliteDocumentStore) -> None:
    clock = ManualClock(NOW - timedelta(days=10))
    old_created = created(clock)
    clock.now = NOW
    lagging = True

    async def caught_up() -> bool:
        return not lagging

    watch = RouteWatch(await store.container(WATCH, WATCH_KEY), clock)
    tickets = IssueTickets(ChannelPool({}), None)  # type: ignore[arg-type]
    agent = RouteIssueAgent(watch, default_rules(), tickets, clock, caught_up=caught_up)
    await agent.handle(old_created)
    assert await agent.sweep_once() == 0 and await raised_events(store) == []
    lagging = False
    assert await agent.sweep_once() == 1  # silent since the label, 240 h ago
