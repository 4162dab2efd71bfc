// The product-truth review queue: agents' proposed product changes (GET /api/staff/proposals,
// newest first, by status and agent), one proposal with its evidence and audit trail, and the
// decisions: approve as proposed or edited (POST .../{id}:approve; a product changed meanwhile sends
// it back to review, said here) or reject with a reason (POST .../{id}:reject).
import type { JSX } from "preact";
import { useState } from "preact/hooks";

import { ApiError, api, call, date, enumLabel, type Schemas } from "../api";
import { navigate } from "../router";
import type { PageProps } from "./console";
import { Badge, ErrorNote, Field, Link, Loading, control, fieldErrors, useAction, useLoad } from "./ui";

type Proposal = Schemas["holidaypeak.commerce.v1.ProductProposal"];
type ProposalStatus = NonNullable<Proposal["status"]>;

const STATUSES: ProposalStatus[] = [
  "PROPOSAL_STATUS_PENDING",
  "PROPOSAL_STATUS_NEEDS_REVIEW",
  "PROPOSAL_STATUS_APPROVED",
  "PROPOSAL_STATUS_REJECTED",
  "PROPOSAL_STATUS_SUPERSEDED",
];
const OPEN: ProposalStatus[] = ["PROPOSAL_STATUS_PENDING", "PROPOSAL_STATUS_NEEDS_REVIEW"];

function shown(value: string | undefined): string {
  return value ? value : "(empty)";
}

export function ProposalsPage({ query }: PageProps): JSX.Element {
  const status = (query.get("status") ?? "PROPOSAL_STATUS_PENDING") as ProposalStatus | "";
  const agent = query.get("source_agent") ?? "";
  const [pages, setPages] = useState<string[]>([""]);
  const token = pages[pages.length - 1] ?? "";
  const loaded = useLoad(
    () =>
      call(
        api.GET("/api/staff/proposals", {
          params: {
            query: {
              ...(status ? { status } : {}),
              ...(agent ? { source_agent: agent } : {}),
              page_size: 25,
              ...(token ? { page_token: token } : {}),
            },
          },
        }),
      ),
    [`${status}:${agent}:${token}`],
  );
  const stats = useLoad(() => call(api.GET("/api/staff/proposals/stats")), []);
  const show = (next: Record<string, string>): void => {
    const params = new URLSearchParams({ status, ...(agent ? { source_agent: agent } : {}), ...next });
    for (const [k, v] of [...params]) if (!v && k !== "status") params.delete(k);
    setPages([""]);
    navigate(`/staff/proposals?${params}`);
  };
  const proposals = loaded.data?.proposals ?? [];
  return (
    <section class="staff-page">
      <h1>Product proposals</h1>
      <p class="staff-muted">
        Changes agents propose to product data. Nothing reaches the catalog until someone here approves it.
        {stats.data ? ` ${stats.data.queue_size ?? 0} waiting for review.` : ""}
      </p>
      <div class="staff-toolbar">
        <label>
          Status{" "}
          <select value={status} onChange={(event) => show({ status: event.currentTarget.value })}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {enumLabel(s, "PROPOSAL_STATUS_")}
              </option>
            ))}
          </select>
        </label>
        <label>
          Agent{" "}
          <select value={agent} onChange={(event) => show({ source_agent: event.currentTarget.value })}>
            <option value="">Any</option>
            <option value="normalization-classification">normalization-classification</option>
            <option value="consistency-validation">consistency-validation</option>
          </select>
        </label>
      </div>
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {loaded.loading && !loaded.data ? <Loading what="proposals" /> : null}
      {loaded.data && !proposals.length ? <p>No proposals match.</p> : null}
      {proposals.length ? (
        <table class="staff-table" data-testid="proposals">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Field</th>
              <th scope="col">Now</th>
              <th scope="col">Proposed</th>
              <th scope="col">Agent</th>
              <th scope="col">Confidence</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {proposals.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link href={`/staff/proposals/${encodeURIComponent(p.id ?? "")}`}>{p.product_id}</Link>
                </td>
                <td>{p.field}</td>
                <td>{shown(p.current_value)}</td>
                <td>{shown(p.proposed_value)}</td>
                <td>{p.source_agent}</td>
                <td>{Math.round((p.confidence ?? 0) * 100)}%</td>
                <td>
                  <Badge value={p.status} prefix="PROPOSAL_STATUS_" />
                </td>
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

export function ProposalDetail({ proposalId }: PageProps & { proposalId: string }): JSX.Element {
  const loaded = useLoad(
    () => call(api.GET("/api/staff/proposals/{proposal_id}", { params: { path: { proposal_id: proposalId } } })),
    [proposalId],
  );
  const p = loaded.data;
  return (
    <section class="staff-page">
      <p>
        <Link href="/staff/proposals">← Proposals</Link>
      </p>
      <h1>{p ? `${p.field} of ${p.product_id}` : `Proposal ${proposalId}`}</h1>
      <ErrorNote error={loaded.error} onRetry={loaded.reload} />
      {loaded.loading && !p ? <Loading what="the proposal" /> : null}
      {p ? (
        <>
          <dl class="staff-facts">
            <div>
              <dt>Status</dt>
              <dd data-testid="proposal-status">
                <Badge value={p.status} prefix="PROPOSAL_STATUS_" />
              </dd>
            </div>
            <div>
              <dt>Product</dt>
              <dd>
                <Link href={`/products/${encodeURIComponent(p.product_id ?? "")}`}>{p.product_id}</Link>
              </dd>
            </div>
            <div>
              <dt>Now</dt>
              <dd data-testid="proposal-current">{shown(p.current_value)}</dd>
            </div>
            <div>
              <dt>Proposed</dt>
              <dd data-testid="proposal-proposed">{shown(p.proposed_value)}</dd>
            </div>
            <div>
              <dt>Agent</dt>
              <dd>
                {p.source_agent}, {Math.round((p.confidence ?? 0) * 100)}% sure
              </dd>
            </div>
            {p.applied_value ? (
              <div>
                <dt>Written</dt>
                <dd>{p.applied_value}</dd>
              </div>
            ) : null}
            {p.decision_reason ? (
              <div>
                <dt>Why</dt>
                <dd>{p.decision_reason}</dd>
              </div>
            ) : null}
          </dl>
          {(p.evidence ?? []).length ? (
            <>
              <h2>Evidence</h2>
              <ul class="staff-list">
                {(p.evidence ?? []).map((e, index) => (
                  <li key={`${e.name}-${index}`}>
                    {e.name} = {e.value}
                    {e.unit ? ` ${e.unit}` : ""}: {e.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {OPEN.includes(p.status as ProposalStatus) ? <Decide proposal={p} onDecided={loaded.reload} /> : null}
          <h2>Audit trail</h2>
          <ol class="staff-list" data-testid="proposal-audit">
            {(p.audit ?? []).map((a, index) => (
              <li key={index}>
                {date(a.at, true)}: {(a.action ?? "").replace(/_/g, " ")} by {a.actor_id} ({shown(a.before_value)} →{" "}
                {shown(a.after_value)}){a.reason ? `: ${a.reason}` : ""}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}

function Decide({ proposal, onDecided }: { proposal: Proposal; onDecided: () => void }): JSX.Element {
  const [value, setValue] = useState(proposal.proposed_value ?? "");
  const [reason, setReason] = useState("");
  const [conflict, setConflict] = useState("");
  const action = useAction();
  const id = proposal.id ?? "";
  const approve = async (event: Event): Promise<void> => {
    event.preventDefault();
    setConflict("");
    await action.run(async () => {
      try {
        await call(
          api.POST("/api/staff/proposals/{proposal_id}:approve", {
            params: { path: { proposal_id: id } },
            body: { etag: proposal.etag ?? "", ...(value !== proposal.proposed_value ? { value } : {}) },
          }),
        );
      } catch (error) {
        // The product changed since the proposal was made: it is back in review with today's value.
        if (error instanceof ApiError && error.status === 409) setConflict(error.message);
        else throw error;
      }
      onDecided();
    });
  };
  const reject = async (): Promise<void> => {
    await action.run(async () => {
      await call(
        api.POST("/api/staff/proposals/{proposal_id}:reject", {
          params: { path: { proposal_id: id } },
          body: { reason, etag: proposal.etag ?? "" },
        }),
      );
      onDecided();
    });
  };
  const e = action.error;
  const f = fieldErrors(e);
  return (
    <section aria-labelledby="decide-heading" class="staff-card">
      <h2 id="decide-heading">Decide</h2>
      {conflict ? (
        <p class="staff-note" role="status" data-testid="proposal-conflict">
          {conflict}
        </p>
      ) : null}
      <form class="staff-form" noValidate onSubmit={approve}>
        <ErrorNote error={e} fields={["value", "reason"]} />
        <Field name="proposal-value" label="Value to write (edit it before approving if needed)" error={f["value"]}>
          <input
            {...control("proposal-value", f["value"])}
            value={value}
            onInput={(ev) => setValue(ev.currentTarget.value)}
          />
        </Field>
        <button type="submit" disabled={action.busy}>
          {value !== proposal.proposed_value ? "Approve edited value" : "Approve"}
        </button>
      </form>
      <form
        class="staff-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void reject();
        }}
      >
        <Field name="proposal-reason" label="Reason (to reject)" error={f["reason"]}>
          <input
            {...control("proposal-reason", f["reason"])}
            value={reason}
            onInput={(ev) => setReason(ev.currentTarget.value)}
          />
        </Field>
        <button type="submit" disabled={action.busy}>
          Reject
        </button>
      </form>
    </section>
  );
}
