"""Revoked (logged-out) tokens, by jti, kept until the token would have expired anyway."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from hph.runtime.clock import Clock, system_clock
from hph.runtime.storage import ConflictError, Container, DocumentStore, NotFoundError

CONTAINER = "revoked_tokens"


class RevocationList:
    """Shared through storage, so a logout on one replica is honoured by every other."""

    def __init__(self, store: DocumentStore, clock: Clock = system_clock) -> None:
        self._store = store
        self._clock = clock
        self._container: Container | None = None

    async def _tokens(self) -> Container:
        if self._container is None:
            self._container = await self._store.container(CONTAINER, "/id")
        return self._container

    async def revoke(self, token_id: str, expires_at: datetime) -> None:
        container = await self._tokens()
        with contextlib.suppress(ConflictError):  # logging out twice is fine
            await container.create({"id": token_id, "expires_at": expires_at.astimezone(UTC).timestamp()})

    async def is_revoked(self, token_id: str) -> bool:
        if not token_id:
            return False
        container = await self._tokens()
        try:
            await container.read(token_id, token_id)
        except NotFoundError:
            return False
        return True
