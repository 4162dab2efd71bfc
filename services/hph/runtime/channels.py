"""gRPC channels from one service to another, pooled, with deadlines and retries for reads.

Services call each other only through generated stubs over these channels, whether the callee
runs in the same process (`hph up`) or in another pod: the topology is the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import grpc

from hph.runtime.rpc.local import LocalChannel, LocalDispatcher

# Transparent retries for UNAVAILABLE on reads; writes carry idempotency keys and retry themselves.
_SERVICE_CONFIG = json.dumps(
    {
        "methodConfig": [
            {
                "name": [{}],
                "timeout": "5s",
                "retryPolicy": {
                    "maxAttempts": 3,
                    "initialBackoff": "0.05s",
                    "maxBackoff": "0.5s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    }
)

DEFAULT_DEADLINE_SECONDS = 3.0

Stub = TypeVar("Stub")


class ChannelPool:
    """One channel per target address; services not listed in `addresses` are reached locally."""

    def __init__(self, addresses: Mapping[str, str] | None = None) -> None:
        self._addresses = dict(addresses or {})
        self._local = ""
        self._local_channel: LocalChannel | None = None
        self._channels: dict[str, grpc.aio.Channel] = {}
        self._stubs: dict[tuple[int, Any], tuple[Any, Any]] = {}

    def set_local_address(self, address: str, dispatcher: LocalDispatcher | None = None) -> None:
        """Where this process's own server listens (known only once it is bound); with a
        `dispatcher`, calls to it are made in-process (hph.runtime.rpc.local) instead."""
        self._local = address
        self._local_channel = None if dispatcher is None else LocalChannel(dispatcher)

    def target(self, service: str) -> str:
        target = self._addresses.get(service) or self._local
        if not target:
            raise RuntimeError(f"no address known for service {service!r}")
        return target

    def get(self, service: str) -> grpc.aio.Channel:
        target = self.target(service)
        if target == self._local and self._local_channel is not None:
            return self._local_channel
        channel = self._channels.get(target)
        if channel is None:
            channel = grpc.aio.insecure_channel(
                target, options=[("grpc.service_config", _SERVICE_CONFIG), ("grpc.enable_retries", 1)]
            )
            self._channels[target] = channel
        return channel

    def stub(self, service: str, stub_class: Callable[[Any], Stub]) -> Stub:
        """A generated stub for `service` over its channel, built once per channel and class (a stub
        makes one multicallable per method of its service, which cost more than many calls)."""
        channel = self.get(service)
        key = (id(channel), stub_class)
        known = self._stubs.get(key)
        if known is None or known[0] is not channel:
            known = self._stubs[key] = (channel, stub_class(channel))
        stub: Stub = known[1]
        return stub

    async def close(self) -> None:
        self._stubs.clear()
        for channel in self._channels.values():
            await channel.close()
        self._channels.clear()


def parse_addresses(spec: str) -> dict[str, str]:
    """Parses HPH_SERVICE_ADDRESSES: "catalog=10.0.0.5:50051,users=users:50051"."""
    addresses: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, address = item.partition("=")
        if not sep or not name.strip() or not address.strip():
            raise ValueError(f"HPH_SERVICE_ADDRESSES entry {item!r} is not name=host:port")
        addresses[name.strip()] = address.strip()
    return addresses
