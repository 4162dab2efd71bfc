"""The registry of storage containers (`containers.json` beside this module): every container the
code declares with a `ContainerSpec`, with its partition key path and whether it holds outbox
records. `infra/` provisions Cosmos DB containers from the same file (Bicep `loadJsonContent`), so
a container's partition key is written down once; tests/unit/test_container_registry.py keeps the
file and the code's declarations equal."""

from __future__ import annotations

import json
from importlib import resources

from hph.runtime.storage.port import ContainerSpec


def registered_containers() -> tuple[ContainerSpec, ...]:
    """The registry's containers, as specs, in the file's order."""
    raw = json.loads(resources.files(__package__).joinpath("containers.json").read_text(encoding="utf-8"))
    return tuple(
        ContainerSpec(entry["name"], entry["partitionKeyPath"], outbox=bool(entry.get("outbox", False)))
        for entry in raw["containers"]
    )
