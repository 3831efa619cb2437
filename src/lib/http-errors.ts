import type { Context } from "hono";
import { FIELD_ERROR_CODES, Unauthenticated, type DomainError, type ErrorDetail, type ErrorKind, type FieldErrorCode } from "./errors";

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

/**
 * The response of an error; a refusal that lifts by itself says when with Retry-After, a 401 says
 * how to authenticate with WWW-Authenticate.
 */
export function errorResponse(c: Context, err: DomainError, requestId: string): Response {
  const headers: Record<string, string> = "retryAfterSeconds" in err ? { "Retry-After": String(err.retryAfterSeconds) } : {};
  if (err instanceof Unauthenticated) headers["WWW-Authenticate"] = bearerChallenge(c.req.path, err);
  return c.json(envelope(err, requestId), httpStatusOf(err), headers);
}

/**
 * RFC 6750 §3: the Bearer challenge of a 401. No credentials sent: the challenge alone (§3.1 says
 * no error code then). Credentials sent and refused — expired, revoked, unknown or malformed, a
 * token or an API key alike — `error="invalid_token"` with the reason. The operator's endpoints
 * are another protection space (another key), hence another realm; the token endpoint answers its
 * own `Basic` challenge (RFC 6749 §5.2, routes/auth/token.ts).
 */
export function bearerChallenge(path: string, err: Unauthenticated): string {
  const realm = path.startsWith("/v1/admin") ? "paiements-admin" : "paiements-api";
  if (!err.presented) return `Bearer realm="${realm}"`;
  return `Bearer realm="${realm}", error="invalid_token", error_description="${challengeText(err.message)}"`;
}

/** error_description allows printable ASCII but `"` and `\` (RFC 6750 §3); a header value must be bytes anyway. */
function challengeText(message: string): string {
  return message
    .replace(/\u2026/g, "...")
    .replace(/["\\]/g, "'")
    .replace(/[^\x20-\x7e]/g, "?");
}

/** A zod issue as the validation hook receives it (lib/openapi.ts), whatever zod version: only what we read. */
export type ZodIssueLike = { path: PropertyKey[]; message: string; code: string; keys?: string[]; params?: { code?: unknown } };

/**
 * zod issues as the envelope's `details`: each field at fault with a code of our vocabulary
 * (FIELD_ERROR_CODES), never zod's. A required field that is absent from `input` (what was
 * validated) says so in words a person reads ("is required") whatever the field's type, and a
 * schema that knows better names its own code through the issue's `params.code` (an amount in
 * cents, lib/fields.ts Cents).
 */
export function fieldErrorsOf(issues: readonly ZodIssueLike[], input?: unknown): ErrorDetail[] {
  return issues.flatMap((i): ErrorDetail[] => {
    const path = i.path.map(String);
    // An unknown field is named itself, so a typo ('siert') points at the right place.
    if (i.code === "unrecognized_keys" && i.keys?.length) {
      return i.keys.map((k) => ({ param: [...path, k].join("."), code: "unknown_parameter", message: `unknown field '${k}'` }));
    }
    const param = path.join(".");
    const at = param ? { param } : {};
    if (ABSENT_CODES.has(i.code) && path.length > 0 && valueAt(input, path) === undefined) return [{ ...at, code: "missing_parameter", message: "is required" }];
    const own = i.params?.code;
    const code: FieldErrorCode = typeof own === "string" && own in FIELD_ERROR_CODES ? (own as FieldErrorCode) : "invalid_parameter";
    return [{ ...at, code, message: i.message }];
  });
}

/** The zod codes an absent value raises: a type, an enum or literal, a union that each refuse `undefined`. */
const ABSENT_CODES = new Set(["invalid_type", "invalid_value", "invalid_union"]);

function valueAt(input: unknown, path: readonly string[]): unknown {
  let at = input;
  for (const key of path) {
    if (at === null || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}
