"""Renders port queries to parameterised PostgreSQL over a JSONB `body` column (Cosmos DB semantics).

How the port's rules map (see `port` for the rules themselves):

- "Undefined" is SQL NULL: a field's value is `body #> path` (NULL when missing), and every
  comparison first checks `jsonb_typeof`, so a missing field or a value of another JSON type yields
  NULL; SQL's three-valued AND/OR/NOT then agree with Cosmos DB's.
- Strings compare with `COLLATE "C"` (byte order of UTF-8, which is code point order) whatever the
  database's collation; numbers compare as `numeric` (3 equals 3.0; floats are bound by their
  shortest repr, the same digits the stored JSON holds).
- Case-insensitive `Contains` folds both sides by Unicode full case folding: the needle in Python
  (`str.casefold`), the field by the schema's `casefold` SQL function, generated from Python's own
  tables (`casefold_function_sql`), so both adapters fold alike whatever the server's locale.
- Every value and every JSON path is a bound parameter; paths are validated by the port as well.
- Equalities the whole filter needs (conjuncts of a top-level And) are also rendered as
  `body @> '{...}'`, a condition the GIN `jsonb_path_ops` index answers; it is implied by the exact
  test beside it, so it narrows the rows read and never changes the result.
- Ordering: per `OrderBy`, a type rank column then one value column per orderable type (boolean,
  numeric, text); within a rank only one of them is non-null, so keyset pagination compares them in
  turn. Arrays and objects rank by type only and tie (then `id`, `pk` break the tie).
"""

from __future__ import annotations

import functools
import json
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from hph.runtime.storage.port import (
    And,
    ArrayContains,
    Contains,
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
    Query,
    Scalar,
    Term,
    validate_field_path,
)

_COMPARISON_OPERATORS: dict[type, str] = {Eq: "=", Ne: "<>", Lt: "<", Le: "<=", Gt: ">", Ge: ">="}
_MAX_TYPE_RANK = 6


@dataclass
class Sql:
    """An SQL text with `$n` placeholders and the values bound to them."""

    text: str
    params: list[Any]


@dataclass
class _Builder:
    """Collects parameters while a query is rendered; each value gets the next `$n`."""

    params: list[Any] = field(default_factory=list)

    def bind(self, value: Any, sql_type: str) -> str:
        self.params.append(value)
        return f"${len(self.params)}::{sql_type}"


def numeric(value: int | float) -> Decimal:
    """A number as PostgreSQL numeric: a float by its shortest repr, the digits its JSON holds."""
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def _value_class(value: Scalar) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "string"


class QueryRenderer:
    """Renders filters and keyset pages for one documents table (`table` is already quoted)."""

    def __init__(self, table: str, casefold: str) -> None:
        self._table = table
        self._casefold = casefold

    # --- values -----------------------------------------------------------------------------

    def _value(self, b: _Builder, path: str) -> str:
        """The JSON value at `path` (SQL NULL when missing). A digit segment would index into an
        array under `#>`, so such a path also requires each parent to be an object."""
        segments = validate_field_path(path)
        value = f"(d.body #> {b.bind(list(segments), 'text[]')})"
        guards = [
            f"jsonb_typeof(d.body #> {b.bind(list(segments[:n]), 'text[]')}) = 'object'"
            for n in range(1, len(segments))
            if segments[n].isdigit()
        ]
        if not guards:
            return value
        return f"(CASE WHEN {' AND '.join(guards)} THEN {value} END)"

    def _typed(self, b: _Builder, path: str, value_class: str) -> str:
        """The field as an SQL value when its JSON type is `value_class`, else NULL (undefined)."""
        value = self._value(b, path)
        if value_class == "number":
            return f"(CASE WHEN jsonb_typeof({value}) = 'number' THEN ({value})::numeric END)"
        if value_class == "boolean":
            return f"(CASE WHEN jsonb_typeof({value}) = 'boolean' THEN ({value})::boolean END)"
        return f"(CASE WHEN jsonb_typeof({value}) = 'string' THEN ({value} #>> '{{}}') END) COLLATE \"C\""

    def _bind_scalar(self, b: _Builder, value: Scalar) -> str:
        value_class = _value_class(value)
        if value_class == "number":
            assert isinstance(value, int | float)
            return b.bind(numeric(value), "numeric")
        if value_class == "boolean":
            return b.bind(value, "boolean")
        return b.bind(value, "text") + ' COLLATE "C"'

    # --- terms ------------------------------------------------------------------------------

    def _comparison(self, b: _Builder, term: Eq | Ne | Lt | Le | Gt | Ge) -> str:
        if term.value is None:
            # null = null is true and null != null false; null against any other type is undefined.
            outcome = "TRUE" if isinstance(term, Eq) else "FALSE"
            return f"(CASE WHEN jsonb_typeof({self._value(b, term.field)}) = 'null' THEN {outcome} END)"
        typed = self._typed(b, term.field, _value_class(term.value))
        return f"({typed} {_COMPARISON_OPERATORS[type(term)]} {self._bind_scalar(b, term.value)})"

    def _in(self, b: _Builder, term: In) -> str:
        by_class: dict[str, list[Scalar]] = {}
        for value in term.values:
            by_class.setdefault(_value_class(value), []).append(value)
        parts: list[str] = []
        for value_class, values in by_class.items():
            if value_class == "null":
                parts.append(self._comparison(b, Eq(term.field, None)))
            elif value_class == "number":
                bound = b.bind([numeric(v) for v in values if isinstance(v, int | float)], "numeric[]")
                parts.append(f"({self._typed(b, term.field, 'number')} = ANY({bound}))")
            elif value_class == "boolean":
                parts.append(f"({self._typed(b, term.field, 'boolean')} = ANY({b.bind(values, 'boolean[]')}))")
            elif term.field == "id":
                # Every document's id is a string equal to its key column: the same answer, by index
                # (a lookup of many ids, such as a consumer's ledger check, must not scan the partition).
                parts.append(f"(d.id = ANY({b.bind(values, 'text[]')}))")
            else:
                bound = b.bind(values, "text[]")
                parts.append(f"({self._typed(b, term.field, 'string')} = ANY({bound}))")
        return _join(parts, "OR", empty="FALSE")

    def _contains(self, b: _Builder, term: Contains) -> str:
        typed = self._typed(b, term.field, "string")
        if term.ignore_case:
            return f"(strpos({self._casefold}({typed}), {b.bind(term.text.casefold(), 'text')}) > 0)"
        return f"(strpos({typed}, {b.bind(term.text, 'text')}) > 0)"

    def _array_contains(self, b: _Builder, term: ArrayContains) -> str:
        # jsonb containment of a one-element array: an element equal in type and value (numbers
        # numerically), and only at the top level of the array, as the port requires.
        value = self._value(b, term.field)
        element = b.bind(json.dumps([term.value]), "jsonb")
        return f"(CASE WHEN jsonb_typeof({value}) = 'array' THEN {value} @> {element} END)"

    def term(self, b: _Builder, term: Term) -> str:
        if isinstance(term, Eq | Ne | Lt | Le | Gt | Ge):
            return self._comparison(b, term)
        if isinstance(term, In):
            return self._in(b, term)
        if isinstance(term, Contains):
            return self._contains(b, term)
        if isinstance(term, ArrayContains):
            return self._array_contains(b, term)
        if isinstance(term, IsDefined):
            return f"({self._value(b, term.field)} IS NOT NULL)"
        if isinstance(term, And):
            return _join([self.term(b, child) for child in term.terms], "AND", empty="TRUE")
        if isinstance(term, Or):
            return _join([self.term(b, child) for child in term.terms], "OR", empty="FALSE")
        if isinstance(term, Not):
            return f"(NOT {self.term(b, term.term)})"
        raise TypeError(f"not a query term: {term!r}")

    def _filter(self, b: _Builder, container_id: int, query: Query, partition_key: str | None) -> str:
        conditions = [f"d.container_id = {b.bind(container_id, 'integer')}"]
        if partition_key is not None:
            conditions.append(f"d.pk = {b.bind(partition_key, 'text')}")
        if query.where is not None:
            conditions.extend(f"d.body @> {b.bind(json.dumps(hint), 'jsonb')}" for hint in index_hints(query.where))
            conditions.append(self.term(b, query.where))
        return _join(conditions, "AND", empty="TRUE")

    # --- statements -------------------------------------------------------------------------

    def count(self, container_id: int, query: Query, partition_key: str | None) -> Sql:
        b = _Builder()
        where = self._filter(b, container_id, query, partition_key)
        return Sql(f"SELECT count(*) FROM {self._table} AS d WHERE {where}", b.params)

    def page(
        self, container_id: int, query: Query, partition_key: str | None, position: list[Any] | None, limit: int
    ) -> tuple[Sql, int]:
        """The page statement and its number of sort columns; each row is (body, sort values...,
        id, pk), and a row's values after the body are its keyset position."""
        b = _Builder()
        columns: list[tuple[str, str, bool]] = []  # name, expression, descending
        for index, order in enumerate(query.order_by):
            value = self._value(b, order.field)
            rank = (
                f"(CASE jsonb_typeof({value}) WHEN 'null' THEN 1 WHEN 'boolean' THEN 2 WHEN 'number' THEN 3"
                f" WHEN 'string' THEN 4 WHEN 'array' THEN 5 WHEN 'object' THEN 6 ELSE 0 END)"
            )
            columns.append((f"k{index}r", rank, order.descending))
            columns.append((f"k{index}b", self._typed(b, order.field, "boolean"), order.descending))
            columns.append((f"k{index}n", self._typed(b, order.field, "number"), order.descending))
            columns.append((f"k{index}s", self._typed(b, order.field, "string"), order.descending))
        where = self._filter(b, container_id, query, partition_key)
        select = ", ".join(["d.body", *(f"{expression} AS {name}" for name, expression, _ in columns), "d.id", "d.pk"])
        inner = f"SELECT {select} FROM {self._table} AS d WHERE {where}"
        after = "TRUE" if position is None else self._after(b, columns, _check_position(position, columns))
        order_by = ", ".join([*(f"{name} {'DESC' if desc else 'ASC'}" for name, _, desc in columns), "id", "pk"])
        outputs = ", ".join(["body::text", *(name for name, _, _ in columns), "id", "pk"])
        limit_to = b.bind(limit, "integer")
        text = f"SELECT {outputs} FROM ({inner}) AS q WHERE {after} ORDER BY {order_by} LIMIT {limit_to}"
        return Sql(text, b.params), len(columns)

    def _after(self, b: _Builder, columns: Sequence[tuple[str, str, bool]], position: Sequence[Any]) -> str:
        """Rows strictly after `position` in the query's order: k0 > a0 OR (k0 = a0 AND k1 > a1) OR
        ...; `IS NOT DISTINCT FROM` counts two NULLs equal, so a tie on them falls through."""
        *values, last_id, last_pk = position
        disjuncts: list[str] = []
        equal_prefix: list[str] = []
        for (name, _, descending), value in zip(columns, values, strict=True):
            bound = b.bind(value, _POSITION_TYPES[name[-1]])
            beyond = f"{name} {'<' if descending else '>'} {bound}"
            disjuncts.append(_join([*equal_prefix, beyond], "AND", empty="TRUE"))
            equal_prefix.append(f"{name} IS NOT DISTINCT FROM {bound}")
        last = f"(id, pk) > ({b.bind(last_id, _C_TEXT)}, {b.bind(last_pk, _C_TEXT)})"
        disjuncts.append(_join([*equal_prefix, last], "AND", empty="TRUE"))
        return _join(disjuncts, "OR", empty="FALSE")


_C_TEXT = 'text COLLATE "C"'
_POSITION_TYPES = {"r": "integer", "b": "boolean", "n": "numeric", "s": _C_TEXT}


def position_of(row: Sequence[Any], sort_columns: int) -> list[Any]:
    """A row's keyset position as JSON values (numerics as their exact decimal text)."""
    values = [str(value) if isinstance(value, Decimal) else value for value in row[1 : 1 + sort_columns]]
    return [*values, row[1 + sort_columns], row[2 + sort_columns]]


def _check_position(position: list[Any], columns: Sequence[tuple[str, str, bool]]) -> list[Any]:
    """A decoded keyset position must have the query's shape; numerics come back as Decimal."""
    if len(position) != len(columns) + 2:
        raise InvalidContinuationError("continuation token does not fit the query")
    *values, last_id, last_pk = position
    if not isinstance(last_id, str) or not isinstance(last_pk, str):
        raise InvalidContinuationError("continuation token does not fit the query")
    checked: list[Any] = []
    for (name, _, _), value in zip(columns, values, strict=True):
        kind = name[-1]
        if kind == "r":
            ok = type(value) is int and 0 <= value <= _MAX_TYPE_RANK
        elif kind == "b":
            ok = value is None or type(value) is bool
        else:
            ok = value is None or type(value) is str
        if ok and kind == "n" and value is not None:
            try:
                value = Decimal(value)
            except InvalidOperation:
                ok = False
            else:
                ok = value.is_finite()
        if not ok:
            raise InvalidContinuationError("continuation token does not fit the query")
        checked.append(value)
    return [*checked, last_id, last_pk]


def _join(parts: Sequence[str], operator: str, *, empty: str) -> str:
    if not parts:
        return empty
    return "(" + f" {operator} ".join(parts) + ")"


# --- index hints -------------------------------------------------------------------------------


def index_hints(where: Term) -> list[dict[str, Any]]:
    """JSON objects the document must contain for `where` to be true (`body @> hint`): one per
    equality among the top-level conjuncts. Each is implied by its term, so adding them to the
    filter changes no result; they let the GIN index pick the candidate rows."""
    hints: list[dict[str, Any]] = []
    for term in _conjuncts(where):
        if isinstance(term, Eq):
            hints.append(_nested(term.field, term.value))
        elif isinstance(term, In) and len(term.values) == 1:
            hints.append(_nested(term.field, term.values[0]))
        elif isinstance(term, ArrayContains):
            hints.append(_nested(term.field, [term.value]))
    return hints


def _conjuncts(term: Term) -> list[Term]:
    if isinstance(term, And):
        return [leaf for child in term.terms for leaf in _conjuncts(child)]
    return [term]


def _nested(path: str, value: Any) -> dict[str, Any]:
    node: Any = value
    for segment in reversed(validate_field_path(path)):
        node = {segment: node}
    result: dict[str, Any] = node
    return result


# --- case folding ------------------------------------------------------------------------------


CASEFOLD_FUNCTION = "casefold_v2_u" + unicodedata.unidata_version.replace(".", "_")
"""Named by the revision of its body and the Unicode version of Python's tables, so hosts on
different Pythons (or versions of this module) sharing a schema each fold by their own function,
created beside the others on first start."""


@functools.cache
def casefold_function_sql(name: str) -> str:
    """`CREATE FUNCTION name(text)`: Python's `str.casefold`, character by character (full case
    folding has no context rules), as `translate` for one-to-one foldings and `replace` for the
    ~100 that fold to several characters. That costs time per character times ~1,500, so text
    holding no foldable character beyond ASCII (a regex class of them tells, in one pass) takes a
    short path: A-Z only. Lower-case accents, punctuation and symbols do not fold, so that is most
    text, including most with accents."""
    single_from: list[str] = []
    single_to: list[str] = []
    multiple: list[tuple[str, str]] = []
    for code_point in range(sys.maxunicode + 1):
        if 0xD800 <= code_point <= 0xDFFF or code_point == 0:
            continue
        char = chr(code_point)
        folded = char.casefold()
        if folded == char:
            continue
        if len(folded) == 1:
            single_from.append(char)
            single_to.append(folded)
        else:
            multiple.append((char, folded))
    expression = f"translate(t, {_literal(''.join(single_from))}, {_literal(''.join(single_to))})"
    for char, folded in multiple:
        expression = f"replace({expression}, {_literal(char)}, {_literal(folded)})"
    ascii_fold = "translate(t, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    # Every foldable character beyond ASCII (none is special inside a bracket expression).
    beyond_ascii = "".join(sorted({char for char in (*single_from, *(c for c, _ in multiple)) if ord(char) > 0x7F}))
    return (
        f"CREATE OR REPLACE FUNCTION {name}(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE"
        f" AS $fold$ SELECT CASE WHEN octet_length(t) = char_length(t) OR t !~ {_literal(f'[{beyond_ascii}]')}"
        f" THEN {ascii_fold} ELSE {expression} END $fold$"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
