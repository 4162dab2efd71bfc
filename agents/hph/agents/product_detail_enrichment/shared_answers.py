"""Computed product insights shared by every worker and pod, in the agent's memory (namespaces
`product-detail-enrichment.insights` and `.similar`), when the memory's hot tier is shared (Redis).

Each process keeps its answers in a TtlCache first (single flight, refresh ahead, no decoding: the
p99 of a product page). Below it, this second level makes one computation serve every replica: a
process missing an answer reads the shared hot tier before computing it (product, reviews, category,
stock, co-purchases: tens of milliseconds) and stores what it computed. With the in-process hot tier
the second level would only repeat the TtlCache of the same process, so it is off.

Entries live `HPH_PRODUCT_INSIGHTS_CACHE_SECONDS` in memory, write-behind with the hot time equal to
the TTL: they expire in the hot tier and are never written to storage. An answer read from memory
then lives its own TtlCache time, so with Redis an answer may be up to twice the setting old.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Generic, TypeVar

from google.protobuf.message import Message

from hph.agents.runtime import agent_memory
from hph.runtime.deps import Dependencies
from hph.runtime.memory import MemoryNamespace, Policy, validate_key

AGENT = "product-detail-enrichment"
M = TypeVar("M", bound=Message)


class SharedAnswers(Generic[M]):
    """Answers of one kind, by key, in the shared hot tier; `load` computes what is not there."""

    def __init__(self, namespace: MemoryNamespace | None, message: type[M]) -> None:
        self._namespace = namespace
        self._message = message

    @classmethod
    def of(cls, deps: Dependencies, kind: str, message: type[M]) -> SharedAnswers[M]:
        seconds = deps.settings.product_insights_cache_seconds
        if deps.memory is None or deps.memory.hot.kind == "local" or seconds <= 0:
            return cls(None, message)
        lifetime = timedelta(seconds=seconds)
        policy = Policy(ttl=lifetime, hot_ttl=lifetime, write_behind=True)
        return cls(agent_memory(deps, AGENT, kind, policy), message)

    @property
    def enabled(self) -> bool:
        return self._namespace is not None

    async def load(self, key: str, compute: Callable[[], Awaitable[M]]) -> M:
        if self._namespace is None or not _valid(key):
            return await compute()
        stored = await self._namespace.value(key)
        if isinstance(stored, bytes):
            return self._message.FromString(stored)
        answer = await compute()
        await self._namespace.put(key, answer.SerializeToString())
        return answer


def _valid(key: str) -> bool:
    try:
        validate_key(key)
    except ValueError:
        return False
    return True
