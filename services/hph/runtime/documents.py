"""Document patterns every service repeats: optimistic read-modify-write and etag handling."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from hph.runtime.errors import Aborted, NotFound
from hph.runtime.storage import Container, Document, NotFoundError, PreconditionFailedError

# Turns the current document into the new one, or None for "no change needed".
Mutation = Callable[[Document], Awaitable[Document | None]]

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
) -> Document:
    """Reads, applies `mutate` (which returns the new document, or None for "no change") and writes
    back with the etag read, so concurrent writers never lose each other's changes.

    With `expected_etag` (the client's If-Match) a conflicting write is ABORTED; without it the
    mutation is simply re-applied to the fresh document.
    """
    for _ in range(UNPINNED_ATTEMPTS):
        current = await read_or_not_found(container, doc_id, partition_key, what)
        if expected_etag and current.get("_etag") != expected_etag:
            raise Aborted(f"{what} {doc_id!r} changed since etag {expected_etag!r}; read it again")
        updated = await mutate(dict(current))
        if updated is None:
            return current
        try:
            return await container.replace(updated, if_match=current["_etag"])
        except PreconditionFailedError:
            if expected_etag:
                raise Aborted(f"{what} {doc_id!r} changed meanwhile; read it again") from None
        except NotFoundError as exc:
            raise NotFound(f"{what} {doc_id!r} not found") from exc
    raise Aborted(f"{what} {doc_id!r} is being changed by others; retry")
