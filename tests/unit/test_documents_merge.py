"""`merge_document`, a projection's write, with and without the document the caller last stored
(`known`): whatever that copy is (current, overtaken by another writer, deleted for a rebuild, or
already holding the change while the store does not), the stored document ends as the merge of
everything merged into it, and a copy that is current saves the read.

Runs on a real SQLite store in tmp_path.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hph.runtime.documents import merge_document
from hph.runtime.storage import Container, Document, SqliteDocumentStore

KEY = "shopper:ava"


@pytest.fixture
async def views(store: SqliteDocumentStore) -> Container:
    return await store.container("views", "/key")


def adding(item: str) -> Callable[[Document | None], Document]:
    """A monotone merge: the set of items seen, kept sorted."""

    def merge(current: Document | None) -> Document:
        items = sorted({*(current or {}).get("items", []), item})
        return {**(current or {}), "id": "view", "key": KEY, "items": items}

    return merge


class CountingReads:
    """The container, counting its point reads (a `known` that is current must need none)."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.reads = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.container, name)

    async def read(self, id: str, partition_key: str) -> Document:
        self.reads += 1
        return await self.container.read(id, partition_key)


async def merged(container: Container, item: str, known: Document | None = None) -> Document | None:
    return await merge_document(container, "view", KEY, adding(item), busy="busy", known=known)


async def test_it_returns_the_document_as_stored_and_a_current_copy_saves_the_read(views: Container) -> None:
    counting = CountingReads(views)
    first = await merged(counting, "a")  # type: ignore[arg-type]
    assert first is not None and first["items"] == ["a"] and counting.reads == 1
    second = await merged(counting, "b", known=first)  # type: ignore[arg-type]
    assert second is not None and second["items"] == ["a", "b"]
    assert counting.reads == 1, "merged into the copy it was handed, its etag guarding the write"
    assert await views.read("view", KEY) == second


async def test_a_copy_overtaken_by_another_writer_loses_its_race_and_merges_again(views: Container) -> None:
    mine = await merged(views, "a")
    await merged(views, "b")  # another writer (another process, another partition's worker)
    after = await merged(views, "c", known=mine)
    assert after is not None and after["items"] == ["a", "b", "c"], "nothing the other writer stored is lost"
    assert (await views.read("view", KEY))["items"] == ["a", "b", "c"]


async def test_a_copy_of_a_document_deleted_for_a_rebuild_creates_it_again(views: Container) -> None:
    mine = await merged(views, "a")
    await views.delete("view", KEY)  # the projection is cleared to be rebuilt from the log
    after = await merged(views, "b", known=mine)
    assert after is not None and after["items"] == ["b"], "the copy's contents are not written back"
    assert (await views.read("view", KEY))["items"] == ["b"]


async def test_a_copy_that_already_holds_the_change_still_asks_the_store(views: Container) -> None:
    """The store was cleared and refilled without "b" while the copy holds it: only the stored
    document can say that nothing needs writing."""
    mine = await merged(views, "a")
    mine = await merged(views, "b", known=mine)
    await views.delete("view", KEY)
    await merged(views, "a")
    after = await merged(views, "b", known=mine)
    assert after is not None and after["items"] == ["a", "b"]
    assert (await views.read("view", KEY))["items"] == ["a", "b"]


async def test_nothing_is_written_when_the_merge_changes_nothing(views: Container) -> None:
    stored = await merged(views, "a")
    assert stored is not None
    again = await merged(views, "a", known=stored)
    assert again == stored and (await views.read("view", KEY))["_etag"] == stored["_etag"]
