// What a Node gRPC client needs beyond the generated types (src/gen/grpc, one module per proto,
// imported as "@holidaypeak/client/grpc/<path>_pb.js"): reading the google.rpc details of an error.
import { ConnectError } from "@connectrpc/connect";

import {
  BadRequestSchema,
  ErrorInfoSchema,
  type BadRequest_FieldViolation,
  type ErrorInfo,
} from "./gen/grpc/google/rpc/error_details_pb.js";

/** The BadRequest field violations an error carries (INVALID_ARGUMENT names each bad field). */
export function fieldViolations(error: unknown): BadRequest_FieldViolation[] {
  return ConnectError.from(error)
    .findDetails(BadRequestSchema)
    .flatMap((detail) => detail.fieldViolations);
}

/** The ErrorInfo every refusal carries (its reason is one of docs/error-reasons.md), if any. */
export function errorInfo(error: unknown): ErrorInfo | undefined {
  return ConnectError.from(error).findDetails(ErrorInfoSchema)[0];
}
