/**
 * Errors. Services throw these; they know nothing about HTTP. One `onError` (app.ts) turns any of
 * them into the error envelope `{ error: { type, code, message, param?, details?, request_id } }`.
 */

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "conflict_error"
  | "business_rule_error"
  | "idempotency_error"
  | "rate_limit_error"
  | "api_error";

export interface ErrorDetail {
  param?: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
  }
}

/** 400: the request is malformed or a field is invalid; `param` names the field. */
export class ValidationError extends ApiError {
  constructor(message: string, param?: string, code = "invalid_parameter", details?: ErrorDetail[]) {
    super(400, "invalid_request_error", code, message, param, details);
  }
}

export class Unauthenticated extends ApiError {
  constructor(message = "Missing or invalid credentials.", code = "invalid_credentials") {
    super(401, "authentication_error", code, message);
  }
}

export class Forbidden extends ApiError {
  constructor(message: string, code = "insufficient_scope") {
    super(403, "permission_error", code, message);
  }
}

/** 404, also for objects of another partner or of the other mode: existence is never leaked. */
export class NotFound extends ApiError {
  constructor(resource: string, id?: string, param?: string) {
    super(
      404,
      "not_found_error",
      "resource_missing",
      id ? `No such ${resource}: '${id}'.` : `No such ${resource}.`,
      param,
    );
  }
}

/** 409: the object is not in a state that allows this (e.g. invoice already issued), or a unique value is taken. */
export class Conflict extends ApiError {
  constructor(message: string, code = "invalid_state", param?: string) {
    super(409, "conflict_error", code, message, param);
  }
}

/** 422: a business rule refuses the request (e.g. amount above what is available). */
export class BusinessRule extends ApiError {
  constructor(message: string, code: string, param?: string) {
    super(422, "business_rule_error", code, message, param);
  }
}

/** 422: an Idempotency-Key sent again with another request (method, path, query or body). */
export class IdempotencyKeyReused extends ApiError {
  constructor(message = "This Idempotency-Key was already used with a different request (method, path or body).") {
    super(422, "idempotency_error", "idempotency_key_reused", message, "Idempotency-Key");
  }
}

export class RateLimited extends ApiError {
  constructor(readonly retryAfterSeconds: number, limit: number) {
    super(
      429,
      "rate_limit_error",
      "rate_limit_exceeded",
      `Rate limit of ${limit} requests per minute exceeded. Retry in ${retryAfterSeconds} s.`,
    );
  }
}

/** 429: too many failed authentications from this client; every attempt waits `retryAfterSeconds`. */
export class TooManyFailures extends ApiError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, "rate_limit_error", "too_many_failed_attempts", `Too many failed authentications from this address. Retry in ${retryAfterSeconds} s.`);
  }
}

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

export function envelope(err: ApiError, requestId: string): ErrorEnvelope {
  return {
    error: {
      type: err.type,
      code: err.code,
      message: err.message,
      ...(err.param !== undefined ? { param: err.param } : {}),
      ...(err.details !== undefined ? { details: err.details } : {}),
      request_id: requestId,
    },
  };
}
