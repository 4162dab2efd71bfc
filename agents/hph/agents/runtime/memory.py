"""An agent's memory namespace on deps.memory (hph.runtime.memory; docs/memory-and-narration.md).

    answers = agent_memory(deps, "catalog-search", "answers", Policy(ttl=timedelta(minutes=10)))

Namespaces are `<agent>.<kind>`; asking again with another policy is a ValueError. None when the
host runs without memory (unit tests building an agent with bare Dependencies).
"""

from __future__ import annotations

from hph.runtime.deps import Dependencies
from hph.runtime.memory import MemoryNamespace, Policy


def agent_memory(deps: Dependencies, agent: str, kind: str, policy: Policy | None = None) -> MemoryNamespace | None:
    if deps.memory is None:
        return None
    return deps.memory.namespace(agent, kind, policy)
