"""The container registry (hph/runtime/storage/containers.json, read by infra/) lists exactly the
containers the code declares, with the same partition key paths."""

from __future__ import annotations

from hph.host.app import AGENTS, SERVICES, declared_containers
from hph.runtime.consumers.ledger import LEDGER
from hph.runtime.storage.port import validate_container_name, validate_partition_key_path
from hph.runtime.storage.registry import registered_containers, registry
from tests.support.code_queries import modules, specs_in


def test_every_container_spec_in_the_code_is_registered_with_its_partition_key() -> None:
    registry = {spec.name: spec for spec in registered_containers()}
    in_code = {spec for module in modules() for spec in specs_in(module)}

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


def test_the_agents_sqlite_file_holds_exactly_the_containers_only_agents_keep() -> None:
    """What only agents keep (their projections, written on every event they follow) lives in
    agents.sqlite3; everything a service, the platform or the consumer framework keeps stays in
    hph.sqlite3, so no commerce commit ever queues behind a projection's."""
    only_agents = {spec.name for spec in declared_containers(AGENTS)} - {
        spec.name for spec in declared_containers(SERVICES)
    }
    apart = {entry.spec.name for entry in registry().values() if entry.sqlite_file == "agents"}
    assert only_agents and apart == only_agents
    assert {entry.sqlite_file for entry in registry().values()} == {"hph", "agents", "consumers"}


def test_the_consumers_sqlite_file_holds_the_ledger_alone() -> None:
    """Every process marks the events it handled after each batch: in a file of their own, the
    agents' process's marks never empty the serving processes' page cache of hph.sqlite3."""
    apart = {entry.spec.name for entry in registry().values() if entry.sqlite_file == "consumers"}
    assert apart == {LEDGER.name}
