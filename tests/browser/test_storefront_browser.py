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
fails instead (tests/support/browser.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.browser import WEB, require_browser
from tests.support.hph_process import hph_running, rest_url

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = WEB / "e2e" / "shopper-journey.mjs"
RESULTS = ROOT / "test-results" / "storefront"
# Both journeys take about 20 s on an idle 2-core machine; room for a loaded one.
PROGRAM_TIMEOUT_SECONDS = 300


@pytest.mark.timeout(PROGRAM_TIMEOUT_SECONDS + 180)
def test_shoppers_buy_through_the_storefront_in_a_real_browser(tmp_path: Path) -> None:
    chromium = require_browser()
    shutil.rmtree(RESULTS, ignore_errors=True)
    with hph_running(tmp_path / "data", env={"HPH_WEB_DIR": str(WEB / "dist")}) as (_, banner):
        env = {
            **os.environ,
            "HPH_REST": rest_url(banner),
            "HPH_RESULTS": str(RESULTS),
            "HPH_CHROMIUM": chromium,
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
