"""Revoked (logged-out) tokens, by jti, kept until the token would have expired anyway.

Every authenticated call asks whether its token was revoked, and one request fans out into many
internal calls carrying the same token. A "not revoked" answer is therefore remembered for
`cache_seconds`: a logout through this process takes effect at once (it drops the remembered
answer), one through another process within `cache_seconds`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import UTC, datetime

from hph.runtime.storage import ConflictError, Container, ContainerSpec, DocumentStore, NotFoundError

CONTAINER = "revoked_tokens"
TOKENS = ContainerSpec(CONTAINER, "/id")
# Declared for the host, which creates the containers of the platform and of the services it hosts.
CONTAINERS = (TOKENS,)


class RevocationList:
    """Shared through storage, so a logout on one replica is honoured by every other."""

    def __init__(
        self,
        store: DocumentStore,
        *,
        cache_seconds: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._container: Container | None = None
        self._cache_seconds = cache_seconds
        self._monotonic = monotonic
        self._not_revoked_until: dict[str, float] = {}

    async def _tokens(self) -> Container:
        if self._container is None:
            self._container = await TOKENS.open(self._store)
        return self._container

    async def revoke(self, token_id: str, expires_at: datetime) -> None:
        self._not_revoked_until.pop(token_id, None)
        container = await self._tokens()
        with contextlib.suppress(ConflictError):  # logging out twice is fine
            await container.create({"id": token_id, "expires_at": expires_at.astimezone(UTC).timestamp()})

    async def is_revoked(self, token_id: str) -> bool:
        if not token_id:
            return False
        now = self._monotonic()
        if self._not_revoked_until.get(token_id, 0.0) > now:
            return False
        container = await self._tokens()
        try:
            await container.read(token_id, token_id)
        except NotFoundError:
            if self._cache_seconds > 0:
                if len(self._not_revoked_until) >= _MAX_REMEMBERED:
                    self._not_revoked_until.clear()  # simplest bound; the next calls re-read once
                self._not_revoked_until[token_id] = now + self._cache_seconds
            return False
        return True


_MAX_REMEMBERED = 100_000
