"""Assortment optimization's pure parts: the knapsack is exact (checked against brute force on small
random instances) and falls back to greedy beyond its stated size; every factor moves the score the
right way; the plan keeps, drops and promotes as stated; unit costs come from the supplier price
list, the same for a SKU every time."""

from __future__ import annotations

import dataclasses
import itertools
import random
from datetime import date

import pytest

from hph.agents.assortment_optimization import core, knapsack
from hph.agents.inventory_signals.supply import default_supply, parse_supply

pytestmark = pytest.mark.unit


def brute_force(items: list[knapsack.Item], budget: int | None, max_count: int | None) -> float:
    best = 0.0
    for size in range(len(items) + 1):
        if max_count is not None and size > max_count:
            break
        for combo in itertools.combinations(range(len(items)), size):
            if budget is None or sum(items[i].cost for i in combo) <= budget:
                best = max(best, sum(items[i].value for i in combo))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_the_knapsack_is_exact_against_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        n = rng.randint(0, 10)
        items = [knapsack.Item(rng.choice([0.0, round(rng.random(), 4)]), rng.randint(0, 60)) for _ in range(n)]
        budget = rng.choice([None, rng.randint(0, 250)])
        max_count = rng.choice([None, rng.randint(0, n + 1)])
        chosen = knapsack.solve(items, budget=budget, max_count=max_count)
        assert chosen.exact
        assert chosen.value == pytest.approx(brute_force(items, budget, max_count), abs=1e-9)
        assert budget is None or chosen.cost <= budget
        assert max_count is None or len(chosen.chosen) <= max_count
        assert chosen.cost == sum(items[i].cost for i in chosen.chosen)


def test_beyond_the_stated_size_the_greedy_answers_and_says_so() -> None:
    rng = random.Random(7)
    items = [knapsack.Item(rng.random(), rng.randint(1, 100)) for _ in range(knapsack.MAX_EXACT_ITEMS + 1)]
    chosen = knapsack.solve(items, budget=2_000)
    assert not chosen.exact and chosen.cost <= 2_000 and chosen.chosen
    only_size = knapsack.solve(items, max_count=5)  # a size limit alone stays exact at any size
    assert only_size.exact and len(only_size.chosen) == 5
    assert only_size.value == pytest.approx(sum(sorted((i.value for i in items), reverse=True)[:5]))


def test_a_search_past_its_branch_budget_falls_back_to_greedy_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(knapsack, "MAX_NODES", 1)
    rng = random.Random(11)
    fallbacks = 0
    for _ in range(30):
        items = [knapsack.Item(round(rng.random(), 4), rng.randint(1, 40)) for _ in range(9)]
        chosen = knapsack.solve(items, budget=70, max_count=4)
        best = brute_force(items, 70, 4)
        assert chosen.cost <= 70 and len(chosen.chosen) <= 4
        if chosen.exact:
            assert chosen.value == pytest.approx(best)  # the greedy start was proven optimal at the root
        else:
            fallbacks += 1
            assert chosen.value <= best + 1e-12
    assert fallbacks > 0


def test_greedy_is_feasible_and_exact_is_never_worse() -> None:
    rng = random.Random(3)
    for _ in range(40):
        items = [knapsack.Item(rng.random(), rng.randint(1, 40)) for _ in range(9)]
        exact = knapsack.solve(items, budget=60, max_count=4)
        rough = knapsack.greedy(items, budget=60, max_count=4)
        assert rough.cost <= 60 and len(rough.chosen) <= 4 and not rough.exact
        assert exact.value >= rough.value - 1e-12


BASE = core.Candidate(
    product_id="ORN-0001",
    name="Bauble",
    category_id="ornaments",
    brand="North Pole",
    image_url="",
    price_minor=2000,
    currency_code="USD",
    unit_cost_minor=1000,
    on_hand=40,
    available=40,
    units_sold=30,
    mean_on_hand=50.0,
    rating=4.0,
    reviews=4,
)
RIVAL = dataclasses.replace(BASE, product_id="ORN-0002", units_sold=60, mean_on_hand=30.0, rating=4.5, reviews=10)


def score_of(candidate: core.Candidate) -> float:
    return core.factors([candidate, RIVAL], 90)[0].score


@pytest.mark.parametrize(
    ("better", "factor"),
    [
        ({"units_sold": 45}, "sales velocity and stock turn"),
        ({"unit_cost_minor": 600}, "margin"),
        ({"rating": 4.8}, "rating"),
        ({"mean_on_hand": 20.0}, "stock turn"),
    ],
)
def test_each_factor_moves_the_score_the_right_way(better: dict[str, object], factor: str) -> None:
    improved = dataclasses.replace(BASE, **better)  # type: ignore[arg-type]
    assert score_of(improved) > score_of(BASE), factor


def test_unknown_cost_no_reviews_and_no_sales_weaken_without_zeroing() -> None:
    weak = dataclasses.replace(BASE, unit_cost_minor=None, reviews=0, rating=0.0, units_sold=0)
    f = core.factors([weak, RIVAL], 90)[0]
    assert (f.margin, f.rating, f.sales_velocity, f.stock_turn) == (0.0, 0.0, 0.0, 0.0)
    assert f.score == pytest.approx(core.FLOOR * core.FLOOR * core.FLOOR * (core.FLOOR + (1 - core.FLOOR) * 0.5))
    assert 0 < f.score < score_of(BASE)
    decision = core.recommend([weak], window_days=90, max_products=None, budget_minor=None, promote_share=0.1)
    assert [d.name for d in decision.decisions[0].drivers] == ["sales_velocity", "margin", "rating", "stock_turn"]


def test_the_plan_keeps_the_best_under_the_budget_and_promotes_the_top_share() -> None:
    candidates = [
        dataclasses.replace(BASE, product_id=f"SKU-{n:03d}", units_sold=10 * (n + 1), on_hand=10, unit_cost_minor=500)
        for n in range(6)
    ]
    unconstrained = core.recommend(candidates, window_days=30, max_products=None, budget_minor=None, promote_share=0.2)
    assert unconstrained.kept == 6 and unconstrained.dropped == 0 and unconstrained.exact
    assert [d.action for d in unconstrained.decisions][:2] == [core.PROMOTE, core.PROMOTE]
    assert {d.action for d in unconstrained.decisions[2:]} == {core.KEEP}
    scores = [d.score for d in unconstrained.decisions]
    assert scores == sorted(scores, reverse=True)

    budget = 3 * 10 * 500  # room for three products' stock at cost
    plan = core.recommend(candidates, window_days=30, max_products=None, budget_minor=budget, promote_share=0.1)
    assert plan.exact and plan.kept == 3 and plan.dropped == 3 and plan.total_cost_minor == budget
    kept = [d.candidate.product_id for d in plan.decisions if d.action != core.DROP]
    assert kept == ["SKU-005", "SKU-004", "SKU-003"]  # the best sellers
    assert plan.decisions[0].action == core.PROMOTE and plan.decisions[1].action == core.KEEP
    sized = core.recommend(candidates, window_days=30, max_products=2, budget_minor=None, promote_share=0.1)
    assert sized.kept == 2 and [d.action for d in sized.decisions][2:] == [core.DROP] * 4


def test_window_activity_counts_units_and_mean_stock_inside_the_window_only() -> None:
    days = {
        "2026-11-01": [5, 1, 20, 30],
        "2026-11-20": [3, 1, 10, 20],
        "2026-11-30": [2, 1, 5, 10],
        "2026-12-01": [9, 1, 0, 0],  # after today
    }
    units, mean = core.window_activity(days, date(2026, 11, 30), 15)
    assert units == 5 and mean == pytest.approx(15.0)
    assert core.window_activity({}, date(2026, 11, 30), 15) == (0, None)


def test_unit_costs_come_from_the_supplier_price_list_the_same_every_time() -> None:
    supply = default_supply()
    first = supply.unit_cost_minor("ORN-0001", 10_000)
    assert first is not None and first == supply.unit_cost_minor("ORN-0001", 10_000)
    supplier = supply.supplier_of("ORN-0001")
    assert supplier.unit_cost_share is not None
    low = supplier.unit_cost_share - supplier.unit_cost_spread
    high = supplier.unit_cost_share + supplier.unit_cost_spread
    assert 10_000 * low - 1 <= first <= 10_000 * high + 1
    costs = {supply.unit_cost_minor(f"ORN-{n:04d}", 10_000) for n in range(20)}
    assert len(costs) > 10  # the spread tells SKUs of one supplier apart
    assert supply.unit_cost_minor("ORN-0001", 0) is None
    no_costs = parse_supply(
        {
            "version": "v",
            "default_supplier": "s",
            "suppliers": {
                "s": {"name": "S", "lead_time_days": 3, "order_cost_minor": 0, "holding_cost_rate": 0.2},
            },
        }
    )
    assert no_costs.unit_cost_minor("ANY-0001", 1000) is None
    with pytest.raises(ValueError, match="unit_cost_share"):
        parse_supply(
            {
                "version": "v",
                "default_supplier": "s",
                "suppliers": {
                    "s": {
                        "name": "S",
                        "lead_time_days": 3,
                        "order_cost_minor": 0,
                        "holding_cost_rate": 0.2,
                        "unit_cost_share": 1.5,
                    }
                },
            }
        )


def test_the_assortment_evaluation_meets_its_floors_on_a_short_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from hph.agents.assortment_optimization import evaluation

    monkeypatch.setattr(evaluation, "SMALL_INSTANCES", 40)
    monkeypatch.setattr(evaluation, "CATALOG_SEEDS", 1)
    report = evaluation.evaluate()
    assert report.catalog_instances == len(evaluation.CATALOG_LIMITS) * len(evaluation.CATALOG_BUDGET_SHARES)
    assert report.small_optimal_share == 1.0 and report.greedy_mean_shortfall >= 0
    assert report.catalog_exact_share >= 0.9  # one seed's 16 combinations; `hph eval` holds the floor over ten
    assert "solved exactly" in evaluation.render(report)
