// Support tickets: the shopper's list, raising one (optionally about an order) and the conversation.
import { useState } from "preact/hooks";

import { api, call, date, enumLabel, requestId, type Schemas } from "../api";
import { Link, navigate, useLocation } from "../router";
import { ErrorNote, Field, fieldErrors, Loading, useLoad } from "../ui";

type TicketCategory = Schemas["holidaypeak.commerce.v1.TicketCategory"];

export function Tickets() {
  const tickets = useLoad(() => call(api.GET("/api/tickets", {})), []);
  const list = tickets.data?.tickets ?? [];
  return (
    <section class="page" aria-labelledby="tickets-title">
      <h1 id="tickets-title">Support</h1>
      <p>
        <Link href="/support/new" class="button">
          Ask for help
        </Link>
      </p>
      {tickets.loading && !tickets.data && <Loading what="your tickets" />}
      <ErrorNote error={tickets.error} onRetry={tickets.reload} />
      {tickets.data && list.length === 0 && <p>You have no support tickets.</p>}
      <ul class="plain">
        {list.map((ticket) => (
          <li key={ticket.id}>
            <Link href={`/support/${encodeURIComponent(ticket.id ?? "")}`}>{ticket.subject}</Link> ·{" "}
            {enumLabel(ticket.status, "TICKET_STATUS_")} · {date(ticket.created_at)}
          </li>
        ))}
      </ul>
    </section>
  );
}

const CATEGORIES: [TicketCategory, string][] = [
  ["TICKET_CATEGORY_ORDER", "An order"],
  ["TICKET_CATEGORY_SHIPPING", "Shipping"],
  ["TICKET_CATEGORY_RETURN", "A return"],
  ["TICKET_CATEGORY_PAYMENT", "Payment"],
  ["TICKET_CATEGORY_PRODUCT", "A product"],
  ["TICKET_CATEGORY_ACCOUNT", "My account"],
  ["TICKET_CATEGORY_OTHER", "Something else"],
];

export function NewTicket() {
  const { query } = useLocation();
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [orderId, setOrderId] = useState(query.get("order") ?? "");
  const [category, setCategory] = useState<TicketCategory>(orderId ? "TICKET_CATEGORY_ORDER" : "TICKET_CATEGORY_OTHER");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const ticket = await call(
        api.POST("/api/tickets", {
          body: { subject, body, category, order_id: orderId || undefined, request_id: requestId("ticket") },
        }),
      );
      navigate(`/support/${encodeURIComponent(ticket.id ?? "")}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="page narrow" aria-labelledby="new-ticket-title">
      <h1 id="new-ticket-title">Ask for help</h1>
      <form onSubmit={submit} noValidate>
        <ErrorNote error={error} fields={["category", "order_id", "subject", "body"]} />
        <Field name="category" label="About" error={errors["category"]}>
          <select id="field-category" value={category} onChange={(e) => setCategory((e.target as HTMLSelectElement).value as TicketCategory)}>
            {CATEGORIES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field
          name="order_id"
          label="Order number (optional)"
          error={errors["order_id"]}
          input={{ value: orderId, onInput: (e) => setOrderId((e.target as HTMLInputElement).value) }}
        />
        <Field
          name="subject"
          label="Subject"
          error={errors["subject"]}
          input={{ value: subject, onInput: (e) => setSubject((e.target as HTMLInputElement).value) }}
        />
        <Field name="body" label="How can we help?" error={errors["body"]}>
          <textarea
            id="field-body"
            rows={6}
            value={body}
            aria-invalid={errors["body"] ? "true" : undefined}
            onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)}
          />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? "Sending…" : "Send"}
        </button>
      </form>
    </section>
  );
}

export function TicketPage(props: { id: string }) {
  const ticket = useLoad(
    () => call(api.GET("/api/tickets/{ticket_id}", { params: { path: { ticket_id: props.id } } })),
    [props.id],
  );
  const [reply, setReply] = useState("");
  const [error, setError] = useState<unknown>(null);
  const t = ticket.data;

  async function send(event: Event) {
    event.preventDefault();
    setError(null);
    try {
      await call(
        api.POST("/api/tickets/{ticket_id}/messages", {
          params: { path: { ticket_id: props.id } },
          body: { ticket_id: props.id, body: reply },
        }),
      );
      setReply("");
      ticket.reload();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <section class="page narrow" aria-labelledby="ticket-title">
      <h1 id="ticket-title">{t?.subject ?? "Support ticket"}</h1>
      {ticket.loading && !t && <Loading what="the ticket" />}
      <ErrorNote error={ticket.error} onRetry={ticket.reload} />
      {t && (
        <>
          <p class="meta">
            {enumLabel(t.status, "TICKET_STATUS_")} · opened {date(t.created_at, true)}
            {t.order_id ? (
              <>
                {" "}
                · order <Link href={`/orders/${encodeURIComponent(t.order_id)}`}>{t.order_id}</Link>
              </>
            ) : null}
          </p>
          <ol class="conversation">
            {(t.messages ?? []).map((message) => (
              <li key={message.id} class={message.author_id === t.user_id ? "mine" : "theirs"}>
                <p>{message.body}</p>
                <p class="meta">
                  {message.author_id === t.user_id ? "You" : "Support"} · {date(message.created_at, true)}
                </p>
              </li>
            ))}
          </ol>
          <form onSubmit={send} noValidate>
            <Field name="body" label="Reply" error={fieldErrors(error)["body"]}>
              <textarea id="field-body" rows={4} value={reply} onInput={(e) => setReply((e.target as HTMLTextAreaElement).value)} />
            </Field>
            <ErrorNote error={error} fields={["body"]} />
            <button type="submit">Send reply</button>
          </form>
        </>
      )}
    </section>
  );
}
