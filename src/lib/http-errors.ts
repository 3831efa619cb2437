import type { Context } from "hono";
import type { DomainError, ErrorDetail, ErrorKind } from "./errors";

/**
 * The HTTP edge of errors: the one mapping from an error's kind to its status and envelope
 * `type`, and the envelope `{ error: { type, code, message, param?, details?, request_id } }`
 * every error response carries (app.ts onError, and the middlewares that answer by themselves).
 */

/** The envelope's `type`: the family of an error (documented in the Error schema, lib/openapi.ts). */
export const ERROR_TYPES = [
  "invalid_request_error",
  "authentication_error",
  "permission_error",
  "not_found_error",
  "conflict_error",
  "business_rule_error",
  "idempotency_error",
  "rate_limit_error",
  "api_error",
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

export type ErrorHttpStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500;

export const HTTP_OF_KIND = {
  invalid_request: { status: 400, type: "invalid_request_error" },
  unauthenticated: { status: 401, type: "authentication_error" },
  forbidden: { status: 403, type: "permission_error" },
  not_found: { status: 404, type: "not_found_error" },
  conflict: { status: 409, type: "conflict_error" },
  business_rule: { status: 422, type: "business_rule_error" },
  idempotency_key_reused: { status: 422, type: "idempotency_error" },
  idempotency_key_in_use: { status: 409, type: "idempotency_error" },
  rate_limited: { status: 429, type: "rate_limit_error" },
  too_large: { status: 413, type: "invalid_request_error" },
  unsupported_format: { status: 415, type: "invalid_request_error" },
  internal: { status: 500, type: "api_error" },
} as const satisfies Record<ErrorKind, { status: ErrorHttpStatus; type: ErrorType }>;

export interface ErrorEnvelope {
  error: {
    type: ErrorType;
    code: string;
    message: string;
    param?: string;
    details?: ErrorDetail[];
    request_id: string;
  };
}

export function httpStatusOf(err: DomainError): ErrorHttpStatus {
  return HTTP_OF_KIND[err.kind].status;
}

export function envelope(err: DomainError, requestId: string): ErrorEnvelope {
  return {
    error: {
      type: HTTP_OF_KIND[err.kind].type,
      code: err.code,
      message: err.message,
      ...(err.param !== undefined ? { param: err.param } : {}),
      ...(err.details !== undefined ? { details: err.details } : {}),
      request_id: requestId,
    },
  };
}

/** The response of an error; a refusal that lifts by itself says when with Retry-After. */
export function errorResponse(c: Context, err: DomainError, requestId: string): Response {
  const headers: Record<string, string> = "retryAfterSeconds" in err ? { "Retry-After": String(err.retryAfterSeconds) } : {};
  return c.json(envelope(err, requestId), httpStatusOf(err), headers);
}
