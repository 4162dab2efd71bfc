"""Bearer token verification: the trusted issuers and the checks a token must pass to become a Principal.

Order matters for safety: the unverified header is inspected first and anything but `alg: RS256`
with a `kid` is refused before a key is even looked up (no `none`, no HMAC keyed with a public key,
no algorithm confusion). Then the issuer is chosen by `iss`, its key by `kid`, and PyJWT verifies the
signature with that explicit key and `algorithms=["RS256"]`. Time claims are checked here against an
injectable clock, then tenant allow-list and revocation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from hph.runtime.auth.dev_issuer import issuer_key_dir, read_published_jwks
from hph.runtime.auth.errors import AuthConfigError, InvalidTokenError, Rejection, UnknownKeyError
from hph.runtime.auth.jwks import JwksCache
from hph.runtime.auth.oidc import OpenIdMetadata, fetch_json
from hph.runtime.auth.principal import Principal, principal_from_claims
from hph.runtime.clock import Clock, system_clock
from hph.runtime.settings import DEV_ISSUER, Settings

ALGORITHM = "RS256"
# Far above any real access token; stops absurd inputs before base64/JSON work.
MAX_TOKEN_BYTES = 16 * 1024

RevocationCheck = Callable[[str], Awaitable[bool]]


@dataclass(frozen=True)
class TrustedIssuer:
    """An issuer whose tokens are accepted: its `iss`, key set, accepted audiences, allowed tenants."""

    issuer: str
    keys: JwksCache
    audiences: frozenset[str]
    # Non-empty: the token's `tid` claim must be one of these (Entra multi-tenant hardening).
    tenant_ids: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.issuer or not self.audiences:
            raise ValueError("a trusted issuer needs an issuer and at least one audience")


class DeferredIssuer:
    """A trusted issuer described by a metadata document that is loaded on first use.

    Resolution is shared between concurrent callers and, after a failure, retried at most once per
    `retry_seconds` (the failure is re-raised meanwhile) so an outage does not become a fetch storm.
    """

    def __init__(
        self,
        load: Callable[[], Awaitable[TrustedIssuer]],
        retry_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._resolved: TrustedIssuer | None = None
        self._in_flight: asyncio.Task[TrustedIssuer] | None = None
        self._failure: tuple[float, AuthConfigError] | None = None

    async def resolve(self) -> TrustedIssuer:
        if self._resolved is not None:
            return self._resolved
        if self._in_flight is None:
            if self._failure is not None and self._clock() - self._failure[0] < self._retry_seconds:
                raise AuthConfigError(str(self._failure[1]))
            self._in_flight = asyncio.get_running_loop().create_task(self._attempt())
        return await asyncio.shield(self._in_flight)

    async def _attempt(self) -> TrustedIssuer:
        started = self._clock()
        try:
            self._resolved = await self._load()
            return self._resolved
        except AuthConfigError as exc:
            self._failure = (started, exc)
            raise
        finally:
            self._in_flight = None


class TokenVerifier:
    """Turns a bearer token into a Principal or raises InvalidTokenError with a stable reason."""

    def __init__(
        self,
        issuers: Sequence[TrustedIssuer | DeferredIssuer],
        leeway_seconds: int = 60,
        is_revoked: RevocationCheck | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self._issuers = tuple(issuers)
        self._leeway = leeway_seconds
        self._is_revoked = is_revoked
        self._clock = clock

    async def verify(self, token: str) -> Principal:
        if len(token) > MAX_TOKEN_BYTES:
            raise InvalidTokenError(Rejection.MALFORMED, "token too large")
        kid = _checked_header_kid(token)
        issuer = await self._issuer_for(_unverified_claims(token).get("iss"))
        try:
            key = await issuer.keys.key_for(kid)
        except UnknownKeyError as exc:
            raise InvalidTokenError(Rejection.KID_UNKNOWN, str(exc)) from exc
        claims = _decode(token, key, issuer)
        self._check_times(claims)
        if issuer.tenant_ids and claims.get("tid") not in issuer.tenant_ids:
            raise InvalidTokenError(Rejection.TENANT_NOT_ALLOWED, f"tid {claims.get('tid')!r}")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise InvalidTokenError(Rejection.CLAIM_MISSING, "sub")
        jti = claims.get("jti")
        if isinstance(jti, str) and jti and self._is_revoked is not None and await self._is_revoked(jti):
            raise InvalidTokenError(Rejection.REVOKED, f"jti {jti}")
        return principal_from_claims(claims)

    async def _issuer_for(self, iss: object) -> TrustedIssuer:
        if not isinstance(iss, str) or not iss:
            raise InvalidTokenError(Rejection.CLAIM_MISSING, "iss")
        for candidate in self._issuers:
            # Deferred issuers resolve only when no already-known issuer matched.
            if isinstance(candidate, TrustedIssuer) and candidate.issuer == iss:
                return candidate
        for candidate in self._issuers:
            if isinstance(candidate, DeferredIssuer):
                resolved = await candidate.resolve()
                if resolved.issuer == iss:
                    return resolved
        raise InvalidTokenError(Rejection.ISSUER_UNTRUSTED, iss)

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        now = self._clock().timestamp()
        exp = _numeric(claims, "exp")
        if exp is None:
            raise InvalidTokenError(Rejection.CLAIM_MISSING, "exp")
        if exp <= now - self._leeway:
            raise InvalidTokenError(Rejection.EXPIRED, f"exp {exp:.0f}, now {now:.0f}")
        for name in ("nbf", "iat"):
            value = _numeric(claims, name)
            if value is not None and value > now + self._leeway:
                raise InvalidTokenError(Rejection.NOT_YET_VALID, f"{name} {value:.0f}, now {now:.0f}")


def _checked_header_kid(token: str) -> str:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(Rejection.MALFORMED, f"header: {exc}") from exc
    alg = header.get("alg")
    if alg != ALGORITHM:
        raise InvalidTokenError(Rejection.ALGORITHM_REFUSED, f"alg {alg!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidTokenError(Rejection.KID_MISSING)
    return kid


def _unverified_claims(token: str) -> dict[str, Any]:
    # Only used to pick the issuer; every claim is verified again below with the signature.
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(Rejection.MALFORMED, f"payload: {exc}") from exc
    return claims


def _decode(token: str, key: Any, issuer: TrustedIssuer) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=sorted(issuer.audiences),
            issuer=issuer.issuer,
            # Time claims are checked against our clock in TokenVerifier._check_times.
            options={
                "require": ["exp", "sub", "iss", "aud"],
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.InvalidSignatureError as exc:
        raise InvalidTokenError(Rejection.SIGNATURE_INVALID) from exc
    except jwt.MissingRequiredClaimError as exc:
        raise InvalidTokenError(Rejection.CLAIM_MISSING, exc.claim) from exc
    except jwt.InvalidAudienceError as exc:
        raise InvalidTokenError(Rejection.AUDIENCE_INVALID, str(exc)) from exc
    except jwt.InvalidIssuerError as exc:
        raise InvalidTokenError(Rejection.ISSUER_UNTRUSTED, str(exc)) from exc
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(Rejection.MALFORMED, str(exc)) from exc
    return claims


def _numeric(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidTokenError(Rejection.MALFORMED, f"{name} is not a number")
    return float(value)


def build_verifier(settings: Settings, *, is_revoked: RevocationCheck | None) -> TokenVerifier:
    """The verifier the servers use: dev issuer and/or Entra ID, as the settings enable them."""
    issuers: list[TrustedIssuer | DeferredIssuer] = []
    if settings.dev_issuer_enabled:
        issuers.append(dev_trusted_issuer(settings))
    if settings.entra_enabled:
        issuers.append(DeferredIssuer(lambda: load_entra_issuer(settings), settings.jwks_min_refresh_seconds))
    return TokenVerifier(issuers, leeway_seconds=settings.jwt_leeway_seconds, is_revoked=is_revoked)


def dev_trusted_issuer(settings: Settings) -> TrustedIssuer:
    """Trusts the local dev issuer; its key set is re-read from its key directory on each refetch."""
    data_dir, key_dir = settings.data_dir, issuer_key_dir(settings)

    async def fetch() -> Mapping[str, Any]:
        return await asyncio.to_thread(read_published_jwks, data_dir, key_dir=key_dir)

    return TrustedIssuer(
        issuer=DEV_ISSUER,
        keys=JwksCache(fetch, settings.jwks_min_refresh_seconds),
        audiences=frozenset({settings.jwt_audience}),
    )


def entra_audiences(settings: Settings) -> frozenset[str]:
    audiences = {settings.jwt_audience}
    if settings.entra_client_id:
        audiences |= {settings.entra_client_id, f"api://{settings.entra_client_id}"}
    return frozenset(audiences)


async def load_entra_issuer(settings: Settings) -> TrustedIssuer:
    """Reads the tenant's OpenID metadata and trusts its issuer, key set and tenant id."""
    tenant = settings.entra_tenant_id
    metadata = await OpenIdMetadata.load(settings.resolved_entra_metadata_url)
    # Multi-tenant ("common") documents carry a placeholder; we only trust our own tenant anyway.
    issuer = metadata.issuer.replace("{tenantid}", tenant)
    jwks_uri = metadata.jwks_uri

    async def fetch() -> Mapping[str, Any]:
        return await fetch_json(jwks_uri)

    return TrustedIssuer(
        issuer=issuer,
        keys=JwksCache(fetch, settings.jwks_min_refresh_seconds),
        audiences=entra_audiences(settings),
        tenant_ids=frozenset({tenant}),
    )
