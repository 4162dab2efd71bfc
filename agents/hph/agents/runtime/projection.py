"""The build-then-follow lifecycle of a projection an agent keeps in process memory.

    class SearchProjection(FollowedProjection):
        async def build(self) -> None:              # read the services' state, install a new view
            ...
        async def apply(self, delivery: Delivery) -> bool:   # one event; True when it changed the view
            ...

    projection = SearchProjection("catalog-search", deps.clock)
    projection.follow(deps.bus, [Subscription.to("product-events", projection.handle), ...])
    projection.launch()          # in create_binding: starts once the server is up, in every process
    deps.background.append(projection)

`start()` (what `launch` schedules) first adds the projection's PER-REPLICA consumer group to the
bus, which places its start at the end of every partition, then builds from the services' state
(retrying with backoff while they cannot be read, e.g. another pod not up yet). Events delivered
while the build runs are queued and applied after it: each carries the state after its change, so
applying it after a snapshot read converges on the newest state, and nothing appended between the
start position and the snapshot is missed. `rebuild()` builds again the same way (after a reset of
the view, or on demand). `ready` is False until the first build is done (a servicer answers
UNAVAILABLE meanwhile); `degraded` says an answer comes from a partial view; `freshness` holds the
view's data-as-of (the snapshot's read time, then the enqueued time of each event applied).

Why per replica: every process of the agent keeps its own copy, so every copy needs every event
(hph.runtime.consumers: ConsumerGroup.per_replica).
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence

from hph.agents.runtime.freshness import FreshnessTracker
from hph.runtime.clock import Clock
from hph.runtime.consumers import ConsumerGroup, Delivery, EventConsumers, Subscription

log = logging.getLogger("hph.agents.runtime")

BUILD_RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)


class FollowedProjection(ABC):
    """An in-memory view built from the services' state and kept current from events."""

    def __init__(self, name: str, clock: Clock) -> None:
        self.name = name
        self._clock = clock
        self.ready = False
        self.freshness = FreshnessTracker()
        self._group: ConsumerGroup | None = None
        self._bus: EventConsumers | None = None
        self._queued: list[Delivery] = []
        self._building = False
        self._task: asyncio.Task[None] | None = None

    # --- what a projection implements -----------------------------------------------------------

    @abstractmethod
    async def build(self) -> None:
        """Reads the services' state and replaces the view with one built from it; raises when the
        state cannot be read (the lifecycle retries)."""

    @abstractmethod
    async def apply(self, delivery: Delivery) -> bool:
        """Applies one event to the built view; True when it changed the view."""

    async def built(self) -> None:
        """Runs after each build once the queued events are applied (e.g. to commit them)."""
        return None

    @property
    def degraded(self) -> bool:
        """Whether answers come from a partial view (not built yet, by default)."""
        return not self.ready

    # --- the lifecycle ----------------------------------------------------------------------------

    def follow(self, bus: EventConsumers | None, subscriptions: Sequence[Subscription]) -> ConsumerGroup:
        """The projection's per-replica consumer group (named after the projection), added to `bus`
        by `start` (None: a projection nothing feeds, e.g. in a unit test)."""
        self._bus = bus
        self._group = ConsumerGroup(self.name, tuple(subscriptions), per_replica=True)
        return self._group

    async def handle(self, delivery: Delivery) -> None:
        """The consumer group's handler: queued while building, applied once built."""
        if self._building or not self.ready:
            self._queued.append(delivery)
            return
        if await self.apply(delivery):
            self.freshness.applied(delivery)

    def launch(self) -> None:
        """Schedules `start` on the running loop, so it runs once the host has started the server
        (a projection may read the services of this very process)."""
        asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self.start()))

    async def start(self) -> None:
        """Follows, then builds (once; later calls do nothing). A BackgroundTask of the host."""
        if self._task is None:
            self._task = asyncio.create_task(self._follow_then_build(), name=f"{self.name}-build")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _follow_then_build(self) -> None:
        bus, group = self._bus, self._group
        if bus is not None and group is not None:
            await self._retrying("following its events", lambda: bus.add(group))
        await self._retrying("building", self.rebuild)

    async def _retrying(self, what: str, step: Callable[[], Awaitable[None]]) -> None:
        attempt = 0
        while True:
            try:
                await step()
                return
            except Exception as exc:  # the platform may not be up yet (another pod): retry
                pause = BUILD_RETRY_SECONDS[min(attempt, len(BUILD_RETRY_SECONDS) - 1)]
                log.warning("%s: %s failed (%s); retrying in %.1f s", self.name, what, exc, pause)
                attempt += 1
                await asyncio.sleep(pause)

    async def rebuild(self) -> None:
        """Builds from the services' state, then applies the events queued meanwhile (a rebuild
        keeps answering from the old view until the new one is installed)."""
        read_at = self._clock()
        self._building = True
        try:
            await self.build()
        except BaseException:
            self._building = False
            queued, self._queued = self._queued, []
            if self.ready:  # the old view stays: catch it up with what was queued for the new one
                for delivery in queued:
                    if await self.apply(delivery):
                        self.freshness.applied(delivery)
            else:
                self._queued = queued
            raise
        self.freshness.observed(read_at)
        queued, self._queued = self._queued, []
        self.ready, self._building = True, False
        for delivery in queued:
            if await self.apply(delivery):
                self.freshness.applied(delivery)
        await self.built()
