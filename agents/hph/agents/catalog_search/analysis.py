"""Text analysis shared by indexing and querying, so a query word and a catalog word meet as the
same term: ASCII folding, lower case, splitting on anything but letters and digits, and a light
English plural stemmer. Stop words are dropped from queries only (they are rare in product text
and harmless there).

The index is fed these terms already analysed (tantivy splits them on whitespace only), so what
typo correction looks words up in is exactly what the index holds.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

_NOT_WORD = re.compile(r"[^a-z0-9]+")
MIN_STEM_LENGTH = 4
# Words that carry no meaning in a product query; "gift" is not one of them (it is a tag).
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "at",
        "by",
        "for",
        "from",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "some",
        "the",
        "to",
        "with",
        "without",
    ]
)
# Endings a plural must not be stripped from ("glass", "bus", "tennis", "famous").
_KEEP_S = ("ss", "us", "is", "ous")
# Words ending in a plural-looking "s" that are not plurals.
_NOT_PLURAL = frozenset({"christmas", "xmas", "canvas", "atlas", "cosmos", "lens", "plus", "thanksgiving"})


def fold(text: str) -> str:
    """Lower case ASCII: accents dropped ("Noël" -> "noel"), other non-ASCII characters removed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def words(text: str) -> list[str]:
    """The folded words of `text`, unstemmed ("100-LED Fairy Lights" -> 100, led, fairy, lights)."""
    return [w for w in _NOT_WORD.split(fold(text)) if w]


@functools.lru_cache(maxsize=65_536)  # a catalog has a few thousand distinct words
def stem(word: str) -> str:
    """A light plural stemmer: lights -> light, boxes -> box, berries -> berry, glass stays."""
    if len(word) < MIN_STEM_LENGTH or not word.isalpha() or word in _NOT_PLURAL:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_KEEP_S):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Index terms of `text`: its words, stemmed, in order (repeats kept: they count for BM25)."""
    return [stem(w) for w in words(text)]


def terms_of_all(texts: Iterable[str]) -> list[str]:
    return [t for text in texts for t in terms(text)]


def is_stop_word(word: str) -> bool:
    return word in STOP_WORDS
