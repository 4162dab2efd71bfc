"""Attribute extraction: colour, size, material and count read out of a product's title, tags and
description with the synonym tables of data/attribute_synonyms.json (pure; no I/O).

Each attribute gets at most one value: the one found in the most trusted field (title, then tags,
then description), earliest in it. Its confidence is the field's trust, times `SYNONYM_FACTOR` when
it was read through a synonym rather than the canonical word, divided by the number of distinct
values that field holds for the attribute (a title naming two colours is ambiguous).
Sizes are a dimension when one is written (`12 in`, canonical units first), else a size word; counts
come from patterns (`set of 4`, `4-pack`, `6 pcs`) or count words (`trio`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

from hph.agents.normalization_classification.normalize import canonical_unit

ATTRIBUTES: Final = ("color", "size", "material", "count")
FIELD_TRUST: Final = {"title": 0.9, "tags": 0.8, "description": 0.6}
SYNONYM_FACTOR: Final = 0.95
PATTERN_TRUST: Final = 1.0
DIMENSION_UNITS: Final = ("in", "ft", "cm", "mm")
_COUNT_PATTERNS: Final = (
    re.compile(r"\b(?:set|pack|box|bundle|case) of (\d{1,3})\b", re.IGNORECASE),
    re.compile(r"\b(\d{1,3})[- ]?(?:pack|pk|piece|pc|count|ct)\b", re.IGNORECASE),
    re.compile(r"\b(\d{1,3}) (?:pcs|pieces)\b", re.IGNORECASE),
)


@dataclass(frozen=True)
class Synonyms:
    # attribute -> (phrase, canonical value, is the canonical word), longest phrase first.
    phrases: Mapping[str, tuple[tuple[str, str, bool], ...]]
    count_words: Mapping[str, int]

    def value_of(self, attribute: str, phrase: str) -> str | None:
        for known, canonical, _ in self.phrases.get(attribute, ()):
            if known == phrase.lower():
                return canonical
        return None


@cache
def shipped_synonyms() -> Synonyms:
    raw = json.loads(resources.files(__package__).joinpath("data/attribute_synonyms.json").read_text(encoding="utf-8"))
    return synonyms_from(raw)


def synonyms_from(raw: Mapping[str, object]) -> Synonyms:
    phrases: dict[str, tuple[tuple[str, str, bool], ...]] = {}
    for attribute in ("color", "material", "size"):
        table = raw[attribute]
        assert isinstance(table, dict)
        listed = [(canonical.lower(), canonical, True) for canonical in table]
        listed += [(word.lower(), canonical, False) for canonical, words in table.items() for word in words]
        listed.sort(key=lambda item: (-len(item[0]), item[0]))
        phrases[attribute] = tuple(listed)
    counts = raw.get("count_words", {})
    assert isinstance(counts, dict)
    return Synonyms(phrases, {str(word).lower(): int(n) for word, n in counts.items()})


@dataclass(frozen=True)
class Extracted:
    name: str
    value: str
    source_text: str
    source_field: str
    confidence: float
    current_value: str = ""


@dataclass(frozen=True)
class _Hit:
    value: str
    text: str
    start: int
    canonical: bool


def extract(fields: Mapping[str, str], current: Mapping[str, str], synonyms: Synonyms | None = None) -> list[Extracted]:
    """Attributes found in `fields` (title, tags, description), in ATTRIBUTES order."""
    table = synonyms or shipped_synonyms()
    found: list[Extracted] = []
    for attribute in ATTRIBUTES:
        for field_name in FIELD_TRUST:
            text = canonical_unit(fields.get(field_name, ""))
            hits = _hits(attribute, text, table)
            if not hits:
                continue
            first = min(hits, key=lambda hit: hit.start)
            distinct = len({hit.value for hit in hits})
            trust = FIELD_TRUST[field_name] * (1.0 if first.canonical else SYNONYM_FACTOR) / distinct
            found.append(
                Extracted(attribute, first.value, first.text, field_name, round(trust, 4), current.get(attribute, ""))
            )
            break
    return found


def _hits(attribute: str, text: str, table: Synonyms) -> list[_Hit]:
    if not text:
        return []
    if attribute == "count":
        return _counts(text, table)
    if attribute == "size":
        dimensions = [
            _Hit(f"{m.group(1)} {m.group(2)}", m.group(0), m.start(), True)
            for m in re.finditer(rf"(\d+(?:\.\d+)?) ({'|'.join(DIMENSION_UNITS)})\b", text)
        ]
        if dimensions:
            return dimensions[:1]  # the first dimension written is the size (others are parts)
    return _phrases(table.phrases.get(attribute, ()), text)


def _phrases(phrases: tuple[tuple[str, str, bool], ...], text: str) -> list[_Hit]:
    lowered = text.lower()
    taken: list[tuple[int, int]] = []
    hits: list[_Hit] = []
    for phrase, canonical, is_canonical in phrases:  # longest first: "forest green" before "green"
        for match in re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", lowered):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            hits.append(_Hit(canonical, text[start:end], start, is_canonical))
    return hits


def _counts(text: str, table: Synonyms) -> list[_Hit]:
    hits = [
        _Hit(str(int(m.group(1))), m.group(0), m.start(), True)
        for pattern in _COUNT_PATTERNS
        for m in pattern.finditer(text)
        if int(m.group(1)) > 0
    ]
    for word, number in table.count_words.items():
        for m in re.finditer(rf"\b{re.escape(word)}\b", text, re.IGNORECASE):
            hits.append(_Hit(str(number), m.group(0), m.start(), False))
    return hits
