"""The carrier-selection decision core on hand-made parcels over the shipped rate tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from hph.agents.logistics_carrier_selection.decisions import NoCarrier, OnTimeCounts, counts_from, on_time_rate, select
from hph.agents.logistics_carrier_selection.rates import Parcel, default_rate_book
from hph.commerce.carriers import ServiceLevel

pytestmark = pytest.mark.unit
NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)  # a Monday
BOOK = default_rate_book()
STANDARD = ServiceLevel.STANDARD


def test_dimensional_weight_is_volume_over_divisor_rounded_up() -> None:
    parcel = Parcel(500, 300, 200, 150)  # 9,000,000 mm3
    assert BOOK.dimensional_weight_grams("ups", parcel) == 1800
    assert BOOK.dimensional_weight_grams("ups", replace(parcel, length_mm=301)) == 1806  # 1,806,000.0 / 5000
    assert BOOK.dimensional_weight_grams("ups", replace(parcel, height_mm=0)) == 0  # a missing side: none


def test_dimensional_weight_counts_only_from_the_carriers_minimum_volume() -> None:
    below = Parcel(500, 300, 300, 314)  # 28,260,000 mm3 < 28,317 cm3
    at = Parcel(500, 300, 300, 315)  # 28,350,000 mm3
    assert BOOK.dimensional_weight_grams("usps", below) == 0
    assert BOOK.dimensional_weight_grams("usps", at) == 4725


def test_billable_weight_is_the_larger_and_rounds_up_to_the_next_kilogram() -> None:
    carrier = BOOK.carriers.carriers["ups"]
    zone = BOOK.zone("US", "10002")
    light_bulky = BOOK.quote(carrier, STANDARD, Parcel(500, 300, 200, 150), zone)
    heavy_small = BOOK.quote(carrier, STANDARD, Parcel(1801, 100, 100, 100), zone)
    assert light_bulky is not None and heavy_small is not None
    assert light_bulky.billable_weight_grams == 1800 and light_bulky.rate_minor == 999 + 110
    assert heavy_small.billable_weight_grams == 1801 and heavy_small.rate_minor == 999 + 110
    exact = BOOK.quote(carrier, STANDARD, Parcel(1000), zone)
    assert exact is not None and exact.rate_minor == 999  # 1 kg is the first kilogram


def test_zone_grows_with_distance_and_abroad_only_international_carriers() -> None:
    assert BOOK.zone("US", "10001").name == "2"
    assert BOOK.zone("US", "94105").name == "8"
    assert not BOOK.zone("US", "").known
    selection = select(
        BOOK, Parcel(1000, country_code="DE", postal_code="10115"), now=NOW, promised_by=None, counts=OnTimeCounts()
    )
    assert "usps" not in {
        selection.selected.quote.carrier.code,
        *(o.quote.carrier.code for o in selection.alternatives),
    }


def test_cheaper_carrier_that_misses_the_date_loses() -> None:
    parcel = Parcel(1200, country_code="US", postal_code="94105")
    # Wednesday: standard ground takes 5 business days cross-country, expedited 2..3.
    selection = select(
        BOOK, parcel, now=NOW, promised_by=date(2026, 12, 10), counts=OnTimeCounts(), max_alternatives=10
    )
    assert selection.selected.meets_promise
    slower = [o for o in selection.alternatives if not o.meets_promise]
    assert slower and min(o.quote.rate_minor for o in slower) < selection.selected.quote.rate_minor
    assert all(o.reason.startswith("too slow: arrives") for o in slower)


def test_on_time_rate_breaks_a_near_tie() -> None:
    parcel = Parcel(1200, country_code="US", postal_code="10002")
    even = select(BOOK, parcel, now=NOW, promised_by=None, counts=OnTimeCounts(), min_level=STANDARD)
    assert even.selected.key == "usps/standard"  # $9.69 vs fedex $10.84
    late_usps = counts_from([("usps", STANDARD, False)] * 40 + [("fedex", STANDARD, True)] * 40)
    ranked = select(BOOK, parcel, now=NOW, promised_by=None, counts=late_usps, min_level=STANDARD, max_alternatives=10)
    assert ranked.selected.quote.carrier.code == "fedex"
    usps = next(o for o in ranked.alternatives if o.key == "usps/standard")
    assert usps.reason.startswith("lower on-time rate")
    assert "beats usps/standard" in ranked.summary


def test_a_large_price_gap_is_not_overturned_by_a_small_on_time_gap() -> None:
    parcel = Parcel(1200, country_code="US", postal_code="10002")
    counts = counts_from([("usps", STANDARD, True)] * 8 + [("usps", STANDARD, False)] * 2)
    assert (
        select(BOOK, parcel, now=NOW, promised_by=None, counts=counts, min_level=STANDARD).selected.key
        == "usps/standard"
    )


def test_prior_keeps_a_carrier_with_few_deliveries_near_the_prior() -> None:
    one_late = counts_from([("dhl", STANDARD, False)])
    assert on_time_rate(OnTimeCounts(), "dhl", STANDARD, 0.9, 20) == pytest.approx(0.9)
    assert 0.8 < on_time_rate(one_late, "dhl", STANDARD, 0.9, 20) < 0.9
    many_late = counts_from([("dhl", STANDARD, False)] * 200)
    assert on_time_rate(many_late, "dhl", STANDARD, 0.9, 20) < 0.2


def test_no_option_meets_the_date_then_the_fastest_with_a_clear_reason() -> None:
    parcel = Parcel(3000, country_code="DE", postal_code="10115")
    selection = select(BOOK, parcel, now=NOW, promised_by=date(2026, 12, 8), counts=OnTimeCounts())
    assert not selection.selected.meets_promise
    assert selection.selected.reason.startswith("no option meets Dec 8; fastest: arrives")
    assert all(o.delivery_day >= selection.selected.delivery_day for o in selection.alternatives)


def test_min_service_level_and_carrier_filter() -> None:
    parcel = Parcel(1000, country_code="US", postal_code="10002")
    selection = select(
        BOOK,
        parcel,
        now=NOW,
        promised_by=None,
        counts=OnTimeCounts(),
        min_level=ServiceLevel.EXPEDITED,
        carriers={"ups"},
    )
    keys = {selection.selected.key, *(o.key for o in selection.alternatives)}
    assert keys == {"ups/expedited", "ups/overnight"}


def test_no_carrier_serves_the_parcel() -> None:
    with pytest.raises(NoCarrier, match="usps"):
        select(
            BOOK, Parcel(1000, country_code="DE"), now=NOW, promised_by=None, counts=OnTimeCounts(), carriers={"usps"}
        )
    with pytest.raises(NoCarrier):
        select(
            BOOK,
            Parcel(69_000, country_code="US", postal_code="10002"),
            now=NOW,
            promised_by=None,
            counts=OnTimeCounts(),
            carriers={"fedex"},
        )
