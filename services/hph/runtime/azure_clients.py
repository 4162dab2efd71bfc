"""The one place Azure clients are built, and the one credential they share.

Every Azure client of the platform (Blob Storage for the cold memory tier and the Event Hubs
checkpoint store, the Event Hubs producers and consumers) comes from `AzureClients`, which
authenticates them with one `DefaultAzureCredential` (workload identity on AKS, a managed identity on
a VM, `az login` on a laptop): no account key, SAS or connection string in production.

Connection strings are for local emulators only (azurite): they are read only with
`HPH_AZURE_EMULATOR=true`, and given without it they are refused at start, so a key cannot slip
into production by accident. They never appear in a repr, a log line or an error message of this
module (`Settings` keeps them out of its repr too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from azure.eventhub.aio import EventHubConsumerClient, EventHubProducerClient
from azure.eventhub.extensions.checkpointstoreblobaio import BlobCheckpointStore
from azure.storage.blob.aio import BlobServiceClient, ContainerClient

from hph.runtime.settings import Settings

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential


def default_credential() -> AsyncTokenCredential:
    """DefaultAzureCredential: workload identity on AKS, a managed identity on a VM, `az login` on a
    laptop. Imported on call, so processes that never talk to Azure do not load azure-identity."""
    from azure.identity.aio import DefaultAzureCredential

    return DefaultAzureCredential()


def require_emulator_for_keys(settings: Settings, **secrets: str) -> None:
    """AzureConfigError naming each HPH_ setting holding a key or connection string, unless
    HPH_AZURE_EMULATOR=true: keys are for local emulators only (the message never holds a secret)."""
    given = [name for name, value in secrets.items() if value]
    if given and not settings.azure_emulator:
        raise AzureConfigError(
            f"{', '.join(given)} set without HPH_AZURE_EMULATOR=true: connection strings and keys are for "
            "local emulators only; in Azure give the account's URL and let DefaultAzureCredential "
            "(workload identity) authenticate"
        )


class AzureConfigError(ValueError):
    """The Azure settings are incomplete or unsafe; the message names the setting, never a secret."""


def _endpoint_host(connection_string: str) -> str:
    """The host an Event Hubs connection string points at (`Endpoint=sb://HOST/`)."""
    for part in connection_string.split(";"):
        name, _, value = part.partition("=")
        if name.strip().lower() == "endpoint":
            return value.strip().removeprefix("sb://").removeprefix("amqps://").rstrip("/")
    raise AzureConfigError("HPH_EVENTHUBS_CONNECTION_STRING has no Endpoint=sb://HOST/ part")


@dataclass(frozen=True)
class AzureClients:
    """Builds Azure clients from the settings (see the module docstring); `close()` it last."""

    storage_account_url: str = ""
    eventhubs_namespace: str = ""
    emulator: bool = False
    storage_connection_string: str = field(default="", repr=False)
    eventhubs_connection_string: str = field(default="", repr=False)
    # The shared credential (None with an emulator); tests may hand one in.
    credential: AsyncTokenCredential | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings, credential: AsyncTokenCredential | None = None) -> AzureClients:
        """AzureConfigError when a connection string is given without HPH_AZURE_EMULATOR=true."""
        require_emulator_for_keys(
            settings,
            HPH_AZURE_STORAGE_CONNECTION_STRING=settings.azure_storage_connection_string,
            HPH_EVENTHUBS_CONNECTION_STRING=settings.eventhubs_connection_string,
        )
        if settings.azure_emulator:
            return cls(
                storage_account_url=settings.azure_storage_account_url,
                eventhubs_namespace=settings.eventhubs_namespace,
                emulator=True,
                storage_connection_string=settings.azure_storage_connection_string,
                eventhubs_connection_string=settings.eventhubs_connection_string,
            )
        if credential is None:
            credential = default_credential()
        return cls(
            storage_account_url=settings.azure_storage_account_url,
            eventhubs_namespace=settings.eventhubs_namespace,
            credential=credential,
        )

    def _token_credential(self) -> AsyncTokenCredential:
        assert self.credential is not None, "built without an emulator, so with a credential"
        return self.credential

    # --- Blob Storage ---------------------------------------------------------------------------

    def blob_service(self) -> BlobServiceClient:
        if self.emulator:
            if not self.storage_connection_string:
                raise AzureConfigError("HPH_AZURE_EMULATOR=true needs HPH_AZURE_STORAGE_CONNECTION_STRING for Blob")
            return BlobServiceClient.from_connection_string(self.storage_connection_string)
        if not self.storage_account_url:
            raise AzureConfigError(
                "Blob Storage needs HPH_AZURE_STORAGE_ACCOUNT_URL (https://NAME.blob.core.windows.net)"
            )
        return BlobServiceClient(self.storage_account_url, credential=self._token_credential())

    def container(self, name: str) -> ContainerClient:
        """A client of one container (it may not exist yet)."""
        if self.emulator:
            if not self.storage_connection_string:
                raise AzureConfigError("HPH_AZURE_EMULATOR=true needs HPH_AZURE_STORAGE_CONNECTION_STRING for Blob")
            return ContainerClient.from_connection_string(self.storage_connection_string, name)
        if not self.storage_account_url:
            raise AzureConfigError(
                "Blob Storage needs HPH_AZURE_STORAGE_ACCOUNT_URL (https://NAME.blob.core.windows.net)"
            )
        return ContainerClient(self.storage_account_url, name, credential=self._token_credential())

    def checkpoint_store(self, container: str) -> BlobCheckpointStore:
        """The Event Hubs blob checkpoint store over `container`."""
        if self.emulator:
            if not self.storage_connection_string:
                raise AzureConfigError("HPH_AZURE_EMULATOR=true needs HPH_AZURE_STORAGE_CONNECTION_STRING for Blob")
            return BlobCheckpointStore.from_connection_string(self.storage_connection_string, container)
        if not self.storage_account_url:
            raise AzureConfigError("the checkpoint store needs HPH_AZURE_STORAGE_ACCOUNT_URL")
        return BlobCheckpointStore(self.storage_account_url, container, credential=self._token_credential())

    # --- Event Hubs -----------------------------------------------------------------------------

    @property
    def namespace(self) -> str:
        """The fully qualified Event Hubs namespace (checkpoint and ownership records are keyed by it)."""
        if self.emulator and self.eventhubs_connection_string:
            return _endpoint_host(self.eventhubs_connection_string)
        if not self.eventhubs_namespace:
            raise AzureConfigError("Event Hubs needs HPH_EVENTHUBS_NAMESPACE (NAME.servicebus.windows.net)")
        return self.eventhubs_namespace

    def producer(self, eventhub: str) -> EventHubProducerClient:
        if self.emulator:
            if not self.eventhubs_connection_string:
                raise AzureConfigError("HPH_AZURE_EMULATOR=true needs HPH_EVENTHUBS_CONNECTION_STRING")
            return EventHubProducerClient.from_connection_string(
                self.eventhubs_connection_string, eventhub_name=eventhub
            )
        return EventHubProducerClient(self.namespace, eventhub, self._token_credential())

    def consumer(self, eventhub: str, consumer_group: str) -> EventHubConsumerClient:
        if self.emulator:
            if not self.eventhubs_connection_string:
                raise AzureConfigError("HPH_AZURE_EMULATOR=true needs HPH_EVENTHUBS_CONNECTION_STRING")
            return EventHubConsumerClient.from_connection_string(
                self.eventhubs_connection_string, consumer_group, eventhub_name=eventhub
            )
        return EventHubConsumerClient(self.namespace, eventhub, consumer_group, self._token_credential())

    async def close(self) -> None:
        """Closes the shared credential (after every client built from it is closed)."""
        if self.credential is not None:
            await self.credential.close()
