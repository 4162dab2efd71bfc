"""HPH_STORAGE=cosmos: the host opens the Cosmos DB adapter from settings and provisions every
registered container on the emulator (tests/support/cosmos_emulator.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from azure.cosmos.aio import CosmosClient

from hph.host.app import AGENTS, SERVICES, declared_containers, open_store, provision
from hph.runtime.azure_clients import AzureConfigError
from hph.runtime.settings import Settings
from hph.runtime.storage import StorageError
from hph.runtime.storage.cosmos import CosmosDocumentStore
from hph.runtime.storage.registry import registered_containers
from tests.support.cosmos_emulator import EMULATOR_KEY

pytestmark = pytest.mark.integration


async def test_cosmos_settings_open_the_adapter_and_provision_every_registered_container(
    cosmos_endpoint: str, tmp_path: Path
) -> None:
    database = f"t_{uuid.uuid4().hex[:16]}"
    settings = Settings(
        data_dir=tmp_path,
        storage="cosmos",
        cosmos_endpoint=cosmos_endpoint,
        cosmos_database=database,
        cosmos_key=EMULATOR_KEY,
        azure_emulator=True,
        cosmos_verify_tls=False,
        cosmos_manage_containers=True,
    )
    store = await open_store(settings)
    try:
        assert isinstance(store, CosmosDocumentStore)
        opened = await provision(store, declared_containers([*SERVICES, *AGENTS]))
        assert {spec.name: spec.partition_key_path for spec in opened} == {
            spec.name: spec.partition_key_path for spec in registered_containers()
        }
        # Provisioned once, the containers open without managing them (as in production).
        await store.close()
        store = await open_store(Settings(**{**settings.__dict__, "cosmos_manage_containers": False}))
        carts = await store.container("carts", "/id")
        assert (await carts.create({"id": "c1"}))["id"] == "c1"
        with pytest.raises(StorageError, match="does not exist"):
            await store.container("never_provisioned", "/id")
    finally:
        await store.close()
        async with CosmosClient(cosmos_endpoint, EMULATOR_KEY, connection_verify=False) as client:
            await client.delete_database(database)


async def test_cosmos_storage_needs_an_endpoint(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="HPH_COSMOS_ENDPOINT"):
        await open_store(Settings(data_dir=tmp_path, storage="cosmos"))


async def test_an_account_key_outside_an_emulator_is_refused_without_showing_it(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        storage="cosmos",
        cosmos_endpoint="https://acct.documents.azure.com:443/",
        cosmos_key=EMULATOR_KEY,
    )
    with pytest.raises(AzureConfigError, match="HPH_COSMOS_KEY set without HPH_AZURE_EMULATOR=true") as refused:
        await open_store(settings)
    assert EMULATOR_KEY not in str(refused.value)
