"""How an answer was decided, as the shared agents/v1 messages: drivers, summary, method, freshness.

    answer.explanation = explanation(
        "allow: 2 of 2 lines in full",
        [Driver("effective_availability", 12, threshold=2, unit="units", reason="12 available, 2 requested")],
        method="reservation-policy-v1",
        freshness=data_freshness(now, data_as_of=tracker.data_as_of, sources=["rpc:InventoryService.GetInventoryItem"]),
    )

A decision core returns `Driver`s (plain data, testable without protos); the servicer turns them
into the proto here, so every agent fills the fields the same way (an unset weight stays 0, an
unset threshold or contribution stays absent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from holidaypeak.agents.v1 import explanation_pb2
from hph.runtime.clock import to_timestamp


@dataclass(frozen=True)
class Driver:
    """One reason behind an answer, with its numbers (see explanation.proto's Driver)."""

    name: str
    value: float
    reason: str
    weight: float = 0.0
    threshold: float | None = None
    contribution: float | None = None
    unit: str = ""

    def to_proto(self) -> explanation_pb2.Driver:
        return explanation_pb2.Driver(
            name=self.name,
            value=self.value,
            weight=self.weight,
            threshold=self.threshold,
            contribution=self.contribution,
            unit=self.unit,
            reason=self.reason,
        )


def data_freshness(
    computed_at: datetime,
    *,
    data_as_of: datetime | None = None,
    sources: Iterable[str] = (),
    degraded: bool = False,
) -> explanation_pb2.DataFreshness:
    """Which data an answer came from and how old it was (`data_as_of` None: no projection used)."""
    return explanation_pb2.DataFreshness(
        computed_at=to_timestamp(computed_at),
        data_as_of=to_timestamp(data_as_of) if data_as_of is not None else None,
        sources=list(sources),
        degraded=degraded,
    )


def explanation(
    summary: str,
    drivers: Iterable[Driver | explanation_pb2.Driver] = (),
    *,
    method: str,
    freshness: explanation_pb2.DataFreshness | None = None,
) -> explanation_pb2.Explanation:
    """The Explanation of an answer: one-line summary, drivers (dataclasses or protos), method."""
    return explanation_pb2.Explanation(
        summary=summary,
        drivers=[driver.to_proto() if isinstance(driver, Driver) else driver for driver in drivers],
        freshness=freshness,
        method=method,
    )
