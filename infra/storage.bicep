// Blob Storage of the Azure profile (HPH_AZURE_STORAGE_ACCOUNT_URL): the cold memory tier and the
// Event Hubs checkpoint store (checkpoints, partition ownership, consumer membership). Entra ID
// only: shared-key access is off, so no account key or SAS signed with one works.
@description('Name of the storage account (3-24 characters: lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region of the account.')
param location string = resourceGroup().location

@description('Redundancy: Standard_ZRS keeps a copy in each zone of the region.')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param skuName string = 'Standard_ZRS'

@description('Blob container of the cold memory tier (HPH_MEMORY_COLD_CONTAINER).')
@minLength(3)
@maxLength(63)
param memoryColdContainer string = 'memory-cold'

@description('Blob container of the Event Hubs checkpoint store (HPH_EVENTHUBS_CHECKPOINT_CONTAINER).')
@minLength(3)
@maxLength(63)
param checkpointContainer string = 'eventhub-checkpoints'

@description('Whether the account is reachable from public networks (disable with private endpoints).')
@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string = 'Enabled'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicNetworkAccess
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for container in [memoryColdContainer, checkpointContainer]: {
  parent: blobs
  name: container
  properties: {
    publicAccess: 'None'
  }
}]

@description('HPH_AZURE_STORAGE_ACCOUNT_URL')
output blobEndpoint string = account.properties.primaryEndpoints.blob
