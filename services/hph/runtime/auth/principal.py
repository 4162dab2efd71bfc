"""Who is calling: the `Principal` built from a verified token, and role names <-> `Role` values.

Roles are ordered anonymous < customer < staff < admin (the proto enum values), and a principal
holds its highest role; a token's `roles` claim lists lower-case names, unknown ones are ignored,
and a valid token naming no known role is a customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from holidaypeak.common.v1 import access_pb2

ROLE_ANONYMOUS: int = access_pb2.ROLE_ANONYMOUS
ROLE_CUSTOMER: int = access_pb2.ROLE_CUSTOMER
ROLE_STAFF: int = access_pb2.ROLE_STAFF
ROLE_ADMIN: int = access_pb2.ROLE_ADMIN

# Only these may appear in a token's `roles` claim; anonymous is the absence of a token.
_GRANTABLE: dict[str, int] = {
    "customer": ROLE_CUSTOMER,
    "staff": ROLE_STAFF,
    "admin": ROLE_ADMIN,
}
_NAMES: dict[int, str] = {ROLE_ANONYMOUS: "anonymous", **{v: k for k, v in _GRANTABLE.items()}}


def role_from_name(name: str) -> int | None:
    """The Role value of a grantable role name ("customer", "staff", "admin"), else None."""
    return _GRANTABLE.get(name)


def role_name(role: int) -> str:
    """Lower-case name of a Role value ("anonymous", "customer", ...); "unspecified" otherwise."""
    return _NAMES.get(role, "unspecified")


def role_from_claim(claim: object) -> int:
    """Highest known role named by a `roles` claim (list of names, or one name); customer if none."""
    names: list[object] = claim if isinstance(claim, list) else [claim]
    known = [role_from_name(n) for n in names if isinstance(n, str)]
    return max((r for r in known if r is not None), default=ROLE_CUSTOMER)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller (or `ANONYMOUS`); immutable so it can travel in a context var."""

    subject: str
    email: str
    name: str
    role: int
    token_id: str
    expires_at: datetime | None
    issuer: str
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_authenticated(self) -> bool:
        return self.role >= ROLE_CUSTOMER

    def has_role(self, role: int) -> bool:
        """True when this principal's role is at least `role`."""
        return self.role >= role

    @property
    def role_names(self) -> tuple[str, ...]:
        """Names of this role and every grantable role below it, lowest first."""
        return tuple(n for n, r in _GRANTABLE.items() if r <= self.role)


ANONYMOUS = Principal(
    subject="",
    email="",
    name="",
    role=ROLE_ANONYMOUS,
    token_id="",
    expires_at=None,
    issuer="",
    claims=MappingProxyType({}),
)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Builds the principal of an already verified token's claims."""
    exp = claims.get("exp")
    email = _text(claims.get("email")) or _text(claims.get("preferred_username"))
    return Principal(
        subject=_text(claims.get("sub")),
        email=email,
        name=_text(claims.get("name")),
        role=role_from_claim(claims.get("roles")),
        # Entra access tokens carry their unique id as `uti` rather than `jti`; either makes logout work.
        token_id=_text(claims.get("jti")) or _text(claims.get("uti")),
        expires_at=datetime.fromtimestamp(exp, tz=UTC) if isinstance(exp, int | float) else None,
        issuer=_text(claims.get("iss")),
        claims=MappingProxyType(dict(claims)),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
