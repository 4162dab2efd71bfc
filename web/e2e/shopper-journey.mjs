// The shopper's journeys through the storefront in a real browser (Debian's chromium driven by
// playwright-core), against a running platform: tests/browser/test_storefront_browser.py starts
// `hph up` and runs this. Every page visited is checked with axe-core (no serious or critical
// violations) and photographed into HPH_RESULTS. Any failed step throws: exit code 1.
//
//   HPH_REST=http://127.0.0.1:8080 HPH_RESULTS=test-results/storefront node web/e2e/shopper-journey.mjs
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

import { chromium } from "playwright-core";

const base = process.env.HPH_REST ?? "http://127.0.0.1:8080";
const results = process.env.HPH_RESULTS ?? "test-results/storefront";
const executablePath = process.env.HPH_CHROMIUM ?? "/usr/bin/chromium";
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const TIMEOUT = 30_000;
mkdirSync(results, { recursive: true });

let shot = 0;
const a11yFailures = [];

function step(text) {
  console.log(`step: ${text}`);
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** axe-core on the page as it is now; serious and critical violations fail the run at the end. */
async function audit(page, name) {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    // @ts-ignore axe is the script just added
    const report = await window.axe.run(document, { resultTypes: ["violations"] });
    return report.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const blocking = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of violations) console.log(`  axe ${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(", ")}`);
  if (blocking.length) a11yFailures.push({ page: name, violations: blocking });
  shot += 1;
  await page.screenshot({ path: join(results, `${String(shot).padStart(2, "0")}-${name}.png`), fullPage: true });
}

async function signIn(page, name) {
  await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
  await page.getByText("Development only.").waitFor();
  await page.getByRole("button", { name: new RegExp(name) }).click();
  await page.getByText(name, { exact: true }).first().waitFor(); // the header names who is signed in
}

/** From a product page: into the cart, on to checkout with a fresh test card chosen. */
async function toCheckoutWith(page, cardToken, cardLast4) {
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.getByText(/Added to your cart/).waitFor();
  await page.getByRole("link", { name: "View cart" }).click();
  await page.getByRole("heading", { name: "Your cart", exact: true }).waitFor();
  await page.getByRole("table").waitFor();
  await page.getByRole("heading", { name: "About your cart", exact: true }).waitFor();
  await audit(page, "cart");
  await page.getByRole("link", { name: "Check out" }).click();
  await page.getByRole("heading", { name: "Checkout", exact: true }).waitFor();
  await page.locator('input[name="address"]:checked').waitFor();
  await chooseCard(page, cardToken, cardLast4);
  await page.getByText("Order check:").waitFor();
}

async function chooseCard(page, cardToken, cardLast4) {
  await page.getByLabel("Add a test card").selectOption(cardToken);
  await page.getByRole("button", { name: "Save card" }).click();
  // The card just saved becomes the chosen one.
  await page.waitForFunction(
    (last4) => document.querySelector('input[name="card"]:checked')?.parentElement?.textContent?.includes(`ending ${last4}`),
    cardLast4,
    { timeout: TIMEOUT },
  );
}

async function expectPaidOrder(page) {
  await page.waitForURL(/\/orders\/[^/]+\?placed=1$/);
  await page.getByText("Your order is placed and paid.").waitFor();
  const paid = await page.locator("[data-payment-status]").textContent();
  check(paid === "Paid", `the order reads Paid (got ${paid})`);
  await page.getByRole("heading", { name: "Where it is", exact: true }).waitFor();
  await page.locator("ol.timeline li").nth(1).waitFor(); // placed, then paid
  const timeline = await page.locator("ol.timeline").first().textContent();
  check(/paid|payment/i.test(timeline ?? ""), `the timeline shows the payment: ${timeline}`);
  await page.locator('[data-eta="window"]').waitFor(); // "Expected between ... and ..."
  return new URL(page.url()).pathname.split("/")[2];
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
try {
  await journeys();
} catch (failure) {
  // The state of every open page when a step failed: the screenshot says more than the trace.
  for (const [index, page] of browser.contexts().flatMap((c) => c.pages()).entries()) {
    await page.screenshot({ path: join(results, `failed-${index}.png`), fullPage: true }).catch(() => undefined);
    console.error(`page ${index} at ${page.url()}`);
  }
  throw failure;
} finally {
  await browser.close();
}

async function journeys() {
  // 1. Ava: home, sign-in, type-ahead, search with facets, product, cart, checkout with a good card.
  const ava = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ava.setDefaultTimeout(TIMEOUT);
  const page = await ava.newPage();
  const consoleErrors = [];
  page.on("pageerror", (error) => consoleErrors.push(String(error)));

  step("home: featured categories and seasonal picks");
  await page.goto(base + "/");
  await page.getByRole("heading", { name: "Featured categories", exact: true }).waitFor();
  await page.locator("ul.categories li").first().waitFor();
  await page.locator("ul.grid li.card").first().waitFor();
  await audit(page, "home");

  step("a featured category: its subcategories and products");
  await page.locator("ul.categories li a").first().click();
  await page.waitForURL(/\/categories\//);
  await page.getByRole("navigation", { name: "Subcategories" }).waitFor();
  await page.locator("ul.grid li.card").first().waitFor();
  await audit(page, "category");
  await page.getByRole("link", { name: "Holiday Peak Hub" }).click();
  await page.getByRole("heading", { name: "Featured categories", exact: true }).waitFor();

  step("sign in as a demo shopper (dev sign-in)");
  await page.getByRole("link", { name: "Sign in" }).click();
  await page.getByRole("button", { name: /Ava Thompson/ }).waitFor();
  await audit(page, "signin");
  await signIn(page, "Ava Thompson");

  step("type-ahead suggests as the shopper types");
  const box = page.getByRole("combobox", { name: "Search products" });
  await box.fill("orna");
  await page.getByRole("option").first().waitFor();
  check((await page.getByRole("option").count()) > 1, "several suggestions");
  await audit(page, "typeahead");

  step("search with facets, filtered to what is in stock");
  await box.fill("ornament");
  await box.press("Enter");
  await page.waitForURL(/\/search\?q=ornament/);
  await page.getByText(/\d+ products/).waitFor();
  const brands = page.getByRole("group", { name: "Brand" });
  await brands.waitFor();
  const total = Number(((await page.getByText(/\d+ products/).textContent()) ?? "").match(/\d+/)?.[0]);
  await brands.getByRole("checkbox").first().check();
  await page.waitForURL(/brand=/);
  await page.waitForFunction(
    (before) => Number(document.querySelector("p.summary")?.textContent?.match(/\d+/)?.[0] ?? before) < before,
    total,
  );
  await page.getByRole("checkbox", { name: "In stock only" }).check();
  await page.waitForURL(/in_stock=true/);
  await page.getByText(/\d+ products/).waitFor();
  await page.locator("ul.grid li.card").first().waitFor();
  await audit(page, "search");

  step("product page: insights, rating histogram, bought together");
  await page.locator("ul.grid li.card a").first().click();
  await page.waitForURL(/\/products\//);
  await page.getByRole("button", { name: "Add to cart" }).waitFor();
  await page.getByRole("heading", { name: "Frequently bought together", exact: true }).waitFor();
  await page.locator("table.histogram tr").nth(4).waitFor();
  await audit(page, "product");
  step("a quantity the API refuses is explained beside the quantity");
  await page.getByLabel("Quantity").fill("1000");
  await page.getByRole("button", { name: "Add to cart" }).click();
  const quantityError = page.locator('.field-error[data-field="quantity"]');
  await quantityError.waitFor();
  check(/between 1 and 99/.test((await quantityError.textContent()) ?? ""), "the API's own words beside the field");
  await audit(page, "product-quantity-error");
  await page.getByLabel("Quantity").fill("1");

  step("cart and checkout with pm_card_visa");
  await toCheckoutWith(page, "pm_card_visa", "4242");
  step("a new address the API refuses shows each problem next to its field");
  await page.getByRole("button", { name: "Add a new address" }).click();
  await page.getByLabel("Postal code").fill("ABC");
  await page.getByRole("button", { name: "Save address" }).click();
  await page.locator('.field-error[data-field="name"]').waitFor();
  await page.locator('.field-error[data-field="postal_code"]').waitFor();
  const postal = await page.locator('.field-error[data-field="postal_code"]').textContent();
  check(/postal code/i.test(postal ?? ""), `the postal code's own message: ${postal}`);
  check(
    (await page.getByLabel("Postal code").getAttribute("aria-invalid")) === "true",
    "the postal code field is marked invalid",
  );
  await audit(page, "checkout-address-errors");
  await page.getByRole("button", { name: "Cancel" }).click();
  await audit(page, "checkout");
  await page.getByRole("button", { name: "Place order and pay" }).click();
  const orderId = await expectPaidOrder(page);
  await audit(page, "order-tracking");

  step("returns: the estimate says why nothing can be returned yet, and the request is refused in words");
  await page.getByRole("link", { name: "Return items" }).click();
  await page.getByRole("heading", { name: `Return items from order ${orderId}`, exact: true }).waitFor();
  await page.locator('input[name^="qty-"]').first().fill("1");
  await page.getByRole("button", { name: "Check what I would get back" }).click();
  await page.getByRole("heading", { name: "This cannot be returned", exact: true }).waitFor();
  await page.getByText(/not delivered yet/).first().waitFor();
  await page.getByRole("button", { name: "Request the return" }).click();
  await page.getByText(/only delivered orders can be returned/).waitFor();
  await audit(page, "return-estimate");

  step("order history lists it");
  await page.getByRole("link", { name: "Orders", exact: true }).click();
  await page.getByRole("link", { name: orderId }).waitFor();
  await audit(page, "orders");

  step("a support ticket about the order: empty fields are refused field by field, then it is raised");
  await page.getByRole("link", { name: orderId }).click();
  await page.getByRole("link", { name: "Get help with this order" }).click();
  await page.getByRole("heading", { name: "Ask for help", exact: true }).waitFor();
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator('.field-error[data-field="subject"]').waitFor();
  await audit(page, "ticket-errors");
  await page.getByLabel("Subject").fill("Gift wrapping");
  await page.getByLabel("How can we help?").fill("Could this order be gift wrapped, please?");
  await page.getByRole("button", { name: "Send" }).click();
  await page.getByRole("heading", { name: "Gift wrapping", exact: true }).waitFor();
  await page.getByText("Could this order be gift wrapped, please?").waitFor();
  await audit(page, "ticket");

  step("an unknown page says so instead of going blank");
  await page.goto(base + "/no/such/page");
  await page.getByRole("heading", { name: "Page not found", exact: true }).waitFor();
  check(consoleErrors.length === 0, `no uncaught errors in the page: ${consoleErrors.join("; ")}`);
  await ava.close();

  // 2. Liam: a declined card, then another card pays the same order.
  const liam = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  liam.setDefaultTimeout(TIMEOUT);
  const second = await liam.newPage();
  step("a guarded page sends a signed-out shopper to sign in and back");
  await second.goto(base + "/search?q=lights&in_stock=true");
  await second.locator("ul.grid li.card a").first().click();
  await second.waitForURL(/\/products\//);
  const productPath = new URL(second.url()).pathname;
  await second.getByRole("button", { name: "Add to cart" }).click();
  await second.waitForURL(/\/signin\?next=/);
  await signIn(second, "Liam Carter");
  await second.waitForURL((url) => url.pathname === productPath);

  step("checkout with pm_card_chargeDeclined: the decline is said plainly");
  await toCheckoutWith(second, "pm_card_chargeDeclined", "0002");
  await second.getByRole("button", { name: "Place order and pay" }).click();
  const declined = second.locator("#payment-error");
  await declined.waitFor();
  check(/declined/i.test((await declined.textContent()) ?? ""), "the message says the card was declined");
  await second.getByRole("button", { name: "Pay for this order" }).waitFor();
  await audit(second, "checkout-declined");

  step("retry with another card pays the same order");
  await chooseCard(second, "pm_card_visa", "4242");
  await second.getByRole("button", { name: "Pay for this order" }).click();
  const liamOrder = await expectPaidOrder(second);
  await audit(second, "order-after-retry");

  step("staff deliver it (over the API until the staff console exists); the shopper sees it delivered");
  const staffToken = (await (await fetch(`${base}/dev/token`, { method: "POST", body: '{"sub": "staff-sam"}' })).json())
    .access_token;
  for (const status of ["ORDER_STATUS_FULFILLING", "ORDER_STATUS_SHIPPED", "ORDER_STATUS_DELIVERED"]) {
    const moved = await fetch(`${base}/api/staff/orders/${liamOrder}/status`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${staffToken}`, "content-type": "application/json" },
      body: JSON.stringify({ status }),
    });
    check(moved.ok, `staff moved the order to ${status}: HTTP ${moved.status} ${await moved.text()}`);
  }
  await second.goto(`${base}/orders/${liamOrder}`);
  await second.locator('[data-order-status="ORDER_STATUS_DELIVERED"]').waitFor();

  step("return one item: the refund estimate, then the return requested");
  await second.getByRole("link", { name: "Return items" }).click();
  await second.locator('input[name^="qty-"]').first().fill("1");
  await second.getByLabel("Why?").selectOption("RETURN_REASON_SIZE_OR_FIT");
  await second.getByRole("button", { name: "Check what I would get back" }).click();
  await second.getByRole("heading", { name: "You can return this", exact: true }).waitFor();
  const refund = (await second.locator("dd.price").last().textContent()) ?? "";
  check(/^\$\d+\.\d\d$/.test(refund) && refund !== "$0.00", `an estimated refund: ${refund}`);
  await audit(second, "return-eligible");
  await second.getByRole("button", { name: "Request the return" }).click();
  await second.waitForURL(/\/returns\?created=/);
  await second.getByText(/Requested/).first().waitFor();
  await audit(second, "returns");

  step("a token the platform refuses (401) leads back to sign-in");
  await second.evaluate(() => {
    const session = JSON.parse(sessionStorage.getItem("hph.session") ?? "{}");
    sessionStorage.setItem("hph.session", JSON.stringify({ ...session, token: "not-a-token" }));
  });
  await second.goto(base + "/orders");
  await second.waitForURL(/\/signin\?next=%2Forders&expired=1/);
  await second.getByText("Your session ended or was not accepted.").waitFor();
  await audit(second, "signin-expired");
  await liam.close();

  // 3. Maya goes over her request budget (HPH_RATE_LIMIT_PER_USER_PER_MINUTE): the page says when to retry.
  const maya = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  maya.setDefaultTimeout(TIMEOUT);
  const third = await maya.newPage();
  step("429: a shopper over the rate limit is told when to try again");
  await third.goto(base + "/signin?next=%2Forders");
  await signIn(third, "Maya Patel");
  await third.waitForURL(/\/orders$/);
  // Spend the budget, then open the cart at once; the bucket refills about one request a second at
  // the default limit, so on a busy machine a try may find a token again: spend and try again.
  const slow = third.locator('.error[data-status="429"]');
  let shown = false;
  for (let attempt = 0; attempt < 10 && !shown; attempt += 1) {
    const limited = await third.evaluate(async () => {
      const { token } = JSON.parse(sessionStorage.getItem("hph.session") ?? "{}");
      for (let request = 0; request < 1000; request += 1) {
        const answer = await fetch("/api/cart", { headers: { authorization: `Bearer ${token}` } });
        if (answer.status === 429) return answer.headers.get("retry-after");
      }
      return null;
    });
    check(limited !== null, "the platform answered 429 within 1000 requests");
    await third.getByRole("link", { name: "Cart" }).click();
    shown = await slow.waitFor({ timeout: 3_000 }).then(
      () => true,
      () => false,
    );
    if (!shown) await third.getByRole("link", { name: "Orders", exact: true }).click();
  }
  check(shown, "the cart page showed the 429");
  const said = (await slow.textContent()) ?? "";
  check(/try again in \d+ s/.test(said), `the page says when to retry: ${said}`);
  await audit(third, "rate-limited");
  await maya.close();
}

if (a11yFailures.length) {
  console.error(JSON.stringify(a11yFailures, null, 1));
  throw new Error(`axe-core found serious or critical violations on ${a11yFailures.map((f) => f.page).join(", ")}`);
}
console.log(`all steps passed (${shot} pages checked with axe-core, screenshots in ${results})`);
