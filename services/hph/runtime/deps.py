"""What every service is built from; assembled once by the composition root (hph.host.app)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hph.runtime.channels import ChannelPool
from hph.runtime.clock import Clock, system_clock
from hph.runtime.settings import Settings
from hph.runtime.storage import DocumentStore


@dataclass(frozen=True)
class Dependencies:
    """Shared runtime handed to service factories; nothing in a service reads the environment."""

    settings: Settings
    store: DocumentStore
    clock: Clock = system_clock
    # Channels to other services (call them through generated stubs, with a deadline).
    channels: ChannelPool = field(default_factory=ChannelPool)
