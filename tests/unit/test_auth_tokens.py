"""Authentication core: dev issuer keys, token verification and its refusals, JWKS refresh, Entra contract."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import stat
import threading
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.runtime.auth import (
    ANONYMOUS,
    ROLE_ADMIN,
    ROLE_ANONYMOUS,
    ROLE_CUSTOMER,
    ROLE_STAFF,
    AuthConfigError,
    DevIssuer,
    InvalidTokenError,
    JwksCache,
    OpenIdMetadata,
    Principal,
    Rejection,
    TokenVerifier,
    TrustedIssuer,
    UnknownKeyError,
    build_verifier,
    fetch_json,
    jwk_thumbprint,
    read_published_jwks,
    role_from_name,
    role_name,
)
from hph.runtime.auth.jwks import uint_b64url
from hph.runtime.settings import DEFAULT_AUDIENCE, DEV_ISSUER, Settings
from tests.support.clocks import ManualClock

NOW = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)
LEEWAY = 60
REFRESH = 30.0


@dataclass
class DevSetup:
    issuer: DevIssuer
    keys: JwksCache
    verifier: TokenVerifier
    monotonic: ManualClock[float]
    revoked: set[str] = field(default_factory=set)


@pytest.fixture
def dev(tmp_path: Path) -> DevSetup:
    monotonic = ManualClock(1000.0)  # monotonic seconds, for JWKS refetch rate limiting

    async def fetch() -> Mapping[str, Any]:
        return await asyncio.to_thread(read_published_jwks, tmp_path)

    keys = JwksCache(fetch, REFRESH, clock=monotonic)
    revoked: set[str] = set()

    async def is_revoked(jti: str) -> bool:
        return jti in revoked

    verifier = TokenVerifier(
        [TrustedIssuer(DEV_ISSUER, keys, frozenset({DEFAULT_AUDIENCE}))],
        leeway_seconds=LEEWAY,
        is_revoked=is_revoked,
        clock=lambda: NOW,
    )
    return DevSetup(DevIssuer(tmp_path), keys, verifier, monotonic, revoked)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64json(value: Mapping[str, Any]) -> str:
    return _b64(json.dumps(value).encode())


def _claims(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": DEV_ISSUER,
        "aud": DEFAULT_AUDIENCE,
        "sub": "user-1",
        "roles": ["customer"],
        "iat": int(NOW.timestamp()),
        "nbf": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 3600,
        "jti": str(uuid.uuid4()),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def _private_key(issuer: DevIssuer) -> rsa.RSAPrivateKey:
    assert issuer.kid  # the key pair is created on first use
    key = serialization.load_pem_private_key(issuer.key_path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


async def _refusal(verifier: TokenVerifier, token: str) -> ErrorReason:
    with pytest.raises(InvalidTokenError) as caught:
        await verifier.verify(token)
    return caught.value.reason


# --- roles and principal -------------------------------------------------------------------------


def test_role_names_map_both_ways() -> None:
    assert role_from_name("customer") == ROLE_CUSTOMER
    assert role_from_name("staff") == ROLE_STAFF
    assert role_from_name("admin") == ROLE_ADMIN
    assert role_from_name("anonymous") is None
    assert role_from_name("root") is None
    assert [role_name(r) for r in (ROLE_ANONYMOUS, ROLE_CUSTOMER, ROLE_STAFF, ROLE_ADMIN)] == [
        "anonymous",
        "customer",
        "staff",
        "admin",
    ]
    assert ROLE_ANONYMOUS < ROLE_CUSTOMER < ROLE_STAFF < ROLE_ADMIN


def test_anonymous_principal_has_no_roles() -> None:
    assert not ANONYMOUS.is_authenticated
    assert ANONYMOUS.role_names == ()
    assert ANONYMOUS.has_role(ROLE_ANONYMOUS)
    assert not ANONYMOUS.has_role(ROLE_CUSTOMER)


def test_role_rejection_maps_to_unauthenticated() -> None:
    error = InvalidTokenError(Rejection.EXPIRED, "exp 1").to_domain_error()
    assert error.code == grpc.StatusCode.UNAUTHENTICATED
    assert error.reason == ErrorReason.ERROR_REASON_TOKEN_EXPIRED
    assert "exp 1" not in error.message


# --- dev issuer ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected", "names"),
    [
        ("customer", ROLE_CUSTOMER, ("customer",)),
        ("staff", ROLE_STAFF, ("customer", "staff")),
        ("admin", ROLE_ADMIN, ("customer", "staff", "admin")),
    ],
)
async def test_dev_token_round_trip(dev: DevSetup, role: str, expected: int, names: tuple[str, ...]) -> None:
    token = dev.issuer.issue("user-7", role, email="u7@example.com", name="User Seven", now=NOW)

    principal = await dev.verifier.verify(token)

    assert isinstance(principal, Principal)
    assert (principal.subject, principal.email, principal.name) == ("user-7", "u7@example.com", "User Seven")
    assert principal.role == expected
    assert principal.role_names == names
    assert principal.is_authenticated
    assert principal.has_role(ROLE_CUSTOMER) and principal.has_role(expected)
    assert not principal.has_role(expected + 1)
    assert principal.issuer == DEV_ISSUER
    assert principal.expires_at == NOW + timedelta(hours=1)
    assert str(uuid.UUID(principal.token_id)) == principal.token_id
    assert principal.claims["roles"] == [role]
    header = jwt.get_unverified_header(token)
    assert (header["alg"], header["kid"]) == ("RS256", dev.issuer.kid)


@pytest.mark.parametrize(
    ("roles", "expected"),
    [(["superuser"], ROLE_CUSTOMER), ([], ROLE_CUSTOMER), (["staff", "bogus", "admin"], ROLE_ADMIN)],
)
async def test_unknown_role_names_are_ignored(dev: DevSetup, roles: list[str], expected: int) -> None:
    token = dev.issuer.issue("user-1", "customer", now=NOW, extra_claims={"roles": roles})
    assert (await dev.verifier.verify(token)).role == expected


def test_issue_refuses_unknown_role_and_bad_ttl(tmp_path: Path) -> None:
    issuer = DevIssuer(tmp_path)
    with pytest.raises(ValueError, match="unknown role"):
        issuer.issue("user-1", "root")
    with pytest.raises(ValueError, match="ttl"):
        issuer.issue("user-1", "staff", ttl_seconds=0)


def test_key_persists_across_instances_with_mode_0600(tmp_path: Path) -> None:
    first = DevIssuer(tmp_path)
    kid = first.kid

    assert DevIssuer(tmp_path).kid == kid
    assert stat.S_IMODE(os.stat(first.key_path).st_mode) == 0o600
    assert first.key_path.parent == tmp_path / "auth"
    assert [k["kid"] for k in DevIssuer(tmp_path).jwks()["keys"]] == [kid]


def test_jwks_holds_public_keys_only_with_rfc7638_kid(tmp_path: Path) -> None:
    issuer = DevIssuer(tmp_path)
    (jwk,) = issuer.jwks()["keys"]

    assert set(jwk) == {"kty", "kid", "use", "alg", "n", "e"}
    assert (jwk["kty"], jwk["use"], jwk["alg"]) == ("RSA", "sig", "RS256")
    assert jwk["kid"] == jwk_thumbprint(jwk["e"], jwk["n"]) == issuer.kid
    numbers = _private_key(issuer).public_key().public_numbers()
    assert (jwk["n"], jwk["e"]) == (uint_b64url(numbers.n), uint_b64url(numbers.e))


def test_jwk_thumbprint_matches_rfc7638_example() -> None:
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs"
        "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5"
        "hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    assert jwk_thumbprint("AQAB", n) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_concurrent_creation_on_one_dir_yields_one_key(tmp_path: Path) -> None:
    workers = 8
    barrier = threading.Barrier(workers)
    kids: list[str] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            barrier.wait()
            kids.append(DevIssuer(tmp_path).kid)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert len(kids) == workers and len(set(kids)) == 1
    assert [k["kid"] for k in read_published_jwks(tmp_path)["keys"]] == kids[:1]
    leftovers = [p.name for p in (tmp_path / "auth").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


# --- forgeries and invalid tokens ----------------------------------------------------------------


async def test_alg_none_is_refused(dev: DevSetup) -> None:
    token = f"{_b64json({'alg': 'none', 'typ': 'JWT', 'kid': dev.issuer.kid})}.{_b64json(_claims())}."
    assert await _refusal(dev.verifier, token) == Rejection.ALGORITHM_REFUSED
    assert dev.keys.fetch_count == 0  # refused before any key was touched


async def test_hs256_keyed_with_public_pem_is_refused(dev: DevSetup) -> None:
    pem = (
        _private_key(dev.issuer)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = f"{_b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': dev.issuer.kid})}.{_b64json(_claims())}"
    signature = _b64(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())

    assert await _refusal(dev.verifier, f"{signing_input}.{signature}") == Rejection.ALGORITHM_REFUSED
    assert dev.keys.fetch_count == 0


async def test_other_rsa_algorithms_are_refused(dev: DevSetup) -> None:
    token = jwt.encode(_claims(), _private_key(dev.issuer), algorithm="RS512", headers={"kid": dev.issuer.kid})
    assert await _refusal(dev.verifier, token) == Rejection.ALGORITHM_REFUSED


async def test_same_kid_signed_by_another_key_is_refused(dev: DevSetup) -> None:
    token = jwt.encode(_claims(), _new_key(), algorithm="RS256", headers={"kid": dev.issuer.kid})
    assert await _refusal(dev.verifier, token) == Rejection.SIGNATURE_INVALID


async def test_unknown_kid_is_refused(dev: DevSetup) -> None:
    dev.issuer.issue("user-1", "customer", now=NOW)  # the issuer has published its key
    token = jwt.encode(_claims(), _new_key(), algorithm="RS256", headers={"kid": "not-a-known-kid"})
    assert await _refusal(dev.verifier, token) == Rejection.KID_UNKNOWN


async def test_tampered_payload_is_refused(dev: DevSetup) -> None:
    header, _, signature = dev.issuer.issue("user-1", "customer", now=NOW).split(".")
    tampered = f"{header}.{_b64json(_claims(roles=['admin']))}.{signature}"
    assert await _refusal(dev.verifier, tampered) == Rejection.SIGNATURE_INVALID


async def test_missing_kid_and_garbage_are_refused(dev: DevSetup) -> None:
    no_kid = jwt.encode(_claims(), _private_key(dev.issuer), algorithm="RS256")
    assert await _refusal(dev.verifier, no_kid) == Rejection.KID_MISSING
    assert await _refusal(dev.verifier, "not.a.jwt") == Rejection.MALFORMED
    assert await _refusal(dev.verifier, "") == Rejection.MALFORMED
    assert await _refusal(dev.verifier, "x" * 20_000) == Rejection.MALFORMED


@pytest.mark.parametrize("claim", ["sub", "exp"])
async def test_missing_required_claims_are_refused(dev: DevSetup, claim: str) -> None:
    token = jwt.encode(
        _claims(**{claim: None}), _private_key(dev.issuer), algorithm="RS256", headers={"kid": dev.issuer.kid}
    )
    assert await _refusal(dev.verifier, token) == Rejection.CLAIM_MISSING


async def test_expiry_honours_leeway(dev: DevSetup) -> None:
    past_leeway = dev.issuer.issue("user-1", "customer", ttl_seconds=3600, now=NOW - timedelta(seconds=3661))
    within_leeway = dev.issuer.issue("user-1", "customer", ttl_seconds=3600, now=NOW - timedelta(seconds=3630))

    assert await _refusal(dev.verifier, past_leeway) == Rejection.EXPIRED
    assert (await dev.verifier.verify(within_leeway)).subject == "user-1"


@pytest.mark.parametrize("claim", ["nbf", "iat"])
async def test_not_yet_valid_is_refused_beyond_leeway(dev: DevSetup, claim: str) -> None:
    soon = int(NOW.timestamp()) + LEEWAY - 10
    later = int(NOW.timestamp()) + LEEWAY + 240

    future = dev.issuer.issue("user-1", "customer", now=NOW, extra_claims={claim: later})
    assert await _refusal(dev.verifier, future) == Rejection.NOT_YET_VALID
    skewed = dev.issuer.issue("user-1", "customer", now=NOW, extra_claims={claim: soon})
    assert (await dev.verifier.verify(skewed)).subject == "user-1"


async def test_audience_must_be_accepted(dev: DevSetup, tmp_path: Path) -> None:
    other_audience = DevIssuer(tmp_path, audience="api://someone-else")
    assert await _refusal(dev.verifier, other_audience.issue("user-1", "customer", now=NOW)) == (
        Rejection.AUDIENCE_INVALID
    )
    listed = other_audience.issue(
        "user-1", "customer", now=NOW, extra_claims={"aud": ["api://someone-else", DEFAULT_AUDIENCE]}
    )
    assert (await dev.verifier.verify(listed)).subject == "user-1"


async def test_untrusted_issuer_is_refused_even_with_a_trusted_key(dev: DevSetup, tmp_path: Path) -> None:
    impostor = DevIssuer(tmp_path, issuer="https://evil.example/issuer")  # same key files
    assert await _refusal(dev.verifier, impostor.issue("user-1", "admin", now=NOW)) == Rejection.ISSUER_UNTRUSTED


async def test_revoked_jti_is_refused(dev: DevSetup) -> None:
    revoked = dev.issuer.issue("user-1", "customer", now=NOW)
    kept = dev.issuer.issue("user-1", "customer", now=NOW)
    dev.revoked.add(jwt.decode(revoked, options={"verify_signature": False})["jti"])

    assert await _refusal(dev.verifier, revoked) == Rejection.REVOKED
    assert (await dev.verifier.verify(kept)).subject == "user-1"


# --- JWKS refresh --------------------------------------------------------------------------------


async def test_rotation_by_another_process_is_picked_up_with_one_refetch(dev: DevSetup, tmp_path: Path) -> None:
    old_token = dev.issuer.issue("user-1", "customer", now=NOW)
    await dev.verifier.verify(old_token)
    assert dev.keys.fetch_count == 1

    other_process = DevIssuer(tmp_path)
    new_kid = other_process.rotate()
    new_token = other_process.issue("user-2", "staff", now=NOW)
    assert new_kid != dev.issuer.kid
    dev.monotonic.advance(REFRESH + 1)

    assert (await dev.verifier.verify(new_token)).subject == "user-2"
    assert dev.keys.fetch_count == 2
    # The rotated-out key stays published, so outstanding tokens still verify, without a fetch.
    assert (await dev.verifier.verify(old_token)).subject == "user-1"
    assert (await dev.verifier.verify(dev.issuer.issue("user-3", "customer", now=NOW))).subject == "user-3"
    assert dev.keys.fetch_count == 2
    assert stat.S_IMODE(os.stat(other_process.key_path).st_mode) == 0o600
    assert DevIssuer(tmp_path).kid == new_kid


async def test_rotation_within_refresh_interval_is_not_fetched_yet(dev: DevSetup) -> None:
    await dev.verifier.verify(dev.issuer.issue("user-1", "customer", now=NOW))
    dev.issuer.rotate()
    fresh = dev.issuer.issue("user-1", "customer", now=NOW)

    assert await _refusal(dev.verifier, fresh) == Rejection.KID_UNKNOWN
    dev.monotonic.advance(REFRESH)
    assert (await dev.verifier.verify(fresh)).subject == "user-1"
    assert dev.keys.fetch_count == 2


async def test_concurrent_callers_wait_for_the_shared_refetch(dev: DevSetup) -> None:
    await dev.verifier.verify(dev.issuer.issue("user-1", "customer", now=NOW))
    dev.issuer.rotate()
    dev.monotonic.advance(REFRESH + 1)
    fresh = [dev.issuer.issue(f"user-{i}", "customer", now=NOW) for i in range(10)]

    principals = await asyncio.gather(*(dev.verifier.verify(t) for t in fresh))

    assert [p.subject for p in principals] == [f"user-{i}" for i in range(10)]
    assert dev.keys.fetch_count == 2


async def test_unknown_kid_storm_is_rate_limited(dev: DevSetup) -> None:
    await dev.verifier.verify(dev.issuer.issue("user-1", "customer", now=NOW))
    assert dev.keys.fetch_count == 1
    attacker = _new_key()
    storm = [jwt.encode(_claims(), attacker, algorithm="RS256", headers={"kid": f"random-{i}"}) for i in range(25)]

    async def refusals() -> list[ErrorReason]:
        results = await asyncio.gather(*(dev.verifier.verify(t) for t in storm), return_exceptions=True)
        assert all(isinstance(r, InvalidTokenError) for r in results)
        return [r.reason for r in results if isinstance(r, InvalidTokenError)]

    assert set(await refusals()) == {Rejection.KID_UNKNOWN}
    assert dev.keys.fetch_count == 1  # within the interval: no fetch at all
    dev.monotonic.advance(REFRESH + 1)
    assert set(await refusals()) == {Rejection.KID_UNKNOWN}
    assert dev.keys.fetch_count == 2  # concurrent misses shared one fetch
    assert set(await refusals()) == {Rejection.KID_UNKNOWN}
    assert dev.keys.fetch_count == 2


async def test_key_set_skips_keys_unfit_for_rs256() -> None:
    good, weak = _new_key(), rsa.generate_private_key(public_exponent=65537, key_size=1024)

    def jwk(key: rsa.RSAPrivateKey, kid: str, **extra: str) -> dict[str, str]:
        numbers = key.public_key().public_numbers()
        return {"kty": "RSA", "kid": kid, "n": uint_b64url(numbers.n), "e": uint_b64url(numbers.e), **extra}

    document = {
        "keys": [
            jwk(good, "plain"),
            jwk(good, "sig", use="sig", alg="RS256"),
            jwk(good, "enc", use="enc"),
            jwk(good, "ps256", alg="PS256"),
            jwk(weak, "weak"),
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "RSA", "kid": "broken", "n": "", "e": "AQAB"},
        ]
    }

    async def fetch() -> Mapping[str, Any]:
        return document

    cache = JwksCache(fetch, 0.0)
    assert (await cache.key_for("plain")).public_numbers() == good.public_key().public_numbers()
    await cache.key_for("sig")
    for kid in ("enc", "ps256", "weak", "ec", "broken"):
        with pytest.raises(UnknownKeyError):
            await cache.key_for(kid)


# --- Entra ID adapter contract (real HTTP server) ------------------------------------------------

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


@dataclass
class EntraStub:
    base_url: str
    key: rsa.RSAPrivateKey
    kid: str
    hits: Counter[str]

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/{TENANT}/v2.0/.well-known/openid-configuration"

    @property
    def issuer(self) -> str:
        # Deliberately not login.microsoftonline.com: the verifier must trust the metadata's issuer.
        return f"{self.base_url}/{TENANT}/v2.0"

    def token(self, **overrides: Any) -> str:
        now = int(datetime.now(UTC).timestamp())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT,
            "tid": TENANT,
            "sub": "entra-subject",
            "oid": "object-id",
            "name": "Entra User",
            "preferred_username": "entra.user@contoso.example",
            "roles": ["staff"],
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "ver": "2.0",
        }
        claims.update(overrides)
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})


@pytest.fixture
def entra() -> Iterator[EntraStub]:
    key = _new_key()
    numbers = key.public_key().public_numbers()
    e, n = uint_b64url(numbers.e), uint_b64url(numbers.n)
    kid = jwk_thumbprint(e, n)
    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    hits: Counter[str] = Counter()
    documents: dict[str, dict[str, Any]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits[self.path] += 1
            document = documents.get(self.path)
            body = json.dumps(document or {"error": "not found"}).encode()
            self.send_response(200 if document else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    documents[f"/{TENANT}/v2.0/.well-known/openid-configuration"] = {
        "issuer": f"{base}/{TENANT}/v2.0",
        "jwks_uri": f"{base}/{TENANT}/discovery/v2.0/keys",
        "id_token_signing_alg_values_supported": ["RS256"],
    }
    documents[f"/{TENANT}/discovery/v2.0/keys"] = {
        "keys": [
            {
                "kty": "EC",
                "kid": "ec-key",
                "crv": "P-256",
                "x": uint_b64url(other.x),
                "y": uint_b64url(other.y),
            },
            {
                "kty": "RSA",
                "use": "sig",
                "kid": kid,
                "n": n,
                "e": e,
                "x5t": kid,
                "issuer": f"{base}/{TENANT}/v2.0",
            },
        ]
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield EntraStub(base, key, kid, hits)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _entra_settings(tmp_path: Path, stub: EntraStub, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "dev_issuer_enabled": False,
        "entra_tenant_id": TENANT,
        "entra_client_id": CLIENT,
        "entra_metadata_url": stub.metadata_url,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.mark.integration  # an HTTP server stands in for Entra ID
async def test_entra_token_verifies_through_metadata_and_jwks(tmp_path: Path, entra: EntraStub) -> None:
    verifier = build_verifier(_entra_settings(tmp_path, entra), is_revoked=None)
    assert sum(entra.hits.values()) == 0  # metadata is loaded lazily, at first use

    principal = await verifier.verify(entra.token())

    assert principal.subject == "entra-subject"
    assert principal.role == ROLE_STAFF
    assert principal.email == "entra.user@contoso.example"
    assert principal.issuer == entra.issuer
    for audience in (f"api://{CLIENT}", DEFAULT_AUDIENCE):
        assert (await verifier.verify(entra.token(aud=audience, roles=["admin"]))).role == ROLE_ADMIN
    assert (await verifier.verify(entra.token(roles=None))).role == ROLE_CUSTOMER
    assert entra.hits == Counter(
        {f"/{TENANT}/v2.0/.well-known/openid-configuration": 1, f"/{TENANT}/discovery/v2.0/keys": 1}
    )


@pytest.mark.integration  # an HTTP server stands in for Entra ID
async def test_entra_refusals(tmp_path: Path, entra: EntraStub) -> None:
    verifier = build_verifier(_entra_settings(tmp_path, entra), is_revoked=None)

    assert await _refusal(verifier, entra.token(tid="99999999-0000-0000-0000-000000000000")) == (
        Rejection.TENANT_NOT_ALLOWED
    )
    assert await _refusal(verifier, entra.token(tid=None)) == Rejection.TENANT_NOT_ALLOWED
    assert await _refusal(verifier, entra.token(aud="api://another-app")) == Rejection.AUDIENCE_INVALID
    other_tenant_issuer = f"{entra.base_url}/99999999-0000-0000-0000-000000000000/v2.0"
    assert await _refusal(verifier, entra.token(iss=other_tenant_issuer)) == Rejection.ISSUER_UNTRUSTED
    dev_token = DevIssuer(tmp_path).issue("user-1", "admin")
    assert await _refusal(verifier, dev_token) == Rejection.ISSUER_UNTRUSTED  # dev issuer disabled


@pytest.mark.integration  # an HTTP server stands in for Entra ID
async def test_dev_and_entra_trusted_together(tmp_path: Path, entra: EntraStub) -> None:
    verifier = build_verifier(_entra_settings(tmp_path, entra, dev_issuer_enabled=True), is_revoked=None)

    dev_principal = await verifier.verify(DevIssuer(tmp_path).issue("user-1", "admin"))
    assert dev_principal.role == ROLE_ADMIN
    assert sum(entra.hits.values()) == 0  # a dev token never waits on Entra
    assert (await verifier.verify(entra.token())).role == ROLE_STAFF


@pytest.mark.integration  # an HTTP server stands in for Entra ID
async def test_unreachable_metadata_is_a_config_error(tmp_path: Path, entra: EntraStub) -> None:
    settings = _entra_settings(tmp_path, entra, entra_metadata_url=f"{entra.base_url}/missing")
    verifier = build_verifier(settings, is_revoked=None)

    with pytest.raises(AuthConfigError, match="404"):
        await verifier.verify(entra.token())
    with pytest.raises(AuthConfigError):  # retried only after the refresh interval
        await verifier.verify(entra.token())
    assert entra.hits["/missing"] == 1


@pytest.mark.integration  # an HTTP server stands in for Entra ID
async def test_fetch_json_and_metadata_validation(entra: EntraStub) -> None:
    metadata = await OpenIdMetadata.load(entra.metadata_url)
    assert metadata.issuer == entra.issuer
    assert metadata.jwks_uri.endswith("/discovery/v2.0/keys")
    assert "keys" in await fetch_json(metadata.jwks_uri)
    with pytest.raises(AuthConfigError, match="only http and https"):
        await fetch_json("file:///etc/passwd")
    with pytest.raises(AuthConfigError, match="no issuer"):
        OpenIdMetadata.from_document({"jwks_uri": "https://x/keys"})
    with pytest.raises(AuthConfigError, match="jwks_uri"):
        OpenIdMetadata.from_document({"issuer": "https://x", "jwks_uri": "file:///keys"})


# --- a key directory the hosts of a cluster share --------------------------------------------------


async def test_hosts_sharing_a_key_dir_accept_each_others_dev_tokens(tmp_path: Path) -> None:
    shared = str(tmp_path / "cluster-issuer")
    host_a = Settings(data_dir=tmp_path / "a", dev_issuer_key_dir=shared, jwks_min_refresh_seconds=0)
    host_b = Settings(data_dir=tmp_path / "b", dev_issuer_key_dir=shared, jwks_min_refresh_seconds=0)
    token = DevIssuer.from_settings(host_a).issue("shopper-1", "customer")

    principal = await build_verifier(host_b, is_revoked=None).verify(token)

    assert principal.subject == "shopper-1"
    assert DevIssuer.from_settings(host_b).kid == DevIssuer.from_settings(host_a).kid
    assert not (tmp_path / "a" / "auth").exists() and not (tmp_path / "b" / "auth").exists()
    # Each data dir's own issuer (the embedded default) trusts only its own keys.
    alone = Settings(data_dir=tmp_path / "c", jwks_min_refresh_seconds=0)
    DevIssuer.from_settings(alone).issue("staff-sam", "staff")
    assert await _refusal(build_verifier(alone, is_revoked=None), token) == Rejection.KID_UNKNOWN
