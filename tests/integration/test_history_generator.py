"""The demo history generator end to end: two runs with one seed write the same history (counts and
totals), and a platform started on the generated data dir sees it in the agents' projections, built
from the events the real services wrote (co-purchases and ratings in product insights)."""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from holidaypeak.agents.v1 import product_detail_enrichment_service_pb2 as pb
from holidaypeak.agents.v1 import product_detail_enrichment_service_pb2_grpc as pb_grpc
from hph.commerce.demo_data import generate_catalog
from hph.host import cli, evaluate
from hph.host.app import SERVICE_NAMES
from hph.host.history.driver import HistorySummary, generate_history
from hph.host.history.plan import plan_history
from hph.runtime.settings import Settings
from tests.support.events import settle
from tests.support.platform_harness import running_hub
from tests.support.waiting import read_until

pytestmark = pytest.mark.integration

DAYS, SEED, ORDERS_PER_DAY, SHOPPERS = 14, 21, 5.0, 10
END = datetime.now(UTC).date()


async def generate(data_dir: Path) -> HistorySummary:
    settings = Settings(data_dir=data_dir, grpc_port=0, log_format="text", shutdown_grace_seconds=1.0)
    return await generate_history(
        settings, days=DAYS, seed=SEED, orders_per_day=ORDERS_PER_DAY, shoppers=SHOPPERS, end=END
    )


def comparable(summary: HistorySummary) -> dict[str, Any]:
    """Everything but the ids the services assigned."""
    fields = asdict(summary)
    fields["deliveries"] = [{k: v for k, v in d.items() if k != "shipment_id"} for d in summary.deliveries]
    return fields


async def test_one_seed_writes_the_same_history_and_the_agents_see_it(tmp_path: Path) -> None:
    first = await generate(tmp_path / "first")
    second = await generate(tmp_path / "second")
    assert comparable(first) == comparable(second)
    assert first.failed_actions == 0
    assert first.orders > DAYS * 2 and first.revenue_minor > 0 and first.shipments > 0 and first.delivered > 0
    assert sum(first.orders_per_day.values()) == first.orders

    plan = plan_history(
        list(generate_catalog().products),
        days=DAYS,
        seed=SEED,
        end=END,
        orders_per_day=ORDERS_PER_DAY,
        shoppers=SHOPPERS,
    )
    pairs = Counter((o.lines[0][0], o.lines[1][0]) for o in plan.orders if len(o.lines) > 1 and not o.cancelled)
    (anchor, companion), together = pairs.most_common(1)[0]
    assert together >= 2

    hosted = (*SERVICE_NAMES, "product-detail-enrichment")
    # The history went into the data dir's SQLite store (`generate`): read it there, whatever
    # HPH_TEST_STORAGE says.
    sqlite = {"storage": "sqlite"}
    async with running_hub(tmp_path / "first", services=hosted, seed=False, settings_overrides=sqlite) as hub:
        await settle(hub)  # the agents' groups read the whole log from its start
        agent = pb_grpc.ProductDetailEnrichmentServiceStub(hub.channel)
        answer = await read_until(
            lambda: agent.EnrichProduct(pb.EnrichProductRequest(product_id=anchor, related_limit=24)),
            lambda found: companion in [s.product.product_id for s in found.frequently_bought_together],
        )
        assert companion in [s.product.product_id for s in answer.frequently_bought_together]
        # Reviews written in the first days of the history are in the rating summaries.
        reviewed = {
            o.lines[0][0]
            for o in plan.orders
            if o.review_rating and o.placed_at.date() < plan.start + (END - plan.start) / 3
        }
        counts = [
            (await agent.EnrichProduct(pb.EnrichProductRequest(product_id=product_id))).rating
            for product_id in sorted(reviewed)
        ]
        assert first.reviews > 0 and any(rating.count > 0 for rating in counts)
        assert all(sum(b.count for b in rating.histogram) == rating.count for rating in counts)


def test_hph_eval_eta_meets_its_floors(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    assert evaluate.run(parser.parse_args(["eta"])) == 0
    printed = capsys.readouterr().out
    assert "MAE days" in printed and "  ups" in printed
    assert evaluate.run(parser.parse_args(["eta", "--grpc", "127.0.0.1:1"])) == 2


def test_hph_seed_history_prints_the_summary_and_refuses_negative_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["seed", "--data-dir", str(tmp_path), "--history", "2", "--orders-per-day", "3"]) == 0
    printed = capsys.readouterr().out
    assert "seeded 27 categories" in printed and "(2 days, seed 12)" in printed and "failed actions 0" in printed
    with pytest.raises(SystemExit) as usage:
        cli.main(["seed", "--data-dir", str(tmp_path), "--history", "-3"])
    assert usage.value.code == 2
