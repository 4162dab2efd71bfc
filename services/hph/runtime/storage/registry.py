"""The registry of storage containers (`containers.json` beside this module): every container the
code declares with a `ContainerSpec`, with its partition key path, whether it holds outbox records,
and what Cosmos DB needs to serve the code's queries: the composite indexes of its ordered pages,
the paths it never queries and need not index, and its default TTL.

`infra/cosmos.bicep` provisions the Cosmos DB containers from the same file (`loadJsonContent`) and
the Cosmos adapter creates them from it where it manages containers, so each fact is written down
once. tests/unit/test_container_registry.py keeps the names and keys equal to the code's
declarations; tests/unit/test_cosmos_indexing.py keeps the indexes equal to the orderings the
code's queries use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from hph.runtime.storage.port import ContainerSpec

CompositeIndex = tuple[tuple[str, bool], ...]
"""One composite index: (path, descending) per component, in order."""

# Cosmos DB's default exclusion, which every policy keeps (the `_etag` is never queried).
ETAG_PATH = '/"_etag"/?'


@dataclass(frozen=True)
class RegisteredContainer:
    """A registry entry: the container spec and the Cosmos DB settings its queries need."""

    spec: ContainerSpec
    composite_indexes: tuple[CompositeIndex, ...]
    excluded_paths: tuple[str, ...]
    # None: no TTL; -1: TTL on, documents live until their own `ttl` field says otherwise.
    default_ttl: int | None
    # The embedded SQLite store's file: "hph" (hph.sqlite3), "agents" or "consumers" (hph.host.app.SQLITE_FILES).
    sqlite_file: str = "hph"

    def indexing_policy(self, extra: tuple[CompositeIndex, ...] = ()) -> dict[str, Any]:
        """The Cosmos DB indexing policy (every path indexed but the excluded ones), with the
        registered composite indexes and then `extra` ones (for containers outside the registry)."""
        indexes = dict.fromkeys((*self.composite_indexes, *extra))
        return {
            "indexingMode": "consistent",
            "automatic": True,
            "includedPaths": [{"path": "/*"}],
            "excludedPaths": [{"path": path} for path in (ETAG_PATH, *self.excluded_paths)],
            "compositeIndexes": [composite_policy(index) for index in indexes],
        }


def composite_policy(index: CompositeIndex) -> list[dict[str, str]]:
    """A composite index in Cosmos DB's JSON form."""
    return [{"path": path, "order": "descending" if descending else "ascending"} for path, descending in index]


def parse_composite(raw: list[dict[str, str]]) -> CompositeIndex:
    """A composite index from Cosmos DB's JSON form (a missing order is ascending, as there)."""
    return tuple((item["path"], item.get("order", "ascending") == "descending") for item in raw)


@cache
def registry() -> dict[str, RegisteredContainer]:
    """The registry's entries by container name, in the file's order."""
    raw = json.loads(resources.files(__package__).joinpath("containers.json").read_text(encoding="utf-8"))
    entries: dict[str, RegisteredContainer] = {}
    for entry in raw["containers"]:
        spec = ContainerSpec(entry["name"], entry["partitionKeyPath"], outbox=bool(entry["outbox"]))
        ttl = entry["defaultTtl"]
        entries[spec.name] = RegisteredContainer(
            spec=spec,
            composite_indexes=tuple(parse_composite(index) for index in entry["compositeIndexes"]),
            excluded_paths=tuple(entry["excludedPaths"]),
            default_ttl=None if ttl is None else int(ttl),
            sqlite_file=str(entry.get("sqliteFile", "hph")),
        )
    return entries


def registered_containers() -> tuple[ContainerSpec, ...]:
    """The registry's containers, as specs, in the file's order."""
    return tuple(entry.spec for entry in registry().values())
