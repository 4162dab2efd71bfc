// The Event Hubs namespace of HPH_EVENT_LOG=eventhubs; eventhubs.bicep adds one hub per topic of the
// topic registry. Entra ID only: shared access keys (SAS) are refused.
@description('Name of the namespace (6-50 characters: letters, digits, hyphens; starts with a letter).')
@minLength(6)
@maxLength(50)
param name string

@description('Azure region of the namespace.')
param location string = resourceGroup().location

@description('Tier: Standard (up to 32 partitions per hub, 20 consumer groups) or Premium.')
@allowed(['Standard', 'Premium'])
param skuName string = 'Standard'

@description('Throughput units (Standard) or processing units (Premium).')
@minValue(1)
param capacity int = 1

@description('Whether the namespace is reachable from public networks (disable with private endpoints).')
@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string = 'Enabled'

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: name
  location: location
  sku: {
    name: skuName
    tier: skuName
    capacity: capacity
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: publicNetworkAccess
  }
}

@description('HPH_EVENTHUBS_NAMESPACE: the fully qualified namespace (NAME.servicebus.windows.net).')
output fullyQualifiedName string = split(split(namespace.properties.serviceBusEndpoint, '/')[2], ':')[0]
