// Support tickets: the queue (GET /api/staff/tickets, most urgent first), one ticket's whole
// conversation with internal notes, a reply or note (POST .../messages, optionally moving the
// status with it), and assigning, prioritising and resolving (PATCH /api/staff/tickets/{id}).
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";

import { ApiError, api, call, date, enumLabel, requestId, type Schemas } from "../api";
import { navigate } from "../router";
import type { PageProps } from "./console";
import { shortId } from "./format";
import { Badge, ErrorNote, Field, Link, Loading, control, fieldErrors, useAction, useLoad } from "./ui";

type Ticket = Schemas["holidaypeak.commerce.v1.Ticket"];
type TicketStatus = NonNullable<Ticket["status"]>;
type TicketPriority = NonNullable<Ticket["priority"]>;

const STATUSES: TicketStatus[] = [
  "TICKET_STATUS_OPEN",
  "TICKET_STATUS_IN_PROGRESS",
  "TICKET_STATUS_PENDING_CUSTOMER",
  "TICKET_STATUS_ESCALATED",
  "TICKET_STATUS_RESOLVED",
  "TICKET_STATUS_CLOSED",
];
const PRIORITIES: TicketPriority[] = [
  "TICKET_PRIORITY_LOW",
  "TICKET_PRIORITY_NORMAL",
  "TICKET_PRIORITY_HIGH",
  "TICKET_PRIORITY_URGENT",
];

export function TicketsPage({ query, session }: PageProps): JSX.Element {
  const status = (query.get("status") ?? "") as TicketStatus | "";
  const mine = query.get("mine") === "true";
  const unassigned = query.get("unassigned") === "true";
  const customer = query.get("user_id") ?? "";
  const [customerInput, setCustomerInput] = useState(customer);
  useEffect(() => setCustomerInput(customer), [customer]); // the box shows the filter in force
  const [pages, setPages] = useState<string[]>([""]);
  const token = pages[pages.length - 1] ?? "";
  const loaded = useLoad(
    () =>
      call(
        api.GET("/api/staff/tickets", {
          params: {
            query: {
              ...(status ? { status } : {}),
              ...(mine ? { assignee_id: session.sub } : {}),
              ...(unassigned ? { unassigned: true } : {}),
              ...(customer ? { user_id: customer } : {}),
              page_size: 25,
              ...(token ? { page_token: token } : {}),
            },
          },
        }),
      ),
    [`${status}:${mine}:${unassigned}:${customer}:${token}`],
  );
  const show = (next: Record<string, string>): void => {
    const params = new URLSearchParams({
      ...(status ? { status } : {}),
      ...(mine ? { mine: "true" } : {}),
      ...(unassigned ? { unassigned: "true" } : {}),
      ...(customer ? { user_id: customer } : {}),
      ...next,
    });
    for (const [k, v] of [...params]) if (!v || v === "false") params.delete(k);
    setPages([""]);
    navigate(`/staff/tickets${params.size ? `?${params}` : ""}`);
  };
  const tickets = loaded.data?.tickets ?? [];
  return (
    <section class="staff-page">
      <h1>Support tickets</h1>
      <div class="staff-toolbar">
        <label>
          Status{" "}
          <select value={status} onChange={(event) => show({ status: event.currentTarget.value })}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {enumLabel(s, "TICKET_STATUS_")}
              </option>
            ))}
          </select>
        </label>
        <button type="button" aria-pressed={mine} onClick={() => show({ mine: String(!mine), unassigned: "" })}>
          Assigned to me
        </button>
        <button
          type="button"
          aria-pressed={unassigned}
          onClick={() => show({ unassigned: String(!unassigned), mine: "" })}
        >
          Unassigned
        </button>
        <form
          class="staff-inline"
          onSubmit={(event) => {
            event.preventDefault();
            show({ user_id: customerInput.trim() });
          }}
        >
          <label for="ticket-customer">Customer id</label>
          <input
            id="ticket-customer"
            value={customerInput}
            onInput={(event) => setCustomerInput(event.currentTarget.value)}
          />
          <button type="submit">Filter</button>
        </form>
      </div>
      <ErrorNote error={loaded.error} />
      {loaded.loading && !loaded.data ? <Loading what="tickets" /> : null}
      {loaded.data && !tickets.length ? <p>No tickets match.</p> : null}
      {tickets.length ? (
        <table class="staff-table" data-testid="tickets">
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Customer</th>
              <th scope="col">Priority</th>
              <th scope="col">Status</th>
              <th scope="col">Assignee</th>
              <th scope="col">Last message</th>
            </tr>
          </thead>
          <tbody>
            {tickets.map((t) => (
              <tr key={t.id} class={t.sla_breached ? "staff-late" : undefined}>
                <td>
                  <Link href={`/staff/tickets/${encodeURIComponent(t.id ?? "")}`}>{t.subject}</Link>
                  {t.sla_breached ? <span class="staff-badge staff-badge-late"> SLA missed</span> : null}
                </td>
                <td>{t.user_id}</td>
                <td>
                  <Badge value={t.priority} prefix="TICKET_PRIORITY_" />
                </td>
                <td>
                  <Badge value={t.status} prefix="TICKET_STATUS_" />
                </td>
                <td>{t.assignee_id || "—"}</td>
                <td>{date(t.last_message_at, true)}</td>
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

export function TicketDetail({ ticketId, session }: PageProps & { ticketId: string }): JSX.Element {
  const loaded = useLoad(
    () => call(api.GET("/api/staff/tickets/{ticket_id}", { params: { path: { ticket_id: ticketId } } })),
    [ticketId],
  );
  const t = loaded.data;
  const [draft, setDraft] = useState<{ text: string } | null>(null);
  return (
    <section class="staff-page">
      <p>
        <Link href="/staff/tickets">← Tickets</Link>
      </p>
      <h1>{t?.subject ?? `Ticket ${ticketId}`}</h1>
      <ErrorNote error={loaded.error} />
      {loaded.loading && !t ? <Loading what="the ticket" /> : null}
      {t ? (
        <>
          <dl class="staff-facts">
            <div>
              <dt>Status</dt>
              <dd data-testid="ticket-status">
                <Badge value={t.status} prefix="TICKET_STATUS_" />
              </dd>
            </div>
            <div>
              <dt>Customer</dt>
              <dd>{t.user_id}</dd>
            </div>
            <div>
              <dt>Assignee</dt>
              <dd data-testid="ticket-assignee">{t.assignee_id || "nobody"}</dd>
            </div>
            <div>
              <dt>Priority</dt>
              <dd>{enumLabel(t.priority, "TICKET_PRIORITY_")}</dd>
            </div>
            <div>
              <dt>Category</dt>
              <dd>{enumLabel(t.category, "TICKET_CATEGORY_")}</dd>
            </div>
            {t.order_id ? (
              <div>
                <dt>Order</dt>
                <dd>
                  <Link href={`/staff/orders/${encodeURIComponent(t.order_id)}`}>{shortId(t.order_id)}</Link>
                </dd>
              </div>
            ) : null}
            <div>
              <dt>First answer due</dt>
              <dd>
                {t.first_response_at
                  ? `answered ${date(t.first_response_at, true)}`
                  : date(t.first_response_due_at, true)}
              </dd>
            </div>
            <div>
              <dt>Resolution due</dt>
              <dd>
                {date(t.resolution_due_at, true)}
                {t.sla_breached ? " (SLA missed)" : ""}
              </dd>
            </div>
          </dl>
          <h2>Conversation</h2>
          <ol class="staff-conversation" data-testid="conversation">
            {(t.messages ?? []).map((m) => (
              <li
                key={m.id}
                class={
                  m.internal
                    ? "staff-internal"
                    : m.author_role === "ROLE_CUSTOMER"
                      ? "staff-from-customer"
                      : "staff-from-staff"
                }
              >
                <p class="staff-muted">
                  {m.author_id} ({enumLabel(m.author_role, "ROLE_").toLowerCase()}), {date(m.created_at, true)}
                  {m.internal ? " · internal note" : ""}
                </p>
                <p class="staff-message-body">{m.body}</p>
              </li>
            ))}
          </ol>
          <Brief ticketId={ticketId} onDraft={setDraft} />
          <Reply ticket={t} draft={draft} onSent={loaded.reload} />
          <Manage ticket={t} me={session.sub} onSaved={loaded.reload} />
        </>
      ) : null}
    </section>
  );
}

function Reply({
  ticket,
  draft,
  onSent,
}: {
  ticket: Ticket;
  draft: { text: string } | null;
  onSent: () => void;
}): JSX.Element {
  const [body, setBody] = useState("");
  // A draft taken from the brief replaces the message (a new object each time it is taken).
  useEffect(() => {
    if (draft) setBody(draft.text);
  }, [draft]);
  const [internal, setInternal] = useState(false);
  const [after, setAfter] = useState<TicketStatus | "">("");
  const action = useAction();
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const sent = await action.run(() =>
      call(
        api.POST("/api/staff/tickets/{ticket_id}/messages", {
          params: { path: { ticket_id: ticket.id ?? "" } },
          body: { body, internal, ...(after ? { status: after } : {}), request_id: requestId("reply") },
        }),
      ),
    );
    if (sent) {
      setBody("");
      setAfter("");
      onSent();
    }
  };
  const e = action.error;
  const f = fieldErrors(e);
  return (
    <section aria-labelledby="reply-heading" class="staff-card">
      <h2 id="reply-heading">Reply</h2>
      <form onSubmit={submit} class="staff-form" noValidate>
        <ErrorNote error={e} fields={["body", "status"]} />
        <Field name="reply-body" label="Message" error={f["body"]}>
          <textarea
            {...control("reply-body", f["body"])}
            rows={4}
            value={body}
            onInput={(ev) => setBody(ev.currentTarget.value)}
          />
        </Field>
        <label class="staff-check">
          <input type="checkbox" checked={internal} onChange={(ev) => setInternal(ev.currentTarget.checked)} /> Internal
          note (the customer never sees it)
        </label>
        <Field name="reply-status" label="Then set the status to" error={f["status"]}>
          <select
            {...control("reply-status", f["status"])}
            value={after}
            onChange={(ev) => setAfter(ev.currentTarget.value as TicketStatus | "")}
          >
            <option value="">Keep it (an open ticket becomes in progress)</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {enumLabel(s, "TICKET_STATUS_")}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={action.busy}>
          {action.busy ? "Sending…" : internal ? "Add note" : "Send reply"}
        </button>
      </form>
    </section>
  );
}

function Manage({ ticket, me, onSaved }: { ticket: Ticket; me: string; onSaved: () => void }): JSX.Element {
  const [assignee, setAssignee] = useState(ticket.assignee_id ?? "");
  const [priority, setPriority] = useState<TicketPriority>(ticket.priority ?? "TICKET_PRIORITY_NORMAL");
  const action = useAction();
  const update = (body: { status?: TicketStatus; priority?: TicketPriority; assignee_id?: string }): Promise<unknown> =>
    action.run(async () => {
      const saved = await call(
        api.PATCH("/api/staff/tickets/{ticket_id}", {
          params: { path: { ticket_id: ticket.id ?? "" } },
          body: { ...body, etag: ticket.etag ?? "", request_id: requestId("ticket") },
        }),
      );
      onSaved();
      return saved;
    });
  const e = action.error;
  const f = fieldErrors(e);
  const closed = ticket.status === "TICKET_STATUS_RESOLVED" || ticket.status === "TICKET_STATUS_CLOSED";
  return (
    <section aria-labelledby="manage-heading" class="staff-card">
      <h2 id="manage-heading">Assign and resolve</h2>
      <form
        class="staff-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void update({ assignee_id: assignee, priority });
        }}
      >
        <ErrorNote error={e} fields={["assignee_id", "priority"]} />
        <Field name="ticket-assignee" label="Assignee (staff user id; empty for nobody)" error={f["assignee_id"]}>
          <div class="staff-inline">
            <input
              {...control("ticket-assignee", f["assignee_id"])}
              value={assignee}
              onInput={(ev) => setAssignee(ev.currentTarget.value)}
            />
            <button type="button" onClick={() => setAssignee(me)}>
              Me
            </button>
          </div>
        </Field>
        <Field name="ticket-priority" label="Priority" error={f["priority"]}>
          <select
            {...control("ticket-priority", f["priority"])}
            value={priority}
            onChange={(ev) => setPriority(ev.currentTarget.value as TicketPriority)}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {enumLabel(p, "TICKET_PRIORITY_")}
              </option>
            ))}
          </select>
        </Field>
        <div class="staff-inline">
          <button type="submit" disabled={action.busy}>
            Save assignment
          </button>
          {closed ? null : (
            <button
              type="button"
              disabled={action.busy}
              onClick={() => void update({ status: "TICKET_STATUS_RESOLVED" })}
            >
              Mark resolved
            </button>
          )}
          {ticket.status === "TICKET_STATUS_RESOLVED" ? (
            <button
              type="button"
              disabled={action.busy}
              onClick={() => void update({ status: "TICKET_STATUS_CLOSED" })}
            >
              Close
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}

/** The support assistant's brief of the ticket (GET /api/staff/agents/crm-support-assistance/
 * tickets/{id}/brief): summary, suggested priority, next best actions and a reply draft to start
 * from. The agent may not be built yet: it then answers 501, said here in a line. */
function Brief({ ticketId, onDraft }: { ticketId: string; onDraft: (draft: { text: string }) => void }): JSX.Element {
  const brief = useLoad(
    () =>
      call(
        api.GET("/api/staff/agents/crm-support-assistance/tickets/{ticket_id}/brief", {
          params: { path: { ticket_id: ticketId } },
        }),
      ),
    [ticketId],
  );
  const planned = brief.error instanceof ApiError && brief.error.status === 501 ? brief.error : null;
  const b = brief.data;
  return (
    <section aria-labelledby="brief-heading" class="staff-card" data-testid="ticket-brief">
      <h2 id="brief-heading">Support assistant</h2>
      {brief.loading && !b && !brief.error ? <Loading what="the ticket's brief" /> : null}
      {planned ? (
        <p class="staff-note" role="status" data-testid="brief-planned">
          <strong>The support assistant agent is not available yet.</strong> The platform answered: “{planned.message}”.
        </p>
      ) : (
        <ErrorNote error={brief.error} onRetry={brief.reload} />
      )}
      {b ? (
        <>
          {b.explanation?.summary ? <p>{b.explanation.summary}</p> : null}
          {b.suggested_priority && b.suggested_priority !== b.current_priority ? (
            <p>Suggested priority: {enumLabel(b.suggested_priority, "TICKET_PRIORITY_")}.</p>
          ) : null}
          {(b.next_best_actions ?? []).length ? (
            <ul class="staff-list">
              {(b.next_best_actions ?? []).map((a, index) => (
                <li key={`${a.code}-${index}`}>{a.description}</li>
              ))}
            </ul>
          ) : null}
          {b.reply_draft?.body ? (
            <div>
              <p class="staff-message-body">{b.reply_draft.body}</p>
              <button type="button" onClick={() => onDraft({ text: b.reply_draft?.body ?? "" })}>
                Use this draft
              </button>
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
