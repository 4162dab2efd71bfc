"""The one factory of Azure clients (hph.runtime.azure_clients): every client is built with the one
DefaultAzureCredential (workload identity on AKS); connection strings are refused unless the
settings say an emulator is used. Building clients opens no connection."""

from __future__ import annotations

import pytest
from azure.identity.aio import DefaultAzureCredential

from hph.runtime.azure_clients import AzureClients, AzureConfigError
from hph.runtime.settings import Settings

KEY = "c2VjcmV0LWtleS10aGF0LW11c3QtbmV2ZXItbGVhaw=="
STORAGE = f"DefaultEndpointsProtocol=http;AccountName=dev;AccountKey={KEY};BlobEndpoint=http://127.0.0.1:1/dev;"
EVENTHUBS = f"Endpoint=sb://localhost/;SharedAccessKeyName=root;SharedAccessKey={KEY};UseDevelopmentEmulator=true"
AZURE = Settings(
    azure_storage_account_url="https://acct.blob.core.windows.net", eventhubs_namespace="hph.servicebus.windows.net"
)


async def test_every_azure_client_shares_one_default_azure_credential() -> None:
    clients = AzureClients.from_settings(AZURE)
    assert isinstance(clients.credential, DefaultAzureCredential)
    container = clients.container("memory-cold")
    service = clients.blob_service()
    store = clients.checkpoint_store("eventhub-checkpoints")
    producer = clients.producer("order-events")
    consumer = clients.consumer("order-events", "payments")
    try:
        assert container.credential is clients.credential
        assert service.credential is clients.credential
        assert store._container_client.credential is clients.credential
        assert producer._credential is clients.credential  # the SDK keeps it privately
        assert consumer._credential is clients.credential
        assert clients.namespace == "hph.servicebus.windows.net"
    finally:
        for client in (container, service, store, producer, consumer):
            await client.close()
        await clients.close()


@pytest.mark.parametrize(
    "secrets",
    [
        {"azure_storage_connection_string": STORAGE},
        {"eventhubs_connection_string": EVENTHUBS},
    ],
)
def test_connection_strings_are_refused_outside_an_emulator(secrets: dict[str, str]) -> None:
    with pytest.raises(AzureConfigError, match="HPH_AZURE_EMULATOR=true") as refused:
        AzureClients.from_settings(Settings(**secrets))  # type: ignore[arg-type]
    assert KEY not in str(refused.value)


async def test_missing_addresses_are_named_without_a_credential_in_sight() -> None:
    clients = AzureClients.from_settings(Settings())
    try:
        with pytest.raises(AzureConfigError, match="HPH_AZURE_STORAGE_ACCOUNT_URL"):
            clients.container("memory-cold")
        with pytest.raises(AzureConfigError, match="HPH_EVENTHUBS_NAMESPACE"):
            clients.producer("order-events")
    finally:
        await clients.close()
    emulator = AzureClients.from_settings(Settings(azure_emulator=True))
    assert emulator.credential is None  # an emulator gets no identity, and needs its strings
    with pytest.raises(AzureConfigError, match="HPH_AZURE_STORAGE_CONNECTION_STRING"):
        emulator.container("memory-cold")
    with pytest.raises(AzureConfigError, match="HPH_EVENTHUBS_CONNECTION_STRING"):
        emulator.consumer("order-events", "payments")


def test_settings_and_the_factory_keep_connection_strings_out_of_their_reprs() -> None:
    settings = Settings(
        azure_emulator=True, azure_storage_connection_string=STORAGE, eventhubs_connection_string=EVENTHUBS
    )
    clients = AzureClients.from_settings(settings)
    for text in (repr(settings), str(settings), repr(clients), str(clients)):
        assert KEY not in text and "AccountKey" not in text and "SharedAccessKey" not in text
    assert clients.namespace == "localhost"  # the emulator's endpoint, from its connection string


async def test_the_event_hubs_log_needs_its_namespace_and_storage() -> None:
    from hph.runtime.eventlog import open_event_log

    with pytest.raises(AzureConfigError, match="HPH_EVENTHUBS_NAMESPACE"):
        await open_event_log(Settings(event_log="eventhubs", azure_storage_account_url=AZURE.azure_storage_account_url))
    with pytest.raises(AzureConfigError, match="HPH_AZURE_STORAGE_ACCOUNT_URL"):
        await open_event_log(Settings(event_log="eventhubs", eventhubs_namespace=AZURE.eventhubs_namespace))
    with pytest.raises(AzureConfigError, match="HPH_AZURE_EMULATOR=true"):
        await open_event_log(Settings(event_log="eventhubs", eventhubs_connection_string=EVENTHUBS))
