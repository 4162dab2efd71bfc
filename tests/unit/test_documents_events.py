"""`update_document` with events: the replace and its outbox records commit together or not at all.

Runs on a real SQLite store in tmp_path.
"""

from __future__ import annotations

import pytest

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from holidaypeak.events.v1.user_events_pb2 import UserUpdated
from hph.runtime.documents import Mutation, update_document
from hph.runtime.errors import Aborted, NotFound
from hph.runtime.events import IS_OUTBOX, NOT_OUTBOX, decode_envelope, new_event, payload_of
from hph.runtime.storage import Container, Document, Query, SqliteDocumentStore

USER = "u-1"


@pytest.fixture
async def profiles(store: SqliteDocumentStore) -> Container:
    container = await store.container("profiles", "/user_id")
    await container.create({"id": USER, "user_id": USER, "name": "Ava"})
    return container


def renamed(name: str) -> Mutation:
    async def mutate(doc: Document) -> Document | None:
        if doc["name"] == name:
            return None
        return {**doc, "name": name}

    return mutate


class Emitted:
    """An `events` callback that records what it was asked and emits one UserUpdated per call."""

    def __init__(self) -> None:
        self.calls: list[tuple[Document, Document]] = []

    def __call__(self, before: Document, after: Document) -> list[EventEnvelope]:
        self.calls.append((before, after))
        payload = UserUpdated(user_id=after["id"], changed_fields=["name"])
        return [new_event(payload, source="users", subject=f"users/{USER}", partition_key=USER)]


async def outbox(container: Container) -> list[Document]:
    return (await container.query(Query(IS_OUTBOX), partition_key=USER)).items


async def test_the_change_and_its_event_commit_together_in_the_documents_partition(profiles: Container) -> None:
    emitted = Emitted()
    updated = await update_document(profiles, USER, USER, renamed("Bea"), what="profile", events=emitted)
    assert updated["name"] == "Bea"
    [(before, after)] = emitted.calls
    assert (before["name"], after["name"]) == ("Ava", "Bea")
    [record] = await outbox(profiles)
    assert record["user_id"] == USER
    event = decode_envelope(record)
    assert isinstance(payload_of(event), UserUpdated) and event.subject == f"users/{USER}"
    # The state query of the owner still sees one document only.
    assert [d["id"] for d in (await profiles.query(Query(NOT_OUTBOX))).items] == [USER]


async def test_no_change_and_no_events_write_no_outbox_record(profiles: Container) -> None:
    emitted = Emitted()
    same = await update_document(profiles, USER, USER, renamed("Ava"), what="profile", events=emitted)
    assert same["name"] == "Ava" and emitted.calls == []
    quiet = await update_document(profiles, USER, USER, renamed("Cy"), what="profile", events=lambda b, a: [])
    assert quiet["name"] == "Cy"
    plain = await update_document(profiles, USER, USER, renamed("Di"), what="profile")
    assert plain["name"] == "Di"
    assert await outbox(profiles) == []


async def test_a_pinned_write_that_loses_the_race_is_aborted_and_emits_nothing(profiles: Container) -> None:
    current = await profiles.read(USER, USER)

    async def mutate(doc: Document) -> Document:
        # Someone else writes between our read and our write, so our batch's replace fails.
        await profiles.replace({**doc, "name": "Other"})
        return {**doc, "name": "Mine"}

    with pytest.raises(Aborted):
        await update_document(
            profiles, USER, USER, mutate, what="profile", expected_etag=current["_etag"], events=Emitted()
        )
    assert (await profiles.read(USER, USER))["name"] == "Other"
    assert await outbox(profiles) == []


async def test_an_unpinned_write_that_loses_the_race_retries_and_emits_once(profiles: Container) -> None:
    interfered = False

    async def mutate(doc: Document) -> Document:
        nonlocal interfered
        if not interfered:
            interfered = True
            await profiles.replace({**doc, "name": "Other"})
        return {**doc, "name": "Mine"}

    emitted = Emitted()
    updated = await update_document(profiles, USER, USER, mutate, what="profile", events=emitted)
    assert updated["name"] == "Mine"
    assert [after["name"] for _, after in emitted.calls] == ["Mine", "Mine"]
    assert [before["name"] for before, _ in emitted.calls] == ["Ava", "Other"]
    [record] = await outbox(profiles)  # only the attempt that committed left its event
    assert decode_envelope(record).event_id


async def test_a_document_deleted_meanwhile_is_not_found_and_emits_nothing(profiles: Container) -> None:
    async def mutate(doc: Document) -> Document:
        await profiles.delete(USER, USER)
        return {**doc, "name": "Gone"}

    with pytest.raises(NotFound):
        await update_document(profiles, USER, USER, mutate, what="profile", events=Emitted())
    assert await outbox(profiles) == []
