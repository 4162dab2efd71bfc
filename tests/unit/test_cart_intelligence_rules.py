"""The cart-intelligence decision core: every driver moves the risk the right way, the weights sum
to 1, stock risk and the risk bands behave at their edges, and the actions follow the drivers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hph.agents.cart_intelligence import risk
from hph.agents.cart_intelligence.risk import Level, Line, Shipping, ShopperHistory, assess, level_of, stock_risk
from hph.agents.runtime import Driver

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FREE_SHIPPING = Shipping(standard_minor=599, free_threshold_minor=5000)
LOYAL = ShopperHistory(completed=2, abandoned=0)


def line(
    product_id: str = "SKU-1",
    *,
    quantity: int = 1,
    then: int = 6000,
    now: int | None = None,
    available: int | None = 99,
    age_days: float = 0.0,
) -> Line:
    return Line(
        product_id=product_id,
        quantity=quantity,
        price_when_added_minor=then,
        current_price_minor=then if now is None else now,
        added_at=NOW - timedelta(days=age_days),
        available=available,
    )


def score(*lines: Line, history: ShopperHistory = LOYAL, shipping: Shipping = FREE_SHIPPING) -> risk.Assessment:
    return assess(list(lines), "USD", history, shipping, NOW)


def driver(assessment: risk.Assessment, name: str) -> Driver:
    return next(d for d in assessment.drivers if d.name == name)


def codes(assessment: risk.Assessment) -> list[str]:
    return [action.code for action in assessment.actions]


def test_weights_sum_to_one_and_every_factor_is_a_driver() -> None:
    assert sum(risk.WEIGHTS.values()) == pytest.approx(1.0)
    assessment = score(line())
    names = {d.name for d in assessment.drivers}
    assert names == {*risk.WEIGHTS, "risk_band"}
    contributions = sum(d.contribution or 0 for d in assessment.drivers if d.name in risk.WEIGHTS)
    assert assessment.risk == pytest.approx(contributions, abs=1e-3)
    for d in assessment.drivers:
        if d.name in risk.WEIGHTS:
            assert d.weight == risk.WEIGHTS[d.name]
            assert 0 <= (d.contribution or 0) <= d.weight


def test_empty_cart_scores_zero_without_drivers() -> None:
    assessment = assess([], "USD", ShopperHistory(0, 5), FREE_SHIPPING, NOW)
    assert (assessment.risk, assessment.level, assessment.drivers, assessment.actions) == (0.0, Level.LOW, (), ())


def test_stock_risk_edges() -> None:
    assert stock_risk(2, 0) == 1.0
    assert stock_risk(2, 1) == risk.SHORT_RISK
    assert stock_risk(2, 2) == risk.LOW_STOCK_RISK  # exactly enough: the last units
    assert 0 < stock_risk(2, 2 + risk.LOW_STOCK_SLACK - 1) < stock_risk(2, 3) < risk.LOW_STOCK_RISK
    assert stock_risk(2, 2 + risk.LOW_STOCK_SLACK) == 0.0
    assert stock_risk(2, None) == 0.0  # unknown stock is not counted as risk


def test_less_stock_raises_the_risk() -> None:
    ample, low, short, out = (score(line(quantity=2, available=a)) for a in (50, 4, 1, 0))
    assert ample.risk < low.risk < short.risk < out.risk
    assert driver(ample, "stock_risk").contribution == 0


def test_out_of_stock_lines_raise_the_risk_beyond_stock_risk() -> None:
    one_out = score(line("A", available=0), line("B"))
    two_out = score(line("A", available=0), line("B", available=0))
    assert driver(one_out, "stock_risk").value == driver(two_out, "stock_risk").value == 1.0
    assert driver(one_out, "out_of_stock_lines").value == 0.5
    assert two_out.risk > one_out.risk


def test_a_price_increase_raises_the_risk_and_a_drop_does_not() -> None:
    same = score(line(then=6000))
    dearer = score(line(then=6000, now=6600))
    much_dearer = score(line(then=6000, now=9000))
    cheaper = score(line(then=6000, now=5400))
    assert same.risk < dearer.risk < much_dearer.risk
    assert driver(much_dearer, "price_increase").contribution == risk.WEIGHTS["price_increase"]  # capped
    assert driver(cheaper, "price_increase").value == pytest.approx(-0.1)
    assert driver(cheaper, "price_increase").contribution == 0
    assert "price_drop_note" in codes(cheaper) and "price_increase_note" in codes(dearer)


def test_an_older_cart_scores_higher_up_to_the_cap() -> None:
    new, week, month, year = (score(line(age_days=d)) for d in (0, 7, 30, 365))
    assert new.risk < week.risk < month.risk
    assert month.risk == year.risk
    assert driver(week, "cart_age").value == 7


def test_a_history_of_abandoned_checkouts_raises_the_risk() -> None:
    loyal = score(line(), history=ShopperHistory(completed=9, abandoned=0))
    unknown = score(line(), history=ShopperHistory())
    flaky = score(line(), history=ShopperHistory(completed=1, abandoned=8))
    assert loyal.risk < unknown.risk < flaky.risk
    assert driver(unknown, "history").value == 0.5


def test_a_larger_shipping_share_raises_the_risk_and_free_shipping_removes_it() -> None:
    free = score(line(then=6000))  # above the 50.00 threshold
    cheap_cart = score(line(then=2000))
    tiny_cart = score(line(then=500))
    assert driver(free, "shipping_share").value == 0
    assert free.risk < cheap_cart.risk < tiny_cart.risk
    assert driver(tiny_cart, "shipping_share").contribution == risk.WEIGHTS["shipping_share"]
    assert "free_shipping_threshold" in codes(cheap_cart) and "free_shipping_threshold" not in codes(free)
    gap = next(a for a in cheap_cart.actions if a.code == "free_shipping_threshold")
    assert "30.00 USD" in gap.description  # 50.00 - 20.00


def test_free_shipping_threshold_at_its_edge() -> None:
    below = score(line(then=4999))
    at = score(line(then=5000))
    assert driver(below, "shipping_share").value > 0 and driver(at, "shipping_share").value == 0
    assert "free_shipping_threshold" in codes(below) and "free_shipping_threshold" not in codes(at)


def test_no_shipping_estimate_counts_zero_and_says_so() -> None:
    assessment = score(line(then=500), shipping=Shipping(None, None))
    shipping = driver(assessment, "shipping_share")
    assert shipping.contribution == 0 and "no standard shipping estimate" in shipping.reason


def test_risk_bands_at_their_edges() -> None:
    assert level_of(risk.MEDIUM_AT - 1e-9) is Level.LOW
    assert level_of(risk.MEDIUM_AT) is Level.MEDIUM
    assert level_of(risk.HIGH_AT - 1e-9) is Level.MEDIUM
    assert level_of(risk.HIGH_AT) is Level.HIGH


def test_low_stock_and_a_price_rise_make_a_risky_cart_with_those_drivers_first() -> None:
    calm = score(line("A", quantity=2), line("B"))
    risky = score(line("A", quantity=2, available=2, then=6000, now=7200), line("B"))
    assert calm.level is Level.LOW and risky.risk > calm.risk
    assert risky.level in (Level.MEDIUM, Level.HIGH)
    assert [d.name for d in risky.drivers[:2]] == ["stock_risk", "price_increase"]
    assert codes(risky)[0] == "notify_low_stock"
    assert risky.drivers[-1].name == "risk_band" and risky.drivers[-1].threshold in (risk.MEDIUM_AT, risk.HIGH_AT)


def test_actions_name_their_lines_and_put_unbuyable_lines_first() -> None:
    assessment = score(
        line("A", then=500, now=400, age_days=5),
        line("B", quantity=3, then=500, available=1),
        line("C", then=500, available=0),
    )
    assert codes(assessment)[:2] == ["reduce_quantity", "restock_alert"]
    assert [a.target_id for a in assessment.actions[:2]] == ["B", "C"]
    assert {"free_shipping_threshold", "price_drop_note", "send_reminder"} <= set(codes(assessment))


def test_stock_unknown_is_not_counted_and_is_said() -> None:
    assessment = score(replace(line(), available=None))
    stock = driver(assessment, "stock_risk")
    assert stock.value == 0 and "unknown" in stock.reason
