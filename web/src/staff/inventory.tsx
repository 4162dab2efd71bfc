// Low stock: the stock records in the health classes asked for (GET /api/staff/inventory, low and
// out of stock by default) and, for those SKUs, the replenishment agent's plan
// (GET /api/staff/agents/inventory-jit-replenishment/plan). That agent may not be built yet: it then
// answers 501, and the page says so plainly instead of showing an empty plan.
import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { ApiError, api, call, date, enumLabel, requestId, type Schemas } from "../api";
import { navigate } from "../router";
import type { PageProps } from "./console";
import { Badge, ErrorNote, Field, Loading, control, fieldErrors, useAction, useLoad } from "./ui";

type Health = NonNullable<Schemas["holidaypeak.commerce.v1.InventoryItem"]["health"]>;

const HEALTH: Health[] = [
  "INVENTORY_HEALTH_LOW_STOCK",
  "INVENTORY_HEALTH_OUT_OF_STOCK",
  "INVENTORY_HEALTH_OVERSTOCKED",
  "INVENTORY_HEALTH_HEALTHY",
];
const DEFAULT_HEALTH: Health[] = ["INVENTORY_HEALTH_LOW_STOCK", "INVENTORY_HEALTH_OUT_OF_STOCK"];

export function InventoryPage({ query }: PageProps): JSX.Element {
  const picked = query.getAll("health").filter((h): h is Health => (HEALTH as string[]).includes(h));
  const health = picked.length ? picked : DEFAULT_HEALTH;
  const prefix = query.get("sku_prefix") ?? "";
  const [pages, setPages] = useState<string[]>([""]);
  const [prefixInput, setPrefixInput] = useState(prefix);
  const token = pages[pages.length - 1] ?? "";
  const loaded = useLoad(
    () =>
      call(
        api.GET("/api/staff/inventory", {
          params: {
            query: {
              health,
              ...(prefix ? { sku_prefix: prefix } : {}),
              page_size: 50,
              ...(token ? { page_token: token } : {}),
            },
          },
        }),
      ),
    [`${health.join(",")}:${prefix}:${token}`],
  );
  const show = (nextHealth: Health[], nextPrefix: string): void => {
    const params = new URLSearchParams();
    for (const h of nextHealth) params.append("health", h);
    if (nextPrefix) params.set("sku_prefix", nextPrefix);
    setPages([""]);
    navigate(`/staff/inventory?${params}`);
  };
  const items = loaded.data?.inventory_items ?? [];
  return (
    <section class="staff-page">
      <h1>Low stock</h1>
      <fieldset class="staff-toolbar">
        <legend>Show SKUs that are</legend>
        {HEALTH.map((h) => (
          <label key={h} class="staff-check">
            <input
              type="checkbox"
              checked={health.includes(h)}
              onChange={(event) => {
                const next = event.currentTarget.checked ? [...health, h] : health.filter((x) => x !== h);
                show(next.length ? next : DEFAULT_HEALTH, prefix);
              }}
            />{" "}
            {enumLabel(h, "INVENTORY_HEALTH_")}
          </label>
        ))}
        <form
          class="staff-inline"
          onSubmit={(event) => {
            event.preventDefault();
            show(health, prefixInput.trim());
          }}
        >
          <label for="sku-prefix">SKU starts with</label>
          <input id="sku-prefix" value={prefixInput} onInput={(event) => setPrefixInput(event.currentTarget.value)} />
          <button type="submit">Filter</button>
        </form>
      </fieldset>
      <ErrorNote error={loaded.error} />
      {loaded.loading && !loaded.data ? <Loading what="stock records" /> : null}
      {loaded.data && !items.length ? <p>No SKU is in these classes.</p> : null}
      {items.length ? <Replenishment skus={items.slice(0, 100).map((item) => item.sku ?? "")} /> : null}
      <AdjustStock onSaved={loaded.reload} />
      {items.length ? (
        <table class="staff-table" data-testid="inventory">
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Health</th>
              <th scope="col">Available</th>
              <th scope="col">On hand</th>
              <th scope="col">Reserved</th>
              <th scope="col">Reorder point</th>
              <th scope="col">Safety stock</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.sku}>
                <td class="staff-nowrap">{item.sku}</td>
                <td>
                  <Badge value={item.health} prefix="INVENTORY_HEALTH_" />
                </td>
                <td>{item.quantity_available ?? 0}</td>
                <td>{item.quantity_on_hand ?? 0}</td>
                <td>{item.quantity_reserved ?? 0}</td>
                <td>{item.reorder_point ?? 0}</td>
                <td>{item.safety_stock ?? 0}</td>
                <td>{date(item.updated_at, true)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div class="staff-pager">
        {pages.length > 1 ? (
          <button type="button" onClick={() => setPages(pages.slice(0, -1))}>
            Previous
          </button>
        ) : null}
        {loaded.data?.next_page_token ? (
          <button type="button" onClick={() => setPages([...pages, loaded.data?.next_page_token ?? ""])}>
            Next
          </button>
        ) : null}
      </div>
    </section>
  );
}

function Replenishment({ skus }: { skus: string[] }): JSX.Element {
  const plan = useLoad(
    () =>
      call(
        api.GET("/api/staff/agents/inventory-jit-replenishment/plan", {
          params: { query: { skus, page_size: Math.min(100, Math.max(1, skus.length)) } },
        }),
      ),
    [skus.join(",")],
  );
  const lines = plan.data?.lines ?? [];
  const planned = plan.error instanceof ApiError && plan.error.status === 501 ? plan.error : null;
  return (
    <section aria-labelledby="replenish-heading" class="staff-card" data-testid="replenishment">
      <h2 id="replenish-heading">Replenishment plan</h2>
      {plan.loading && !plan.data && !plan.error ? <Loading what="the replenishment plan" /> : null}
      {planned ? (
        <p class="staff-note" role="status" data-testid="replenishment-planned">
          <strong>The replenishment agent is not available yet.</strong> The platform answered: “{planned.message}”. The
          list above is the stock service's own classification; reorder by hand until the agent is built.
        </p>
      ) : (
        <ErrorNote error={plan.error} />
      )}
      {plan.data ? (
        <>
          {plan.data.explanation?.summary ? <p>{plan.data.explanation.summary}</p> : null}
          {lines.length ? (
            <table class="staff-table">
              <thead>
                <tr>
                  <th scope="col">SKU</th>
                  <th scope="col">Order</th>
                  <th scope="col">Order by</th>
                  <th scope="col">Reorder point</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {lines.map((line) => (
                  <tr key={line.sku}>
                    <td>
                      {line.sku} <span class="staff-muted">{line.product_name}</span>
                    </td>
                    <td>{line.order_quantity ?? 0} units</td>
                    <td>{line.needs_order ? date(line.order_by) : "not within the horizon"}</td>
                    <td>{line.reorder_point ?? 0}</td>
                    <td>
                      {(line.drivers ?? [])
                        .map((d) => `${d.name}: ${d.value ?? ""}${d.unit ? ` ${d.unit}` : ""}`)
                        .join("; ")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>The agent plans no order for these SKUs.</p>
          )}
        </>
      ) : null}
    </section>
  );
}

/** Receiving stock by hand (PATCH /api/staff/inventory/{sku}): units added to what is on hand, with
 * the reason every stock change keeps. */
function AdjustStock({ onSaved }: { onSaved: () => void }): JSX.Element {
  const [sku, setSku] = useState("");
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState("");
  const [saved, setSaved] = useState<Schemas["holidaypeak.commerce.v1.InventoryItem"] | null>(null);
  const action = useAction();
  const e = action.error;
  const f = fieldErrors(e);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setSaved(null);
    const item = await action.run(() => {
      // An empty SKU would name no record at all: said at the field before asking.
      if (!sku.trim())
        throw new ApiError("Say which SKU received stock.", 400, "VALIDATION_FAILED", { sku: "required" });
      return call(
        api.PATCH("/api/staff/inventory/{sku}", {
          params: { path: { sku: sku.trim() } },
          body: {
            ...(delta.trim() ? { quantity_on_hand_delta: Number(delta) } : {}),
            reason,
            request_id: requestId("stock"),
          },
        }),
      );
    });
    if (item) {
      setSaved(item);
      setDelta("");
      onSaved();
    }
  };
  return (
    <section aria-labelledby="adjust-heading" class="staff-card">
      <h2 id="adjust-heading">Receive stock</h2>
      {saved ? (
        <p class="staff-success" role="status" data-testid="stock-saved">
          {saved.sku}: {saved.quantity_on_hand} on hand, {saved.quantity_available} available (
          {enumLabel(saved.health, "INVENTORY_HEALTH_").toLowerCase()}).
        </p>
      ) : null}
      <form onSubmit={submit} class="staff-form" noValidate>
        <ErrorNote error={e} fields={["sku", "quantity_on_hand_delta", "reason"]} />
        <Field name="stock-sku" label="SKU" error={f["sku"]}>
          <input {...control("stock-sku", f["sku"])} value={sku} onInput={(ev) => setSku(ev.currentTarget.value)} />
        </Field>
        <Field name="stock-delta" label="Units received" error={f["quantity_on_hand_delta"]}>
          <input
            {...control("stock-delta", f["quantity_on_hand_delta"])}
            inputMode="numeric"
            value={delta}
            onInput={(ev) => setDelta(ev.currentTarget.value)}
          />
        </Field>
        <Field name="stock-reason" label="Reason (e.g. PO-1234 received)" error={f["reason"]}>
          <input
            {...control("stock-reason", f["reason"])}
            value={reason}
            onInput={(ev) => setReason(ev.currentTarget.value)}
          />
        </Field>
        <button type="submit" disabled={action.busy}>
          {action.busy ? "Saving…" : "Add to stock"}
        </button>
      </form>
    </section>
  );
}
