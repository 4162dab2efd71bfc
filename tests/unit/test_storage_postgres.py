"""What only the PostgreSQL adapter promises and can be checked without a server: how it names the
server in messages (never with the password), and the SQL it renders. Its behaviour against the
port's contract is tests/contract/test_storage_contract.py, on a real server."""

from __future__ import annotations

import pytest

from hph.runtime.storage import And, ArrayContains, Eq, In, Lt, Ne, Not, Or, Query
from hph.runtime.storage.postgres import PostgresDocumentStore, describe_dsn
from hph.runtime.storage.postgres_query import QueryRenderer, index_hints

SECRET = "pa55-w0rd"


@pytest.mark.parametrize(
    ("dsn", "described"),
    [
        (f"postgresql://hub:{SECRET}@db.internal:6432/shop", "postgresql://db.internal:6432/shop"),
        (f"postgres://hub:{SECRET}@10.0.0.5/shop?sslmode=require", "postgresql://10.0.0.5:5432/shop"),
        (f"host=db user=hub password={SECRET}", "the configured PostgreSQL server"),
        (f"postgresql://hub:{SECRET}@[::1/shop", "the configured PostgreSQL server"),
    ],
)
def test_the_server_is_named_without_user_or_password(dsn: str, described: str) -> None:
    assert describe_dsn(dsn) == described


@pytest.mark.parametrize(
    "dsn", [f"postgresql://hub:{SECRET}@127.0.0.1:notaport/shop", f"postgresql://hub:{SECRET}@[::1/shop"]
)
async def test_a_malformed_dsn_is_refused_without_quoting_it(dsn: str) -> None:
    with pytest.raises(ValueError) as refused:
        await PostgresDocumentStore.open(dsn)

    assert SECRET not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


@pytest.mark.parametrize("schema", ["Hph", "a-b", "x; DROP TABLE documents", "", "a" * 64])
async def test_schema_names_are_checked_before_anything_runs(schema: str) -> None:
    with pytest.raises(ValueError):
        await PostgresDocumentStore.open("postgresql://127.0.0.1:1/none", schema=schema)


def test_equalities_that_the_whole_filter_needs_become_containment_hints() -> None:
    where = And(Eq("kind", "order"), And(Eq("address.city", "Lisbon"), In("status", ["paid"])), ArrayContains("t", 1))

    assert index_hints(where) == [{"kind": "order"}, {"address": {"city": "Lisbon"}}, {"status": "paid"}, {"t": [1]}]
    # Nothing the filter can be true without: under Or, Not, Ne, ranges or several In values.
    assert index_hints(Or(Eq("kind", "a"), Eq("kind", "b"))) == []
    assert index_hints(And(Not(Eq("kind", "a")), Ne("x", 1), Lt("n", 3), In("s", ["a", "b"]))) == []


def test_caller_values_and_paths_are_parameters_never_sql_text() -> None:
    renderer = QueryRenderer('"hph".documents', '"hph".casefold_u15')
    hostile = "x'); DROP TABLE documents; --"
    sql, _ = renderer.page(7, Query(And(Eq("name", hostile), In("tag", [hostile, 1]))), hostile, None, 10)

    assert hostile not in sql.text
    assert sql.params.count(hostile) == 2 and [hostile] in sql.params
