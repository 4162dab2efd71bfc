"""The decision core of product-detail-enrichment on hand-made cases: the rating histogram, review
highlights (stopwords, one mention per review, the longer phrase kept), similarity ordering and its
drivers, and content completeness at its edges."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hph.agents.product_detail_enrichment.insights import (
    COMPLETENESS_RULES,
    MIN_MENTIONS,
    ContentFields,
    ReviewText,
    completeness,
    highlights,
    phrases,
    rating_summary,
)
from hph.agents.product_detail_enrichment.similarity import W_BRAND, W_PRICE, W_TAGS, Item, most_similar, score

pytestmark = pytest.mark.unit

T0 = datetime(2026, 11, 1, 12, 0)


def review(number: int, rating: int, text: str) -> ReviewText:
    return ReviewText(f"r{number}", rating, text, T0 + timedelta(hours=number))


# --- ratings -------------------------------------------------------------------------------------


def test_histogram_has_five_buckets_five_stars_first_with_shares() -> None:
    summary = rating_summary([5, 5, 4, 1])
    assert (summary.mean, summary.count) == (3.75, 4)
    assert [(b.stars, b.count, b.share) for b in summary.histogram] == [
        (5, 2, 0.5),
        (4, 1, 0.25),
        (3, 0, 0.0),
        (2, 0, 0.0),
        (1, 1, 0.25),
    ]


def test_no_reviews_gives_mean_zero_and_empty_buckets() -> None:
    summary = rating_summary([])
    assert (summary.mean, summary.count) == (0.0, 0)
    assert [(b.count, b.share) for b in summary.histogram] == [(0, 0.0)] * 5


# --- highlights ----------------------------------------------------------------------------------


def test_phrases_skip_stopwords_and_never_cross_a_clause() -> None:
    assert phrases("It keeps warm. Battery life, great!") == {"keeps warm", "battery life"}
    assert "warm battery" not in phrases("keeps warm, battery life")


def test_a_phrase_counts_once_per_review_and_needs_min_mentions() -> None:
    reviews = [
        review(1, 5, "Great sound, great sound, great sound"),
        review(2, 4, "Great sound for the price"),
        review(3, 3, "Cheap plastic"),
    ]
    found = highlights(reviews, limit=5)
    assert [(h.phrase, h.mention_count) for h in found] == [("great sound", 2)]
    assert found[0].mean_rating == 4.5
    assert found[0].review_ids == ("r2", "r1")  # newest first
    assert MIN_MENTIONS == 2


def test_the_longer_phrase_wins_when_as_many_reviews_use_it() -> None:
    reviews = [review(n, 5, "Long battery life, charges fast") for n in range(3)]
    reviews.append(review(9, 4, "Battery life is fine"))
    found = {h.phrase: h.mention_count for h in highlights(reviews, limit=10)}
    # "long battery" and "long battery life" are used by 3 reviews: only the trigram stays;
    # "battery life" by 4, so it stays too.
    assert found == {"battery life": 4, "long battery life": 3, "charges fast": 3}
    assert [h.phrase for h in highlights(reviews, limit=2)] == ["battery life", "long battery life"]


# --- similarity ----------------------------------------------------------------------------------


def item(product_id: str, price: float, tags: str = "", brand: str = "Acme") -> Item:
    return Item(product_id, "CAT", brand, frozenset(tags.split()), price)


def test_similarity_orders_by_tags_price_and_brand_and_never_returns_the_product() -> None:
    anchor = item("A", 100.0, "wool warm winter")
    twin = item("TWIN", 100.0, "wool warm winter")
    close_price = item("CLOSE", 95.0, "wool")
    far_price = item("FAR", 300.0, "wool")
    other_brand = item("OTHER", 95.0, "wool", brand="Zed")
    ranked = most_similar(anchor, [far_price, other_brand, close_price, twin, anchor], limit=10)
    # CLOSE 0.15 + 0.3325 + 0.2; OTHER the same without the brand (0.4825); FAR 0.15 + 0.1167 + 0.2.
    assert [s.item.id for s in ranked] == ["TWIN", "CLOSE", "OTHER", "FAR"]
    assert ranked[0].score == pytest.approx(W_TAGS + W_PRICE + W_BRAND)
    assert [s.item.id for s in most_similar(anchor, [twin, close_price], limit=1)] == ["TWIN"]


def test_each_driver_moves_the_score_the_right_way() -> None:
    anchor = item("A", 100.0, "a b")
    base = score(anchor, item("X", 100.0, "a", brand="Zed")).score
    assert score(anchor, item("X", 100.0, "a b", brand="Zed")).score > base  # more shared tags
    assert score(anchor, item("X", 150.0, "a", brand="Zed")).score < base  # price further away
    assert score(anchor, item("X", 100.0, "a")).score == pytest.approx(base + W_BRAND)  # same brand
    found = score(anchor, item("X", 50.0, "a b"))
    assert sum(d.contribution or 0 for d in found.drivers) == pytest.approx(found.score, abs=1e-3)
    assert {d.name: d.value for d in found.drivers}["price_proximity"] == 0.5


def test_ties_break_on_price_distance_then_id() -> None:
    anchor = item("A", 100.0, "a")
    ranked = most_similar(anchor, [item("C", 100.0, "a"), item("B", 100.0, "a")], limit=5)
    assert [s.item.id for s in ranked] == ["B", "C"]


# --- completeness --------------------------------------------------------------------------------

FULL = ContentFields("Wool winter hat", "x" * 120, "https://img/1.jpg", "Acme", ("wool", "hat", "winter"))


def test_weights_sum_to_one_and_full_content_scores_one() -> None:
    assert sum(rule.weight for rule in COMPLETENESS_RULES) == pytest.approx(1.0)
    result = completeness(FULL)
    assert (result.score, result.missing_fields) == (1.0, ())


def test_fields_at_and_below_their_full_size() -> None:
    short = ContentFields("Wool winter hat", "x" * 119, "", "Acme", ("wool", "hat"))
    result = completeness(short)
    # description 119/120 of 0.30, image 0 of 0.25, tags 2/3 of 0.15.
    assert result.score == pytest.approx(1.0 - 0.30 / 120 - 0.25 - 0.15 / 3, abs=1e-4)
    assert result.missing_fields == ("description", "image_url", "tags")
    components = {c.name: c for c in result.components}
    assert components["image_url"].contribution == 0.0 and components["brand"].contribution == 0.15


def test_nothing_but_whitespace_counts_as_missing() -> None:
    empty = ContentFields("  ", " ", "", "", (" ",))
    result = completeness(empty)
    assert result.score == 0.0
    assert result.missing_fields == ("description", "image_url", "brand", "name", "tags")
