"""The alert documents and their events: container `inventory_alerts` (partition key /sku, with an
outbox). One document per (SKU, kind, episode), id = alert id = "<sku>.<kind>.<episode>".

- **Raise once.** A condition found for a (SKU, kind) with no open alert starts the next episode:
  the document is *created* (its id is the episode's, so two evaluations racing create it once)
  together with its InventoryAlertRaised event in one batch (hph.runtime.commit). Found again while
  the alert is open or acknowledged, it is updated (last seen, occurrences, numbers) and raises
  nothing, unless its severity rises (InventoryAlertRaised again, with previous_severity).
- **Cool-down.** When the condition no longer holds the alert is resolved (InventoryAlertResolved,
  cooldown_until = now + the kind's cool-down); until then the same kind is not raised again for
  the SKU: a SKU hovering around a threshold makes one alert, not one per crossing.
- **Acknowledge.** Staff acknowledge an open alert (InventoryAlertAcknowledged, who and a note); it
  stays acknowledged until resolved. Acknowledging it again changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, Final

from holidaypeak.events.v1 import inventory_events_pb2 as ev
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.agents.inventory_alerts_triggers.core import SEVERITY_RANK, Finding
from hph.runtime.clock import Clock, from_iso, to_iso, to_timestamp
from hph.runtime.commit import Done, Write, commit
from hph.runtime.events import resource_event
from hph.runtime.storage import (
    And,
    Container,
    ContainerSpec,
    CreateOp,
    Document,
    Eq,
    In,
    NotFoundError,
    Query,
    ReplaceOp,
)
from hph.runtime.storage.port import without_system_fields

log = logging.getLogger("hph.agents.inventory_alerts_triggers")

NAME, KEY = "inventory_alerts", "/sku"
CONTAINER: Final = ContainerSpec(NAME, KEY, outbox=True)
DOC_KIND: Final = "alert"
OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
EVENT_SOURCE: Final = "inventory-alerts-triggers"
PAGE: Final = 200
KIND_TO_EVENT = {
    "low_stock": ev.INVENTORY_ALERT_KIND_LOW_STOCK,
    "stock_out": ev.INVENTORY_ALERT_KIND_STOCK_OUT,
    "reservation_pressure": ev.INVENTORY_ALERT_KIND_RESERVATION_PRESSURE,
    "demand_spike": ev.INVENTORY_ALERT_KIND_DEMAND_SPIKE,
}
SEVERITY_TO_EVENT = {
    "info": ev.INVENTORY_ALERT_SEVERITY_INFO,
    "low": ev.INVENTORY_ALERT_SEVERITY_LOW,
    "medium": ev.INVENTORY_ALERT_SEVERITY_MEDIUM,
    "high": ev.INVENTORY_ALERT_SEVERITY_HIGH,
    "critical": ev.INVENTORY_ALERT_SEVERITY_CRITICAL,
}
RAISED, UPDATED, ESCALATED, SUPPRESSED = "raised", "updated", "escalated", "suppressed"


def alert_id(sku: str, kind: str, episode: int) -> str:
    return f"{sku}.{kind}.{episode}"


def parse_alert_id(value: str) -> tuple[str, str, int] | None:
    """(sku, kind, episode) of an alert id, None when it cannot be one."""
    parts = value.rsplit(".", 2)
    if len(parts) != 3 or parts[1] not in KIND_TO_EVENT or not parts[2].isdigit() or not parts[0]:
        return None
    return parts[0], parts[1], int(parts[2])


class AlertBook:
    """The alerts' documents and the events written with them."""

    def __init__(self, container: Container, clock: Clock, *, notify: Callable[[], None] | None = None) -> None:
        self._container = container
        self._clock = clock
        self._notify = notify

    async def active(self) -> dict[tuple[str, str], Document]:
        """Every open or acknowledged alert by (sku, kind) (a cross-partition query: few documents)."""
        found: dict[tuple[str, str], Document] = {}
        where = And(Eq("kind", DOC_KIND), In("state", [OPEN, ACKNOWLEDGED]))
        async for doc in self._query(Query(where=where)):
            found[(doc["sku"], doc["alert_kind"])] = doc
        return found

    async def every(self, *, sku: str = "") -> list[Document]:
        return [doc async for doc in self._query(Query(where=Eq("kind", DOC_KIND)), partition_key=sku or None)]

    async def read(self, sku: str, alert: str) -> Document | None:
        try:
            return await self._container.read(alert, sku)
        except NotFoundError:
            return None

    async def latest(self, sku: str, kind: str) -> Document | None:
        """The SKU's newest episode of `kind` (any state), None before the first."""
        docs = [
            doc
            async for doc in self._query(
                Query(where=And(Eq("kind", DOC_KIND), Eq("alert_kind", kind))), partition_key=sku
            )
        ]
        return max(docs, key=lambda doc: int(doc["episode"]), default=None)

    def would(self, finding: Finding, active: Document | None, latest: Document | None, now: datetime) -> str:
        """What recording `finding` does, without writing (a dry run, and the plan below)."""
        if active is not None:
            return ESCALATED if finding.rank > SEVERITY_RANK[active["severity"]] else UPDATED
        cooling = latest is not None and latest["state"] == RESOLVED and bool(latest["cooldown_until"])
        if cooling and latest is not None and from_iso(latest["cooldown_until"]) > now:
            return SUPPRESSED
        return RAISED

    async def record(self, finding: Finding, active: Document | None, now: datetime) -> tuple[str, Document | None]:
        """Raises, updates or suppresses `finding`; the outcome and the alert's document."""
        sku, kind = finding.sku, finding.kind

        async def plan(attempt: int) -> Write[tuple[str, Document | None]] | Done[tuple[str, Document | None]]:
            current = active if attempt == 0 and active is not None and "_etag" in active else None
            latest = current if current is not None else await self.latest(sku, kind)
            if current is None and latest is not None and latest["state"] in (OPEN, ACKNOWLEDGED):
                current = latest
            outcome = self.would(finding, current, latest, now)
            if outcome == SUPPRESSED:
                return Done((SUPPRESSED, latest))
            if current is not None:
                updated = {
                    **without_system_fields(current),
                    "severity": finding.severity if outcome == ESCALATED else current["severity"],
                    "message": finding.message,
                    "drivers": [asdict(driver) for driver in finding.drivers],
                    "last_seen_at": to_iso(now),
                    "occurrences": int(current["occurrences"]) + 1,
                }
                events = [self._raised(updated, now, previous=current["severity"])] if outcome == ESCALATED else []
                return Write(
                    [ReplaceOp(updated, if_match=current["_etag"])], lambda _: (outcome, updated), events=events
                )
            episode = int(latest["episode"]) + 1 if latest is not None else 1
            doc: Document = {
                "id": alert_id(sku, kind, episode),
                "sku": sku,
                "kind": DOC_KIND,
                "alert_kind": kind,
                "episode": episode,
                "state": OPEN,
                "severity": finding.severity,
                "message": finding.message,
                "drivers": [asdict(driver) for driver in finding.drivers],
                "raised_at": to_iso(now),
                "last_seen_at": to_iso(now),
                "cooldown_until": "",
                "occurrences": 1,
                "acknowledged_at": "",
                "acknowledged_by": "",
                "acknowledgement_note": "",
                "resolved_at": "",
            }
            return Write([CreateOp(doc)], lambda _: (RAISED, doc), events=[self._raised(doc, now, previous="")])

        outcome, doc = await commit(
            self._container, sku, plan, busy=f"alert {sku}/{kind} is contended; retried next time", notify=self._notify
        )
        if outcome in (RAISED, ESCALATED):
            log.info("inventory alert raised", extra={"sku": sku, "kind": kind, "severity": finding.severity})
        return outcome, doc

    async def resolve(self, doc: Document, now: datetime, cooldown: timedelta) -> bool:
        """Resolves an open or acknowledged alert; False when it was resolved meanwhile."""
        sku = doc["sku"]

        async def plan(attempt: int) -> Write[bool] | Done[bool]:
            current = doc if attempt == 0 and "_etag" in doc else await self.read(sku, doc["id"])
            if current is None or current["state"] == RESOLVED:
                return Done(False)
            resolved = {
                **without_system_fields(current),
                "state": RESOLVED,
                "resolved_at": to_iso(now),
                "cooldown_until": to_iso(now + cooldown),
            }
            event = ev.InventoryAlertResolved(
                alert_id=current["id"],
                sku=sku,
                kind=KIND_TO_EVENT[current["alert_kind"]],
                resolved_at=to_timestamp(now),
                cooldown_until=to_timestamp(now + cooldown),
            )
            return Write(
                [ReplaceOp(resolved, if_match=current["_etag"])], lambda _: True, events=[self._event(event, sku)]
            )

        return await commit(self._container, sku, plan, busy=f"alert {doc['id']} is contended", notify=self._notify)

    async def acknowledge(self, doc: Document, by: str, note: str, now: datetime) -> Document:
        """Acknowledges an open alert (an acknowledged one is returned as it is)."""
        sku = doc["sku"]

        async def plan(attempt: int) -> Write[Document] | Done[Document]:
            current = doc if attempt == 0 and "_etag" in doc else await self.read(sku, doc["id"])
            if current is None or current["state"] != OPEN:
                return Done(current if current is not None else doc)
            acknowledged = {
                **without_system_fields(current),
                "state": ACKNOWLEDGED,
                "acknowledged_at": to_iso(now),
                "acknowledged_by": by,
                "acknowledgement_note": note,
            }
            event = ev.InventoryAlertAcknowledged(
                alert_id=current["id"],
                sku=sku,
                kind=KIND_TO_EVENT[current["alert_kind"]],
                acknowledged_by=by,
                note=note,
                acknowledged_at=to_timestamp(now),
            )
            return Write(
                [ReplaceOp(acknowledged, if_match=current["_etag"])],
                lambda _: acknowledged,
                events=[self._event(event, sku)],
            )

        return await commit(self._container, sku, plan, busy=f"alert {doc['id']} is contended", notify=self._notify)

    async def _query(self, query: Query, *, partition_key: str | None = None) -> AsyncIterator[Document]:
        continuation: str | None = None
        while True:
            page = await self._container.query(
                query, partition_key=partition_key, max_items=PAGE, continuation=continuation
            )
            for doc in page.items:
                yield doc
            continuation = page.continuation
            if continuation is None:
                return

    def _raised(self, doc: Document, now: datetime, *, previous: str) -> EventEnvelope:
        payload = ev.InventoryAlertRaised(
            alert_id=doc["id"],
            sku=doc["sku"],
            kind=KIND_TO_EVENT[doc["alert_kind"]],
            severity=SEVERITY_TO_EVENT[doc["severity"]],
            message=doc["message"],
            raised_at=to_timestamp(now),
            previous_severity=SEVERITY_TO_EVENT.get(previous, ev.INVENTORY_ALERT_SEVERITY_UNSPECIFIED),
        )
        return self._event(payload, doc["sku"])

    def _event(self, payload: Any, sku: str) -> EventEnvelope:
        return resource_event(payload, source=EVENT_SOURCE, collection="inventory", resource_id=sku, clock=self._clock)


def sorted_newest_first(docs: Sequence[Document]) -> list[Document]:
    return sorted(docs, key=lambda doc: (doc["raised_at"], doc["id"]), reverse=True)
