"""The last ETA the ETA agent gave per order, in the agent's memory (namespace `order-status.etas`),
so an answer given while the ETA agent is down or slow can still show the last known estimate and
its age instead of nothing.

Write-behind: a status read that got an ETA rewrites the order's entry in the hot tier only (a
shopper refreshing the tracking page costs no storage write); the entry reaches warm storage when
it leaves the hot tier or at shutdown, so it survives a restart. Kept 30 days after the last write:
longer than any delivery window, short enough that delivered orders' estimates go by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from google.protobuf import json_format

from holidaypeak.agents.v1 import agent_types_pb2
from hph.agents.runtime import agent_memory
from hph.runtime.clock import from_iso, to_iso
from hph.runtime.deps import Dependencies
from hph.runtime.memory import MemoryNamespace, Policy

AGENT, KIND = "order-status", "etas"
POLICY = Policy(ttl=timedelta(days=30), write_behind=True)


@dataclass(frozen=True)
class LastEta:
    estimate: agent_types_pb2.DeliveryEstimate
    computed_at: datetime
    shipment_id: str


class EtaMemory:
    """Remembers and recalls the last ETA per order id; does nothing without platform memory."""

    def __init__(self, namespace: MemoryNamespace | None) -> None:
        self._namespace = namespace

    @classmethod
    def of(cls, deps: Dependencies) -> EtaMemory:
        return cls(agent_memory(deps, AGENT, KIND, POLICY))

    async def remember(self, order_id: str, last: LastEta) -> None:
        if self._namespace is None:
            return
        await self._namespace.put(
            order_id,
            {
                "estimate": json_format.MessageToDict(last.estimate),
                "computed_at": to_iso(last.computed_at),
                "shipment_id": last.shipment_id,
            },
        )

    async def recall(self, order_id: str) -> LastEta | None:
        if self._namespace is None:
            return None
        value = await self._namespace.value(order_id)
        if not isinstance(value, dict):
            return None
        return LastEta(
            json_format.ParseDict(value["estimate"], agent_types_pb2.DeliveryEstimate()),
            from_iso(value["computed_at"]),
            value["shipment_id"],
        )
