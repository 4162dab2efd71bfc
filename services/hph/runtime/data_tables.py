"""Reading the strict data tables services ship as package data (checkout's shipping and tax rates,
shipments' carriers): loading the JSON file and the shape checks their parsers are built from.

Each table's parser owns its own rules; the checks here only say "this must be an object, a list,
a non-empty string" the same way everywhere, raising ValueError that names where in the table, so
a malformed table fails at start-up with the same kind of message whichever service loads it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any


def load_json(package: str, name: str) -> Any:
    """The parsed JSON of `data/<name>` inside `package`."""
    return json.loads(resources.files(package).joinpath("data", name).read_text(encoding="utf-8"))


def as_mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object")
    return value


def as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list")
    return value


def as_text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: expected a non-empty string")
    return value
