import { PaiementsConnectionError, PaiementsError, retryAfterSeconds } from "./errors.js";

type Fetch = (request: Request) => Promise<Response>;

export interface RetryOptions {
  /** Retries after the first attempt (default 3, so 4 attempts at most; 0 turns retries off). */
  maxRetries?: number;
  /** First backoff step in ms, doubled each retry (default 500). */
  baseDelayMs?: number;
  /** Ceiling of one backoff step in ms (default 20 000). */
  maxDelayMs?: number;
  /** A 429 whose `Retry-After` asks for longer than this (ms, default 60 000) is not waited for: it is thrown. */
  maxRetryAfterMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  return { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 20_000, maxRetryAfterMs: 60_000, ...options };
}

/**
 * Exponential backoff with "equal jitter": half the step fixed, half random, so clients that
 * failed together do not all come back at the same instant, and none retries at once.
 */
export function backoffMs(policy: RetryPolicy, retry: number, random = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return step / 2 + random() * (step / 2);
}

/** A source of `Authorization` header values; `invalidate` drops a token the API refused. */
export interface Credentials {
  authorization(): Promise<string>;
  invalidate?(): void;
}

/** The request methods whose effect a retry cannot double: the API makes the others safe with an Idempotency-Key. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface TransportOptions {
  credentials: Credentials;
  entityId?: string | undefined;
  retry: RetryPolicy;
  fetch: typeof globalThis.fetch;
  /** Where the SDK sleeps between attempts (tests replace it to record the delays). */
  sleep?: (ms: number, signal?: AbortSignal | null) => Promise<void>;
}

/**
 * The fetch that openapi-fetch calls: it adds what every call needs (credentials, the client's
 * X-Entity-Id unless the call names one, an Idempotency-Key on every non-GET request unless the
 * call gives one) and retries, bounded: 429 and 5xx after their Retry-After if any, else (and
 * network errors) with backoff, and 409 `idempotency_request_in_progress` (our own earlier attempt still running).
 * A non-GET request is retried only because it carries its key: every attempt sends the same one,
 * so the API runs it once and replays its answer. An answer the API replayed
 * (`Idempotent-Replayed: true`) is final, whatever its status.
 */
export function transport(options: TransportOptions): Fetch {
  const sleep = options.sleep ?? defaultSleep;
  return async (request) => {
    const headers = new Headers(request.headers);
    if (options.entityId && !headers.has("x-entity-id")) headers.set("X-Entity-Id", options.entityId);
    const safe = SAFE_METHODS.has(request.method);
    if (!safe && !headers.has("idempotency-key") && !headers.has("x-idempotency-key")) headers.set("Idempotency-Key", crypto.randomUUID());
    // The body is read once and resent as is on every attempt (a Request's stream can be read only once).
    const body = request.body === null ? undefined : await request.arrayBuffer();
    let refreshedToken = false;
    for (let retry = 0; ; retry++) {
      headers.set("Authorization", await options.credentials.authorization());
      let response: Response;
      try {
        response = await options.fetch(new Request(request.url, { method: request.method, headers, body, signal: request.signal, redirect: request.redirect }));
      } catch (error) {
        if (request.signal?.aborted) throw error;
        if (retry >= options.retry.maxRetries) {
          throw new PaiementsConnectionError(`${request.method} ${new URL(request.url).pathname}: no response after ${retry + 1} attempt(s): ${String(error)}`, error);
        }
        await sleep(backoffMs(options.retry, retry), request.signal);
        continue;
      }
      // A token the API no longer accepts (revoked, or expired early by a clock skew): one fresh token, once.
      if (response.status === 401 && options.credentials.invalidate && !refreshedToken) {
        refreshedToken = true;
        options.credentials.invalidate();
        await response.body?.cancel();
        retry--;
        continue;
      }
      const wait = await retryDelay(response, options.retry, retry);
      if (wait === undefined || retry >= options.retry.maxRetries) return response;
      await response.body?.cancel();
      await sleep(wait, request.signal);
    }
  };
}

/** How long to wait before retrying this answer, or undefined when it is final. */
async function retryDelay(response: Response, policy: RetryPolicy, retry: number): Promise<number | undefined> {
  if (response.headers.get("idempotent-replayed") === "true") return undefined;
  if (response.status === 429 || response.status >= 500) {
    // The API's own estimate comes first (a 429's window end, a 503's), when it gives one.
    const seconds = retryAfterSeconds(response.headers.get("retry-after"));
    if (seconds === undefined) return backoffMs(policy, retry);
    const ms = seconds * 1000;
    if (ms > policy.maxRetryAfterMs) return undefined;
    // Whoever waited for the same window end should not all come back in the same millisecond.
    return ms + Math.random() * Math.min(1000, policy.baseDelayMs);
  }
  if (response.status === 409) {
    const body = await response
      .clone()
      .json()
      .catch(() => undefined);
    if ((body as { error?: { code?: unknown } } | undefined)?.error?.code === "idempotency_request_in_progress") return backoffMs(policy, retry);
  }
  return undefined;
}

function defaultSleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export { defaultSleep as sleep };

/** A fixed credential: an API key (`sk_test_…`), or an access token obtained elsewhere. */
export function apiKeyCredentials(apiKey: string): Credentials {
  const value = `Bearer ${apiKey}`;
  return { authorization: async () => value };
}

export interface ClientCredentialsOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Space-separated scopes (default `partner`, everything the client may do). */
  scope?: string | undefined;
  /** Refresh this many seconds before the token expires (default 60). */
  refreshMarginSeconds?: number | undefined;
  retry: RetryPolicy;
  fetch: typeof globalThis.fetch;
  sleep?: (ms: number, signal?: AbortSignal | null) => Promise<void>;
}

/**
 * OAuth2 client credentials (POST /v1/auth/token): a token is fetched on first use, shared by
 * concurrent calls (one request in flight), and replaced `refreshMarginSeconds` before it
 * expires, so no call goes out with a token about to lapse. The token endpoint is retried like
 * the API (429, 5xx, network), without an Idempotency-Key (minting a token changes nothing).
 */
export function clientCredentials(options: ClientCredentialsOptions): Credentials & { token(): Promise<string> } {
  const sleep = options.sleep ?? defaultSleep;
  const margin = (options.refreshMarginSeconds ?? 60) * 1000;
  let current: { value: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const fetchToken = async (): Promise<string> => {
    const url = `${options.baseUrl.replace(/\/+$/, "")}/v1/auth/token`;
    const body = JSON.stringify({ grant_type: "client_credentials", client_id: options.clientId, client_secret: options.clientSecret, scope: options.scope ?? "partner" });
    for (let retry = 0; ; retry++) {
      const requestedAt = Date.now();
      let response: Response;
      try {
        response = await options.fetch(url, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body });
      } catch (error) {
        if (retry >= options.retry.maxRetries) throw new PaiementsConnectionError(`POST /v1/auth/token: no response after ${retry + 1} attempt(s): ${String(error)}`, error);
        await sleep(backoffMs(options.retry, retry));
        continue;
      }
      if (response.ok) {
        const token = (await response.json()) as { access_token: string; expires_in: number };
        // Counted from when it was asked for: the API's clock started no later than that.
        current = { value: token.access_token, refreshAt: requestedAt + token.expires_in * 1000 - margin };
        return token.access_token;
      }
      const wait = await retryDelay(response, options.retry, retry);
      if (wait === undefined || retry >= options.retry.maxRetries) {
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* not JSON: kept as text */
        }
        throw PaiementsError.fromResponse(response, parsed);
      }
      await response.body?.cancel();
      await sleep(wait);
    }
  };

  const token = async (): Promise<string> => {
    if (current && Date.now() < current.refreshAt) return current.value;
    pending ??= fetchToken().finally(() => (pending = undefined));
    return pending;
  };
  return {
    token,
    authorization: async () => `Bearer ${await token()}`,
    invalidate: () => (current = undefined),
  };
}
