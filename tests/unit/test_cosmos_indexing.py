"""The registry's Cosmos DB settings (hph/runtime/storage/containers.json) fit the queries the code
runs: every ordering a package's queries use has its composite index on a container the package
queries (Cosmos DB refuses an ORDER BY of several paths without one, and every page is ordered by
its fields, then id, then the partition key), no index is registered that no query needs, no
excluded path is one a query tests, and the containers holding documents with a `ttl` have TTL on.

The queries are read from the code's source (tests/support/code_queries.py), so a new ordering, a
new filtered field or a new idempotency user fails here until the registry says how Cosmos DB
serves it."""

from __future__ import annotations

import json
import re
from itertools import chain

from hph.runtime.storage import ContainerSpec, OrderBy
from hph.runtime.storage.cosmos_query import composite_index
from hph.runtime.storage.port import validate_partition_key_path
from hph.runtime.storage.registry import ETAG_PATH, CompositeIndex, RegisteredContainer, composite_policy, registry
from tests.support.code_queries import ROOT, SHARED_QUERIERS, Ordering, scan

_EXCLUDED_PATH = re.compile(r"(?:/[A-Za-z0-9_]+)+/(?:\?|\*)")


def _index(spec: ContainerSpec, ordering: Ordering) -> CompositeIndex:
    order_by = tuple(OrderBy(path, descending=descending) for path, descending in ordering)
    return composite_index(order_by, validate_partition_key_path(spec.partition_key_path))


def _needs_composite(spec: ContainerSpec, ordering: Ordering) -> bool:
    # A page ordered by one path (with the tie-breakers folded in) is served by the range index.
    return len(_index(spec, ordering)) > 1


def _entries() -> list[RegisteredContainer]:
    return list(registry().values())


def test_the_scan_reads_every_query_of_the_code() -> None:
    found = scan()

    assert found.unresolved == [], "these query fields or orderings cannot be read statically: use constants"
    # Known queries, so a scan that silently stopped finding them fails here.
    assert (("priority_rank", True), ("created_at", False)) in found.orderings["hph.services.tickets"]
    assert (("created_at", False),) in found.orderings["hph.runtime.events"]
    assert {"search_text", "envelope_b64", "placed_at"} <= set(chain.from_iterable(found.fields.values()))
    assert found.idempotency_users >= {"hph.services.orders"}


def test_every_ordering_the_code_uses_has_its_composite_index() -> None:
    found = scan()
    registered = [entry.spec for entry in _entries()]
    indexes = {entry.spec.name: set(entry.composite_indexes) for entry in _entries()}
    missing: list[str] = []
    for package, orderings in sorted(found.orderings.items()):
        scope = found.scope(package, registered)
        assert scope, f"{package} orders queries but declares no container"
        for ordering in sorted(orderings):
            needing = [spec for spec in scope if _needs_composite(spec, ordering)]
            served = [spec for spec in needing if _index(spec, ordering) in indexes[spec.name]]
            # A shared querier (the outbox relay) runs its query on every container in its scope;
            # a package on at least one of its own.
            shared = package in SHARED_QUERIERS
            if needing and (len(served) < len(needing) if shared else not served):
                unserved = {
                    spec.name: json.dumps(composite_policy(_index(spec, ordering)))
                    for spec in needing
                    if spec not in served
                }
                where = "each of" if shared else "one of"
                missing.append(f"{package} orders by {ordering}: add to {where} {unserved}")
    assert missing == [], "add to compositeIndexes in hph/runtime/storage/containers.json"


def test_every_container_serves_unordered_pages() -> None:
    """An unordered page is ordered by id, then the partition key: one composite index."""
    missing = [
        entry.spec.name
        for entry in _entries()
        if _needs_composite(entry.spec, ()) and _index(entry.spec, ()) not in entry.composite_indexes
    ]
    assert missing == []


def test_no_composite_index_is_registered_that_no_query_needs() -> None:
    found = scan()
    registered = [entry.spec for entry in _entries()]
    needed: dict[str, set[CompositeIndex]] = {spec.name: {_index(spec, ())} for spec in registered}
    for package, orderings in found.orderings.items():
        for spec in found.scope(package, registered):
            needed[spec.name].update(_index(spec, ordering) for ordering in orderings)
    stale = [
        f"{entry.spec.name}: {index}"
        for entry in _entries()
        for index in entry.composite_indexes
        if index not in needed[entry.spec.name] or len(index) < 2
    ]
    assert stale == [], "each composite index costs every write; remove those no query orders by"
    for entry in _entries():
        assert len(set(entry.composite_indexes)) == len(entry.composite_indexes), entry.spec.name


def _covers(excluded: str, field_path: str) -> bool:
    base = excluded.rsplit("/", 1)[0]
    queried = "/" + field_path.replace(".", "/")
    return queried == base or queried.startswith(base + "/") or base.startswith(queried + "/")


def test_excluded_paths_are_well_formed_and_never_queried() -> None:
    queried = set(chain.from_iterable(scan().fields.values()))
    for entry in _entries():
        for excluded in entry.excluded_paths:
            assert _EXCLUDED_PATH.fullmatch(excluded), f"{entry.spec.name}: {excluded!r} is not /path/? or /path/*"
            assert excluded != ETAG_PATH, f"{entry.spec.name}: the _etag exclusion is always added"
            clash = sorted(f for f in queried if _covers(excluded, f))
            # A filter on an unindexed path scans every document; an ORDER BY on one finds nothing.
            assert clash == [], f"{entry.spec.name} excludes {excluded} but queries test {clash}"
            assert not _covers(excluded, entry.spec.partition_key_path[1:].replace("/", "."))


def test_containers_of_idempotency_records_have_ttl_on() -> None:
    """Idempotency records carry `ttl`, which Cosmos DB honours only where the container has a
    default TTL (-1: on, no default expiry); no other documents carry one, so no other container
    needs TTL."""
    found = scan()
    registered = [entry.spec for entry in _entries()]
    ttl = {entry.spec.name for entry in _entries() if entry.default_ttl is not None}
    for package in found.idempotency_users:
        assert ttl & {spec.name for spec in found.scope(package, registered)}, f"{package} writes ttl documents"
    users = set(chain.from_iterable(found.scope(package, registered) for package in found.idempotency_users))
    assert ttl <= {spec.name for spec in users}
    for entry in _entries():
        assert entry.default_ttl is None or entry.default_ttl == -1 or entry.default_ttl > 0


def test_only_idempotency_records_carry_a_ttl() -> None:
    """Which is why the containers of idempotency users are the ones needing TTL on."""
    assert scan().ttl_writers == {"hph.runtime.idempotency"}


def test_the_indexing_policy_is_cosmos_dbs_json_form() -> None:
    raw = json.loads((ROOT / "services/hph/runtime/storage/containers.json").read_text(encoding="utf-8"))
    for entry in raw["containers"]:
        assert set(entry) - {"sqliteFile"} == {
            "name",
            "partitionKeyPath",
            "outbox",
            "defaultTtl",
            "excludedPaths",
            "compositeIndexes",
        }, entry["name"]
        assert entry.get("sqliteFile", "agents") in ("agents", "consumers"), entry["name"]  # absent: hph.sqlite3
        for index in entry["compositeIndexes"]:
            assert 2 <= len(index) <= 8  # Cosmos DB's bounds on a composite index
            for item in index:
                assert set(item) == {"path", "order"} and item["order"] in ("ascending", "descending")
    policy = registry()["tickets"].indexing_policy()
    assert policy["includedPaths"] == [{"path": "/*"}]
    assert policy["excludedPaths"][0] == {"path": ETAG_PATH}
    assert {"path": "/messages/*"} in policy["excludedPaths"]
