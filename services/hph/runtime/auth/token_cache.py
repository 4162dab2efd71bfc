"""Remembers tokens that passed verification, so a token presented on every call — and forwarded
from service to service within one request — pays the RSA signature check once.

Only successful verifications are kept, keyed by the exact token string (any change to it is a
different key), until the token's own `exp`; revocation is still checked on every use, so a logout
takes effect at once.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from hph.runtime.auth.errors import InvalidTokenError, Rejection
from hph.runtime.auth.principal import Principal

Verify = Callable[[str], Awaitable[Principal]]
IsRevoked = Callable[[str], Awaitable[bool]]


class VerifiedTokens:
    def __init__(
        self,
        verify: Verify,
        is_revoked: IsRevoked,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._verify = verify
        self._is_revoked = is_revoked
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    async def principal(self, token: str) -> Principal:
        entry = self._entries.get(token)
        if entry is not None:
            expires_at, principal = entry
            if self._clock() < expires_at:
                if principal.token_id and await self._is_revoked(principal.token_id):
                    raise InvalidTokenError(Rejection.REVOKED)
                self._entries.move_to_end(token)
                return principal
            del self._entries[token]  # past exp: verify again (the verifier applies its leeway)
        principal = await self._verify(token)
        if principal.expires_at is not None:
            self._entries[token] = (principal.expires_at.timestamp(), principal)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return principal
