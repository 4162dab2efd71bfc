// What the staff console adds to the app's shared pieces (../ui: loading, ErrorNote, Field and the
// error boundary; ../api: the client and ApiError): an action's busy/error state, the props that
// tie a form control to its Field's error, and status badges.
import type { JSX } from "preact";
import { useCallback, useState } from "preact/hooks";

export { ErrorNote, Field, Loading, fieldErrors, useLoad } from "../ui";
export { Link } from "../router";

/** One action's state: busy while it runs, and what it failed with (an ApiError, usually). */
export function useAction(): {
  busy: boolean;
  error: unknown;
  run: <T>(action: () => Promise<T>) => Promise<T | undefined>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (cause) {
      setError(cause);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}

/** Props of the control inside a `<Field name=…>`: its id, and invalid/described by the error under it. */
export function control(name: string, error: string | undefined): Record<string, string | undefined> {
  return {
    id: `field-${name}`,
    name,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": error ? `field-${name}-error` : undefined,
  };
}

/** A status badge: the enum's words, with a class per value for its colour. */
export function Badge({ value, prefix }: { value: string | undefined; prefix: string }): JSX.Element {
  const name = (value ?? "").replace(prefix, "");
  const words = name.toLowerCase().replace(/_/g, " ");
  return <span class={`staff-badge staff-badge-${name.toLowerCase() || "none"}`}>{words || "—"}</span>;
}
