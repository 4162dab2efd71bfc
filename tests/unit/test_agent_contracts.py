"""The agent contracts keep their promises: one per registered agent, roles and REST rules on every
RPC, routes that never collide with the commerce surface, typed answers that say how they were
decided."""

from __future__ import annotations

import importlib
import itertools
import re

import pytest
from google.api import field_behavior_pb2
from google.protobuf import descriptor, descriptor_pool

from holidaypeak.common.v1 import access_pb2
from hph.gateway.descriptors import HttpBinding, load_descriptor_set, service_bindings
from hph.gateway.templates import DoubleWildcard, Literal, PathTemplate, parse_template
from hph.host.app import AGENT_PACKAGE, AGENTS, SERVICES, ServiceSpec

for spec in (*SERVICES, *AGENTS):
    importlib.import_module(f"{spec.package}.{spec.proto_module}")

EXPLANATION = f"{AGENT_PACKAGE}.Explanation"
# Blobs a typed contract must not hide its fields in.
RAW_BODY = "google.api.HttpBody"
UNTYPED = {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Any"}


def service_of(spec: ServiceSpec) -> descriptor.ServiceDescriptor:
    return descriptor_pool.Default().FindServiceByName(spec.full_name)


def agent_methods() -> list[tuple[ServiceSpec, descriptor.MethodDescriptor]]:
    return [(spec, method) for spec in AGENTS for method in service_of(spec).methods]


def bindings(specs: tuple[ServiceSpec, ...]) -> list[HttpBinding]:
    return service_bindings(load_descriptor_set(), [spec.full_name for spec in specs])


def overlap(a: PathTemplate, b: PathTemplate) -> bool:
    """True when some request path matches both templates (same verb, compatible segments)."""
    if a.verb != b.verb:
        return False
    for left, right in itertools.zip_longest(a.segments, b.segments):
        if isinstance(left, DoubleWildcard) or isinstance(right, DoubleWildcard):
            return True
        if left is None or right is None:
            return False
        if isinstance(left, Literal) and isinstance(right, Literal) and left.text != right.text:
            return False
    return True


def test_the_overlap_check_itself_tells_colliding_from_distinct_paths() -> None:
    def t(text: str) -> PathTemplate:
        return parse_template(text)

    assert overlap(t("/api/returns/{return_id}"), t("/api/returns/eligibility"))
    assert overlap(t("/api/orders/{order_id}/status"), t("/api/orders/o-1/{part}"))
    assert overlap(t("/api/files/**"), t("/api/files/a/b"))
    assert not overlap(t("/api/orders/{order_id}/status"), t("/api/orders/{order_id}/tracking"))
    assert not overlap(t("/api/orders/{order_id}"), t("/api/orders/{order_id}/status"))
    assert not overlap(t("/api/products/{id}:archive"), t("/api/products/{id}"))


def test_every_registered_agent_has_its_contract_named_after_its_row() -> None:
    assert len(AGENTS) >= 19
    for spec in AGENTS:
        service = service_of(spec)
        assert service.file.package == AGENT_PACKAGE
        assert service.file.name == f"holidaypeak/agents/v1/{spec.name.replace('-', '_')}_service.proto"
        assert service.methods, f"{spec.name} has no RPC"


def test_every_agent_not_built_yet_says_which_issue_builds_it() -> None:
    for spec in AGENTS:
        if not spec.implementation:
            assert re.search(r"issue #\d+", spec.planned), f"{spec.name}: planned note {spec.planned!r}"


def test_every_agent_rpc_declares_who_may_call_it() -> None:
    for _, method in agent_methods():
        options = method.GetOptions()
        assert options.HasExtension(access_pb2.access), f"{method.full_name} has no access rule"
        rule = options.Extensions[access_pb2.access]
        assert rule.min_role != access_pb2.ROLE_UNSPECIFIED, f"{method.full_name} names no role"
        if rule.owner_only:
            # A shopper reaches their own data; staff reach anybody's (the support desk's view).
            assert rule.owner_override_role == access_pb2.ROLE_STAFF, method.full_name


def test_every_agent_rpc_is_on_the_rest_surface_where_its_role_says() -> None:
    routed = {b.method.full_name: b for b in bindings(AGENTS)}
    for spec, method in agent_methods():
        binding = routed.get(method.full_name)
        assert binding is not None, f"{method.full_name} has no google.api.http rule"
        if binding.access.min_role >= access_pb2.ROLE_STAFF:
            assert binding.template.startswith(f"/api/staff/agents/{spec.name}/"), binding.template
        else:
            assert binding.template.startswith("/api/") and not binding.template.startswith("/api/staff/")


def test_no_agent_route_collides_with_a_commerce_route_or_another_agent_route() -> None:
    commerce = [(b, parse_template(b.template)) for b in bindings(SERVICES)]
    agents = [(b, parse_template(b.template)) for b in bindings(AGENTS)]
    assert len(agents) >= 28
    # Whatever the method: a path of the commerce surface belongs to its service alone.
    clashes = [
        f"{a.http_method} {a.template} ({a.rpc}) vs {c.http_method} {c.template} ({c.rpc})"
        for a, a_template in agents
        for c, c_template in commerce
        if overlap(a_template, c_template)
    ]
    clashes += [
        f"{a.template} ({a.rpc}) vs {b.template} ({b.rpc})"
        for (a, a_template), (b, b_template) in itertools.combinations(agents, 2)
        if a.http_method == b.http_method and overlap(a_template, b_template)
    ]
    assert clashes == []


def test_path_variables_of_agent_routes_are_required_fields() -> None:
    for binding in bindings(AGENTS):
        for variable in parse_template(binding.template).variables:
            field = binding.method.input_type.fields_by_name[variable.name]
            behaviors = field.GetOptions().Extensions[field_behavior_pb2.field_behavior]
            assert field_behavior_pb2.REQUIRED in behaviors, f"{binding.method.full_name}: {variable.name}"


def explains(method: descriptor.MethodDescriptor) -> bool:
    field = method.output_type.fields_by_name.get("explanation")
    return field is not None and field.message_type is not None and field.message_type.full_name == EXPLANATION


def raw_twin_of(method: descriptor.MethodDescriptor) -> descriptor.MethodDescriptor | None:
    """The typed RPC a raw representation (an `HttpBody` answer, e.g. JSON Lines) renders: a method of
    the same service whose name begins this one's and whose answer is explained."""
    if method.output_type.full_name != RAW_BODY:
        return None
    twins = [
        other
        for other in method.containing_service.methods
        if other is not method and method.name.startswith(other.name) and explains(other)
    ]
    return twins[0] if twins else None


def test_every_agent_answer_carries_its_explanation() -> None:
    for _, method in agent_methods():
        # A raw representation carries no explanation; the typed answer it renders does.
        assert explains(method) or raw_twin_of(method) is not None, method.full_name


def reachable(message: descriptor.Descriptor, seen: set[str]) -> set[str]:
    """Full names of every message type reachable from `message`'s fields."""
    for field in message.fields:
        nested = field.message_type
        if nested is not None and nested.full_name not in seen:
            seen.add(nested.full_name)
            reachable(nested, seen)
    return seen


@pytest.mark.parametrize("spec", AGENTS, ids=lambda spec: spec.name)
def test_agent_requests_and_answers_are_typed(spec: ServiceSpec) -> None:
    for method in service_of(spec).methods:
        answers = () if raw_twin_of(method) is not None else (method.output_type,)
        for message in (method.input_type, *answers):
            assert message.full_name.startswith(f"{AGENT_PACKAGE}.")
            assert reachable(message, set()) & UNTYPED == set(), message.full_name
