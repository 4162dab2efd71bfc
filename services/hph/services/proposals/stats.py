"""The queue's figures from its proposal documents: open proposals, decisions and rates per agent
and field, and the time from submission to decision. Pure: the servicer hands it the documents."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from holidaypeak.commerce.v1 import product_proposal_service_pb2 as pb
from hph.runtime import clock as clocks
from hph.services.proposals.rules import OPEN, Status


@dataclass
class _Tally:
    open: int = 0
    approved: int = 0
    auto_approved: int = 0
    rejected: int = 0
    superseded: int = 0
    decision_seconds: list[float] = field(default_factory=list)


def queue_stats(docs: Iterable[Mapping[str, Any]], now: datetime) -> pb.ProposalStats:
    tallies: dict[tuple[str, str], _Tally] = {}
    oldest_open: datetime | None = None
    all_seconds: list[float] = []
    for doc in docs:
        tally = tallies.setdefault((doc["source_agent"], doc["field"]), _Tally())
        status = Status(doc["status"])
        created = clocks.from_iso(doc["created_at"])
        if status in OPEN or status == Status.APPLYING:
            tally.open += 1
            oldest_open = created if oldest_open is None else min(oldest_open, created)
            continue
        if status == Status.SUPERSEDED:
            tally.superseded += 1
            continue
        if status == Status.APPROVED:
            tally.approved += 1
            tally.auto_approved += bool(doc.get("auto_approved"))
        else:
            tally.rejected += 1
        seconds = max(0.0, (clocks.from_iso(doc["decided_at"]) - created).total_seconds())
        tally.decision_seconds.append(seconds)
        all_seconds.append(seconds)
    rows = []
    for (agent, name), tally in sorted(tallies.items()):
        decided = tally.approved + tally.rejected
        rows.append(
            pb.ProposalStatsRow(
                source_agent=agent,
                field=name,
                open=tally.open,
                approved=tally.approved,
                auto_approved=tally.auto_approved,
                rejected=tally.rejected,
                superseded=tally.superseded,
                approval_rate=tally.approved / decided if decided else 0.0,
                rejection_rate=tally.rejected / decided if decided else 0.0,
                mean_seconds_to_decision=statistics.fmean(tally.decision_seconds) if tally.decision_seconds else 0.0,
            )
        )
    return pb.ProposalStats(
        queue_size=sum(t.open for t in tallies.values()),
        oldest_open_seconds=max(0.0, (now - oldest_open).total_seconds()) if oldest_open else 0.0,
        rows=rows,
        median_seconds_to_decision=statistics.median(all_seconds) if all_seconds else 0.0,
    )
