import { DELIVERY_TIMEOUT_MS, MAX_RESPONSE_BYTES, RESPONSE_EXCERPT_CHARS, type AttemptResult } from "../../domain/webhook-retry";

export interface SendResult {
  result: AttemptResult;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  excerpt: string | null;
}

/**
 * One POST to a receiver, defended against receivers that misbehave: 10 s for the whole
 * exchange (headers and body), redirects returned as they are (never followed: the URL checked
 * is the URL called), at most 64 KB of the body read, a short excerpt kept.
 */
export async function postWebhook(url: string, body: string, headers: Record<string, string>): Promise<SendResult> {
  const started = Date.now();
  const signal = AbortSignal.timeout(DELIVERY_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal });
  } catch (err) {
    return { result: { kind: "network_error" }, statusCode: null, latencyMs: Date.now() - started, error: describeFailure(err, signal), excerpt: null };
  }
  const read = await readCapped(response);
  const location = response.headers.get("location");
  const redirect = response.status >= 300 && response.status < 400 ? `redirect not followed${location ? ` (Location: ${location.slice(0, 200)})` : ""}` : null;
  return {
    result: { kind: "response", status: response.status },
    statusCode: response.status,
    latencyMs: Date.now() - started,
    error: redirect ?? read.error,
    excerpt: read.excerpt,
  };
}

function describeFailure(err: unknown, signal: AbortSignal): string {
  if (signal.aborted) return `timeout: no response within ${DELIVERY_TIMEOUT_MS / 1000} s`;
  const message = err instanceof Error ? err.message : String(err);
  return `network error: ${message}`.slice(0, 300);
}

/** Reads at most MAX_RESPONSE_BYTES, then lets the rest go; a body that never ends stops at the timeout. */
async function readCapped(response: Response): Promise<{ excerpt: string | null; error: string | null }> {
  if (!response.body) return { excerpt: null, error: null };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let error: string | null = null;
  try {
    while (total < MAX_RESPONSE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      const piece = value.byteLength > MAX_RESPONSE_BYTES - total ? value.subarray(0, MAX_RESPONSE_BYTES - total) : value;
      chunks.push(piece);
      total += piece.byteLength;
    }
  } catch {
    error = `response body not read in full within ${DELIVERY_TIMEOUT_MS / 1000} s`;
  }
  // Whatever is left unread is dropped; a failure to cancel changes nothing for the delivery.
  reader.cancel().catch(() => undefined);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  const text = new TextDecoder().decode(bytes);
  return { excerpt: text ? text.slice(0, RESPONSE_EXCERPT_CHARS) : null, error };
}
