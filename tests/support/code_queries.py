"""What the code declares and queries, read from its source: the `ContainerSpec`s each package
declares, the orderings (`OrderBy` tuples) and the field paths its query terms test.

The storage port keeps no list of the queries callers run, so the registry tests read them from the
code itself (ast, with names resolved in the imported module). A query term or `OrderBy` whose field
cannot be resolved to a string is reported (`unresolved`), never skipped: a test over this must
fail rather than miss a query.

Scope: a package (`hph.services.orders`, `hph.agents.copurchases`, `hph.runtime.consumers`) queries
the containers it declares; the exceptions are `SHARED_QUERIERS`."""

from __future__ import annotations

import ast
import importlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from hph.runtime.storage import ContainerSpec

ROOT = Path(__file__).resolve().parents[2]

Ordering = tuple[tuple[str, bool], ...]
"""An `order_by` as (field path, descending) pairs."""

TERMS = frozenset({"Eq", "Ne", "Lt", "Le", "Gt", "Ge", "In", "Contains", "ArrayContains", "IsDefined"})

# Packages that query containers other packages declare: the outbox relay pages through the pending
# records of every container registered as holding outbox records.
SHARED_QUERIERS: dict[str, Callable[[ContainerSpec], bool]] = {
    "hph.runtime.events": lambda spec: spec.outbox,
}


def _source_files() -> Iterator[tuple[str, Path]]:
    """(module name, path) of every hand-written module of `hph`, but the storage adapters."""
    for top in ("services", "gateway", "agents"):
        for path in sorted((ROOT / top / "hph").rglob("*.py")):
            parts = path.relative_to(ROOT / top).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path


def modules() -> Iterator[ModuleType]:
    """Every hand-written module of `hph` (the editable install hides the folders from pkgutil)."""
    for name, _path in _source_files():
        yield importlib.import_module(name)


def specs_in(module: ModuleType) -> Iterator[ContainerSpec]:
    """ContainerSpecs a module holds at top level, alone or in a tuple/list."""
    for value in vars(module).values():
        if isinstance(value, ContainerSpec):
            yield value
        elif isinstance(value, tuple | list):
            yield from (item for item in value if isinstance(item, ContainerSpec))


def package_of(module: str) -> str:
    """The service, agent or runtime package a module belongs to (its first three name parts)."""
    return ".".join(module.split(".")[:3])


@dataclass
class CodeQueries:
    """What the scan found."""

    # package -> the orderings its modules write
    orderings: dict[str, set[Ordering]] = field(default_factory=lambda: defaultdict(set))
    # package -> the field paths its query terms and orderings test
    fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # package -> the containers it declares
    declared: dict[str, set[ContainerSpec]] = field(default_factory=lambda: defaultdict(set))
    # packages constructing idempotency records (documents carrying a `ttl`)
    idempotency_users: set[str] = field(default_factory=set)
    # modules writing a `ttl` key into a dict literal (a document Cosmos DB expires by itself)
    ttl_writers: set[str] = field(default_factory=set)
    # "module:line: text" of every term or OrderBy whose field is not a resolvable string
    unresolved: list[str] = field(default_factory=list)

    def scope(self, package: str, registered: list[ContainerSpec]) -> list[ContainerSpec]:
        """The containers a package's queries may run against."""
        shared = SHARED_QUERIERS.get(package)
        if shared is not None:
            return [spec for spec in registered if shared(spec)]
        return sorted(self.declared.get(package, set()), key=lambda spec: spec.name)


def _resolve(node: ast.expr, module: ModuleType) -> Any:
    """A constant, or a module-level name (or attribute of one) looked up in the imported module."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return getattr(module, node.id, None)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, module)
        return getattr(base, node.attr, None) if base is not None else None
    return None


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _order_item(node: ast.Call, module: ModuleType) -> tuple[str, bool] | None:
    if not node.args:
        return None
    path = _resolve(node.args[0], module)
    descending: Any = False
    if len(node.args) > 1:
        descending = _resolve(node.args[1], module)
    for keyword in node.keywords:
        if keyword.arg == "descending":
            descending = _resolve(keyword.value, module)
    if not isinstance(path, str) or not isinstance(descending, bool):
        return None
    return path, descending


def _where(name: str, node: ast.AST) -> str:
    return f"{name}:{getattr(node, 'lineno', '?')}: {ast.unparse(node)}"


@cache
def scan() -> CodeQueries:
    found = CodeQueries()
    for name, path in _source_files():
        if name.startswith("hph.runtime.storage"):
            continue  # the adapters and the port render queries; they run none of their own
        module = importlib.import_module(name)
        package = package_of(name)
        found.declared[package].update(specs_in(module))
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        in_orderings: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple | ast.List) and node.elts:
                calls = [elt for elt in node.elts if isinstance(elt, ast.Call) and _call_name(elt) == "OrderBy"]
                if len(calls) != len(node.elts):
                    continue
                items = [_order_item(call, module) for call in calls]
                in_orderings.update(id(call) for call in calls)
                if any(item is None for item in items):
                    found.unresolved.append(_where(name, node))
                    continue
                ordering = tuple(item for item in items if item is not None)
                found.orderings[package].add(ordering)
                found.fields[package].update(field_path for field_path, _ in ordering)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            call = _call_name(node)
            if call == "OrderBy" and id(node) not in in_orderings:
                found.unresolved.append(_where(name, node) + " (an OrderBy outside a literal tuple)")
            elif call in TERMS and isinstance(node.func, ast.Name):
                field_path = _resolve(node.args[0], module) if node.args else None
                if isinstance(field_path, str):
                    found.fields[package].add(field_path)
                else:
                    found.unresolved.append(_where(name, node))
            elif call == "IdempotencyRecords":
                found.idempotency_users.add(package)
        if any(
            isinstance(node, ast.Dict) and any(isinstance(k, ast.Constant) and k.value == "ttl" for k in node.keys)
            for node in ast.walk(tree)
        ):
            found.ttl_writers.add(name)
    return found
