"""The crm-segmentation-personalization cores on hand-made customers: quintiles with shared ties, the
segment rules (every customer exactly once), movement and stability between runs, recommendations
that rank by affinity and never offer what was bought, and the segment stability evaluation holding
its floors."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hph.agents.crm_activity.records import Activity, LineRecord, OrderRecord, Stage
from hph.agents.crm_segmentation_personalization.personalize import Candidate, recommend, taste
from hph.agents.crm_segmentation_personalization.rfm import (
    Segment,
    movement,
    quintiles,
    segment,
    segment_of,
    stability,
)
from hph.host import evaluate
from hph.host.history import segments_eval as evaluation

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def orders(
    user: str, *days_ago: int, total: int = 5_000, category: str = "lights", sku: str = ""
) -> tuple[OrderRecord, ...]:
    return tuple(
        OrderRecord(
            f"{user}-{index}",
            NOW - timedelta(days=days),
            total,
            "USD",
            (LineRecord(sku or f"{category}-sku-{index}", category, 1),),
            Stage.PAID,
        )
        for index, days in enumerate(days_ago)
    )


def test_quintiles_spread_distinct_values_and_ties_share_a_score() -> None:
    assert quintiles({str(i): float(i) for i in range(10)}) == {str(i): 1 + i // 2 for i in range(10)}
    tied = quintiles({"a": 1, "b": 1, "c": 1, "d": 9})
    assert tied["a"] == tied["b"] == tied["c"] == 2 and tied["d"] == 5
    assert set(quintiles({"x": 5, "y": 5}).values()) == {3}  # no spread where nobody differs
    assert quintiles({}) == {}


@pytest.mark.parametrize(
    ("scores", "orders_ever", "expected"),
    [
        ((5, 5, 5), 9, Segment.CHAMPIONS),
        ((4, 1, 1), 1, Segment.NEW),
        ((3, 4, 3), 6, Segment.LOYAL),
        ((2, 3, 1), 4, Segment.AT_RISK),
        ((1, 1, 4), 1, Segment.AT_RISK),
        ((3, 2, 2), 2, Segment.POTENTIAL_LOYALIST),
        ((1, 1, 1), 1, Segment.HIBERNATING),
        ((0, 0, 0), 0, Segment.PROSPECT),
    ],
)
def test_the_segment_rules(scores: tuple[int, int, int], orders_ever: int, expected: Segment) -> None:
    assert segment_of(*scores, orders_ever) is expected


def base() -> list[Activity]:
    return [
        Activity("champ", orders=orders("champ", 1, 9, 20, 30, 40, total=20_000)),
        Activity("fresh", orders=orders("fresh", 2)),
        Activity("faded", orders=orders("faded", 200, 210, 230, 250, total=15_000)),
        Activity("sleepy", orders=orders("sleepy", 300)),
        Activity("steady", orders=orders("steady", 15, 40, 60)),
        Activity("window", orders=orders("window", 2, 3, 4, 5, 6, 7, 8)[:0], registered_at=NOW),
    ]


def test_every_customer_lands_in_exactly_one_segment() -> None:
    run = segment(base(), NOW)
    assert sorted(run.customers) == sorted(a.user_id for a in base())
    assert sum(run.sizes().values()) == len(base())
    assert run.customers["window"].segment is Segment.PROSPECT and run.customers["window"].recency_days == -1
    assert run.customers["faded"].segment is Segment.AT_RISK
    assert run.customers["sleepy"].segment is Segment.HIBERNATING
    assert run.customers["champ"].frequency == 5 and run.customers["champ"].monetary_minor == 100_000
    assert run.segment_categories[run.customers["champ"].segment]["lights"] >= 5


def test_cancelled_orders_and_orders_outside_the_window_do_not_count_in_frequency() -> None:
    old_and_cancelled = (
        *orders("o", 400),
        replace(orders("o", 3)[0], order_id="o-c", cancelled=True),
        *orders("o", 30),
    )
    scores = segment([Activity("o", orders=old_and_cancelled)], NOW).customers["o"]
    assert (scores.frequency, scores.orders_ever, scores.recency_days) == (1, 2, 30)


def test_movement_and_stability_between_runs() -> None:
    before = {"a": Segment.LOYAL, "b": Segment.NEW, "c": Segment.AT_RISK}
    after = {"a": Segment.LOYAL, "b": Segment.POTENTIAL_LOYALIST, "d": Segment.PROSPECT}
    moves = movement(before, after)
    assert (moves[Segment.POTENTIAL_LOYALIST].entered, moves[Segment.NEW].left) == (1, 1)
    assert (moves[Segment.PROSPECT].entered, moves[Segment.AT_RISK].left) == (1, 1)
    assert (moves[Segment.LOYAL].entered, moves[Segment.LOYAL].left) == (0, 0)
    assert stability(before, after) == 0.5


def test_recommendations_rank_by_affinity_and_leave_out_what_was_bought() -> None:
    shopper = Activity(
        "ava", orders=orders("ava", 3, 10, category="lights", sku="L-1") + orders("ava", 20, category="wrap", sku="W-1")
    )
    others = [Activity(f"o{i}", orders=orders(f"o{i}", 5, category="candles", sku="C-1")) for i in range(3)]
    run = segment([shopper, *others], NOW)
    mine = taste(shopper, run)
    assert mine.bought == {"L-1", "W-1"}
    candidates = [
        Candidate("L-1", "lights", True),  # bought
        Candidate("L-2", "lights", True),
        Candidate("L-3", "lights", False),  # out of stock
        Candidate("W-2", "wrap", True),
        Candidate("X-1", "toys", True),  # nobody's category
    ]
    found = recommend(mine, candidates, 10)
    assert [r.product_id for r in found] == ["L-2", "W-2"]
    assert found[0].score > found[1].score
    assert {d.name for d in found[0].drivers} == {"shopper_affinity", "segment_affinity", "popularity"}
    assert sum(d.contribution or 0 for d in found[0].drivers) == pytest.approx(found[0].score, abs=1e-3)
    assert recommend(mine, candidates, 1) == found[:1]


def test_a_prospect_borrows_the_whole_bases_taste() -> None:
    others = [Activity(f"o{i}", orders=orders(f"o{i}", 5, category="candles", sku="C-1")) for i in range(3)]
    newcomer = Activity("new", registered_at=NOW)
    run = segment([newcomer, *others], NOW)
    theirs = taste(newcomer, run)
    assert theirs.segment is Segment.PROSPECT and theirs.borrowed
    assert theirs.categories() == ["candles"]
    found = recommend(theirs, [Candidate("C-1", "candles", True), Candidate("C-2", "candles", True)], 5)
    assert [r.product_id for r in found] == ["C-1", "C-2"]  # the base's best seller first


def test_segment_stability_holds_its_floors_on_the_history_plan() -> None:
    report = evaluation.evaluate()
    assert report.coverage_errors() == []
    assert evaluation.below_floor(report) == [], evaluation.render(report)
    assert all(0.0 <= s <= 1.0 for s in report.stabilities) and len(report.stabilities) == evaluation.RUNS - 1
    one_segment = replace(
        report.runs[0], customers={u: replace(s, segment=Segment.LOYAL) for u, s in report.runs[0].customers.items()}
    )
    assert evaluation.below_floor(replace(report, runs=(one_segment, one_segment))) != []  # perfectly stable, useless


def test_hph_eval_segments_exits_0_above_the_floors(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    args: Any = parser.parse_args(["segments"])
    assert evaluate.run(args) == 0
    assert "mean stability" in capsys.readouterr().out
