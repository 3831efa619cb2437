import type { components } from "./schema.js";

/** The API's error envelope (`{"error": {…}}`), as every non-2xx answer of /v1 carries it. */
export type ErrorEnvelope = components["schemas"]["Error"]["error"];

/**
 * Every failed call: an API refusal with its envelope (`type`, `code`, `param`, `request_id`,
 * `details`) and HTTP status, or — as PaiementsConnectionError — no answer at all. Branch on
 * `code` (stable, snake_case); `message` is for people.
 */
export class PaiementsError extends Error {
  override name = "PaiementsError";
  /** HTTP status; 0 when no response arrived (PaiementsConnectionError). */
  readonly status: number;
  readonly type: string;
  readonly code: string;
  /** The field at fault (dotted path, or a header name such as X-Entity-Id). */
  readonly param: string | undefined;
  readonly details: ErrorEnvelope["details"];
  /** Quote it to support: it finds the request in the API's logs. */
  readonly requestId: string | undefined;
  /** The envelope as received (undefined when the body was not one). */
  readonly envelope: ErrorEnvelope | undefined;
  /** Seconds the API asked to wait (429 `Retry-After`), when it did. */
  readonly retryAfter: number | undefined;

  constructor(init: {
    status: number;
    type: string;
    code: string;
    message: string;
    param?: string | undefined;
    details?: ErrorEnvelope["details"];
    requestId?: string | undefined;
    envelope?: ErrorEnvelope | undefined;
    retryAfter?: number | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param;
    this.details = init.details;
    this.requestId = init.requestId;
    this.envelope = init.envelope;
    this.retryAfter = init.retryAfter;
  }

  /**
   * From a failed response and its parsed body: the API's envelope, or the token endpoint's
   * RFC 6749 `{"error": "invalid_client", "error_description": …}`, or whatever else answered
   * (a proxy's HTML page) as a generic `api_error` that keeps the status.
   */
  static fromResponse(response: Response, body: unknown): PaiementsError {
    const requestId = response.headers.get("x-request-id") ?? undefined;
    const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
    const base = { status: response.status, requestId, retryAfter };
    const error = isObject(body) ? body.error : undefined;
    if (isObject(error) && typeof error.code === "string") {
      const envelope = error as unknown as ErrorEnvelope;
      return new PaiementsError({
        ...base,
        type: envelope.type,
        code: envelope.code,
        message: envelope.message,
        param: envelope.param,
        details: envelope.details,
        requestId: envelope.request_id ?? requestId,
        envelope,
      });
    }
    if (typeof error === "string" && isObject(body)) {
      const description = typeof body.error_description === "string" ? body.error_description : error;
      return new PaiementsError({ ...base, type: response.status === 429 ? "rate_limit_error" : "authentication_error", code: error, message: description });
    }
    const text = typeof body === "string" && body.length > 0 ? `: ${body.slice(0, 200)}` : "";
    return new PaiementsError({ ...base, type: "api_error", code: `http_${response.status}`, message: `HTTP ${response.status}${text}` });
  }
}

/** No response: the network failed (DNS, connection refused or reset) on every attempt allowed. */
export class PaiementsConnectionError extends PaiementsError {
  override name = "PaiementsConnectionError";
  constructor(message: string, cause: unknown) {
    super({ status: 0, type: "api_connection_error", code: "network_error", message, cause });
  }
}

/** `Retry-After` in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined if absent or unreadable. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
