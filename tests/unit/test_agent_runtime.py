"""The agent runtime (hph.agents.runtime): drivers and freshness as protos, the freshness tracker,
and the build-then-follow lifecycle of an in-memory projection (events during a build are queued
and applied after it; a failed build is retried)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from holidaypeak.events.v1.product_events_pb2 import ProductArchived
from hph.agents.runtime import Driver, FollowedProjection, data_freshness, explanation
from hph.runtime.consumers import Delivery
from hph.runtime.eventlog import LoggedEvent
from hph.runtime.events import new_event
from tests.support.clocks import ManualClock

pytestmark = pytest.mark.unit

T0 = datetime(2025, 12, 1, tzinfo=UTC)


def delivery(product_id: str, enqueued_at: datetime) -> Delivery:
    envelope = new_event(
        ProductArchived(product_id=product_id), source="catalog", subject=product_id, partition_key=product_id
    )
    return Delivery("views", LoggedEvent("product-events", 0, 1, enqueued_at, envelope), 1)


def test_a_driver_leaves_unset_threshold_and_contribution_absent() -> None:
    rule = Driver("stock", 3, "3 left, below 5", threshold=5, unit="units").to_proto()
    assert rule.HasField("threshold") and not rule.HasField("contribution") and rule.weight == 0
    answer = explanation(
        "one rule", [rule, Driver("bm25", 1.5, "text", weight=1.0)], method="m1", freshness=data_freshness(T0)
    )
    assert [d.name for d in answer.drivers] == ["stock", "bm25"] and answer.method == "m1"
    assert not answer.freshness.HasField("data_as_of") and answer.freshness.computed_at.ToDatetime(UTC) == T0


class Names(FollowedProjection):
    """A view of product ids; the first `failures` builds fail."""

    def __init__(self, clock: ManualClock, failures: int = 0) -> None:
        super().__init__("names", clock)
        self.state = {"a", "b"}
        self.view: set[str] = set()
        self.failures = failures

    async def build(self) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("catalog not up yet")
        self.view = set(self.state)

    async def apply(self, delivery: Delivery) -> bool:
        product = delivery.envelope.product_archived.product_id
        changed = product in self.view
        self.view.discard(product)
        return changed


async def test_events_during_the_build_are_applied_after_it_and_move_data_as_of() -> None:
    clock = ManualClock(T0)
    names = Names(clock)
    await names.handle(delivery("a", T0 + timedelta(seconds=1)))  # arrives before the build
    assert not names.ready and names.degraded
    await names.rebuild()
    assert names.ready and names.view == {"b"}
    assert names.freshness.data_as_of == T0 + timedelta(seconds=1)
    await names.handle(delivery("b", T0 + timedelta(seconds=2)))
    await names.handle(delivery("zzz", T0 + timedelta(seconds=9)))  # changed nothing: not counted
    assert names.view == set() and names.freshness.data_as_of == T0 + timedelta(seconds=2)


async def test_a_failed_build_keeps_the_queue_for_the_next_attempt() -> None:
    names = Names(ManualClock(T0), failures=1)
    await names.handle(delivery("a", T0))
    with pytest.raises(ConnectionError):
        await names.rebuild()
    assert not names.ready
    await names.rebuild()
    assert names.view == {"b"}
