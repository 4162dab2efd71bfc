"""The agent runtime: what every agent repeats, in one place.

An agent is a gRPC servicer (built by a `create_binding(deps)` factory listed in hph.host.app's
AGENTS) over its subscriptions, projections, memory and tools. This package holds the parts they
share:

- `explain`: `Driver` (one reason with its numbers) and `explanation(...)` / `data_freshness(...)`, the
  agents/v1 Explanation and DataFreshness every answer carries.
- `freshness`: `FreshnessTracker`, the "data as of" of a projection (the enqueued time of the newest
  event it applied, or the time its snapshot was read).
- `projection`: `FollowedProjection`, the build-then-follow lifecycle of an in-memory projection:
  follow a per-replica consumer group from the log's end, build from the services' state, apply
  what arrived meanwhile, then follow; retries the build, says whether it is ready, and answers
  degraded while it is not.
- `memory`: `agent_memory(deps, agent, kind, policy)`, an agent's namespace on deps.memory.
- `narration`: `narrate_if_asked(narrator, response, context, subject=...)`, the optional narrator's
  checked prose in `explanation.narration` when the caller sent `x-hph-narrate: true`.

docs/agents.md is the agent author's guide.
"""

from hph.agents.runtime.explain import Driver, data_freshness, explanation
from hph.agents.runtime.freshness import FreshnessTracker
from hph.agents.runtime.memory import agent_memory
from hph.agents.runtime.narration import NARRATE_HEADER, narrate_if_asked, narration_requested
from hph.agents.runtime.projection import BUILD_RETRY_SECONDS, FollowedProjection

__all__ = [
    "BUILD_RETRY_SECONDS",
    "NARRATE_HEADER",
    "Driver",
    "FollowedProjection",
    "FreshnessTracker",
    "agent_memory",
    "data_freshness",
    "explanation",
    "narrate_if_asked",
    "narration_requested",
]
