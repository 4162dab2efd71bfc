"""Small helpers of the tests that read the code's syntax trees (the error-reason walk, the retry-loop rule)."""

from __future__ import annotations

import ast


def last_name(node: ast.AST) -> str:
    """The name a reference ends in (`x` -> "x", `a.b.x` -> "x"); "" for anything else (a call, a subscript...)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
