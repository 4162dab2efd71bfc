"""Bearer tokens for Azure OpenAI from an azure-identity credential (Entra ID).

`EntraTokens` wraps any object with azure-core's `get_token(*scopes)` (DefaultAzureCredential, or
its `.aio` twin whose `get_token` is a coroutine function) for the Cognitive Services scope. It
keeps the token until `REFRESH_MARGIN_SECONDS` before it expires, and concurrent narrations share
one fetch. A synchronous credential runs on a thread; a fetch outlives a caller whose deadline
passes (it is shielded), so the next narration finds the token ready instead of starting over.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from typing import Any, Protocol

COGNITIVE_SERVICES_SCOPE = "https://cognitiveservices.azure.com/.default"
REFRESH_MARGIN_SECONDS = 300.0


class AccessTokenLike(Protocol):
    """azure.core.credentials.AccessToken's shape."""

    @property
    def token(self) -> str: ...

    @property
    def expires_on(self) -> int: ...


class TokenCredentialLike(Protocol):
    """azure.core.credentials.TokenCredential (or AsyncTokenCredential): what azure-identity offers."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any: ...


class EntraTokens:
    def __init__(
        self,
        credential: TokenCredentialLike,
        *,
        scope: str = COGNITIVE_SERVICES_SCOPE,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._credential = credential
        self._scope = scope
        self._now = now
        self._token: AccessTokenLike | None = None
        self._fetch: asyncio.Future[AccessTokenLike] | None = None

    async def bearer(self) -> str:
        """A token valid for at least the refresh margin (raises what the credential raises)."""
        token = self._token
        if token is not None and token.expires_on - REFRESH_MARGIN_SECONDS > self._now():
            return token.token
        if self._fetch is None or self._fetch.done():
            self._fetch = asyncio.ensure_future(self._get())
        fetched = await asyncio.shield(self._fetch)
        self._token = fetched
        return fetched.token

    async def _get(self) -> AccessTokenLike:
        if inspect.iscoroutinefunction(self._credential.get_token):
            token: AccessTokenLike = await self._credential.get_token(self._scope)
        else:
            token = await asyncio.to_thread(self._credential.get_token, self._scope)
        return token

    async def close(self) -> None:
        closer = getattr(self._credential, "close", None)
        if closer is None:
            return
        result = closer()
        if inspect.isawaitable(result):
            await result


def default_azure_tokens() -> EntraTokens:
    """Tokens from azure-identity's DefaultAzureCredential (environment, workload identity, managed
    identity, Azure CLI ...), imported only when the narrator is configured for it."""
    from azure.identity import DefaultAzureCredential

    return EntraTokens(DefaultAzureCredential())
