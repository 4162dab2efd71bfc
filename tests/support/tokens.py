"""Bearer tokens for tests: signed by a data dir's development issuer, or unsigned for the gateway,
which reads the subject only to pick a rate-limit bucket (the services verify signatures)."""

from __future__ import annotations

import base64
import json

from hph.runtime.auth.dev_issuer import DevIssuer

# gRPC call metadata, as the stubs take it.
Metadata = tuple[tuple[str, str], ...]


def signed_bearer(issuer: DevIssuer, role: str, sub: str, *, email: str = "", name: str = "", ttl: int = 600) -> str:
    """An `authorization` header value the platform accepts for `sub` in `role` (what `hph token` mints)."""
    token = issuer.issue(sub, role, email=email or f"{sub}@example.com", name=name, ttl_seconds=ttl)
    return f"Bearer {token}"


def bearer_metadata(token: str) -> Metadata:
    """gRPC metadata carrying a raw token (a JWT string without the "Bearer " prefix)."""
    return (("authorization", f"Bearer {token}"),)


def unsigned_bearer(claims: dict[str, object]) -> str:
    """An `alg: none` JWT with `claims`, as an `authorization` header value."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return "Bearer " + ".".join([part(b'{"alg":"none"}'), part(json.dumps(claims).encode()), "sig"])
