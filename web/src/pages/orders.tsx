// Order history, one order with its status (the order-status agent: timeline, next step, ETA
// window) and tracking, and returns with the returns-support agent's refund estimate.
import { useEffect, useState } from "preact/hooks";

import { api, ApiError, call, date, enumLabel, minor, money, requestId, type Schemas } from "../api";
import { Link, navigate, useLocation } from "../router";
import { ErrorNote, Field, fieldErrors, Loading, useLoad } from "../ui";

type ReturnReason = Schemas["holidaypeak.commerce.v1.ReturnReason"];

export function Orders() {
  const orders = useLoad(() => call(api.GET("/api/orders", { params: { query: { page_size: 50 } } })), []);
  const list = orders.data?.orders ?? [];
  return (
    <section class="page" aria-labelledby="orders-title">
      <h1 id="orders-title">Your orders</h1>
      {orders.loading && !orders.data && <Loading what="your orders" />}
      <ErrorNote error={orders.error} onRetry={orders.reload} />
      {orders.data && list.length === 0 && <p>No orders yet.</p>}
      {list.length > 0 && (
        <table class="lines">
          <caption class="visually-hidden">Your orders, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col">Status</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {list.map((order) => (
              <tr key={order.id}>
                <td>
                  <Link href={`/orders/${encodeURIComponent(order.id ?? "")}`}>{order.id}</Link>
                </td>
                <td>{date(order.created_at)}</td>
                <td>
                  {enumLabel(order.status, "ORDER_STATUS_")} · {enumLabel(order.payment_status, "ORDER_PAYMENT_STATUS_")}
                </td>
                <td>{money(order.total, order.currency_code)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function OrderPage(props: { id: string }) {
  const { query } = useLocation();
  const path = { params: { path: { order_id: props.id } } };
  const order = useLoad(() => call(api.GET("/api/orders/{order_id}", path)), [props.id]);
  const status = useLoad(() => call(api.GET("/api/orders/{order_id}/status", path)), [props.id]);
  const tracking = useLoad(() => call(api.GET("/api/orders/{order_id}/tracking", path)), [props.id]);
  const o = order.data;
  const s = status.data;
  const window = s?.eta?.window;
  // The status agent reads the order's events a moment after they happen: while it lags behind the
  // order itself (just paid, say), ask again shortly rather than show a stale timeline.
  // A brand-new order may not be known to it yet at all (NOT_FOUND while the order itself loads).
  const unknownYet = o && status.error instanceof ApiError && status.error.status === 404;
  const lagging = unknownYet || (o && s && (o.status !== s.status || o.payment_status !== s.payment_status));
  const [retries, setRetries] = useState(0);
  useEffect(() => {
    if (!lagging || retries >= 20 || status.loading) return;
    const timer = setTimeout(() => {
      setRetries(retries + 1);
      status.reload();
    }, 500);
    return () => clearTimeout(timer);
  }, [lagging, retries, status.loading]);
  return (
    <section class="page" aria-labelledby="order-title">
      <h1 id="order-title">Order {props.id}</h1>
      {query.get("placed") && o?.payment_status === "ORDER_PAYMENT_STATUS_PAID" && (
        <p class="ok" role="status">
          Thank you! Your order is placed and paid.
        </p>
      )}
      {order.loading && !o && <Loading what="the order" />}
      <ErrorNote error={order.error} onRetry={order.reload} />
      {o && (
        <div class="order-head">
          <p>
            <span class="badge" data-order-status={o.status}>
              {enumLabel(o.status, "ORDER_STATUS_")}
            </span>{" "}
            <span class="badge" data-payment-status={o.payment_status}>
              {enumLabel(o.payment_status, "ORDER_PAYMENT_STATUS_")}
            </span>{" "}
            placed {date(o.created_at, true)} · total {money(o.total, o.currency_code)}
          </p>
          {o.review_required && <p class="warn">This order is being reviewed by our team: {o.review_reason}</p>}
          <ul>
            {(o.items ?? []).map((item) => (
              <li key={item.product_id}>
                {item.quantity} × <Link href={`/products/${encodeURIComponent(item.product_id ?? "")}`}>{item.name}</Link>{" "}
                · {money(item.line_total, o.currency_code)}
                {(item.quantity_returned ?? 0) > 0 && ` · ${item.quantity_returned} returned`}
              </li>
            ))}
          </ul>
          <p class="actions">
            <Link href={`/orders/${encodeURIComponent(props.id)}/return`} class="button secondary">
              Return items
            </Link>
            <Link href={`/support/new?order=${encodeURIComponent(props.id)}`} class="button secondary">
              Get help with this order
            </Link>
          </p>
        </div>
      )}
      <section aria-labelledby="status-title">
        <h2 id="status-title">Where it is</h2>
        {unknownYet && retries < 20 ? (
          <Loading what="the latest status" />
        ) : (
          <ErrorNote error={status.error} onRetry={status.reload} />
        )}
        {s && (
          <>
            <p class="headline">{s.headline}</p>
            {s.next_step?.description && <p>Next: {s.next_step.description}.</p>}
            {window?.start_time && (
              <p class="eta" data-eta="window">
                Expected between {date(window.start_time)} and {date(window.end_time)}
                {s.eta?.at_risk ? " (may be late)" : ""}.
              </p>
            )}
            {!window?.start_time && s.eta_skipped && <p class="meta">No delivery estimate yet: {s.eta_skipped}</p>}
            <ol class="timeline" aria-label="Order timeline">
              {(s.timeline ?? []).map((entry, index) => (
                <li key={index}>
                  <time dateTime={entry.occurred_at}>{date(entry.occurred_at, true)}</time> {entry.summary}
                </li>
              ))}
            </ol>
          </>
        )}
      </section>
      <section aria-labelledby="tracking-title">
        <h2 id="tracking-title">Tracking</h2>
        <ErrorNote error={tracking.error} onRetry={tracking.reload} />
        {tracking.data && (tracking.data.shipments ?? []).length === 0 && <p>Not shipped yet.</p>}
        {(tracking.data?.shipments ?? []).map((shipment) => (
          <div key={shipment.id} class="shipment">
            <p>
              {shipment.carrier} {shipment.tracking_number} · {enumLabel(shipment.status, "SHIPMENT_STATUS_")}
            </p>
            <ol class="timeline">
              {(shipment.events ?? []).map((event, index) => (
                <li key={index}>
                  <time dateTime={event.occurred_at}>{date(event.occurred_at, true)}</time>{" "}
                  {enumLabel(event.status, "SHIPMENT_STATUS_")} {event.location ? `· ${event.location}` : ""}{" "}
                  {event.description}
                </li>
              ))}
            </ol>
          </div>
        ))}
      </section>
    </section>
  );
}

const REASONS: [ReturnReason, string][] = [
  ["RETURN_REASON_NO_LONGER_NEEDED", "No longer needed"],
  ["RETURN_REASON_DAMAGED", "Arrived damaged"],
  ["RETURN_REASON_DEFECTIVE", "Defective"],
  ["RETURN_REASON_WRONG_ITEM", "Wrong item sent"],
  ["RETURN_REASON_NOT_AS_DESCRIBED", "Not as described"],
  ["RETURN_REASON_SIZE_OR_FIT", "Size or fit"],
  ["RETURN_REASON_ARRIVED_LATE", "Arrived late"],
  ["RETURN_REASON_OTHER", "Other"],
];

export function ReturnPage(props: { id: string }) {
  const order = useLoad(
    () => call(api.GET("/api/orders/{order_id}", { params: { path: { order_id: props.id } } })),
    [props.id],
  );
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [reason, setReason] = useState<ReturnReason>("RETURN_REASON_NO_LONGER_NEEDED");
  const [estimate, setEstimate] = useState<Schemas["holidaypeak.agents.v1.CheckReturnEligibilityResponse"]>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const items = Object.entries(quantities)
    .filter(([, quantity]) => quantity > 0)
    .map(([product_id, quantity]) => ({ product_id, quantity }));

  async function check() {
    setBusy(true);
    setError(null);
    try {
      setEstimate(
        await call(
          api.POST("/api/orders/{order_id}/return-eligibility", {
            params: { path: { order_id: props.id } },
            body: { order_id: props.id, items, reason },
          }),
        ),
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await call(
        api.POST("/api/returns", { body: { order_id: props.id, items, reason, request_id: requestId("return") } }),
      );
      navigate(`/returns?created=${encodeURIComponent(created.id ?? "")}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const errors = fieldErrors(error);
  const refund = estimate?.refund;
  return (
    <section class="page" aria-labelledby="return-title">
      <h1 id="return-title">Return items from order {props.id}</h1>
      <ErrorNote error={order.error} />
      {order.data && (
        <form onSubmit={submit} noValidate>
          <fieldset>
            <legend>What are you returning?</legend>
            {(order.data.items ?? []).map((item) => (
              <Field
                key={item.product_id}
                name={`qty-${item.product_id}`}
                label={`${item.name} (bought ${item.quantity})`}
                input={{
                  type: "number",
                  min: 0,
                  max: item.quantity,
                  value: String(quantities[item.product_id ?? ""] ?? 0),
                  onInput: (event) =>
                    setQuantities({
                      ...quantities,
                      [item.product_id ?? ""]: Number((event.target as HTMLInputElement).value) || 0,
                    }),
                }}
              />
            ))}
            {errors["items"] && <p class="field-error">{errors["items"]}</p>}
          </fieldset>
          <Field name="reason" label="Why?" error={errors["reason"]}>
            <select id="field-reason" value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value as ReturnReason)}>
              {REASONS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
          <ErrorNote error={error} fields={["items", "reason"]} />
          <div class="actions">
            <button type="button" class="secondary" disabled={busy} onClick={() => void check()}>
              Check what I would get back
            </button>
            <button type="submit" disabled={busy || items.length === 0}>
              Request the return
            </button>
          </div>
        </form>
      )}
      {estimate && (
        <section class="summary-box" aria-labelledby="estimate-title">
          <h2 id="estimate-title">{estimate.eligible ? "You can return this" : "This cannot be returned"}</h2>
          {estimate.window_closes_at && <p>Return window closes {date(estimate.window_closes_at)}.</p>}
          {(estimate.lines ?? [])
            .filter((line) => !line.eligible)
            .map((line) => (
              <p class="warn" key={line.product_id}>
                {line.product_id}: {line.message}
              </p>
            ))}
          {refund && (
            <dl>
              <dt>Items</dt>
              <dd>{minor(refund.items?.amount_minor, refund.items?.currency_code)}</dd>
              <dt>Tax</dt>
              <dd>{minor(refund.tax?.amount_minor, refund.tax?.currency_code)}</dd>
              {Number(refund.shipping?.amount_minor ?? 0) > 0 && (
                <>
                  <dt>Shipping</dt>
                  <dd>{minor(refund.shipping?.amount_minor, refund.shipping?.currency_code)}</dd>
                </>
              )}
              <dt>Restocking fees</dt>
              <dd>−{minor(refund.restocking_fees?.amount_minor, refund.restocking_fees?.currency_code)}</dd>
              <dt>Return shipping</dt>
              <dd>−{minor(refund.return_shipping_fee?.amount_minor, refund.return_shipping_fee?.currency_code)}</dd>
              <dt>Estimated refund</dt>
              <dd class="price">{minor(refund.total?.amount_minor, refund.total?.currency_code)}</dd>
            </dl>
          )}
          {(estimate.next_steps ?? []).map((next) => (
            <p key={next.code}>{next.description}</p>
          ))}
          <p class="meta">{estimate.explanation?.summary}</p>
        </section>
      )}
    </section>
  );
}

export function Returns() {
  const { query } = useLocation();
  const returns = useLoad(() => call(api.GET("/api/returns", {})), []);
  const list = returns.data?.returns ?? [];
  return (
    <section class="page" aria-labelledby="returns-title">
      <h1 id="returns-title">Your returns</h1>
      {query.get("created") && (
        <p class="ok" role="status">
          Return {query.get("created")} requested. We will email you a label once it is approved.
        </p>
      )}
      <ErrorNote error={returns.error} onRetry={returns.reload} />
      {returns.data && list.length === 0 && <p>No returns.</p>}
      <ul class="plain">
        {list.map((item) => (
          <li key={item.id}>
            {item.id} · order <Link href={`/orders/${encodeURIComponent(item.order_id ?? "")}`}>{item.order_id}</Link> ·{" "}
            {enumLabel(item.status, "RETURN_STATUS_")}
            {item.refund_amount ? ` · refunded ${money(item.refund_amount, item.currency_code)}` : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}
