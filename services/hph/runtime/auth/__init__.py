"""Authentication core: who the caller is, from a bearer token (dev issuer or Entra ID).

The gRPC auth interceptor builds one verifier with `build_verifier(settings, is_revoked=...)` and
calls `await verifier.verify(token)` per request; `InvalidTokenError.to_domain_error()` is the
UNAUTHENTICATED error to return. `DevIssuer` mints local tokens (`hph token`).
"""

from hph.runtime.auth.dev_issuer import DevIssuer, jwk_thumbprint, read_published_jwks
from hph.runtime.auth.errors import (
    AuthConfigError,
    AuthError,
    InvalidTokenError,
    Rejection,
    UnknownKeyError,
)
from hph.runtime.auth.jwks import JwksCache, parse_key_set
from hph.runtime.auth.oidc import OpenIdMetadata, fetch_json
from hph.runtime.auth.principal import (
    ANONYMOUS,
    ROLE_ADMIN,
    ROLE_ANONYMOUS,
    ROLE_CUSTOMER,
    ROLE_STAFF,
    Principal,
    principal_from_claims,
    role_from_claim,
    role_from_name,
    role_name,
)
from hph.runtime.auth.verifier import (
    DeferredIssuer,
    TokenVerifier,
    TrustedIssuer,
    build_verifier,
    dev_trusted_issuer,
    entra_audiences,
    load_entra_issuer,
)

__all__ = [
    "ANONYMOUS",
    "ROLE_ADMIN",
    "ROLE_ANONYMOUS",
    "ROLE_CUSTOMER",
    "ROLE_STAFF",
    "AuthConfigError",
    "AuthError",
    "DeferredIssuer",
    "DevIssuer",
    "InvalidTokenError",
    "JwksCache",
    "OpenIdMetadata",
    "Principal",
    "Rejection",
    "TokenVerifier",
    "TrustedIssuer",
    "UnknownKeyError",
    "build_verifier",
    "dev_trusted_issuer",
    "entra_audiences",
    "fetch_json",
    "jwk_thumbprint",
    "load_entra_issuer",
    "parse_key_set",
    "principal_from_claims",
    "read_published_jwks",
    "role_from_claim",
    "role_from_name",
    "role_name",
]
