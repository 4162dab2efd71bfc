"""The normalisation core: a title's and a brand's casing, whitespace and unit forms, each change
named by the rule that made it. Pure (no I/O): the tables are data (data/units.json), the known
brands come from the catalog.

Rules, in the order they run:
- `space:trim`, `space:collapse`: no leading or trailing blanks, one space between words (non-breaking
  and other Unicode spaces count as blanks).
- `unit:<canonical>`: a number followed by a unit form (`12in`, `12 inch`, `12-inch`, `12"`) becomes
  the number, one space and the canonical form (`12 in`).
- `punct:repeat`, `punct:space`: repeated marks (`!!`) once; no space before `,` `.` `!` `?` `;` `:`.
- `case:brand`: a known brand named in a title takes the catalog's casing (`LUMIERE & CO` -> `Lumiere & Co`).
- `case:title`: a SHOUTED word (all capitals, not a known acronym) or an all-lower-case word (not a
  small word such as "and", except as the first word) is capitalised; words with digits stay.
A brand is only trimmed, collapsed and given the catalog's casing (`brand:catalog`) or, when unknown
and shouted or all lower case, title case (`case:title`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

METHOD: Final = "normalize-rules-v1"
_BLANKS = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_REPEATED_MARKS = re.compile(r"([!?.,;:])\1+")
_SPACE_BEFORE_MARK = re.compile(r"\s+([,!?;:])|\s+(\.)(?!\d)")
_WORD = re.compile(r"[^\s]+")
_LETTERS = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class UnitTable:
    # (form, canonical), longest form first.
    forms: tuple[tuple[str, str], ...]
    acronyms: frozenset[str]
    small_words: frozenset[str]

    @property
    def pattern(self) -> re.Pattern[str]:
        return _unit_pattern(self.forms)


@cache
def _unit_pattern(forms: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(form) for form, _ in forms)
    # A number, then nothing, a space or a hyphen, then a unit form not followed by a letter.
    return re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?)(?:\s?-?\s?)({alternatives})(?![A-Za-z])", re.IGNORECASE)


@cache
def shipped_units() -> UnitTable:
    raw = json.loads(resources.files(__package__).joinpath("data/units.json").read_text(encoding="utf-8"))
    # The canonical form is a form too (`12QT` -> `12 qt`).
    forms = list(
        dict.fromkeys(
            (form.lower(), canonical) for canonical, listed in raw["units"].items() for form in [canonical, *listed]
        )
    )
    forms.sort(key=lambda pair: (-len(pair[0]), pair[0]))
    return UnitTable(
        tuple(forms),
        frozenset(word.upper() for word in raw["acronyms"]),
        frozenset(word.lower() for word in raw["small_words"]),
    )


@dataclass(frozen=True)
class Normalized:
    field: str
    original: str
    normalized: str
    rules: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return self.normalized != self.original


def known_brands(brands: Iterable[str]) -> dict[str, str]:
    """Case-folded brand -> the casing the catalog uses most (ties: the first alphabetically)."""
    counts: dict[str, Counter[str]] = {}
    for brand in brands:
        cleaned = _BLANKS.sub(" ", brand).strip()
        if cleaned:
            counts.setdefault(cleaned.casefold(), Counter())[cleaned] += 1
    return {key: min(found.items(), key=lambda item: (-item[1], item[0]))[0] for key, found in counts.items()}


def normalize_title(title: str, brands: Mapping[str, str], units: UnitTable | None = None) -> Normalized:
    table = units or shipped_units()
    rules: list[str] = []
    text = _whitespace(title, rules)
    text = _units(text, table, rules)
    text = _punctuation(text, rules)
    text = _brand_casing(text, brands, rules)
    text = _title_case(text, table, rules, protected=_brand_spans(text, brands) + _unit_spans(text, table))
    return Normalized("title", title, text, tuple(rules))


def normalize_brand(brand: str, brands: Mapping[str, str], units: UnitTable | None = None) -> Normalized:
    table = units or shipped_units()
    rules: list[str] = []
    text = _whitespace(brand, rules)
    canonical = brands.get(text.casefold())
    if canonical is not None:
        if canonical != text:
            rules.append("brand:catalog")
        text = canonical
    elif text:
        text = _title_case(text, table, rules, protected=[], first_is_small=False)
    return Normalized("brand", brand, text, tuple(rules))


def canonical_unit(text: str, units: UnitTable | None = None) -> str:
    """The text with every unit form in canonical form (used by extraction and evaluation)."""
    return _units(text, units or shipped_units(), [])


# --- the rules -----------------------------------------------------------------------------------


def _whitespace(text: str, rules: list[str]) -> str:
    trimmed = text.strip()
    if trimmed != text:
        rules.append("space:trim")
    collapsed = _BLANKS.sub(" ", trimmed)
    if collapsed != trimmed:
        rules.append("space:collapse")
    return collapsed


def _units(text: str, table: UnitTable, rules: list[str]) -> str:
    canonical_of = dict(table.forms)

    def canonical(match: re.Match[str]) -> str:
        number, form = match.group(1), match.group(2).lower()
        unit = canonical_of[form]
        written = f"{number} {unit}"
        if written != match.group(0) and f"unit:{unit}" not in rules:
            rules.append(f"unit:{unit}")
        return written

    return table.pattern.sub(canonical, text)


def _punctuation(text: str, rules: list[str]) -> str:
    once = _REPEATED_MARKS.sub(r"\1", text)
    if once != text:
        rules.append("punct:repeat")
    tight = _SPACE_BEFORE_MARK.sub(lambda m: m.group(1) or m.group(2), once)
    if tight != once:
        rules.append("punct:space")
    return tight


def _unit_spans(text: str, table: UnitTable) -> list[tuple[int, int]]:
    """Where canonical quantities (`12 in`) are: their unit keeps its lower case."""
    canonical = sorted({unit for _, unit in table.forms}, key=len, reverse=True)
    units = "|".join(re.escape(unit) for unit in canonical)
    return [(m.start(), m.end()) for m in re.finditer(rf"\d+(?:\.\d+)? (?:{units})(?![A-Za-z])", text)]


def _brand_spans(text: str, brands: Mapping[str, str]) -> list[tuple[int, int]]:
    spans = []
    folded = text.casefold()
    for key in sorted(brands, key=len, reverse=True):
        for match in re.finditer(rf"(?<!\w){re.escape(key)}(?!\w)", folded):
            spans.append((match.start(), match.end()))
    return spans


def _brand_casing(text: str, brands: Mapping[str, str], rules: list[str]) -> str:
    result = text
    for start, end in _brand_spans(text, brands):
        canonical = brands[text[start:end].casefold()]
        if result[start:end] != canonical and len(canonical) == end - start:
            result = result[:start] + canonical + result[end:]
            if "case:brand" not in rules:
                rules.append("case:brand")
    return result


def _title_case(
    text: str,
    table: UnitTable,
    rules: list[str],
    *,
    protected: list[tuple[int, int]],
    first_is_small: bool = True,
) -> str:
    """Title case for a shouted or flat text: when at least half of its words (brands, quantities
    and acronyms aside) are all capitals, or all lower case; a text in mixed case is taken as meant."""
    words = [
        (index, match)
        for index, match in enumerate(_WORD.finditer(text))
        if not any(start <= match.start() < end for start, end in protected)
    ]
    judged = [m.group(0) for _, m in words if _letters(m.group(0)) and not _is_acronym(m.group(0), table)]
    shouted = sum(1 for word in judged if len(_letters(word)) >= 2 and _letters(word).isupper())
    flat = sum(1 for word in judged if _letters(word).islower())
    if not judged or max(shouted, flat) * 2 < len(judged):
        return text
    pieces: list[str] = []
    last = 0
    for index, match in words:
        word = match.group(0)
        pieces.append(text[last : match.start()])
        pieces.append(_case_word(word, table, first=index == 0 and first_is_small))
        last = match.end()
    pieces.append(text[last:])
    result = "".join(pieces)
    if result != text:
        rules.append("case:title")
    return result


def _letters(word: str) -> str:
    return "".join(ch for ch in word if ch.isalpha())


def _is_acronym(word: str, table: UnitTable) -> bool:
    return word.strip("()[]\"'.,!?;:").upper() in table.acronyms and word.strip("()[]\"'.,!?;:").isupper()


def _case_word(word: str, table: UnitTable, *, first: bool) -> str:
    letters = "".join(ch for ch in word if ch.isalpha())
    if len(letters) < 1 or any(ch.isdigit() for ch in word):
        return word
    bare = word.strip("()[]\"'.,!?;:")
    if bare.upper() in table.acronyms:
        return word.replace(bare, bare.upper()) if bare else word
    if letters.isupper() and len(letters) >= 2:
        return word.lower() if not first and bare.lower() in table.small_words else _capitalised(word)
    if letters.islower():
        if not first and bare.lower() in table.small_words:
            return word
        return _capitalised(word)
    return word


def _capitalised(word: str) -> str:
    """First letter of each hyphen part upper case, the rest lower (`NORTH-POLE` -> `North-Pole`)."""
    return "-".join(_capital_first(part) for part in word.split("-"))


def _capital_first(part: str) -> str:
    found = _LETTERS.search(part)
    if found is None:
        return part
    at = found.start()
    return part[:at] + part[at].upper() + part[at + 1 :].lower()
