"""The local development token issuer: its RSA key pair under `<data_dir>/auth/` and token minting.

The key directory is the data dir's own unless `HPH_DEV_ISSUER_KEY_DIR` names one that the hosts of
a cluster share (`issuer_key_dir`): then every host signs with, and trusts, the same keys, so a token
`hph token` minted against one host works on the others.

Files (created on first use, safe when several processes start at once):
- `dev-issuer-key.pem`: the current private signing key, mode 0600. Created by linking a fully
  written temp file into place, so a concurrent creator either wins or adopts the winner's key.
- `dev-issuer-jwks/<kid>.json`: one public JWK per key ever current. Each key is published before
  it signs anything, and a rotated-out key stays published so outstanding tokens keep verifying.
  Verifiers read this directory (`read_published_jwks`), so a rotation by another process is seen
  on their next key refetch.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from hph.runtime.auth.jwks import uint_b64url
from hph.runtime.auth.principal import role_from_name
from hph.runtime.settings import DEFAULT_AUDIENCE, DEV_ISSUER, Settings

KEY_FILE = "dev-issuer-key.pem"
JWKS_DIR = "dev-issuer-jwks"
RSA_BITS = 2048


def auth_dir(data_dir: Path) -> Path:
    return data_dir / "auth"


def issuer_key_dir(settings: Settings) -> Path:
    """Where the settings' dev issuer keeps its keys: HPH_DEV_ISSUER_KEY_DIR, else the data dir's own."""
    return Path(settings.dev_issuer_key_dir) if settings.dev_issuer_key_dir else auth_dir(settings.data_dir)


def read_published_jwks(data_dir: Path, *, key_dir: Path | None = None) -> dict[str, Any]:
    """The dev issuer's public JWK set as published under `data_dir` (or in `key_dir`, a shared key
    directory); empty before first use."""
    directory = (key_dir or auth_dir(data_dir)) / JWKS_DIR
    keys: list[dict[str, Any]] = []
    with contextlib.suppress(FileNotFoundError):
        for path in sorted(directory.glob("*.json")):
            try:
                keys.append(json.loads(path.read_text("utf-8")))
            except (OSError, ValueError):
                continue  # a half-removed or foreign file must not break verification
    return {"keys": keys}


@dataclass(frozen=True)
class _SigningKey:
    private: rsa.RSAPrivateKey
    kid: str
    public_jwk: dict[str, str]


class DevIssuer:
    """Mints RS256 tokens for local use (`hph token`) with a key pair persisted in the data dir."""

    def __init__(
        self, data_dir: Path, issuer: str = DEV_ISSUER, audience: str = DEFAULT_AUDIENCE, *, key_dir: Path | None = None
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self._dir = key_dir or auth_dir(data_dir)
        self._data_dir = data_dir
        self._lock = threading.Lock()
        self._key: _SigningKey | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> DevIssuer:
        """The settings' issuer: their audience, their key directory (`issuer_key_dir`)."""
        return cls(settings.data_dir, audience=settings.jwt_audience, key_dir=issuer_key_dir(settings))

    @property
    def key_path(self) -> Path:
        return self._dir / KEY_FILE

    @property
    def kid(self) -> str:
        """Id (RFC 7638 thumbprint) of the key new tokens are signed with."""
        return self._current().kid

    def jwks(self) -> dict[str, Any]:
        """Public JWK set: the current key plus keys rotated out earlier."""
        self._current()
        return read_published_jwks(self._data_dir, key_dir=self._dir)

    def issue(
        self,
        subject: str,
        role_name: str,
        *,
        email: str = "",
        name: str = "",
        ttl_seconds: int = 3600,
        now: datetime | None = None,
        extra_claims: Mapping[str, Any] | None = None,
    ) -> str:
        """A signed token for `subject` holding `role_name`.

        `extra_claims` are applied last and may override standard claims; tests use that to craft
        edge cases (future nbf, Entra-like tid). Never expose it to untrusted input.
        """
        if not subject:
            raise ValueError("subject must not be empty")
        if role_from_name(role_name) is None:
            raise ValueError(f"unknown role {role_name!r}; expected customer, staff or admin")
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        key = self._current()
        issued = now or datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "email": email,
            "name": name,
            "roles": [role_name],
            "iat": int(issued.timestamp()),
            "nbf": int(issued.timestamp()),
            "exp": int((issued + timedelta(seconds=ttl_seconds)).timestamp()),
            "jti": str(uuid.uuid4()),
        }
        claims.update(extra_claims or {})
        return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"})

    def rotate(self) -> str:
        """Switches to a fresh key pair and returns its kid; the old public key stays published."""
        with self._lock:
            self._ensure_dir()
            key = _new_signing_key()
            self._publish(key)  # before it can sign anything
            tmp = self._write_temp_private_key(key.private)
            os.replace(tmp, self.key_path)
            self._key = key
            return key.kid

    def _current(self) -> _SigningKey:
        with self._lock:
            if self._key is None:
                self._key = self._load_or_create()
            return self._key

    def _load_or_create(self) -> _SigningKey:
        self._ensure_dir()
        try:
            key = _load_private_key(self.key_path)
        except FileNotFoundError:
            key = self._create()
        self._publish(key)  # repairs a missing JWK (crash between writes, older layout)
        return key

    def _create(self) -> _SigningKey:
        candidate = _new_signing_key()
        self._publish(candidate)
        tmp = self._write_temp_private_key(candidate.private)
        try:
            os.link(tmp, self.key_path)  # fails if another process got there first; never overwrites
        except FileExistsError:
            self._unpublish(candidate)
            return _load_private_key(self.key_path)
        finally:
            tmp.unlink()
        return candidate

    def _ensure_dir(self) -> None:
        self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        (self._dir / JWKS_DIR).mkdir(mode=0o700, exist_ok=True)

    def _write_temp_private_key(self, key: rsa.RSAPrivateKey) -> Path:
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = self._dir / f".{KEY_FILE}.{uuid.uuid4().hex}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)  # the umask may only narrow it, but be explicit
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        return tmp

    def _publish(self, key: _SigningKey) -> None:
        path = self._dir / JWKS_DIR / f"{key.kid}.json"
        if path.exists():
            return
        tmp = path.with_name(f".{key.kid}.{uuid.uuid4().hex}.tmp")
        tmp.write_text(json.dumps(key.public_jwk, sort_keys=True), "utf-8")
        os.replace(tmp, path)  # same content whoever wins, so replacing is harmless

    def _unpublish(self, key: _SigningKey) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self._dir / JWKS_DIR / f"{key.kid}.json").unlink()


def _new_signing_key() -> _SigningKey:
    return _signing_key(rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS))


def _load_private_key(path: Path) -> _SigningKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return _signing_key(key)


def _signing_key(private: rsa.RSAPrivateKey) -> _SigningKey:
    numbers = private.public_key().public_numbers()
    e, n = uint_b64url(numbers.e), uint_b64url(numbers.n)
    kid = jwk_thumbprint(e, n)
    jwk = {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": n, "e": e}
    return _SigningKey(private=private, kid=kid, public_jwk=jwk)


def jwk_thumbprint(e: str, n: str) -> str:
    """RFC 7638 SHA-256 thumbprint of an RSA public key given as JWK members."""
    canonical = json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
