// Shipments: the parcels of every order (GET /api/staff/shipments), one parcel with its tracking
// history and the form that records the carrier's next event, up to delivered
// (POST /api/staff/shipments/{id}/events); how the carrier was chosen is shown with its reason.
import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { api, call, date, enumLabel, minor, requestId, type Schemas } from "../api";
import { navigate } from "../router";
import type { PageProps } from "./console";
import { shortId } from "./format";
import { Badge, ErrorNote, Field, Link, Loading, control, fieldErrors, useAction, useLoad } from "./ui";

type Shipment = Schemas["holidaypeak.commerce.v1.Shipment"];
type ShipmentStatus = NonNullable<Shipment["status"]>;

const FLOW: ShipmentStatus[] = [
  "SHIPMENT_STATUS_LABEL_CREATED",
  "SHIPMENT_STATUS_PICKED_UP",
  "SHIPMENT_STATUS_IN_TRANSIT",
  "SHIPMENT_STATUS_OUT_FOR_DELIVERY",
  "SHIPMENT_STATUS_DELIVERED",
];

/** How the carrier was chosen: by the request, by the carrier-selection agent (with its reason and
 * rate) or by the service's default when the agent did not answer. */
export function CarrierChoiceNote({ shipment }: { shipment: Shipment }): JSX.Element | null {
  const choice = shipment.carrier_choice;
  if (!choice?.method) return null;
  const carrier = (shipment.carrier ?? "").toUpperCase();
  if (choice.method === "agent") {
    return (
      <p class="staff-note" data-testid="carrier-choice">
        <strong>{carrier} chosen by the carrier-selection agent</strong>
        {Number(choice.rate_minor ?? 0) > 0 ? ` at ${minor(choice.rate_minor, choice.currency_code)}` : ""}:{" "}
        {choice.reason}
      </p>
    );
  }
  if (choice.method === "default") {
    return (
      <p class="staff-note" data-testid="carrier-choice">
        <strong>{carrier} is the default carrier</strong>: the carrier-selection agent did not answer ({choice.reason}).
      </p>
    );
  }
  return (
    <p class="staff-note" data-testid="carrier-choice">
      <strong>{carrier} as requested</strong>
      {choice.reason ? `: ${choice.reason}` : "."}
    </p>
  );
}

export function ShipmentsPage({ query }: PageProps): JSX.Element {
  const status = (query.get("status") ?? "") as ShipmentStatus | "";
  const [pages, setPages] = useState<string[]>([""]);
  const token = pages[pages.length - 1] ?? "";
  const loaded = useLoad(
    () =>
      call(
        api.GET("/api/staff/shipments", {
          params: { query: { ...(status ? { status } : {}), page_size: 25, ...(token ? { page_token: token } : {}) } },
        }),
      ),
    [`${status}:${token}`],
  );
  const shipments = loaded.data?.shipments ?? [];
  return (
    <section class="staff-page">
      <h1>Shipments</h1>
      <p class="staff-muted">
        A shipment is created from its order's page (
        <Link href="/staff/orders?status=ORDER_STATUS_PAID">paid orders</Link>).
      </p>
      <div class="staff-toolbar">
        <label>
          Status{" "}
          <select
            value={status}
            onChange={(event) => {
              setPages([""]);
              const next = event.currentTarget.value;
              navigate(`/staff/shipments${next ? `?status=${next}` : ""}`);
            }}
          >
            <option value="">Any</option>
            {[...FLOW, "SHIPMENT_STATUS_EXCEPTION" as const].map((s) => (
              <option key={s} value={s}>
                {enumLabel(s, "SHIPMENT_STATUS_")}
              </option>
            ))}
          </select>
        </label>
      </div>
      <RouteIssues />
      <ErrorNote error={loaded.error} />
      {loaded.loading && !loaded.data ? <Loading what="shipments" /> : null}
      {loaded.data && !shipments.length ? <p>No shipments match.</p> : null}
      {shipments.length ? (
        <table class="staff-table" data-testid="shipments">
          <thead>
            <tr>
              <th scope="col">Shipment</th>
              <th scope="col">Order</th>
              <th scope="col">Carrier</th>
              <th scope="col">Status</th>
              <th scope="col">Estimated delivery</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {shipments.map((s) => (
              <tr key={s.id}>
                <td>
                  <Link href={`/staff/shipments/${encodeURIComponent(s.id ?? "")}`}>{shortId(s.id)}</Link>
                </td>
                <td>
                  <Link href={`/staff/orders/${encodeURIComponent(s.order_id ?? "")}`}>{shortId(s.order_id)}</Link>
                </td>
                <td>
                  {(s.carrier ?? "").toUpperCase()} {s.tracking_number}
                </td>
                <td>
                  <Badge value={s.status} prefix="SHIPMENT_STATUS_" />
                </td>
                <td>{date(s.estimated_delivery_at)}</td>
                <td>{date(s.created_at, true)}</td>
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

export function ShipmentDetail({ shipmentId }: PageProps & { shipmentId: string }): JSX.Element {
  const loaded = useLoad(
    () => call(api.GET("/api/staff/shipments/{shipment_id}", { params: { path: { shipment_id: shipmentId } } })),
    [shipmentId],
  );
  const s = loaded.data;
  return (
    <section class="staff-page">
      <p>
        <Link href="/staff/shipments">← Shipments</Link>
      </p>
      <h1>Shipment {shipmentId}</h1>
      <ErrorNote error={loaded.error} />
      {loaded.loading && !s ? <Loading what="the shipment" /> : null}
      {s ? (
        <>
          <dl class="staff-facts">
            <div>
              <dt>Status</dt>
              <dd data-testid="shipment-status">
                <Badge value={s.status} prefix="SHIPMENT_STATUS_" />
              </dd>
            </div>
            <div>
              <dt>Order</dt>
              <dd>
                <Link href={`/staff/orders/${encodeURIComponent(s.order_id ?? "")}`}>{s.order_id}</Link>
              </dd>
            </div>
            <div>
              <dt>Carrier</dt>
              <dd>
                {(s.carrier ?? "").toUpperCase()}, {enumLabel(s.service_level, "SERVICE_LEVEL_")}
              </dd>
            </div>
            <div>
              <dt>Tracking number</dt>
              <dd>{s.tracking_number || "none yet"}</dd>
            </div>
            <div>
              <dt>Estimated delivery</dt>
              <dd>{date(s.estimated_delivery_at) || "unknown"}</dd>
            </div>
            <div>
              <dt>Weight</dt>
              <dd>{s.package_weight_grams} g</dd>
            </div>
          </dl>
          <CarrierChoiceNote shipment={s} />
          <h2>Tracking history</h2>
          <ol class="staff-timeline" data-testid="tracking-events">
            {(s.events ?? []).map((event) => (
              <li key={event.id}>
                <Badge value={event.status} prefix="SHIPMENT_STATUS_" /> {date(event.occurred_at, true)}
                {event.location ? ` · ${event.location}` : ""}
                {event.description ? ` · ${event.description}` : ""}
              </li>
            ))}
          </ol>
          {s.status === "SHIPMENT_STATUS_DELIVERED" ? (
            <p class="staff-success" role="status">
              Delivered {date(s.delivered_at, true)}. Nothing more to record.
            </p>
          ) : (
            <AddEvent shipment={s} onAdded={loaded.reload} />
          )}
        </>
      ) : null}
    </section>
  );
}

function nextStatus(current: ShipmentStatus | undefined): ShipmentStatus {
  const at = FLOW.indexOf(current ?? "SHIPMENT_STATUS_LABEL_CREATED");
  return FLOW[Math.min(FLOW.length - 1, Math.max(0, at) + 1)] ?? "SHIPMENT_STATUS_DELIVERED";
}

function AddEvent({ shipment, onAdded }: { shipment: Shipment; onAdded: () => void }): JSX.Element {
  const [status, setStatus] = useState<ShipmentStatus>(nextStatus(shipment.status));
  const [location, setLocation] = useState("");
  const [description, setDescription] = useState("");
  const [trackingNumber, setTrackingNumber] = useState("");
  const action = useAction();
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const saved = await action.run(() =>
      call(
        api.POST("/api/staff/shipments/{shipment_id}/events", {
          params: { path: { shipment_id: shipment.id ?? "" } },
          body: {
            status,
            location,
            description,
            ...(trackingNumber ? { tracking_number: trackingNumber } : {}),
            request_id: requestId("scan"),
          },
        }),
      ),
    );
    if (saved) {
      setStatus(nextStatus(saved.status));
      setLocation("");
      setDescription("");
      onAdded();
    }
  };
  const e = action.error;
  const f = fieldErrors(e);
  return (
    <section aria-labelledby="event-heading" class="staff-card">
      <h2 id="event-heading">Record a tracking event</h2>
      <form onSubmit={submit} class="staff-form" noValidate>
        <ErrorNote error={e} fields={["status", "location", "description", "tracking_number"]} />
        <Field name="event-status" label="Status after the event" error={f["status"]}>
          <select
            {...control("event-status", f["status"])}
            value={status}
            onChange={(ev) => setStatus(ev.currentTarget.value as ShipmentStatus)}
          >
            {[...FLOW, "SHIPMENT_STATUS_EXCEPTION" as const].map((s) => (
              <option key={s} value={s}>
                {enumLabel(s, "SHIPMENT_STATUS_")}
                {s === shipment.status ? " (intermediate scan)" : ""}
              </option>
            ))}
          </select>
        </Field>
        <Field name="event-location" label="Location" error={f["location"]}>
          <input
            {...control("event-location", f["location"])}
            value={location}
            placeholder="Memphis, TN, US"
            onInput={(ev) => setLocation(ev.currentTarget.value)}
          />
        </Field>
        <Field name="event-description" label="Description" error={f["description"]}>
          <input
            {...control("event-description", f["description"])}
            value={description}
            placeholder="Arrived at hub"
            onInput={(ev) => setDescription(ev.currentTarget.value)}
          />
        </Field>
        {shipment.tracking_number ? null : (
          <>
            <Field
              name="event-tracking"
              label="Tracking number (if the carrier assigned one now)"
              error={f["tracking_number"]}
            >
              <input
                {...control("event-tracking", f["tracking_number"])}
                value={trackingNumber}
                onInput={(ev) => setTrackingNumber(ev.currentTarget.value)}
              />
            </Field>
          </>
        )}
        <button type="submit" disabled={action.busy}>
          {action.busy ? "Recording…" : "Record event"}
        </button>
      </form>
    </section>
  );
}

/** Parcels in trouble (GET /api/staff/agents/logistics-route-issue-detection/issues): the route
 * issue agent's findings, most severe first, each with its reason and suggested action. */
function RouteIssues(): JSX.Element {
  const issues = useLoad(
    () =>
      call(
        api.GET("/api/staff/agents/logistics-route-issue-detection/issues", {
          params: { query: { min_severity: "SEVERITY_MEDIUM", page_size: 10 } },
        }),
      ),
    [],
  );
  const list = issues.data?.issues ?? [];
  return (
    <section aria-labelledby="issues-heading" class="staff-card" data-testid="route-issues">
      <h2 id="issues-heading">Parcels needing attention</h2>
      <ErrorNote error={issues.error} onRetry={issues.reload} />
      {issues.loading && !issues.data ? <Loading what="route issues" /> : null}
      {issues.data && !list.length ? (
        <p>
          No parcel in transit has an issue of medium severity or more ({issues.data.shipments_checked ?? 0} checked).
        </p>
      ) : null}
      {list.length ? (
        <ul class="staff-list">
          {list.map((issue) => (
            <li key={issue.issue_id}>
              <Badge value={issue.severity} prefix="SEVERITY_" />{" "}
              <Link href={`/staff/shipments/${encodeURIComponent(issue.shipment_id ?? "")}`}>
                {shortId(issue.shipment_id)}
              </Link>{" "}
              {(issue.carrier ?? "").toUpperCase()}: {issue.message}
              {/* The action's description ends with the message again, in brackets: said once is enough. */}
              {issue.action?.description
                ? `. Suggested: ${issue.action.description.replace(/\s*\([^()]*\)$/, "")}.`
                : ""}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
