// Checking that a webhook came from the API, with WebCrypto only (Node ≥ 20, Workers, browsers,
// Deno). Always check the RAW body, byte for byte as received: parsing then re-serialising JSON
// changes it. Two schemes sign every delivery:
// - the seed's `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret as UTF-8, body)>` (during a
//   rotation the old secret signs `X-Webhook-Signature-Previous`);
// - Standard Webhooks (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
//   `webhook-signature: v1,<base64 HMAC-SHA256(base64-decoded secret after whsec_, "id.timestamp.body")>`,
//   one entry per signing secret, space-separated; it adds replay protection (5 min).

/** The body of every delivery (keys in this order, `data` is the object's copy). */
export interface WebhookPayload {
  event_id: string;
  event_type: string;
  /** When the event happened (ISO 8601): the same on every attempt. */
  timestamp: string;
  organization_id: string | null;
  livemode: boolean;
  /** The object's version in `data`: deliveries can arrive out of order, keep the highest. */
  object_version: number | null;
  data: Record<string, unknown>;
}

export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
}

type Body = string | Uint8Array | ArrayBuffer;
type HeaderSource = Headers | Record<string, string | string[] | undefined>;

const encoder = new TextEncoder();

function bytesOf(body: Body): Uint8Array {
  if (typeof body === "string") return encoder.encode(body);
  return body instanceof Uint8Array ? body : new Uint8Array(body);
}

async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", key as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data as BufferSource));
}

/** Compares in time independent of where the bytes differ (the length is not secret). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function base64ToBytes(value: string): Uint8Array | undefined {
  try {
    const binary = atob(value);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

function hexToBytes(value: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-f]{2})+$/i.test(value)) return undefined;
  const bytes = new Uint8Array(value.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(value.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value.join(" ") : value;
}

/**
 * The seed's scheme: true when `signature` (the `X-Webhook-Signature` header, `sha256=<hex>`) is
 * the HMAC of the raw body under one of `secrets` (the whole `whsec_…` string as UTF-8 bytes).
 * Give both secrets during a rotation, or check `X-Webhook-Signature-Previous` with the old one.
 */
export async function verifySeedSignature(body: Body, signature: string | null | undefined, secrets: string | readonly string[]): Promise<boolean> {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(signature?.trim() ?? "");
  const given = match ? hexToBytes(match[1]!) : undefined;
  if (!given) return false;
  const bytes = bytesOf(body);
  let ok = false;
  for (const secret of typeof secrets === "string" ? [secrets] : secrets) {
    // Every secret is tried, so the time taken does not say which one matched.
    if (sameBytes(await hmac(encoder.encode(secret), bytes), given)) ok = true;
  }
  return ok;
}

/**
 * Standard Webhooks: checks `webhook-signature` against the body, `webhook-id` and
 * `webhook-timestamp` for one of `secrets` (`whsec_…`), refuses a timestamp more than
 * `toleranceSeconds` (default 300) from now either way, and answers the parsed body. Throws
 * WebhookVerificationError otherwise. Deduplicate on `webhook-id` (the event id, the same on every
 * attempt): a replay within the window verifies again.
 */
export async function verifyStandardWebhook<T = WebhookPayload>(
  body: Body,
  headers: HeaderSource,
  secrets: string | readonly string[],
  options: { toleranceSeconds?: number; now?: Date } = {},
): Promise<T> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header");
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError("invalid webhook-timestamp");
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(now - Number(timestamp)) > tolerance) throw new WebhookVerificationError(`webhook-timestamp is more than ${tolerance} s from now`);

  const bytes = bytesOf(body);
  const signed = concat(encoder.encode(`${id}.${timestamp}.`), bytes);
  const given = signatures
    .split(" ")
    .map((entry) => entry.split(","))
    .filter(([version]) => version === "v1")
    .map(([, value]) => base64ToBytes(value ?? ""))
    .filter((b): b is Uint8Array => b !== undefined);
  let ok = false;
  for (const secret of typeof secrets === "string" ? [secrets] : secrets) {
    const key = base64ToBytes(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
    if (!key) throw new WebhookVerificationError("the secret is not whsec_ followed by base64");
    const expected = await hmac(key, signed);
    for (const candidate of given) if (sameBytes(expected, candidate)) ok = true;
  }
  if (!ok) throw new WebhookVerificationError("no matching signature");
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}
