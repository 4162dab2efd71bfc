"""A document store whose containers live in several stores, chosen by container name.

The embedded default keeps the agents' projections in a SQLite file of their own (`agents.sqlite3`
beside `hph.sqlite3`): SQLite has one writer per file, and every commit to a file makes the other
processes' connections to it drop their page cache. The agents' process writes its projections on
every event it follows; in the commerce file those writes queued the checkout's commits behind them
and emptied the serving process's cache many times a second. Every write of the platform is a batch
in ONE partition of ONE container, so containers in different files lose no atomicity.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from hph.runtime.storage.port import CommitListener, Container, DocumentStore


class RoutedDocumentStore:
    """`DocumentStore` over `default` and, for the container names of `routes`, the store named there."""

    def __init__(self, default: DocumentStore, routes: Mapping[str, DocumentStore]) -> None:
        self._default = default
        self._routes = dict(routes)
        self._stores = list(dict.fromkeys([default, *self._routes.values()]))

    async def container(self, name: str, partition_key_path: str) -> Container:
        return await self._routes.get(name, self._default).container(name, partition_key_path)

    def add_commit_listener(self, listener: CommitListener) -> None:
        for store in self._stores:
            store.add_commit_listener(listener)

    async def close(self) -> None:
        results = await asyncio.gather(*(store.close() for store in self._stores), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
