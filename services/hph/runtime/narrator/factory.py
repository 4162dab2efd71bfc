"""`open_narrator`: the platform's narrator built from Settings (off unless narrator_url is set)."""

from __future__ import annotations

from hph.runtime.narrator.client import ApiStyle, Narrator, NarratorConfig
from hph.runtime.narrator.credentials import EntraTokens, default_azure_tokens
from hph.runtime.settings import Settings


def narrator_config(settings: Settings) -> NarratorConfig | None:
    """The narrator's configuration, None when it is off; ValueError when it is set up wrongly
    (so a misconfigured narrator stops the start-up instead of silently never narrating)."""
    if not settings.narrator_url:
        return None
    style = settings.narrator_api_style
    if style not in ("openai", "azure"):
        raise ValueError(f"HPH_NARRATOR_API_STYLE={style!r}: choose openai or azure")
    if settings.narrator_azure_identity and settings.narrator_api_key:
        raise ValueError("set HPH_NARRATOR_API_KEY or HPH_NARRATOR_AZURE_IDENTITY, not both")
    api_style: ApiStyle = "azure" if style == "azure" else "openai"
    return NarratorConfig(
        url=settings.narrator_url,
        model=settings.narrator_model,
        api_style=api_style,
        api_version=settings.narrator_api_version,
        api_key=settings.narrator_api_key,
        deadline_seconds=settings.narrator_deadline_ms / 1000,
        max_chars=settings.narrator_max_chars,
    )


def open_narrator(settings: Settings, *, tokens: EntraTokens | None = None) -> Narrator:
    """The narrator (`Narrator.off()` unless configured); with narrator_azure_identity its bearer
    tokens come from DefaultAzureCredential unless `tokens` is given."""
    config = narrator_config(settings)
    if config is None:
        return Narrator.off()
    if tokens is None and settings.narrator_azure_identity:
        tokens = default_azure_tokens()
    return Narrator(config, tokens=tokens)
