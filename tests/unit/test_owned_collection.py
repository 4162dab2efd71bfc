"""A user's owned collection on the real SQLite store: defaults, limit, promotion, races, isolation."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.clock import Clock
from hph.runtime.errors import Aborted, FailedPrecondition, NotFound
from hph.runtime.storage import Container, Document, SqliteDocumentStore
from hph.services.users.collection import OwnedCollection

LIMIT = 4


@pytest.fixture
async def container(store: SqliteDocumentStore) -> Container:
    return await store.container("things", "/user_id")


def ticking_clock() -> Clock:
    """Each call is one second later, so creation order is visible in created_at."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    counter = itertools.count()
    return lambda: start + timedelta(seconds=next(counter))


def collection(container: Container) -> OwnedCollection:
    return OwnedCollection(container, kind="thing", what="thing", limit=LIMIT, clock=ticking_clock())


_stamp = itertools.count()


def item(item_id: str) -> Document:
    now = f"2025-01-01T00:00:{next(_stamp) % 60:02d}.{next(_stamp):06d}Z"
    return {"id": item_id, "label": item_id, "created_at": now, "updated_at": now}


async def defaults(things: OwnedCollection, user: str) -> list[str]:
    page = await things.page(user, page_size=100, continuation=None)
    return [d["id"] for d in page.items if d["is_default"]]


async def test_first_item_is_default_and_a_new_default_clears_the_old(container: Container) -> None:
    things = collection(container)
    first = await things.create("ava", item("t1"), make_default=False)
    second = await things.create("ava", item("t2"), make_default=False)
    assert first["is_default"] and not second["is_default"]
    third = await things.create("ava", item("t3"), make_default=True)
    assert third["is_default"] and await defaults(things, "ava") == ["t3"]
    await things.update("ava", "t1", lambda d: d, make_default=True, expected_etag="")
    assert await defaults(things, "ava") == ["t1"]
    await things.update("ava", "t1", lambda d: d, make_default=False, expected_etag="")
    assert await defaults(things, "ava") == []


async def test_listing_puts_the_default_first_then_newest(container: Container) -> None:
    things = collection(container)
    for name in ("t1", "t2", "t3"):
        await things.create("ava", item(name), make_default=False)
    page = await things.page("ava", page_size=100, continuation=None)
    assert [d["id"] for d in page.items] == ["t1", "t3", "t2"]


async def test_deleting_the_default_promotes_the_newest_remaining(container: Container) -> None:
    things = collection(container)
    for name in ("t1", "t2", "t3"):
        await things.create("ava", item(name), make_default=False)
    await things.delete("ava", "t1", expected_etag="")
    assert await defaults(things, "ava") == ["t3"]
    await things.delete("ava", "t2", expected_etag="")  # not the default: nothing promoted
    assert await defaults(things, "ava") == ["t3"]
    await things.delete("ava", "t3", expected_etag="")
    assert (await things.page("ava", page_size=100, continuation=None)).items == []


async def test_limit_is_enforced(container: Container) -> None:
    things = collection(container)
    for n in range(LIMIT):
        await things.create("ava", item(f"t{n}"), make_default=False)
    with pytest.raises(FailedPrecondition) as caught:
        await things.create("ava", item("one-too-many"), make_default=False)
    assert caught.value.reason == ErrorReason.ERROR_REASON_LIMIT_REACHED
    await things.create("liam", item("t0"), make_default=False)  # limits are per user


async def test_create_with_an_existing_id_returns_it_unchanged(container: Container) -> None:
    things = collection(container)
    created = await things.create("ava", item("t1"), make_default=False)
    again = await things.create("ava", {**item("t1"), "label": "changed"}, make_default=True)
    assert again["label"] == "t1" and again["_etag"] == created["_etag"]


async def test_other_users_items_are_not_found(container: Container) -> None:
    things = collection(container)
    await things.create("ava", item("t1"), make_default=False)
    with pytest.raises(NotFound):
        await things.get("liam", "t1")
    with pytest.raises(NotFound):
        await things.update("liam", "t1", lambda d: d, make_default=True, expected_etag="")
    with pytest.raises(NotFound):
        await things.delete("liam", "t1", expected_etag="")
    with pytest.raises(NotFound):
        await things.get("ava", "_book")  # the marker document is not an item
    assert (await things.get("ava", "t1"))["id"] == "t1"


async def test_stale_etag_is_aborted(container: Container) -> None:
    things = collection(container)
    created = await things.create("ava", item("t1"), make_default=False)
    await things.update("ava", "t1", lambda d: {**d, "label": "new"}, make_default=None, expected_etag=created["_etag"])
    with pytest.raises(Aborted):
        await things.update("ava", "t1", lambda d: d, make_default=None, expected_etag=created["_etag"])
    with pytest.raises(Aborted):
        await things.delete("ava", "t1", expected_etag=created["_etag"])


async def test_concurrent_creates_keep_one_default_and_the_limit(container: Container) -> None:
    things = collection(container)
    results = await asyncio.gather(
        *(things.create("ava", item(f"t{n}"), make_default=n % 2 == 0) for n in range(LIMIT + 3)),
        return_exceptions=True,
    )
    created = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, FailedPrecondition | Aborted)]
    assert len(created) + len(refused) == LIMIT + 3
    page = await things.page("ava", page_size=100, continuation=None)
    assert len(page.items) == len(created) <= LIMIT
    assert len(await defaults(things, "ava")) == 1
