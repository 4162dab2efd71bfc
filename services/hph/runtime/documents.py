"""Document patterns every service repeats: optimistic read-modify-write and etag handling.

`update_document` is the simplest optimistic commit (hph.runtime.commit): one document, read,
changed and replaced with the etag read, optionally with the change's events in the same batch
(the transactional outbox), so either both commit or neither does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Final

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.commit import Done, Write, commit, stored
from hph.runtime.errors import Aborted, NotFound
from hph.runtime.storage import Container, CreateOp, Document, NotFoundError, ReplaceOp

# Conditional writes a projection loses to concurrent writers of one document before giving up (the
# consumer framework then retries the event).
PROJECTION_WRITE_ATTEMPTS: Final = 8

# Turns the current document into the new one, or None for "no change needed".
Mutation = Callable[[Document], Awaitable[Document | None]]
# The events a change emits, from the document before it and the document about to be written.
ChangeEvents = Callable[[Document, Document], Sequence[EventEnvelope]]


async def read_or_not_found(container: Container, doc_id: str, partition_key: str, what: str) -> Document:
    try:
        return await container.read(doc_id, partition_key)
    except NotFoundError as exc:
        raise NotFound(f"{what} {doc_id!r} not found") from exc


async def update_document(
    container: Container,
    doc_id: str,
    partition_key: str,
    mutate: Mutation,
    *,
    what: str,
    expected_etag: str = "",
    events: ChangeEvents | None = None,
) -> Document:
    """Reads, applies `mutate` (which returns the new document, or None for "no change") and writes
    back with the etag read, so concurrent writers never lose each other's changes.

    With `expected_etag` (the client's If-Match) a conflicting write is ABORTED; without it the
    mutation is simply re-applied to the fresh document.

    With `events`, `events(before, after)` names the envelopes the change emits (none is fine); they
    are written to `container`'s outbox in the same batch as the replace, so a write that fails
    emits nothing. Rebuilt on every attempt, so a retried change never emits twice. The caller
    wakes the relay after this returns.
    """

    async def plan(attempt: int) -> Write[Document] | Done[Document]:
        current = await read_or_not_found(container, doc_id, partition_key, what)
        if expected_etag and current.get("_etag") != expected_etag:
            raise Aborted(f"{what} {doc_id!r} changed since etag {expected_etag!r}; read it again")
        updated = await mutate(dict(current))
        if updated is None:
            return Done(current)
        envelopes = events(current, updated) if events is not None else ()
        return Write([ReplaceOp(updated, if_match=current["_etag"])], stored(0), events=envelopes)

    return await commit(
        container,
        partition_key,
        plan,
        busy=f"{what} {doc_id!r} is being changed by others; retry",
        pinned=f"{what} {doc_id!r} changed meanwhile; read it again" if expected_etag else "",
    )


async def merge_document(
    container: Container,
    doc_id: str,
    partition_key: str,
    merge: Callable[[Document | None], Document],
    *,
    busy: str,
    attempts: int = PROJECTION_WRITE_ATTEMPTS,
    known: Document | None = None,
) -> Document | None:
    """A projection's write: `merge(current or None)` is the document wanted, created when absent or
    replaced with the etag read, nothing written when it equals the current one. A lost race (a
    create that met a document, an etag that moved on) reads and merges again, so `merge` must be
    idempotent and not depend on the order of the events it folds in. Returns the document as
    stored (None when there is none and the merge wanted nothing).

    `known` is the document as the caller last had it stored (what this returned last time): the
    first attempt merges into it without a read, its etag guarding the write, so a projection whose
    hot documents are written event after event skips a read and a decode per event. When the merge
    leaves it unchanged, the store is read after all: the stored document may have moved on (or
    been cleared for a rebuild), and only the stored one can say that nothing needs writing."""

    async def plan(attempt: int) -> Write[Document | None] | Done[Document | None]:
        if attempt == 0 and known is not None and "_etag" in known:
            merged = merge(dict(known))
            if merged != known:
                return Write([ReplaceOp(merged, if_match=str(known["_etag"]))], stored(0))
        try:
            current: Document | None = await container.read(doc_id, partition_key)
        except NotFoundError:
            current = None
        merged = merge(dict(current) if current is not None else None)
        if current is not None and merged == current:
            return Done(current)
        write = CreateOp(merged) if current is None else ReplaceOp(merged, if_match=str(current["_etag"]))
        return Write([write], stored(0))

    return await commit(container, partition_key, plan, busy=busy, attempts=attempts)
