"""Reference docs generated from their one source of truth, so they cannot drift from the code.

Each generated region of a Markdown file sits between `<!-- generated: NAME -->` and
`<!-- end generated: NAME -->`; the prose around it is hand-written and left alone.

- `configuration`: every `HPH_*` variable, from the `Settings` dataclass (its field comments are
  the descriptions, its defaults the defaults).
- `rest-routes`: every REST route, from the `google.api.http` rules and access options in the
  descriptor set (the same set the gateway and Envoy load).
- `services`: the commerce services with their gRPC names and REST prefixes, for the README.
- `agents`: the agents with their gRPC names, REST routes and status (built, or the issue that
  plans them), from the descriptor set and the `AGENTS` registry, for the README.
- `events-commands`: the `hph events` commands, their synopsis and one-line help, from the argparse
  parser `hph` itself runs (docs/cli.md).

`hph docs` rewrites the regions; `hph docs --check` (run by the test suite) fails when one is stale.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path

from google.protobuf import descriptor

from holidaypeak.common.v1 import access_pb2
from hph.gateway.descriptors import DescriptorSet, load_descriptor_set, service_bindings
from hph.host.app import AGENT_PACKAGE, AGENTS, ServiceSpec
from hph.runtime import settings as settings_module
from hph.runtime.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[3]
REGION = re.compile(
    r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end generated: (?P=name) -->)", re.DOTALL
)
ROLE_NAMES = {
    access_pb2.ROLE_UNSPECIFIED: "admin",  # an RPC without a rule is admin-only
    access_pb2.ROLE_ANONYMOUS: "anon",
    access_pb2.ROLE_CUSTOMER: "customer",
    access_pb2.ROLE_STAFF: "staff",
    access_pb2.ROLE_ADMIN: "admin",
}
# The files that hold generated regions, relative to the repository root.
DOC_FILES = ("README.md", "docs/configuration.md", "docs/rest-surface.md", "docs/cli.md")
# Flags every `hph events` command takes, left out of each row (the page says so once).
_COMMON_USAGE = ("[-h]", "[--data-dir DATA_DIR]", "[--profile PROFILE]")


def setting_comments() -> dict[str, str]:
    """Each Settings field's comment (the lines right above it), joined into one sentence block."""
    source = inspect.getsource(settings_module)
    lines = source.splitlines()
    tree = ast.parse(source)
    settings_class = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == Settings.__name__)
    comments: dict[str, str] = {}
    for statement in settings_class.body:
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        block: list[str] = []
        index = statement.lineno - 2
        while index >= 0 and lines[index].strip().startswith("#"):
            block.insert(0, lines[index].strip().lstrip("#").strip())
            index -= 1
        comments[statement.target.id] = " ".join(block)
    return comments


def _default_text(value: object) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value == "":
        return "(empty)"
    return f"`{value}`"


def configuration_table() -> str:
    comments = setting_comments()
    defaults = Settings()
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for field in fields(Settings):
        if not comments.get(field.name):
            raise ValueError(f"Settings.{field.name} has no comment to document it with")
        default = getattr(defaults, field.name)
        cell = comments[field.name].replace("|", "\\|")
        rows.append(f"| `HPH_{field.name.upper()}` | {_default_text(default)} | {cell} |")
    return "\n".join(rows) + "\n"


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    match = re.match(r"(.+?\.)(?=\s+[A-Z`]|$)", flat)
    return (match.group(1) if match else flat).replace("|", "\\|")


def _role(rule: access_pb2.AccessRule) -> str:
    role = ROLE_NAMES[rule.min_role]
    if rule.owner_only:
        override = ROLE_NAMES.get(rule.owner_override_role) if rule.owner_override_role else None
        role += " (own" + (f"; {override} any" if override else "") + ")"
    return role


def _is_agent(service: descriptor.ServiceDescriptor) -> bool:
    return service.file.package == AGENT_PACKAGE


def agent_status(full_name: str, agents: Sequence[ServiceSpec] = AGENTS) -> str:
    """ "built" for an agent with an implementation, else its `planned` note (e.g. "planned in issue
    #12"); an agent contract nobody registered yet is "contract only"."""
    spec = next((s for s in agents if s.full_name == full_name), None)
    if spec is None:
        return "contract only"
    if spec.implementation:
        return "built"
    return spec.planned or "planned"


def rest_routes_table(descriptors: DescriptorSet) -> str:
    rows = ["| method | path | role | RPC | what it does |", "|---|---|---|---|---|"]
    # The services' routes first, then the agents' (each in contract order).
    for binding in sorted(service_bindings(descriptors), key=lambda b: _is_agent(b.method.containing_service)):
        method = binding.method
        rpc = f"`{method.containing_service.name}.{method.name}`"
        what = _first_sentence(descriptors.comments(method.full_name))
        if _is_agent(method.containing_service) and (status := agent_status(binding.service)) != "built":
            what += f" *Agent {status}: answers 501 until it is built.*"
        rows.append(f"| {binding.http_method} | `{binding.template}` | {_role(binding.access)} | {rpc} | {what} |")
    return "\n".join(rows) + "\n"


def _resource_root(template: str) -> str:
    """The template up to its first variable: `/api/staff/orders/{order_id}:cancel` -> `/api/staff/orders`."""
    return template.split("/{", 1)[0].split(":", 1)[0]


def services_table(descriptors: DescriptorSet) -> str:
    """One row per commerce service: its gRPC name and the REST roots it answers under. A root
    shared by several services (`/api/orders` and a shipment's `/api/orders/{order_id}/tracking`)
    belongs to the one with most routes there; the others show their full paths."""
    services = [s for s in descriptors.services() if not _is_agent(s)]
    templates = {s.full_name: [b.template for b in service_bindings(descriptors, [s.full_name])] for s in services}
    owners: dict[str, tuple[int, str]] = {}
    for name, paths in templates.items():
        for root in dict.fromkeys(map(_resource_root, paths)):
            count = sum(_resource_root(p) == root for p in paths)
            owners[root] = max(owners.get(root, (0, "")), (count, name))
    rows = ["| service | gRPC | REST | owns |", "|---|---|---|---|"]
    for service in services:
        paths = templates[service.full_name]
        shown = dict.fromkeys(r if owners[r][1] == service.full_name else p for p in paths for r in [_resource_root(p)])
        owns = _first_sentence(descriptors.comments(service.full_name))
        rest = ", ".join(f"`{p}`" for p in shown) or "—"
        rows.append(f"| {service.name.removesuffix('Service')} | `{service.full_name}` | {rest} | {owns} |")
    return "\n".join(rows) + "\n"


def _without_subject(sentence: str) -> str:
    """ "FooService (agent 2, foo) adds..." -> "Adds...": the row already names the agent."""
    rest = re.sub(r"^\w+Service \([^)]*\)\s+", "", sentence)
    return rest[:1].upper() + rest[1:]


def agents_table(descriptors: DescriptorSet, agents: Sequence[ServiceSpec] = AGENTS) -> str:
    """One row per agent contract, in the order of the agents table (the registry's order; agents
    not registered yet last): its name, gRPC service, REST routes, status and what it decides."""
    order = {spec.full_name: index for index, spec in enumerate(agents)}
    found = [s for s in descriptors.services() if _is_agent(s)]
    found.sort(key=lambda s: (order.get(s.full_name, len(order)), s.full_name))
    names = {spec.full_name: spec.name for spec in agents}
    rows = ["| agent | gRPC | REST | status | decides |", "|---|---|---|---|---|"]
    for service in found:
        name = names.get(service.full_name) or service.name.removesuffix("Service")
        routes = "<br>".join(
            f"`{b.http_method} {b.template}`" for b in service_bindings(descriptors, [service.full_name])
        )
        decides = _without_subject(_first_sentence(descriptors.comments(service.full_name)))
        status = agent_status(service.full_name, agents)
        rows.append(f"| {name} | `{service.full_name}` | {routes or '—'} | {status} | {decides} |")
    return "\n".join(rows) + "\n"


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """A parser's subcommands by name (empty when it has none)."""
    for action in parser._actions:  # argparse offers no public way to walk its subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _leaf_commands(parser: argparse.ArgumentParser) -> list[tuple[argparse.ArgumentParser, str]]:
    """Every command under `parser` that has no subcommands itself, with its one-line help."""
    helps = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
    leaves = []
    for name, sub in _subcommands(parser).items():
        leaves += _leaf_commands(sub) if _subcommands(sub) else [(sub, helps.get(name, ""))]
    return leaves


def _table_cell(text: str) -> str:
    """Text for a Markdown table cell: its pipes escaped (they would end the cell, even in code)."""
    return text.replace("|", "\\|")


def events_commands_table() -> str:
    """One row per `hph events` command: its synopsis (common flags left out) and its help."""
    from hph.host.cli import build_parser

    events = _subcommands(build_parser())["events"]
    rows = ["| command | what it does |", "|---|---|"]
    for command, help_text in _leaf_commands(events):
        usage = " ".join(command.format_usage().removeprefix("usage:").split())
        for common in _COMMON_USAGE:
            usage = usage.replace(f" {common}", "")
        rows.append(f"| `{_table_cell(usage)}` | {_table_cell(help_text)} |")
    return "\n".join(rows) + "\n"


def generators() -> dict[str, Callable[[], str]]:
    descriptors = load_descriptor_set()
    return {
        "configuration": configuration_table,
        "rest-routes": lambda: rest_routes_table(descriptors),
        "services": lambda: services_table(descriptors),
        "agents": lambda: agents_table(descriptors),
        "events-commands": events_commands_table,
    }


def render(text: str, regions: dict[str, Callable[[], str]]) -> str:
    """The text with every generated region it holds rewritten; an unknown region name is an error."""

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in regions:
            raise ValueError(f"unknown generated region {name!r}")
        return f"{match.group(1)}{regions[name]()}{match.group(4)}"

    return REGION.sub(replace, text)


def stale_files(root: Path = REPO_ROOT) -> list[str]:
    regions = generators()
    return [name for name in DOC_FILES if render((root / name).read_text(), regions) != (root / name).read_text()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hph docs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a generated region is stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for name in stale:
            print(f"{name} is stale: run `hph docs`", file=sys.stderr)
        return 1 if stale else 0
    regions = generators()
    for name in DOC_FILES:
        path = REPO_ROOT / name
        text = path.read_text()
        if (new := render(text, regions)) != text:
            path.write_text(new)
            print(f"rewrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
