"""What every service is built from; assembled once by the composition root (hph.host.app)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from hph.runtime.auth.revocation import RevocationList
from hph.runtime.auth.service_identity import ServiceCredentials
from hph.runtime.breaker import CircuitBreakers
from hph.runtime.channels import ChannelPool
from hph.runtime.clock import Clock, system_clock
from hph.runtime.consumers import EventConsumers
from hph.runtime.events import OutboxRelay
from hph.runtime.hot_caches import HotCaches
from hph.runtime.memory import Memory
from hph.runtime.narrator import Narrator
from hph.runtime.settings import Settings
from hph.runtime.storage import DocumentStore


class BackgroundTask(Protocol):
    """A service's long-running job; the host starts it after the server and stops it before exit."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True)
class Dependencies:
    """Shared runtime handed to service factories; nothing in a service reads the environment."""

    settings: Settings
    store: DocumentStore
    clock: Clock = system_clock
    # Channels to other services (call them through generated stubs, with a deadline).
    channels: ChannelPool = field(default_factory=ChannelPool)
    # The platform's own bearer token for internal RPCs (staff role); empty metadata when unset.
    service_credentials: ServiceCredentials = field(default_factory=lambda: ServiceCredentials(None))
    # Publishes committed outbox records; services register their containers and notify after commits.
    relay: OutboxRelay | None = None
    # The consumer framework over the durable event log: consumer groups are declared on it
    # (`bus.subscribe(topic, group, handler)` or `bus.declare(ConsumerGroup(...))`, see
    # hph.runtime.consumers); the host starts them after the server.
    bus: EventConsumers | None = None
    # Revoked tokens: the same object the server authenticates with, so a logout here applies at once.
    revocations: RevocationList | None = None
    # Agents' tiered memory (hot/warm/cold); an agent takes its handle with
    # `memory.namespace(agent_name, kind, policy)`. The host opens, starts and closes it.
    memory: Memory | None = None
    # Optional prose summaries of agents' answers (off unless HPH_NARRATOR_URL is set; an answer
    # never depends on it): `await narrator.narrate(answer)`.
    narrator: Narrator = field(default_factory=Narrator.off)
    # One circuit breaker per agent (or other dependency), shared by every service of this process.
    breakers: CircuitBreakers = field(default_factory=CircuitBreakers)
    # Where hot caches live (HPH_HOT_CACHE): this process's memory, or Redis shared by every host;
    # a service opens each of its caches with `caches.open(name, codec, ttl_seconds=...)`.
    caches: HotCaches = field(default_factory=HotCaches.embedded)
    # Long-running jobs of services (e.g. the reservation sweeper), started and stopped by the host.
    background: list[BackgroundTask] = field(default_factory=list)

    def notify_relay(self) -> None:
        """Wakes the outbox relay after a commit so events go out without waiting for a poll."""
        if self.relay is not None:
            self.relay.notify()
