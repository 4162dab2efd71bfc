"""MCP tools from the contracts: names, discovery of agent RPCs, who sees what, and schemas that are
the OpenAPI document's (hph.gateway.mcp_tools, hph.gateway.schemas); the error text a model reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from holidaypeak.common.v1 import access_pb2
from hph.gateway.binding import BindingError, message_from_json
from hph.gateway.descriptors import DescriptorSet, load_descriptor_set, service_bindings
from hph.gateway.mcp_http import transport_security
from hph.gateway.mcp_server import status_text, tool_error
from hph.gateway.mcp_stdio import bearer
from hph.gateway.mcp_tools import (
    CURATED_TOOLS,
    CuratedTool,
    ToolCatalogError,
    agent_tool_name,
    build_tool_catalog,
    find_method,
    snake_case,
)
from hph.gateway.openapi import COMPONENTS_PREFIX, build_openapi
from hph.gateway.schemas import DEFS_PREFIX
from hph.runtime.settings import Settings
from tests.support.protoc import REPO, compile_descriptor_set

FIXTURE = Path(__file__).parent / "protos" / "agents_fixture"
ANONYMOUS, CUSTOMER, STAFF, ADMIN = (
    access_pb2.ROLE_ANONYMOUS,
    access_pb2.ROLE_CUSTOMER,
    access_pb2.ROLE_STAFF,
    access_pb2.ROLE_ADMIN,
)


@pytest.fixture(scope="module")
def platform() -> DescriptorSet:
    return load_descriptor_set()


@pytest.fixture(scope="module")
def agents(tmp_path_factory: pytest.TempPathFactory) -> DescriptorSet:
    """The platform's contracts plus two fixture agents in `holidaypeak.agents.v1`."""
    out = tmp_path_factory.mktemp("agents") / "agents.binpb"
    fixture = compile_descriptor_set(
        FIXTURE,
        "holidaypeak/agents/v1/fixture_agents.proto",
        out=out,
        includes=[REPO / "protos"],
        source_info=True,
    )
    return load_descriptor_set(fixture)


# -- names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("CatalogSearch", "catalog_search"),
        ("ValidateReservation", "validate_reservation"),
        ("ToAcpItem", "to_acp_item"),
        ("GetETA", "get_eta"),
        ("CRMProfileAggregation", "crm_profile_aggregation"),
        ("Search", "search"),
        ("Sku2Category", "sku2_category"),
    ],
)
def test_names_become_snake_case(name: str, snake: str) -> None:
    assert snake_case(name) == snake


def test_an_agent_rpc_is_named_agent_then_rpc(agents: DescriptorSet) -> None:
    search = agents.pool.FindMethodByName("holidaypeak.agents.v1.CatalogSearchService.Search")
    eta = agents.pool.FindMethodByName("holidaypeak.agents.v1.InventoryHealthCheckService.GetETA")
    assert agent_tool_name(search) == "catalog_search_search"
    assert agent_tool_name(eta) == "inventory_health_check_get_eta"


# -- discovery and visibility ------------------------------------------------------------------------


def test_every_unary_agent_rpc_is_discovered_and_streams_are_not(agents: DescriptorSet) -> None:
    catalog = build_tool_catalog(agents, curated=())
    assert list(catalog.tools) == [
        "catalog_search_search",
        "catalog_search_suggest",
        "inventory_health_check_check_health",
        "inventory_health_check_get_eta",
    ]
    assert catalog.tools["catalog_search_search"].rpc == "/holidaypeak.agents.v1.CatalogSearchService/Search"


def test_each_role_sees_the_tools_its_access_rules_allow(agents: DescriptorSet) -> None:
    catalog = build_tool_catalog(agents, curated=())

    def names(role: int) -> list[str]:
        return [tool.name for tool in catalog.visible_to(role)]

    assert names(ANONYMOUS) == ["catalog_search_search"]
    assert names(CUSTOMER) == ["catalog_search_search", "catalog_search_suggest"]
    assert names(STAFF) == [*names(CUSTOMER), "inventory_health_check_check_health"]
    # No access rule: admin only, as the platform's interceptor enforces it.
    assert names(ADMIN) == [*names(STAFF), "inventory_health_check_get_eta"]


def test_a_tool_describes_itself_from_the_contract(agents: DescriptorSet) -> None:
    catalog = build_tool_catalog(agents, curated=())
    search = catalog.tools["catalog_search_search"]
    suggest = catalog.tools["catalog_search_suggest"]
    assert search.description.startswith("Finds products matching words.")
    assert "Access: anonymous" in search.description
    assert "gRPC: /holidaypeak.agents.v1.CatalogSearchService/Search" in search.description
    assert "role `customer` or above" in suggest.description
    # GET in the HTTP rule: changes nothing; a POST rule promises nothing.
    assert (search.read_only, suggest.read_only) == (True, False)


def test_only_the_hosted_services_give_tools(agents: DescriptorSet) -> None:
    catalog = build_tool_catalog(agents, ["holidaypeak.agents.v1.InventoryHealthCheckService"], curated=())
    assert list(catalog.tools) == ["inventory_health_check_check_health", "inventory_health_check_get_eta"]


def test_the_platform_offers_the_curated_commerce_reads(platform: DescriptorSet) -> None:
    catalog = build_tool_catalog(platform)
    rpcs = {name: tool.rpc for name, tool in catalog.tools.items()}
    assert rpcs["search_products"] == "/holidaypeak.commerce.v1.CatalogService/ListProducts"
    assert rpcs["get_product"] == "/holidaypeak.commerce.v1.CatalogService/GetProduct"
    assert rpcs["get_order_status"] == "/holidaypeak.commerce.v1.OrderService/GetOrder"
    reads = {tool.name for tool in CURATED_TOOLS}  # agent tools join these once agent contracts exist
    visible = {role: {t.name for t in catalog.visible_to(role)} & reads for role in (ANONYMOUS, CUSTOMER, STAFF)}
    assert visible[ANONYMOUS] == {"search_products", "get_product"}
    assert visible[CUSTOMER] == visible[ANONYMOUS] | {"get_order_status"}
    assert {"list_inventory", "get_sales_summary"} <= visible[STAFF] - visible[CUSTOMER]
    # The review queue's tools are staff-only: no customer lists or decides proposals.
    queue_tools = {name for name in reads if "proposal" in name}
    assert len(queue_tools) == 5 and queue_tools <= visible[STAFF] - visible[CUSTOMER]
    assert not catalog.tools["approve_product_proposal"].read_only
    assert catalog.tools["list_product_proposals"].read_only


def test_moving_a_curated_name_to_another_rpc_is_one_entry(agents: DescriptorSet) -> None:
    moved = CuratedTool("search_products", "holidaypeak.agents.v1.CatalogSearchService.Search", "Searches.")
    catalog = build_tool_catalog(agents, curated=[moved])
    assert catalog.tools["search_products"].rpc == "/holidaypeak.agents.v1.CatalogSearchService/Search"
    assert catalog.tools["search_products"].description.startswith("Searches.\n\nFinds products matching words.")


# -- refusals ----------------------------------------------------------------------------------------


def test_two_tools_with_one_name_are_refused(agents: DescriptorSet) -> None:
    clash = CuratedTool("catalog_search_suggest", "holidaypeak.agents.v1.CatalogSearchService.Search", "")
    with pytest.raises(ToolCatalogError, match="two tools would be named 'catalog_search_suggest'"):
        build_tool_catalog(agents, curated=[clash])


def test_every_curated_tool_names_an_rpc_of_the_platform(platform: DescriptorSet) -> None:
    assert [tool.rpc for tool in CURATED_TOOLS if find_method(platform, tool.rpc) is None] == []
    # Elsewhere (the gateway fronts other contracts too) a tool without its RPC is left out.
    typo = CuratedTool("search_products", "holidaypeak.commerce.v1.CatalogService.ListProduct", "")
    assert "search_products" not in build_tool_catalog(platform, curated=[typo]).tools


@pytest.mark.parametrize("name", ["x" * 65, "Search", "search-products", "2nd_search"])
def test_a_name_models_cannot_call_is_refused(agents: DescriptorSet, name: str) -> None:
    entry = CuratedTool(name, "holidaypeak.agents.v1.CatalogSearchService.Search", "")
    with pytest.raises(ToolCatalogError, match="a tool name is snake_case, at most 64 characters"):
        build_tool_catalog(agents, curated=[entry])


# -- schemas -----------------------------------------------------------------------------------------


def _as_components(schema: Any) -> Any:
    """A tool schema's references rewritten to where the OpenAPI document keeps the same types."""
    return json.loads(json.dumps(schema).replace(f'"$ref": "{DEFS_PREFIX}', f'"$ref": "{COMPONENTS_PREFIX}'))


@pytest.mark.parametrize("descriptor_set", ["platform", "agents"])
def test_every_tool_schema_is_the_openapi_schema_of_its_message(
    descriptor_set: str, request: pytest.FixtureRequest
) -> None:
    descriptors: DescriptorSet = request.getfixturevalue(descriptor_set)
    catalog = build_tool_catalog(descriptors, curated=CURATED_TOOLS if descriptor_set == "platform" else ())
    components = build_openapi(descriptors)["components"]["schemas"]
    routed = {binding.method.full_name for binding in service_bindings(descriptors)}
    compared = []
    for tool in catalog.tools.values():
        method = tool.method
        if method.full_name not in routed:
            continue  # no operation, so no component to compare with (the fixture's CheckHealth, GetETA)
        compared.append(tool.name)
        for schema, message in ((tool.input_schema, method.input_type), (tool.output_schema, method.output_type)):
            rewritten = _as_components(schema)
            definitions = rewritten.pop("$defs", {})
            assert rewritten == components[message.full_name], (tool.name, message.full_name)
            for name, definition in definitions.items():
                assert definition == components[name], (tool.name, name)
    expected = [tool.name for tool in CURATED_TOOLS] if descriptor_set == "platform" else ["catalog_search_search"]
    assert set(expected) <= set(compared)


def test_a_tool_schema_stands_alone(agents: DescriptorSet) -> None:
    schema = build_tool_catalog(agents, curated=()).tools["catalog_search_search"].output_schema
    assert schema["type"] == "object"
    assert schema["properties"]["request"] == {
        "$ref": "#/$defs/holidaypeak.agents.v1.SearchRequest",
        "description": "The request answered, echoed.",
    }
    assert set(schema["$defs"]) == {"holidaypeak.agents.v1.SearchRequest", "holidaypeak.agents.v1.Order"}
    assert schema["$defs"]["holidaypeak.agents.v1.SearchRequest"]["required"] == ["query"]


# -- arguments and errors ----------------------------------------------------------------------------


def test_arguments_bind_as_strictly_as_a_rest_body(agents: DescriptorSet) -> None:
    request_class = agents.message_class(agents.pool.FindMessageTypeByName("holidaypeak.agents.v1.SearchRequest"))
    bound: Any = message_from_json({"query": "lights", "order": "ORDER_PRICE", "limit": "5", "other": 1}, request_class)
    assert (bound.query, bound.order, bound.limit) == ("lights", 1, 5)
    with pytest.raises(BindingError) as wrong:
        message_from_json({"order": "CHEAPEST"}, request_class)
    assert wrong.value.field == "order"
    with pytest.raises(BindingError, match="the arguments must be a JSON object"):
        message_from_json(["lights"], request_class)


def test_a_refusal_reads_as_status_reason_and_violations() -> None:
    status = {
        "code": 3,
        "message": "the request has invalid fields",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "VALIDATION_FAILED",
                "domain": "holidaypeak.hub",
                "metadata": {"sku": "LGT-1"},
            },
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "field_violations": [{"field": "limit", "description": "must be between 1 and 100"}],
            },
            {
                "@type": "type.googleapis.com/google.rpc.PreconditionFailure",
                "violations": [{"type": "STOCK", "subject": "LGT-1", "description": "only 2 left"}],
            },
        ],
    }
    result = tool_error(status)
    assert result.is_error
    assert result.structured_content == {**status, "status": "INVALID_ARGUMENT"}
    assert status_text(result.structured_content) == (
        "INVALID_ARGUMENT (gRPC 3): the request has invalid fields\n"
        "reason: VALIDATION_FAILED, sku=LGT-1\n"
        "field limit: must be between 1 and 100\n"
        "precondition STOCK LGT-1: only 2 left"
    )


# -- transports --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "header"),
    [("abc.def.ghi", "Bearer abc.def.ghi"), ("Bearer abc.def.ghi", "Bearer abc.def.ghi"), ("  ", None)],
)
def test_a_token_is_sent_as_a_bearer_header(given: str, header: str | None) -> None:
    assert bearer(given) == header


def test_dns_rebinding_is_refused_on_a_loopback_bind_only() -> None:
    local = transport_security(Settings(http_host="127.0.0.1", cors_allowed_origins="https://shop.example"))
    assert local.enable_dns_rebinding_protection
    assert "localhost:*" in local.allowed_hosts
    assert "https://shop.example" in local.allowed_origins
    assert not transport_security(Settings(http_host="0.0.0.0")).enable_dns_rebinding_protection
