"""The event backbone as the host wires it: the log the settings name (SQLite in the data dir by
default, Redis Streams with HPH_EVENT_LOG=redis), the registry's topics created at start, the
services' consumer groups declared and running, lag reported, and the retention sweeper."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from holidaypeak.events.v1.order_events_pb2 import OrderCreated
from hph.runtime.consumers import DeadLetterStore, HandledLedger, RetentionSweeper
from hph.runtime.eventlog import LOG_FILE_NAME, SqliteEventLog
from hph.runtime.events import TOPIC_PARTITIONS, new_event
from hph.runtime.settings import Settings
from tests.support.events import consumers_of, settle
from tests.support.platform_harness import running_hub

pytestmark = pytest.mark.integration

SERVICES = ("catalog", "inventory", "orders", "payments", "analytics", "users", "cart", "checkout")
GROUPS = {
    "analytics": ("order-events", "payment-events"),
    "catalog": ("inventory-events",),
    "payments": ("order-events",),
}


@pytest.fixture(params=["sqlite", "redis"])
def log_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "sqlite":
        return {}
    url = request.getfixturevalue("redis_url")
    return {"event_log": "redis", "redis_url": url, "redis_key_prefix": f"test:{uuid.uuid4().hex}:"}


async def test_the_platform_runs_its_consumer_groups_on_the_configured_log(
    tmp_path: Path, log_settings: dict[str, Any]
) -> None:
    async with running_hub(tmp_path, services=SERVICES, seed=True, settings_overrides=log_settings) as hub:
        await settle(hub)
        consumers = consumers_of(hub)
        assert dict(await hub.platform.log.topics()) == dict(TOPIC_PARTITIONS)
        assert {name: group.topics for name, group in consumers.groups.items()} == GROUPS
        for group, topics in GROUPS.items():
            for topic in topics:
                assert consumers.owned(group, topic) == set(range(TOPIC_PARTITIONS[topic]))
        lags = await consumers.lag()
        assert {(lag.group, lag.topic) for lag in lags} == {(g, t) for g, topics in GROUPS.items() for t in topics}
        assert all(lag.events == 0 for lag in lags)
        recorded = {record.group for record in await consumers.admin.groups()}
        assert recorded == set(GROUPS)
    assert (tmp_path / LOG_FILE_NAME).exists() == (not log_settings)


async def test_redis_without_a_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="HPH_REDIS_URL"):
        async with running_hub(tmp_path, services=("catalog",), seed=False, settings_overrides={"event_log": "redis"}):
            pass
    with pytest.raises(ValueError, match="HPH_EVENT_LOG"):
        async with running_hub(tmp_path, services=("catalog",), seed=False, settings_overrides={"event_log": "kafka"}):
            pass


async def test_retention_trims_old_events_marks_and_replayed_dead_letters(tmp_path: Path) -> None:
    now = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    clock_now = [now - timedelta(days=9)]
    log = await SqliteEventLog.open(tmp_path / LOG_FILE_NAME, clock=lambda: clock_now[0])
    async with running_hub(tmp_path / "data", services=("catalog",), seed=False) as hub:
        store = hub.platform.store
        ledger, letters = await HandledLedger.open(store), await DeadLetterStore.open(store)
        await log.create_topic("order-events", 2)

        def event(key: str) -> Any:
            return new_event(OrderCreated(order_id=key), source="orders", subject=f"orders/{key}", partition_key=key)

        old = await log.append("order-events", [event("o1"), event("o2")])
        clock_now[0] = now
        recent = await log.append("order-events", [event("o3")])
        await ledger.mark("g", [*old, *recent], at=now)
        parked = await letters.park("g", old[0], reason="x", error_type="X", attempts=1, at=now - timedelta(days=9))
        replayed = await letters.park("g", old[1], reason="x", error_type="X", attempts=1, at=now - timedelta(days=9))
        await letters.replayed(replayed, at=now - timedelta(days=8))

        sweeper = RetentionSweeper(log, ledger, letters, retention=timedelta(days=7), clock=lambda: now)
        assert await sweeper.sweep_once() == {"events": 2, "ledger_marks": 2, "dead_letters": 1}
        assert [letter.id for letter in await letters.find("g")] == [parked.id]  # parked ones stay
        assert await ledger.handled("g", recent[0].envelope.event_id)
        assert (await log.partition_info("order-events", recent[0].partition)).first_sequence == recent[0].sequence
    await log.close()
    assert Settings().event_retention_hours == 168.0
