"""Cart insights remembered in the cart-intelligence agent's memory (`cart-intelligence.assessments`):
a repeated ask of an unchanged cart is answered from the hot tier (the same assessment, computed
once, its sources naming the memory), any change to the cart is scored afresh, an answer expires
after `HPH_CART_INSIGHTS_CACHE_SECONDS`, and the ownership check still comes first."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from holidaypeak.agents.v1 import cart_intelligence_service_pb2 as pb
from holidaypeak.agents.v1 import cart_intelligence_service_pb2_grpc as pb_grpc
from hph.agents.cart_intelligence.assessments import SOURCE
from hph.runtime.memory import NamespaceStats
from tests.support.platform_harness import Hub
from tests.support.rich_status import expect_error
from tests.support.shoppers import a_shopper, staff, stocked_products

pytestmark = pytest.mark.integration

AGENT = "cart-intelligence"
HUB_SERVICES = ("catalog", "users", "inventory", "cart", AGENT)
TTL = 3.0
HUB_SETTINGS = {"cart_insights_cache_seconds": TTL}


def stats(hub: Hub) -> NamespaceStats:
    memory = hub.platform.deps.memory
    assert memory is not None
    return memory.stats().of("cart-intelligence.assessments")


async def analyze(hub: Hub, metadata: object, user_id: str = "") -> pb.AnalyzeCartResponse:
    answer: pb.AnalyzeCartResponse = await pb_grpc.CartIntelligenceServiceStub(hub.channel).AnalyzeCart(
        pb.AnalyzeCartRequest(user_id=user_id), metadata=metadata
    )
    return answer


def without_memory_source(answer: pb.AnalyzeCartResponse) -> pb.AnalyzeCartResponse:
    copy = pb.AnalyzeCartResponse()
    copy.CopyFrom(answer)
    sources = [s for s in copy.explanation.freshness.sources if s != SOURCE]
    del copy.explanation.freshness.sources[:]
    copy.explanation.freshness.sources.extend(sources)
    return copy


async def test_an_unchanged_cart_is_answered_from_memory_and_a_changed_one_afresh(hub: Hub) -> None:
    first, second = await stocked_products(hub, 2, on_hand=500)
    shopper = await a_shopper(hub, "mia")
    await shopper.add(first, 1)

    computed = await analyze(hub, shopper.me)
    assert SOURCE not in computed.explanation.freshness.sources
    assert (stats(hub).writes, stats(hub).hits) == (1, 0)

    again = await analyze(hub, shopper.me)
    assert SOURCE in again.explanation.freshness.sources
    assert without_memory_source(again) == computed, "the same assessment, computed_at included"
    assert (stats(hub).writes, stats(hub).tiers["hot"].hits) == (1, 1)

    # Staff reading the shopper's cart get the same remembered assessment; a stranger is refused
    # before memory is even asked.
    assert without_memory_source(await analyze(hub, staff(hub), shopper.sub)) == computed
    stranger = await a_shopper(hub, "nosy-ned")
    reads = stats(hub).reads
    await expect_error(analyze(hub, stranger.me, shopper.sub), grpc.StatusCode.PERMISSION_DENIED)
    assert stats(hub).reads == reads

    # Any change to the cart changes its etag: scored afresh, with the new line.
    await shopper.add(second, 2)
    changed = await analyze(hub, shopper.me)
    assert SOURCE not in changed.explanation.freshness.sources
    assert [line.product_id for line in changed.lines] == [first, second]
    assert stats(hub).writes == 2

    # Past its lifetime the assessment is computed again, even for the same cart.
    await asyncio.sleep(TTL + 0.1)
    later = await analyze(hub, shopper.me)
    assert SOURCE not in later.explanation.freshness.sources
    assert later.explanation.freshness.computed_at.ToDatetime() > changed.explanation.freshness.computed_at.ToDatetime()
    # Memory found the key 3 times in 5 reads (the changed cart's read found the old etag's entry).
    final = stats(hub)
    assert (final.reads, final.hits, final.writes, final.expired) == (5, 3, 3, 1)
