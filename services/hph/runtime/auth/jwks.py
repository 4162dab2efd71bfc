"""A cache of one issuer's RSA signing keys by `kid`, refetched when an unknown `kid` shows up.

Refetches are rate limited (an attacker sending random kids must not turn into a fetch storm) and
shared: concurrent callers wait on the same in-flight fetch. Only keys usable for RS256 signatures
are loaded; everything else in the set is skipped.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers

from hph.runtime.auth.errors import UnknownKeyError

# Smaller RSA keys are breakable; no legitimate issuer publishes them.
MIN_RSA_BITS = 2048

KeySetFetch = Callable[[], Awaitable[Mapping[str, Any]]]


class JwksCache:
    """Public keys of one issuer, refreshed at most once per `min_refresh_seconds` on a miss."""

    def __init__(
        self,
        fetch: KeySetFetch,
        min_refresh_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._min_refresh_seconds = min_refresh_seconds
        self._clock = clock
        self._keys: dict[str, RSAPublicKey] = {}
        self._last_fetch_started: float | None = None
        self._in_flight: asyncio.Task[None] | None = None
        self.fetch_count = 0  # observable for tests and metrics

    async def key_for(self, kid: str) -> RSAPublicKey:
        """The key with id `kid`; raises UnknownKeyError if absent even after an allowed refetch."""
        key = self._keys.get(kid)
        if key is None:
            await self._refresh()
            key = self._keys.get(kid)
        if key is None:
            raise UnknownKeyError(kid)
        return key

    async def _refresh(self) -> None:
        if self._in_flight is None:
            now = self._clock()
            last = self._last_fetch_started
            if last is not None and now - last < self._min_refresh_seconds:
                return
            # Stamped before the fetch so a failing endpoint is rate limited too.
            self._last_fetch_started = now
            self._in_flight = asyncio.get_running_loop().create_task(self._load())
        # Shielded: one caller giving up must not cancel the fetch the others wait for.
        await asyncio.shield(self._in_flight)

    async def _load(self) -> None:
        try:
            self.fetch_count += 1
            document = await self._fetch()
            self._keys = parse_key_set(document)
        finally:
            self._in_flight = None


def parse_key_set(document: Mapping[str, Any]) -> dict[str, RSAPublicKey]:
    """The RS256 signing keys of a JWK set by kid; other, malformed or weak keys are skipped."""
    keys: dict[str, RSAPublicKey] = {}
    entries = document.get("keys")
    if not isinstance(entries, list):
        return keys
    for jwk in entries:
        if not isinstance(jwk, dict):
            continue
        parsed = _rsa_signing_key(jwk)
        if parsed is not None:
            keys[parsed[0]] = parsed[1]
    return keys


def _rsa_signing_key(jwk: Mapping[str, Any]) -> tuple[str, RSAPublicKey] | None:
    kid, n, e = jwk.get("kid"), jwk.get("n"), jwk.get("e")
    if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig" or jwk.get("alg", "RS256") != "RS256":
        return None
    if not (isinstance(kid, str) and kid and isinstance(n, str) and isinstance(e, str)):
        return None
    try:
        # Only n and e are read: a private JWK published by mistake still yields just the public key.
        key = RSAPublicNumbers(b64url_uint(e), b64url_uint(n)).public_key()
    except ValueError:
        return None
    if key.key_size < MIN_RSA_BITS:
        return None
    return kid, key


def b64url_uint(value: str) -> int:
    """Decodes a JWK base64url (unpadded) big-endian unsigned integer."""
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if not raw:
        raise ValueError("empty integer")
    return int.from_bytes(raw, "big")


def uint_b64url(value: int) -> str:
    """Encodes an unsigned integer as JWK base64url: minimal big-endian bytes, no padding."""
    raw = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
