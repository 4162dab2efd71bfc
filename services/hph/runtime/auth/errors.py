"""Errors of the authentication core: why a token was refused, or why trust could not be set up.

`InvalidTokenError` is the client's fault (maps to UNAUTHENTICATED via `to_domain_error`);
`AuthConfigError` means the server could not obtain what it needs to decide (metadata or key set
unreachable, malformed) and is not the caller's fault.
"""

from __future__ import annotations

from enum import StrEnum

from hph.runtime.errors import Unauthenticated


class AuthError(Exception):
    """Base of every authentication-core error."""


class AuthConfigError(AuthError):
    """Issuer metadata or key set could not be fetched or understood."""


class UnknownKeyError(AuthError):
    """No key with this id in the issuer's key set, even after a refetch."""

    def __init__(self, kid: str) -> None:
        super().__init__(f"no signing key with kid {kid!r}")
        self.kid = kid


class Rejection(StrEnum):
    """Stable reasons a token is refused; they become the ErrorInfo reason clients see."""

    MALFORMED = "TOKEN_MALFORMED"
    ALGORITHM_REFUSED = "TOKEN_ALGORITHM_REFUSED"
    KID_MISSING = "TOKEN_KID_MISSING"
    KID_UNKNOWN = "TOKEN_KID_UNKNOWN"
    SIGNATURE_INVALID = "TOKEN_SIGNATURE_INVALID"
    ISSUER_UNTRUSTED = "TOKEN_ISSUER_UNTRUSTED"
    AUDIENCE_INVALID = "TOKEN_AUDIENCE_INVALID"
    EXPIRED = "TOKEN_EXPIRED"
    NOT_YET_VALID = "TOKEN_NOT_YET_VALID"
    CLAIM_MISSING = "TOKEN_CLAIM_MISSING"
    TENANT_NOT_ALLOWED = "TOKEN_TENANT_NOT_ALLOWED"
    REVOKED = "TOKEN_REVOKED"


class InvalidTokenError(AuthError):
    """The bearer token is refused; `reason` is a `Rejection` value, `detail` is for logs."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = str(reason)
        self.detail = detail

    def to_domain_error(self) -> Unauthenticated:
        """The client-facing error; the detail stays server-side since it can help a forger."""
        return Unauthenticated("invalid bearer token", reason=self.reason)
