"""Which RPCs are MCP tools, under which names, with which schemas and who may see them.

Two kinds of tools, one catalog, every name in it unique:

- every unary RPC of every service in the proto package `holidaypeak.agents.v1`, found in the
  descriptor set at start-up (no list to keep: an agent contract that lands is a tool), named
  `<agent>_<rpc>` in snake_case: the service name without its `Service` suffix, then the method
  (`InventoryHealthCheckService.CheckHealth` is `inventory_health_check_check_health`);
- the curated commerce tools of `CURATED_TOOLS` (reads, and the staff decisions of the product-truth
  review queue), each a stable name mapped to the RPC that answers it today (one line to move
  `search_products` onto the catalog-search agent once it is hosted).

A tool's input schema is the JSON Schema of its request message and its output schema that of its
response, both made by `hph.gateway.schemas`, the derivation the OpenAPI document uses. Who sees a
tool is the RPC's `holidaypeak.common.v1.access` rule, read as the routes read it (no rule: admin
only); who may call it is decided by the platform on the call itself, exactly as for REST.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from google.api import annotations_pb2
from google.protobuf import descriptor

from holidaypeak.common.v1 import access_pb2
from hph.gateway.descriptors import DescriptorSet, access_rule, rpc_path
from hph.gateway.openapi import access_text
from hph.gateway.schemas import JsonObject, message_schema

# The proto package whose services are agents; each of their unary RPCs is a tool.
AGENTS_PACKAGE = "holidaypeak.agents.v1"
# Common function-calling APIs of language models refuse longer names (and any but [A-Za-z0-9_-]).
MAX_TOOL_NAME_LENGTH = 64
_TOOL_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class CuratedTool:
    """A commerce read offered as a tool: its stable name, the RPC answering it (full method name,
    `package.Service.Method`) and the sentence that introduces it to a model."""

    name: str
    rpc: str
    summary: str


# The commerce reads offered as tools. A name is a promise to clients; the RPC behind it may change.
CURATED_TOOLS: tuple[CuratedTool, ...] = (
    CuratedTool(
        "search_products",
        "holidaypeak.commerce.v1.CatalogService.ListProducts",
        "Searches the product catalog by words (name, description, brand, tags) and category.",
    ),
    CuratedTool(
        "get_product",
        "holidaypeak.commerce.v1.CatalogService.GetProduct",
        "The details of one product: name, description, price, category, stock status and rating.",
    ),
    CuratedTool(
        "get_order_status",
        "holidaypeak.commerce.v1.OrderService.GetOrder",
        "One of the caller's orders with its status, lines and totals (staff may read any order).",
    ),
    CuratedTool(
        "list_inventory",
        "holidaypeak.commerce.v1.InventoryService.ListInventoryItems",
        "Stock records by SKU with their health class (e.g. only low or out of stock), for staff.",
    ),
    CuratedTool(
        "get_sales_summary",
        "holidaypeak.commerce.v1.AnalyticsService.GetSalesSummary",
        "Revenue, orders, average order value and best sellers over a date window, for staff.",
    ),
    # The product-truth review queue: staff read and decide the changes agents propose.
    CuratedTool(
        "list_product_proposals",
        "holidaypeak.commerce.v1.ProductProposalService.ListProposals",
        "Agents' proposed product changes awaiting review (or decided), filtered by status, product, "
        "field and agent, for staff.",
    ),
    CuratedTool(
        "get_product_proposal",
        "holidaypeak.commerce.v1.ProductProposalService.GetProposal",
        "One proposed product change with its evidence, confidence and audit trail, for staff.",
    ),
    CuratedTool(
        "approve_product_proposal",
        "holidaypeak.commerce.v1.ProductProposalService.ApproveProposal",
        "Approves a proposed product change (optionally with an edited value) and writes it to the "
        "catalog as the calling staff member; a product changed meanwhile sends it back to review.",
    ),
    CuratedTool(
        "reject_product_proposal",
        "holidaypeak.commerce.v1.ProductProposalService.RejectProposal",
        "Rejects a proposed product change with a reason, for staff; nothing is written.",
    ),
    CuratedTool(
        "get_product_proposal_stats",
        "holidaypeak.commerce.v1.ProductProposalService.GetProposalStats",
        "The review queue's size, approval and rejection rates per agent and field, and time to decision.",
    ),
)


class ToolCatalogError(ValueError):
    """The contracts or the curated table would give two tools one name, or an unusable one."""


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its name, the RPC behind it, who may see it and the schemas of its JSON."""

    name: str
    method: descriptor.MethodDescriptor
    description: str
    input_schema: JsonObject
    output_schema: JsonObject
    # The RPC is bound to GET in its HTTP rule, so calling it changes nothing.
    read_only: bool

    @property
    def rpc(self) -> str:
        """gRPC path, e.g. "/holidaypeak.commerce.v1.CatalogService/ListProducts"."""
        return rpc_path(self.method)

    @property
    def access(self) -> access_pb2.AccessRule:
        return access_rule(self.method)

    @property
    def min_role(self) -> int:
        """The least role that may call it; an RPC without a rule is admin only, as the platform enforces."""
        return self.access.min_role or access_pb2.ROLE_ADMIN

    def visible_to(self, role: int) -> bool:
        return role >= self.min_role


class ToolCatalog:
    """The tools, by name, in a stable order (curated first, then agents by name)."""

    def __init__(self, tools: Iterable[ToolSpec]) -> None:
        self.tools: dict[str, ToolSpec] = {}
        for tool in tools:
            other = self.tools.get(tool.name)
            if other is not None:
                raise ToolCatalogError(
                    f"two tools would be named {tool.name!r}: {other.method.full_name} and {tool.method.full_name}"
                )
            self.tools[tool.name] = tool

    def get(self, name: str) -> ToolSpec | None:
        return self.tools.get(name)

    def visible_to(self, role: int) -> list[ToolSpec]:
        """The tools a caller holding `role` may call (what tools/list shows them)."""
        return [tool for tool in self.tools.values() if tool.visible_to(role)]


def snake_case(name: str) -> str:
    """`CatalogSearch` -> `catalog_search`, `GetETA` -> `get_eta`, `ToAcpItem` -> `to_acp_item`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return spaced.lower()


def agent_name(service: descriptor.ServiceDescriptor) -> str:
    """The agent a service is: its name without the `Service` suffix, in snake_case."""
    name = service.name
    return snake_case(name[: -len("Service")] if name.endswith("Service") and name != "Service" else name)


def agent_tool_name(method: descriptor.MethodDescriptor) -> str:
    """`<agent>_<rpc>` in snake_case, e.g. `catalog_search_suggest` for CatalogSearchService.Suggest."""
    return f"{agent_name(method.containing_service)}_{snake_case(method.name)}"


def build_tool_catalog(
    descriptors: DescriptorSet,
    services: Sequence[str] | None = None,
    curated: Sequence[CuratedTool] = CURATED_TOOLS,
) -> ToolCatalog:
    """The tools of the descriptor set: the curated ones, then every unary agent RPC; with `services`
    (full names), only tools whose RPC belongs to one of them (what a gateway fronting those routes).
    A curated tool whose RPC the set does not define is left out (the gateway fronts other contracts
    too; a test holds CURATED_TOOLS to the platform's). Raises ToolCatalogError for a name clash or a
    name models cannot call."""
    hosted = None if services is None else set(services)
    tools: list[ToolSpec] = []
    for entry in curated:
        method = find_method(descriptors, entry.rpc)
        if method is not None and (hosted is None or method.containing_service.full_name in hosted):
            tools.append(_tool(descriptors, entry.name, method, entry.summary))
    agent_tools = [
        _tool(descriptors, agent_tool_name(method), method, "")
        for service in descriptors.services()
        if service.file.package == AGENTS_PACKAGE and (hosted is None or service.full_name in hosted)
        for method in service.methods
        if not method.client_streaming and not method.server_streaming
    ]
    tools.extend(sorted(agent_tools, key=lambda tool: tool.name))
    return ToolCatalog(tools)


def _tool(descriptors: DescriptorSet, name: str, method: descriptor.MethodDescriptor, summary: str) -> ToolSpec:
    if len(name) > MAX_TOOL_NAME_LENGTH or not _TOOL_NAME.fullmatch(name):
        raise ToolCatalogError(
            f"{method.full_name} would be the tool {name!r}: a tool name is snake_case, at most "
            f"{MAX_TOOL_NAME_LENGTH} characters; shorten the service or method name"
        )
    return ToolSpec(
        name=name,
        method=method,
        description=_description(descriptors, method, summary),
        input_schema=message_schema(descriptors, method.input_type),
        output_schema=message_schema(descriptors, method.output_type),
        read_only=_bound_to_get(method),
    )


def _description(descriptors: DescriptorSet, method: descriptor.MethodDescriptor, summary: str) -> str:
    """What a model reads: the curated summary, the RPC's own comment, who may call it, the RPC."""
    parts = [summary, descriptors.comments(method.full_name)]
    parts.append(f"Access: {access_text(access_rule(method))}")
    parts.append(f"gRPC: {rpc_path(method)}")
    return "\n\n".join(part for part in parts if part)


def _bound_to_get(method: descriptor.MethodDescriptor) -> bool:
    options = method.GetOptions()
    return options.HasExtension(annotations_pb2.http) and options.Extensions[annotations_pb2.http].HasField("get")


def find_method(descriptors: DescriptorSet, full_name: str) -> descriptor.MethodDescriptor | None:
    """The method `package.Service.Method` of the set, or None."""
    service_name, _, method_name = full_name.rpartition(".")
    try:
        service = descriptors.pool.FindServiceByName(service_name)
    except KeyError:
        return None
    return service.methods_by_name.get(method_name)
