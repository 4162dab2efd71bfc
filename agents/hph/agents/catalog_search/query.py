"""Understanding a query before it is searched: price intents, synonyms and holiday vocabulary (data
in data/synonyms.json), stop words and typo correction against the index's own vocabulary.

The outcome is a `QueryPlan`: one `Concept` per meaningful word, each a set of alternative index
terms any of which may match it, plus every rewrite that changed the text, so the answer can say
exactly how the query was understood.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from hph.agents.catalog_search import analysis
from hph.runtime import data_tables

MAX_PHRASE_WORDS = 3


class RewriteKind(Enum):
    TYPO = "typo"
    SYNONYM = "synonym"
    PRICE_INTENT = "price_intent"
    DROPPED = "dropped"


@dataclass(frozen=True)
class Rewrite:
    kind: RewriteKind
    original: str
    rewritten: str
    reason: str


@dataclass(frozen=True)
class Concept:
    """One meaningful word of the query: the word searched (`term`, stemmed) and the other terms
    that also satisfy it (synonyms)."""

    typed: str
    term: str
    alternatives: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.term, *self.alternatives)


@dataclass(frozen=True)
class QueryPlan:
    original: str
    concepts: tuple[Concept, ...]
    rewrites: tuple[Rewrite, ...] = ()
    # Price bounds read from the words, minor units, inclusive.
    min_price_minor: int | None = None
    max_price_minor: int | None = None
    # How each concept's term reads (unstemmed), for the effective query.
    surfaces: tuple[str, ...] = field(default_factory=tuple)

    @property
    def effective(self) -> str:
        return " ".join(self.surfaces)

    @property
    def matches_nothing(self) -> bool:
        """Words were typed but none of them could match anything (all dropped)."""
        return not self.concepts and any(r.kind is RewriteKind.DROPPED for r in self.rewrites)


class Vocabulary(Protocol):
    """The index's terms: what typo correction and synonym expansion look words up in."""

    def document_frequency(self, term: str) -> int: ...

    def nearest(self, term: str, max_distance: int) -> tuple[str, int] | None:
        """The closest term within `max_distance` edits (ties: most documents), with its distance."""
        ...

    def surface(self, term: str) -> str:
        """How `term` is usually written in the catalog (unstemmed)."""
        ...


@dataclass(frozen=True)
class Synonyms:
    """`replace`: typed word sequences (folded, unstemmed) -> catalog words; `groups`: each stemmed
    term -> the other stemmed terms of its equivalence group."""

    replace: Mapping[tuple[str, ...], str]
    groups: Mapping[str, tuple[str, ...]]

    @classmethod
    def parse(cls, table: object) -> Synonyms:
        data = data_tables.as_mapping(table, "synonyms")
        replace: dict[tuple[str, ...], str] = {}
        for key, value in data_tables.as_mapping(data.get("replace", {}), "synonyms.replace").items():
            words = tuple(analysis.words(key))
            if not words or len(words) > MAX_PHRASE_WORDS:
                raise ValueError(f"synonyms.replace: {key!r} must be 1..{MAX_PHRASE_WORDS} words")
            replace[words] = data_tables.as_text(value, f"synonyms.replace[{key!r}]")
        groups: dict[str, tuple[str, ...]] = {}
        for i, group in enumerate(data_tables.as_list(data.get("equivalent", []), "synonyms.equivalent")):
            members = [analysis.stem(data_tables.as_text(w, f"synonyms.equivalent[{i}]")) for w in group]
            if len(members) < 2:
                raise ValueError(f"synonyms.equivalent[{i}]: a group needs at least two words")
            for term in members:
                others = tuple(m for m in members if m != term)
                groups[term] = tuple(dict.fromkeys((*groups.get(term, ()), *others)))
        return cls(replace, groups)

    @classmethod
    def shipped(cls) -> Synonyms:
        return cls.parse(data_tables.load_json("hph.agents.catalog_search", "synonyms.json"))


# --- price intents ---------------------------------------------------------------------------

_AMOUNT = r"\$?\s*(\d{1,6}(?:\.\d{1,2})?)\s*(?:dollars|dollar|usd|bucks|\$)?"
_PRICE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\bbetween\s+{_AMOUNT}\s*(?:and|to|-)\s*{_AMOUNT}"), "between"),
    (re.compile(rf"(?<![\w.]){_AMOUNT}\s*(?:-|to)\s*{_AMOUNT}(?=\s|$)"), "range"),
    (re.compile(rf"(?:\b(?:under|below|less than|cheaper than)\s+|<\s*){_AMOUNT}"), "below"),
    (re.compile(rf"\b(?:up to|at most|max|maximum|no more than)\s+{_AMOUNT}"), "at_most"),
    (re.compile(rf"{_AMOUNT}\s*(?:and|or)\s*(?:under|less|below)\b"), "at_most"),
    (re.compile(rf"(?:\b(?:over|above|more than)\s+|>\s*){_AMOUNT}"), "above"),
    (re.compile(rf"\b(?:at least|min|minimum|from)\s+{_AMOUNT}"), "at_least"),
    (re.compile(rf"{_AMOUNT}\s*(?:and|or)\s*(?:up|over|above|more)\b"), "at_least"),
)


def _minor(amount: str) -> int:
    whole, _, cents = amount.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def price_intent(folded: str) -> tuple[str, int | None, int | None, str]:
    """(text without the price words, min minor, max minor, the price words) for the first price
    phrase in `folded` text; the text unchanged and no bounds when there is none. A bare number is
    never a price ("100-LED", "12-pack"): a phrase needs a price word, a "$" or a range with one."""
    for pattern, kind in _PRICE_PATTERNS:
        found = pattern.search(folded)
        if found is None:
            continue
        phrase = found.group(0)
        if kind == "range" and "$" not in phrase and not re.search(r"dollar|usd|buck", phrase):
            continue
        amounts = [_minor(g) for g in found.groups() if g is not None]
        low: int | None = None
        high: int | None = None
        if kind in ("between", "range"):
            low, high = sorted(amounts[:2])
        elif kind == "below":
            high = amounts[0] - 1
        elif kind == "at_most":
            high = amounts[0]
        elif kind == "above":
            low = amounts[0] + 1
        else:
            low = amounts[0]
        rest = (folded[: found.start()] + " " + folded[found.end() :]).strip()
        return rest, low, high, phrase.strip()
    return folded, None, None, ""


# --- the plan ----------------------------------------------------------------------------------


def max_edits(term: str) -> int:
    """Typos tolerated in a word: none up to 3 letters, one up to 7, two from 8 (as search engines'
    AUTO fuzziness); never in numbers."""
    if not term.isalpha() or len(term) <= 3:
        return 0
    return 1 if len(term) <= 7 else 2


def _nearest(vocabulary: Vocabulary, word: str, term: str, edits: int) -> tuple[str, int] | None:
    """The closest catalog term to the word as typed or to its stem ("chrismas" is one edit from
    "christmas", its stem "chrisma" two)."""
    found = [near for near in {vocabulary.nearest(word, edits), vocabulary.nearest(term, edits)} if near is not None]
    return min(found, key=lambda near: (near[1], -vocabulary.document_frequency(near[0]), near[0])) if found else None


def _replace_phrases(words: Sequence[str], synonyms: Synonyms) -> tuple[list[str], list[Rewrite]]:
    out: list[str] = []
    rewrites: list[Rewrite] = []
    i = 0
    while i < len(words):
        for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            phrase = tuple(words[i : i + size])
            target = synonyms.replace.get(phrase)
            if target is not None:
                typed = " ".join(phrase)
                rewrites.append(Rewrite(RewriteKind.SYNONYM, typed, target, f"'{typed}' means '{target}'"))
                out.extend(analysis.words(target))
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out, rewrites


def plan_query(text: str, vocabulary: Vocabulary, synonyms: Synonyms) -> QueryPlan:
    folded = analysis.fold(text)
    rest, low, high, price_words = price_intent(folded)
    rewrites: list[Rewrite] = []
    if price_words:
        bounds = " and ".join(
            part
            for part in (
                f"at least {low / 100:.2f}" if low is not None else "",
                f"at most {high / 100:.2f}" if high is not None else "",
            )
            if part
        )
        rewrites.append(Rewrite(RewriteKind.PRICE_INTENT, price_words, "", f"price filter: {bounds}"))
    words, phrase_rewrites = _replace_phrases(analysis.words(rest), synonyms)
    rewrites.extend(phrase_rewrites)
    concepts: list[Concept] = []
    surfaces: list[str] = []
    for word in words:
        if analysis.is_stop_word(word):
            continue
        term = analysis.stem(word)
        if any(c.term == term for c in concepts):
            continue
        equivalents = tuple(t for t in synonyms.groups.get(term, ()) if vocabulary.document_frequency(t) > 0)
        if vocabulary.document_frequency(term) > 0:
            concepts.append(Concept(word, term, equivalents))
            surfaces.append(word)
            continue
        if equivalents:
            shown = " ".join(vocabulary.surface(t) for t in equivalents)
            rewrites.append(
                Rewrite(RewriteKind.SYNONYM, word, shown, f"'{word}' is not in the catalog; it also means {shown}")
            )
            concepts.append(Concept(word, equivalents[0], equivalents[1:]))
            surfaces.append(vocabulary.surface(equivalents[0]))
            continue
        edits = max_edits(word)
        near = _nearest(vocabulary, word, term, edits) if edits else None
        if near is not None:
            corrected, distance = near
            shown = vocabulary.surface(corrected)
            plural = "s" if distance > 1 else ""
            rewrites.append(
                Rewrite(
                    RewriteKind.TYPO,
                    word,
                    shown,
                    f"'{word}' is not in the catalog; {distance} edit{plural} from '{shown}'",
                )
            )
            alternatives = tuple(t for t in synonyms.groups.get(corrected, ()) if vocabulary.document_frequency(t) > 0)
            concepts.append(Concept(word, corrected, alternatives))
            surfaces.append(shown)
            continue
        rewrites.append(
            Rewrite(RewriteKind.DROPPED, word, "", f"'{word}' matches no product and no catalog word is near it")
        )
    return QueryPlan(text, tuple(concepts), tuple(rewrites), low, high, tuple(surfaces))
