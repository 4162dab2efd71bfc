// What the workload identity may do, and nothing more: data-plane roles only (no keys, no
// management of the resources, which infra/ owns). Built-in role definition ids, as documented:
// https://learn.microsoft.com/azure/role-based-access-control/built-in-roles and, for Cosmos DB's
// own data-plane roles, https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac
@description('Object (principal) id of the workload identity.')
param principalId string

@description('Cosmos DB account the platform stores its documents in.')
param cosmosAccountName string

@description('Cosmos DB database the data role is scoped to.')
param cosmosDatabaseName string

@description('Event Hubs namespace the outbox relay appends to and consumers read.')
param eventHubsNamespaceName string

@description('Storage account of the cold memory tier and the Event Hubs checkpoint store.')
param storageAccountName string

// Azure RBAC built-in roles.
var eventHubsDataSender = '2b629674-e913-4c01-ae53-ef4638d8f975' // Azure Event Hubs Data Sender
var eventHubsDataReceiver = 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde' // Azure Event Hubs Data Receiver
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
// Cosmos DB data-plane built-in role (a role of the account, not of Azure RBAC).
var cosmosDataContributor = '00000000-0000-0000-0000-000000000002' // Cosmos DB Built-in Data Contributor

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = {
  name: cosmosAccountName
}

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource cosmosData 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: cosmos
  name: guid(cosmos.id, principalId, cosmosDataContributor)
  properties: {
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributor}'
    principalId: principalId
    scope: '${cosmos.id}/dbs/${cosmosDatabaseName}'
  }
}

resource eventHubsData 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [eventHubsDataSender, eventHubsDataReceiver]: {
  name: guid(namespace.id, principalId, role)
  scope: namespace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

resource blobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
