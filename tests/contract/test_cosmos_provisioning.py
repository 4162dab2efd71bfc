"""How the Cosmos DB adapter creates containers (`HPH_COSMOS_MANAGE_CONTAINERS`): a registered
container gets the registry's indexing policy and default TTL, as infra/cosmos.bicep provisions it.

Two halves, by what each engine can show:
- SDK BOUNDARY: the `create_container_if_not_exists` call carries the policy and `default_ttl`
  exactly (the npm emulator stores a container's properties but does not apply excluded paths or
  expire documents, so only the call itself proves them);
- on the emulator (integration): the containers created from the registry hold the registry's
  composite indexes, and every ordering the code's queries use (read from the code by
  tests/support/code_queries.py) runs on them without the adapter adding an index, as in
  production where it may not.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from azure.cosmos import PartitionKey
from azure.cosmos.aio import CosmosClient

from hph.runtime.storage import OrderBy, Query, StorageError
from hph.runtime.storage.cosmos import CosmosDocumentStore, ThrottlePolicy
from hph.runtime.storage.cosmos_query import composite_index
from hph.runtime.storage.port import validate_partition_key_path
from hph.runtime.storage.registry import ETAG_PATH, composite_policy, registry
from tests.support.code_queries import scan
from tests.support.cosmos_emulator import EMULATOR_KEY


class _FakeProxy:
    def __init__(self, properties: dict[str, Any]) -> None:
        self.properties = properties

    async def read(self) -> dict[str, Any]:
        return self.properties


class _FakeDatabase:
    """Records `create_container_if_not_exists` calls; the container then reads back as created."""

    def __init__(self) -> None:
        self.created: dict[str, dict[str, Any]] = {}

    async def create_container_if_not_exists(self, name: str, partition_key: PartitionKey, **kwargs: Any) -> Any:
        self.created[name] = kwargs
        return _FakeProxy({"id": name, "partitionKey": {"paths": [partition_key.path]}, **kwargs})


class _Client:
    async def close(self) -> None:
        return None


def _managing_store(database: _FakeDatabase, orderings: dict[str, list[tuple[OrderBy, ...]]]) -> CosmosDocumentStore:
    return CosmosDocumentStore(
        _Client(),  # type: ignore[arg-type]
        database,  # type: ignore[arg-type]
        "https://acct.documents.azure.com:443",
        manage_containers=True,
        throttle=ThrottlePolicy(),
        orderings=orderings,
    )


async def test_sdk_boundary_registered_containers_are_created_with_the_registry_policy_and_ttl() -> None:
    database = _FakeDatabase()
    store = _managing_store(database, {})
    for entry in registry().values():
        await store.container(entry.spec.name, entry.spec.partition_key_path)

    for entry in registry().values():
        call = database.created[entry.spec.name]
        policy = call["indexing_policy"]
        assert policy["indexingMode"] == "consistent" and policy["automatic"] is True
        assert policy["includedPaths"] == [{"path": "/*"}]
        assert policy["excludedPaths"] == [{"path": path} for path in (ETAG_PATH, *entry.excluded_paths)]
        assert policy["compositeIndexes"] == [composite_policy(index) for index in entry.composite_indexes]
        if entry.default_ttl is None:
            assert "default_ttl" not in call, entry.spec.name
        else:
            assert call["default_ttl"] == entry.default_ttl
    assert database.created["tickets"]["default_ttl"] == -1
    assert {"path": "/messages/*"} in database.created["tickets"]["indexing_policy"]["excludedPaths"]


async def test_sdk_boundary_other_containers_get_the_indexes_of_their_declared_orderings_only() -> None:
    database = _FakeDatabase()
    # "tickets" under another partition key is not the registered container: nothing of its entry applies.
    store = _managing_store(database, {"tickets": [(OrderBy("rank", descending=True),)]})
    await store.container("tickets", "/tenant")
    await store.container("scratch", "/id")

    tickets = database.created["tickets"]
    assert "default_ttl" not in tickets
    assert tickets["indexing_policy"]["excludedPaths"] == [{"path": ETAG_PATH}]
    assert tickets["indexing_policy"]["compositeIndexes"] == [
        [{"path": "/id", "order": "ascending"}, {"path": "/tenant", "order": "ascending"}],
        [
            {"path": "/rank", "order": "descending"},
            {"path": "/id", "order": "ascending"},
            {"path": "/tenant", "order": "ascending"},
        ],
    ]
    # Keyed by id, an unordered page has one sort path: no composite index.
    assert database.created["scratch"]["indexing_policy"]["compositeIndexes"] == []


class _ProvisionedDatabase:
    """A database whose containers exist with the given properties; nothing may be created."""

    def __init__(self, properties: dict[str, dict[str, Any]]) -> None:
        self.properties = properties

    def get_container_client(self, name: str) -> _FakeProxy:
        return _FakeProxy(self.properties[name])


def _as_provisioned(name: str, **changes: Any) -> dict[str, Any]:
    """A container's properties as infra/cosmos.bicep provisions it from the registry, then `changes`."""
    entry = registry()[name]
    properties: dict[str, Any] = {
        "id": name,
        "partitionKey": {"paths": [entry.spec.partition_key_path]},
        "indexingPolicy": entry.indexing_policy(),
    }
    if entry.default_ttl is not None:
        properties["defaultTtl"] = entry.default_ttl
    properties.update(changes)
    return {key: value for key, value in properties.items() if value is not None}


async def _open_unmanaged(properties: dict[str, Any]) -> None:
    store = CosmosDocumentStore(
        _Client(),  # type: ignore[arg-type]
        _ProvisionedDatabase({properties["id"]: properties}),  # type: ignore[arg-type]
        "https://acct.documents.azure.com:443",
        manage_containers=False,
        throttle=ThrottlePolicy(),
    )
    entry = registry()[properties["id"]]
    await store.container(entry.spec.name, entry.spec.partition_key_path)


async def test_sdk_boundary_an_unmanaged_open_refuses_a_container_provisioned_otherwise() -> None:
    orders = registry()["orders"]
    await _open_unmanaged(_as_provisioned("orders"))
    await _open_unmanaged(_as_provisioned("carts", defaultTtl=-1))  # on, expiring nothing: as off

    fewer = orders.indexing_policy()
    assert fewer["compositeIndexes"].pop()[0] == {"path": "/payment_due_at", "order": "ascending"}
    with pytest.raises(StorageError, match=r"infra/cosmos\.bicep") as missing_index:
        await _open_unmanaged(_as_provisioned("orders", indexingPolicy=fewer))
    assert "lacks the composite index (/payment_due_at ASC, /id ASC, /user_id ASC)" in str(missing_index.value)

    with pytest.raises(StorageError, match=r"lacks default TTL -1 \(it has None\)"):
        await _open_unmanaged(_as_provisioned("orders", defaultTtl=None))
    # A TTL the registry does not have would expire documents nothing expects to vanish.
    with pytest.raises(StorageError, match=r"default TTL None \(it has 3600\)"):
        await _open_unmanaged(_as_provisioned("carts", defaultTtl=3600))


@pytest.mark.integration
async def test_an_unmanaged_open_refuses_an_emulator_container_without_the_registrys_indexes(
    cosmos_endpoint: str,
) -> None:
    database = f"t_{uuid.uuid4().hex[:16]}"
    async with CosmosClient(cosmos_endpoint, EMULATOR_KEY, connection_verify=False) as client:
        db = await client.create_database(database)
        try:
            await db.create_container("orders", PartitionKey("/user_id"), default_ttl=-1)
            store = await CosmosDocumentStore.open(cosmos_endpoint, database, key=EMULATOR_KEY, verify_tls=False)
            try:
                with pytest.raises(StorageError, match="lacks the composite index"):
                    await store.container("orders", "/user_id")
            finally:
                await store.close()
        finally:
            await client.delete_database(database)


@pytest.mark.integration
async def test_every_ordering_of_the_code_runs_on_containers_created_from_the_registry(cosmos_endpoint: str) -> None:
    database = f"t_{uuid.uuid4().hex[:16]}"
    created = await CosmosDocumentStore.open(
        cosmos_endpoint, database, key=EMULATOR_KEY, verify_tls=False, manage_containers=True
    )
    try:
        for entry in registry().values():
            await created.container(entry.spec.name, entry.spec.partition_key_path)
        await created.close()
        async with CosmosClient(cosmos_endpoint, EMULATOR_KEY, connection_verify=False) as client:
            db = client.get_database_client(database)
            for entry in registry().values():
                stored = await db.get_container_client(entry.spec.name).read()
                assert stored["indexingPolicy"]["compositeIndexes"] == [
                    composite_policy(index) for index in entry.composite_indexes
                ], entry.spec.name
                assert stored.get("defaultTtl") == entry.default_ttl

        # As production opens them: the adapter may not add an index, so a missing one would fail.
        store = await CosmosDocumentStore.open(cosmos_endpoint, database, key=EMULATOR_KEY, verify_tls=False)
        try:
            found = scan()
            registered = [entry.spec for entry in registry().values()]
            ran = 0
            for package, orderings in sorted(found.orderings.items()):
                for spec in found.scope(package, registered):
                    container = await store.container(spec.name, spec.partition_key_path)
                    doc = await container.create({spec.partition_key_path[1:]: "p1", "id": "d1", "created_at": "x"})
                    for ordering in sorted(orderings):
                        order_by = tuple(OrderBy(path, descending=descending) for path, descending in ordering)
                        if not _served(spec.name, spec.partition_key_path, order_by):
                            continue  # another container of the package serves this ordering
                        page = await container.query(Query(order_by=order_by), max_items=5)
                        assert [doc["id"] for doc in page.items] == ["d1"]
                        ran += 1
                    await container.delete("d1", doc[spec.partition_key_path[1:]])
            assert ran >= 20
        finally:
            await store.close()
    finally:
        async with CosmosClient(cosmos_endpoint, EMULATOR_KEY, connection_verify=False) as client:
            await client.delete_database(database)


def _served(name: str, partition_key_path: str, order_by: tuple[OrderBy, ...]) -> bool:
    """Whether the registry gives this container the ordering's composite index (or it needs none)."""
    index = composite_index(order_by, validate_partition_key_path(partition_key_path))
    return len(index) < 2 or index in registry()[name].composite_indexes
