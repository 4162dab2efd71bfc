"""Every reason a client can be sent is a value of the ErrorReason enum, raised through it.

A walk over the syntax of the hand-written code finds every reason handed to an error (the `reason`
of a domain error, a token rejection, a gateway binding error or error body, and what goes into an
ErrorInfo) and fails on a string literal, or on a name that does not resolve to an enum value. The
one conversion point refuses anything else at run time. Every enum value is raised somewhere or
documented as reserved, and `docs/error-reasons.md` is what the proto's comments render to.
"""

from __future__ import annotations

import ast
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2
from google.rpc import error_details_pb2

from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from hph.host import error_reasons_doc
from hph.runtime.errors import FailedPrecondition, NotFound, reason_from_text, reason_text
from hph.runtime.rpc.downstream import RefusalDetails
from tests.support.syntax import last_name

REPO = Path(__file__).resolve().parents[2]
ROOTS = ("services/hph", "gateway/hph", "agents/hph")
DESCRIPTOR_SET = REPO / "services" / "holidaypeak" / "holidaypeak.binpb"
PREFIX = "ERROR_REASON_"
UNSPECIFIED = "ERROR_REASON_UNSPECIFIED"
MEMBERS = frozenset(value.name for value in ErrorReason.DESCRIPTOR.values)

# Roots of the error families and where a reason goes when passed by position (None: keyword only).
FAMILIES: dict[str, int | None] = {"DomainError": 1, "InvalidTokenError": 0, "BindingError": None}
# Functions that take a reason by keyword without being an error class.
REASON_FUNCTIONS = frozenset({"client_error_body"})
# google.rpc messages whose reason string must come from `reason_text` (mypy cannot type them).
WIRE_FIELDS = {"ErrorInfo": "reason", "Violation": "type"}


@dataclass
class Module:
    name: str
    path: str
    tree: ast.Module
    # Module-level constants ("NAME") and class attributes ("Class.NAME") -> their value.
    constants: dict[str, ast.expr] = field(default_factory=dict)
    # Local name -> what it imports ("pkg.module" or "pkg.module.NAME").
    imports: dict[str, str] = field(default_factory=dict)


def parse_module(name: str, path: str, source: str) -> Module:
    module = Module(name, path, ast.parse(source))
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    for node in module.tree.body:
        _collect_constants(module, node, "")
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                _collect_constants(module, item, f"{node.name}.")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                module.imports[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:  # `import a.b as c` binds c to a.b
                    module.imports[alias.asname] = alias.name
                else:  # `import a.b` binds a
                    top = alias.name.partition(".")[0]
                    module.imports[top] = top
    return module


def _collect_constants(module: Module, node: ast.stmt, prefix: str) -> None:
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name):
                module.constants[prefix + target.id] = node.value
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for name, value in zip(target.elts, node.value.elts, strict=False):
                    if isinstance(name, ast.Name):
                        module.constants[prefix + name.id] = value
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        module.constants[prefix + node.target.id] = node.value


@cache
def load_code() -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for root in ROOTS:
        top = REPO / root
        for path in sorted(top.rglob("*.py")):
            parts = path.relative_to(top.parent).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = parse_module(name, str(path.relative_to(REPO)), path.read_text())
    return modules


@dataclass
class Checker:
    modules: dict[str, Module]
    findings: list[str] = field(default_factory=list)

    def resolve(self, module: Module, expr: ast.expr, depth: int = 0) -> tuple[Module, ast.expr] | None:
        """The constant `expr` names (a module constant or class attribute, here or imported), or
        None when it is a variable, a call or anything else mypy types instead."""
        if depth > 10:
            return None
        if isinstance(expr, ast.Name):
            return self._lookup(module, expr.id, depth)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            base = expr.value.id
            target = module.imports.get(base)
            if target in self.modules:  # `rules.ILLEGAL_TRANSITION`: a constant of an imported module
                return self._lookup(self.modules[target], expr.attr, depth)
            return self._lookup(module, f"{base}.{expr.attr}", depth)  # `Rejection.EXPIRED`
        return None

    def _lookup(self, module: Module, name: str, depth: int) -> tuple[Module, ast.expr] | None:
        if name in module.constants:
            return module, module.constants[name]
        head, dot, rest = name.partition(".")
        target = module.imports.get(head)
        if target is None or target in self.modules:
            return None
        owner, _, imported = target.rpartition(".")
        if owner in self.modules:
            return self._lookup(self.modules[owner], imported + dot + rest, depth + 1)
        return None

    def problems(self, module: Module, expr: ast.expr, depth: int = 0) -> list[str]:
        """Why `expr` is not a reason raised through the enum (empty when it is, or when it is a
        variable whose type mypy checks)."""
        if (isinstance(expr, ast.Constant) and isinstance(expr.value, str)) or isinstance(expr, ast.JoinedStr):
            return [f"a string literal ({ast.unparse(expr)}) instead of an ErrorReason value"]
        if isinstance(expr, ast.BoolOp):
            return [p for value in expr.values for p in self.problems(module, value, depth)]
        if isinstance(expr, ast.IfExp):
            return self.problems(module, expr.body, depth) + self.problems(module, expr.orelse, depth)
        if isinstance(expr, ast.Attribute) and expr.attr.startswith(PREFIX):
            if expr.attr not in MEMBERS:
                return [f"{expr.attr} is not a value of ErrorReason (add it to error_reason.proto)"]
            if expr.attr == UNSPECIFIED:
                return [f"{UNSPECIFIED} is never sent"]
            return []
        resolved = self.resolve(module, expr, depth)
        if resolved is not None and depth < 10:
            owner, value = resolved
            return [f"{ast.unparse(expr)} is {p}" for p in self.problems(owner, value, depth + 1)]
        return []

    def error_families(self) -> dict[str, int | None]:
        """Every error class of the code (by name) -> where its reason goes by position."""
        parents = self.error_parents()
        families: dict[str, int | None] = {}
        for name in parents:
            root = name
            while parents[root]:
                root = parents[root]
            families[name] = FAMILIES[root]
        return families

    def error_parents(self) -> dict[str, str]:
        """Every error class of the code (by name) -> its error base ("" for a family root)."""
        classes = [
            (node.name, [last_name(b) for b in node.bases])
            for module in self.modules.values()
            for node in ast.walk(module.tree)
            if isinstance(node, ast.ClassDef)
        ]
        parents = dict.fromkeys(FAMILIES, "")
        grew = True
        while grew:
            grew = False
            for name, bases in classes:
                known = [base for base in bases if base in parents]
                if name not in parents and known:
                    parents[name] = known[0]
                    grew = True
        return parents

    def check(self) -> list[str]:
        families = self.error_families()
        parents = self.error_parents()
        for module in self.modules.values():
            for node, where in _walk_with_class(module.tree):
                self._check_node(module, node, where, families, parents)
        return self.findings

    def _report(self, module: Module, node: ast.AST, problems: list[str]) -> None:
        self.findings += [f"{module.path}:{getattr(node, 'lineno', 0)}: {p}" for p in problems]

    def _check_node(
        self, module: Module, node: ast.AST, cls: str, families: dict[str, int | None], parents: dict[str, str]
    ) -> None:
        if isinstance(node, ast.Attribute) and node.attr.startswith(PREFIX) and node.attr not in MEMBERS:
            self._report(module, node, [f"{node.attr} is not a value of ErrorReason"])
        if isinstance(node, ast.AnnAssign | ast.Assign) and cls in families:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "reason" for t in targets) and node.value is not None:
                self._report(module, node, self.problems(module, node.value))
        if not isinstance(node, ast.Call):
            return
        callee = last_name(node.func)
        if callee == "__init__" and isinstance(node.func, ast.Attribute) and _is_super(node.func.value):
            callee = parents.get(cls, "")  # the error base's constructor ("": not an error, or a root)
        reasons = [k.value for k in node.keywords if k.arg == "reason"]
        if callee in families:
            position = families[callee]
            if position is not None and len(node.args) > position:
                reasons.append(node.args[position])
            self._report(module, node, [p for r in reasons for p in self.problems(module, r)])
        elif callee in REASON_FUNCTIONS:
            self._report(module, node, [p for r in reasons for p in self.problems(module, r)])
        elif callee in WIRE_FIELDS:
            for keyword in node.keywords:
                if keyword.arg == WIRE_FIELDS[callee]:
                    self._check_wire(module, keyword.value)
        elif callee == "reason_text" and node.args:
            self._report(module, node, self.problems(module, node.args[0]))

    def _check_wire(self, module: Module, value: ast.expr) -> None:
        if isinstance(value, ast.Call) and last_name(value.func) == "reason_text":
            return  # the argument is checked where the call itself is visited
        self._report(module, value, [f"{ast.unparse(value)} must be reason_text(<ErrorReason value>)"])


def _is_super(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and last_name(node.func) == "super"


def _walk_with_class(tree: ast.AST, cls: str = "") -> Iterator[tuple[ast.AST, str]]:
    """Every node with the name of the class it is defined in ("" outside classes)."""
    for child in ast.iter_child_nodes(tree):
        inner = child.name if isinstance(child, ast.ClassDef) else cls
        yield child, inner
        yield from _walk_with_class(child, inner)


def used_members(modules: dict[str, Module]) -> set[str]:
    return {
        node.attr
        for module in modules.values()
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Attribute) and node.attr.startswith(PREFIX)
    }


# --- the code ----------------------------------------------------------------------------------


def test_every_reason_the_code_raises_is_an_error_reason_value() -> None:
    findings = Checker(load_code()).check()
    assert not findings, "reasons outside the ErrorReason enum:\n" + "\n".join(findings)


def test_the_walk_sees_the_reasons_it_should() -> None:
    """Guards the walk itself: if it stopped finding sinks, the test above would pass vacuously."""
    modules = load_code()
    used = used_members(modules)
    for member in ("ERROR_REASON_ILLEGAL_TRANSITION", "ERROR_REASON_TOKEN_EXPIRED", "ERROR_REASON_INVALID_JSON"):
        assert member in used
    families = Checker(modules).error_families()
    assert {"FailedPrecondition", "OutOfStock", "RefundRefused", "WebhookSignatureInvalid"} <= set(families)


SYNTHETIC = """
from pkg.errors import FailedPrecondition, Aborted
from holidaypeak.common.v1.error_reason_pb2 import ErrorReason
from pkg import rules

GOOD = ErrorReason.ERROR_REASON_OUT_OF_STOCK
BAD = "OUT_OF_STOCK"


class Special(FailedPrecondition):
    reason: str = "SPECIAL"

    def __init__(self) -> None:
        super().__init__("m", reason=BAD)


def refuse(info, text):
    raise FailedPrecondition("m", reason="LITERAL")
    raise FailedPrecondition("m", "POSITIONAL")
    raise Aborted("m", reason=info.reason or "CONCURRENT_MODIFICATION")
    raise FailedPrecondition("m", reason=f"{text}")
    raise FailedPrecondition("m", reason=rules.STRING_CONSTANT)
    raise FailedPrecondition("m", reason=ErrorReason.ERROR_REASON_NOT_IN_THE_ENUM)
    raise FailedPrecondition("m", reason=ErrorReason.ERROR_REASON_UNSPECIFIED)
    ErrorInfo(reason=info.reason)
    raise FailedPrecondition("m", reason=GOOD)
    raise FailedPrecondition("m", reason=rules.ENUM_CONSTANT)
    raise FailedPrecondition("m", reason=text)
    ErrorInfo(reason=reason_text(GOOD))
"""
RULES = 'STRING_CONSTANT = "X"\nENUM_CONSTANT = ErrorReason.ERROR_REASON_DUPLICATE\n'


ERRORS = """
class DomainError(Exception): ...
class FailedPrecondition(DomainError): ...
class Aborted(DomainError): ...
"""


def test_the_walk_fails_on_literals_unknown_values_and_string_constants() -> None:
    modules = {
        "pkg.errors": parse_module("pkg.errors", "pkg/errors.py", ERRORS),
        "pkg.bad": parse_module("pkg.bad", "pkg/bad.py", SYNTHETIC),
        "pkg.rules": parse_module("pkg.rules", "pkg/rules.py", RULES),
    }
    findings = Checker(modules).check()
    lines = sorted(int(f.split(":")[1]) for f in findings)
    # Every line of the bad half is reported (the class default, super().__init__ with a string
    # constant, each raise and the ErrorInfo), the NOT_IN_THE_ENUM line twice; the good half is not.
    assert lines == [11, 14, 18, 19, 20, 21, 22, 23, 23, 24, 25], findings
    assert any("rules.STRING_CONSTANT is" in f for f in findings)


# --- the conversion point ------------------------------------------------------------------------


def test_every_value_but_unspecified_becomes_its_name_without_the_prefix() -> None:
    for value in ErrorReason.DESCRIPTOR.values:
        if value.number:
            assert reason_text(value.number) == value.name.removeprefix(PREFIX)
            assert (
                reason_from_text(value.name.removeprefix(PREFIX), ErrorReason.ERROR_REASON_FAILED_PRECONDITION)
                == value.number
            )


@pytest.mark.parametrize("bad", ["NOT_FOUND", ErrorReason.ERROR_REASON_UNSPECIFIED, 10_000, None])
def test_the_conversion_point_refuses_anything_but_a_sendable_value(bad: object) -> None:
    with pytest.raises(ValueError, match="not an ErrorReason"):
        reason_text(bad)
    with pytest.raises(ValueError, match="not an ErrorReason"):
        NotFound("x", reason=bad)


def test_a_reason_received_from_another_service_maps_back_by_name(caplog: pytest.LogCaptureFixture) -> None:
    fallback = ErrorReason.ERROR_REASON_FAILED_PRECONDITION
    assert reason_from_text("OUT_OF_STOCK", fallback) == ErrorReason.ERROR_REASON_OUT_OF_STOCK
    assert reason_from_text("", fallback) == fallback
    with caplog.at_level(logging.WARNING, logger="hph.errors"):
        assert reason_from_text("FROM_A_NEWER_CONTRACT", fallback) == fallback
        assert reason_from_text("UNSPECIFIED", fallback) == fallback
    assert "FROM_A_NEWER_CONTRACT" in caplog.text
    received = RefusalDetails(error_details_pb2.ErrorInfo(reason="SOMETHING_NEW"))
    passed_on = FailedPrecondition("m", reason=received.reason(fallback)).to_status()
    assert b"FAILED_PRECONDITION" in passed_on.details[0].value


# --- the catalogue -------------------------------------------------------------------------------


def test_every_value_is_raised_somewhere_or_documented_as_reserved() -> None:
    used = used_members(load_code())
    catalogue = error_reasons_doc.read_catalogue(_descriptor_set())
    unused = [r.wire for r in catalogue.reasons if PREFIX + r.wire not in used and not r.reserved]
    assert not unused, f"never raised and not marked {error_reasons_doc.RESERVED_MARK!r}: {unused}"
    raised_anyway = [r.wire for r in catalogue.reasons if r.reserved and PREFIX + r.wire in used]
    assert not raised_anyway, f"marked reserved but raised: {raised_anyway}"


def test_every_value_has_a_sentence_and_names_its_metadata() -> None:
    catalogue = error_reasons_doc.read_catalogue(_descriptor_set())
    assert len(catalogue.reasons) == len(MEMBERS) - 1
    for reason in catalogue.reasons:
        assert reason.meaning.endswith("."), reason
        assert reason.metadata, f"{reason.wire}: say `Metadata: none.` or name the keys"


def test_the_integrators_page_is_current() -> None:
    page = REPO / error_reasons_doc.DOC_PATH
    assert page.read_text() == error_reasons_doc.render_file(DESCRIPTOR_SET), "run `hph codegen`"


def _descriptor_set() -> descriptor_pb2.FileDescriptorSet:
    return descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR_SET.read_bytes())
