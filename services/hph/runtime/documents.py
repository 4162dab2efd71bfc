"""Document patterns every service repeats: optimistic read-modify-write and etag handling.

`update_document` optionally commits the change's events in the same transaction (the
transactional outbox, see hph.runtime.events.outbox): the state replace and the outbox records go
into one `container.batch`, so either both commit or neither does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from holidaypeak.events.v1.envelope_pb2 import EventEnvelope
from hph.runtime.errors import Aborted, NotFound
from hph.runtime.events.outbox import outbox_ops
from hph.runtime.storage import (
    BatchError,
    BatchOperation,
    Container,
    Document,
    NotFoundError,
    PreconditionFailedError,
    ReplaceOp,
)

# Turns the current document into the new one, or None for "no change needed".
Mutation = Callable[[Document], Awaitable[Document | None]]
# The events a change emits, from the document before it and the document about to be written.
ChangeEvents = Callable[[Document, Document], Sequence[EventEnvelope]]

# Attempts when the caller did not pin an etag and someone else wrote in between our read and write.
UNPINNED_ATTEMPTS = 5


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
    for _ in range(UNPINNED_ATTEMPTS):
        current = await read_or_not_found(container, doc_id, partition_key, what)
        if expected_etag and current.get("_etag") != expected_etag:
            raise Aborted(f"{what} {doc_id!r} changed since etag {expected_etag!r}; read it again")
        updated = await mutate(dict(current))
        if updated is None:
            return current
        envelopes = list(events(current, updated)) if events is not None else []
        try:
            return await _replace(container, partition_key, updated, current["_etag"], envelopes)
        except PreconditionFailedError:
            if expected_etag:
                raise Aborted(f"{what} {doc_id!r} changed meanwhile; read it again") from None
        except NotFoundError as exc:
            raise NotFound(f"{what} {doc_id!r} not found") from exc
    raise Aborted(f"{what} {doc_id!r} is being changed by others; retry")


async def _replace(
    container: Container, partition_key: str, doc: Document, etag: str, envelopes: Sequence[EventEnvelope]
) -> Document:
    """Replaces `doc` if its etag is still `etag`, together with its outbox records when it has events."""
    if not envelopes:
        return await container.replace(doc, if_match=etag)
    operations: list[BatchOperation] = [ReplaceOp(doc, if_match=etag), *outbox_ops(container, envelopes, partition_key)]
    try:
        results = await container.batch(partition_key, operations)
    except BatchError as exc:
        # The replace is the only operation that can lose a race; surface its cause like `replace` would.
        if isinstance(exc.cause, PreconditionFailedError | NotFoundError):
            raise exc.cause from exc
        raise
    written = results[0]
    assert written is not None  # a replace always returns the document it wrote
    return written
