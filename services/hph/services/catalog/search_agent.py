"""The catalog's use of the catalog-search agent for `ListProducts(search=...)`: the agent ranks, the
catalog answers with its own product documents in that order. One small seam, so the rest of the
servicer only sees "ranked ids and a token" or "no answer" (then it falls back to its word matching).

Tokens of agent-ranked pages are the agent's own, prefixed so a page token tells which path issued
it: a fallback page never resumes an agent token, and the agent never sees a storage token.
"""

from __future__ import annotations

from dataclasses import dataclass

from holidaypeak.agents.v1 import catalog_search_service_pb2 as search_pb
from holidaypeak.agents.v1 import catalog_search_service_pb2_grpc as search_grpc
from hph.commerce.agent_calls import AgentClient
from hph.runtime.deps import Dependencies

AGENT = "catalog-search"
AGENT_TOKEN_PREFIX = "s."


@dataclass(frozen=True)
class RankedPage:
    product_ids: list[str]
    next_page_token: str


class SearchAgent:
    def __init__(self, deps: Dependencies) -> None:
        self._client = AgentClient(
            deps,
            AGENT,
            search_grpc.CatalogSearchServiceStub,
            deadline_seconds=deps.settings.search_agent_deadline_seconds,
            credentials="none",  # an anonymous read, like the shopper's own
        )

    async def ranked(self, search: str, category: str, limit: int, page_token: str) -> RankedPage | None:
        """The agent's ranking of one page, or None when it did not answer (down, slow, not hosted,
        still building, breaker open) or the token is a fallback page's."""
        if page_token and not page_token.startswith(AGENT_TOKEN_PREFIX):
            return None
        request = search_pb.SearchRequest(
            q=search, category=category, page_size=limit, page_token=page_token.removeprefix(AGENT_TOKEN_PREFIX)
        )
        result = await self._client.call("Search", request, response=search_pb.SearchResponse, fallback=lambda: None)
        answer = result.value
        if answer is None:
            return None
        token = AGENT_TOKEN_PREFIX + answer.next_page_token if answer.next_page_token else ""
        return RankedPage([hit.product_id for hit in answer.hits], token)


def resumes_agent_page(page_token: str) -> bool:
    return page_token.startswith(AGENT_TOKEN_PREFIX)
