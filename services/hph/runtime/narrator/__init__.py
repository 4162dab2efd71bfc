"""The optional narrator: a short prose summary of an agent's structured answer from an
OpenAI-compatible chat endpoint (Azure OpenAI with an API key or Entra ID, or any compatible URL),
kept only when every number it cites is in the answer (`numbers`), and never costing more than its
deadline. Off by default. See docs/memory-and-narration.md.

An agent holds the platform's narrator (`Dependencies.narrator`, built by the host with
`open_narrator`) and never depends on it:

    narration = await deps.narrator.narrate(response, subject="search: xmas lights")
    if narration.prose is not None:
        response.summary = narration.prose
"""

from hph.runtime.narrator.client import (
    MAX_ANSWER_CHARS,
    SYSTEM_PROMPT,
    Narration,
    Narrator,
    NarratorConfig,
    Outcome,
)
from hph.runtime.narrator.credentials import COGNITIVE_SERVICES_SCOPE, EntraTokens, default_azure_tokens
from hph.runtime.narrator.factory import narrator_config, open_narrator
from hph.runtime.narrator.numbers import answer_numbers, prose_numbers, unsupported

__all__ = [
    "COGNITIVE_SERVICES_SCOPE",
    "MAX_ANSWER_CHARS",
    "SYSTEM_PROMPT",
    "EntraTokens",
    "Narration",
    "Narrator",
    "NarratorConfig",
    "Outcome",
    "answer_numbers",
    "default_azure_tokens",
    "narrator_config",
    "open_narrator",
    "prose_numbers",
    "unsupported",
]
