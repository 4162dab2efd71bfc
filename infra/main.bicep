// The Azure estate of the platform's Azure profile, in one resource group: Cosmos DB (documents),
// Event Hubs (events), Azure Cache for Redis (shared rate limits, hot cache, memory hot tier), Blob
// Storage (cold memory, event checkpoints), the workload identity of the pods and its data-plane
// roles. Containers and hubs come from the registries the code reads. The outputs are exactly the
// settings the Azure profile needs (docs/azure.md maps each HPH_* setting to its output).
targetScope = 'resourceGroup'

@description('Short name the resources are named after (3-11 characters: letters and digits, starting with a letter).')
@minLength(3)
@maxLength(11)
param baseName string

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('OIDC issuer URL of the AKS cluster the platform runs on (az aks show --query oidcIssuerProfile.issuerUrl).')
param aksOidcIssuerUrl string

@description('Kubernetes namespace of the platform\'s pods.')
param kubernetesNamespace string = 'hph'

@description('Kubernetes service account of the platform\'s pods (federated with the workload identity).')
param serviceAccountName string = 'hph'

@description('Application (client) id of the Entra ID app registration that tokens for the platform are issued to (HPH_ENTRA_CLIENT_ID).')
param entraClientId string

@description('Autoscale maximum throughput of every Cosmos DB container, RU/s (a multiple of 1000).')
@minValue(1000)
param cosmosAutoscaleMaxThroughput int = 1000

@description('Per-container autoscale maximum throughput, e.g. {"orders": 10000, "inventory": 10000}.')
param cosmosContainerMaxThroughput object = {}

@description('How long each event hub keeps events, hours (HPH_EVENT_RETENTION_HOURS).')
@minValue(1)
param eventRetentionHours int = 168

@description('Event Hubs tier.')
@allowed(['Standard', 'Premium'])
param eventHubsSku string = 'Standard'

@description('Event Hubs throughput (Standard) or processing (Premium) units.')
@minValue(1)
param eventHubsCapacity int = 1

@description('Azure Cache for Redis tier.')
@allowed(['Basic', 'Standard', 'Premium'])
param redisSku string = 'Standard'

@description('Azure Cache for Redis size within its tier (C0-C6, P1-P5: the number).')
@minValue(0)
@maxValue(6)
param redisCapacity int = 1

@description('Storage account redundancy.')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param storageSku string = 'Standard_ZRS'

@description('Whether the data services are reachable from public networks (disable with private endpoints).')
@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string = 'Enabled'

// Globally unique names (the account-like ones are DNS names): 13 characters from the group's id.
var suffix = uniqueString(resourceGroup().id)
var base = toLower(baseName)
var cosmosName = '${base}-cosmos-${suffix}'
var eventHubsName = '${base}-events-${suffix}'
var redisName = '${base}-redis-${suffix}'
var storageName = '${base}st${take(suffix, 11)}'
var identityName = '${base}-workload'
var cosmosDatabase = 'hph'
var memoryColdContainer = 'memory-cold'
var checkpointContainer = 'eventhub-checkpoints'

module identity 'identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    oidcIssuerUrl: aksOidcIssuerUrl
    serviceAccountNamespace: kubernetesNamespace
    serviceAccountName: serviceAccountName
  }
}

module cosmos 'cosmos.bicep' = {
  name: 'cosmos'
  params: {
    accountName: cosmosName
    location: location
    databaseName: cosmosDatabase
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    containerMaxThroughput: cosmosContainerMaxThroughput
    publicNetworkAccess: publicNetworkAccess
  }
}

module eventHubsNamespace 'eventhubs-namespace.bicep' = {
  name: 'eventhubs-namespace'
  params: {
    name: eventHubsName
    location: location
    skuName: eventHubsSku
    capacity: eventHubsCapacity
    publicNetworkAccess: publicNetworkAccess
  }
}

module eventHubs 'eventhubs.bicep' = {
  name: 'eventhubs'
  params: {
    namespaceName: eventHubsName
    retentionHours: eventRetentionHours
  }
  dependsOn: [eventHubsNamespace]
}

module redis 'redis.bicep' = {
  name: 'redis'
  params: {
    name: redisName
    location: location
    skuName: redisSku
    capacity: redisCapacity
    publicNetworkAccess: publicNetworkAccess
  }
}

module storage 'storage.bicep' = {
  name: 'storage'
  params: {
    name: storageName
    location: location
    skuName: storageSku
    memoryColdContainer: memoryColdContainer
    checkpointContainer: checkpointContainer
    publicNetworkAccess: publicNetworkAccess
  }
}

module roles 'roles.bicep' = {
  name: 'roles'
  params: {
    principalId: identity.outputs.principalId
    cosmosAccountName: cosmosName
    cosmosDatabaseName: cosmosDatabase
    eventHubsNamespaceName: eventHubsName
    storageAccountName: storageName
  }
  // The roles are assigned on resources these modules create.
  dependsOn: [cosmos, eventHubsNamespace, storage]
}

// --- the Azure profile's settings (docs/azure.md) ------------------------------------------------
// Each HPH_* output is the setting of that name, so the pods' environment is the outputs as they
// are (docs/azure.md: `jq` to an env file). HPH_REDIS_URL is the one setting not output: it holds
// the cache's access key, and deployment outputs are stored in plain text.

output HPH_STORAGE string = 'cosmos'
output HPH_COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output HPH_COSMOS_DATABASE string = cosmosDatabase
output HPH_EVENT_LOG string = 'eventhubs'
output HPH_EVENTHUBS_NAMESPACE string = eventHubsNamespace.outputs.fullyQualifiedName
output HPH_EVENTHUBS_CHECKPOINT_CONTAINER string = checkpointContainer
output HPH_EVENT_RETENTION_HOURS int = eventRetentionHours
output HPH_AZURE_STORAGE_ACCOUNT_URL string = storage.outputs.blobEndpoint
output HPH_MEMORY_COLD string = 'blob'
output HPH_MEMORY_COLD_CONTAINER string = memoryColdContainer
output HPH_HOT_CACHE string = 'redis'
output HPH_RATE_LIMITS string = 'redis'
output HPH_ENTRA_TENANT_ID string = tenant().tenantId
output HPH_ENTRA_CLIENT_ID string = entraClientId
output HPH_DEV_ISSUER_ENABLED bool = false

@description('HPH_REDIS_URL is rediss://:<access key>@<redisHostName>:<redisSslPort>/0, the key from a Kubernetes Secret.')
output redisHostName string = redis.outputs.hostName

@description('The TLS port of HPH_REDIS_URL.')
output redisSslPort int = redis.outputs.sslPort

@description('The service account annotation azure.workload.identity/client-id (AZURE_CLIENT_ID in the pods).')
output workloadIdentityClientId string = identity.outputs.clientId
