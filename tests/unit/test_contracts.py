"""The contracts keep their promises: access rules on every RPC, REST rules that match table A."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2

import holidaypeak.commerce.v1 as commerce
from holidaypeak.common.v1 import access_pb2
from hph.host.app import SERVICES
from hph.runtime.rpc.policy import PolicyTable

for module in pkgutil.iter_modules(commerce.__path__):
    if module.name.endswith("_service_pb2"):
        importlib.import_module(f"holidaypeak.commerce.v1.{module.name}")

DESCRIPTOR_SET = "services/holidaypeak/holidaypeak.binpb"


def all_methods() -> list[tuple[str, str, object]]:
    from google.protobuf import descriptor_pool

    pool = descriptor_pool.Default()
    found = []
    for spec in SERVICES:
        service = pool.FindServiceByName(spec.full_name)
        for method in service.methods:
            found.append((spec.full_name, method.name, method))
    return found


def http_rule(method: object) -> tuple[str, str] | None:
    options = method.GetOptions()  # type: ignore[attr-defined]
    if not options.HasExtension(annotations_pb2.http):
        return None
    rule = options.Extensions[annotations_pb2.http]
    verb = rule.WhichOneof("pattern")
    return verb.upper(), getattr(rule, verb)


def test_every_rpc_declares_who_may_call_it() -> None:
    missing = [
        f"{service}/{name}"
        for service, name, method in all_methods()
        if not method.GetOptions().HasExtension(access_pb2.access)  # type: ignore[attr-defined]
    ]
    assert missing == []


def test_policy_table_reads_roles_from_the_contract() -> None:
    table = PolicyTable([spec.full_name for spec in SERVICES])
    catalog = "/holidaypeak.commerce.v1.CatalogService"
    assert table.lookup(f"{catalog}/ListProducts").min_role == access_pb2.ROLE_ANONYMOUS
    assert table.lookup(f"{catalog}/CreateProduct").min_role == access_pb2.ROLE_STAFF
    review_delete = table.lookup("/holidaypeak.commerce.v1.ReviewService/DeleteReview")
    assert review_delete.owner_only and review_delete.owner_override_role == access_pb2.ROLE_ADMIN
    # Unknown methods of our services stay closed; foreign services (health, reflection) are open.
    assert table.lookup(f"{catalog}/DropDatabase").min_role == access_pb2.ROLE_ADMIN
    assert table.lookup("/grpc.health.v1.Health/Check").allows_anonymous


def test_no_two_rules_share_a_verb_and_template() -> None:
    seen: dict[tuple[str, str], str] = {}
    for service, name, method in all_methods():
        rule = http_rule(method)
        if rule is None:
            continue
        assert rule not in seen, f"{rule} is bound by {seen[rule]} and {service}/{name}"
        seen[rule] = f"{service}/{name}"


# Table A of docs/rest-surface.md: the storefront's operations, which must stay exactly as they are.
TABLE_A = {
    ("GET", "/api/auth/me"),
    ("POST", "/api/auth/register"),
    ("POST", "/api/auth/logout"),
    ("GET", "/api/users/me"),
    ("PATCH", "/api/users/me"),
    ("GET", "/api/products"),
    ("GET", "/api/products/{product_id}"),
    ("GET", "/api/categories"),
    ("GET", "/api/categories/{category_id}"),
    ("GET", "/api/cart"),
    ("POST", "/api/cart/items"),
    ("DELETE", "/api/cart/items/{product_id}"),
    ("DELETE", "/api/cart"),
    ("GET", "/api/orders"),
    ("GET", "/api/orders/{order_id}"),
    ("POST", "/api/orders"),
    ("PATCH", "/api/orders/{order_id}/cancel"),
    ("POST", "/api/checkout/validate"),
    ("POST", "/api/payments"),
    ("GET", "/api/payments/{payment_id}"),
    ("GET", "/api/reviews"),
    ("POST", "/api/reviews"),
    ("DELETE", "/api/reviews/{review_id}"),
    ("GET", "/api/staff/analytics/summary"),
    ("GET", "/api/staff/tickets"),
    ("GET", "/api/staff/tickets/{ticket_id}"),
    ("GET", "/api/staff/returns"),
    ("PATCH", "/api/staff/returns/{return_id}/approve"),
    ("GET", "/api/staff/shipments"),
    ("GET", "/api/staff/shipments/{shipment_id}"),
}


def test_table_a_is_served_by_the_contracts() -> None:
    bound = {rule for _, _, method in all_methods() if (rule := http_rule(method))}
    assert TABLE_A - bound == set()


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/api/products", access_pb2.ROLE_ANONYMOUS),
        ("/api/auth/me", access_pb2.ROLE_CUSTOMER),
        ("/api/staff/tickets", access_pb2.ROLE_STAFF),
        ("/api/staff/returns/{return_id}/approve", access_pb2.ROLE_ADMIN),
    ],
)
def test_table_a_roles(path: str, role: int) -> None:
    roles = {
        rule[1]: method.GetOptions().Extensions[access_pb2.access].min_role  # type: ignore[attr-defined]
        for _, _, method in all_methods()
        if (rule := http_rule(method))
    }
    assert roles[path] == role


def test_descriptor_set_carries_imports_and_source_info() -> None:
    descriptors = descriptor_pb2.FileDescriptorSet()
    with open(DESCRIPTOR_SET, "rb") as handle:
        descriptors.ParseFromString(handle.read())
    names = {f.name for f in descriptors.file}
    assert {"google/api/http.proto", "google/protobuf/timestamp.proto"} <= names
    catalog = next(f for f in descriptors.file if f.name.endswith("catalog_service.proto"))
    assert catalog.source_code_info.location, "source info (comments) is needed for OpenAPI docs"
