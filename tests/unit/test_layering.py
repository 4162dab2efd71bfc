"""The import fence: which code may import which, checked by walking every module's syntax tree.

The modules walked are every `.py` file of the `hph` and `holidaypeak` packages under `services/`,
`gateway/` and `agents/`. Each belongs to one unit, listed from the top layer down:

| unit             | package                         | may import, besides its own unit             |
|------------------|---------------------------------|----------------------------------------------|
| host             | `hph.host`                      | every unit below                             |
| gateway          | `hph.gateway`                   | `hph.runtime`, `holidaypeak`                 |
| service `<name>` | `hph.services.<name>`           | `hph.commerce`, `hph.runtime`, `holidaypeak` |
| `hph.services`   | the bare package only           | `hph.commerce`, `hph.runtime`, `holidaypeak` |
| agents           | `hph.agents` (one unit for now) | `hph.commerce`, `hph.runtime`, `holidaypeak` |
| commerce         | `hph.commerce`                  | `hph.runtime`, `holidaypeak`                 |
| runtime          | `hph.runtime`                   | `holidaypeak`                                |
| generated        | `holidaypeak`                   | nothing of `hph`                             |

So the layers are one-way (host -> {gateway, services, agents} -> commerce -> runtime -> generated),
and the services are fenced from each other: `hph.services.orders` importing anything of
`hph.services.checkout` is a violation. Services talk to each other only through generated stubs
(wrapped by `hph.commerce.clients` and each service's own clients); code that two services share
lives in `hph.commerce`, never in one of them. The bare `hph.services` package is no service's: only
the host imports it. The gateway stays out of `hph.commerce` because it transcodes any RPC from the
descriptor set alone (a new RPC needs no gateway code).

What counts as an import of module M:
- `import M`, `from M import x` and `from P import M` (x a name, M a module), at module level, inside
  functions and classes, and under `if TYPE_CHECKING:`;
- relative imports, resolved against the importing module;
- a string literal that is exactly M's dotted name, or `M:attr`: importlib, `importlib.resources`
  package-data lookups and factory paths name modules as strings.
A module under `hph` that belongs to no unit is itself a violation (`hph.<new>` must be placed in the
table first). Imports of anything outside `hph` and `holidaypeak` (the standard library, grpc, ...)
are not checked. Nothing is excepted today.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCE_ROOTS = ("services", "gateway", "agents")
TOP_PACKAGES = ("hph", "holidaypeak")

HOST, GATEWAY, AGENTS, COMMERCE, RUNTIME, GENERATED = "host", "gateway", "agents", "commerce", "runtime", "generated"
SERVICES_PACKAGE = "hph.services"
SERVICE_PREFIX = "service "
# Units named by their package; services are `service <name>` (see unit_of).
UNIT_PACKAGES = {
    "hph.host": HOST,
    "hph.gateway": GATEWAY,
    "hph.agents": AGENTS,
    "hph.commerce": COMMERCE,
    "hph.runtime": RUNTIME,
    "holidaypeak": GENERATED,
}
# What each unit may import besides itself; a service matches ANY_SERVICE only for the host.
ANY_SERVICE = "any service"
ALLOWED: dict[str, frozenset[str]] = {
    HOST: frozenset({GATEWAY, SERVICES_PACKAGE, ANY_SERVICE, AGENTS, COMMERCE, RUNTIME, GENERATED}),
    GATEWAY: frozenset({RUNTIME, GENERATED}),
    SERVICES_PACKAGE: frozenset({COMMERCE, RUNTIME, GENERATED}),
    SERVICE_PREFIX: frozenset({COMMERCE, RUNTIME, GENERATED}),
    AGENTS: frozenset({COMMERCE, RUNTIME, GENERATED}),
    COMMERCE: frozenset({RUNTIME, GENERATED}),
    RUNTIME: frozenset({GENERATED}),
    GENERATED: frozenset(),
}


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool


@dataclass(frozen=True)
class Import:
    importer: Module
    imported: str
    line: int


def unit_of(module: str) -> str | None:
    """The unit a dotted module name belongs to, or None for one under `hph` that has no place."""
    if module == SERVICES_PACKAGE:
        return SERVICES_PACKAGE
    if module.startswith(SERVICES_PACKAGE + "."):
        return SERVICE_PREFIX + module.split(".")[2]
    for package, unit in UNIT_PACKAGES.items():
        if module == package or module.startswith(package + "."):
            return unit
    return None


def may_import(importer_unit: str, imported_unit: str) -> bool:
    if importer_unit == imported_unit:
        return True
    rules = ALLOWED[SERVICE_PREFIX if importer_unit.startswith(SERVICE_PREFIX) else importer_unit]
    if imported_unit.startswith(SERVICE_PREFIX):
        return ANY_SERVICE in rules
    return imported_unit in rules


def find_modules(base: Path) -> dict[str, Module]:
    """Every module of the top packages under base's source roots, by dotted name."""
    found: dict[str, Module] = {}
    for root_name in SOURCE_ROOTS:
        root = base / root_name
        for top in TOP_PACKAGES:
            for path in sorted((root / top).rglob("*.py")):
                parts = list(path.relative_to(root).with_suffix("").parts)
                is_package = parts[-1] == "__init__"
                if is_package:
                    parts.pop()
                found[".".join(parts)] = Module(".".join(parts), path, is_package)
    return found


def _absolute(module: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: Module, known: dict[str, Module]) -> Iterator[Import]:
    """Every import of an `hph`/`holidaypeak` module that module makes, wherever it stands in the file."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(module, node)
            # `from hph.services import orders` imports the module hph.services.orders.
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in known else source for a in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            named = node.value.partition(":")[0]
            targets = [named] if named in known else []
        else:
            continue
        for target in targets:
            if target.split(".")[0] in TOP_PACKAGES:
                yield Import(module, target, node.lineno)


def violations(base: Path) -> list[str]:
    """Each import that crosses the fence, as one line naming both ends and the rule."""
    known = find_modules(base)
    found: list[str] = []
    for module in known.values():
        where = f"{module.path.relative_to(base)}"
        importer_unit = unit_of(module.name)
        if importer_unit is None:
            found.append(f"{module.name} ({where}) belongs to no layer; place it in test_layering.py first")
            continue
        for edge in imports_of(module, known):
            imported_unit = unit_of(edge.imported)
            if imported_unit is None:
                found.append(f"{module.name} ({where}:{edge.line}) imports {edge.imported}, which belongs to no layer")
            elif not may_import(importer_unit, imported_unit):
                found.append(
                    f"{module.name} ({where}:{edge.line}) imports {edge.imported}: "
                    f"{importer_unit} may not import {imported_unit}"
                )
    return sorted(set(found))


# --- the real tree -------------------------------------------------------------------------------


def test_the_tree_keeps_its_layers() -> None:
    found = violations(REPO)
    assert not found, "imports across the fence:\n" + "\n".join(found)


def test_the_walk_sees_every_layer() -> None:
    """Guards the test above against passing because it read nothing."""
    known = find_modules(REPO)
    units = {unit_of(name) for name in known}
    assert {HOST, GATEWAY, COMMERCE, RUNTIME, GENERATED} <= units
    assert {SERVICE_PREFIX + name for name in ("orders", "checkout", "catalog", "payments")} <= units
    imported = {edge.imported for edge in imports_of(known["hph.services.orders.servicer"], known)}
    assert {"hph.commerce.pricing.sources", "hph.runtime.errors", "holidaypeak.commerce.v1.order_pb2"} <= imported


# --- the checker on small synthetic trees --------------------------------------------------------


def write_tree(base: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = base / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return base


SERVICE_FILES = {
    "services/hph/services/__init__.py": "",
    "services/hph/services/orders/__init__.py": "",
    "services/hph/services/orders/rules.py": "",
    "services/hph/services/checkout/__init__.py": "",
    "services/hph/services/checkout/rules.py": "",
    "services/hph/commerce/__init__.py": "",
    "services/hph/commerce/pricing.py": "",
    "services/hph/runtime/__init__.py": "",
    "services/hph/runtime/errors.py": "",
    "services/hph/host/__init__.py": "",
    "gateway/hph/gateway/__init__.py": "",
    "gateway/hph/gateway/server.py": "",
    "services/holidaypeak/__init__.py": "",
    "services/holidaypeak/order_pb2.py": "",
}


def test_orders_importing_checkout_is_reported(tmp_path: Path) -> None:
    write_tree(tmp_path, SERVICE_FILES)
    write_tree(tmp_path, {"services/hph/services/orders/servicer.py": "from hph.services.checkout import rules\n"})
    assert violations(tmp_path) == [
        "hph.services.orders.servicer (services/hph/services/orders/servicer.py:1) imports "
        "hph.services.checkout.rules: service orders may not import service checkout"
    ]


@pytest.mark.parametrize(
    ("path", "text", "importer", "imported"),
    [
        pytest.param(
            "services/hph/services/orders/servicer.py",
            """
            def late() -> None:
                import hph.services.checkout.rules
            """,
            "hph.services.orders.servicer",
            "hph.services.checkout.rules",
            id="inside-a-function",
        ),
        pytest.param(
            "services/hph/services/orders/servicer.py",
            """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from hph.services.checkout.rules import Assessment
            """,
            "hph.services.orders.servicer",
            "hph.services.checkout.rules",
            id="type-checking-block",
        ),
        pytest.param(
            "services/hph/services/orders/servicer.py",
            "from ..checkout import rules\n",
            "hph.services.orders.servicer",
            "hph.services.checkout.rules",
            id="relative",
        ),
        pytest.param(
            "services/hph/services/orders/servicer.py",
            "from hph.services import checkout\n",
            "hph.services.orders.servicer",
            "hph.services.checkout",
            id="package-as-name",
        ),
        pytest.param(
            "services/hph/services/orders/servicer.py",
            'import importlib\nimportlib.import_module("hph.services.checkout.rules")\n',
            "hph.services.orders.servicer",
            "hph.services.checkout.rules",
            id="module-named-by-string",
        ),
        pytest.param(
            "services/hph/services/orders/servicer.py",
            "from hph.host import app\n",
            "hph.services.orders.servicer",
            "hph.host",
            id="service-imports-host",
        ),
        pytest.param(
            "services/hph/runtime/server.py",
            "from hph.services.orders import rules\n",
            "hph.runtime.server",
            "hph.services.orders.rules",
            id="runtime-imports-service",
        ),
        pytest.param(
            "services/hph/runtime/server.py",
            "from hph.commerce import pricing\n",
            "hph.runtime.server",
            "hph.commerce.pricing",
            id="runtime-imports-commerce",
        ),
        pytest.param(
            "services/hph/commerce/clients.py",
            "from hph.services.orders.rules import x\n",
            "hph.commerce.clients",
            "hph.services.orders.rules",
            id="commerce-imports-service",
        ),
        pytest.param(
            "gateway/hph/gateway/codec.py",
            "import hph.services.orders.rules\n",
            "hph.gateway.codec",
            "hph.services.orders.rules",
            id="gateway-imports-service",
        ),
        pytest.param(
            "gateway/hph/gateway/codec.py",
            "from hph.host import cli\n",
            "hph.gateway.codec",
            "hph.host",
            id="gateway-imports-host",
        ),
        pytest.param(
            "agents/hph/agents/cart_risk.py",
            "from hph.services.orders.rules import x\n",
            "hph.agents.cart_risk",
            "hph.services.orders.rules",
            id="agent-imports-service",
        ),
        pytest.param(
            "services/holidaypeak/cart_pb2.py",
            "from hph.runtime import errors\n",
            "holidaypeak.cart_pb2",
            "hph.runtime.errors",
            id="generated-imports-hph",
        ),
    ],
)
def test_each_crossing_is_reported(tmp_path: Path, path: str, text: str, importer: str, imported: str) -> None:
    write_tree(tmp_path, {**SERVICE_FILES, path: text})
    found = violations(tmp_path)
    assert len(found) == 1, found
    assert found[0].startswith(f"{importer} ({path}:")
    assert f" imports {imported}" in found[0]


def test_a_package_without_a_layer_is_reported(tmp_path: Path) -> None:
    write_tree(tmp_path, {**SERVICE_FILES, "services/hph/extras/__init__.py": ""})
    assert violations(tmp_path) == [
        "hph.extras (services/hph/extras/__init__.py) belongs to no layer; place it in test_layering.py first"
    ]


def test_imports_down_the_layers_pass(tmp_path: Path) -> None:
    write_tree(tmp_path, SERVICE_FILES)
    write_tree(
        tmp_path,
        {
            "services/hph/services/orders/servicer.py": """
                import grpc
                from holidaypeak import order_pb2
                from hph.commerce import pricing
                from hph.runtime.errors import x
                from hph.services.orders import rules
                from . import rules as same
                DATA_PACKAGE = "hph.services.orders"
            """,
            "services/hph/commerce/clients.py": "from hph.commerce.pricing import y\nfrom hph.runtime import errors\n",
            "services/hph/host/app.py": """
                from hph.gateway import server
                from hph.services.checkout import rules
                FACTORY = "hph.services.orders.servicer:create_binding"
            """,
            "gateway/hph/gateway/codec.py": "from hph.runtime import errors\nfrom holidaypeak import order_pb2\n",
        },
    )
    assert violations(tmp_path) == []
