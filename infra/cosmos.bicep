// Azure Cosmos DB for NoSQL for HPH_STORAGE=cosmos: one account (Session consistency, Entra ID only),
// one database, and one container per entry of the container registry the code reads
// (services/hph/runtime/storage/containers.json): its partition key path, its indexing policy
// (composite indexes for the orderings the code's queries use, excluded paths) and default TTL, so
// the code and the account cannot disagree.
@description('Name of the Cosmos DB account (3-44 characters: lowercase letters, digits, hyphens).')
@minLength(3)
@maxLength(44)
param accountName string

@description('Azure region of the account.')
param location string = resourceGroup().location

@description('Database holding the platform\'s containers (HPH_COSMOS_DATABASE of the code).')
param databaseName string = 'hph'

@description('Autoscale maximum throughput of every container, RU/s (a multiple of 1000; it scales down to a tenth).')
@minValue(1000)
param autoscaleMaxThroughput int = 1000

@description('Per-container autoscale maximum throughput overriding autoscaleMaxThroughput, e.g. {"orders": 10000}.')
param containerMaxThroughput object = {}

@description('Whether the account is reachable from public networks (disable with private endpoints).')
@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string = 'Enabled'

var registry = loadJsonContent('../services/hph/runtime/storage/containers.json')
var containers = registry.containers
// Cosmos DB's default exclusion, which every policy keeps (as hph.runtime.storage.registry does).
var etagPath = '/"_etag"/?'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: accountName
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    // The code asks for Session per client and sends each partition's session token after a write.
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    // Entra ID (workload identity) only: account keys are refused, and with them key-signed
    // container changes; infra/ owns the containers.
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: publicNetworkAccess
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for c in containers: {
  parent: database
  name: c.name
  properties: {
    resource: union({
      id: c.name
      partitionKey: {
        paths: [c.partitionKeyPath]
        kind: 'Hash'
        version: 2
      }
      indexingPolicy: {
        indexingMode: 'consistent'
        automatic: true
        includedPaths: [{ path: '/*' }]
        excludedPaths: map(concat([etagPath], c.excludedPaths), path => { path: path })
        compositeIndexes: c.compositeIndexes
      }
    }, c.defaultTtl == null ? {} : { defaultTtl: c.defaultTtl })
    options: {
      autoscaleSettings: {
        maxThroughput: contains(containerMaxThroughput, c.name) ? containerMaxThroughput[c.name] : autoscaleMaxThroughput
      }
    }
  }
}]

@description('HPH_COSMOS_ENDPOINT')
output endpoint string = account.properties.documentEndpoint
