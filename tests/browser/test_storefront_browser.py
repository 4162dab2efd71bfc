"""The storefront in a real browser: `hph up` as shipped (the built app at `/`), and
`web/e2e/shopper-journey.mjs` driving Debian's chromium through playwright-core. One platform start
serves both journeys: a shopper signs in (dev sign-in), uses the type-ahead, searches with facets,
opens a product, fills the cart and checks out with `pm_card_visa` to a paid, tracked order (a
refused address and an empty ticket show each error by its field); another shopper's
`pm_card_chargeDeclined` is declined in plain words and another card pays the same order; a token
the platform refuses leads back to sign-in. axe-core checks every page visited (no serious or
critical violations); screenshots go to test-results/storefront/ (git-ignored).

Without chromium, node, the storefront's packages or its build the test skips, except in CI
(CI=true) or where .ci/test says the browser is installed (HPH_TEST_REQUIRE_BROWSER=1): there it
fails instead."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.hph_process import hph_running, rest_url

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
PROGRAM = WEB / "e2e" / "shopper-journey.mjs"
RESULTS = ROOT / "test-results" / "storefront"
# Both journeys take about 20 s on an idle 2-core machine; room for a loaded one.
PROGRAM_TIMEOUT_SECONDS = 300


def chromium_path() -> str | None:
    return os.environ.get("HPH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def browser_unavailable() -> str | None:
    """Why the browser journeys cannot run here, or None."""
    if chromium_path() is None:
        return "chromium is not installed (`.ci/test` installs Debian's chromium with apt-get when run as root)"
    if shutil.which("node") is None:
        return "node is not installed (the storefront and its browser test need Node 20)"
    if not (WEB / "node_modules" / "playwright-core").is_dir():
        return "web/node_modules is missing: run `bash .ci/setup` (installs the storefront's packages with npm)"
    if not (WEB / "dist" / "index.html").is_file():
        return "web/dist is missing: run `bash .ci/setup` (builds the storefront with vite)"
    return None


@pytest.mark.timeout(PROGRAM_TIMEOUT_SECONDS + 180)
def test_shoppers_buy_through_the_storefront_in_a_real_browser(tmp_path: Path) -> None:
    reason = browser_unavailable()
    if reason is not None:
        if os.environ.get("CI") == "true" or os.environ.get("HPH_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    shutil.rmtree(RESULTS, ignore_errors=True)
    with hph_running(tmp_path / "data", env={"HPH_WEB_DIR": str(WEB / "dist")}) as (_, banner):
        env = {
            **os.environ,
            "HPH_REST": rest_url(banner),
            "HPH_RESULTS": str(RESULTS),
            "HPH_CHROMIUM": str(chromium_path()),
        }
        result = subprocess.run(
            ["node", str(PROGRAM)],
            cwd=WEB,
            env=env,
            capture_output=True,
            text=True,
            timeout=PROGRAM_TIMEOUT_SECONDS,
        )
    output = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\n(screenshots in {RESULTS})"
    assert result.returncode == 0, f"the browser journey failed (exit {result.returncode}):\n{output}"
    assert "all steps passed" in result.stdout, output
    shots = sorted(path.name for path in RESULTS.glob("*.png"))
    for page in ("home", "signin", "search", "product", "cart", "checkout", "order-tracking", "checkout-declined"):
        assert any(name.endswith(f"-{page}.png") for name in shots), f"no screenshot of {page}: {shots}"
