"""ARCHITECTURE.md's ports-and-adapters table names test files and modules that exist, and an
adapter setting value the code accepts, so the table cannot silently go stale."""

from __future__ import annotations

import re
from pathlib import Path

from hph.host.app import STORAGE_ADAPTERS
from hph.runtime.memory.factory import COLD_ADAPTERS

ROOT = Path(__file__).resolve().parents[2]


def _section() -> str:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    start = text.index("## Ports and adapters\n")
    return text[start : text.index("\n## ", start + 1)]


def test_every_file_the_table_names_exists() -> None:
    paths = set(re.findall(r"`((?:tests|infra|services|docs)/[\w/.-]+\.(?:py|bicep|json|md))`", _section()))
    assert len(paths) >= 15
    missing = sorted(path for path in paths if not (ROOT / path).is_file())
    assert missing == []


def test_the_adapter_values_the_table_names_are_the_codes() -> None:
    section = _section()
    documents = next(line for line in section.splitlines() if line.startswith("| documents"))
    assert set(re.findall(r"\(`([a-z]+)`\)", documents)) == set(STORAGE_ADAPTERS)
    cold = next(line for line in section.splitlines() if line.startswith("| agent memory cold tier"))
    assert set(re.findall(r"\(`([a-z]+)`", cold)) == set(COLD_ADAPTERS)
