"""Profiles: named sets of setting defaults (`HPH_PROFILE`, `hph up --profile NAME`).

A profile only changes defaults: a variable set in the environment, or a flag, still wins, so a
profile is the quick way to a topology and every setting stays one variable to change.

- `embedded` (the default): everything in the data dir and this process (SQLite, the SQLite event
  log, in-process caches and rate limits, files for cold memory).
- `local-cluster`: the engines several hosts on this machine share, at their usual local addresses:
  PostgreSQL (database `hph_local_cluster`, created by `hph up`/`hph serve` when missing), Redis
  Streams for the event log and Redis for the hot cache, the rate limits and the memory hot tier,
  azurite for the cold memory tier (started by `hph up`/`hph serve` when nothing listens on its
  port), and one dev issuer key directory for every host started from this folder. docs/profiles.md
  shows how to run several hosts on it.

The Azure profile is not a preset: its endpoints are an account's own, so it is the settings table
in docs/profiles.md.
"""

from __future__ import annotations

from typing import Any

EMBEDDED = "embedded"
LOCAL_CLUSTER = "local-cluster"
PROFILES = (EMBEDDED, LOCAL_CLUSTER)

# Azurite's well-known development account (public, the same in every azurite): the emulator's
# only account unless AZURITE_ACCOUNTS says otherwise.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE_BLOB_PORT = 10000


def azurite_connection_string(port: int = AZURITE_BLOB_PORT) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
    )


_LOCAL_CLUSTER: dict[str, Any] = {
    "storage": "postgres",
    "postgres_dsn": "postgresql://postgres@127.0.0.1:5432/hph_local_cluster",
    "event_log": "redis",
    "redis_url": "redis://127.0.0.1:6379/0",
    "hot_cache": "redis",
    "rate_limits": "redis",
    "memory_cold": "blob",
    "azure_emulator": True,
    "azure_storage_connection_string": azurite_connection_string(),
    "dev_issuer_key_dir": ".hph-cluster/dev-issuer",
}


def profile_defaults(profile: str) -> dict[str, Any]:
    """The setting defaults of `profile` (field name -> value); ValueError naming the profiles for
    an unknown one."""
    if profile in ("", EMBEDDED):
        return {}
    if profile == LOCAL_CLUSTER:
        return dict(_LOCAL_CLUSTER)
    raise ValueError(f"HPH_PROFILE (--profile) {profile!r}: choose one of {', '.join(PROFILES)}")
