// What every page shares for showing loading, errors and form fields. An error is always said in
// words: the API's message at the top, each field's own message under the field, and a page that
// throws while rendering is caught by the boundary instead of leaving a blank screen.
import { Component, type ComponentChildren, type JSX } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";

import { ApiError } from "./api";
import { Link } from "./router";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads data for a page; reloads when `deps` change. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ data: previous.data, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError || error instanceof Error) return error.message;
  return String(error);
}

/** The error of a whole request, in words, with what to do about it. `fields` are the fields the
 * form shows their own errors beside; a violation of any other field is listed here, so none goes
 * unsaid. */
export function ErrorNote(props: { error: unknown; onRetry?: () => void; fields?: string[] }) {
  if (!props.error) return null;
  const error = props.error;
  const status = error instanceof ApiError ? error.status : 0;
  const violations = error instanceof ApiError ? Object.entries(error.fields) : [];
  const shown = new Set(props.fields ?? []);
  const beside = violations.filter(([field]) => shown.has(field));
  const here = violations.filter(([field]) => !shown.has(field));
  return (
    <div class="error" role="alert" data-status={status || undefined}>
      <p>
        <strong>{status === 429 ? "Slow down: " : status === 404 ? "Not found: " : "Sorry: "}</strong>
        {/* When every problem is said beside its field, the server's summary of them would only repeat it. */}
        {beside.length > 0 && here.length === 0 ? "some details need a change." : messageOf(error)}
      </p>
      {here.length > 0 && (
        <ul>
          {here.map(([field, description]) => (
            <li key={field} data-field={field}>
              {field.replace(/_/g, " ")}: {description}
            </li>
          ))}
        </ul>
      )}
      {beside.length > 0 && <p class="hint">The fields marked below need attention.</p>}
      {props.onRetry && (
        <button type="button" class="secondary" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading {props.what}…
    </p>
  );
}

/** A labelled input whose error (from the API's field violations) sits right under it. */
export function Field(props: {
  name: string;
  label: string;
  error?: string | undefined;
  children?: ComponentChildren;
  input?: JSX.InputHTMLAttributes<HTMLInputElement>;
}) {
  const id = `field-${props.name}`;
  const errorId = `${id}-error`;
  return (
    <div class={`field${props.error ? " invalid" : ""}`}>
      <label for={id}>{props.label}</label>
      {props.children ?? (
        <input
          id={id}
          name={props.name}
          aria-invalid={props.error ? "true" : undefined}
          aria-describedby={props.error ? errorId : undefined}
          {...props.input}
        />
      )}
      {props.error && (
        <p class="field-error" id={errorId} data-field={props.name}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** The field errors of an ApiError (empty for any other error). */
export function fieldErrors(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fields : {};
}

export class ErrorBoundary extends Component<{ children: ComponentChildren; resetKey: string }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static override getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidUpdate(previous: { resetKey: string }) {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  override componentDidCatch(error: unknown) {
    console.error("page failed", error);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <section class="page" aria-labelledby="crash-title">
        <h1 id="crash-title">This page ran into a problem</h1>
        <ErrorNote error={this.state.error} />
        <p>
          Nothing you entered was lost on the server. <Link href="/">Back to the shop</Link> or{" "}
          <button type="button" class="link" onClick={() => location.reload()}>
            reload the page
          </button>
          .
        </p>
      </section>
    );
  }
}

export function Stars(props: { rating: number | undefined; count?: number | undefined }) {
  const rating = props.rating ?? 0;
  const label = props.count ? `${rating.toFixed(1)} out of 5 from ${props.count} reviews` : "no reviews yet";
  return (
    <span class="stars" aria-label={label} title={label}>
      {props.count ? "★".repeat(Math.round(rating)) + "☆".repeat(5 - Math.round(rating)) : "No reviews yet"}
    </span>
  );
}

/** A picture stand-in: the demo catalog's image URLs point at a host that does not exist. */
export function Swatch(props: { id: string | undefined; name: string | undefined; size?: "small" }) {
  // A stable colour per id (FNV-1a), spread over the wheel even for ids that differ in one digit.
  let hash = 2166136261;
  for (const ch of props.id ?? "") hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  const hue = hash % 360;
  const initials = (props.name ?? "?")
    .split(/\s+/)
    .filter((word) => /^[\p{L}\p{N}]/u.test(word))
    .slice(0, 2)
    .map((word) => word.charAt(0))
    .join("");
  return (
    <div class={`swatch ${props.size ?? ""}`} style={{ background: `hsl(${hue} 45% 32%)` }} aria-hidden="true">
      {initials}
    </div>
  );
}
