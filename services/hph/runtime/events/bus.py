"""The event bus port and its in-process adapter.

`EventBus` is what producers (the outbox relay) and consumers see; adapters are in-process
(embedded), and later Redis Streams and Azure Event Hubs. Delivery is at least once everywhere, so
every consumer group deduplicates by event_id.

`InProcessBus` semantics:

- One consumer task per (topic, group), fed by a FIFO queue: a group sees a topic's events in publish
  order, one at a time. Different groups, and different topics, run concurrently.
- `publish` returns once every group subscribed to the topic has finished with the event (handled it,
  skipped it as a duplicate, or dead-lettered it). Nothing in memory survives a crash, so that is the
  in-process equivalent of a broker's durable acknowledgement: the relay marks an outbox record sent
  only after its event was really delivered, and a crash before then re-publishes it on restart.
  Hence a handler must never await `publish` on its own bus (it would wait on itself); a handler
  that reacts with events writes them to its own outbox.
- A failing handler is retried with exponential backoff (`max_attempts` in all, waiting
  `backoff_base`, 2x, 4x ... between them, capped at `backoff_max`); then the event goes to
  "<topic>.dead-letter" (which is subscribable) and the error is logged.
- Each group remembers the last `dedupe_window` event ids it finished, so a redelivery is skipped.
- Events published to a topic before a group subscribed are not replayed to it: subscribe every
  group before starting the relay.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope

log = logging.getLogger("hph.events")

Handler = Callable[[EventEnvelope], Awaitable[None]]

DEAD_LETTER_SUFFIX = ".dead-letter"


def dead_letter_topic(topic: str) -> str:
    return topic + DEAD_LETTER_SUFFIX


class BusClosedError(RuntimeError):
    """The bus was closed: it accepts no more events, and undelivered ones will not be delivered."""


class EventBus(Protocol):
    async def publish(self, topic: str, envelope: EventEnvelope) -> None:
        """Delivers `envelope` on `topic`; returns once the bus has taken responsibility for it."""
        ...

    def subscribe(self, topic: str, group: str, handler: Handler) -> None:
        """Registers the consumer group `group` of `topic`; `handler` gets each event at least once."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class _RecentIds:
    """The last `capacity` event ids, for dedupe in bounded memory."""

    def __init__(self, capacity: int) -> None:
        self._order: deque[str] = deque()
        self._ids: set[str] = set()
        self._capacity = capacity

    def __contains__(self, event_id: str) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        if event_id in self._ids:
            return
        self._ids.add(event_id)
        self._order.append(event_id)
        if len(self._order) > self._capacity:
            self._ids.discard(self._order.popleft())


@dataclass
class _Delivery:
    envelope: EventEnvelope
    # Resolved when the group is done with the event; None for internal (dead-letter) deliveries.
    done: asyncio.Future[None] | None


@dataclass
class _Subscription:
    topic: str
    group: str
    handler: Handler
    seen: _RecentIds
    queue: asyncio.Queue[_Delivery] = field(default_factory=asyncio.Queue)
    task: asyncio.Task[None] | None = None
    busy: bool = False


class InProcessBus:
    """An `EventBus` inside one process (the embedded default); see the module docstring."""

    def __init__(
        self,
        *,
        max_attempts: int = 5,
        backoff_base: float = 0.05,
        backoff_max: float = 5.0,
        dedupe_window: int = 10_000,
        close_timeout: float = 10.0,
    ) -> None:
        if max_attempts < 1 or dedupe_window < 1 or backoff_base < 0 or backoff_max < 0 or close_timeout < 0:
            raise ValueError("max_attempts and dedupe_window must be >= 1, times >= 0")
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._dedupe_window = dedupe_window
        self._close_timeout = close_timeout
        self._subscriptions: dict[str, dict[str, _Subscription]] = {}
        self._started = False
        self._closed = False

    def subscribe(self, topic: str, group: str, handler: Handler) -> None:
        if self._closed:
            raise BusClosedError("the event bus is closed")
        if not topic or not group:
            raise ValueError("topic and group are required")
        groups = self._subscriptions.setdefault(topic, {})
        if group in groups:
            raise ValueError(f"group {group!r} already subscribes to {topic!r}")
        subscription = _Subscription(topic, group, handler, _RecentIds(self._dedupe_window))
        groups[group] = subscription
        if self._started:
            self._start_consumer(subscription)

    async def start(self) -> None:
        if self._closed:
            raise BusClosedError("the event bus is closed")
        if self._started:
            return
        self._started = True
        for subscription in self._all_subscriptions():
            self._start_consumer(subscription)

    async def publish(self, topic: str, envelope: EventEnvelope) -> None:
        if self._closed:
            raise BusClosedError("the event bus is closed")
        groups = list(self._subscriptions.get(topic, {}).values())
        if not groups:
            log.debug("no subscriber", extra={"topic": topic, "event_id": envelope.event_id})
            return
        loop = asyncio.get_running_loop()
        pending: list[asyncio.Future[None]] = []
        for subscription in groups:
            done: asyncio.Future[None] = loop.create_future()
            subscription.queue.put_nowait(_Delivery(_copy(envelope), done))
            pending.append(done)
        await asyncio.gather(*pending)

    async def close(self) -> None:
        """Refuses new events, lets the consumers finish what is queued (up to `close_timeout`
        seconds), then stops them; publishers still waiting get BusClosedError."""
        if self._closed:
            return
        self._closed = True
        subscriptions = self._all_subscriptions()
        if self._started:
            try:
                await asyncio.wait_for(self._drained(subscriptions), self._close_timeout)
            except TimeoutError:
                log.warning("event bus closed with undelivered events", extra={"timeout_s": self._close_timeout})
        tasks = [subscription.task for subscription in subscriptions if subscription.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for subscription in subscriptions:
            while not subscription.queue.empty():
                _finish(subscription.queue.get_nowait(), BusClosedError("the event bus closed before delivery"))

    @staticmethod
    async def _drained(subscriptions: list[_Subscription]) -> None:
        # A consumer may dead-letter into a queue whose join() already returned: check again after.
        while True:
            await asyncio.gather(*(subscription.queue.join() for subscription in subscriptions))
            if not any(subscription.queue.qsize() or subscription.busy for subscription in subscriptions):
                return

    def _all_subscriptions(self) -> list[_Subscription]:
        return [subscription for groups in self._subscriptions.values() for subscription in groups.values()]

    def _start_consumer(self, subscription: _Subscription) -> None:
        subscription.task = asyncio.create_task(
            self._consume(subscription), name=f"hph-events:{subscription.topic}:{subscription.group}"
        )

    async def _consume(self, subscription: _Subscription) -> None:
        while True:
            delivery = await subscription.queue.get()
            subscription.busy = True
            try:
                await self._deliver(subscription, delivery.envelope)
                _finish(delivery, None)
            except asyncio.CancelledError:
                _finish(delivery, BusClosedError("the event bus closed during delivery"))
                raise
            except Exception as exc:  # A bug here must not kill the consumer and stall the group.
                log.exception("event delivery failed", extra={"topic": subscription.topic, "group": subscription.group})
                _finish(delivery, exc)
            finally:
                subscription.busy = False
                subscription.queue.task_done()

    async def _deliver(self, subscription: _Subscription, envelope: EventEnvelope) -> None:
        if envelope.event_id in subscription.seen:
            log.debug(
                "duplicate event skipped",
                extra={"topic": subscription.topic, "group": subscription.group, "event_id": envelope.event_id},
            )
            return
        error = await self._handle_with_retries(subscription, envelope)
        # Dead-lettered counts as finished too: a redelivery must not run the retries again.
        subscription.seen.add(envelope.event_id)
        if error is not None:
            self._dead_letter(subscription, envelope, error)

    async def _handle_with_retries(self, subscription: _Subscription, envelope: EventEnvelope) -> Exception | None:
        """None once the handler succeeded, or the last error after `max_attempts` failures."""
        delay = self._backoff_base
        for attempt in range(1, self._max_attempts + 1):
            try:
                await subscription.handler(envelope)
                return None
            except Exception as exc:
                if attempt == self._max_attempts:
                    return exc
                log.warning(
                    "event handler failed, retrying",
                    extra={
                        "topic": subscription.topic,
                        "group": subscription.group,
                        "event_id": envelope.event_id,
                        "attempt": attempt,
                        "error": repr(exc),
                    },
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._backoff_max)
        raise AssertionError("unreachable")

    def _dead_letter(self, subscription: _Subscription, envelope: EventEnvelope, error: Exception) -> None:
        target = dead_letter_topic(subscription.topic)
        log.error(
            "event dead-lettered",
            extra={
                "topic": subscription.topic,
                "group": subscription.group,
                "event_id": envelope.event_id,
                "event_type": envelope.event_type,
                "attempts": self._max_attempts,
                "error": repr(error),
                "dead_letter_topic": target,
            },
            exc_info=error,
        )
        if subscription.topic.endswith(DEAD_LETTER_SUFFIX):
            return  # A dead-letter consumer that fails is logged, not dead-lettered again.
        # Not awaited: the dead-letter consumer must not hold up this group's next event.
        for dead_letters in self._subscriptions.get(target, {}).values():
            dead_letters.queue.put_nowait(_Delivery(_copy(envelope), None))


def _copy(envelope: EventEnvelope) -> EventEnvelope:
    # Each group gets its own message, so one handler mutating it cannot affect another.
    clone = EventEnvelope()
    clone.CopyFrom(envelope)
    return clone


def _finish(delivery: _Delivery, error: BaseException | None) -> None:
    if delivery.done is None or delivery.done.done():
        return
    if error is None:
        delivery.done.set_result(None)
    else:
        delivery.done.set_exception(error)
