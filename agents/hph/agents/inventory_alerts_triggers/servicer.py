"""InventoryAlertsTriggersService over gRPC and the agent's own evaluation.

- `AlertsAgent.evaluate` reads live stock (InventoryService, as the platform) and the stock signals
  projection once, finds every SKU's conditions (`core`), records each (raise once, update, or
  suppress under a cool-down; `alerts.AlertBook`) and resolves the open alerts whose condition
  no longer holds. EvaluateAlerts runs it on demand (or as a dry run that writes nothing); the
  evaluator runs it every `evaluate_every_seconds` where the host runs background jobs (the first
  worker of `hph up`). Nothing runs per inventory event: checkout's stock events cost this agent
  nothing, and a burst of orders makes one alert, not one per order.
- ListAlerts and AcknowledgeAlert read and change the alert documents.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from holidaypeak.agents.v1 import agent_types_pb2
from holidaypeak.agents.v1 import inventory_alerts_triggers_service_pb2 as pb
from holidaypeak.agents.v1 import inventory_alerts_triggers_service_pb2_grpc as pb_grpc
from hph.agents.inventory_alerts_triggers import core
from hph.agents.inventory_alerts_triggers.alerts import (
    ACKNOWLEDGED,
    CONTAINER,
    OPEN,
    RAISED,
    RESOLVED,
    SUPPRESSED,
    UPDATED,
    AlertBook,
    parse_alert_id,
    sorted_newest_first,
)
from hph.agents.inventory_alerts_triggers.rules import AlertRules, default_rules
from hph.agents.inventory_signals.projection import CONTAINER as SIGNALS_CONTAINER
from hph.agents.inventory_signals.projection import SOURCE, StockSignals
from hph.agents.inventory_signals.snapshot import load_snapshot
from hph.agents.inventory_signals.stock import Stock
from hph.agents.inventory_signals.supply import RetailCalendar, Supply, default_calendar, default_supply
from hph.agents.runtime import Driver, data_freshness, explanation, narrate_if_asked
from hph.agents.runtime.paging import offset_token, query_digest, token_offset
from hph.commerce.clients import InventoryClient
from hph.commerce.identifiers import PRODUCT_ID, PRODUCT_ID_HINT
from hph.runtime import validation
from hph.runtime.clock import Clock, from_iso, to_iso, to_timestamp
from hph.runtime.deps import Dependencies
from hph.runtime.errors import FailedPrecondition, NotFound, Violations
from hph.runtime.narrator import Narrator
from hph.runtime.periodic import PeriodicJob, Sweeper
from hph.runtime.rpc.call_context import current_principal
from hph.runtime.server import ServiceBinding
from hph.runtime.storage import Document

CONTAINERS = (SIGNALS_CONTAINER, CONTAINER)
MAX_SKUS = 100
MAX_NOTE = 500
STOCK_SOURCE = "rpc:InventoryService.ListInventoryItems"
log = logging.getLogger("hph.agents.inventory_alerts_triggers")

KIND_TO_PB = {
    "low_stock": pb.ALERT_KIND_LOW_STOCK,
    "stock_out": pb.ALERT_KIND_STOCK_OUT,
    "reservation_pressure": pb.ALERT_KIND_RESERVATION_PRESSURE,
    "demand_spike": pb.ALERT_KIND_DEMAND_SPIKE,
}
KIND_FROM_PB = {value: name for name, value in KIND_TO_PB.items()}
STATE_TO_PB = {OPEN: pb.ALERT_STATE_OPEN, ACKNOWLEDGED: pb.ALERT_STATE_ACKNOWLEDGED, RESOLVED: pb.ALERT_STATE_RESOLVED}
STATE_FROM_PB = {value: name for name, value in STATE_TO_PB.items()}
SEVERITY_TO_PB = {
    "info": agent_types_pb2.SEVERITY_INFO,
    "low": agent_types_pb2.SEVERITY_LOW,
    "medium": agent_types_pb2.SEVERITY_MEDIUM,
    "high": agent_types_pb2.SEVERITY_HIGH,
    "critical": agent_types_pb2.SEVERITY_CRITICAL,
}


@dataclass
class Evaluation:
    """One evaluation's outcome: the alerts whose condition holds (documents, or would-be ones on a
    dry run) and the counts."""

    alerts: list[Document] = field(default_factory=list)
    raised: int = 0
    suppressed: int = 0
    resolved: int = 0
    skus: int = 0
    data_as_of: datetime | None = None


class AlertsAgent:
    def __init__(
        self,
        book: AlertBook,
        signals: StockSignals,
        inventory: InventoryClient,
        clock: Clock,
        *,
        rules: AlertRules | None = None,
        supply: Supply | None = None,
        calendar: RetailCalendar | None = None,
    ) -> None:
        self.book = book
        self._signals = signals
        self._inventory = inventory
        self._clock = clock
        self.rules = rules or default_rules()
        self._supply = supply or default_supply()
        self._calendar = calendar or default_calendar()

    async def evaluate(self, skus: Sequence[str] = (), *, dry_run: bool = False) -> Evaluation:
        now = self._clock()
        if skus:
            items = []
            for sku in skus:
                item = await self._inventory.item(sku)
                if item is None:
                    raise NotFound(f"product {sku!r} not found")
                items.append(item)
        else:
            items = await self._inventory.items()
        snapshot = await load_snapshot(self._signals, self._calendar, now.date())
        active = await self.book.active()
        result = Evaluation(skus=len(items), data_as_of=snapshot.data_as_of)
        holding: set[tuple[str, str]] = set()
        for item in items:
            findings = core.evaluate(
                Stock.of(item),
                snapshot.signals.get(item.sku),
                seasonality=snapshot.seasonality,
                supplier=self._supply.supplier_of(item.sku),
                rules=self.rules,
                now=now,
                since=snapshot.since,
            )
            for finding in findings:
                holding.add((finding.sku, finding.kind))
                current = active.get((finding.sku, finding.kind))
                if dry_run:
                    latest = current or await self.book.latest(finding.sku, finding.kind)
                    outcome = self.book.would(finding, current, latest, now)
                    doc = _would_be(finding, current, latest, outcome, now)
                else:
                    outcome, doc = await self.book.record(finding, current, now)
                if outcome == RAISED:
                    result.raised += 1
                elif outcome in (UPDATED, SUPPRESSED):
                    result.suppressed += 1
                if outcome != SUPPRESSED and doc is not None:
                    result.alerts.append(doc)
        evaluated = {item.sku for item in items}
        for (sku, kind), doc in active.items():
            if sku in evaluated and (sku, kind) not in holding and not dry_run:
                result.resolved += int(await self.book.resolve(doc, now, self.rules.cooldown(kind)))
        result.alerts.sort(key=lambda doc: (-core.SEVERITY_RANK[doc["severity"]], doc["sku"], doc["alert_kind"]))
        return result


def _would_be(
    finding: core.Finding, current: Document | None, latest: Document | None, outcome: str, now: datetime
) -> Document | None:
    if outcome == SUPPRESSED:
        return None
    if current is not None:
        return {**current, "message": finding.message, "drivers": [asdict(d) for d in finding.drivers]}
    episode = int(latest["episode"]) + 1 if latest is not None else 1
    stamp = to_iso(now)
    return {
        "id": f"{finding.sku}.{finding.kind}.{episode}",
        "sku": finding.sku,
        "alert_kind": finding.kind,
        "episode": episode,
        "state": OPEN,
        "severity": finding.severity,
        "message": finding.message,
        "drivers": [asdict(d) for d in finding.drivers],
        "raised_at": stamp,
        "last_seen_at": stamp,
        "cooldown_until": "",
        "occurrences": 1,
        "acknowledged_at": "",
        "acknowledged_by": "",
        "acknowledgement_note": "",
    }


class AlertEvaluator(Sweeper):
    """Evaluates every SKU every `evaluate_every_seconds` (a background job of the host)."""

    def __init__(self, agent: AlertsAgent, *, interval: float | None = None) -> None:
        self.agent = agent

        async def run() -> None:
            await agent.evaluate()

        self._job = PeriodicJob(
            run,
            interval=interval or agent.rules.evaluate_every_seconds,
            name="hph-inventory-alerts",
            log=log,
            failure="inventory alert evaluation failed",
        )


class AlertsServicer(pb_grpc.InventoryAlertsTriggersServiceServicer):
    def __init__(self, agent: AlertsAgent, clock: Clock, narrator: Narrator | None = None) -> None:
        self._agent = agent
        self._clock = clock
        self._narrator = narrator or Narrator.off()

    async def EvaluateAlerts(self, request: pb.EvaluateAlertsRequest, context: Any) -> pb.EvaluateAlertsResponse:
        violations = Violations()
        violations.check(len(request.skus) <= MAX_SKUS, "skus", f"at most {MAX_SKUS} SKUs")
        for index, sku in enumerate(request.skus):
            validation.identifier(violations, f"skus[{index}]", sku, PRODUCT_ID, PRODUCT_ID_HINT)
        violations.raise_if_any()
        result = await self._agent.evaluate(list(dict.fromkeys(request.skus)), dry_run=request.dry_run)
        verb = "would raise" if request.dry_run else "raised"
        summary = (
            f"{len(result.alerts)} alert(s) hold over {result.skus} SKU(s): {verb} {result.raised}, "
            f"{result.suppressed} covered by an open alert or a cool-down, {result.resolved} resolved"
        )
        response = pb.EvaluateAlertsResponse(
            alerts=[alert_message(doc) for doc in result.alerts],
            raised=result.raised,
            suppressed=result.suppressed,
            skus_evaluated=result.skus,
            explanation=explanation(
                summary,
                core.thresholds(self._agent.rules),
                method=f"{core.METHOD}+{self._agent.rules.version}",
                freshness=data_freshness(
                    self._clock(), data_as_of=result.data_as_of, sources=[STOCK_SOURCE, SOURCE, "file:alert_rules.json"]
                ),
            ),
        )
        await narrate_if_asked(self._narrator, response, context, subject="inventory alerts")
        return response

    async def ListAlerts(self, request: pb.ListAlertsRequest, context: Any) -> pb.ListAlertsResponse:
        state, kinds, size, offset, digest = _check_list(request)
        docs = await self._agent.book.every(sku=request.sku)
        chosen = [
            doc
            for doc in sorted_newest_first(docs)
            if (not state or doc["state"] == state) and (not kinds or doc["alert_kind"] in kinds)
        ]
        page = chosen[offset : offset + size]
        following = offset + size if offset + size < len(chosen) else None
        open_count = sum(1 for doc in chosen if doc["state"] == OPEN)
        return pb.ListAlertsResponse(
            alerts=[alert_message(doc) for doc in page],
            next_page_token=offset_token(following, digest) if following is not None else "",
            explanation=explanation(
                f"{len(chosen)} alert(s) match, {open_count} open",
                method=f"{core.METHOD}+{self._agent.rules.version}",
                freshness=data_freshness(self._clock(), sources=["store:inventory_alerts"]),
            ),
        )

    async def AcknowledgeAlert(self, request: pb.AcknowledgeAlertRequest, context: Any) -> pb.AcknowledgeAlertResponse:
        violations = Violations()
        parsed = None
        if violations.check(bool(request.alert_id), "alert_id", "is required"):
            parsed = parse_alert_id(request.alert_id)
            violations.check(
                parsed is not None and len(request.alert_id) <= 200,
                "alert_id",
                "is not an alert id (<sku>.<kind>.<episode>, as ListAlerts shows it)",
            )
        violations.check(len(request.note) <= MAX_NOTE, "note", f"at most {MAX_NOTE} characters")
        violations.raise_if_any()
        assert parsed is not None
        sku = parsed[0]
        doc = await self._agent.book.read(sku, request.alert_id)
        if doc is None:
            raise NotFound(f"alert {request.alert_id!r} not found")
        if doc["state"] == RESOLVED:
            raise FailedPrecondition(
                f"alert {request.alert_id!r} is resolved (its condition no longer holds); nothing to acknowledge",
                subject=request.alert_id,
            )
        now = self._clock()
        by = current_principal().subject
        acknowledged = await self._agent.book.acknowledge(doc, by, request.note, now)
        return pb.AcknowledgeAlertResponse(
            alert=alert_message(acknowledged),
            explanation=explanation(
                f"acknowledged by {acknowledged['acknowledged_by']} at {acknowledged['acknowledged_at']}",
                method=f"{core.METHOD}+{self._agent.rules.version}",
                freshness=data_freshness(now, sources=["store:inventory_alerts"]),
            ),
        )


def alert_message(doc: Document) -> pb.InventoryAlert:
    def stamp(name: str) -> Any:
        return to_timestamp(from_iso(doc[name])) if doc.get(name) else None

    return pb.InventoryAlert(
        alert_id=doc["id"],
        kind=KIND_TO_PB[doc["alert_kind"]],
        sku=doc["sku"],
        severity=SEVERITY_TO_PB[doc["severity"]],
        state=STATE_TO_PB[doc["state"]],
        message=doc["message"],
        drivers=[Driver(**driver).to_proto() for driver in doc.get("drivers", [])],
        raised_at=stamp("raised_at"),
        last_seen_at=stamp("last_seen_at"),
        cooldown_until=stamp("cooldown_until"),
        occurrences=int(doc["occurrences"]),
        acknowledged_at=stamp("acknowledged_at"),
        acknowledged_by=doc.get("acknowledged_by", ""),
        acknowledgement_note=doc.get("acknowledgement_note", ""),
    )


def _digest(request: pb.ListAlertsRequest) -> str:
    parts = [request.state, sorted(request.kinds), request.sku, request.page_size]
    return query_digest(parts)


def _check_list(request: pb.ListAlertsRequest) -> tuple[str, set[str], int, int, str]:
    violations = Violations()
    state = ""
    if request.state:
        if request.state in STATE_FROM_PB:
            state = STATE_FROM_PB[request.state]
        else:
            violations.add("state", "unknown state (ALERT_STATE_OPEN, _ACKNOWLEDGED, _RESOLVED)")
    kinds: set[str] = set()
    for index, kind in enumerate(request.kinds):
        if kind in KIND_FROM_PB:
            kinds.add(KIND_FROM_PB[kind])
        elif kind != pb.ALERT_KIND_UNSPECIFIED:
            violations.add(
                f"kinds[{index}]",
                "unknown kind (ALERT_KIND_LOW_STOCK, _STOCK_OUT, _RESERVATION_PRESSURE, _DEMAND_SPIKE)",
            )
    if request.sku:
        validation.identifier(violations, "sku", request.sku, PRODUCT_ID, PRODUCT_ID_HINT)
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
    return state, kinds, size, offset, digest


async def create_binding(deps: Dependencies) -> ServiceBinding:
    signals = await StockSignals.open(deps.store)
    signals.follow(deps.bus)
    book = AlertBook(await CONTAINER.open(deps.store), deps.clock, notify=deps.notify_relay)
    agent = AlertsAgent(book, signals, InventoryClient(deps.channels, deps.service_credentials), deps.clock)
    deps.background.append(AlertEvaluator(agent))
    servicer = AlertsServicer(agent, deps.clock, deps.narrator)
    return ServiceBinding(
        full_name=pb.DESCRIPTOR.services_by_name["InventoryAlertsTriggersService"].full_name,
        add_to_server=lambda server: pb_grpc.add_InventoryAlertsTriggersServiceServicer_to_server(servicer, server),
    )
