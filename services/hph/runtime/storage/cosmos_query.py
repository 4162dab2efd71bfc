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


def rank_of(expression: str) -> str:
    """The port's type rank of a value, as a Cosmos SQL expression (0 undefined .. 6 object)."""
    return (
        f"(IS_DEFINED({expression}) ? (IS_NULL({expression}) ? 1 : (IS_BOOL({expression}) ? 2 :"
        f" (IS_NUMBER({expression}) ? 3 : (IS_STRING({expression}) ? 4 : (IS_ARRAY({expression}) ? 5 : 6))))) : 0)"
    )


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


def _join(parts: Sequence[str], operator: str, *, empty: str) -> str:
    if not parts:
        return empty
    return "(" + f" {operator} ".join(parts) + ")"


def render_term(b: _Builder, term: Term) -> str:
    if isinstance(term, Eq | Ne | Lt | Le | Gt | Ge):
        return f"({field_ref(term.field)} {_OPERATORS[type(term)]} {b.bind(term.value)})"
    if isinstance(term, In):
        if not term.values:
            return "false"
        return f"({field_ref(term.field)} IN ({', '.join(b.bind(value) for value in term.values)}))"
    if isinstance(term, Contains):
        if term.ignore_case:
            return f"CONTAINS(LOWER({field_ref(term.field)}), {b.bind(term.text.lower())})"
        return f"CONTAINS({field_ref(term.field)}, {b.bind(term.text)})"
    if isinstance(term, ArrayContains):
        return f"ARRAY_CONTAINS({field_ref(term.field)}, {b.bind(term.value)})"
    if isinstance(term, IsDefined):
        return f"IS_DEFINED({field_ref(term.field)})"
    if isinstance(term, And):
        return _join([render_term(b, child) for child in term.terms], "AND", empty="true")
    if isinstance(term, Or):
        return _join([render_term(b, child) for child in term.terms], "OR", empty="false")
    if isinstance(term, Not):
        return f"(NOT {render_term(b, term.term)})"
    raise TypeError(f"not a query term: {term!r}")


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

    def _conditions(self, b: _Builder, query: Query, partition_key: str | None) -> list[str]:
        conditions: list[str] = []
        if partition_key is not None:
            # The request is scoped to the partition already; saying so in the filter as well costs
            # nothing and is what the emulator insists on.
            conditions.append(f"({partition_key_ref(self._pk_segments)} = {b.bind(partition_key)})")
        if query.where is not None:
            conditions.append(render_term(b, query.where))
        return conditions

    def count(self, query: Query, partition_key: str | None = None) -> CosmosSql:
        b = _Builder()
        conditions = self._conditions(b, query, partition_key)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return CosmosSql(f"SELECT VALUE COUNT(1) FROM c{where}", b.parameters)

    def page(self, query: Query, partition_key: str | None, position: list[Any] | None, limit: int) -> CosmosSql:
        b = _Builder()
        conditions = self._conditions(b, query, partition_key)
        if position is not None:
            conditions.append(self._after(b, query.order_by, check_position(position, query.order_by)))
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        order = ", ".join(
            f"{_path(path)} {'DESC' if descending else 'ASC'}"
            for path, descending in _sort_keys(query.order_by, self._pk_segments)
        )
        return CosmosSql(f"SELECT TOP {b.bind(limit)} * FROM c{where} ORDER BY {order}", b.parameters)

    def _after(self, b: _Builder, order_by: Sequence[OrderBy], position: list[Any]) -> str:
        """Rows strictly after `position`: k0 beyond a0 OR (k0 equal a0 AND k1 beyond a1) ... OR
        (all equal AND (id, pk) > (last id, last pk))."""
        disjuncts: list[str] = []
        equal_prefix: list[str] = []
        for index, item in enumerate(order_by):
            rank, value = position[2 * index], position[2 * index + 1]
            ref = order_ref(item.field)
            rank_expression = rank_of(ref)
            beyond_rank = f"{rank_expression} {'<' if item.descending else '>'} {b.bind(rank)}"
            if rank in (RANK_BOOL, RANK_NUMBER, RANK_STRING):
                bound = b.bind(value)
                same_rank_beyond = f"({ref} {'<' if item.descending else '>'} {bound})"
                beyond = f"({beyond_rank} OR {same_rank_beyond})"
                equal = f"({ref} = {bound})"
            else:
                # Undefined and null are one value each; arrays and objects tie by type (the port
                # leaves their relative order to the adapter).
                beyond = f"({beyond_rank})"
                equal = f"({rank_expression} = {b.bind(rank)})"
            disjuncts.append(_join([*equal_prefix, beyond], "AND", empty="true"))
            equal_prefix.append(equal)
        last_id, last_pk = b.bind(position[-2]), b.bind(position[-1])
        pk = partition_key_ref(self._pk_segments)
        tail = f'(c["id"] > {last_id} OR (c["id"] = {last_id} AND {pk} > {last_pk}))'
        disjuncts.append(_join([*equal_prefix, tail], "AND", empty="true"))
        return _join(disjuncts, "OR", empty="false")

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
