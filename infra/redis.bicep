// Azure Cache for Redis where several hosts need one truth (HPH_REDIS_URL): the REST rate limits,
// the catalog hot cache and the agent memory hot tier. TLS only (port 6380, TLS 1.2).
@description('Name of the cache (1-63 characters: letters, digits, hyphens).')
@minLength(1)
@maxLength(63)
param name string

@description('Azure region of the cache.')
param location string = resourceGroup().location

@description('Pricing tier: Standard (replicated, no SLA on persistence) or Premium.')
@allowed(['Basic', 'Standard', 'Premium'])
param skuName string = 'Standard'

@description('Size within the tier: C0-C6 for Basic/Standard, P1-P5 for Premium (the number).')
@minValue(0)
@maxValue(6)
param capacity int = 1

@description('Whether the cache is reachable from public networks (disable with private endpoints).')
@allowed(['Enabled', 'Disabled'])
param publicNetworkAccess string = 'Enabled'

resource cache 'Microsoft.Cache/redis@2024-11-01' = {
  name: name
  location: location
  properties: {
    sku: {
      name: skuName
      family: skuName == 'Premium' ? 'P' : 'C'
      capacity: capacity
    }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    publicNetworkAccess: publicNetworkAccess
    redisConfiguration: {
      // The memory hot tier's entries carry a TTL; under memory pressure those go first and the
      // rate-limit buckets (which also expire) after, never keys without one.
      'maxmemory-policy': 'volatile-lru'
    }
  }
}

@description('Host of HPH_REDIS_URL (rediss://:<access key>@<hostName>:<sslPort>/0).')
output hostName string = cache.properties.hostName

@description('TLS port of HPH_REDIS_URL.')
output sslPort int = cache.properties.sslPort
