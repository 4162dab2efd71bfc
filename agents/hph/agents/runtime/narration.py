"""Narration of agent answers, on request: the only place an agent touches the optional narrator.

A structured answer is complete without prose, and a model call costs up to the narrator's deadline,
so an answer is narrated only when the caller asks for it with the `x-hph-narrate: true` header
(gRPC metadata; REST clients send it as an HTTP header, which the edge forwards) AND a narrator is
configured (HPH_NARRATOR_URL). The shopper's hot paths (search, CreateOrder's reservation check)
never ask. The prose lands in `explanation.narration` only after the narrator's numbers check passed
(hph.runtime.narrator: every number it cites must be in the answer); otherwise the field stays empty
and the answer is unchanged.
"""

from __future__ import annotations

from typing import Any, Protocol

from hph.runtime.narrator import Narrator

NARRATE_HEADER = "x-hph-narrate"
_YES = frozenset({"1", "true", "yes"})


class Explained(Protocol):
    """An agent response: every one carries the shared Explanation."""

    @property
    def explanation(self) -> Any: ...


def narration_requested(context: Any) -> bool:
    """Whether the call carries `x-hph-narrate: true` (or 1 / yes)."""
    for key, value in context.invocation_metadata() or ():
        if key == NARRATE_HEADER and str(value).strip().lower() in _YES:
            return True
    return False


async def narrate_if_asked(narrator: Narrator, response: Explained, context: Any, *, subject: str) -> None:
    """Adds the narrator's checked prose to `response.explanation.narration` when the caller asked
    and a narrator is configured; leaves the answer as it is otherwise (never raises for the model)."""
    if not narrator.enabled or not narration_requested(context):
        return
    narration = await narrator.narrate(response, subject=subject)  # type: ignore[arg-type]
    if narration.prose is not None:
        response.explanation.narration = narration.prose
