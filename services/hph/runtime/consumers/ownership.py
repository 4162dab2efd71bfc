"""Which partitions of a topic this consumer handles: all of them, or its share among the group's
live consumers.

- `SoleOwnership` (the embedded SQLite log): one process reads the log, so it owns every partition.
  The host runs the consumers only in the process that runs the background jobs (the first worker).
- `LeasedOwnership` (Redis Streams, and the shape an Event Hubs adapter keeps): the consumers of a
  group list themselves as live members and hold a lease per partition (the log's
  `OwnershipStore`). Every `interval` (a third of the lease time) each one renews its membership,
  works out its share and claims it: partition p goes to the member at index `p % n` of the sorted
  live members, so the shares are even and every consumer computes the same split. A partition it
  holds that is now another's share it gives up (the caller stops that partition's worker first,
  then releases the lease); one it wants but another still holds it gets once that one releases it
  or its lease expires. A consumer that dies stops renewing: its membership and leases expire after
  one lease time, the others' shares grow to cover its partitions, and they reclaim its pending
  (delivered, unacknowledged) events before reading on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta
from typing import Protocol

from hph.runtime.eventlog import OwnershipStore


class Ownership(Protocol):
    @property
    def interval(self) -> float:
        """Seconds between two calls of `owned` (lease renewal and rebalancing)."""
        ...

    async def owned(self, group: str, topic: str, partitions: int) -> frozenset[int]:
        """The partitions this consumer should handle now (claimed or renewed for it)."""
        ...

    async def release(self, group: str, topic: str, partitions: Iterable[int]) -> None:
        """Gives up these partitions (their workers have stopped)."""
        ...

    async def leave(self, group: str) -> None:
        """This consumer stops: it is no longer a member of the group."""
        ...


class SoleOwnership:
    """Every partition is this consumer's."""

    interval = math.inf

    async def owned(self, group: str, topic: str, partitions: int) -> frozenset[int]:
        return frozenset(range(partitions))

    async def release(self, group: str, topic: str, partitions: Iterable[int]) -> None:
        return None

    async def leave(self, group: str) -> None:
        return None


class LeasedOwnership:
    """This consumer's share of each partitioned topic, held by leases (see the module docstring)."""

    def __init__(self, store: OwnershipStore, consumer: str, lease_seconds: float) -> None:
        if lease_seconds <= 0:
            raise ValueError("a lease lasts more than 0 seconds")
        self._store = store
        self.consumer = consumer
        self._ttl = timedelta(seconds=lease_seconds)
        self.interval = lease_seconds / 3

    async def owned(self, group: str, topic: str, partitions: int) -> frozenset[int]:
        members = await self._store.join(group, self.consumer, self._ttl)
        if self.consumer not in members:  # its membership expired between the write and the read
            members = sorted({*members, self.consumer})
        share, index = len(members), members.index(self.consumer)
        owned: set[int] = set()
        for partition in range(partitions):
            if partition % share == index and await self._store.claim(
                group, topic, partition, self.consumer, self._ttl
            ):
                owned.add(partition)
        return frozenset(owned)

    async def release(self, group: str, topic: str, partitions: Iterable[int]) -> None:
        for partition in partitions:
            await self._store.release(group, topic, partition, self.consumer)

    async def leave(self, group: str) -> None:
        await self._store.leave(group, self.consumer)
