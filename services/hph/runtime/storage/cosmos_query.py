"""Renders port queries to Cosmos DB SQL: every value a parameter, every path a validated name.

The port's semantics are Cosmos DB's own, so most terms map one to one (`=`, `!=`, `<`, `IN`,
`IS_DEFINED`, `ARRAY_CONTAINS`, `AND`/`OR`/`NOT` with undefined). What needs care:

- Paths render as `c["seg"]["seg"]`; each segment is `[A-Za-z0-9_]+` (checked by the port and again
  here), so no caller text reaches the query except as a bound `@pN` parameter. A digit segment
  names an object key, never an array index: its parent must be an object, else the value is
  `undefined` (Cosmos SQL itself would index an array with `["0"]`).
- Case-insensitive `Contains` lowers both sides (`CONTAINS(LOWER(f), @needle)`, the needle lowered
  in Python). That is Unicode lower-casing, not full case folding: one-to-many foldings (ß -> ss,
  ligatures) differ from the embedded adapter's (docs/adapters.md).
- Pages are keyset pages, like the other adapters': `ORDER BY` the query's fields, then `id`, then
  the partition key (a composite index each, see `composite_index`), and a continuation token holds
  the last row's position: per order field its type rank (undefined < null < bool < number <
  string < array < object) and its value, then id and partition key. The next page's filter keeps
  rows strictly after that position.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hph.runtime.storage.port import (
    And,
    ArrayContains,
    Contains,
    Document,
    Eq,
    Ge,
    Gt,
    In,
    InvalidContinuationError,
    IsDefined,
    Le,
    Lt,
    Ne,
    Not,
    Or,
    OrderBy,
    Query,
    Term,
    validate_field_path,
)

_OPERATORS: dict[type, str] = {Eq: "=", Ne: "!=", Lt: "<", Le: "<=", Gt: ">", Ge: ">="}
RANK_UNDEFINED, RANK_NULL, RANK_BOOL, RANK_NUMBER, RANK_STRING, RANK_ARRAY, RANK_OBJECT = range(7)


@dataclass(frozen=True)
class CosmosSql:
    """A query text and its parameters, in the shape the SDK takes."""

    text: str
    parameters: list[dict[str, Any]]


@dataclass
class _Builder:
    parameters: list[dict[str, Any]] = field(default_factory=list)

    def bind(self, value: Any) -> str:
        name = f"@p{len(self.parameters)}"
        self.parameters.append({"name": name, "value": value})
        return name


def _path(segments: Sequence[str]) -> str:
    for segment in segments:  # the port validated them; a renderer must not trust that blindly
        if not segment or not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in segment):
            raise ValueError(f"invalid field segment {segment!r}")
    return "c" + "".join(f'["{segment}"]' for segment in segments)


def field_ref(path: str) -> str:
    """The value at a dotted path, `undefined` where a digit segment would index an array."""
    segments = validate_field_path(path)
    value = _path(segments)
    guards = [f"IS_OBJECT({_path(segments[:n])})" for n in range(1, len(segments)) if segments[n].isdigit()]
    if not guards:
        return value
    return f"(({' AND '.join(guards)}) ? {value} : undefined)"


def partition_key_ref(segments: Sequence[str]) -> str:
    return _path(segments)


def order_ref(path: str) -> str:
    """ORDER BY takes a plain property path, not an expression."""
    return _path(validate_field_path(path))


_TYPE_CHECKS = {
    RANK_NULL: "IS_NULL",
    RANK_BOOL: "IS_BOOL",
    RANK_NUMBER: "IS_NUMBER",
    RANK_STRING: "IS_STRING",
    RANK_ARRAY: "IS_ARRAY",
    RANK_OBJECT: "IS_OBJECT",
}


def _is_rank(expression: str, rank: int) -> _Expr:
    """True when the value has that type rank, false otherwise (never undefined)."""
    if rank == RANK_UNDEFINED:
        return _Expr(f"NOT IS_DEFINED({expression})", _NOT)
    return _Expr(f"{_TYPE_CHECKS[rank]}({expression})", _ATOM)


def _rank_among(expression: str, ranks: range) -> _Expr:
    """True when the value's type rank is one of `ranks` (a disjunction of type checks)."""
    return _any([_is_rank(expression, rank) for rank in ranks])


def rank_of_value(value: Any) -> int:
    if value is None:
        return RANK_NULL
    if isinstance(value, bool):
        return RANK_BOOL
    if isinstance(value, int | float):
        return RANK_NUMBER
    if isinstance(value, str):
        return RANK_STRING
    if isinstance(value, list):
        return RANK_ARRAY
    return RANK_OBJECT


# Precedences of rendered expressions. Parentheses are written only where precedence needs them:
# the emulator's parser takes time exponential in their nesting depth (several seconds at 6).
_OR, _AND, _NOT, _COMPARISON, _ATOM = range(1, 6)


@dataclass(frozen=True)
class _Expr:
    text: str
    precedence: int

    def at_least(self, precedence: int) -> str:
        return self.text if self.precedence >= precedence else f"({self.text})"


def _all(parts: Sequence[_Expr]) -> _Expr:
    if not parts:
        return _Expr("true", _ATOM)
    if len(parts) == 1:
        return parts[0]
    return _Expr(" AND ".join(part.at_least(_AND) for part in parts), _AND)


def _any(parts: Sequence[_Expr]) -> _Expr:
    if not parts:
        return _Expr("false", _ATOM)
    if len(parts) == 1:
        return parts[0]
    return _Expr(" OR ".join(part.at_least(_OR) for part in parts), _OR)


def _not(part: _Expr) -> _Expr:
    return _Expr(f"NOT {part.at_least(_ATOM)}", _NOT)


def _typed(check: _Expr, expression: str) -> _Expr:
    """`expression` where `check` holds, undefined elsewhere."""
    return _Expr(f"({check.at_least(_ATOM)} ? {expression} : undefined)", _ATOM)


def _term(b: _Builder, term: Term, negated: bool = False) -> _Expr:
    """Renders a term. Under a NOT (`negated`) false and undefined differ, so there every test of
    a value of the wrong type (or none) is made undefined explicitly (`_typed`) rather than left
    to the engine, which the emulator gets wrong (`"5" = 5` is false there); elsewhere the plain
    form keeps the filter servable from the index."""
    if isinstance(term, Eq | Ne | Lt | Le | Gt | Ge):
        ref = field_ref(term.field)
        comparison = f"{ref} {_OPERATORS[type(term)]} {b.bind(term.value)}"
        if negated or isinstance(term, Ne):
            return _typed(_is_rank(ref, rank_of_value(term.value)), comparison)
        return _Expr(comparison, _COMPARISON)
    if isinstance(term, In):
        if not term.values:
            return _Expr("false", _ATOM)
        if negated:
            return _any([_term(b, Eq(term.field, value), negated=True) for value in term.values])
        return _Expr(f"{field_ref(term.field)} IN ({', '.join(b.bind(value) for value in term.values)})", _COMPARISON)
    if isinstance(term, Contains):
        ref = field_ref(term.field)
        if term.ignore_case:
            test = f"CONTAINS(LOWER({ref}), {b.bind(term.text.lower())})"
        else:
            test = f"CONTAINS({ref}, {b.bind(term.text)})"
        return _typed(_is_rank(ref, RANK_STRING), test) if negated else _Expr(test, _ATOM)
    if isinstance(term, ArrayContains):
        ref = field_ref(term.field)
        test = f"ARRAY_CONTAINS({ref}, {b.bind(term.value)})"
        return _typed(_is_rank(ref, RANK_ARRAY), test) if negated else _Expr(test, _ATOM)
    if isinstance(term, IsDefined):
        return _Expr(f"IS_DEFINED({field_ref(term.field)})", _ATOM)
    if isinstance(term, And):
        return _all([_term(b, child, negated) for child in term.terms])
    if isinstance(term, Or):
        return _any([_term(b, child, negated) for child in term.terms])
    if isinstance(term, Not):
        return _not(_term(b, term.term, negated=True))
    raise TypeError(f"not a query term: {term!r}")


def render_term(b: _Builder, term: Term) -> str:
    return _term(b, term).text


def _sort_keys(order_by: Sequence[OrderBy], pk_segments: Sequence[str]) -> list[tuple[tuple[str, ...], bool]]:
    """What a page is sorted by: the order fields, then id and the partition key ascending (each
    tie-breaker left out when the query already orders by it: a path appears once)."""
    keys = [(validate_field_path(item.field), item.descending) for item in order_by]
    for tie_breaker in (("id",), tuple(pk_segments)):
        if all(path != tie_breaker for path, _ in keys):
            keys.append((tie_breaker, False))
    return keys


def composite_index(order_by: Sequence[OrderBy], pk_segments: Sequence[str]) -> tuple[tuple[str, bool], ...]:
    """The composite index (path, descending) a page ordered by `order_by` is served from (Cosmos
    DB needs one for any ORDER BY of several paths, and pages always have the tie-breakers)."""
    return tuple(("/" + "/".join(path), descending) for path, descending in _sort_keys(order_by, pk_segments))


class CosmosQueryRenderer:
    """Renders the page and count queries of one container (its partition key path's segments)."""

    def __init__(self, pk_segments: Sequence[str]) -> None:
        self._pk_segments = tuple(pk_segments)

    def _conditions(self, b: _Builder, query: Query, partition_key: str | None) -> list[_Expr]:
        conditions: list[_Expr] = []
        if partition_key is not None:
            # The request is scoped to the partition already; saying so in the filter as well costs
            # nothing and is what the emulator insists on.
            conditions.append(_Expr(f"{partition_key_ref(self._pk_segments)} = {b.bind(partition_key)}", _COMPARISON))
        if query.where is not None:
            conditions.append(_term(b, query.where))
        return conditions

    def count(self, query: Query, partition_key: str | None = None) -> CosmosSql:
        b = _Builder()
        conditions = self._conditions(b, query, partition_key)
        where = f" WHERE {_all(conditions).text}" if conditions else ""
        return CosmosSql(f"SELECT VALUE COUNT(1) FROM c{where}", b.parameters)

    def page(self, query: Query, partition_key: str | None, position: list[Any] | None, limit: int) -> CosmosSql:
        b = _Builder()
        conditions = self._conditions(b, query, partition_key)
        if position is not None:
            conditions.append(self._after(b, query.order_by, check_position(position, query.order_by)))
        where = f" WHERE {_all(conditions).text}" if conditions else ""
        order = ", ".join(
            f"{_path(path)} {'DESC' if descending else 'ASC'}"
            for path, descending in _sort_keys(query.order_by, self._pk_segments)
        )
        return CosmosSql(f"SELECT TOP {b.bind(limit)} * FROM c{where} ORDER BY {order}", b.parameters)

    def _after(self, b: _Builder, order_by: Sequence[OrderBy], position: list[Any]) -> _Expr:
        """Rows strictly after `position`: k0 beyond a0 OR (k0 equal a0 AND k1 beyond a1) ... OR
        (all equal AND (id, pk) > (last id, last pk)). Every part is true or false, never
        undefined, so rows of other types fall on the right side by their type rank."""
        disjuncts: list[_Expr] = []
        equal_prefix: list[_Expr] = []
        for index, item in enumerate(order_by):
            rank, value = position[2 * index], position[2 * index + 1]
            ref = order_ref(item.field)
            later_ranks = range(RANK_UNDEFINED, rank) if item.descending else range(rank + 1, RANK_OBJECT + 1)
            beyond_parts = [_rank_among(ref, later_ranks)]
            if rank in (RANK_BOOL, RANK_NUMBER, RANK_STRING):
                bound = b.bind(value)
                same_type = _is_rank(ref, rank)
                comparison = _Expr(f"{ref} {'<' if item.descending else '>'} {bound}", _COMPARISON)
                beyond_parts.append(_all([same_type, comparison]))
                equal = _all([same_type, _Expr(f"{ref} = {bound}", _COMPARISON)])
            else:
                # Undefined and null are one value each; arrays and objects tie by type (the port
                # leaves their relative order to the adapter).
                equal = _is_rank(ref, rank)
            disjuncts.append(_all([*equal_prefix, _any(beyond_parts)]))
            equal_prefix.append(equal)
        last_id, last_pk = b.bind(position[-2]), b.bind(position[-1])
        pk = partition_key_ref(self._pk_segments)
        tail = _Expr(f'c["id"] > {last_id} OR c["id"] = {last_id} AND {pk} > {last_pk}', _OR)
        disjuncts.append(_all([*equal_prefix, tail]))
        return _any(disjuncts)

    def position_of(self, doc: Document, order_by: Sequence[OrderBy], partition_key: str) -> list[Any]:
        """A document's keyset position: per order field (rank, value), then id and partition key."""
        position: list[Any] = []
        for item in order_by:
            node: Any = doc
            present = True
            for segment in validate_field_path(item.field):
                if not isinstance(node, dict) or segment not in node:
                    present = False
                    break
                node = node[segment]
            if not present:
                position += [RANK_UNDEFINED, None]
                continue
            rank = rank_of_value(node)
            position += [rank, node if rank in (RANK_BOOL, RANK_NUMBER, RANK_STRING) else None]
        return [*position, doc["id"], partition_key]


def check_position(position: list[Any], order_by: Sequence[OrderBy]) -> list[Any]:
    """A decoded position must have the query's shape and consistent types; else the token was
    forged or belongs to another version of the code."""
    if len(position) != 2 * len(order_by) + 2:
        raise InvalidContinuationError("continuation token does not fit the query")
    if not isinstance(position[-2], str) or not isinstance(position[-1], str):
        raise InvalidContinuationError("continuation token does not fit the query")
    for index in range(len(order_by)):
        rank, value = position[2 * index], position[2 * index + 1]
        if type(rank) is not int or not RANK_UNDEFINED <= rank <= RANK_OBJECT:
            raise InvalidContinuationError("continuation token does not fit the query")
        if rank == RANK_BOOL:
            ok = type(value) is bool
        elif rank == RANK_NUMBER:
            ok = type(value) in (int, float) and math.isfinite(value)
        elif rank == RANK_STRING:
            ok = type(value) is str
        else:
            ok = value is None
        if not ok:
            raise InvalidContinuationError("continuation token does not fit the query")
    return position
