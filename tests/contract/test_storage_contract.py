"""The storage port's contract (Cosmos DB semantics, hph.runtime.storage.port), run against every
adapter in tests/support/storage_adapters.py: the same tests, parametrised by adapter.

Tests that hold for one adapter only (SQLite's WAL, worker thread and inline path) live beside it
(tests/unit/test_storage_sqlite*.py); everything a caller of the port may rely on lives here.
"""

from __future__ import annotations

import asyncio
import base64
import threading
from collections.abc import AsyncIterator, Sequence
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
    StorageError,
    Term,
    UpsertOp,
)
from hph.runtime.storage.port import encode_continuation, query_fingerprint
from tests.support.storage_adapters import ADAPTER_GAPS, STORAGE_ADAPTERS, StoreAdapter, StoreOpener


@pytest.fixture(autouse=True)
def known_gaps(request: pytest.FixtureRequest) -> None:
    """Skips what an adapter's test engine cannot run and expects the documented differences to
    fail (tests/support/storage_adapters.py: ADAPTER_GAPS, each saying where it is covered)."""
    callspec = getattr(request.node, "callspec", None)
    adapter = callspec.params.get("open_store") if callspec is not None else None
    gaps = ADAPTER_GAPS.get(getattr(adapter, "__name__", ""), {})
    gap = gaps.get(request.node.originalname)
    if gap is None or (gap.params and not any(param in callspec.id for param in gap.params)):
        return
    if gap.xfail:
        request.applymarker(pytest.mark.xfail(reason=gap.reason, strict=True))
    else:
        pytest.skip(gap.reason)


@pytest.fixture(params=STORAGE_ADAPTERS)
async def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[StoreOpener]:
    """Opens another store object over the test's data per call; all are closed afterwards."""
    adapter: StoreAdapter = request.param
    opened: list[DocumentStore] = []
    async with adapter(request, tmp_path) as opener:

        async def open_tracked() -> DocumentStore:
            store = await opener()
            opened.append(store)
            return store

        try:
            yield open_tracked
        finally:
            for store in opened:
                await store.close()


@pytest.fixture
async def store(open_store: StoreOpener) -> DocumentStore:
    return await open_store()


@pytest.fixture
async def carts(store: DocumentStore) -> Container:
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


async def test_nested_partition_key_path(store: DocumentStore) -> None:
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
async def products(store: DocumentStore) -> Container:
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
        (In("id", ["p2", "p4", "nope", 2, None]), {"p2", "p4"}),  # ids are strings: 2 and null never match
        (Not(In("id", ["p1", "p2"])), {"p3", "p4", "p5"}),
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
    store: DocumentStore,
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


async def test_order_by_two_fields_in_mixed_directions(store: DocumentStore) -> None:
    container = await store.container("scores", "/p")
    rows = [("s1", "b", 5), ("s2", "a", 1), ("s3", "b", 9), ("s4", "a", 7), ("s5", "a", 7)]
    for doc_id, group, score in rows:
        await container.create({"id": doc_id, "p": doc_id, "stats": {"group": group, "score": score}})

    query = Query(order_by=(OrderBy("stats.group"), OrderBy("stats.score", descending=True)))
    result = await query_all(container, query, max_items=2)

    assert ids(result) == ["s4", "s5", "s2", "s3", "s1"]


async def _fill_scoreboard(store: DocumentStore) -> tuple[Container, list[Document]]:
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
async def test_pagination_returns_each_item_once_in_order(store: DocumentStore, descending: bool) -> None:
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
    store: DocumentStore,
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


async def test_continuation_from_another_container_is_rejected(store: DocumentStore, products: Container) -> None:
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
    store: DocumentStore,
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


# --- semantics beyond the basic filters ----------------------------------------------------------


async def test_strings_compare_and_order_by_code_point(store: DocumentStore) -> None:
    words = await store.container("words", "/p")
    for doc_id, word in [("w1", "a"), ("w2", "B"), ("w3", "é"), ("w4", "z"), ("w5", "Z"), ("w6", "ab")]:
        await words.create({"id": doc_id, "p": "1", "word": word})

    ordered = await query_all(words, Query(order_by=(OrderBy("word"),)))

    assert [d["word"] for d in ordered] == ["B", "Z", "a", "ab", "z", "é"]
    assert {d["word"] for d in await query_all(words, Query(Lt("word", "a")))} == {"B", "Z"}
    assert {d["word"] for d in await query_all(words, Query(Gt("word", "z")))} == {"é"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("STRASSE", {"s1"}),  # ß folds to ss
        ("straße", {"s1"}),
        ("ΣΟΦΊΑ", {"s2"}),  # final sigma folds like sigma
        ("ǆ", {"s3"}),  # the title-case digraph Ǆ/ǅ/ǆ
        ("é", {"s4", "s6"}),
        ("E\u0301", set()),  # no normalisation: a decomposed é is another string
        ("HÉLLO \u2014 \u2019 WÖ", {"s6"}),  # lower-case accents and punctuation do not fold
        ("", {"s1", "s2", "s3", "s4", "s6"}),
    ],
)
async def test_contains_folds_case_by_unicode_case_folding(store: DocumentStore, text: str, expected: set[str]) -> None:
    names = await store.container("names", "/p")
    for doc_id, name in [
        ("s1", "Große Straße"),
        ("s2", "σοφία"),
        ("s3", "ǅemal"),
        ("s4", "CAFÉ"),
        ("s5", 5),
        ("s6", "héllo \u2014 \u2019 wörld"),
    ]:
        await names.create({"id": doc_id, "p": "1", "name": name})

    assert set(ids(await query_all(names, Query(Contains("name", text))))) == expected


async def test_a_digit_segment_names_an_object_key_not_an_array_index(store: DocumentStore) -> None:
    things = await store.container("things", "/p")
    await things.create({"id": "array", "p": "1", "a": [7, 8]})
    await things.create({"id": "object", "p": "1", "a": {"0": 7}})

    assert ids(await query_all(things, Query(Eq("a.0", 7)))) == ["object"]
    assert ids(await query_all(things, Query(IsDefined("a.1")))) == []


async def test_numbers_compare_across_int_and_float_and_exactly(store: DocumentStore) -> None:
    numbers = await store.container("numbers", "/p")
    values: dict[str, Any] = {"n1": 0.1, "n2": 1, "n3": 1.0, "n4": 2**53, "n5": -3.5, "n6": 10**15 + 0.5}
    for doc_id, value in values.items():
        await numbers.create({"id": doc_id, "p": "1", "v": value})

    assert ids(await query_all(numbers, Query(Eq("v", 0.1)))) == ["n1"]
    assert ids(await query_all(numbers, Query(Eq("v", 1)))) == ["n2", "n3"]
    assert ids(await query_all(numbers, Query(In("v", [1.0, 2**53])))) == ["n2", "n3", "n4"]
    assert ids(await query_all(numbers, Query(Gt("v", 10**15)))) == ["n4", "n6"]
    assert ids(await query_all(numbers, Query(order_by=(OrderBy("v", descending=True),)))) == [
        "n4",
        "n6",
        "n2",
        "n3",
        "n1",
        "n5",
    ]
    assert (await numbers.read("n1", "1"))["v"] == 0.1
    assert (await numbers.read("n6", "1"))["v"] == 10**15 + 0.5


async def test_undefined_and_type_mismatches_never_match_even_negated(store: DocumentStore) -> None:
    docs = await store.container("mixed", "/p")
    await docs.create({"id": "num", "p": "1", "x": 5})
    await docs.create({"id": "str", "p": "1", "x": "5"})
    await docs.create({"id": "none", "p": "1"})
    await docs.create({"id": "null", "p": "1", "x": None})

    async def matching(term: Term) -> list[str]:
        return ids(await query_all(docs, Query(term)))

    assert await matching(Ne("x", 5)) == []  # "5" and null are of another type, "none" lacks x
    assert await matching(Not(Eq("x", 5))) == []
    assert await matching(Not(Not(Eq("x", 5)))) == ["num"]
    assert await matching(Or(Eq("x", 5), Not(Lt("x", 0)))) == ["num"]
    assert await matching(And(Eq("x", "5"), Not(Eq("y", 1)))) == []
    assert await matching(Not(IsDefined("x"))) == ["none"]
    assert await matching(Eq("x", None)) == ["null"]
    assert await matching(Not(Eq("x", None))) == []
    assert await docs.count(Query(Not(Eq("x", 5)), order_by=(OrderBy("x"),))) == 0


async def test_system_fields_are_queryable(carts: Container) -> None:
    created = await carts.create({"id": "c1", "user_id": "u1"})
    await carts.create({"id": "c2", "user_id": "u1"})

    assert ids(await query_all(carts, Query(Eq("_etag", created["_etag"])))) == ["c1"]
    assert await carts.count(Query(Ge("_ts", created["_ts"]))) == 2


async def test_an_etag_is_never_reused_after_delete_and_create(carts: Container) -> None:
    first = await carts.create({"id": "c1", "user_id": "u1"})
    await carts.delete("c1", "u1")
    second = await carts.create({"id": "c1", "user_id": "u1"})

    assert second["_etag"] != first["_etag"]
    with pytest.raises(PreconditionFailedError):
        await carts.replace(second, if_match=first["_etag"])
    with pytest.raises(PreconditionFailedError):
        await carts.delete("c1", "u1", if_match=first["_etag"])


@pytest.mark.parametrize("etag", ["", "not-an-etag", "12345678901234567890123", "-1", "٣"])
async def test_an_etag_no_write_issued_never_matches(carts: Container, etag: str) -> None:
    created = await carts.create({"id": "c1", "user_id": "u1"})

    with pytest.raises(PreconditionFailedError):
        await carts.replace(created, if_match=etag)
    with pytest.raises(PreconditionFailedError):
        await carts.upsert(created, if_match=etag)
    assert await carts.read("c1", "u1") == created


async def test_documents_round_trip_unicode_nesting_and_big_integers(carts: Container) -> None:
    doc: Document = {
        "id": "c1",
        "user_id": "ü1 ✓",
        "text": 'line\nbreak "quoted" \\ tab\t 😀',
        "nested": {"a": [1, [2, {"b": None}]], "empty": {}, "list": []},
        "big": 2**63 + 1,
        "small": -(2**63),
        "flag": False,
    }
    created = await carts.create(doc)

    read = await carts.read("c1", "ü1 ✓")
    assert read == created
    assert {k: v for k, v in read.items() if not k.startswith("_")} == doc


async def test_ids_are_case_sensitive_and_compared_exactly(carts: Container) -> None:
    await carts.create({"id": "Cart", "user_id": "u1", "v": 1})
    await carts.create({"id": "cart", "user_id": "u1", "v": 2})

    assert (await carts.read("Cart", "u1"))["v"] == 1
    assert ids(await query_all(carts, Query(), partition_key="u1")) == ["Cart", "cart"]
    with pytest.raises(NotFoundError):
        await carts.read("CART", "u1")


async def test_count_ignores_order_and_respects_the_partition(store: DocumentStore) -> None:
    container, docs = await _fill_scoreboard(store)

    assert await container.count(Query(order_by=(OrderBy("score"),))) == len(docs)
    assert await container.count(Query(IsDefined("score")), partition_key="team2") == sum(
        1 for d in docs if d["team"] == "team2" and "score" in d
    )


# --- several store objects over the same data (processes, hosts) ------------------------------


async def test_conditional_replaces_from_two_store_objects_have_one_winner(
    open_store: StoreOpener, store: DocumentStore
) -> None:
    other = await open_store()
    mine, theirs = await store.container("stock", "/sku"), await other.container("stock", "/sku")
    created = await mine.create({"id": "s1", "sku": "s1", "units": 25})

    async def take(container: Container, n: int) -> Document:
        return await container.replace({**created, "units": 24, "by": n}, if_match=created["_etag"])

    results = await asyncio.gather(*(take(mine if n % 2 else theirs, n) for n in range(10)), return_exceptions=True)

    winners = [r for r in results if isinstance(r, dict)]
    assert len(winners) == 1
    assert all(isinstance(r, PreconditionFailedError) for r in results if not isinstance(r, dict))
    assert await theirs.read("s1", "s1") == winners[0]


async def test_no_oversell_when_two_store_objects_race_read_modify_write(
    open_store: StoreOpener, store: DocumentStore
) -> None:
    other = await open_store()
    containers = [await store.container("stock", "/sku"), await other.container("stock", "/sku")]
    await containers[0].create({"id": "s1", "sku": "s1", "units": 10})

    async def buy(container: Container) -> bool:
        while True:
            current = await container.read("s1", "s1")
            if current["units"] == 0:
                return False
            try:
                await container.batch(
                    "s1",
                    [
                        ReplaceOp({**current, "units": current["units"] - 1}, if_match=current["_etag"]),
                        CreateOp({"id": f"sale-{current['units']}", "sku": "s1"}),
                    ],
                )
            except BatchError as exc:
                assert isinstance(exc.cause, PreconditionFailedError | ConflictError)
                continue
            return True

    sold = await asyncio.gather(*(buy(containers[n % 2]) for n in range(30)))

    assert sum(sold) == 10
    assert (await containers[1].read("s1", "s1"))["units"] == 0
    assert await containers[0].count(Query(Contains("id", "sale-"))) == 10


# --- store lifecycle ---------------------------------------------------------------------------


async def test_reopen_keeps_documents_and_partition_key_paths(open_store: StoreOpener) -> None:
    first = await open_store()
    carts = await first.container("carts", "/user_id")
    created = await carts.create({"id": "c1", "user_id": "u1", "v": 1})
    await first.close()

    second = await open_store()
    with pytest.raises(ValueError):
        await second.container("carts", "/tenant")
    reopened = await second.container("carts", "/user_id")
    assert reopened.partition_key_path == "/user_id"
    assert await reopened.read("c1", "u1") == created


async def test_container_with_another_partition_key_path_is_rejected(store: DocumentStore) -> None:
    first = await store.container("carts", "/user_id")

    assert await store.container("carts", "/user_id") is first
    with pytest.raises(ValueError):
        await store.container("carts", "/tenant")


async def test_containers_are_isolated(store: DocumentStore) -> None:
    carts = await store.container("carts", "/user_id")
    wishlists = await store.container("wishlists", "/user_id")
    await carts.create({"id": "x", "user_id": "u1"})

    with pytest.raises(NotFoundError):
        await wishlists.read("x", "u1")
    assert await wishlists.count(Query()) == 0


async def test_closed_store_refuses_work(open_store: StoreOpener) -> None:
    store = await open_store()
    carts = await store.container("carts", "/user_id")
    await store.close()
    await store.close()

    with pytest.raises(StorageError):
        await carts.read("c1", "u1")
    with pytest.raises(StorageError):
        await carts.query(Query())


# --- commit listeners --------------------------------------------------------------------------


Commit = tuple[str, str, list[Document]]


class CommitLog:
    """A commit listener that keeps what it was told (container name, partition key, documents)."""

    def __init__(self) -> None:
        self.commits: list[Commit] = []
        self.threads: set[int] = set()

    def __call__(self, container: Container, partition_key: str, docs: Sequence[Document]) -> None:
        self.commits.append((container.name, partition_key, list(docs)))
        self.threads.add(threading.get_ident())


async def test_listeners_get_each_committed_write_as_stored(store: DocumentStore, carts: Container) -> None:
    first, second = CommitLog(), CommitLog()
    store.add_commit_listener(first)
    store.add_commit_listener(second)

    created = await carts.create({"id": "a", "user_id": "u1", "v": 1})
    replaced = await carts.replace({**created, "v": 2}, if_match=created["_etag"])
    upserted = await carts.upsert({"id": "b", "user_id": "u1"})
    await carts.delete("b", "u1")  # deletes are not reported
    await carts.read("a", "u1")  # nor reads
    await carts.query(Query(), max_items=10)
    batch = await carts.batch(
        "u2",
        [
            CreateOp({"id": "c", "user_id": "u2"}),
            ReadOp("c"),
            UpsertOp({"id": "d", "user_id": "u2"}),
            DeleteOp("c"),
        ],
    )

    expected = [
        ("carts", "u1", [created]),
        ("carts", "u1", [replaced]),
        ("carts", "u1", [upserted]),
        # A batch reports its create/replace/upsert documents, in operation order; not its reads
        # and deletes (here "c" is reported although the same batch deleted it afterwards).
        ("carts", "u2", [batch[0], batch[2]]),
    ]
    assert first.commits == expected
    assert second.commits == expected
    assert first.threads == {threading.get_ident()}  # on the event loop's thread
    for _, _, docs in first.commits:
        assert all(isinstance(doc["_etag"], str) and doc["_etag"] and "_ts" in doc for doc in docs)
    assert first.commits[1][2][0]["_etag"] == (await carts.read("a", "u1"))["_etag"]


async def test_batches_without_writes_are_not_reported(store: DocumentStore, carts: Container) -> None:
    await carts.create({"id": "a", "user_id": "u1"})
    await carts.create({"id": "b", "user_id": "u1"})
    log = CommitLog()
    store.add_commit_listener(log)

    await carts.batch("u1", [ReadOp("a"), ReadOp("a")])
    await carts.batch("u1", [DeleteOp("b"), ReadOp("a")])

    assert log.commits == []


async def test_listener_copies_are_independent_of_the_returned_documents(
    store: DocumentStore, carts: Container
) -> None:
    log = CommitLog()
    store.add_commit_listener(log)

    created = await carts.create({"id": "a", "user_id": "u1", "tags": ["x"]})
    [in_batch] = await carts.batch("u1", [UpsertOp({"id": "b", "user_id": "u1", "tags": ["y"]})])
    assert in_batch is not None
    told = [docs[0] for _, _, docs in log.commits]
    assert told == [created, in_batch]

    created["tags"].append("changed by the caller")
    created["v"] = 1
    in_batch["tags"].clear()
    assert told[0] == {**told[0], "tags": ["x"]} and "v" not in told[0]
    assert told[1]["tags"] == ["y"]
    assert told[0] is not created and told[0]["tags"] is not created["tags"]


async def test_failed_writes_notify_nothing(store: DocumentStore, carts: Container) -> None:
    existing = await carts.create({"id": "a", "user_id": "u1"})
    log = CommitLog()
    store.add_commit_listener(log)

    with pytest.raises(ConflictError):
        await carts.create({"id": "a", "user_id": "u1"})
    with pytest.raises(PreconditionFailedError):
        await carts.replace({**existing, "v": 2}, if_match="stale")
    with pytest.raises(PreconditionFailedError):
        await carts.upsert({**existing, "v": 2}, if_match="stale")
    with pytest.raises(BatchError):
        await carts.batch("u1", [CreateOp({"id": "b", "user_id": "u1"}), CreateOp({"id": "a", "user_id": "u1"})])
    with pytest.raises(ValueError):  # refused before it reached the database
        await carts.batch("u1", [CreateOp({"id": "b", "user_id": "u2"})])

    assert log.commits == []


async def test_commits_of_another_store_object_are_not_reported(open_store: StoreOpener, store: DocumentStore) -> None:
    log = CommitLog()
    store.add_commit_listener(log)
    other = await open_store()
    await (await other.container("carts", "/user_id")).create({"id": "a", "user_id": "u1"})

    mine = await store.container("carts", "/user_id")
    assert (await mine.read("a", "u1"))["id"] == "a"
    assert log.commits == []


async def test_batches_writing_the_same_documents_in_opposite_orders_all_complete(
    open_store: StoreOpener, store: DocumentStore
) -> None:
    other = await open_store()
    containers = [await store.container("pairs", "/p"), await other.container("pairs", "/p")]
    await containers[0].create({"id": "a", "p": "1", "n": 0})
    await containers[0].create({"id": "b", "p": "1", "n": 0})

    async def write_both(n: int) -> None:
        order = ["a", "b"] if n % 2 else ["b", "a"]
        ops = [UpsertOp({"id": doc_id, "p": "1", "n": n}) for doc_id in order]
        await containers[n % 2].batch("1", ops)

    await asyncio.gather(*(write_both(n) for n in range(40)))  # a deadlock would fail one

    a, b = await containers[0].read("a", "1"), await containers[1].read("b", "1")
    assert a["n"] == b["n"]  # both written by the same batch, the last to commit
