"""The cold tier in Azure Blob Storage (`HPH_MEMORY_COLD=blob`), behind the same port as the files.

One block blob per record in one container: `<namespace>/<key>` (keys hold no "/", so the
namespace is a virtual folder), the record's JSON as content and its expiry in the blob's metadata
(`expires_at`, ISO 8601, absent for records that never expire), so `purge_expired` finds the expired
records from a listing without downloading them. An upload replaces the blob atomically (readers
see the old record or the new one). A purge deletes a blob only if it is unchanged since it was
listed (its ETag), so a record rewritten meanwhile is kept. The container is created on first use.

The client comes from hph.runtime.azure_clients (DefaultAzureCredential, or a connection string
for azurite); this module never sees a key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

import orjson
from azure.core import MatchConditions
from azure.core.exceptions import AzureError, ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.storage.blob.aio import ContainerClient

from hph.runtime.clock import from_iso, to_iso
from hph.runtime.memory.records import MemoryTierError, Record

_EXPIRES = "expires_at"


def blob_name(namespace: str, key: str) -> str:
    return f"{namespace}/{key}"


class BlobColdStore:
    """A `ColdStore` over one Blob Storage container (see the module docstring)."""

    def __init__(self, container: ContainerClient, on_close: Callable[[], Awaitable[None]] | None = None) -> None:
        """`on_close` runs after the container client closes (the factory closes its credential)."""
        self._container = container
        self._on_close = on_close
        self._ready = False
        self._creating = asyncio.Lock()

    @property
    def container_name(self) -> str:
        return self._container.container_name

    async def _ensure_container(self) -> None:
        if self._ready:
            return
        async with self._creating:
            if self._ready:
                return
            try:
                await self._container.create_container()
            except ResourceExistsError:
                pass
            except AzureError as exc:
                raise MemoryTierError(f"cold memory container {self.container_name!r}: {exc.message}") from exc
            self._ready = True

    async def put(self, record: Record) -> None:
        await self._ensure_container()
        metadata = {_EXPIRES: to_iso(record.expires_at)} if record.expires_at is not None else {}
        try:
            await self._container.upload_blob(
                blob_name(record.namespace, record.key),
                orjson.dumps(record.to_fields()),
                overwrite=True,
                metadata=metadata,
            )
        except AzureError as exc:
            raise MemoryTierError(f"cold memory write of {record.namespace}/{record.key}: {exc.message}") from exc

    async def get(self, namespace: str, key: str) -> Record | None:
        name = blob_name(namespace, key)
        try:
            downloader = await self._container.download_blob(name)
            raw = await downloader.readall()
        except ResourceNotFoundError:  # no such blob, or no container yet
            return None
        except AzureError as exc:
            raise MemoryTierError(f"cold memory read of {name}: {exc.message}") from exc
        try:
            return Record.from_fields(orjson.loads(raw))
        except orjson.JSONDecodeError as exc:
            raise MemoryTierError(f"corrupt cold memory record {name}") from exc

    async def delete(self, namespace: str, key: str) -> None:
        try:
            await self._container.delete_blob(blob_name(namespace, key))
        except ResourceNotFoundError:
            return
        except AzureError as exc:
            raise MemoryTierError(f"cold memory delete of {namespace}/{key}: {exc.message}") from exc

    async def purge_expired(self, now: datetime) -> int:
        purged = 0
        try:
            async for blob in self._container.list_blobs(include=["metadata"]):
                expires = (blob.metadata or {}).get(_EXPIRES)
                if not expires or from_iso(expires) > now:
                    continue
                try:
                    await self._container.delete_blob(
                        blob.name, etag=blob.etag, match_condition=MatchConditions.IfNotModified
                    )
                except (ResourceNotFoundError, ResourceModifiedError):
                    continue  # deleted or rewritten since the listing: not ours to remove
                purged += 1
        except ResourceNotFoundError:
            return purged  # no container yet: nothing was ever archived
        except AzureError as exc:
            raise MemoryTierError(f"cold memory purge: {exc.message}") from exc
        return purged

    async def close(self) -> None:
        try:
            await self._container.close()
        finally:
            if self._on_close is not None:
                await self._on_close()
