"""The warm tier: memory records as documents in the storage port (SQLite embedded, Cosmos DB later).

Container `agent_memory`, partitioned by namespace (`/ns`), one document per key (id = the key).
A document holds the record's fields (`records.Record.to_fields`) and `archive_at`, when the archive
pass moves it to the cold tier. Writes go through `hph.runtime.commit`: a write stores its version
only over a lower one, guarded by the etag it read, so concurrent writers (other tasks, other
processes, a demotion racing a put) leave the highest version in place and never a mix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hph.runtime.clock import from_iso, to_iso
from hph.runtime.commit import Done, Write, commit
from hph.runtime.memory.records import Record
from hph.runtime.storage import (
    Container,
    ContainerSpec,
    CreateOp,
    Document,
    Le,
    NotFoundError,
    Or,
    PreconditionFailedError,
    Query,
    ReplaceOp,
)

CONTAINER = "agent_memory"
MEMORY = ContainerSpec(CONTAINER, "/ns")
# Declared for the host, which creates the platform's containers (and infra/ provisions the same).
CONTAINERS = (MEMORY,)

PAGE_SIZE = 100


@dataclass(frozen=True)
class WarmRecord:
    """A record as warm storage holds it, with the etag to remove it only if unchanged."""

    record: Record
    etag: str
    archive_at: datetime | None


class WarmTier:
    def __init__(self, container: Container) -> None:
        self._container = container

    async def get(self, namespace: str, key: str) -> WarmRecord | None:
        try:
            doc = await self._container.read(key, namespace)
        except NotFoundError:
            return None
        return _warm(doc)

    async def put(self, record: Record, archive_at: datetime) -> bool:
        """Stores `record` unless warm storage holds its version or a higher one; True when stored."""
        doc: Document = {"id": record.key, **record.to_fields(), "archive_at": to_iso(archive_at)}

        async def plan(attempt: int) -> Write[bool] | Done[bool]:
            try:
                current = await self._container.read(record.key, record.namespace)
            except NotFoundError:
                return Write([CreateOp(doc)], lambda _written: True)
            if int(current["v"]) >= record.version:
                return Done(False)
            return Write([ReplaceOp(doc, if_match=current["_etag"])], lambda _written: True)

        return await commit(
            self._container,
            record.namespace,
            plan,
            busy=f"memory key {record.namespace}/{record.key} is being written by others; retry",
        )

    async def remove(self, warm: WarmRecord) -> bool:
        """Deletes the document if it is still the one read (False when it changed or is gone:
        a newer write won, and stays)."""
        try:
            await self._container.delete(warm.record.key, warm.record.namespace, if_match=warm.etag)
        except (NotFoundError, PreconditionFailedError):
            return False
        return True

    async def due(self, now: datetime, continuation: str | None) -> tuple[Sequence[WarmRecord], str | None]:
        """One page of the records due for the archive pass: past `archive_at` or expired."""
        moment = to_iso(now)
        page = await self._container.query(
            Query(Or(Le("archive_at", moment), Le("expires_at", moment))),
            max_items=PAGE_SIZE,
            continuation=continuation,
        )
        return [_warm(doc) for doc in page.items], page.continuation


def _warm(doc: Document) -> WarmRecord:
    archive_at = doc.get("archive_at")
    return WarmRecord(Record.from_fields(doc), doc["_etag"], from_iso(archive_at) if archive_at else None)
