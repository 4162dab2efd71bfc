// Returns: the queue of every customer's returns (GET /api/staff/returns), and one return with the
// step its status allows: approve or reject (admin), receive and restock (staff), refund (admin).
// Steps the signed-in role may not take are shown disabled with the reason, not hidden.
import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { api, call, date, enumLabel, money, requestId, type Schemas } from "../api";
import { hasRole } from "../auth";
import { navigate } from "../router";
import type { PageProps } from "./console";
import { shortId } from "./format";
import { Badge, ErrorNote, Field, Link, Loading, control, fieldErrors, useAction, useLoad } from "./ui";

type Return = Schemas["holidaypeak.commerce.v1.Return"];
type ReturnStatus = NonNullable<Return["status"]>;

const STATUSES: ReturnStatus[] = [
  "RETURN_STATUS_REQUESTED",
  "RETURN_STATUS_APPROVED",
  "RETURN_STATUS_REJECTED",
  "RETURN_STATUS_RECEIVED",
  "RETURN_STATUS_RESTOCKED",
  "RETURN_STATUS_REFUNDED",
];

export function ReturnsPage({ query }: PageProps): JSX.Element {
  const status = (query.get("status") ?? "") as ReturnStatus | "";
  const [pages, setPages] = useState<string[]>([""]);
  const token = pages[pages.length - 1] ?? "";
  const loaded = useLoad(
    () =>
      call(
        api.GET("/api/staff/returns", {
          params: { query: { ...(status ? { status } : {}), page_size: 25, ...(token ? { page_token: token } : {}) } },
        }),
      ),
    [`${status}:${token}`],
  );
  const returns = loaded.data?.returns ?? [];
  return (
    <section class="staff-page">
      <h1>Returns</h1>
      <div class="staff-toolbar">
        <label>
          Status{" "}
          <select
            value={status}
            onChange={(event) => {
              setPages([""]);
              const next = event.currentTarget.value;
              navigate(`/staff/returns${next ? `?status=${next}` : ""}`);
            }}
          >
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {enumLabel(s, "RETURN_STATUS_")}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={loaded.error} />
      {loaded.loading && !loaded.data ? <Loading what="returns" /> : null}
      {loaded.data && !returns.length ? <p>No returns match.</p> : null}
      {returns.length ? (
        <table class="staff-table" data-testid="returns">
          <thead>
            <tr>
              <th scope="col">Return</th>
              <th scope="col">Order</th>
              <th scope="col">Customer</th>
              <th scope="col">Reason</th>
              <th scope="col">Status</th>
              <th scope="col">Requested</th>
            </tr>
          </thead>
          <tbody>
            {returns.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link href={`/staff/returns/${encodeURIComponent(r.id ?? "")}`}>{shortId(r.id)}</Link>
                </td>
                <td>
                  <Link href={`/staff/orders/${encodeURIComponent(r.order_id ?? "")}`}>{shortId(r.order_id)}</Link>
                </td>
                <td>{r.user_id}</td>
                <td>{enumLabel(r.reason, "RETURN_REASON_")}</td>
                <td>
                  <Badge value={r.status} prefix="RETURN_STATUS_" />
                </td>
                <td>{date(r.created_at, true)}</td>
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

export function ReturnDetail({ returnId, session }: PageProps & { returnId: string }): JSX.Element {
  const loaded = useLoad(
    () => call(api.GET("/api/staff/returns/{return_id}", { params: { path: { return_id: returnId } } })),
    [returnId],
  );
  const r = loaded.data;
  const admin = hasRole(session, "admin");
  return (
    <section class="staff-page">
      <p>
        <Link href="/staff/returns">← Returns</Link>
      </p>
      <h1>Return {returnId}</h1>
      <ErrorNote error={loaded.error} />
      {loaded.loading && !r ? <Loading what="the return" /> : null}
      {r ? (
        <>
          <dl class="staff-facts">
            <div>
              <dt>Status</dt>
              <dd data-testid="return-status">
                <Badge value={r.status} prefix="RETURN_STATUS_" />
              </dd>
            </div>
            <div>
              <dt>Order</dt>
              <dd>
                <Link href={`/staff/orders/${encodeURIComponent(r.order_id ?? "")}`}>{r.order_id}</Link>
              </dd>
            </div>
            <div>
              <dt>Customer</dt>
              <dd>{r.user_id}</dd>
            </div>
            <div>
              <dt>Reason</dt>
              <dd>
                {enumLabel(r.reason, "RETURN_REASON_")}
                {r.reason_detail ? `: ${r.reason_detail}` : ""}
              </dd>
            </div>
            {r.refund_id ? (
              <div>
                <dt>Refunded</dt>
                <dd data-testid="return-refund">
                  {money(r.refund_amount, r.currency_code)} ({r.refund_id})
                </dd>
              </div>
            ) : null}
            {r.rejection_reason ? (
              <div>
                <dt>Rejected because</dt>
                <dd>{r.rejection_reason}</dd>
              </div>
            ) : null}
          </dl>
          <h2>Items</h2>
          <table class="staff-table">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Units</th>
                <th scope="col">Unit price</th>
              </tr>
            </thead>
            <tbody>
              {(r.items ?? []).map((item) => (
                <tr key={item.product_id}>
                  <td>{item.product_id}</td>
                  <td>{item.quantity}</td>
                  <td>{money(item.unit_price, r.currency_code)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>History</h2>
          <ol class="staff-timeline" data-testid="return-history">
            {(r.history ?? []).map((step, index) => (
              <li key={`${step.status}-${index}`}>
                <Badge value={step.status} prefix="RETURN_STATUS_" /> {date(step.changed_at, true)} by {step.actor_id}
                {step.note ? ` · ${step.note}` : ""}
              </li>
            ))}
          </ol>
          <NextStep ret={r} admin={admin} onDone={loaded.reload} />
        </>
      ) : null}
    </section>
  );
}

type Step = "approve" | "receive" | "restock" | "refund";

const STEP_OF: Partial<Record<ReturnStatus, { step: Step; label: string; adminOnly: boolean; explain: string }>> = {
  RETURN_STATUS_REQUESTED: {
    step: "approve",
    label: "Approve return",
    adminOnly: true,
    explain: "Accept the request; the customer sends the items back.",
  },
  RETURN_STATUS_APPROVED: {
    step: "receive",
    label: "Mark received",
    adminOnly: false,
    explain: "The items arrived at the warehouse.",
  },
  RETURN_STATUS_RECEIVED: {
    step: "restock",
    label: "Restock",
    adminOnly: false,
    explain: "Put the sellable units back into stock.",
  },
  RETURN_STATUS_RESTOCKED: {
    step: "refund",
    label: "Refund",
    adminOnly: true,
    explain: "Refund the customer through the order's payment.",
  },
};

function NextStep({ ret, admin, onDone }: { ret: Return; admin: boolean; onDone: () => void }): JSX.Element | null {
  const [note, setNote] = useState("");
  const [rejectReason, setRejectReason] = useState("");
  const [amount, setAmount] = useState("");
  const action = useAction();
  const next = ret.status ? STEP_OF[ret.status] : undefined;
  if (!next) {
    return (
      <p class="staff-muted" role="status">
        {ret.status === "RETURN_STATUS_REFUNDED" ? "Refunded: nothing left to do." : "Nothing left to do."}
      </p>
    );
  }
  const id = ret.id ?? "";
  const path = { params: { path: { return_id: id } } };
  const body = { note, etag: ret.etag ?? "", request_id: requestId(next.step) };
  const go = (step: Step | "reject"): Promise<unknown> =>
    action.run(async () => {
      const done = await (step === "approve"
        ? call(api.PATCH("/api/staff/returns/{return_id}/approve", { ...path, body }))
        : step === "receive"
          ? call(api.PATCH("/api/staff/returns/{return_id}/receive", { ...path, body }))
          : step === "restock"
            ? call(api.PATCH("/api/staff/returns/{return_id}/restock", { ...path, body }))
            : step === "refund"
              ? call(
                  api.PATCH("/api/staff/returns/{return_id}/refund", {
                    ...path,
                    // Blank: the refund due for the items; a number: that much (in major units), no more than paid.
                    body: { ...body, ...(amount.trim() ? { amount: Number(amount) } : {}) },
                  }),
                )
              : call(
                  api.PATCH("/api/staff/returns/{return_id}/reject", {
                    ...path,
                    body: { reason: rejectReason, etag: ret.etag ?? "", request_id: requestId("reject") },
                  }),
                ));
      setNote("");
      onDone();
      return done;
    });
  const e = action.error;
  const f = fieldErrors(e);
  const blocked = next.adminOnly && !admin;
  return (
    <section aria-labelledby="step-heading" class="staff-card">
      <h2 id="step-heading">Next step</h2>
      <p>{next.explain}</p>
      <ErrorNote error={e} fields={["note", "reason", "amount"]} />
      {blocked ? (
        <p class="staff-note" role="note">
          Only an admin may {next.step} a return; sign in as an admin to do it.
        </p>
      ) : null}
      <form
        class="staff-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void go(next.step);
        }}
      >
        <Field name="return-note" label="Note (optional)" error={f["note"]}>
          <input
            {...control("return-note", f["note"])}
            value={note}
            onInput={(ev) => setNote(ev.currentTarget.value)}
            disabled={blocked}
          />
        </Field>
        {next.step === "refund" ? (
          <Field
            name="return-amount"
            label={`Amount in ${ret.currency_code || "USD"} (blank: the refund due)`}
            error={f["amount"]}
          >
            <input
              {...control("return-amount", f["amount"])}
              inputMode="decimal"
              value={amount}
              onInput={(ev) => setAmount(ev.currentTarget.value)}
              disabled={blocked}
            />
          </Field>
        ) : null}
        <button type="submit" disabled={action.busy || blocked}>
          {next.label}
        </button>
      </form>
      {next.step === "approve" ? (
        <form
          class="staff-form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            void go("reject");
          }}
        >
          <Field name="return-reject" label="Or reject it, because" error={f["reason"]}>
            <input
              {...control("return-reject", f["reason"])}
              value={rejectReason}
              onInput={(ev) => setRejectReason(ev.currentTarget.value)}
              disabled={blocked}
            />
          </Field>
          <button type="submit" disabled={action.busy || blocked}>
            Reject return
          </button>
        </form>
      ) : null}
    </section>
  );
}
