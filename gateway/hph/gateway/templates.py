"""Parses `google.api.http` path templates into segments, variables and a custom verb.

Grammar (google/api/http.proto):

    Template  = "/" Segments [ ":" Verb ] ;
    Segments  = Segment { "/" Segment } ;
    Segment   = "*" | "**" | LITERAL | Variable ;
    Variable  = "{" FieldPath [ "=" Segments ] "}" ;
    FieldPath = IDENT { "." IDENT } ;

`{var}` means `{var=*}`. The template "/" (no segments) is accepted, as Envoy does. Every other
invalid form raises `TemplateError` naming the template and the problem, so a bad contract stops the
gateway at start-up instead of producing unreachable routes. We are stricter than Envoy in three
places, each of which Envoy accepts but cannot route sensibly: `**` must be the last segment,
identifiers must be proto identifiers, and literals may only hold URL path characters (no `*`, `{`,
`}`, spaces...). Pure: no protobuf here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn

__all__ = [
    "DoubleWildcard",
    "Literal",
    "PathTemplate",
    "Segment",
    "TemplateError",
    "Variable",
    "Wildcard",
    "parse_template",
]


class TemplateError(ValueError):
    """An invalid path template; `template` is the text, `reason` what is wrong with it."""

    def __init__(self, template: str, reason: str) -> None:
        super().__init__(f"invalid path template {template!r}: {reason}")
        self.template = template
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Literal:
    """Matches one request path segment equal to `text` (compared still percent-encoded, like Envoy)."""

    text: str


@dataclass(frozen=True, slots=True)
class Wildcard:
    """`*` (or the segment of `{var}`): exactly one request path segment, possibly empty."""


@dataclass(frozen=True, slots=True)
class DoubleWildcard:
    """`**`: zero or more request path segments; only ever the last segment."""


Segment = Literal | Wildcard | DoubleWildcard


@dataclass(frozen=True, slots=True)
class Variable:
    """A capture of segments[start:end]; `end` is None when it ends with `**` (runs to the path's end)."""

    field_path: tuple[str, ...]
    start: int
    end: int | None

    @property
    def name(self) -> str:
        return ".".join(self.field_path)

    @property
    def is_multi_segment(self) -> bool:
        # Envoy counts a `**` capture as multi-segment even when it matched a single segment: the
        # decoding rule depends on the template, not on the request.
        return self.end is None or self.end - self.start > 1


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A parsed template: what each request segment must be, what is captured, and the verb."""

    text: str
    segments: tuple[Segment, ...]
    variables: tuple[Variable, ...]
    verb: str | None

    def __str__(self) -> str:
        return self.text


WILDCARD = Wildcard()
DOUBLE_WILDCARD = DoubleWildcard()

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# RFC 3986 pchar minus ":" (the verb separator) and "*" (only valid as a whole segment); "%" must
# start a well-formed escape, checked separately.
_LITERAL = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()+,;=@]|%[0-9A-Fa-f]{2})+")


def parse_template(text: str) -> PathTemplate:
    """Parses `text`; raises `TemplateError` for any form the grammar (or Envoy) rejects."""
    if text == "":
        raise TemplateError(text, "empty template")
    if not text.startswith("/"):
        raise TemplateError(text, "must start with '/'")
    if text == "/":
        return PathTemplate(text, (), (), None)
    return _Parser(text).parse()


class _Parser:
    """Recursive descent over the template text; `pos` always points at the next unread character."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1  # after the leading "/"
        self.segments: list[Segment] = []
        self.variables: list[Variable] = []
        self.in_variable = False

    def parse(self) -> PathTemplate:
        self._segments()
        verb: str | None = None
        char = self._peek()
        if char == ":":
            verb = self._verb()
        elif char == "}":
            self._fail("unbalanced '}'")
        elif char is not None:
            self._fail(f"unexpected {char!r} at position {self.pos}")
        self._check_double_wildcard_is_last()
        return PathTemplate(self.text, tuple(self.segments), tuple(self.variables), verb)

    def _fail(self, reason: str) -> NoReturn:
        raise TemplateError(self.text, reason)

    def _peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def _segments(self) -> None:
        self._segment()
        while self._peek() == "/":
            self.pos += 1
            self._segment()

    def _segment(self) -> None:
        char = self._peek()
        if char is None:
            self._fail("trailing '/'" if self.text.endswith("/") else "expected a segment")
        elif char == "/":
            self._fail("empty segment ('//')")
        elif char == ":":
            self._fail("empty segment before ':'")
        elif char == "}":
            self._fail("empty segment before '}'" if self.in_variable else "unbalanced '}'")
        elif char == "*":
            self._wildcard()
        elif char == "{":
            self._variable()
        else:
            self._literal()

    def _wildcard(self) -> None:
        if self.text.startswith("**", self.pos):
            self.pos += 2
            self.segments.append(DOUBLE_WILDCARD)
        else:
            self.pos += 1
            self.segments.append(WILDCARD)
        self._expect_segment_end("'*' and '**' must be whole segments")

    def _expect_segment_end(self, reason: str) -> None:
        char = self._peek()
        if char is not None and char not in "/:}":
            self._fail(reason)

    def _literal(self) -> None:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in "/:}":
            self.pos += 1
        literal = self.text[start : self.pos]
        self._check_literal(literal, "segment")
        self.segments.append(Literal(literal))

    def _check_literal(self, literal: str, what: str) -> None:
        if "{" in literal:
            self._fail(
                f"a variable must be a whole segment (found {literal!r}); nested or partial variables are not allowed"
            )
        if "*" in literal:
            self._fail(f"'*' and '**' must be whole segments (found {literal!r})")
        if _LITERAL.fullmatch(literal) is None:
            self._fail(f"invalid character in {what} {literal!r}")

    def _variable(self) -> None:
        if self.in_variable:
            self._fail("nested variables are not allowed")
        self.pos += 1  # "{"
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in "=}{/":
            self.pos += 1
        field_path = self.text[start : self.pos]
        if self._peek() is None:
            self._fail("unbalanced '{'")
        if self._peek() in ("{", "/"):
            self._fail(f"invalid variable '{{{field_path}{self._peek()}...' (nested variables are not allowed)")
        names = tuple(field_path.split("."))
        if not all(_IDENT.fullmatch(name) for name in names):
            self._fail(f"invalid field path {field_path!r} (expected identifiers separated by '.')")
        if any(variable.field_path == names for variable in self.variables):
            self._fail(f"variable {field_path!r} appears more than once")
        first = len(self.segments)
        if self._peek() == "=":
            self.pos += 1
            if self._peek() == "}":
                self._fail(f"variable {field_path!r} has an empty template after '='")
            self.in_variable = True
            self._segments()
            self.in_variable = False
        else:
            self.segments.append(WILDCARD)
        if self._peek() != "}":
            self._fail("unbalanced '{'" if self._peek() is None else f"unexpected {self._peek()!r} inside a variable")
        self.pos += 1  # "}"
        self._expect_segment_end("a variable must be a whole segment")
        captured = self.segments[first:]
        end = None if any(isinstance(segment, DoubleWildcard) for segment in captured) else len(self.segments)
        self.variables.append(Variable(names, first, end))

    def _verb(self) -> str:
        self.pos += 1  # ":"
        verb = self.text[self.pos :]
        if not verb:
            self._fail("empty verb after ':'")
        if "/" in verb or ":" in verb:
            self._fail(f"':' may only introduce the final verb (found {verb!r} after it)")
        if "}" in verb:
            self._fail("unbalanced '}'")
        self._check_literal(verb, "verb")
        self.pos = len(self.text)
        return verb

    def _check_double_wildcard_is_last(self) -> None:
        for index, segment in enumerate(self.segments[:-1]):
            if isinstance(segment, DoubleWildcard):
                self._fail(f"'**' must be the last segment (it is segment {index + 1} of {len(self.segments)})")
