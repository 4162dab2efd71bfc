"""The Azure profile's settings table (docs/azure.md), infra/main.bicep's outputs and the code's
settings agree: every row is a setting of the code, every HPH_* output is a row and provides the
setting it is named after, and the outputs' fixed values select the Azure adapters."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from hph.runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
_OUTPUT = re.compile(r"^output (\w+) (\w+) = (.+)$", re.MULTILINE)
_ROW = re.compile(r"^\| `(HPH_\w+)` \| (.+?) \| (.+?) \| (.+?) \|$", re.MULTILINE)


def _outputs() -> dict[str, str]:
    """main.bicep's outputs: name -> expression."""
    return {match[1]: match[3] for match in _OUTPUT.finditer((ROOT / "infra/main.bicep").read_text(encoding="utf-8"))}


def _rows() -> dict[str, str]:
    """docs/azure.md's settings table: setting -> the outputs column."""
    text = (ROOT / "docs/azure.md").read_text(encoding="utf-8")
    return {match[1]: match[3] for match in _ROW.finditer(text)}


def _setting_names() -> set[str]:
    return {f"HPH_{field.name.upper()}" for field in fields(Settings)}


def test_every_row_is_a_setting_of_the_code_and_names_existing_outputs() -> None:
    rows, outputs = _rows(), _outputs()
    assert len(rows) >= 15
    assert set(rows) <= _setting_names()
    for setting, column in rows.items():
        named = re.findall(r"`(\w+)`", column)
        assert named, f"{setting} names no output"
        assert set(named) <= set(outputs), f"{setting}: {set(named) - set(outputs)} are not outputs of main.bicep"


def test_every_hph_output_is_the_row_of_the_setting_it_is_named_after() -> None:
    rows, outputs = _rows(), _outputs()
    hph_outputs = {name for name in outputs if name.startswith("HPH_")}
    assert hph_outputs <= _setting_names()
    assert hph_outputs == {setting for setting, column in rows.items() if column == f"`{setting}`"}
    # The one setting not output holds a secret; its row says where its parts come from.
    assert set(rows) - hph_outputs == {"HPH_REDIS_URL"}
    assert "key" in rows["HPH_REDIS_URL"]


def test_the_outputs_fixed_values_are_valid_settings_selecting_the_azure_adapters() -> None:
    fixed = {}
    for name, expression in _outputs().items():
        if not name.startswith("HPH_"):
            continue
        literal = re.fullmatch(r"'([^']*)'|(true|false)", expression.strip())
        if literal:
            fixed[name] = literal[1] if literal[1] is not None else literal[2]
    settings = Settings.from_env(fixed)

    assert (settings.storage, settings.event_log, settings.memory_cold) == ("cosmos", "eventhubs", "blob")
    assert (settings.hot_cache, settings.rate_limits) == ("redis", "redis")
    assert settings.dev_issuer_enabled is False
    assert not settings.azure_emulator and not settings.cosmos_manage_containers and settings.cosmos_verify_tls
