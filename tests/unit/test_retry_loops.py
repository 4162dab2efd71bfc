"""Optimistic writes retry in one place: `hph.runtime.commit`. An AST walk over the hand-written code
finds every storage retry loop anywhere else, and there must be none.

The rule. A *repeating loop* runs the same step again rather than walking through data: a `while`
loop, or a `for` loop over `range(...)` without a step (`range(ATTEMPTS)`, `range(1, n + 1)`; a
stepped range walks chunks of data). It is a *storage retry loop* when its own body (nested
functions, lambdas and classes are their own scope and are not counted) does any of:

- catches a lost race: an `except` naming PreconditionFailedError, ConflictError or BatchError;
- builds a guarded write: a call passing `if_match=`, or a CreateOp / ReplaceOp / UpsertOp / DeleteOp;
- awaits a write: `await x.batch(...)` (or replace, create, upsert, delete, write, commit, also
  with leading underscores), the storage port's writes and the names wrappers of them go by;
- in a module that uses the storage port, counts attempts: `range(ATTEMPTS)`, or any bound whose
  name mentions attempts, retries or tries (a wrapper with another name hides nothing then).

A function that calls itself (`f(...)`, `self.f(...)`) and catches a lost race is the same loop
written as recursion.

Loops over data (`for record in page.items`), paginating reads and delivery retries without storage
writes do not match. The walk covers every module of the `hph` namespace in the repository.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.support.syntax import last_name

ROOT = Path(__file__).resolve().parents[2]
NAMESPACES = ("services/hph", "gateway/hph", "agents/hph")
HELPER = ROOT / "services/hph/runtime/commit.py"
ADAPTERS = ROOT / "services/hph/runtime/storage"

LOST_RACE = frozenset({"PreconditionFailedError", "ConflictError", "BatchError"})
GUARDED_OPS = frozenset({"CreateOp", "ReplaceOp", "UpsertOp", "DeleteOp"})
WRITES = frozenset({"batch", "replace", "create", "upsert", "delete", "write", "commit"})
COUNTS = ("ATTEMPT", "RETR", "TRIES")
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def modules() -> Iterator[Path]:
    for namespace in NAMESPACES:
        folder = ROOT / namespace
        if folder.is_dir():
            yield from sorted(path for path in folder.rglob("*.py") if path != HELPER)


def own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of `node`'s body, not descending into nested scopes."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, SCOPES):
            continue
        yield child
        yield from own_nodes(child)


def repeats(loop: ast.AST) -> bool:
    if isinstance(loop, ast.While):
        return True
    if isinstance(loop, ast.For | ast.AsyncFor) and isinstance(loop.iter, ast.Call):
        return last_name(loop.iter.func) == "range" and len(loop.iter.args) < 3
    return False


def catches_lost_race(node: ast.AST) -> bool:
    if not isinstance(node, ast.ExceptHandler) or node.type is None:
        return False
    caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
    names = {last_name(part) for part in caught}
    names |= {last_name(side) for part in caught if isinstance(part, ast.BinOp) for side in (part.left, part.right)}
    return bool(names & LOST_RACE)


def counts_attempts(loop: ast.AST) -> bool:
    if not isinstance(loop, ast.For | ast.AsyncFor) or not isinstance(loop.iter, ast.Call):
        return False
    bounds = [last_name(node).upper() for arg in loop.iter.args for node in ast.walk(arg)]
    return any(word in bound for bound in bounds for word in COUNTS)


def uses_storage(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hph.runtime.storage")
        for node in ast.walk(tree)
    )


def calls_itself(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for node in own_nodes(function):
        if isinstance(node, ast.Call) and last_name(node.func) == function.name:
            target = node.func
            if isinstance(target, ast.Name) or (
                isinstance(target, ast.Attribute) and last_name(target.value) in ("self", "cls")
            ):
                return True
    return False


def why_storage_retry(body: ast.AST) -> str:
    """What makes `body` a storage retry, or ""."""
    for node in own_nodes(body):
        if catches_lost_race(node):
            return "catches a lost race"
        if isinstance(node, ast.Call):
            if any(keyword.arg == "if_match" for keyword in node.keywords):
                return "passes if_match"
            if last_name(node.func) in GUARDED_OPS:
                return f"builds a {last_name(node.func)}"
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            called = node.value.func
            if isinstance(called, ast.Attribute) and called.attr.lstrip("_") in WRITES:
                return f"awaits .{called.attr}()"
    return ""


def retry_loops(tree: ast.AST, *, adapter: bool = False) -> Iterator[tuple[int, str]]:
    """`adapter`: a storage adapter's module. It implements the port rather than using it; its
    counted loops retry the engine's transient answers (throttling, a broken deadlock), so only the
    lost-race shapes count there."""
    storage = uses_storage(tree) and not adapter
    for node in ast.walk(tree):
        if repeats(node) and (why := why_storage_retry(node)):
            yield node.lineno, f"a repeating loop that {why}"
        elif storage and repeats(node) and counts_attempts(node):
            yield node.lineno, "a loop counting attempts in a module that writes to storage"
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and calls_itself(node)
            and any(catches_lost_race(inner) for inner in own_nodes(node))
        ):
            yield node.lineno, f"{node.name} retries a lost race by calling itself"


def find_retry_loops(source: str) -> list[tuple[int, str]]:
    return list(retry_loops(ast.parse(source)))


def test_no_storage_retry_loop_outside_the_commit_helper() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {why}"
        for path in modules()
        for line, why in retry_loops(
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), adapter=path.parent == ADAPTERS
        )
    ]
    assert found == [], "retry through hph.runtime.commit instead:\n" + "\n".join(found)


def test_the_rule_sees_the_shapes_retry_loops_take() -> None:
    # The shapes the platform's own loops had before they moved into the helper.
    assert find_retry_loops(
        """
async def ranged(self):
    for _ in range(ATTEMPTS):
        current = await self._read()
        try:
            return await self._container.replace(current, if_match=current["_etag"])
        except PreconditionFailedError:
            continue
"""
    )
    assert find_retry_loops(
        """
async def swallowed(self):
    for attempt in range(1, ATTEMPTS + 1):
        if await self._ledger.write(doc, updated) is not None:
            return
"""
    )
    assert find_retry_loops(
        """
async def forever(self):
    while True:
        try:
            results = await self._orders.batch(pk, [ReplaceOp(doc, if_match=etag)])
        except (BatchError, ConflictError):
            continue
        return results
"""
    )
    assert find_retry_loops(
        """
from hph.runtime.storage import Document

async def hidden(self, doc):
    for _ in range(ATTEMPTS):
        if await self._ledger.take_claim(doc):
            return
"""
    )
    assert find_retry_loops(
        """
async def recursive(self, doc):
    try:
        return await self._container.replace(doc, if_match=doc["_etag"])
    except PreconditionFailedError:
        return await self.recursive(await self._read())
"""
    )


def test_the_rule_leaves_data_loops_and_reads_alone() -> None:
    assert not find_retry_loops(
        """
async def mark(container, records, chunks):
    for record in records:
        await container.batch(pk, [ReplaceOp(record, if_match=record["_etag"])])
    for start in range(0, len(records), 100):
        await container.batch(pk, [DeleteOp(r["id"]) for r in records[start : start + 100]])
    while True:
        page = await container.query(query)
        if not page.continuation:
            return
    for attempt in range(1, tries + 1):
        await handler(envelope)
    for _ in range(ATTEMPTS):  # not a module that uses storage
        plan = lambda current: ReplaceOp(current, if_match=current["_etag"])
        os.open(path)

async def delete(self, doc):
    try:
        await self._container.delete(doc["id"], doc["pk"])
    except PreconditionFailedError:
        return
"""
    )
