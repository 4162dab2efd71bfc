// The one way pages call the platform: the generated REST client (clients/ts, types from the
// OpenAPI document) with the session's bearer token, and every error turned into an ApiError a
// page can show: its message, the field each BadRequest violation names, the ErrorInfo reason and,
// for 429, when to retry. A 401 ends the session and sends the person to sign in.
import { createRestClient, errorReason, fieldViolations, type ApiStatus, type Schemas } from "@holidaypeak/client/rest";

import { auth } from "./auth";
import { navigate } from "./router";

export type { Schemas };

export const api = createRestClient({ baseUrl: "" });

api.use({
  onRequest({ request }) {
    const token = auth.token();
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  },
});

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string = "",
    /** field name -> what is wrong with it, as the server said */
    readonly fields: Record<string, string> = {},
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function isStatus(body: unknown): body is ApiStatus {
  return typeof body === "object" && body !== null && typeof (body as ApiStatus).message === "string";
}

export function toApiError(response: Response, body: unknown): ApiError {
  const retry = Number(response.headers.get("retry-after"));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  if (response.status === 429) {
    const wait = retryAfter ?? 60;
    return new ApiError(`Too many requests right now. Please try again in ${wait} s.`, 429, "RATE_LIMITED", {}, wait);
  }
  if (!isStatus(body)) {
    return new ApiError(`The platform answered HTTP ${response.status} without an explanation.`, response.status);
  }
  const fields: Record<string, string> = {};
  for (const violation of fieldViolations(body)) {
    fields[violation.field] = fields[violation.field]
      ? `${fields[violation.field]}; ${violation.description}`
      : violation.description;
  }
  return new ApiError(body.message, response.status, errorReason(body), fields, retryAfter);
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** Awaits a client call and returns its data, or throws an ApiError (after handling a 401). */
export async function call<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await pending;
  } catch (cause) {
    throw new ApiError(`Could not reach the store: ${(cause as Error).message}. Check your connection and retry.`, 0);
  }
  const { data, error, response } = answer;
  if (response.ok && data !== undefined) return data;
  const failure = toApiError(response, error);
  if (response.status === 401) {
    auth.signOut();
    const here = location.pathname + location.search;
    navigate(`/signin?next=${encodeURIComponent(here)}&expired=1`);
  }
  throw failure;
}

/** A request id for one attempt of a creating call: a retry of the same attempt reuses it. */
export function requestId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

/** Formats an amount in major units with its currency. */
export function money(amount: number | undefined, currency: string | undefined = "USD"): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: currency || "USD" }).format(amount ?? 0);
}

/** Minor units (int64 as a JSON string) to a display amount. */
export function minor(amount: string | number | undefined, currency: string | undefined = "USD"): string {
  return money(Number(amount ?? 0) / 100, currency);
}

/** An enum name as words: "ORDER_STATUS_PAID" -> "Paid". */
export function enumLabel(value: string | undefined, prefix: string): string {
  if (!value) return "";
  const words = value.replace(prefix, "").toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function date(value: string | undefined, withTime = false): string {
  if (!value) return "";
  const options: Intl.DateTimeFormatOptions = withTime
    ? { dateStyle: "medium", timeStyle: "short" }
    : { dateStyle: "medium" };
  return new Intl.DateTimeFormat("en-US", options).format(new Date(value));
}
