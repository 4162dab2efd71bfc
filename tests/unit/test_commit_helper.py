"""`hph.runtime.commit` on the real SQLite store: re-plans after a lost race with a bounded jittered
pause, gives up ABORTED, answers without writing when there is nothing to do, writes events in the
same batch, never pauses or reads more than the plan on an uncontended first attempt."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from holidaypeak.events.v1.user_events_pb2 import UserUpdated
from hph.runtime import commit as commits
from hph.runtime.commit import (
    BACKOFF_FIRST,
    BACKOFF_MAX,
    DEFAULT_ATTEMPTS,
    STALE,
    Completion,
    Done,
    Plan,
    Stale,
    Write,
    commit,
    stored,
)
from hph.runtime.errors import Aborted
from hph.runtime.events import IS_OUTBOX, decode_envelope, new_event
from hph.runtime.storage import (
    BatchOperation,
    Container,
    CreateOp,
    Document,
    Query,
    ReplaceOp,
    SqliteDocumentStore,
)

USER = "u-1"


class CountingContainer:
    """The real container, counting the calls the helper makes on it."""

    def __init__(self, inner: Container) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if callable(attribute):

            def counted(*args: Any, **kwargs: Any) -> Any:
                self.calls.append(name)
                return attribute(*args, **kwargs)

            return counted
        return attribute


@pytest.fixture
async def profiles(tmp_path: Path) -> AsyncIterator[Container]:
    store = await SqliteDocumentStore.open(tmp_path / "store.sqlite3")
    try:
        container = await store.container("profiles", "/user_id")
        await container.create({"id": USER, "user_id": USER, "name": "Ava", "visits": 0})
        yield container
    finally:
        await store.close()


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses the helper takes (recorded, not slept)."""
    taken: list[float] = []

    async def sleep(seconds: float) -> None:
        taken.append(seconds)

    monkeypatch.setattr(commits.asyncio, "sleep", sleep)
    return taken


def visited(doc: Document) -> Document:
    return {**doc, "visits": doc["visits"] + 1}


def updated_event() -> EventEnvelope:
    return new_event(
        UserUpdated(user_id=USER, changed_fields=["visits"]),
        source="users",
        subject=f"users/{USER}",
        partition_key=USER,
    )


def always_overtaken(profiles: Container, attempts: list[int]) -> Plan[Document]:
    """A plan that another writer overtakes every time, between its read and its write."""

    async def plan(attempt: int) -> Write[Document]:
        attempts.append(attempt)
        current = await profiles.read(USER, USER)
        await profiles.replace(visited(current))
        return Write([ReplaceOp(visited(current), if_match=current["_etag"])], stored(0))

    return plan


async def outbox(container: Container) -> list[Document]:
    return (await container.query(Query(IS_OUTBOX), partition_key=USER)).items


async def test_a_lost_race_is_planned_again_on_fresh_state(profiles: Container, pauses: list[float]) -> None:
    attempts: list[int] = []

    async def plan(attempt: int) -> Write[Document]:
        attempts.append(attempt)
        current = await profiles.read(USER, USER)
        if attempt == 0:  # another writer commits between our read and our write
            await profiles.replace(visited(current))
        return Write([ReplaceOp(visited(current), if_match=current["_etag"])], stored(0))

    written = await commit(profiles, USER, plan, busy="busy")
    assert attempts == [0, 1]
    assert written["visits"] == 2  # neither increment was lost
    assert (await profiles.read(USER, USER))["visits"] == 2
    assert len(pauses) == 1 and 0 <= pauses[0] <= BACKOFF_FIRST


async def test_sustained_contention_ends_aborted_after_bounded_jittered_pauses(
    profiles: Container, pauses: list[float]
) -> None:
    attempts: list[int] = []
    plan = always_overtaken(profiles, attempts)
    with pytest.raises(Aborted) as caught:
        await commit(profiles, USER, plan, busy="profile is being changed by others; retry")
    assert (caught.value.message, caught.value.reason) == (
        "profile is being changed by others; retry",
        ErrorReason.ERROR_REASON_CONCURRENT_MODIFICATION,
    )
    assert attempts == list(range(DEFAULT_ATTEMPTS))
    # A pause between attempts (none after the last), each within its doubling bound, capped.
    assert len(pauses) == DEFAULT_ATTEMPTS - 1
    for attempt, pause in enumerate(pauses):
        assert 0 <= pause <= min(BACKOFF_MAX, BACKOFF_FIRST * 2**attempt)
    assert max(pauses) <= BACKOFF_MAX
    assert sum(pauses) < DEFAULT_ATTEMPTS * BACKOFF_MAX


async def test_the_caller_may_name_its_own_error_and_attempts(profiles: Container, pauses: list[float]) -> None:
    plan = always_overtaken(profiles, [])
    with pytest.raises(RuntimeError, match="kept changing"):
        await commit(profiles, USER, plan, busy=lambda: RuntimeError("kept changing"), attempts=3)
    assert len(pauses) == 2


async def test_a_pinned_etag_is_not_retried(profiles: Container, pauses: list[float]) -> None:
    attempts: list[int] = []
    plan = always_overtaken(profiles, attempts)
    with pytest.raises(Aborted, match="changed meanwhile"):
        await commit(profiles, USER, plan, busy="busy", pinned="profile changed meanwhile; read it again")
    assert attempts == [0]
    assert pauses == []


async def test_nothing_to_do_writes_nothing(profiles: Container) -> None:
    before = await profiles.read(USER, USER)
    woken: list[bool] = []

    async def plan(attempt: int) -> Done[str]:
        return Done("already so")

    assert await commit(profiles, USER, plan, busy="busy", notify=lambda: woken.append(True)) == "already so"
    assert (await profiles.read(USER, USER))["_etag"] == before["_etag"]
    assert woken == []
    assert await outbox(profiles) == []


async def test_events_commit_in_the_same_batch_once_and_wake_the_relay(
    profiles: Container, pauses: list[float]
) -> None:
    woken: list[bool] = []
    emitted: list[str] = []

    async def plan(attempt: int) -> Write[Document]:
        current = await profiles.read(USER, USER)
        if attempt == 0:
            await profiles.replace(visited(current))  # this attempt's event must never appear
        event = updated_event()
        emitted.append(event.event_id)
        return Write([ReplaceOp(visited(current), if_match=current["_etag"])], stored(0), events=[event])

    await commit(profiles, USER, plan, busy="busy", notify=lambda: woken.append(True))
    records = await outbox(profiles)  # in the state's own partition
    assert [decode_envelope(record).event_id for record in records] == [emitted[1]]
    assert woken == [True]


async def test_a_failing_event_write_takes_the_state_with_it(profiles: Container) -> None:
    event = updated_event()
    await profiles.create({"id": f"outbox-{event.event_id}", "user_id": USER})  # the record's id is taken

    async def plan(attempt: int) -> Write[Document]:
        current = await profiles.read(USER, USER)
        return Write([ReplaceOp(visited(current), if_match=current["_etag"])], stored(0), events=[event])

    with pytest.raises(Exception, match="batch operation 1"):
        await commit(profiles, USER, plan, busy="busy")
    assert (await profiles.read(USER, USER))["visits"] == 0


async def test_a_lost_completion_is_the_callers_error_not_a_retry(profiles: Container, pauses: list[float]) -> None:
    claim = await profiles.create({"id": "claim", "user_id": USER, "status": "in_flight"})
    await profiles.replace({**claim, "status": "taken over"})
    attempts: list[int] = []

    async def plan(attempt: int) -> Write[Document]:
        attempts.append(attempt)
        current = await profiles.read(USER, USER)
        completion = Completion(ReplaceOp({**claim, "status": "done"}, if_match=claim["_etag"]), _taken_over)
        return Write([ReplaceOp(visited(current), if_match=current["_etag"])], stored(0), completion=completion)

    with pytest.raises(Aborted, match="took it over"):
        await commit(profiles, USER, plan, busy="busy")
    assert attempts == [0]
    assert (await profiles.read(USER, USER))["visits"] == 0


def _taken_over() -> Aborted:
    return Aborted("a retry took it over", reason=ErrorReason.ERROR_REASON_REQUEST_IN_FLIGHT)


async def test_a_lost_create_is_planned_again_at_once(profiles: Container, pauses: list[float]) -> None:
    async def plan(attempt: int) -> Write[Document] | Done[Document]:
        if attempt == 0:
            await profiles.create({"id": "first", "user_id": USER, "by": "them"})  # a concurrent creator wins
            return Write([CreateOp({"id": "first", "user_id": USER, "by": "us"})], stored(0))
        return Done(await profiles.read("first", USER))

    assert (await commit(profiles, USER, plan, busy="busy"))["by"] == "them"
    assert pauses == []


async def test_stale_plans_again_and_counts_as_an_attempt(profiles: Container, pauses: list[float]) -> None:
    attempts: list[int] = []

    async def plan(attempt: int) -> Done[int] | Stale:
        attempts.append(attempt)
        return STALE if attempt < 2 else Done(attempt)

    assert await commit(profiles, USER, plan, busy="busy") == 2
    with pytest.raises(Aborted):
        await commit(profiles, USER, lambda attempt: _stale(), busy="busy", attempts=4)
    assert pauses == []


async def _stale() -> Stale:
    return STALE


async def test_an_uncontended_commit_costs_the_plan_and_one_write(profiles: Container, pauses: list[float]) -> None:
    counted = CountingContainer(profiles)
    current = await profiles.read(USER, USER)

    async def plan(attempt: int) -> Write[Document]:
        return Write([ReplaceOp(visited(current), if_match=current["_etag"])], stored(0))

    await commit(counted, USER, plan, busy="busy")  # type: ignore[arg-type]
    assert counted.calls == ["replace"]  # a lone guarded write uses the container's own method

    current = await profiles.read(USER, USER)
    operations: Sequence[BatchOperation] = [ReplaceOp(visited(current), if_match=current["_etag"])]
    counted.calls.clear()

    async def with_event(attempt: int) -> Write[Document]:
        return Write(operations, stored(0), events=[updated_event()])

    await commit(counted, USER, with_event, busy="busy")  # type: ignore[arg-type]
    assert counted.calls == ["batch"]
    assert pauses == []
