"""Verified tokens are remembered until their exp, revocation is checked on every use."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType

import pytest

from hph.runtime.auth.errors import InvalidTokenError, Rejection
from hph.runtime.auth.principal import Principal
from hph.runtime.auth.token_cache import VerifiedTokens


def principal(token_id: str, exp: float) -> Principal:
    return Principal(
        subject="ava",
        email="",
        name="",
        role=2,
        token_id=token_id,
        expires_at=datetime.fromtimestamp(exp, UTC),
        issuer="dev",
        claims=MappingProxyType({}),
    )


class Verifier:
    def __init__(self) -> None:
        self.calls = 0

    async def verify(self, token: str) -> Principal:
        self.calls += 1
        if token == "bad":
            raise InvalidTokenError(Rejection.SIGNATURE_INVALID)
        return principal(f"jti-{token}", exp=1_000.0)


async def test_a_verified_token_is_checked_once_until_it_expires() -> None:
    verifier, revoked = Verifier(), set[str]()
    now = [900.0]

    async def is_revoked(jti: str) -> bool:
        return jti in revoked

    tokens = VerifiedTokens(verifier.verify, is_revoked, clock=lambda: now[0])
    assert (await tokens.principal("t1")).subject == "ava"
    await tokens.principal("t1")
    assert verifier.calls == 1
    now[0] = 1_000.0  # at exp: verified again, so the verifier's own expiry rules apply
    await tokens.principal("t1")
    assert verifier.calls == 2


async def test_revocation_applies_at_once_and_failures_are_not_cached() -> None:
    verifier, revoked = Verifier(), set[str]()

    async def is_revoked(jti: str) -> bool:
        return jti in revoked

    tokens = VerifiedTokens(verifier.verify, is_revoked, clock=lambda: 900.0)
    await tokens.principal("t1")
    revoked.add("jti-t1")
    with pytest.raises(InvalidTokenError):
        await tokens.principal("t1")
    for _ in range(2):
        with pytest.raises(InvalidTokenError):
            await tokens.principal("bad")
    assert verifier.calls == 3
