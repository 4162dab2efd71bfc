// Event Hubs for HPH_EVENT_LOG=eventhubs: one event hub per topic with the partition count and the
// consumer groups of the topic registry, read from the same file the code reads
// (services/hph/runtime/events/registry.json), so the two cannot disagree.
@description('Name of the Event Hubs namespace (Standard or Premium: up to 32 partitions per hub).')
param namespaceName string

@description('How long each event hub keeps events, hours (HPH_EVENT_RETENTION_HOURS of the code).')
param retentionHours int = 168

var registry = loadJsonContent('../services/hph/runtime/events/registry.json')
var topics = items(registry.topics)
var consumerGroups = flatten(map(topics, topic => map(topic.value.consumer_groups, group => {
  topic: topic.key
  group: group
})))

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: namespaceName
}

resource hubs 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = [for topic in topics: {
  parent: namespace
  name: topic.key
  properties: {
    partitionCount: topic.value.partitions
    retentionDescription: {
      cleanupPolicy: 'Delete'
      retentionTimeInHours: retentionHours
    }
  }
}]

resource groups 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = [for entry in consumerGroups: {
  name: '${namespaceName}/${entry.topic}/${entry.group}'
  dependsOn: [hubs]
}]
