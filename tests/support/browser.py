"""What the browser tests (tests/browser) need: Debian's chromium, node, the storefront's packages
(playwright-core, axe-core) and its build. Without them a test skips, except in CI (CI=true) or
where .ci/test installed chromium (HPH_TEST_REQUIRE_BROWSER=1): there it fails instead."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"


def chromium_path() -> str | None:
    return os.environ.get("HPH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def browser_unavailable() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if chromium_path() is None:
        return "chromium is not installed (`.ci/test` installs Debian's chromium with apt-get when run as root)"
    if shutil.which("node") is None:
        return "node is not installed (the storefront and its browser tests need Node 20)"
    if not (WEB / "node_modules" / "playwright-core").is_dir():
        return "web/node_modules is missing: run `bash .ci/setup` (installs the storefront's packages with npm)"
    if not (WEB / "dist" / "index.html").is_file():
        return "web/dist is missing: run `bash .ci/setup` (builds the storefront with vite)"
    return None


def require_browser() -> str:
    """The chromium to drive; skips (or fails where it must run) when something is missing."""
    reason = browser_unavailable()
    if reason is not None:
        if os.environ.get("CI") == "true" or os.environ.get("HPH_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    chromium = chromium_path()
    assert chromium is not None
    return chromium
