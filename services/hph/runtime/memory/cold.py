"""The cold tier's port and its local-files adapter (embedded); the Blob Storage adapter is blob_cold.

The port is four calls over whole records, keyed by namespace and key (and `close`), so the blob
adapter maps it one to one: container `memory-cold`, blob `<namespace>/<key>`, the record's JSON as
content and its expiry as blob metadata (`purge_expired` lists them and removes the expired).

`LocalFileColdStore` keeps one JSON file per record, `<root>/<namespace>/<quoted key>.json`, written
to a temporary file, fsynced and renamed into place, so a crash leaves the old record or the new one,
never a torn file. File work runs on a thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, unquote

import orjson

from hph.runtime.memory.records import MemoryTierError, Record

log = logging.getLogger(__name__)

_SUFFIX = ".json"
# Keys never hold "%" or "/", so quoting only ":" and friends is injective and path-safe.
_SAFE = "-_.=@+"


class ColdStore(Protocol):
    async def put(self, record: Record) -> None:
        """Stores the record, replacing the key's previous one."""
        ...

    async def get(self, namespace: str, key: str) -> Record | None: ...

    async def delete(self, namespace: str, key: str) -> None:
        """Removes the key's record; nothing happens when there is none."""
        ...

    async def purge_expired(self, now: datetime) -> int:
        """Removes the records expired at `now`; how many."""
        ...

    async def close(self) -> None:
        """Releases the tier's clients (nothing for files)."""
        ...


class LocalFileColdStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    @property
    def root(self) -> Path:
        return self._root

    def path_of(self, namespace: str, key: str) -> Path:
        return self._root / namespace / (quote(key, safe=_SAFE) + _SUFFIX)

    async def put(self, record: Record) -> None:
        await asyncio.to_thread(self._write, self.path_of(record.namespace, record.key), record)

    async def get(self, namespace: str, key: str) -> Record | None:
        return await asyncio.to_thread(self._read, self.path_of(namespace, key))

    async def delete(self, namespace: str, key: str) -> None:
        await asyncio.to_thread(self.path_of(namespace, key).unlink, True)

    async def purge_expired(self, now: datetime) -> int:
        return await asyncio.to_thread(self._purge, now)

    async def close(self) -> None:
        return None

    def _write(self, path: Path, record: Record) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(orjson.dumps(record.to_fields()))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def _read(self, path: Path) -> Record | None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return Record.from_fields(orjson.loads(raw))
        except orjson.JSONDecodeError as exc:
            raise MemoryTierError(f"corrupt cold memory record {path}") from exc

    def _purge(self, now: datetime) -> int:
        purged = 0
        if not self._root.is_dir():
            return 0
        for path in self._root.glob(f"*/*{_SUFFIX}"):
            try:
                record = self._read(path)
            except MemoryTierError:
                log.warning("skipping a corrupt cold memory record", extra={"path": str(path)})
                continue
            if record is not None and record.expired(now):
                path.unlink(missing_ok=True)
                purged += 1
        return purged


def key_of(path: Path) -> str:
    """The key a cold file holds (for tools that list the cold tier)."""
    return unquote(path.name.removesuffix(_SUFFIX))
