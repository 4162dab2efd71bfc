"""Product insights computed once for every replica: two platforms (two pods, as far as memory is
concerned) share a private Redis as the memory hot tier; the first computes a product's insights
and similar products, the second answers them from the shared tier without computing (the same
answer, its computed_at included); without Redis nothing is shared."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from holidaypeak.agents.v1 import product_detail_enrichment_service_pb2 as pb
from holidaypeak.agents.v1 import product_detail_enrichment_service_pb2_grpc as pb_grpc
from hph.commerce.demo_data import generate_catalog
from hph.runtime.memory import NamespaceStats
from tests.support.platform_harness import Hub, running_hub

pytestmark = pytest.mark.integration

AGENT = "product-detail-enrichment"
SERVICES = ("catalog", "users", "inventory", "reviews", AGENT)
PRODUCT = generate_catalog().products[0].id


def stats(hub: Hub, kind: str) -> NamespaceStats:
    memory = hub.platform.deps.memory
    assert memory is not None
    return memory.stats().of(f"{AGENT}.{kind}")


async def ask(hub: Hub) -> tuple[pb.EnrichProductResponse, pb.SimilarProductsResponse]:
    stub = pb_grpc.ProductDetailEnrichmentServiceStub(hub.channel)
    insights = await stub.EnrichProduct(pb.EnrichProductRequest(product_id=PRODUCT))
    similar = await stub.SimilarProducts(pb.SimilarProductsRequest(product_id=PRODUCT, limit=4))
    return insights, similar


async def test_one_computation_serves_every_replica_through_the_shared_hot_tier(tmp_path: Path, redis_url: str) -> None:
    settings: dict[str, Any] = {"redis_url": redis_url, "memory_redis_prefix": f"test:{tmp_path.name}:"}
    async with running_hub(tmp_path / "a", services=SERVICES, seed=True, settings_overrides=settings) as first:
        computed = await ask(first)
        assert [(stats(first, k).reads, stats(first, k).writes) for k in ("insights", "similar")] == [(1, 1)] * 2
        async with running_hub(tmp_path / "b", services=SERVICES, seed=True, settings_overrides=settings) as second:
            shared = await ask(second)
            assert shared == computed, "the first replica's answers, computed_at included"
            for kind in ("insights", "similar"):
                counts = stats(second, kind)
                assert (counts.writes, counts.tiers["hot"].hits) == (0, 1)
            # The process's own TtlCache answers the next ask: memory is not read again.
            assert await ask(second) == computed
            assert stats(second, "insights").reads == 1


async def test_without_a_shared_hot_tier_each_process_keeps_its_own_answers(tmp_path: Path) -> None:
    async with running_hub(tmp_path / "data", services=SERVICES, seed=True) as hub:
        await ask(hub)
        assert stats(hub, "insights").reads == 0 and stats(hub, "insights").writes == 0
