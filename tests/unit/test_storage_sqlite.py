"""The SQLite adapter against the storage port's contract (Cosmos DB semantics)."""

from __future__ import annotations

import asyncio
import base64
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from hph.runtime.storage import (
    And,
    ArrayContains,
    BatchError,
    ConflictError,
    Container,
    Contains,
    CreateOp,
    DeleteOp,
    Document,
    DocumentStore,
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
    NotFoundError,
    Or,
    OrderBy,
    PreconditionFailedError,
    Query,
    ReadOp,
    ReplaceOp,
    SqliteDocumentStore,
    StorageError,
    Term,
    UpsertOp,
)
from hph.runtime.storage.port import encode_continuation, query_fingerprint


@pytest.fixture
async def carts(store: SqliteDocumentStore) -> Container:
    return await store.container("carts", "/user_id")


def ids(items: list[Document]) -> list[str]:
    return [item["id"] for item in items]


async def query_all(
    container: Container, query: Query, *, partition_key: str | None = None, max_items: int = 1000
) -> list[Document]:
    """Every match, following continuation tokens."""
    items: list[Document] = []
    continuation: str | None = None
    while True:
        page = await container.query(query, partition_key=partition_key, max_items=max_items, continuation=continuation)
        assert len(page.items) <= max_items
        items.extend(page.items)
        if page.continuation is None:
            return items
        continuation = page.continuation


# --- point operations --------------------------------------------------------------------------


async def test_create_then_read_returns_document_with_system_fields(carts: Container) -> None:
    created = await carts.create({"id": "c1", "user_id": "u1", "lines": [{"sku": "A", "qty": 2}]})
    assert isinstance(created["_etag"], str) and created["_etag"]
    assert isinstance(created["_ts"], int) and created["_ts"] > 1_600_000_000

    read = await carts.read("c1", "u1")

    assert read == created
    assert read["lines"] == [{"sku": "A", "qty": 2}]


async def test_read_of_missing_id_or_other_partition_is_not_found(carts: Container) -> None:
    await carts.create({"id": "c1", "user_id": "u1"})

    with pytest.raises(NotFoundError):
        await carts.read("nope", "u1")
    with pytest.raises(NotFoundError):
        await carts.read("c1", "u2")


async def test_caller_supplied_system_fields_are_ignored(carts: Container) -> None:
    created = await carts.create({"id": "c1", "user_id": "u1", "_etag": "forged", "_ts": 1})

    assert created["_etag"] != "forged"
    assert created["_ts"] != 1


async def test_create_of_existing_id_conflicts_but_other_partition_is_fine(carts: Container) -> None:
    await carts.create({"id": "c1", "user_id": "u1", "v": 1})

    with pytest.raises(ConflictError):
        await carts.create({"id": "c1", "user_id": "u1", "v": 2})
    await carts.create({"id": "c1", "user_id": "u2", "v": 3})

    assert (await carts.read("c1", "u1"))["v"] == 1
    assert (await carts.read("c1", "u2"))["v"] == 3


@pytest.mark.parametrize(
    "doc",
    [
        {"id": "c1"},
        {"id": "c1", "user_id": 7},
        {"user_id": "u1"},
        {"id": "a/b", "user_id": "u1"},
        {"id": "", "user_id": "u1"},
        {"id": "c1", "user_id": "u1", "bad": object()},
        {"id": "c1", "user_id": "u1", "bad": float("nan")},
    ],
)
async def test_invalid_documents_are_rejected(carts: Container, doc: Document) -> None:
    with pytest.raises(ValueError):
        await carts.create(doc)


async def test_nested_partition_key_path(store: SqliteDocumentStore) -> None:
    orders = await store.container("orders", "/customer/id")
    await orders.create({"id": "o1", "customer": {"id": "cu1"}})

    assert (await orders.read("o1", "cu1"))["customer"] == {"id": "cu1"}
    with pytest.raises(ValueError):
        await orders.create({"id": "o2", "customer": "cu1"})


async def test_replace_with_current_etag_succeeds_and_changes_etag(carts: Container) -> None:
    created = await carts.create({"id": "c1", "user_id": "u1", "v": 1})

    replaced = await carts.replace({**created, "v": 2}, if_match=created["_etag"])

    assert replaced["v"] == 2
    assert replaced["_etag"] != created["_etag"]
    assert await carts.read("c1", "u1") == replaced


async def test_replace_with_stale_etag_fails_and_keeps_document(carts: Container) -> None:
    created = await carts.create({"id": "c1", "user_id": "u1", "v": 1})
    current = await carts.replace({**created, "v": 2})

    with pytest.raises(PreconditionFailedError):
        await carts.replace({**created, "v": 3}, if_match=created["_etag"])
    assert await carts.read("c1", "u1") == current


async def test_replace_of_missing_document_is_not_found(carts: Container) -> None:
    with pytest.raises(NotFoundError):
        await carts.replace({"id": "c1", "user_id": "u1"})
    with pytest.raises(NotFoundError):
        await carts.replace({"id": "c1", "user_id": "u1"}, if_match="whatever")


async def test_upsert_creates_then_replaces(carts: Container) -> None:
    first = await carts.upsert({"id": "c1", "user_id": "u1", "v": 1})
    second = await carts.upsert({"id": "c1", "user_id": "u1", "v": 2})

    assert second["_etag"] != first["_etag"]
    assert (await carts.read("c1", "u1"))["v"] == 2


async def test_upsert_with_if_match(carts: Container) -> None:
    # Like Cosmos DB, the precondition applies only when the document exists.
    created = await carts.upsert({"id": "c1", "user_id": "u1", "v": 1}, if_match="stale")
    updated = await carts.upsert({"id": "c1", "user_id": "u1", "v": 2}, if_match=created["_etag"])

    with pytest.raises(PreconditionFailedError):
        await carts.upsert({"id": "c1", "user_id": "u1", "v": 3}, if_match=created["_etag"])
    assert await carts.read("c1", "u1") == updated


async def test_delete_with_if_match(carts: Container) -> None:
    created = await carts.create({"id": "c1", "user_id": "u1"})
    await carts.replace(created)

    with pytest.raises(PreconditionFailedError):
        await carts.delete("c1", "u1", if_match=created["_etag"])
    current = await carts.read("c1", "u1")
    await carts.delete("c1", "u1", if_match=current["_etag"])

    with pytest.raises(NotFoundError):
        await carts.read("c1", "u1")
    with pytest.raises(NotFoundError):
        await carts.delete("c1", "u1")


async def test_concurrent_conditional_replaces_have_exactly_one_winner(carts: Container) -> None:
    created = await carts.create({"id": "c1", "user_id": "u1", "writer": None})

    results = await asyncio.gather(
        *(carts.replace({**created, "writer": n}, if_match=created["_etag"]) for n in range(20)),
        return_exceptions=True,
    )

    winners = [r for r in results if isinstance(r, dict)]
    assert len(winners) == 1
    assert all(isinstance(r, PreconditionFailedError) for r in results if not isinstance(r, dict))
    assert await carts.read("c1", "u1") == winners[0]


# --- queries -----------------------------------------------------------------------------------

PRODUCTS: list[Document] = [
    {
        "id": "p1",
        "tenant": "t1",
        "name": "Red Apple",
        "price": 3,
        "tags": ["fruit", "red"],
        "address": {"city": "Lisbon"},
        "active": True,
    },
    {
        "id": "p2",
        "tenant": "t1",
        "name": "green APPLE pie",
        "price": 7.5,
        "tags": ["bakery"],
        "address": {"city": "Porto"},
        "active": False,
    },
    {
        "id": "p3",
        "tenant": "t2",
        "name": "Banana",
        "price": "9",
        "tags": [],
        "address": {"city": "Lisbon"},
        "active": True,
    },
    {"id": "p4", "tenant": "t2", "name": "Cherry", "price": 12, "tags": "fruit"},
    {
        "id": "p5",
        "tenant": "t2",
        "name": 42,
        "price": 3.0,
        "tags": ["fruit", 1, True, None],
        "address": {"city": None},
    },
]


@pytest.fixture
async def products(store: SqliteDocumentStore) -> Container:
    container = await store.container("products", "/tenant")
    for doc in PRODUCTS:
        await container.create(doc)
    return container


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (Eq("price", 3), {"p1", "p5"}),
        (Eq("price", "9"), {"p3"}),
        (Eq("id", "p2"), {"p2"}),
        (Ne("price", 3), {"p2", "p4"}),
        (Lt("price", 10), {"p1", "p2", "p5"}),
        (Le("price", 7.5), {"p1", "p2", "p5"}),
        (Gt("price", 7.5), {"p4"}),
        (Ge("price", 7.5), {"p2", "p4"}),
        (Lt("price", "z"), {"p3"}),
        (Eq("active", True), {"p1", "p3"}),
        (Eq("active", 1), set()),
        (Eq("address.city", "Lisbon"), {"p1", "p3"}),
        (Eq("address.city", None), {"p5"}),
        (Ne("address.city", "Lisbon"), {"p2"}),
        (Ne("address.city", None), set()),
        (In("address.city", ["Porto", "Lisbon"]), {"p1", "p2", "p3"}),
        (In("price", [12, "9"]), {"p3", "p4"}),
        (In("address.city", [None, "Porto"]), {"p2", "p5"}),
        (In("price", []), set()),
        (Contains("name", "apple"), {"p1", "p2"}),
        (Contains("name", "APPLE", ignore_case=False), {"p2"}),
        (Contains("address.city", "isb"), {"p1", "p3"}),
        (ArrayContains("tags", "fruit"), {"p1", "p5"}),
        (ArrayContains("tags", 1), {"p5"}),
        (ArrayContains("tags", True), {"p5"}),
        (ArrayContains("tags", None), {"p5"}),
        (ArrayContains("tags", "1"), set()),
        (IsDefined("address"), {"p1", "p2", "p3", "p5"}),
        (IsDefined("address.city"), {"p1", "p2", "p3", "p5"}),
        (Not(IsDefined("address")), {"p4"}),
        (And(Eq("address.city", "Lisbon"), Eq("active", True)), {"p1", "p3"}),
        (Or(Eq("price", 12), Contains("name", "banana")), {"p3", "p4"}),
        (Not(Eq("active", True)), {"p2"}),
        (Not(Lt("price", 5)), {"p2", "p4"}),
        (Or(Eq("active", True), Eq("nothing", 1)), {"p1", "p3"}),
        (And(), {"p1", "p2", "p3", "p4", "p5"}),
        (Or(), set()),
        (Eq("name", "x' OR '1'='1"), set()),
    ],
    ids=lambda value: ",".join(sorted(value)) or "none" if isinstance(value, set) else repr(value),
)
async def test_filter_terms(products: Container, where: Term, expected: set[str]) -> None:
    matched = await query_all(products, Query(where=where))

    assert set(ids(matched)) == expected
    assert await products.count(Query(where=where)) == len(expected)


async def test_single_partition_vs_cross_partition(products: Container) -> None:
    fruit = Query(where=ArrayContains("tags", "fruit"))

    assert ids(await query_all(products, fruit)) == ["p1", "p5"]
    assert ids(await query_all(products, fruit, partition_key="t1")) == ["p1"]
    assert ids(await query_all(products, Query(), partition_key="t2")) == ["p3", "p4", "p5"]
    assert await products.count(Query(), partition_key="t2") == 3
    assert await products.count(Query()) == 5
    assert await products.count(Query(), partition_key="nobody") == 0


async def test_order_by_places_types_in_cosmos_order_and_breaks_ties_by_id(
    store: SqliteDocumentStore,
) -> None:
    container = await store.container("ranked", "/p")
    ranks: dict[str, Any] = {"a": 2, "b": 1, "c": 2, "e": 1.0, "f": "x", "g": None, "h": False}
    for doc_id, rank in ranks.items():
        await container.create({"id": doc_id, "p": "1", "rank": rank})
    await container.create({"id": "d", "p": "1"})

    ascending = await query_all(container, Query(order_by=(OrderBy("rank"),)))
    descending = await query_all(container, Query(order_by=(OrderBy("rank", descending=True),)))

    assert ids(ascending) == ["d", "g", "h", "b", "e", "a", "c", "f"]
    assert ids(descending) == ["f", "a", "c", "b", "e", "h", "g", "d"]


async def test_order_by_two_fields_in_mixed_directions(store: SqliteDocumentStore) -> None:
    container = await store.container("scores", "/p")
    rows = [("s1", "b", 5), ("s2", "a", 1), ("s3", "b", 9), ("s4", "a", 7), ("s5", "a", 7)]
    for doc_id, group, score in rows:
        await container.create({"id": doc_id, "p": doc_id, "stats": {"group": group, "score": score}})

    query = Query(order_by=(OrderBy("stats.group"), OrderBy("stats.score", descending=True)))
    result = await query_all(container, query, max_items=2)

    assert ids(result) == ["s4", "s5", "s2", "s3", "s1"]


async def _fill_scoreboard(store: SqliteDocumentStore) -> tuple[Container, list[Document]]:
    container = await store.container("board", "/team")
    docs: list[Document] = []
    for n in range(53):
        doc: Document = {"id": f"id{n % 20:02d}", "team": f"team{n // 20}", "n": n}
        if n % 6:
            doc["score"] = n % 5 if n % 4 else float(n % 5)
        docs.append(await container.create(doc))
    return container, docs


def _expected_order(docs: list[Document], *, descending: bool) -> list[tuple[str, str]]:
    def sort_value(doc: Document) -> tuple[int, float]:
        return (1, doc["score"]) if "score" in doc else (0, 0.0)

    by_identity = sorted(docs, key=lambda d: (d["id"], d["team"]))
    ordered = sorted(by_identity, key=sort_value, reverse=descending)
    return [(d["id"], d["team"]) for d in ordered]


@pytest.mark.parametrize("descending", [False, True])
async def test_pagination_returns_each_item_once_in_order(store: SqliteDocumentStore, descending: bool) -> None:
    container, docs = await _fill_scoreboard(store)
    query = Query(order_by=(OrderBy("score", descending=descending),))

    pages = []
    continuation: str | None = None
    while True:
        page = await container.query(query, max_items=7, continuation=continuation)
        pages.append(page.items)
        if page.continuation is None:
            break
        continuation = page.continuation

    assert [len(items) for items in pages] == [7] * 7 + [4]
    returned = [(d["id"], d["team"]) for items in pages for d in items]
    # Python's sort is stable, so ties keep (id, team) order whichever the direction.
    assert returned == _expected_order(docs, descending=descending)
    assert len(set(returned)) == 53


async def test_pagination_without_order_across_partitions_with_duplicate_ids(
    store: SqliteDocumentStore,
) -> None:
    container, docs = await _fill_scoreboard(store)

    everything = await query_all(container, Query(), max_items=5)
    team1 = await query_all(container, Query(where=Ge("n", 0)), partition_key="team1", max_items=3)

    assert [(d["id"], d["team"]) for d in everything] == sorted((d["id"], d["team"]) for d in docs)
    assert ids(team1) == [f"id{n:02d}" for n in range(20)]


async def test_last_page_has_no_continuation(products: Container) -> None:
    page = await products.query(Query(), max_items=5)

    assert len(page.items) == 5
    assert page.continuation is None


async def test_continuation_from_another_query_is_rejected(products: Container) -> None:
    original = Query(where=Lt("price", 100), order_by=(OrderBy("price"),))
    page = await products.query(original, max_items=1)
    assert page.continuation is not None
    token = page.continuation

    others = [
        (Query(where=Lt("price", 99), order_by=(OrderBy("price"),)), None),
        (Query(where=Lt("price", 100), order_by=(OrderBy("price", descending=True),)), None),
        (Query(where=Lt("price", 100)), None),
        (original, "t1"),
    ]
    for query, partition_key in others:
        with pytest.raises(InvalidContinuationError):
            await products.query(query, partition_key=partition_key, continuation=token)
    assert ids((await products.query(original, continuation=token)).items) == ["p5", "p2", "p4"]


async def test_continuation_from_another_container_is_rejected(store: SqliteDocumentStore, products: Container) -> None:
    twin = await store.container("products_twin", "/tenant")
    page = await products.query(Query(), max_items=1)
    assert page.continuation is not None

    with pytest.raises(InvalidContinuationError):
        await twin.query(Query(), continuation=page.continuation)


@pytest.mark.parametrize(
    "token",
    [
        "garbage!!",
        "",
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b'{"v": 1, "f": "x", "p": []}').decode(),
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
    ],
)
async def test_garbage_continuation_is_rejected(products: Container, token: str) -> None:
    with pytest.raises(InvalidContinuationError):
        await products.query(Query(), continuation=token)


@pytest.mark.parametrize("position", [[], ["p1"], [1, "p1", "t1"], [None, "t1"], [9, "x", "p1", "t1"]])
async def test_forged_position_of_wrong_shape_is_rejected(products: Container, position: list[Any]) -> None:
    query = Query(order_by=(OrderBy("price"),))
    fingerprint = query_fingerprint("products", query, None)
    token = encode_continuation(fingerprint, position)

    with pytest.raises(InvalidContinuationError):
        await products.query(query, continuation=token)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Eq("name') OR 1=1 --", 1),
        lambda: Eq("a..b", 1),
        lambda: Eq("", 1),
        lambda: IsDefined("a[0]"),
        lambda: Contains("$.name", "x"),
        lambda: OrderBy("name DESC; DROP TABLE documents"),
        lambda: In('a"b', [1]),
    ],
)
def test_injection_in_field_paths_is_rejected(build: Any) -> None:
    with pytest.raises(ValueError):
        build()


async def test_injection_in_partition_key_path_or_container_name_is_rejected(
    store: SqliteDocumentStore,
) -> None:
    with pytest.raises(ValueError):
        await store.container("x", "/a') --")
    with pytest.raises(ValueError):
        await store.container("x", "user_id")
    with pytest.raises(ValueError):
        await store.container("a/b", "/user_id")


@pytest.mark.parametrize("max_items", [0, -1])
async def test_max_items_must_be_positive(products: Container, max_items: int) -> None:
    with pytest.raises(ValueError):
        await products.query(Query(), max_items=max_items)


# --- batches -----------------------------------------------------------------------------------


async def test_batch_applies_all_operations_and_returns_results(carts: Container) -> None:
    existing = await carts.create({"id": "old", "user_id": "u1", "v": 1})
    await carts.create({"id": "gone", "user_id": "u1"})

    results = await carts.batch(
        "u1",
        [
            CreateOp({"id": "new", "user_id": "u1"}),
            ReplaceOp({**existing, "v": 2}, if_match=existing["_etag"]),
            UpsertOp({"id": "up", "user_id": "u1"}),
            DeleteOp("gone"),
            ReadOp("new"),
        ],
    )

    assert [r["id"] if r else None for r in results] == ["new", "old", "up", None, "new"]
    assert results[4] == results[0]
    assert (await carts.read("old", "u1"))["v"] == 2
    assert ids(await query_all(carts, Query(), partition_key="u1")) == ["new", "old", "up"]


@pytest.mark.parametrize(
    ("failing", "error"),
    [
        (CreateOp({"id": "a", "user_id": "u1"}), ConflictError),
        (ReplaceOp({"id": "a", "user_id": "u1"}, if_match="stale"), PreconditionFailedError),
        (DeleteOp("missing"), NotFoundError),
        (ReadOp("missing"), NotFoundError),
    ],
)
async def test_batch_failure_rolls_back_earlier_operations(
    carts: Container, failing: Any, error: type[Exception]
) -> None:
    before = await carts.create({"id": "a", "user_id": "u1", "v": 1})

    with pytest.raises(BatchError) as caught:
        await carts.batch(
            "u1",
            [
                CreateOp({"id": "b", "user_id": "u1"}),
                UpsertOp({"id": "a", "user_id": "u1", "v": 2}),
                failing,
                CreateOp({"id": "c", "user_id": "u1"}),
            ],
        )

    assert caught.value.index == 2
    assert isinstance(caught.value.cause, error)
    assert await carts.read("a", "u1") == before
    assert ids(await query_all(carts, Query())) == ["a"]


async def test_batch_rejects_documents_of_another_partition(carts: Container) -> None:
    with pytest.raises(ValueError):
        await carts.batch("u1", [CreateOp({"id": "a", "user_id": "u1"}), CreateOp({"id": "b", "user_id": "u2"})])

    assert await carts.count(Query()) == 0


async def test_batch_size_limits(carts: Container) -> None:
    with pytest.raises(ValueError):
        await carts.batch("u1", [])
    with pytest.raises(ValueError):
        await carts.batch("u1", [CreateOp({"id": f"d{n}", "user_id": "u1"}) for n in range(101)])

    results = await carts.batch("u1", [CreateOp({"id": f"d{n}", "user_id": "u1"}) for n in range(100)])
    assert len(results) == 100


async def test_store_keeps_working_after_a_failed_batch(carts: Container) -> None:
    with pytest.raises(BatchError):
        await carts.batch("u1", [ReadOp("missing")])

    await carts.batch("u1", [CreateOp({"id": "a", "user_id": "u1"})])
    assert ids(await query_all(carts, Query())) == ["a"]


# --- store lifecycle ---------------------------------------------------------------------------


async def test_reopen_keeps_documents_and_partition_key_paths(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "hph.sqlite"
    first: DocumentStore = await SqliteDocumentStore.open(path)
    carts = await first.container("carts", "/user_id")
    created = await carts.create({"id": "c1", "user_id": "u1", "v": 1})
    await first.close()

    second: DocumentStore = await SqliteDocumentStore.open(path)
    try:
        with pytest.raises(ValueError):
            await second.container("carts", "/tenant")
        reopened = await second.container("carts", "/user_id")
        assert reopened.partition_key_path == "/user_id"
        assert await reopened.read("c1", "u1") == created
    finally:
        await second.close()


async def test_container_with_another_partition_key_path_is_rejected(store: SqliteDocumentStore) -> None:
    first = await store.container("carts", "/user_id")

    assert await store.container("carts", "/user_id") is first
    with pytest.raises(ValueError):
        await store.container("carts", "/tenant")


async def test_containers_are_isolated(store: SqliteDocumentStore) -> None:
    carts = await store.container("carts", "/user_id")
    wishlists = await store.container("wishlists", "/user_id")
    await carts.create({"id": "x", "user_id": "u1"})

    with pytest.raises(NotFoundError):
        await wishlists.read("x", "u1")
    assert await wishlists.count(Query()) == 0


async def test_closed_store_refuses_work(tmp_path: Path) -> None:
    store = await SqliteDocumentStore.open(tmp_path / "hph.sqlite")
    carts = await store.container("carts", "/user_id")
    await store.close()
    await store.close()

    with pytest.raises(StorageError):
        await carts.read("c1", "u1")


async def test_database_uses_wal_and_a_per_container_index(tmp_path: Path) -> None:
    path = tmp_path / "hph.sqlite"
    store = await SqliteDocumentStore.open(path)
    await store.close()

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        plan = connection.execute(
            "EXPLAIN QUERY PLAN SELECT body FROM documents WHERE container_id = 1 ORDER BY id, pk"
        ).fetchall()
    assert "USING INDEX" in str(plan)
    assert "TEMP B-TREE" not in str(plan)


async def test_sqlite_work_runs_off_the_event_loop_thread(store: SqliteDocumentStore) -> None:
    import threading

    def worker_thread(_connection: sqlite3.Connection) -> str:
        return threading.current_thread().name

    assert await store.run(worker_thread) != threading.current_thread().name
