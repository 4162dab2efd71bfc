"""Watching what the platform publishes: consumer groups on its bus, and letting the relay finish."""

from __future__ import annotations

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from tests.support.platform_harness import Hub

# Rounds of relay draining before `settle` gives up: consumers that commit events in turn (the
# analytics projection) need a few; more means events keep producing events.
SETTLE_ROUNDS = 50


async def settle(hub: Hub) -> None:
    """Publishes every committed event, and those its consumers commit in turn, to completion."""
    relay = hub.platform.deps.relay
    assert relay is not None
    for _ in range(SETTLE_ROUNDS):
        if await relay.drain_once() == 0:
            return
    raise AssertionError("events kept coming")


def published(hub: Hub, topic: str) -> list[EventEnvelope]:
    """Starts recording `topic` at once (a consumer group of the test's own); the list fills as the
    relay publishes, so pair it with `waiting.eventually`."""
    seen: list[EventEnvelope] = []

    async def keep(envelope: EventEnvelope) -> None:
        seen.append(envelope)

    bus = hub.platform.deps.bus
    assert bus is not None
    bus.subscribe(topic, f"test-{id(seen)}", keep)
    return seen


class Recorder:
    """A consumer group on one topic that counts only what is published after it subscribed."""

    def __init__(self, hub: Hub) -> None:
        relay = hub.platform.deps.relay
        assert relay is not None
        self._relay = relay
        self.events: list[EventEnvelope] = []

    @classmethod
    async def subscribe(cls, hub: Hub, topic: str, group: str = "") -> Recorder:
        """Subscribes once what earlier steps (test setup) wrote has gone out, so only later events count."""
        bus = hub.platform.deps.bus
        assert bus is not None
        recorder = cls(hub)
        await recorder.settle()
        bus.subscribe(topic, group or f"test-{topic}", recorder._handle)
        return recorder

    async def _handle(self, envelope: EventEnvelope) -> None:
        self.events.append(envelope)

    async def settle(self) -> None:
        """Returns once every event committed so far has been delivered."""
        await self._relay.drain_once()

    def about(self, key: str) -> list[EventEnvelope]:
        return [e for e in self.events if e.partition_key == key]

    def of(self, kind: str, key: str = "") -> list[EventEnvelope]:
        """The events with payload `kind`, of one partition key (a SKU, an order id) if given."""
        return [e for e in self.events if e.WhichOneof("payload") == kind and (not key or e.partition_key == key)]

    @staticmethod
    def kinds(events: list[EventEnvelope]) -> list[str]:
        return [str(e.WhichOneof("payload")) for e in events]
