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
  constructor(message = "Missing or invalid credentials.", code = "invalid_credentials") {
    super("unauthenticated", code, message);
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
