"""The decision core of a product page's insights: rating summary, review highlights and content
completeness, from plain data (no protos, no I/O), each with the numbers that explain it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from hph.agents.product_catalog.completeness import (  # one home, shared with consistency-validation
    COMPLETENESS_RULES,
    Completeness,
    ContentFields,
    FieldRule,
    completeness,
)
from hph.agents.runtime import Driver

__all__ = [
    "COMPLETENESS_RULES",
    "Completeness",
    "ContentFields",
    "FieldRule",
    "completeness",
]

METHOD: Final = "product-insights-v1"
STARS: Final = (5, 4, 3, 2, 1)
# A phrase must be used by this many reviews to be a highlight (one review is an opinion).
MIN_MENTIONS: Final = 2
PHRASE_WORDS: Final = (2, 3)
REVIEW_IDS_PER_HIGHLIGHT: Final = 3
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z]")
# Clause breaks: a phrase never spans them.
_CLAUSE = re.compile(r"[.,;:!?()\[\]\"\n]+")
_STOPWORD_TEXT = """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it it's its itself just me
    more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they this
    those through to too under until up very was we were what when where which while who whom why will
    with would you your yours yourself yourselves really quite bit lot got get gets one ve ll re s t
    don't didn't doesn't isn't wasn't i'm i've it's"""
STOPWORDS: Final = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class ReviewText:
    id: str
    rating: int
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Bucket:
    stars: int
    count: int
    share: float


@dataclass(frozen=True)
class RatingSummary:
    mean: float
    count: int
    histogram: tuple[Bucket, ...]

    def driver(self) -> Driver:
        return Driver("rating_mean", round(self.mean, 2), f"mean of {self.count} reviews", unit="stars")


def rating_summary(ratings: Iterable[int]) -> RatingSummary:
    """Mean (0 without reviews), count and the five buckets, 5 stars first; ratings outside 1..5 are
    clamped (the review service already refuses them)."""
    stars = [min(max(int(rating), 1), 5) for rating in ratings]
    counts = Counter(stars)
    total = len(stars)
    return RatingSummary(
        mean=sum(stars) / total if total else 0.0,
        count=total,
        histogram=tuple(Bucket(s, counts[s], counts[s] / total if total else 0.0) for s in STARS),
    )


@dataclass(frozen=True)
class Highlight:
    phrase: str
    mention_count: int
    mean_rating: float
    review_ids: tuple[str, ...]


def phrases(text: str) -> set[str]:
    """The informative 2- and 3-word phrases of a text: consecutive words within a clause, none of
    them a stopword or a number."""
    found: set[str] = set()
    for clause in _CLAUSE.split(text.lower()):
        words = _WORD.findall(clause)
        for size in PHRASE_WORDS:
            for start in range(len(words) - size + 1):
                gram = words[start : start + size]
                if not any(word in STOPWORDS for word in gram):
                    found.add(" ".join(gram))
    return found


def highlights(reviews: Sequence[ReviewText], limit: int) -> list[Highlight]:
    """The phrases most reviews use (each review counts once per phrase), at least MIN_MENTIONS; a
    2-word phrase is dropped when a 3-word phrase holding it is used by as many reviews (the longer
    says more). Ranked by mentions, then longer first, then alphabetically."""
    mentions: dict[str, list[ReviewText]] = {}
    for review in reviews:
        for phrase in phrases(review.text):
            mentions.setdefault(phrase, []).append(review)
    frequent = {phrase: used for phrase, used in mentions.items() if len(used) >= MIN_MENTIONS}
    kept = [
        phrase
        for phrase, used in frequent.items()
        if not any(
            len(other.split()) > len(phrase.split()) and f" {phrase} " in f" {other} " and len(used2) == len(used)
            for other, used2 in frequent.items()
        )
    ]
    kept.sort(key=lambda phrase: (-len(frequent[phrase]), -len(phrase.split()), phrase))
    chosen = []
    for phrase in kept[: max(limit, 0)]:
        used = frequent[phrase]
        newest = sorted(used, key=lambda review: (review.created_at, review.id), reverse=True)
        chosen.append(
            Highlight(
                phrase=phrase,
                mention_count=len(used),
                mean_rating=sum(review.rating for review in used) / len(used),
                review_ids=tuple(review.id for review in newest[:REVIEW_IDS_PER_HIGHLIGHT]),
            )
        )
    return chosen
