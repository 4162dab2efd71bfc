"""The last cart assessment per shopper, in the agent's memory (namespace
`cart-intelligence.assessments`), answered again while the shopper's cart is unchanged.

A shopper's cart page asks for its insights on every view; scoring it reads the cart re-priced,
live stock twice over and the checkout history, several times what reading the stored cart costs.
The assessment is remembered with the etag of the cart it scored, so a repeated ask costs the
stored cart's read (its etag) and a hot-tier read; any change to the cart changes the etag and is
scored afresh. Stock, prices and the checkout history may lag by the namespace's TTL
(`HPH_CART_INSIGHTS_CACHE_SECONDS`, 5 s by default; 0 = off).

Write-behind with the hot time equal to the TTL: an entry normally expires in the hot tier and is
never written to storage; only one evicted early (the hot tier full) reaches warm storage. With
Redis as the hot tier (`HPH_REDIS_URL`), every worker and pod answers from the same assessments.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from holidaypeak.agents.v1 import cart_intelligence_service_pb2 as pb
from hph.agents.runtime import agent_memory
from hph.runtime.deps import Dependencies
from hph.runtime.memory import MemoryNamespace, Policy, validate_key

AGENT, KIND = "cart-intelligence", "assessments"
SOURCE = f"memory:{AGENT}.{KIND}"


def memory_key(user_id: str) -> str:
    """The user id when it is a valid memory key (platform ids are), else its SHA-256."""
    try:
        return validate_key(user_id)
    except ValueError:
        return "sha256:" + hashlib.sha256(user_id.encode()).hexdigest()


class Assessments:
    """Remembers AnalyzeCart answers per shopper with the etag of the cart they scored."""

    def __init__(self, namespace: MemoryNamespace | None) -> None:
        self._namespace = namespace

    @classmethod
    def of(cls, deps: Dependencies) -> Assessments:
        seconds = deps.settings.cart_insights_cache_seconds
        if seconds <= 0:
            return cls(None)
        lifetime = timedelta(seconds=seconds)
        return cls(agent_memory(deps, AGENT, KIND, Policy(ttl=lifetime, hot_ttl=lifetime, write_behind=True)))

    @property
    def enabled(self) -> bool:
        return self._namespace is not None

    async def recall(self, user_id: str, cart_etag: str) -> pb.AnalyzeCartResponse | None:
        """The remembered answer for this cart, or None (none, expired, or the cart changed since)."""
        if self._namespace is None:
            return None
        value = await self._namespace.value(memory_key(user_id))
        if not isinstance(value, dict) or value.get("etag") != cart_etag:
            return None
        answer = pb.AnalyzeCartResponse.FromString(base64.b64decode(value["answer"]))
        answer.explanation.freshness.sources.append(SOURCE)
        return answer

    async def remember(self, user_id: str, cart_etag: str, answer: pb.AnalyzeCartResponse) -> None:
        if self._namespace is None:
            return
        encoded = base64.b64encode(answer.SerializeToString()).decode()
        await self._namespace.put(memory_key(user_id), {"etag": cart_etag, "answer": encoded})
