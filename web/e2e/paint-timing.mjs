// First contentful paint and full load of storefront pages in chromium (playwright-core), each
// sample in a fresh browser context (a first visit: empty cache). "ready" is when the page's own
// data is on screen (its selector visible), the moment a person can use it. Prints one JSON line.
// Run by tests/perf/bench_storefront.py, which starts the platform.
//
//   HPH_REST=... HPH_PAGES='[{"name":"home","path":"/","ready":"ul.grid li.card"}]' node web/e2e/paint-timing.mjs
import { chromium } from "playwright-core";

const base = process.env.HPH_REST ?? "http://127.0.0.1:8080";
const pages = JSON.parse(process.env.HPH_PAGES ?? "[]");
const samples = Number(process.env.HPH_SAMPLES ?? "10");
const screenshot = process.env.HPH_SCREENSHOT ?? "";
const executablePath = process.env.HPH_CHROMIUM ?? "/usr/bin/chromium";

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
const results = {};
try {
  for (const { name, path, ready } of pages) {
    results[name] = [];
    for (let i = 0; i < samples + 1; i += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(base + path, { waitUntil: "load" });
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      const timing = await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0];
        const fcp = performance.getEntriesByName("first-contentful-paint")[0];
        const scripts = performance
          .getEntriesByType("resource")
          .filter((r) => r.initiatorType === "script" || r.name.endsWith(".js"));
        return {
          fcp_ms: fcp ? fcp.startTime : null,
          load_ms: nav.loadEventEnd,
          ready_ms: performance.now(),
          js_transfer_bytes: scripts.reduce((sum, r) => sum + r.transferSize, 0),
        };
      });
      if (i > 0) results[name].push(timing); // the first visit warms the platform's caches, not the browser's
      if (screenshot && i === samples && name === pages[0].name) await page.screenshot({ path: screenshot });
      await context.close();
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
