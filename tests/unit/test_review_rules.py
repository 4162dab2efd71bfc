"""Review rules: deterministic ids that encode the product, field limits, author names."""

from __future__ import annotations

import pytest

from hph.commerce import identifiers
from hph.runtime.errors import Violations
from hph.services.reviews import rules


def test_review_id_is_deterministic_per_product_and_author() -> None:
    first = rules.review_id("PRD-ABC", "customer-ava")
    assert first == rules.review_id("PRD-ABC", "customer-ava")
    assert first != rules.review_id("PRD-ABC", "customer-liam")
    assert first != rules.review_id("PRD-ABD", "customer-ava")
    assert first.startswith("PRD-ABC.")


@pytest.mark.parametrize("subject", ["a/b?c#d", "x" * 400, "ünïcødé", ""])
def test_review_id_is_storable_whatever_the_subject(subject: str) -> None:
    review_id = rules.review_id("LGT_0001", subject)
    assert len(review_id) <= 85 and not set("/\\?#") & set(review_id)
    assert rules.product_of(review_id) == "LGT_0001"


@pytest.mark.parametrize(
    "review_id",
    [
        "",
        "PRD-ABC",
        "PRD-ABC.",
        "PRD-ABC.123",
        "PRD-ABC." + "G" * 20,
        ".0123456789abcdef0123",
        "P.0123456789abcdef0123",
        "PRD-ABC.0123456789abcdef0123.x",
    ],
)
def test_product_of_rejects_what_is_not_a_review_id(review_id: str) -> None:
    assert rules.product_of(review_id) is None


def fields(rating: int = 5, title: str = "Great", comment: str = "Bright and cheerful.") -> dict[str, str]:
    violations = Violations()
    rules.check_review_fields(violations, rating=rating, title=title, comment=comment)
    return {v.field: v.description for v in violations.items}


@pytest.mark.parametrize("rating", [1, 3, 5])
def test_ratings_one_to_five_pass(rating: int) -> None:
    assert fields(rating=rating) == {}


@pytest.mark.parametrize("rating", [0, -1, 6, 7, 100])
def test_ratings_outside_one_to_five_name_rating(rating: int) -> None:
    assert list(fields(rating=rating)) == ["rating"]


def test_title_and_comment_limits() -> None:
    assert fields(title="x" * 120, comment="y" * 5000) == {}
    assert set(fields(title="x" * 121, comment="y" * 5001)) == {"title", "comment"}
    assert set(fields(rating=0, title="  ", comment="")) == {"rating", "title", "comment"}


def test_product_id_and_review_id_checks() -> None:
    violations = Violations()
    identifiers.check_product_id(violations, "")
    identifiers.check_product_id(violations, "no spaces allowed")
    assert rules.check_review_id(violations, "nope") == ""
    assert [v.field for v in violations.items] == ["product_id", "product_id", "review_id"]
    ok = Violations()
    assert rules.check_review_id(ok, rules.review_id("PRD-1", "u")) == "PRD-1"
    assert not ok


def test_author_name_prefers_the_name_claim_then_the_email_local_part() -> None:
    assert rules.author_name("  Ava   Thompson ", "ava@example.com") == "Ava Thompson"
    assert rules.author_name("", "ava.t@example.com") == "ava.t"
    assert rules.author_name("", "") == "Shopper"
