"""A tiered memory over a test's own store, cold folder and clock (unit tests with the in-process
hot tier, integration tests with Redis), and the moment tests start their clocks at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hph.runtime.memory import (
    ColdStore,
    HotTier,
    Intervals,
    LocalFileColdStore,
    LocalHotTier,
    Memory,
    WarmTier,
    default_policy,
)
from hph.runtime.memory.warm import MEMORY
from hph.runtime.storage import DocumentStore
from tests.support.clocks import ManualClock

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
HOT_SECONDS = 60.0
ARCHIVE_AFTER_SECONDS = 3600.0
# No background passes: the tests run each pass themselves.
NO_PASSES = Intervals(demote=0, archive=0, stats_log=0)


def clock_at_start() -> ManualClock[datetime]:
    return ManualClock(START)


async def tiered_memory(
    store: DocumentStore,
    cold_folder: Path,
    clock: ManualClock[datetime],
    *,
    hot: HotTier | None = None,
    cold: ColdStore | None = None,
    intervals: Intervals = NO_PASSES,
    ttl_seconds: float = 0.0,
) -> Memory:
    """Hot (in-process, 1 MiB, unless `hot` is given), warm over `store`, cold under `cold_folder`
    (unless `cold` is given);
    entries stay hot HOT_SECONDS and are archived after ARCHIVE_AFTER_SECONDS unless a namespace
    says otherwise."""
    return Memory(
        hot if hot is not None else LocalHotTier(1024 * 1024),
        WarmTier(await MEMORY.open(store)),
        cold if cold is not None else LocalFileColdStore(cold_folder),
        defaults=default_policy(
            ttl_seconds=ttl_seconds, hot_seconds=HOT_SECONDS, archive_after_seconds=ARCHIVE_AFTER_SECONDS
        ),
        clock=clock,
        intervals=intervals,
    )


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
