"""Segmentation runs, kept in the agent's memory (namespace `crm-segmentation-personalization.runs`,
no expiry): the current run and the assignments of the previous one, so sizes come with their
movement and a shopper's recommendations read their segment without scoring the whole base.

A run is computed from the crm-activity projection (a read of every customer's documents: a staff
or background cost, never one per event) when the stored one is older than REFRESH; the storefront's
`GET /api/recommendations` then reads the stored run (the hot tier keeps it in process). When a new
run assigns every customer as the current one does, it replaces the current run and keeps the same
previous one; when any customer moved, the current run becomes the previous one. So "movement" is
always against the last run that differed, and two quick calls do not erase it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from hph.agents.crm_activity import CustomerActivity
from hph.agents.crm_segmentation_personalization.rfm import Run, Scores, Segment, segment
from hph.agents.runtime import agent_memory
from hph.runtime.clock import Clock, from_iso, to_iso
from hph.runtime.deps import Dependencies
from hph.runtime.memory import MemoryNamespace, Policy

AGENT, KIND, KEY = "crm-segmentation-personalization", "runs", "latest"
POLICY: Final = Policy(ttl=timedelta(0))
REFRESH: Final = timedelta(minutes=15)


@dataclass(frozen=True)
class Runs:
    current: Run
    # Assignments and time of the previous run that differed; None before there was one.
    previous: dict[str, Segment] | None
    previous_at: datetime | None


def _run_to_json(run: Run) -> dict[str, Any]:
    return {
        "run_at": to_iso(run.run_at),
        "currency_code": run.currency_code,
        "customers": {
            user: [
                s.recency_days,
                s.frequency,
                s.monetary_minor,
                s.orders_ever,
                s.recency_score,
                s.frequency_score,
                s.monetary_score,
                s.segment.value,
            ]
            for user, s in run.customers.items()
        },
        "segment_categories": {seg.value: units for seg, units in run.segment_categories.items()},
        "segment_products": {seg.value: units for seg, units in run.segment_products.items()},
    }


def _run_from_json(value: dict[str, Any]) -> Run:
    return Run(
        run_at=from_iso(value["run_at"]),
        currency_code=str(value["currency_code"]),
        customers={
            user: Scores(
                user, int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]), Segment(r[7])
            )
            for user, r in value["customers"].items()
        },
        segment_categories={Segment(seg): dict(units) for seg, units in value["segment_categories"].items()},
        segment_products={Segment(seg): dict(units) for seg, units in value["segment_products"].items()},
    )


class SegmentRuns:
    def __init__(
        self,
        activity: CustomerActivity,
        namespace: MemoryNamespace | None,
        clock: Clock,
        refresh: timedelta = REFRESH,
    ) -> None:
        self._activity = activity
        self._namespace = namespace
        self._clock = clock
        self._refresh = refresh
        self._lock = asyncio.Lock()
        self._local: dict[str, Any] | None = None  # without platform memory (bare unit hosts)

    @classmethod
    def of(cls, deps: Dependencies, activity: CustomerActivity) -> SegmentRuns:
        return cls(activity, agent_memory(deps, AGENT, KIND, POLICY), deps.clock)

    async def latest(self, *, force: bool = False) -> Runs:
        """The current run (computed now when the stored one is older than REFRESH, or on `force`)."""
        async with self._lock:
            stored = await self._load()
            now = self._clock()
            if stored is not None and not force:
                current = _run_from_json(stored["current"])
                if now - current.run_at < self._refresh:
                    return _runs(current, stored)
            run = segment((await self._activity.everyone()).values(), now)
            value: dict[str, Any] = {"current": _run_to_json(run), "previous": None}
            if stored is not None:
                before = _run_from_json(stored["current"])
                if before.assignments() == run.assignments():
                    value["previous"] = stored.get("previous")
                else:
                    value["previous"] = {
                        "run_at": to_iso(before.run_at),
                        "assignments": {u: s.value for u, s in before.assignments().items()},
                    }
            await self._save(value)
            return _runs(run, value)

    async def _load(self) -> dict[str, Any] | None:
        if self._namespace is None:
            return self._local
        value = await self._namespace.value(KEY)
        return value if isinstance(value, dict) else None

    async def _save(self, value: dict[str, Any]) -> None:
        if self._namespace is None:
            self._local = value
        else:
            await self._namespace.put(KEY, value)


def _runs(current: Run, stored: dict[str, Any]) -> Runs:
    previous = stored.get("previous")
    if not previous:
        return Runs(current, None, None)
    return Runs(
        current,
        {user: Segment(seg) for user, seg in previous["assignments"].items()},
        from_iso(previous["run_at"]),
    )
