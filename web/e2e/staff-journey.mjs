// The staff and admin journeys through the staff console in a real browser (Debian's chromium
// driven by playwright-core), against a running platform: tests/browser/test_staff_browser.py
// starts `hph up` and runs this. A shopper's order is placed through the REST API; staff then see
// the sale, ship the order to delivered and answer the shopper's ticket; an admin approves and
// refunds the shopper's return; staff approve (edited) and reject agents' product proposals; after
// each step the shopper's own pages show it. Every staff page
// visited is checked with axe-core (no serious or critical violations) and photographed into
// HPH_RESULTS. Any failed step throws: exit code 1.
//
//   HPH_REST=http://127.0.0.1:8080 HPH_RESULTS=test-results/staff node web/e2e/staff-journey.mjs
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

import { chromium } from "playwright-core";

const base = process.env.HPH_REST ?? "http://127.0.0.1:8080";
const results = process.env.HPH_RESULTS ?? "test-results/staff";
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

// --- the shopper's side, through the REST API --------------------------------------------------

async function rest(method, path, token, body, okStatuses = []) {
  const answer = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  if (!answer.ok && !okStatuses.includes(answer.status))
    throw new Error(`${method} ${path}: HTTP ${answer.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

async function devToken(sub) {
  return (await rest("POST", "/dev/token", null, { sub })).access_token;
}

/** Maya registers, saves an address and a card, and buys two units of a stocked product. */
async function placePaidOrder(shopper, staff) {
  await rest("POST", "/api/auth/register", shopper, {}, [409]);
  const address = await rest("POST", "/api/users/me/addresses", shopper, {
    name: "Maya Patel",
    line1: "401 Pine Street",
    city: "Seattle",
    region: "WA",
    postal_code: "98101",
    country_code: "US",
  });
  const card = await rest("POST", "/api/users/me/payment-methods", shopper, { token: "pm_card_visa" });
  const product = (await rest("GET", "/api/products?limit=1", null)).products[0];
  await rest("PATCH", `/api/staff/inventory/${encodeURIComponent(product.id)}`, staff, {
    quantity_on_hand: 500,
    reason: "staff journey stock",
  });
  await rest("DELETE", "/api/cart", shopper);
  await rest("POST", "/api/cart/items", shopper, { product_id: product.id, quantity: 2 });
  const order = await rest("POST", "/api/orders", shopper, {
    shipping_address_id: address.id,
    payment_method_id: card.id,
    request_id: `staff-journey-order-${Date.now()}`,
  });
  const payment = await rest("POST", "/api/payments", shopper, {
    order_id: order.id,
    payment_method_id: card.id,
    amount: order.total,
    request_id: `staff-journey-pay-${Date.now()}`,
  });
  check(payment.status === "PAYMENT_STATUS_SUCCEEDED", `the payment succeeded (${payment.status})`);
  return { order, product };
}

/** Liam orders one unit again and again on one card (unpaid orders, each reserving a unit) until the
 * checkout risk assessment holds one for review: its card-velocity driver counts the orders of the
 * last minute once its projection has read them. */
async function heldOrder(shopper, staff, product) {
  await rest("POST", "/api/auth/register", shopper, {}, [409]);
  const address = await rest("POST", "/api/users/me/addresses", shopper, {
    name: "Liam Carter",
    line1: "233 North Michigan Avenue",
    city: "Chicago",
    region: "IL",
    postal_code: "60601",
    country_code: "US",
  });
  const card = await rest("POST", "/api/users/me/payment-methods", shopper, { token: "pm_card_visa" });
  await rest("PATCH", `/api/staff/inventory/${encodeURIComponent(product.id)}`, staff, {
    quantity_on_hand: 1000,
    reason: "staff journey stock",
  });
  for (let attempt = 0; attempt < 30; attempt += 1) {
    await rest("POST", "/api/cart/items", shopper, { product_id: product.id, quantity: 1 });
    const order = await rest("POST", "/api/orders", shopper, {
      shipping_address_id: address.id,
      payment_method_id: card.id,
      request_id: `staff-journey-velocity-${attempt}-${Date.now()}`,
    });
    if (order.review_required) return order;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error("check failed: no order was held for review after 30 orders in a row on one card");
}

// --- the browser ------------------------------------------------------------------------------

/** A section of the staff console's own navigation (the store's header has links of the same name). */
function staffNav(page, label) {
  return page.getByRole("navigation", { name: "Staff console" }).getByRole("link", { name: label, exact: true });
}

async function signIn(page, name) {
  await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
  await page.getByRole("button", { name: new RegExp(name) }).click();
  await page.getByText(name, { exact: true }).first().waitFor();
}

async function person(name, startPath) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${name}: ${error}`));
  await page.goto(base + startPath);
  await page.waitForURL(/\/signin\?next=/);
  await signIn(page, name);
  await page.waitForURL((url) => url.pathname === startPath.split("?")[0]);
  return page;
}

/** Reloads `page` until `locator` holds text matching `pattern` (projections catch up in moments). */
async function eventually(page, locator, pattern, what) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const text =
      (await locator
        .first()
        .textContent({ timeout: TIMEOUT })
        .catch(() => "")) ?? "";
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`check failed: ${what} (last read: ${text})`);
    await page.waitForTimeout(700);
    await page.reload();
  }
}

const pageErrors = [];
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
try {
  await journeys();
} catch (failure) {
  for (const [index, page] of browser
    .contexts()
    .flatMap((c) => c.pages())
    .entries()) {
    await page.screenshot({ path: join(results, `failed-${index}.png`), fullPage: true }).catch(() => undefined);
    console.error(`page ${index} at ${page.url()}`);
  }
  throw failure;
} finally {
  await browser.close();
}

async function journeys() {
  const staffToken = await devToken("staff-sam");
  const mayaToken = await devToken("customer-maya");

  step("a shopper may not enter the staff console: a clear refusal, not a blank page");
  const maya = await person("Maya Patel", "/orders");
  await maya.goto(base + "/staff/orders");
  await maya.getByRole("heading", { name: "Not for this account", exact: true }).waitFor();
  check(/staff account/.test((await maya.locator("main").textContent()) ?? ""), "the refusal names the role needed");

  step("staff sign in through the dev sign-in and land on today's sales");
  const sam = await person("Sam Rivera", "/staff");
  await sam.getByRole("heading", { name: "Sales", exact: true }).waitFor();
  await sam.locator('[data-testid="today-orders"]').waitFor();
  const before = Number(await sam.locator('[data-testid="today-orders"]').textContent());
  await sam.locator(".staff-chart canvas").first().waitFor();
  await sam.getByRole("link", { name: "Staff console", exact: true }).waitFor(); // in the header, for staff only
  check(
    (await maya.getByRole("link", { name: "Staff console" }).count()) === 0,
    "a shopper's header has no staff link",
  );

  step("the shopper buys something (through the API); the sale appears on the staff page");
  const { order, product } = await placePaidOrder(mayaToken, staffToken);
  await eventually(
    sam,
    sam.locator('[data-testid="today-orders"]'),
    new RegExp(`^${before + 1}$`),
    "today's order count grows by one",
  );
  await sam.locator('[data-testid="top-products"] tbody tr').first().waitFor();
  await sam.locator('[data-testid="top-categories"] tbody tr').first().waitFor();
  // The README's picture of the console: the sales page as a staff member first sees it.
  await sam.screenshot({ path: join(results, "staff-console.png") });
  await audit(sam, "staff-sales");

  step("the orders list and the review queue");
  await staffNav(sam, "Orders").click();
  await sam.getByLabel("Customer id").fill("customer-maya");
  await sam.getByRole("button", { name: "Filter" }).click();
  await sam.locator(`tr[data-order-id="${order.id}"]`).waitFor();
  await audit(sam, "staff-orders");

  step("orders placed too fast on one card: the risk assessment holds one; staff find it in the review queue");
  const held = await heldOrder(await devToken("customer-liam"), staffToken, product);
  await staffNav(sam, "Orders").click();
  await sam.getByRole("button", { name: "Review queue" }).click();
  await sam.waitForURL(/review=true/);
  await sam.getByRole("heading", { name: "Orders held for review", exact: true }).waitFor();
  const heldRow = sam.locator(`tr[data-order-id="${held.id}"]`);
  await heldRow.waitFor();
  check(/Held:.*orders on this card/.test((await heldRow.textContent()) ?? ""), "the queue says why it is held");
  await audit(sam, "staff-review-queue");
  await heldRow.getByRole("link").click();
  await sam.getByText("Held for review.").waitFor();
  await sam.getByLabel("Reason", { exact: true }).fill("Too many orders on one card in a minute");
  await sam.getByRole("button", { name: "Cancel order" }).click();
  await sam.locator('[data-testid="order-cancelled"]', { hasText: "Too many orders on one card" }).waitFor();
  await audit(sam, "staff-order-cancelled");
  const liam = await person("Liam Carter", `/orders/${encodeURIComponent(held.id)}`);
  await eventually(liam, liam.locator("[data-order-status]"), /Cancelled/, "the held order reads Cancelled for Liam");

  step("a shipment refused field by field, then created with the carrier the agent picks");
  await sam.goto(`${base}/staff/orders/${encodeURIComponent(order.id)}`);
  await sam.getByRole("heading", { name: "Create a shipment", exact: true }).waitFor();
  await audit(sam, "staff-order");
  await sam.getByLabel("Parcel weight (grams)").fill("0");
  await sam.getByRole("button", { name: "Create shipment" }).click();
  const weightError = sam.locator('.field-error[data-field="ship-weight"]');
  await weightError.waitFor();
  check(
    (await sam.getByLabel("Parcel weight (grams)").getAttribute("aria-invalid")) === "true",
    "the weight field is marked invalid",
  );
  await audit(sam, "staff-shipment-errors");
  await sam.getByLabel("Parcel weight (grams)").fill("1200");
  await sam.getByRole("button", { name: "Create shipment" }).click();
  const choice = sam.locator('[data-testid="shipment-created"] [data-testid="carrier-choice"]');
  await choice.waitFor();
  const why = (await choice.textContent()) ?? "";
  check(/carrier-selection agent/.test(why) && why.length > 40, `the page says who chose the carrier and why: ${why}`);
  console.log(`  carrier choice: ${why}`);

  step("tracking events up to delivered");
  await sam.locator('[data-testid="shipment-created"] a').first().click();
  await sam.getByRole("heading", { name: "Record a tracking event", exact: true }).waitFor();
  await audit(sam, "staff-shipment");
  const scans = [
    ["Picked up", "Seattle, WA, US", "Collected from the warehouse"],
    ["In transit", "Tacoma, WA, US", "Arrived at hub"],
    ["Out for delivery", "Seattle, WA, US", "On the van"],
    ["Delivered", "Seattle, WA, US", "Left at the front desk"],
  ];
  for (const [status, where, what] of scans) {
    await sam.getByLabel("Status after the event").selectOption({ label: status });
    await sam.getByLabel("Location").fill(where);
    await sam.getByLabel("Description").fill(what);
    await sam.getByRole("button", { name: "Record event" }).click();
    await sam.locator('[data-testid="tracking-events"] li', { hasText: what }).waitFor();
  }
  await sam.locator('[data-testid="shipment-status"]', { hasText: "delivered" }).waitFor();
  await audit(sam, "staff-shipment-delivered");
  await staffNav(sam, "Shipments").click();
  await sam.locator('table[data-testid="shipments"]').waitFor();
  await sam.locator('[data-testid="route-issues"] li, [data-testid="route-issues"] p:not(.loading)').first().waitFor();
  await audit(sam, "staff-shipments");

  step("the shopper sees the order delivered with its tracking");
  await maya.goto(`${base}/orders/${encodeURIComponent(order.id)}`);
  await eventually(maya, maya.locator("[data-order-status]"), /Delivered/, "the shopper's order reads Delivered");
  await maya.getByText("Left at the front desk").first().waitFor();

  step("the shopper asks a question; staff answer, assign and resolve it");
  const ticket = await rest("POST", "/api/tickets", mayaToken, {
    subject: "Where is my gift receipt?",
    body: "The parcel came without a gift receipt. Can you send one?",
    order_id: order.id,
    category: "TICKET_CATEGORY_ORDER",
  });
  await staffNav(sam, "Tickets").click();
  await sam.getByLabel("Customer id").fill("customer-maya");
  await sam.getByRole("button", { name: "Filter" }).click();
  await sam.waitForURL(/user_id=customer-maya/);
  await sam
    .locator(`a[href="/staff/tickets/${encodeURIComponent(ticket.id)}"]`, { hasText: "Where is my gift receipt?" })
    .click();
  await sam.getByText("The parcel came without a gift receipt.").waitFor();
  await sam
    .locator(
      '[data-testid="brief-planned"], [data-testid="ticket-brief"] p:not(.loading), [data-testid="ticket-brief"] ul',
    )
    .first()
    .waitFor(); // the support assistant's brief, or a plain word that its agent is not built yet
  await audit(sam, "staff-ticket");
  await sam.getByRole("button", { name: "Send reply" }).click();
  await sam.locator('.field-error[data-field="reply-body"]').waitFor(); // an empty reply is refused at its field
  await sam.getByLabel("Message").fill("Sorry about that: a gift receipt is on its way by e-mail.");
  await sam.getByRole("button", { name: "Send reply" }).click();
  await sam.locator('[data-testid="conversation"] li', { hasText: "a gift receipt is on its way" }).waitFor();
  await sam.getByRole("button", { name: "Me", exact: true }).click();
  await sam.getByRole("button", { name: "Save assignment" }).click();
  await sam.locator('[data-testid="ticket-assignee"]', { hasText: "staff-sam" }).waitFor();
  await sam.getByRole("button", { name: "Mark resolved" }).click();
  await sam.locator('[data-testid="ticket-status"]', { hasText: "resolved" }).waitFor();
  await audit(sam, "staff-ticket-resolved");
  await staffNav(sam, "Tickets").click();
  await sam.locator('table[data-testid="tickets"]').waitFor();
  await audit(sam, "staff-tickets");
  await maya.goto(`${base}/support/${encodeURIComponent(ticket.id)}`);
  await maya.getByText("a gift receipt is on its way by e-mail").waitFor();

  step("the shopper returns one unit; staff may not approve it, an admin does");
  const ret = await rest("POST", "/api/returns", mayaToken, {
    order_id: order.id,
    items: [{ product_id: product.id, quantity: 1 }],
    reason: "RETURN_REASON_NO_LONGER_NEEDED",
    request_id: `staff-journey-return-${Date.now()}`,
  });
  await staffNav(sam, "Returns").click();
  await sam.locator('table[data-testid="returns"]').waitFor();
  await audit(sam, "staff-returns");
  await sam.goto(`${base}/staff/returns/${encodeURIComponent(ret.id)}`);
  await sam.getByText("Only an admin may approve a return").waitFor();
  check(await sam.getByRole("button", { name: "Approve return" }).isDisabled(), "approve is disabled for staff");
  await audit(sam, "staff-return-staff-view");

  const ada = await person("Ada Lindqvist", `/staff/returns/${encodeURIComponent(ret.id)}`);
  await ada.getByRole("button", { name: "Approve return" }).click();
  await ada.locator('[data-testid="return-status"]', { hasText: "approved" }).waitFor();
  await maya.goto(`${base}/returns`);
  await maya.getByText(new RegExp(`${ret.id}.*Approved`)).waitFor();
  await ada.getByRole("button", { name: "Mark received" }).click();
  await ada.locator('[data-testid="return-status"]', { hasText: "received" }).waitFor();
  await ada.getByRole("button", { name: "Restock" }).click();
  await ada.locator('[data-testid="return-status"]', { hasText: "restocked" }).waitFor();
  const refundAmount = ada.getByLabel(/^Amount in USD/);
  await refundAmount.fill("0");
  await ada.getByRole("button", { name: "Refund" }).click();
  await ada.locator('.field-error[data-field="return-amount"]').waitFor(); // refused at the amount itself
  check((await refundAmount.getAttribute("aria-invalid")) === "true", "the amount field is marked invalid");
  await refundAmount.fill("");
  await ada.getByRole("button", { name: "Refund" }).click();
  await ada.locator('[data-testid="return-status"]', { hasText: "refunded" }).waitFor();
  await ada.locator('[data-testid="return-refund"]').waitFor();
  await audit(ada, "staff-return-refunded");
  await maya.goto(`${base}/returns`);
  await maya.getByText(new RegExp(`${ret.id}.*Refunded.*refunded \\$`)).waitFor();
  await maya.goto(`${base}/orders/${encodeURIComponent(order.id)}`);
  await eventually(
    maya,
    maya.locator("[data-order-status]"),
    /Partially returned/,
    "the shopper's order reads Partially returned",
  );

  step("low stock, and the replenishment view or a plain word that its agent is not built yet");
  await staffNav(sam, "Low stock").click();
  await sam.locator('table[data-testid="inventory"]').waitFor();
  await sam.locator('[data-testid="replenishment"] table, [data-testid="replenishment-planned"]').first().waitFor();
  await audit(sam, "staff-low-stock");

  step("stock received by hand: the reason the API requires is asked for at its field");
  const lowSku = (await sam.locator('table[data-testid="inventory"] tbody tr td').first().textContent())?.trim() ?? "";
  await sam.getByLabel("SKU", { exact: true }).fill(lowSku);
  await sam.getByLabel("Units received").fill("50");
  await sam.getByRole("button", { name: "Add to stock" }).click();
  await sam.locator('.field-error[data-field="stock-reason"]').waitFor();
  await sam.getByLabel(/^Reason/).fill("PO-1234 received");
  await sam.getByRole("button", { name: "Add to stock" }).click();
  await sam.locator('[data-testid="stock-saved"]', { hasText: lowSku }).waitFor();

  step("an agent's proposals in the review queue: one approved with an edit, one rejected with a reason");
  const [first, second] = (await rest("GET", "/api/products?limit=2")).products;
  const proposed = await rest("POST", "/api/staff/proposals:submit", staffToken, {
    drafts: [
      {
        product_id: first.id,
        field: "brand",
        current_value: first.brand ?? "",
        proposed_value: "Northwind Toys",
        source_agent: "normalization-classification",
        confidence: 0.82,
        product_etag: first.etag,
        evidence: [{ name: "brand_table", value: 1, reason: "the listed spelling of the brand" }],
      },
      {
        product_id: second.id,
        field: "description",
        current_value: second.description ?? "",
        proposed_value: "Short words.",
        source_agent: "consistency-validation",
        confidence: 0.6,
        product_etag: second.etag,
      },
    ],
  });
  const [brandId, descriptionId] = proposed.results.map((r) => r.proposal_id);
  await staffNav(sam, "Product proposals").click();
  await sam.locator('table[data-testid="proposals"]').waitFor();
  await audit(sam, "staff-proposals");
  await sam.locator(`a[href="/staff/proposals/${encodeURIComponent(brandId)}"]`).click();
  await sam.locator('[data-testid="proposal-proposed"]', { hasText: "Northwind Toys" }).waitFor();
  await audit(sam, "staff-proposal");
  await sam.getByLabel(/^Value to write/).fill("Northwind Toy Co");
  await sam.getByRole("button", { name: "Approve edited value" }).click();
  await sam.locator('[data-testid="proposal-status"]', { hasText: "approved" }).waitFor();
  await sam.locator('[data-testid="proposal-audit"] li', { hasText: "Northwind Toy Co" }).waitFor();
  const approvedProduct = await rest("GET", `/api/products/${encodeURIComponent(first.id)}`);
  check(approvedProduct.brand === "Northwind Toy Co", "the product carries the approved, edited brand");
  await sam.goto(`${base}/staff/proposals/${encodeURIComponent(descriptionId)}`);
  await sam.getByRole("button", { name: "Reject", exact: true }).click();
  await sam.locator('.field-error[data-field="proposal-reason"]').waitFor(); // a reason is required
  await sam.getByLabel(/^Reason/).fill("Marketing owns descriptions");
  await sam.getByRole("button", { name: "Reject", exact: true }).click();
  await sam.locator('[data-testid="proposal-status"]', { hasText: "rejected" }).waitFor();
  await audit(sam, "staff-proposal-rejected");
  const untouched = await rest("GET", `/api/products/${encodeURIComponent(second.id)}`);
  check((untouched.description ?? "") === (second.description ?? ""), "the rejected description is nowhere");

  step("a staff token the platform refuses (401) leads back to sign-in, and back to the page after it");
  await sam.evaluate(() => {
    const session = JSON.parse(sessionStorage.getItem("hph.session") ?? "{}");
    sessionStorage.setItem("hph.session", JSON.stringify({ ...session, token: "not-a-token" }));
  });
  await sam.goto(`${base}/staff/tickets`);
  await sam.waitForURL(/\/signin\?next=%2Fstaff%2Ftickets&expired=1/);
  await signIn(sam, "Sam Rivera");
  await sam.waitForURL((url) => url.pathname === "/staff/tickets");
  await sam.getByRole("heading", { name: "Support tickets", exact: true }).waitFor();

  check(pageErrors.length === 0, `no uncaught errors in the pages: ${pageErrors.join("; ")}`);
}

if (a11yFailures.length) {
  console.error(JSON.stringify(a11yFailures, null, 1));
  throw new Error(`axe-core found serious or critical violations on ${a11yFailures.map((f) => f.page).join(", ")}`);
}
console.log(`all steps passed (${shot} staff pages checked with axe-core, screenshots in ${results})`);
