"""The container registry (hph/runtime/storage/containers.json, read by infra/) lists exactly the
containers the code declares, with the same partition key paths."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from hph.host.app import AGENTS, SERVICES, declared_containers
from hph.runtime.storage import ContainerSpec
from hph.runtime.storage.port import validate_container_name, validate_partition_key_path
from hph.runtime.storage.registry import registered_containers

_ROOT = Path(__file__).resolve().parents[2]


def _modules() -> Iterator[ModuleType]:
    """Every hand-written module of `hph` (the editable install hides the folders from pkgutil)."""
    for top in ("services", "gateway", "agents"):
        for path in sorted((_ROOT / top / "hph").rglob("*.py")):
            parts = path.relative_to(_ROOT / top).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield importlib.import_module(name)


def _specs_in(module: ModuleType) -> Iterator[ContainerSpec]:
    """ContainerSpecs a module holds at top level, alone or in a tuple/list."""
    for value in vars(module).values():
        if isinstance(value, ContainerSpec):
            yield value
        elif isinstance(value, tuple | list):
            yield from (item for item in value if isinstance(item, ContainerSpec))


def test_every_container_spec_in_the_code_is_registered_with_its_partition_key() -> None:
    registry = {spec.name: spec for spec in registered_containers()}
    in_code = {spec for module in _modules() for spec in _specs_in(module)}

    assert in_code, "found no ContainerSpec in the code"
    missing = sorted(f"{spec.name} {spec.partition_key_path}" for spec in in_code if registry.get(spec.name) != spec)
    assert missing == [], "add these to hph/runtime/storage/containers.json (infra/ provisions from it)"


def test_the_registry_holds_only_what_the_platform_hosts() -> None:
    hosted = set(declared_containers([*SERVICES, *AGENTS]))
    registered = registered_containers()

    assert len({spec.name for spec in registered}) == len(registered), "a container is registered twice"
    assert set(registered) == hosted
    for spec in registered:
        validate_container_name(spec.name)
        validate_partition_key_path(spec.partition_key_path)
