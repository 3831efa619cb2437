/**
 * Errors as the code inside the API sees them: a kind (what sort of refusal), a stable
 * snake_case `code` partners can branch on, a message, and the field at fault. They carry no
 * HTTP status: services and domain rules throw them without knowing they will become a
 * response, and src/lib/http-errors.ts is the one place that turns a kind into a status and an
 * envelope `type`.
 */

export const ERROR_KINDS = [
  /** The request is malformed or a field is invalid; `param` names the field. */
  "invalid_request",
  "unauthenticated",
  "forbidden",
  /** Also for objects of another partner or of the other mode: existence is never leaked. */
  "not_found",
  /** The object is not in a state that allows this, or a unique value is taken. */
  "conflict",
  /** A business rule refuses the request (e.g. an amount above what is available). */
  "business_rule",
  /** An Idempotency-Key sent again with another request. */
  "idempotency_key_reused",
  /** An Idempotency-Key whose first request has not finished. */
  "idempotency_key_in_use",
  "rate_limited",
  /** The request body is larger than the API accepts. */
  "too_large",
  /** The request body is not in a format the API reads. */
  "unsupported_format",
  /** A bug or an outage: never a partner's fault. */
  "internal",
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/**
 * The codes of `error.details[].code`: one per field at fault, from the same vocabulary as the
 * envelope's own `code` (a refused body is `invalid_parameter` at the top, its fields say which
 * of these each one is). zod's own codes (`invalid_type`, `too_small`, …) are translated into
 * these by lib/http-errors.ts fieldErrorsOf, never shown: partners branch on one list.
 */
export const FIELD_ERROR_CODES = {
  missing_parameter: "A required field, query parameter or header is absent.",
  unknown_parameter: "A field or query parameter the operation does not take (for a query parameter, the message suggests the name you may have meant).",
  invalid_parameter: "A value of the wrong type, format, length or range, or not one of the allowed values; the message says which.",
  invalid_amount: "An amount that is not an integer number of cents (3.20 € is sent as 320).",
} as const;

export type FieldErrorCode = keyof typeof FIELD_ERROR_CODES;

/**
 * The field codes that only ever appear in `details` (`invalid_parameter` is also the envelope's
 * own), described from FIELD_ERROR_CODES: one description per code, whichever list shows it.
 */
const DETAIL_ONLY_CODES = Object.fromEntries(
  Object.entries(FIELD_ERROR_CODES)
    .filter(([code]) => code !== "invalid_parameter")
    .map(([code, what]) => [code, `400, in \`details\`: ${what.charAt(0).toLowerCase()}${what.slice(1)}`]),
) as Record<Exclude<FieldErrorCode, "invalid_parameter">, string>;

/**
 * The codes any operation may answer, whatever it does (an operation's own refusals, such as
 * `amount_exceeds_due`, are listed in its description). Documented on the Error schema of
 * /v1/openapi.json and in the README; test/errors-for-people.test.ts keeps them in step.
 */
export const COMMON_ERROR_CODES = {
  invalid_parameter: `400: a field, query parameter or header is refused; \`param\` names the first, \`details\` each one (${Object.keys(FIELD_ERROR_CODES)
    .map((code) => `\`${code}\``)
    .join(", ")}).`,
  ...DETAIL_ONLY_CODES,
  invalid_json: "400: the body is not valid JSON.",
  invalid_request: "400: the request cannot be read at all (e.g. an unreadable form body).",
  invalid_bookmark: "400: `X-D1-Bookmark` is not a bookmark this API answered.",
  missing_entity_id: "400: the operation acts for an organization and `X-Entity-Id` is absent.",
  missing_credentials: "401: no `Authorization` or `X-API-Key` header.",
  malformed_authorization: "401: `Authorization` is not `Bearer <token>`.",
  invalid_token: "401: the access token is not one this API issued (signature, issuer, audience or claims).",
  token_expired: "401: the access token has expired; request a new one at /v1/auth/token.",
  invalid_api_key: "401: no active credential has this secret key, or the publishable key is not its pair.",
  malformed_api_key: "401: the API key is not `sk_…` or `pk_…:sk_…`.",
  credentials_revoked: "401: the credential was revoked (its keys and the tokens minted from it).",
  invalid_admin_key: "401: admin endpoints need `Authorization: Bearer <ADMIN_API_KEY>`.",
  insufficient_scope: "403: the credential lacks the scope the operation needs.",
  resource_missing: "404: no such object for this partner and mode.",
  route_not_found: "404: no such route.",
  invalid_state: "409: the object's state does not allow this.",
  idempotency_request_in_progress: "409: a request with this Idempotency-Key is still running; retry shortly.",
  idempotency_key_reused: "422: this Idempotency-Key was used with another request.",
  body_too_large: "413: the body is larger than 1 MB.",
  unsupported_media_type: "415: the body is not application/json.",
  rate_limit_exceeded: "429: the plan's requests per minute are used up; see Retry-After.",
  too_many_failed_attempts: "429: too many failed authentications from this address; see Retry-After.",
  internal_error: "500: our fault, logged; retry with the same Idempotency-Key.",
} as const;

export interface ErrorDetail {
  param?: string;
  code: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly param?: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, param?: string, code = "invalid_parameter", details?: ErrorDetail[]) {
    super("invalid_request", code, message, param, details);
  }
}

export class Unauthenticated extends DomainError {
  /**
   * `presented`: the caller sent credentials and they were refused (RFC 6750 `invalid_token`), as
   * opposed to sending none, which only calls for the challenge. By default, any code but
   * `missing_credentials`.
   */
  readonly presented: boolean;
  constructor(message = "Missing or invalid credentials.", code = "invalid_credentials", presented?: boolean) {
    super("unauthenticated", code, message);
    this.presented = presented ?? code !== "missing_credentials";
  }
}

export class Forbidden extends DomainError {
  constructor(message: string, code = "insufficient_scope") {
    super("forbidden", code, message);
  }
}

export class NotFound extends DomainError {
  constructor(resource: string, id?: string, param?: string) {
    super("not_found", "resource_missing", id ? `No such ${resource}: '${id}'.` : `No such ${resource}.`, param);
  }
}

export class Conflict extends DomainError {
  constructor(message: string, code = "invalid_state", param?: string) {
    super("conflict", code, message, param);
  }
}

export class BusinessRule extends DomainError {
  constructor(message: string, code: string, param?: string) {
    super("business_rule", code, message, param);
  }
}

export class IdempotencyKeyReused extends DomainError {
  constructor(message = "This Idempotency-Key was already used with a different request (method, path or body).") {
    super("idempotency_key_reused", "idempotency_key_reused", message, "Idempotency-Key");
  }
}

export class IdempotencyKeyInUse extends DomainError {
  constructor() {
    super("idempotency_key_in_use", "idempotency_request_in_progress", "A request with this Idempotency-Key is still being processed; retry shortly.", "Idempotency-Key");
  }
}

/**
 * Thrown by the claiming D1 client (db/claiming-d1.ts) when the operation's first write batch
 * failed because another request's batch already wrote the key: nothing of this one was written.
 * The idempotency middleware answers instead (replay, 409 or 422); should it ever escape, it is
 * the 409 of a key in use.
 */
export class IdempotencyKeyHeld extends IdempotencyKeyInUse {}

/** A refusal that lifts by itself: the caller may retry after `retryAfterSeconds`. */
export class RateLimited extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    limit: number,
  ) {
    super("rate_limited", "rate_limit_exceeded", `Rate limit of ${limit} requests per minute exceeded. Retry in ${retryAfterSeconds} s.`);
  }
}

/** Too many failed authentications from this client; every attempt waits `retryAfterSeconds`. */
export class TooManyFailures extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super("rate_limited", "too_many_failed_attempts", `Too many failed authentications from this address. Retry in ${retryAfterSeconds} s.`);
  }
}
