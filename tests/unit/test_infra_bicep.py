"""What can be checked of infra/*.bicep without the Bicep CLI (none runs here): the registries the
code reads reach the Bicep (each `loadJsonContent` path exists, and every field the Bicep reads of
an entry is in every entry), module wiring (every module's required parameters are passed, no
unknown ones, every output read exists), resource names are valid Azure names for every allowed
base name, the role definition ids are the documented built-in ones, the security settings the
code relies on hold, and the defaults match the code's settings.

It parses the Bicep with regular expressions over the small subset these files use; a change the
parser does not understand fails a test rather than passing unseen."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hph.runtime.settings import Settings
from hph.runtime.storage.port import validate_container_name
from hph.runtime.storage.registry import registry

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
BICEP_FILES = sorted(INFRA.glob("*.bicep"))

# Built-in role definition ids, as Microsoft documents them
# (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles; Cosmos DB's
# data-plane roles: https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac).
DOCUMENTED_ROLES = {
    "2b629674-e913-4c01-ae53-ef4638d8f975": "Azure Event Hubs Data Sender",
    "a638d3c7-ab3a-418d-83e6-5f17a39d4fde": "Azure Event Hubs Data Receiver",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "00000000-0000-0000-0000-000000000002": "Cosmos DB Built-in Data Contributor",
}
# What the workload identity needs: send and receive events, read and write blobs and documents.
NEEDED_ROLES = set(DOCUMENTED_ROLES)

_GUID = re.compile(r"'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'")
_PARAM = re.compile(r"^param (\w+) (\w+)(?: = (.+))?$", re.MULTILINE)
_OUTPUT = re.compile(r"^output (\w+) (\w+) = ", re.MULTILINE)
_MODULE = re.compile(r"^module (\w+) '([^']+)' = \{\n(.*?)^\}", re.MULTILINE | re.DOTALL)


def _text(name: str) -> str:
    return (INFRA / name).read_text(encoding="utf-8")


def _params(text: str) -> dict[str, str | None]:
    """Declared parameters and their default (None: required)."""
    return {match[1]: match[3] for match in _PARAM.finditer(text)}


def _decorators(text: str, param: str) -> dict[str, str]:
    """The @minLength/@maxLength/... decorators right above a parameter."""
    lines = text[: text.index(f"\nparam {param} ")].splitlines()
    found: dict[str, str] = {}
    for line in reversed(lines):
        match = re.fullmatch(r"@(\w+)\((.*)\)", line.strip())
        if not match:
            break
        found[match[1]] = match[2]
    return found


# --- the registries reach the Bicep ------------------------------------------------------------


def test_every_load_json_content_path_exists() -> None:
    loads = [
        (path, match) for path in BICEP_FILES for match in re.findall(r"loadJsonContent\('([^']+)'\)", path.read_text())
    ]
    assert {path.name for path, _ in loads} >= {"cosmos.bicep", "eventhubs.bicep"}
    for path, relative in loads:
        assert (path.parent / relative).resolve().is_file(), f"{path.name}: {relative}"


def test_cosmos_bicep_reads_the_container_registry_and_every_field_it_reads_is_in_every_entry() -> None:
    text = _text("cosmos.bicep")
    assert "loadJsonContent('../services/hph/runtime/storage/containers.json')" in text
    assert "var containers = registry.containers" in text
    loop = re.search(r"= \[for (\w+) in containers: \{", text)
    assert loop, "cosmos.bicep provisions one container per registry entry"
    fields = set(re.findall(rf"\b{loop[1]}\.(\w+)", text))
    assert fields == {"name", "partitionKeyPath", "excludedPaths", "compositeIndexes", "defaultTtl"}
    raw = json.loads((ROOT / "services/hph/runtime/storage/containers.json").read_text(encoding="utf-8"))
    for entry in raw["containers"]:
        assert fields <= set(entry), entry["name"]


def test_cosmos_bicep_builds_the_policy_the_adapter_builds() -> None:
    text = _text("cosmos.bicep")
    # The same shape as RegisteredContainer.indexing_policy: everything indexed but the _etag and
    # the excluded paths, composite indexes verbatim, TTL only where the registry sets one.
    policy = registry()["tickets"].indexing_policy()
    assert f"indexingMode: '{policy['indexingMode']}'" in text
    assert "automatic: true" in text
    assert "includedPaths: [{ path: '/*' }]" in text
    assert f"var etagPath = '{policy['excludedPaths'][0]['path']}'" in text
    assert "excludedPaths: map(concat([etagPath], c.excludedPaths), path => { path: path })" in text
    assert "compositeIndexes: c.compositeIndexes" in text
    assert "c.defaultTtl == null ? {} : { defaultTtl: c.defaultTtl }" in text
    assert "paths: [c.partitionKeyPath]" in text


def test_eventhubs_bicep_reads_the_topic_registry_and_every_field_it_reads_is_in_every_topic() -> None:
    text = _text("eventhubs.bicep")
    assert "loadJsonContent('../services/hph/runtime/events/registry.json')" in text
    fields = set(re.findall(r"\btopic\.value\.(\w+)", text))
    assert fields == {"partitions", "consumer_groups"}
    raw = json.loads((ROOT / "services/hph/runtime/events/registry.json").read_text(encoding="utf-8"))
    for name, topic in raw["topics"].items():
        assert fields <= set(topic), name


# --- modules ------------------------------------------------------------------------------------


def test_main_wires_every_module_with_its_required_parameters_and_existing_outputs() -> None:
    main = _text("main.bicep")
    modules = {match[1]: (match[2], match[3]) for match in _MODULE.finditer(main)}
    assert set(modules) == {"identity", "cosmos", "eventHubsNamespace", "eventHubs", "redis", "storage", "roles"}
    for symbol, (file, body) in modules.items():
        target = _text(file)
        declared = _params(target)
        passed = set(re.findall(r"^    (\w+): ", body, re.MULTILINE))
        assert passed <= set(declared), f"{symbol} passes unknown parameters {passed - set(declared)}"
        required = {name for name, default in declared.items() if default is None}
        assert required <= passed, f"{symbol} lacks {required - passed}"
        outputs = {name for name, _ in _OUTPUT.findall(target)}
        used = set(re.findall(rf"\b{symbol}\.outputs\.(\w+)", main))
        assert used <= outputs, f"{symbol} has no outputs {used - outputs}"
    assert set(re.findall(r"^module \w+ '([^']+)'", main, re.MULTILINE)) == {
        path.name for path in BICEP_FILES if path.name != "main.bicep"
    }, "every Bicep file is part of main.bicep"


def test_no_output_shares_a_name_with_another_symbol_of_its_file() -> None:
    """Older Bicep versions refuse an output named like a parameter, variable, resource or module."""
    for path in BICEP_FILES:
        text = path.read_text(encoding="utf-8")
        symbols = set(re.findall(r"^(?:param|var|resource|module) (\w+) ", text, re.MULTILINE))
        outputs = {name for name, _ in _OUTPUT.findall(text)}
        assert outputs & symbols == set(), path.name


# --- names ---------------------------------------------------------------------------------------

# Azure's naming rules of each resource main.bicep names
# (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules).
NAME_RULES = {
    "cosmosName": re.compile(r"[a-z0-9][a-z0-9-]{1,42}[a-z0-9]"),  # 3-44, lowercase, hyphens inside
    "eventHubsName": re.compile(r"[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]"),  # 6-50, starts with a letter
    "redisName": re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"),  # 1-63
    "storageName": re.compile(r"[a-z0-9]{3,24}"),  # 3-24, lowercase letters and digits only
    "identityName": re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}"),  # 3-128
}
BLOB_CONTAINER = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}")
EVENT_HUB = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9._-]{0,254}[a-zA-Z0-9])?")
CONSUMER_GROUP = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9._-]{0,48}[a-zA-Z0-9])?")
FEDERATED_CREDENTIAL = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}")


def _evaluate(template: str, base: str, suffix: str) -> str:
    """A name template of main.bicep with its only functions (take) evaluated."""

    def part(match: re.Match[str]) -> str:
        expression = match[1]
        if expression == "base":
            return base
        if expression == "suffix":
            return suffix
        taken = re.fullmatch(r"take\(suffix, (\d+)\)", expression)
        if taken:
            return suffix[: int(taken[1])]
        raise AssertionError(f"cannot evaluate ${{{expression}}}: extend the test")

    return re.sub(r"\$\{([^}]+)\}", part, template)


# uniqueString gives 13 characters of lowercase letters and digits, any of them first.
@pytest.mark.parametrize("suffix", ["abcdefghijklm", "0123456789abc"])
@pytest.mark.parametrize("base", ["hph", "holidaypeak", "HPH01", "a1b2c3d4e5f"])
def test_resource_names_are_valid_for_every_allowed_base_name(base: str, suffix: str) -> None:
    main = _text("main.bicep")
    decorators = _decorators(main, "baseName")
    assert (decorators["minLength"], decorators["maxLength"]) == ("3", "11")
    assert "var base = toLower(baseName)" in main
    templates = dict(re.findall(r"^var (\w+Name) = '([^']+)'$", main, re.MULTILINE))
    assert set(templates) == set(NAME_RULES)
    for variable, rule in NAME_RULES.items():
        name = _evaluate(templates[variable], base.lower(), suffix)
        assert rule.fullmatch(name), f"{variable} = {name!r}"
        assert "--" not in name


def test_registry_and_default_names_are_valid() -> None:
    for entry in registry().values():
        validate_container_name(entry.spec.name)
    topics = json.loads((ROOT / "services/hph/runtime/events/registry.json").read_text(encoding="utf-8"))["topics"]
    for topic, spec in topics.items():
        assert EVENT_HUB.fullmatch(topic), topic
        assert 1 <= spec["partitions"] <= 32  # Standard tier's bound
        assert len(spec["consumer_groups"]) <= 19  # 20 per hub on Standard, $Default included
        for group in spec["consumer_groups"]:
            assert CONSUMER_GROUP.fullmatch(group), group
    storage = _params(_text("storage.bicep"))
    for param in ("memoryColdContainer", "checkpointContainer"):
        default = (storage[param] or "").strip("'")
        assert BLOB_CONTAINER.fullmatch(default), default
    main = _params(_text("main.bicep"))
    namespace, account = ((main[param] or "").strip("'") for param in ("kubernetesNamespace", "serviceAccountName"))
    assert "name: 'aks-${serviceAccountNamespace}-${serviceAccountName}'" in _text("identity.bicep")
    credential = f"aks-{namespace}-{account}"
    assert FEDERATED_CREDENTIAL.fullmatch(credential)


def test_defaults_are_the_codes_settings() -> None:
    main = _text("main.bicep")
    defaults = Settings()
    assert f"var cosmosDatabase = '{defaults.cosmos_database}'" in main
    assert f"var memoryColdContainer = '{defaults.memory_cold_container}'" in main
    assert f"var checkpointContainer = '{defaults.eventhubs_checkpoint_container}'" in main
    assert _params(main)["eventRetentionHours"] == str(int(defaults.event_retention_hours))
    assert _params(_text("eventhubs.bicep"))["retentionHours"] == str(int(defaults.event_retention_hours))


# --- roles ---------------------------------------------------------------------------------------


def test_role_definition_ids_are_the_documented_built_in_roles() -> None:
    text = _text("roles.bicep")
    used = {match[1]: match[2].strip() for match in re.finditer(rf"{_GUID.pattern} // (.+)$", text, re.MULTILINE)}
    assert set(_GUID.findall(text)) == set(used), "name each role id in a comment"
    for guid, name in used.items():
        assert DOCUMENTED_ROLES.get(guid) == name, f"{guid} is not the built-in role {name!r}"
    assert set(used) == NEEDED_ROLES
    # Cosmos DB's data role is an account role; the others are Azure RBAC roles of the subscription.
    assert "roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributor}'" in text
    assert text.count("subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ") == 2
    assert text.count("principalType: 'ServicePrincipal'") == 2


# --- what the code relies on ----------------------------------------------------------------------


def test_security_settings_the_code_relies_on() -> None:
    cosmos, redis, storage, namespace = (
        _text(name) for name in ("cosmos.bicep", "redis.bicep", "storage.bicep", "eventhubs-namespace.bicep")
    )
    # Session consistency per request needs an account default no weaker than Session reads allow.
    assert "defaultConsistencyLevel: 'Session'" in cosmos
    # Entra ID only: DefaultAzureCredential everywhere, no keys (docs/adapters.md).
    assert "disableLocalAuth: true" in cosmos and "disableLocalAuth: true" in namespace
    assert "allowSharedKeyAccess: false" in storage
    assert "allowBlobPublicAccess: false" in storage and "supportsHttpsTrafficOnly: true" in storage
    # TLS only for Redis (HPH_REDIS_URL is rediss://).
    assert "enableNonSslPort: false" in redis and "minimumTlsVersion: '1.2'" in redis
    assert "maxmemory-policy': 'volatile-lru'" in redis
