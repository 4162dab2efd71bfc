// The browser's client of the REST surface: openapi-fetch over the types openapi-typescript made
// from the gateway's OpenAPI document (src/gen/rest.ts), so paths, parameters and bodies are
// checked against the contracts and the types erase to nothing in a bundle.
import createClient, { type Client, type ClientOptions } from "openapi-fetch";

import type { components, operations, paths } from "./gen/rest.js";

export type { components, operations, paths };

/** Every schema of the document by its name (message names, e.g. `Schemas["Order"]`). */
export type Schemas = components["schemas"];

/** The body of every error answer: the gRPC status as JSON, with its google.rpc details. */
export type ApiStatus = Schemas["Status"];

export type RestClient = Client<paths>;

/** A typed client of the REST surface; `baseUrl` is the gateway (e.g. "" for the same origin). */
export function createRestClient(options: ClientOptions = {}): RestClient {
  return createClient<paths>(options);
}

const BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest";
const ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo";

/** A field the server refused and why (google.rpc.BadRequest.FieldViolation in proto JSON). */
export interface FieldViolation {
  field: string;
  description: string;
}

/** The field violations of an error body, in the order the server gave them. */
export function fieldViolations(status: ApiStatus): FieldViolation[] {
  const found: FieldViolation[] = [];
  for (const detail of status.details ?? []) {
    if (detail["@type"] !== BAD_REQUEST || !Array.isArray(detail["field_violations"])) continue;
    for (const violation of detail["field_violations"] as Record<string, unknown>[]) {
      found.push({ field: String(violation["field"] ?? ""), description: String(violation["description"] ?? "") });
    }
  }
  return found;
}

/** The ErrorInfo reason of an error body (docs/error-reasons.md), or "" when it has none. */
export function errorReason(status: ApiStatus): string {
  const info = (status.details ?? []).find((detail) => detail["@type"] === ERROR_INFO);
  return typeof info?.["reason"] === "string" ? info["reason"] : "";
}
