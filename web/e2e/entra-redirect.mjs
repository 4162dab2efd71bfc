// Sign-in with Entra ID, as far as it can go without Microsoft: against a gateway configured with
// an Entra tenant (tests/browser/test_entra_sign_in.py), the sign-in page offers no demo users and
// its button sends the browser to the tenant's authorize endpoint with this app's client id, its
// /signin redirect, PKCE and the platform's scope. Microsoft's endpoints are answered by this
// script (the discovery documents MSAL reads first, and a placeholder for the login page) since
// no test may depend on them; the authorize URL the browser was sent to is what is checked.
import { createRequire } from "node:module";

import { chromium } from "playwright-core";

const base = process.env.HPH_REST ?? "http://127.0.0.1:8080";
const tenant = process.env.HPH_TENANT ?? "";
const clientId = process.env.HPH_CLIENT_ID ?? "";
const executablePath = process.env.HPH_CHROMIUM ?? "/usr/bin/chromium";
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const login = "https://login.microsoftonline.com";

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  const seen = [];
  await page.route(`${login}/**`, async (route) => {
    const url = new URL(route.request().url());
    seen.push(url.pathname);
    if (url.pathname.endsWith("/.well-known/openid-configuration")) {
      await route.fulfill({
        contentType: "application/json",
        body: JSON.stringify({
          issuer: `${login}/${tenant}/v2.0`,
          authorization_endpoint: `${login}/${tenant}/oauth2/v2.0/authorize`,
          token_endpoint: `${login}/${tenant}/oauth2/v2.0/token`,
          end_session_endpoint: `${login}/${tenant}/oauth2/v2.0/logout`,
          jwks_uri: `${login}/${tenant}/discovery/v2.0/keys`,
          response_types_supported: ["code"],
        }),
      });
    } else if (url.pathname.includes("/discovery/instance")) {
      await route.fulfill({
        contentType: "application/json",
        body: JSON.stringify({
          tenant_discovery_endpoint: `${login}/${tenant}/v2.0/.well-known/openid-configuration`,
          metadata: [{ preferred_network: "login.microsoftonline.com", aliases: ["login.microsoftonline.com"] }],
        }),
      });
    } else {
      await route.fulfill({ contentType: "text/html", body: "<!doctype html><title>Microsoft sign-in</title>" });
    }
  });

  await page.goto(`${base}/signin?next=%2Forders`);
  const button = page.getByRole("button", { name: "Sign in with Microsoft" });
  await button.waitFor();
  check((await page.getByText("Development only.").count()) === 0, "no development sign-in with Entra configured");
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    // @ts-ignore axe is the script just added
    const report = await window.axe.run(document, { resultTypes: ["violations"] });
    return report.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  });
  check(violations.length === 0, `no serious or critical axe violations: ${violations.join(", ")}`);

  await button.click();
  await page.waitForURL((url) => url.href.startsWith(`${login}/${tenant}/oauth2/v2.0/authorize`));
  const sent = new URL(page.url());
  const q = sent.searchParams;
  check(q.get("client_id") === clientId, `client_id ${q.get("client_id")}`);
  check(q.get("redirect_uri") === `${base}/signin`, `redirect_uri ${q.get("redirect_uri")}`);
  check(q.get("response_type") === "code", `response_type ${q.get("response_type")}`);
  check(q.get("code_challenge_method") === "S256" && (q.get("code_challenge") ?? "").length > 40, "PKCE");
  check((q.get("scope") ?? "").split(" ").includes(`${clientId}/.default`), `scope ${q.get("scope")}`);
  check((q.get("state") ?? "").endsWith("|/orders"), `state carries where to come back: ${q.get("state")}`);
  console.log(`redirected to ${sent.origin}${sent.pathname} (Microsoft endpoints asked: ${seen.join(", ")})`);
} finally {
  await browser.close();
}
console.log("all steps passed");
