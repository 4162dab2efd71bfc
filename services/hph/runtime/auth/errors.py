"""Errors of the authentication core: why a token was refused, or why trust could not be set up.

`InvalidTokenError` is the client's fault (maps to UNAUTHENTICATED via `to_domain_error`);
`AuthConfigError` means the server could not obtain what it needs to decide (metadata or key set
unreachable, malformed) and is not the caller's fault.
"""

from __future__ import annotations

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.errors import Unauthenticated, reason_text


class AuthError(Exception):
    """Base of every authentication-core error."""


class AuthConfigError(AuthError):
    """Issuer metadata or key set could not be fetched or understood."""


class UnknownKeyError(AuthError):
    """No key with this id in the issuer's key set, even after a refetch."""

    def __init__(self, kid: str) -> None:
        super().__init__(f"no signing key with kid {kid!r}")
        self.kid = kid


class Rejection:
    """Stable reasons a token is refused; they become the ErrorInfo reason clients see."""

    MALFORMED = ErrorReason.ERROR_REASON_TOKEN_MALFORMED
    ALGORITHM_REFUSED = ErrorReason.ERROR_REASON_TOKEN_ALGORITHM_REFUSED
    KID_MISSING = ErrorReason.ERROR_REASON_TOKEN_KID_MISSING
    KID_UNKNOWN = ErrorReason.ERROR_REASON_TOKEN_KID_UNKNOWN
    SIGNATURE_INVALID = ErrorReason.ERROR_REASON_TOKEN_SIGNATURE_INVALID
    ISSUER_UNTRUSTED = ErrorReason.ERROR_REASON_TOKEN_ISSUER_UNTRUSTED
    AUDIENCE_INVALID = ErrorReason.ERROR_REASON_TOKEN_AUDIENCE_INVALID
    EXPIRED = ErrorReason.ERROR_REASON_TOKEN_EXPIRED
    NOT_YET_VALID = ErrorReason.ERROR_REASON_TOKEN_NOT_YET_VALID
    CLAIM_MISSING = ErrorReason.ERROR_REASON_TOKEN_CLAIM_MISSING
    TENANT_NOT_ALLOWED = ErrorReason.ERROR_REASON_TOKEN_TENANT_NOT_ALLOWED
    REVOKED = ErrorReason.ERROR_REASON_TOKEN_REVOKED


class InvalidTokenError(AuthError):
    """The bearer token is refused; `reason` is a `Rejection` value, `detail` is for logs."""

    def __init__(self, reason: ErrorReason, detail: str = "") -> None:
        super().__init__(f"{reason_text(reason)}: {detail}" if detail else reason_text(reason))
        self.reason = reason
        self.detail = detail

    def to_domain_error(self) -> Unauthenticated:
        """The client-facing error; the detail stays server-side since it can help a forger."""
        return Unauthenticated("invalid bearer token", reason=self.reason)
