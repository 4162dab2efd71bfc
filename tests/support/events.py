"""Watching what the platform publishes: consumer groups of the test's own on the platform's event
log, and letting the relay and the consumers finish instead of sleeping."""

from __future__ import annotations

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.clock import system_clock
from hph.runtime.consumers import EventConsumers
from hph.runtime.eventlog import Position
from tests.support.platform_harness import Hub

# Rounds of relay draining before `settle` gives up: consumers that commit events in turn (the
# analytics projection) need a few; more means events keep producing events.
SETTLE_ROUNDS = 50


def consumers_of(hub: Hub) -> EventConsumers:
    bus = hub.platform.deps.bus
    assert bus is not None
    return bus


async def settle(hub: Hub) -> None:
    """Appends every committed event to the log and waits until every consumer group handled it,
    and those its consumers commit in turn, to completion."""
    relay = hub.platform.deps.relay
    assert relay is not None
    consumers = consumers_of(hub)
    for _ in range(SETTLE_ROUNDS):
        appended = await relay.drain_once()
        await consumers.wait_until_caught_up()
        if appended == 0:
            return
    raise AssertionError("events kept coming")


def published(hub: Hub, topic: str) -> list[EventEnvelope]:
    """Starts recording `topic` at once (a consumer group of the test's own, from now on); the list
    fills as the relay appends and the group handles, so pair it with `waiting.eventually`."""
    seen: list[EventEnvelope] = []

    async def keep(envelope: EventEnvelope) -> None:
        seen.append(envelope)

    consumers_of(hub).subscribe(topic, f"test-{id(seen)}", keep, start=Position.since(system_clock()))
    return seen


class Recorder:
    """A consumer group on one topic that counts only what is published after it subscribed."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self.events: list[EventEnvelope] = []

    @classmethod
    async def subscribe(cls, hub: Hub, topic: str, group: str = "") -> Recorder:
        """Subscribes once what earlier steps (test setup) wrote has gone out, so only later events count."""
        recorder = cls(hub)
        await recorder.settle()
        consumers_of(hub).subscribe(
            topic, group or f"test-{topic}", recorder._handle, start=Position.since(system_clock())
        )
        await consumers_of(hub).wait_until_caught_up()
        return recorder

    async def _handle(self, envelope: EventEnvelope) -> None:
        self.events.append(envelope)

    async def settle(self) -> None:
        """Returns once every event committed so far has been delivered."""
        await settle(self._hub)

    def about(self, key: str) -> list[EventEnvelope]:
        return [e for e in self.events if e.partition_key == key]

    def of(self, kind: str, key: str = "") -> list[EventEnvelope]:
        """The events with payload `kind`, of one partition key (a SKU, an order id) if given."""
        return [e for e in self.events if e.WhichOneof("payload") == kind and (not key or e.partition_key == key)]

    @staticmethod
    def kinds(events: list[EventEnvelope]) -> list[str]:
        return [str(e.WhichOneof("payload")) for e in events]
