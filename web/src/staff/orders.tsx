// Orders: every shopper's orders, newest first, with the review queue (orders the checkout risk
// assessment held for a person: GET /api/staff/orders?review=true), and one order's detail with
// its tracking and the form that ships it (POST /api/staff/shipments).
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";

import { api, call, date, enumLabel, money, requestId, type Schemas } from "../api";
import { navigate } from "../router";
import type { PageProps } from "./console";
import { shortId } from "./format";
import { CarrierChoiceNote } from "./shipments";
import { Badge, ErrorNote, Field, Link, Loading, control, fieldErrors, useAction, useLoad } from "./ui";

type Order = Schemas["holidaypeak.commerce.v1.Order"];
type OrderStatus = NonNullable<Order["status"]>;

const STATUSES: OrderStatus[] = [
  "ORDER_STATUS_PENDING",
  "ORDER_STATUS_PAID",
  "ORDER_STATUS_FULFILLING",
  "ORDER_STATUS_SHIPPED",
  "ORDER_STATUS_DELIVERED",
  "ORDER_STATUS_CANCELLED",
  "ORDER_STATUS_PARTIALLY_RETURNED",
  "ORDER_STATUS_RETURNED",
];

/** Orders a shipment may be created for (a paid order, or one with units left to ship). */
const SHIPPABLE: OrderStatus[] = ["ORDER_STATUS_PAID", "ORDER_STATUS_FULFILLING", "ORDER_STATUS_SHIPPED"];

export function OrdersPage({ query }: PageProps): JSX.Element {
  const review = query.get("review") === "true";
  const status = (query.get("status") ?? "") as OrderStatus | "";
  const customer = query.get("user_id") ?? "";
  const [customerInput, setCustomerInput] = useState(customer);
  useEffect(() => setCustomerInput(customer), [customer]); // the box shows the filter in force
  const [pages, setPages] = useState<string[]>([""]);
  const token = pages[pages.length - 1] ?? "";
  const loaded = useLoad(
    () =>
      call(
        api.GET("/api/staff/orders", {
          params: {
            query: {
              ...(review ? { review: true } : {}),
              ...(status ? { status: [status] } : {}),
              ...(customer ? { user_id: customer } : {}),
              page_size: 25,
              ...(token ? { page_token: token } : {}),
            },
          },
        }),
      ),
    [`${review}:${status}:${customer}:${token}`],
  );
  const show = (next: { review?: boolean; status?: string; user_id?: string }): void => {
    const params = new URLSearchParams();
    if (next.review ?? review) params.set("review", "true");
    const s = next.status ?? status;
    if (s) params.set("status", s);
    const who = next.user_id ?? customer;
    if (who) params.set("user_id", who);
    setPages([""]);
    navigate(`/staff/orders${params.size ? `?${params}` : ""}`);
  };
  const orders = loaded.data?.orders ?? [];
  return (
    <section class="staff-page">
      <h1>{review ? "Orders held for review" : "Orders"}</h1>
      <div class="staff-toolbar" role="group" aria-label="Which orders">
        <button type="button" aria-pressed={!review} onClick={() => show({ review: false })}>
          All orders
        </button>
        <button type="button" aria-pressed={review} onClick={() => show({ review: true })}>
          Review queue
        </button>
        <label>
          Status{" "}
          <select value={status} onChange={(event) => show({ status: event.currentTarget.value })}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {enumLabel(s, "ORDER_STATUS_")}
              </option>
            ))}
          </select>
        </label>
        <form
          class="staff-inline"
          onSubmit={(event) => {
            event.preventDefault();
            show({ user_id: customerInput.trim() });
          }}
        >
          <label for="order-customer">Customer id</label>
          <input
            id="order-customer"
            value={customerInput}
            onInput={(event) => setCustomerInput(event.currentTarget.value)}
          />
          <button type="submit">Filter</button>
        </form>
      </div>
      {review ? (
        <p class="staff-muted">
          The checkout risk assessment placed these orders but held them for a person to look at; each says why.
        </p>
      ) : null}
      <ErrorNote error={loaded.error} />
      {loaded.loading && !loaded.data ? <Loading what="orders" /> : null}
      {loaded.data && !orders.length ? <p>{review ? "No order is waiting for review." : "No orders match."}</p> : null}
      {orders.length ? (
        <table class="staff-table" data-testid="orders">
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col">Customer</th>
              <th scope="col">Total</th>
              <th scope="col">Status</th>
              <th scope="col">Payment</th>
              <th scope="col">Review</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <tr key={o.id} data-order-id={o.id}>
                <td>
                  <Link href={`/staff/orders/${encodeURIComponent(o.id ?? "")}`}>{shortId(o.id)}</Link>
                </td>
                <td>{date(o.created_at, true)}</td>
                <td>{o.user_id}</td>
                <td>{money(o.total, o.currency_code)}</td>
                <td>
                  <Badge value={o.status} prefix="ORDER_STATUS_" />
                </td>
                <td>
                  <Badge value={o.payment_status} prefix="ORDER_PAYMENT_STATUS_" />
                </td>
                <td>{o.review_required ? <span title={o.review_reason}>Held: {o.review_reason}</span> : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div class="staff-pager">
        {pages.length > 1 ? (
          <button type="button" onClick={() => setPages(pages.slice(0, -1))}>
            Newer
          </button>
        ) : null}
        {loaded.data?.next_page_token ? (
          <button type="button" onClick={() => setPages([...pages, loaded.data?.next_page_token ?? ""])}>
            Older
          </button>
        ) : null}
      </div>
    </section>
  );
}

export function OrderDetail({ orderId }: PageProps & { orderId: string }): JSX.Element {
  const order = useLoad(
    () => call(api.GET("/api/orders/{order_id}", { params: { path: { order_id: orderId } } })),
    [orderId],
  );
  const tracking = useLoad(
    () => call(api.GET("/api/orders/{order_id}/tracking", { params: { path: { order_id: orderId } } })),
    [orderId],
  );
  const o = order.data;
  return (
    <section class="staff-page">
      <p>
        <Link href="/staff/orders">← Orders</Link>
      </p>
      <h1>Order {orderId}</h1>
      <ErrorNote error={order.error} />
      {order.loading && !o ? <Loading what="the order" /> : null}
      {o ? (
        <>
          {o.review_required ? (
            <div class="staff-warning" role="note">
              <strong>Held for review.</strong> {o.review_reason}
            </div>
          ) : null}
          <dl class="staff-facts">
            <div>
              <dt>Status</dt>
              <dd data-testid="order-status">
                <Badge value={o.status} prefix="ORDER_STATUS_" />
              </dd>
            </div>
            <div>
              <dt>Payment</dt>
              <dd>
                <Badge value={o.payment_status} prefix="ORDER_PAYMENT_STATUS_" />
              </dd>
            </div>
            <div>
              <dt>Customer</dt>
              <dd>{o.user_id}</dd>
            </div>
            <div>
              <dt>Placed</dt>
              <dd>{date(o.created_at, true)}</dd>
            </div>
            <div>
              <dt>Total</dt>
              <dd>
                {money(o.total, o.currency_code)} ({o.shipping_option || "standard"} shipping)
              </dd>
            </div>
            <div>
              <dt>Ship to</dt>
              <dd>
                {[
                  o.shipping_address?.name,
                  o.shipping_address?.line1,
                  o.shipping_address?.city,
                  o.shipping_address?.region,
                  o.shipping_address?.postal_code,
                  o.shipping_address?.country_code,
                ]
                  .filter(Boolean)
                  .join(", ")}
              </dd>
            </div>
            {(o.amount_refunded ?? 0) > 0 ? (
              <div>
                <dt>Refunded</dt>
                <dd>{money(o.amount_refunded, o.currency_code)}</dd>
              </div>
            ) : null}
          </dl>
          <h2>Items</h2>
          <table class="staff-table">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Quantity</th>
                <th scope="col">Returned</th>
                <th scope="col">Line total</th>
              </tr>
            </thead>
            <tbody>
              {(o.items ?? []).map((item) => (
                <tr key={item.product_id}>
                  <td>
                    {item.name} <span class="staff-muted">{item.product_id}</span>
                  </td>
                  <td>{item.quantity}</td>
                  <td>{item.quantity_returned ?? 0}</td>
                  <td>{money(item.line_total, o.currency_code)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>Shipments</h2>
          <ErrorNote error={tracking.error} />
          {(tracking.data?.shipments ?? []).length ? (
            <ul class="staff-list">
              {(tracking.data?.shipments ?? []).map((s) => (
                <li key={s.id}>
                  <Link href={`/staff/shipments/${encodeURIComponent(s.id ?? "")}`}>
                    {(s.carrier ?? "").toUpperCase()} {s.tracking_number || shortId(s.id)}
                  </Link>{" "}
                  <Badge value={s.status} prefix="SHIPMENT_STATUS_" />
                </li>
              ))}
            </ul>
          ) : tracking.data ? (
            <p>Nothing shipped yet.</p>
          ) : null}
          {o.status && SHIPPABLE.includes(o.status) ? (
            <CreateShipment
              order={o}
              onCreated={() => {
                order.reload();
                tracking.reload();
              }}
            />
          ) : null}
          {o.status === "ORDER_STATUS_PENDING" || o.status === "ORDER_STATUS_PAID" ? (
            <CancelOrder order={o} onCancelled={order.reload} />
          ) : null}
          {o.status === "ORDER_STATUS_CANCELLED" ? (
            <p class="staff-note" role="status" data-testid="order-cancelled">
              Cancelled {date(o.cancelled_at, true)}: {o.cancel_reason || "no reason given"}
              {(o.amount_refunded ?? 0) > 0 ? `; ${money(o.amount_refunded, o.currency_code)} refunded` : ""}.
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

const CARRIERS = [
  { code: "", label: "Let the carrier-selection agent choose" },
  { code: "ups", label: "UPS" },
  { code: "fedex", label: "FedEx" },
  { code: "usps", label: "USPS" },
  { code: "dhl", label: "DHL" },
];

const LEVELS = [
  "SERVICE_LEVEL_UNSPECIFIED",
  "SERVICE_LEVEL_ECONOMY",
  "SERVICE_LEVEL_STANDARD",
  "SERVICE_LEVEL_EXPEDITED",
  "SERVICE_LEVEL_OVERNIGHT",
] as const;

function CreateShipment({ order, onCreated }: { order: Order; onCreated: () => void }): JSX.Element {
  const [carrier, setCarrier] = useState("");
  const [level, setLevel] = useState<(typeof LEVELS)[number]>("SERVICE_LEVEL_UNSPECIFIED");
  const [weight, setWeight] = useState("1000");
  const [trackingNumber, setTrackingNumber] = useState("");
  // One key per attempt: a retry after a lost answer gets the shipment already created.
  const [key, setKey] = useState(() => requestId("ship"));
  const [created, setCreated] = useState<Schemas["holidaypeak.commerce.v1.Shipment"] | null>(null);
  const action = useAction();
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const shipment = await action.run(() =>
      call(
        api.POST("/api/staff/shipments", {
          body: {
            order_id: order.id ?? "",
            carrier,
            service_level: level,
            package_weight_grams: Number(weight),
            tracking_number: trackingNumber,
            request_id: key,
          },
        }),
      ),
    );
    if (shipment) {
      setCreated(shipment);
      setKey(requestId("ship"));
      onCreated();
    }
  };
  const e = action.error;
  const f = fieldErrors(e);
  return (
    <section aria-labelledby="ship-heading" class="staff-card">
      <h2 id="ship-heading">Create a shipment</h2>
      {created ? (
        <div class="staff-success" role="status" data-testid="shipment-created">
          <p>
            Shipment <Link href={`/staff/shipments/${encodeURIComponent(created.id ?? "")}`}>{created.id}</Link>{" "}
            created: {(created.carrier ?? "").toUpperCase()}, {enumLabel(created.service_level, "SERVICE_LEVEL_")}
            {created.tracking_number ? `, tracking ${created.tracking_number}` : ""}.
          </p>
          <CarrierChoiceNote shipment={created} />
        </div>
      ) : null}
      <form onSubmit={submit} class="staff-form" noValidate>
        <ErrorNote error={e} fields={["carrier", "service_level", "package_weight_grams", "tracking_number"]} />
        <Field name="ship-carrier" label="Carrier" error={f["carrier"]}>
          <select
            {...control("ship-carrier", f["carrier"])}
            value={carrier}
            onChange={(ev) => setCarrier(ev.currentTarget.value)}
          >
            {CARRIERS.map((c) => (
              <option key={c.code} value={c.code}>
                {c.label}
              </option>
            ))}
          </select>
        </Field>
        <Field name="ship-level" label="Service level" error={f["service_level"]}>
          <select
            {...control("ship-level", f["service_level"])}
            value={level}
            onChange={(ev) => setLevel(ev.currentTarget.value as (typeof LEVELS)[number])}
          >
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l === "SERVICE_LEVEL_UNSPECIFIED"
                  ? "Standard (or whatever meets its promise)"
                  : enumLabel(l, "SERVICE_LEVEL_")}
              </option>
            ))}
          </select>
        </Field>
        <Field name="ship-weight" label="Parcel weight (grams)" error={f["package_weight_grams"]}>
          <input
            {...control("ship-weight", f["package_weight_grams"])}
            inputMode="numeric"
            value={weight}
            onInput={(ev) => setWeight(ev.currentTarget.value)}
          />
        </Field>
        <Field name="ship-tracking" label="Tracking number (optional)" error={f["tracking_number"]}>
          <input
            {...control("ship-tracking", f["tracking_number"])}
            value={trackingNumber}
            onInput={(ev) => setTrackingNumber(ev.currentTarget.value)}
          />
        </Field>
        <button type="submit" disabled={action.busy}>
          {action.busy ? "Creating…" : "Create shipment"}
        </button>
      </form>
    </section>
  );
}

/** Cancelling a pending or paid order (a held one, say): its stock is released and what was paid is
 * refunded (PATCH /api/orders/{id}/cancel, staff may cancel any order). */
function CancelOrder({ order, onCancelled }: { order: Order; onCancelled: () => void }): JSX.Element {
  const [reason, setReason] = useState("");
  const action = useAction();
  const e = action.error;
  const f = fieldErrors(e);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const done = await action.run(() =>
      call(
        api.PATCH("/api/orders/{order_id}/cancel", {
          params: { path: { order_id: order.id ?? "" } },
          body: { reason, etag: order.etag ?? "", request_id: requestId("cancel") },
        }),
      ),
    );
    if (done) onCancelled();
  };
  return (
    <section aria-labelledby="cancel-heading" class="staff-card">
      <h2 id="cancel-heading">Cancel the order</h2>
      <p>
        Releases its stock
        {order.payment_status === "ORDER_PAYMENT_STATUS_PAID" ? " and refunds the payment in full" : ""}. The customer
        sees the reason.
      </p>
      <form onSubmit={submit} class="staff-form" noValidate>
        <ErrorNote error={e} fields={["reason"]} />
        <Field name="cancel-reason" label="Reason" error={f["reason"]}>
          <input
            {...control("cancel-reason", f["reason"])}
            value={reason}
            onInput={(ev) => setReason(ev.currentTarget.value)}
          />
        </Field>
        <button type="submit" disabled={action.busy}>
          {action.busy ? "Cancelling…" : "Cancel order"}
        </button>
      </form>
    </section>
  );
}
