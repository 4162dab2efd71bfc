"""The numbers check: prose may cite only numbers the structured answer holds.

Numbers of the prose (`prose_numbers`): every digit run, with thousands separators ("1,299"), a
decimal part ("12.50", ".5"), a currency sign before it ("$12.50", "€3", "£4") and a percent after
it ("15%", "15 %", "15 percent"); and the spelled-out numbers two to ninety-nine ("twelve",
"twenty-five"). A digit run inside a word or an identifier is not a number: "TOY-0042", "p1",
"v1.2" and "SKU_12" cite nothing (in the prose and in the answer alike). Signs are ignored (prose
says "down 5" for -5), so are magnitude words ("1.2k", "3 million" cite 1.2 and 3, which must then
be in the answer: such prose is usually dropped).
"one" is not checked: it is mostly a pronoun ("the cheapest one").

Numbers of the answer (`answer_numbers`): every JSON number (booleans excluded), every string that
is a number (proto3 JSON writes int64 as a string: "2"), and the prose numbers found inside its other
strings (an explanation's "below the threshold of 10"). A timestamp string (RFC 3339, as proto3
JSON writes Timestamp) gives only its year, month, day and hour: its minutes, seconds and fraction
are the moment the answer was computed, and would otherwise let prose cite any number a clock can
show ("40" whenever the answer was computed at :40). Integer values
of fields named `*_minor` / `*Minor` (exact minor-unit twins of money) are also kept apart as
minor units.

A prose number p, written with d decimal places, *matches* an answer number a when
  |a - p| <= 0.5 * 10^-d  (p is a rounded to the precision the prose writes), and
  |a - p| <= 5% of |a|     (rounding never turns 0.87 into "1", nor 2.4 into "2").
Then:
- a plain number must match some answer number;
- a percentage p% must match some answer number a as a percentage (a = 15 for "15%") or as a ratio
  (100 * a: 0.873 for "87.3%" or "87%");
- an amount with a currency sign must match some answer number, or be exactly some minor-units value
  divided by 100 ("$12.50" for `price_minor: 1250`).
Prose with any number that matches nothing is dropped whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

Kind = Literal["plain", "percent", "money"]

_NUMBER = re.compile(
    # Not inside a word or an identifier: "TOY-0042", "p1", "v1.2", "SKU_12" hold no numbers.
    r"(?<![\w.])(?<![^\W\d_][-_])"
    r"(?P<currency>[$€£]\s?)?"
    r"(?P<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
    r"(?P<percent>\s?%|\s?per\s?cent\b)?",
    re.IGNORECASE,
)
_UNITS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ONES = {"one": 1, **{word: value for word, value in _UNITS.items() if value < 10}}
_SPELLED = re.compile(
    r"\b(?P<tens>" + "|".join(_TENS) + r")(?:[-\s](?P<ones>" + "|".join(_ONES) + r"))?\b"
    r"|\b(?P<unit>" + "|".join(_UNITS) + r")\b",
    re.IGNORECASE,
)
RELATIVE_TOLERANCE = Decimal("0.05")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Cited:
    """A number as the prose writes it."""

    text: str
    value: Decimal  # absolute
    decimals: int
    kind: Kind


@dataclass(frozen=True)
class AnswerNumbers:
    values: frozenset[Decimal]  # absolute values
    minor_units: frozenset[Decimal]


def prose_numbers(text: str) -> list[Cited]:
    found: list[Cited] = []
    for match in _NUMBER.finditer(text):
        digits = match["number"].replace(",", "")
        decimals = len(digits.partition(".")[2])
        kind: Kind = "percent" if match["percent"] else "money" if match["currency"] else "plain"
        found.append(Cited(match.group(0).strip(), Decimal(digits), decimals, kind))
    for match in _SPELLED.finditer(text):
        if match["unit"]:
            value = _UNITS[match["unit"].lower()]
        else:
            value = _TENS[match["tens"].lower()] + (_ONES[match["ones"].lower()] if match["ones"] else 0)
        found.append(Cited(match.group(0), Decimal(value), 0, "plain"))
    return found


def answer_numbers(answer: Any) -> AnswerNumbers:
    values: set[Decimal] = set()
    minor: set[Decimal] = set()
    for name, value in _leaves(answer, ""):
        number = _as_number(value)
        if number is not None:
            values.add(abs(number))
            if (name.endswith("_minor") or name.endswith("Minor")) and number == number.to_integral_value():
                minor.add(abs(number))
        elif isinstance(value, str) and (moment := _TIMESTAMP.fullmatch(value)):
            values.update(Decimal(int(part)) for part in moment.groups())
        elif isinstance(value, str):
            values.update(cited.value for cited in prose_numbers(value))
    return AnswerNumbers(frozenset(values), frozenset(minor))


def unsupported(prose: str, answer: AnswerNumbers) -> list[str]:
    """The numbers of `prose` that match no number of the answer (empty: the prose may be kept)."""
    return [cited.text for cited in prose_numbers(prose) if not _supported(cited, answer)]


def matches(cited: Decimal, decimals: int, value: Decimal) -> bool:
    """Whether `cited`, written with `decimals` places, is `value` rounded to that precision and
    within 5% of it (see the module docstring)."""
    difference = abs(value - cited)
    return difference <= Decimal(5).scaleb(-decimals - 1) and difference <= RELATIVE_TOLERANCE * abs(value)


def _supported(cited: Cited, answer: AnswerNumbers) -> bool:
    if any(matches(cited.value, cited.decimals, value) for value in answer.values):
        return True
    if cited.kind == "percent":
        return any(matches(cited.value, cited.decimals, value * HUNDRED) for value in answer.values)
    if cited.kind == "money":
        return cited.value * HUNDRED in answer.minor_units
    return False


def _leaves(node: Any, name: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, str(key))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _leaves(item, name)
    else:
        yield name, node


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else None
    if isinstance(value, str) and value.strip() and _NUMERIC_STRING.fullmatch(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


_TIMESTAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")
_NUMERIC_STRING = re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")
