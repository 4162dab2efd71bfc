"""The storefront in a real browser: `hph up` as shipped (the built app at `/`), and
`web/e2e/shopper-journey.mjs` driving Debian's chromium through playwright-core. One platform start
serves every journey: a shopper browses a category, signs in (dev sign-in), uses the type-ahead,
searches with facets, opens a product, fills the cart and checks out with `pm_card_visa` to a paid,
tracked order (a refused quantity, address and ticket show each error by its field; a return of
the undelivered order is refused in words); another shopper's `pm_card_chargeDeclined` is declined
in plain words and another card pays the same order, which staff then deliver (over the API) and
the shopper returns with a refund estimate; a token the platform refuses leads back to sign-in; a
third shopper over the per-user rate limit is told when to retry. axe-core checks every page
visited (no serious or critical violations); screenshots go to test-results/storefront/
(git-ignored).

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
# The journeys take about 25 s on a quiet 2-core machine, a minute on a loaded one; room for worse.
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
    pages = ["home", "signin", "search", "product", "cart", "checkout", "order-tracking", "checkout-declined"]
    pages += ["return-eligible", "returns", "rate-limited"]
    for page in pages:
        assert any(name.endswith(f"-{page}.png") for name in shots), f"no screenshot of {page}: {shots}"
