"""The staff console in a real browser: `hph up` as shipped (the built app at `/`), and
`web/e2e/staff-journey.mjs` driving Debian's chromium through playwright-core. One platform start
serves every journey: a shopper is refused the console in words; a shopper's order (placed through
the REST API) appears in staff's figures for today; staff find it, are refused a shipment with a bad
weight at that field, ship it with the carrier the carrier-selection agent picks (the page says
which and why) and record tracking events up to delivered; they answer, assign and resolve the
shopper's ticket; staff may not approve a return, an admin approves, receives, restocks and refunds
it; orders placed too fast on one card put one in the review queue, with why, and staff cancel it;
after each step the shopper's own pages show it. Staff approve an agent's product proposal with an
edited value (the product carries it) and reject another with a reason (the value is nowhere).
The low-stock page shows the replenishment plan or says its agent is not built. axe-core checks every
staff page visited (no serious or critical violations); screenshots go to test-results/staff/
(git-ignored).

Ten days of demo history give the sales chart, the top products and the queues something to show;
the per-user request limit is raised because one scripted person clicks far faster than staff do
(the storefront's journey proves the 429 message itself).

Skips or fails without a browser exactly as the storefront's browser test (tests/support/browser.py)."""

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
PROGRAM = WEB / "e2e" / "staff-journey.mjs"
RESULTS = ROOT / "test-results" / "staff"
# About 40 s on an idle 2-core machine; room for a loaded one.
PROGRAM_TIMEOUT_SECONDS = 300
STAFF_PAGES = (
    "staff-sales",
    "staff-orders",
    "staff-review-queue",
    "staff-order",
    "staff-shipment-errors",
    "staff-shipment-delivered",
    "staff-shipments",
    "staff-ticket-resolved",
    "staff-tickets",
    "staff-returns",
    "staff-return-staff-view",
    "staff-return-refunded",
    "staff-order-cancelled",
    "staff-low-stock",
    "staff-proposals",
    "staff-proposal",
    "staff-proposal-rejected",
)


@pytest.mark.timeout(PROGRAM_TIMEOUT_SECONDS + 240)
def test_staff_and_admins_run_the_store_from_the_console_in_a_real_browser(tmp_path: Path) -> None:
    chromium = require_browser()
    shutil.rmtree(RESULTS, ignore_errors=True)
    platform_env = {
        "HPH_WEB_DIR": str(WEB / "dist"),
        "HPH_SEED_HISTORY_DAYS": "10",
        "HPH_RATE_LIMIT_PER_USER_PER_MINUTE": "1000",
    }
    with hph_running(tmp_path / "data", env=platform_env) as (_, banner):
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
    assert result.returncode == 0, f"the staff journey failed (exit {result.returncode}):\n{output}"
    assert "all steps passed" in result.stdout, output
    assert "chosen by the carrier-selection agent" in result.stdout, output
    shots = sorted(path.name for path in RESULTS.glob("*.png"))
    for page in STAFF_PAGES:
        assert any(name.endswith(f"-{page}.png") for name in shots), f"no screenshot of {page}: {shots}"
    assert "staff-console.png" in shots, shots  # docs/img/staff-console.png is a copy of it
