"""The topic registry (services/hph/runtime/events/registry.json, which infra/ reads too) names
exactly the consumer groups the hosted services and agents declare, on the topics they read: an
Event Hubs consumer group missing from it would not be provisioned."""

from __future__ import annotations

from pathlib import Path

from hph.host.app import AGENT_NAMES, SERVICE_NAMES
from hph.runtime.events import TOPIC_CONSUMER_GROUPS, TOPIC_PARTITIONS, TOPICS
from tests.support.platform_harness import running_hub


async def test_the_registry_lists_every_declared_group_on_its_topics(tmp_path: Path) -> None:
    async with running_hub(tmp_path, services=(*SERVICE_NAMES, *AGENT_NAMES), seed=False) as hub:
        bus = hub.platform.deps.bus
        assert bus is not None
        declared = {
            (subscription.topic, name) for name, group in bus.groups.items() for subscription in group.subscriptions
        }
    registered = {(topic, group) for topic, groups in TOPIC_CONSUMER_GROUPS.items() for group in groups}
    assert registered == declared
    assert list(TOPIC_PARTITIONS) == list(TOPICS)
    assert all(sorted(groups) == list(groups) for groups in TOPIC_CONSUMER_GROUPS.values())
